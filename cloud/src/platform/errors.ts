import type { Middleware } from 'koa';
import { ZodError } from 'zod';
import mongoose from 'mongoose';
import { ERRORS, ERROR_MESSAGES_ZH, type ErrorCode } from '@citysport/shared';

/** A failure the client can act on: a stable code, its fixed HTTP status, optional details. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? code);
    this.status = ERRORS[code];
  }
}

export function zodDetails(err: ZodError) {
  return err.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

const GENERIC_5XX_EN: Partial<Record<ErrorCode, string>> = {
  UPSTREAM_UNAVAILABLE: 'a service we depend on (WeChat) is unavailable, retry later',
  INTERNAL: 'internal error',
};

/**
 * What a client sees of a 5xx: its stable code and a fixed Chinese/English message. The thrown
 * message and details (WeChat's own error text, URLs, amounts) go to the log only.
 */
export function genericServerError(status: number, code: ErrorCode) {
  const en = GENERIC_5XX_EN[code] ?? 'internal error';
  return { status, code, message: ERROR_MESSAGES_ZH[code] ? `${ERROR_MESSAGES_ZH[code]} (${en})` : en };
}

/** Turns any thrown value into a status and error body; never leaks internals on 5xx. */
export function toErrorResponse(err: unknown): { status: number; code: ErrorCode; message: string; details?: unknown } {
  if (err instanceof AppError) {
    if (err.status >= 500) return genericServerError(err.status, err.code);
    return { status: err.status, code: err.code, message: err.message, details: err.details };
  }
  if (err instanceof ZodError) return { status: 400, code: 'VALIDATION_FAILED', message: 'request is not valid', details: zodDetails(err) };
  if (err instanceof mongoose.Error.CastError)
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'request is not valid',
      details: [{ path: err.path, message: 'invalid value' }],
    };
  if (err instanceof mongoose.Error.ValidationError)
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'request is not valid',
      details: Object.values(err.errors).map((e) => ({ path: e.path, message: e.message })),
    };
  if ((err as { code?: unknown })?.code === 11000) return { status: 409, code: 'CONFLICT', message: 'already exists' };
  const h = err as HttpishError;
  const status = h?.status ?? h?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return { status, code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' };
    if (status === 415) return { status, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content type' };
    if (h.type === 'entity.parse.failed' || status === 400 || status === 422)
      return { status: 400, code: 'BAD_JSON', message: 'request body is not valid JSON' };
    if (status === 404) return { status, code: 'NOT_FOUND', message: 'not found' };
    if (status === 405) return { status, code: 'METHOD_NOT_ALLOWED', message: 'this path does not take that method' };
    return { status: 400, code: 'VALIDATION_FAILED', message: h.expose && h.message ? h.message : 'bad request' };
  }
  // 501 is the router's "method it knows no route for": to the client that is a method this path does not take
  if (status === 501) return { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'this path does not take that method' };
  return { status: 500, code: 'INTERNAL', message: 'internal error' };
}

interface MatchedLayer {
  methods?: string[];
}

/** The methods the routes matching this path serve (koa-router records the matched layers on ctx.matched). */
function allowedMethods(ctx: { matched?: MatchedLayer[] }): string[] {
  const methods = new Set<string>();
  for (const layer of ctx.matched ?? []) for (const m of layer.methods ?? []) methods.add(m);
  return [...methods].sort();
}

export const errorMiddleware: Middleware = async (ctx, next) => {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) throw new AppError('NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
  } catch (err) {
    const res = toErrorResponse(err);
    if (res.status >= 500) ctx.state.log?.error({ err }, 'request failed');
    else ctx.state.log?.info({ code: res.code, status: res.status }, 'request rejected');
    ctx.status = res.status;
    if (res.status === 405) {
      const allow = allowedMethods(ctx as unknown as { matched?: MatchedLayer[] });
      if (allow.length) ctx.set('Allow', allow.join(', '));
    }
    ctx.body = { error: { code: res.code, message: res.message, ...(res.details !== undefined ? { details: res.details } : {}) } };
  }
};
