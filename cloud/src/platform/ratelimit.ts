import mongoose from 'mongoose';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import type { Middleware, ParameterizedContext } from 'koa';
import type { AuthState } from './auth';
import { AppError } from './errors';

/** One collection for every limiter; keys carry the limiter's name (`rl:login:1.2.3.4`, `rl:user:<id>`). */
export const RATE_LIMIT_COLLECTION = 'rate_limits';

/**
 * A fixed-window limit kept in the database (rate-limiter-flexible's RateLimiterMongo: one atomic
 * upsert per request), so every API instance on the database counts against the same window.
 * Over the limit: 429 RATE_LIMITED with Retry-After (seconds until the window ends).
 */
export function rateLimit(opts: {
  max: number;
  durationMs: number;
  key: (ctx: ParameterizedContext<AuthState>) => string | false;
}): Middleware<AuthState> {
  // built on first use: the store needs the connected database (and follows it if the app reconnects)
  let bound: { db: mongoose.mongo.Db; ready: Promise<RateLimiterMongo> } | undefined;
  const limiterFor = (db: mongoose.mongo.Db) => {
    if (bound?.db !== db) {
      const limiter = new RateLimiterMongo({
        storeClient: db,
        tableName: RATE_LIMIT_COLLECTION,
        keyPrefix: 'rl',
        points: opts.max,
        duration: opts.durationMs / 1000,
        // the library builds its unique key index in the background; a burst of first requests
        // could then upsert before it exists. Build it first, once, and serve after.
        disableIndexesCreation: true,
      });
      const ready = limiter.createIndexes().then(() => limiter);
      ready.catch(() => {
        if (bound?.db === db) bound = undefined; // try again on the next request
      });
      bound = { db, ready };
    }
    return bound.ready;
  };

  return async (ctx, next) => {
    const key = opts.key(ctx);
    if (key === false) return next();
    const db = mongoose.connection.db;
    if (!db) throw new AppError('INTERNAL', 'rate limit store: the database is not connected');
    try {
      await (await limiterFor(db)).consume(key, 1);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection; // the store failed: not a limit
      ctx.set('Retry-After', String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))));
      throw new AppError('RATE_LIMITED', 'too many requests, retry later');
    }
    return next();
  };
}

/**
 * The key of the general request limit: a signed-in request counts for its user, an anonymous one
 * for its IP; paths under `exemptPrefix` (WeChat Pay's signed callbacks, which WeChat retries
 * from a few addresses) are not limited.
 */
export function perUserOrIp(exemptPrefix: string) {
  return (ctx: ParameterizedContext<AuthState>): string | false => {
    if (ctx.state.user) return `user:${ctx.state.user.userId}`;
    if (ctx.path.startsWith(exemptPrefix)) return false;
    return `ip:${ctx.ip}`;
  };
}
