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
  /**
   * Steps whose result the sweeper can check for a whole batch in one read (an outbox event by its
   * id, tickets by their source): step name → the ids (String(_id)) of the documents where it is
   * done. Such a step runs right after its own transition, but is not cleared there: it stays in
   * `pending` until the sweeper confirms it in bulk (and runs it where it is missing), which saves
   * the hot path its clean-up write. Only its own transition runs it; a later transition's finish
   * leaves it to the sweeper, as it may have been done already.
   */
  checks?: Record<string, (docs: D[]) => Promise<Set<string>>>;
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
  /**
   * Does each pending step and clears it. A failing step stays pending for the sweeper; returns the
   * steps not known to be done (a checked step that ran stays in `pending` but is not returned).
   */
  finish<D extends { _id: unknown; pending?: string[] }>(owner: string, doc: D): Promise<string[]>;
  /** The sweeper: finishes every stale `pending` of this owner. Returns how many documents were healed. */
  sweep(owner: string): Promise<{ healed: number; failed: number }>;
  owners(): string[];
}

const SWEEP_BATCH = 200;
/** a sweep takes at most this many batches, so a backlog of checked steps (one per booking in a rush) drains without holding the job */
const SWEEP_MAX_BATCHES = 10;

export function createEffects(opts: { clock: Clock; logger: Logger; transition: Transition; crashPoint: CrashPoint }): Effects {
  const owners = new Map<string, EffectOwner<any>>();
  // the documents transitions returned whose steps have not been attempted yet (see StepRun), with the steps that transition added
  const unattempted = new WeakMap<object, Set<string>>();

  function ownerOf(owner: string) {
    const o = owners.get(owner);
    if (!o) throw new Error(`effects owner ${owner} is not defined`);
    return o;
  }

  /**
   * Runs `doc`'s pending steps (not those in `confirmed`: known done) and says which are left and
   * which may be cleared; a checked step is cleared only by the sweeper (`sweeping`).
   */
  async function runSteps<D extends { _id: unknown; pending?: string[] }>(
    o: EffectOwner<any>,
    owner: string,
    doc: D,
    how: { sweeping: boolean; confirmed?: Set<string> },
  ): Promise<{ left: string[]; clear: string[] }> {
    const left: string[] = [];
    const clear: string[] = [...(how.confirmed ?? [])];
    const added = unattempted.get(doc);
    unattempted.delete(doc);
    const firstRun = added !== undefined;
    for (const step of doc.pending ?? []) {
      if (how.confirmed?.has(step)) continue;
      const run = o.steps[step];
      const checked = Boolean(o.checks?.[step]);
      // a checked step carried over from an earlier transition may be done: the sweeper checks it
      if (!run || (checked && !how.sweeping && !added?.has(step))) {
        left.push(step);
        continue;
      }
      try {
        opts.crashPoint(`effects:${owner}:${step}:before`);
        await run(doc, { firstRun });
        opts.crashPoint(`effects:${owner}:${step}:done`);
        if (!checked || how.sweeping) clear.push(step);
      } catch (err) {
        if (isInjectedCrash(err)) throw err;
        opts.logger.warn({ err, owner, step, id: String(doc._id) }, 'effect step failed; the sweeper retries it');
        left.push(step);
      }
    }
    return { left, clear };
  }

  const pull = (done: string[]) => ({ $pull: { pending: { $in: done } } });

  async function finish<D extends { _id: unknown; pending?: string[] }>(owner: string, doc: D): Promise<string[]> {
    const o = ownerOf(owner);
    const { left, clear } = await runSteps(o, owner, doc, { sweeping: false });
    // one write clears what was done (steps are idempotent: a crash before it only means they run again)
    if (clear.length) await mongoose.connection.collection(o.collection).updateOne({ _id: doc._id as never }, pull(clear) as never);
    return left;
  }

  /** Which documents of a batch have each checked step done: one read per checked step present. */
  async function confirmChecked(o: EffectOwner<any>, docs: { _id: unknown; pending?: string[] }[]): Promise<Map<unknown, Set<string>>> {
    const confirmed = new Map<unknown, Set<string>>();
    for (const [step, check] of Object.entries(o.checks ?? {})) {
      const owing = docs.filter((d) => d.pending?.includes(step));
      if (!owing.length) continue;
      const done = await check(owing);
      for (const d of owing) {
        if (!done.has(String(d._id))) continue;
        const set = confirmed.get(d._id) ?? new Set<string>();
        set.add(step);
        confirmed.set(d._id, set);
      }
    }
    return confirmed;
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
      if (won && pending.length) unattempted.set(won, new Set(pending));
      return won;
    },
    finish,
    async sweep(owner) {
      const o = ownerOf(owner);
      const coll = mongoose.connection.collection(o.collection);
      const cutoff = new Date(opts.clock.now().getTime() - (o.staleMs ?? 60_000));
      let healed = 0;
      let failed = 0;
      let after: unknown = null;
      for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
        const due = (await coll
          .find({ 'pending.0': { $exists: true }, pendingSince: { $lte: cutoff }, ...(after ? { _id: { $gt: after as never } } : {}) })
          .sort({ _id: 1 })
          .limit(SWEEP_BATCH)
          .toArray()) as { _id: unknown; pending?: string[]; pendingSince?: unknown }[];
        if (!due.length) break;
        after = due[due.length - 1]._id;
        const confirmed = await confirmChecked(o, due);
        const clears: { _id: unknown; since: unknown; clear: string[] }[] = [];
        for (const doc of due) {
          // one stuck document never stops the batch
          const { left, clear } = await runSteps(o, owner, doc, { sweeping: true, confirmed: confirmed.get(doc._id) });
          if (clear.length) clears.push({ _id: doc._id, since: doc.pendingSince, clear });
          if (left.length === 0) healed++;
          else failed++;
        }
        // one write for the batch (steps are idempotent: a crash before it only means they are checked again);
        // a transition since the read (pendingSince moved) may owe a step again for its new state (a
        // transfer's ticket): what this sweep did is then left for the next one, which checks it afresh
        if (clears.length)
          await coll.bulkWrite(
            clears.map((c) => ({
              updateOne: { filter: { _id: c._id as never, pendingSince: c.since as never }, update: pull(c.clear) as never },
            })),
            { ordered: false },
          );
        if (due.length < SWEEP_BATCH) break;
      }
      return { healed, failed };
    },
    owners: () => [...owners.keys()],
  };
}
