import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import type { Middleware, ParameterizedContext } from 'koa';
import type { AuthState } from './auth';
import { AppError } from './errors';

/**
 * Every limiter shares the store; keys carry the limiter's name (`rl:login:1.2.3.4`, `rl:user:<id>`).
 * The store is split over 64 collections by a hash of the key because the library's upsert filters
 * `{key, $or: [expire…]}`: MongoDB serves that from the unique `key` index, but mongo-java-server
 * uses a unique index only for a query on exactly its keys and reads the whole collection, so each
 * new key got slower as keys piled up (81 new keys/s at 30,000 keys; docs/benchmarks.md).
 */
export const RATE_LIMIT_SHARDS = 64;

/** Every rate-limit collection's name: `rate_limits_00` … `rate_limits_63`. */
export const RATE_LIMIT_COLLECTIONS = Array.from({ length: RATE_LIMIT_SHARDS }, (_, i) => `rate_limits_${String(i).padStart(2, '0')}`);

/** The collection that holds `key` (the limiter's key, without the library's `rl:` prefix). */
export function rateLimitCollectionOf(key: string): string {
  return RATE_LIMIT_COLLECTIONS[createHash('sha1').update(key).digest().readUInt32BE(0) % RATE_LIMIT_SHARDS];
}

const storeIndexes = new WeakMap<mongoose.mongo.Db, Promise<void>>();

/**
 * Builds the store's indexes (the unique `key`, the TTL on `expire`: the library's own) once per
 * database, before a limiter writes: a burst of first requests could otherwise upsert before the
 * unique index exists. ensureIndexes() calls it before the port opens.
 */
export function ensureRateLimitIndexes(db: mongoose.mongo.Db): Promise<void> {
  let built = storeIndexes.get(db);
  if (!built) {
    built = Promise.all(
      RATE_LIMIT_COLLECTIONS.map(
        (tableName) =>
          new RateLimiterMongo({
            storeClient: db,
            tableName,
            points: 1,
            duration: 1,
            disableIndexesCreation: true,
          }).createIndexes() as Promise<void>,
      ),
    ).then(() => undefined);
    built.catch(() => storeIndexes.delete(db)); // try again on the next request
    storeIndexes.set(db, built);
  }
  return built;
}

/** At most this many points are reserved by one database round trip of a batched limit. */
export const MAX_RESERVE = 100;
/** A batched limit reserves this share of its budget per round trip (1/50: 12 of 600/min). */
const RESERVE_SHARE = 50;

/** How many points one database round trip reserves for this instance: 1 (exact) unless batched. */
export function reserveSize(max: number, batched: boolean): number {
  return batched ? Math.max(1, Math.min(MAX_RESERVE, Math.floor(max / RESERVE_SHARE))) : 1;
}

interface LocalWindow {
  /** points this instance reserved in the shared window and has not spent yet */
  left: number;
  /** when the shared window ends (ms since epoch) */
  resetAt: number;
  /** the shared window is used up: refuse here without asking the database until it ends */
  exhausted: boolean;
  reserving?: Promise<void>;
}

const EVICT_AT = 10_000;

/**
 * A fixed-window limit kept in the database (rate-limiter-flexible's RateLimiterMongo: one atomic
 * upsert), so every API instance on the database counts against the same window.
 * Over the limit: 429 RATE_LIMITED with Retry-After (seconds until the window ends).
 *
 * Two things keep it off the hot path (issue 18):
 * - once the shared window is used up, this instance refuses the key in memory until the window
 *   ends (a flood of refused requests costs no writes);
 * - `batched` limits (the general per-user/IP limit) reserve `reserveSize(max)` points of the
 *   shared window per round trip and spend them in memory, so a busy user costs one write per
 *   ~12 requests instead of one per request. Safe direction: a point is spent only after it was
 *   reserved in the shared window, so all instances together never let more than `max` through;
 *   points an instance reserved and did not use are lost for the window (at most
 *   instances × (reserve − 1), i.e. the budget can end up to that much early, never later).
 * Limits that guard guessable secrets (login, the gate's short code) stay exact: one round trip
 * per attempt, shared by every instance.
 */
