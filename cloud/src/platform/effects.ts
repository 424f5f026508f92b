import mongoose from 'mongoose';
import type { Clock } from './clock';
import type { Logger } from './logger';
import { isInjectedCrash, type CrashPoint } from './crash';
import type { Transition } from './transition';

/**
 * Crash-safe side effects (ARCHITECTURE.md, "The kernel"). A state transition that must be
 * followed by other writes (give capacity back, revoke tickets, start a refund) records what is
 * still owed in the SAME guarded update: `pending: ['capacity', 'limits', 'tickets', …]` and
 * `pendingSince`. The code then does each step and pulls it from `pending`; a sweeper finishes
 * whatever a crash left, by running the same steps. Every step must be idempotent (exactly-once
 * capacity and limit give-backs, guarded transitions, unique ids), because a step may run again
 * after a crash that came between doing it and pulling it.
 */
export type EffectStep<D> = (doc: D, run: StepRun) => Promise<void>;

export interface StepRun {
  /**
   * This is the step's first attempt: it runs on the document its own transition just returned, in
   * the same process, so it cannot have been done before. A sweeper's run (or any run on a
   * document read again) is not first: the step may have been done before a crash.
   */
  firstRun: boolean;
}

export interface EffectOwner<D> {
  collection: string;
  /** step name → what it does; run in the order they were recorded */
  steps: Record<string, EffectStep<D>>;
  /** how old an unfinished `pending` must be before the sweeper takes it over (default 60 s) */
  staleMs?: number;
}

export interface Effects {
  define<D extends { _id: unknown }>(owner: string, spec: EffectOwner<D>): void;
  /**
   * The guarded transition and the record of what it owes, in one update. Returns the document
   * after it (with `pending`), or null when the filter no longer matched.
   */
  transition<D extends { _id: unknown }>(
    owner: string,
    filter: Record<string, unknown>,
    set: Record<string, unknown>,
    pending: string[],
  ): Promise<D | null>;
  /** Does each pending step and clears it. A failing step stays pending for the sweeper; returns the steps left. */
  finish<D extends { _id: unknown; pending?: string[] }>(owner: string, doc: D): Promise<string[]>;
  /** The sweeper: finishes every stale `pending` of this owner. Returns how many documents were healed. */
  sweep(owner: string): Promise<{ healed: number; failed: number }>;
  owners(): string[];
}

const SWEEP_BATCH = 200;

export function createEffects(opts: { clock: Clock; logger: Logger; transition: Transition; crashPoint: CrashPoint }): Effects {
  const owners = new Map<string, EffectOwner<any>>();
  // the documents transitions returned whose steps have not been attempted yet (see StepRun)
  const unattempted = new WeakSet<object>();

  function ownerOf(owner: string) {
    const o = owners.get(owner);
    if (!o) throw new Error(`effects owner ${owner} is not defined`);
    return o;
  }

  async function finish<D extends { _id: unknown; pending?: string[] }>(owner: string, doc: D): Promise<string[]> {
    const o = ownerOf(owner);
    const coll = mongoose.connection.collection(o.collection);
    const left: string[] = [];
    const done: string[] = [];
    const firstRun = unattempted.delete(doc);
    for (const step of doc.pending ?? []) {
      const run = o.steps[step];
      if (!run) {
        left.push(step);
        continue;
      }
      try {
        opts.crashPoint(`effects:${owner}:${step}:before`);
        await run(doc, { firstRun });
        opts.crashPoint(`effects:${owner}:${step}:done`);
        done.push(step);
      } catch (err) {
        if (isInjectedCrash(err)) throw err;
        opts.logger.warn({ err, owner, step, id: String(doc._id) }, 'effect step failed; the sweeper retries it');
        left.push(step);
      }
    }
    // one write clears what was done (steps are idempotent: a crash before it only means they run again)
    if (done.length) await coll.updateOne({ _id: doc._id as never }, { $pull: { pending: { $in: done } } } as never);
    return left;
  }

  return {
    define(owner, spec) {
      owners.set(owner, spec);
    },
    async transition<D extends { _id: unknown }>(
      owner: string,
      filter: Record<string, unknown>,
      set: Record<string, unknown>,
      pending: string[],
    ) {
      const o = ownerOf(owner);
      const update: Record<string, unknown> = { $set: { ...set, ...(pending.length ? { pendingSince: opts.clock.now() } : {}) } };
      if (pending.length) update.$addToSet = { pending: { $each: pending } };
      const won = await opts.transition<D>(o.collection, filter, update);
      if (won && pending.length) unattempted.add(won);
      return won;
    },
    finish,
    async sweep(owner) {
      const o = ownerOf(owner);
      const cutoff = new Date(opts.clock.now().getTime() - (o.staleMs ?? 60_000));
      const due = await mongoose.connection
        .collection(o.collection)
        .find({ 'pending.0': { $exists: true }, pendingSince: { $lte: cutoff } })
        .limit(SWEEP_BATCH)
        .toArray();
      let healed = 0;
      let failed = 0;
      for (const doc of due) {
        // one stuck document never stops the batch
        const left = await finish(owner, doc as { _id: unknown; pending?: string[] });
        if (left.length === 0) healed++;
        else failed++;
      }
      return { healed, failed };
    },
    owners: () => [...owners.keys()],
  };
}
