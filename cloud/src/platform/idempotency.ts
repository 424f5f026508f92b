import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { AppError } from './errors';
import type { Clock } from './clock';
import { isInjectedCrash } from './crash';

/**
 * Idempotency (ARCHITECTURE.md, "The kernel"): `claimOnce(scope, userId, key, requestHash, run)`
 * runs `run` once per (scope, user, key) and answers every retry with the first result.
 *
 * - The claim is a document `_id: <scope>:<userId>:<key>` inserted before the work (a unique
 *   `_id`, so two concurrent attempts cannot both run).
 * - A retry with a different request (another hash) → IDEMPOTENCY_KEY_REUSED.
 * - A concurrent duplicate waits for the first attempt's result, or gets CONFLICT.
 * - A failed attempt lets go of the key (the client may retry the same request).
 * - A claim left by a crashed process carries a lease (`until`); once it has passed, the next
 *   attempt takes the claim over with a guarded update, so a crash never blocks a key forever.
 */
export interface IdempotencyDoc {
  _id: string;
  requestHash: string;
  state: 'running' | 'done';
  owner: string;
  until: Date;
  result: unknown;
  createdAt: Date;
}

export const IdempotencyClaim = mongoose.model<IdempotencyDoc>(
  'IdempotencyClaim',
  new Schema<IdempotencyDoc>(
    { _id: String, requestHash: String, state: String, owner: String, until: Date, result: Schema.Types.Mixed, createdAt: Date },
    { collection: 'idempotency_claims', versionKey: false, minimize: false },
  ),
);

export interface ClaimOptions {
  /** how long a running claim blocks the key before another attempt may take it over (default 60 s) */
  leaseMs?: number;
}

export type ClaimOnce = <R>(
  scope: string,
  userId: string,
  key: string,
  requestHash: string,
  run: () => Promise<R>,
  opts?: ClaimOptions,
) => Promise<{ result: R; replayed: boolean }>;

const WAIT_STEP_MS = 50;
const WAIT_STEPS = 100;

export function createIdempotency(clock: Clock): {
  claimOnce: ClaimOnce;
  seen: (scope: string, userId: string, key: string) => Promise<boolean>;
} {
  const coll = () => IdempotencyClaim.collection;

  const claimOnce: ClaimOnce = async (scope, userId, key, requestHash, run, opts = {}) => {
    const id = `${scope}:${userId}:${key}`;
    const leaseMs = opts.leaseMs ?? 60_000;
    const owner = randomUUID();
    for (let step = 0; step < WAIT_STEPS; step++) {
      const now = clock.now();
      const mine = {
        requestHash,
        state: 'running' as const,
        owner,
        until: new Date(now.getTime() + leaseMs),
        result: null,
        createdAt: now,
      };
      let claimed = false;
      try {
        await coll().insertOne({ _id: id as never, ...mine });
        claimed = true;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
      if (!claimed) {
        const existing = (await coll().findOne({ _id: id as never })) as IdempotencyDoc | null;
        if (!existing) continue; // let go meanwhile: try again
        if (existing.requestHash !== requestHash)
          throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
        if (existing.state === 'done') return { result: existing.result as never, replayed: true };
        if (existing.until <= now) {
          // left by a crash: take it over, once
          const took = await coll().updateOne({ _id: id as never, state: 'running', owner: existing.owner }, { $set: mine });
          claimed = took.modifiedCount === 1;
        }
        if (!claimed) {
          await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
          continue;
        }
      }
      let result: Awaited<ReturnType<typeof run>>;
      try {
        result = await run();
      } catch (err) {
        if (!isInjectedCrash(err)) await coll().deleteOne({ _id: id as never, owner });
        throw err;
      }
      await coll().updateOne({ _id: id as never, owner }, { $set: { state: 'done', result: result as unknown } });
      return { result, replayed: false };
    }
    throw new AppError('CONFLICT', 'the same request is still being processed');
  };

  return {
    claimOnce,
    /** a cheap check before expensive validation: has this key been used at all? */
    seen: async (scope, userId, key) => (await coll().countDocuments({ _id: `${scope}:${userId}:${key}` as never })) === 1,
  };
}