export function rateLimit(opts: {
  max: number;
  durationMs: number;
  key: (ctx: ParameterizedContext<AuthState>) => string | false;
  /** reserve several points per round trip (see above); default false: exact */
  batched?: boolean;
}): Middleware<AuthState> {
  const chunk = reserveSize(opts.max, opts.batched === true);
  // built on first use: the store needs the connected database (and follows it if the app reconnects)
  let bound: { db: mongoose.mongo.Db; shards: Map<string, RateLimiterMongo> } | undefined;
  const limiterFor = async (db: mongoose.mongo.Db, key: string): Promise<RateLimiterMongo> => {
    if (bound?.db !== db) {
      if (bound) windows.clear(); // reconnected to another database: nothing is reserved there
      bound = { db, shards: new Map() };
    }
    const { shards } = bound;
    await ensureRateLimitIndexes(db);
    const tableName = rateLimitCollectionOf(key);
    let limiter = shards.get(tableName);
    if (!limiter) {
      limiter = new RateLimiterMongo({
        storeClient: db,
        tableName,
        keyPrefix: 'rl',
        points: opts.max,
        duration: opts.durationMs / 1000,
        disableIndexesCreation: true, // ensureRateLimitIndexes built them
      });
      shards.set(tableName, limiter);
    }
    return limiter;
  };
  const windows = new Map<string, LocalWindow>();

  /** One round trip: take `n` points of the shared window; how many of them fit under the limit. */
  async function reserve(key: string, n: number): Promise<{ granted: number; msBeforeNext: number }> {
    const db = mongoose.connection.db;
    if (!db) throw new AppError('INTERNAL', 'rate limit store: the database is not connected');
    let res: RateLimiterRes;
    try {
      res = await (await limiterFor(db, key)).consume(key, n);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection; // the store failed: not a limit
      res = rejection;
    }
    // consumedPoints counts this call's n too: what was there before it, and what of n still fits
    const before = res.consumedPoints - n;
    return { granted: Math.max(0, Math.min(n, opts.max - before)), msBeforeNext: res.msBeforeNext };
  }

  function windowOf(key: string, now: number): LocalWindow | undefined {
    const w = windows.get(key);
    if (w && w.resetAt <= now) {
      windows.delete(key);
      return undefined;
    }
    return w;
  }

  function remember(key: string, w: LocalWindow, now: number) {
    // Oldest first (a Map keeps insertion order, and windows of one limiter end in about that
    // order): stop at the first that still runs. A full sweep here cost every new key a walk over
    // all of them while none had ended (30,000 runners in one minute's window).
    if (windows.size >= EVICT_AT)
      for (const [k, v] of windows) {
        if (v.resetAt > now) break;
        windows.delete(k);
      }
    windows.set(key, w);
  }

  /** true when admitted; otherwise ms until the window ends */
  async function admit(key: string): Promise<true | number> {
    for (;;) {
      const now = Date.now();
      let w = windowOf(key, now);
      if (w && w.left > 0) {
        w.left--;
        return true;
      }
      if (w?.exhausted) return w.resetAt - now;
      if (chunk === 1) {
        // exact: every attempt asks the shared window (concurrent attempts in parallel)
        const { granted, msBeforeNext } = await reserve(key, 1);
        if (granted === 1) return true;
        remember(key, { left: 0, resetAt: Date.now() + msBeforeNext, exhausted: true }, now);
        return msBeforeNext;
      }
      if (w?.reserving) {
        await w.reserving;
        continue;
      }
      if (!w) {
        w = { left: 0, resetAt: now + opts.durationMs, exhausted: false };
        remember(key, w, now);
      }
      const mine = w;
      mine.reserving = reserve(key, chunk)
        .then(({ granted, msBeforeNext }) => {
          mine.left += granted;
          mine.resetAt = Date.now() + msBeforeNext;
          if (granted < chunk) mine.exhausted = true;
        })
        .finally(() => {
          mine.reserving = undefined;
        });
      await mine.reserving;
    }
  }

  return async (ctx, next) => {
    const key = opts.key(ctx);
    if (key === false) return next();
    const admitted = await admit(key);
    if (admitted !== true) {
      ctx.set('Retry-After', String(Math.max(1, Math.ceil(admitted / 1000))));
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
