import ratelimit from 'koa-ratelimit';
import type { Middleware, ParameterizedContext } from 'koa';
import type { AuthState } from './auth';

const LIMITED_BODY = { error: { code: 'RATE_LIMITED', message: 'too many requests, retry later' } };

/** A fixed-window limiter kept in process memory (one per instance; put a shared store behind it when scaling out). */
export function rateLimit(opts: {
  max: number;
  durationMs: number;
  key: (ctx: ParameterizedContext<AuthState>) => string | false;
}): Middleware<AuthState> {
  return ratelimit({
    driver: 'memory',
    db: new Map(),
    duration: opts.durationMs,
    max: opts.max,
    id: opts.key as (ctx: unknown) => string,
    errorMessage: LIMITED_BODY as unknown as string,
  }) as unknown as Middleware<AuthState>;
}
