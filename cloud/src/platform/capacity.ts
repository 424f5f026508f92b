import mongoose from 'mongoose';
import type { CrashPoint } from './crash';
import { UNGUARDED_PAUSE_MS } from './transition';

/**
 * Capacity (ARCHITECTURE.md, "The kernel"): a counter `remaining` in one document, taken and
 * given back with single guarded updates. Every take and give-back is exactly-once per holder
 * (a booking id, a claim id): the document keeps a bounded list `applied` of the tokens it has
 * applied, `<holder>:take` and `<holder>:give`, and each update's filter refuses a token already
 * there. So a sweeper re-running a give-back after a crash cannot create phantom places, and a
 * late take that arrives after its holder was rolled back cannot take a place nobody will return.
 *
 * `applied` keeps the newest `keepTokens` tokens. A holder whose own record proves its take
 * landed (a booking or entry that became active) says so with `taken` on the FIRST attempt of its
 * give-back (effects' `firstRun`), and is given back even when its take token has slid out — a
 * cancellation weeks after a big opening. Every other give-back (a rollback of an attempt that may
 * have taken nothing; a sweeper's re-run, which may follow a give-back a crash did not record)
 * relies on the tokens: a slid-out take is not given back — a leaked place, never an oversell.
 */
export interface CapacityKind {
  /** the collection holding the counters (slots, voucher_batches, …) */
  collection: string;
  /** extra conditions a take must meet, e.g. `{status: 'open'}` */
  guard?: Record<string, unknown>;
  /** how many applied tokens a counter keeps (default 500) */
  keepTokens?: number;
}

export interface CapacityItem {
  kind: string;
  id: unknown;
  n: number;
}

export type TakeAllResult = { ok: true } | { ok: false; failed: CapacityItem };

export interface TakeOptions {
  holder: string;
  /**
   * The holder is new and has never taken anything (e.g. a booking id made by this request): a
   * refused take cannot be "a retry of a take that was applied", so the read that checks it is skipped.
   */
  fresh?: boolean;
}

export interface GiveBackOptions {
  holder: string;
  /**
   * The holder's own record shows its take landed AND this is the give-back's first attempt
   * (effects' `firstRun`): give back even if the take token slid out of `applied`. Never on a
   * re-run: its give token may have slid out too, and a second give-back would oversell.
   */
  taken?: boolean;
}

export interface Capacity {
  define(kind: string, opts: CapacityKind): void;
  /** takes n places for `holder`; true when taken (also when this holder's take was applied before) */
  take(kind: string, id: unknown, n: number, opts: TakeOptions): Promise<boolean>;
  /** gives the holder's n places back once; false when there was nothing to give (never taken, or given already) */
  giveBack(kind: string, id: unknown, n: number, opts: GiveBackOptions): Promise<boolean>;
  /** all-or-nothing in a fixed order (kind, then id); on failure gives back what this call took */
  takeAll(items: CapacityItem[], opts: TakeOptions): Promise<TakeAllResult>;
  /** the mirror of takeAll; safe to repeat (each give-back is exactly once) */
  giveBackAll(items: CapacityItem[], opts: GiveBackOptions): Promise<void>;
  /**
   * The sold-out fast path: true when this instance saw a take of n (or fewer) places refused on
   * this counter, or read it with fewer than n left, within the last `soldOutTtlMs`, and no
   * give-back of this instance has run on it since. Only a refusal may be answered from it (SOLD
   * OUT without a write); it is never trusted for success: the guarded take still decides. A
   * give-back on another instance is seen here at most `soldOutTtlMs` later.
   */
  knownFull(kind: string, id: unknown, n: number): boolean;
  /** a read showed fewer than n places left: remember it for the fast path */
  noteFull(kind: string, id: unknown, n: number): void;
  /** true while the control-run switch is on (tests only) */
  readonly unguarded: boolean;
}

/** How long a refused take is remembered per instance (issue 18: ≤ 1 s). */
export const SOLD_OUT_TTL_MS = 1_000;

const DEFAULT_KEEP = 500;
const takeToken = (holder: string) => `${holder}:take`;
const giveToken = (holder: string) => `${holder}:give`;

/** The fixed order every multi-counter take uses, so two callers never wait on each other crosswise. */
export function inFixedOrder<T extends { kind: string; id: unknown }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.kind === b.kind ? String(a.id).localeCompare(String(b.id)) : a.kind.localeCompare(b.kind)));
}

export function createCapacity(opts: { unguarded?: boolean; crashPoint: CrashPoint; soldOutTtlMs?: number }): Capacity {
  const kinds = new Map<string, Required<CapacityKind>>();
  const unguarded = opts.unguarded === true;
  // control runs show the race itself: no fast path there
  const soldOutTtlMs = unguarded ? 0 : (opts.soldOutTtlMs ?? SOLD_OUT_TTL_MS);

  // counter → the smallest n refused and until when (real time: a performance cache, not a business rule)
  const soldOut = new Map<string, { n: number; until: number }>();
  const cacheKey = (kind: string, id: unknown) => `${kind}:${String(id)}`;
  function noteFull(kind: string, id: unknown, n: number) {
    if (soldOutTtlMs <= 0) return;
    const now = Date.now();
    const k = cacheKey(kind, id);
    const had = soldOut.get(k);
    if (soldOut.size >= 10_000 && !had) for (const [key, v] of soldOut) if (v.until <= now) soldOut.delete(key);
    soldOut.set(k, { n: had && had.until > now ? Math.min(had.n, n) : n, until: now + soldOutTtlMs });
  }
  function knownFull(kind: string, id: unknown, n: number): boolean {
    const hit = soldOut.get(cacheKey(kind, id));
    if (!hit) return false;
    if (hit.until <= Date.now()) {
      soldOut.delete(cacheKey(kind, id));
      return false;
    }
    return n >= hit.n;
  }

  function kindOf(kind: string) {
    const k = kinds.get(kind);
    if (!k) throw new Error(`capacity kind ${kind} is not defined`);
    return { ...k, coll: mongoose.connection.collection(k.collection) };
  }

  /**
   * CONTROL RUNS ONLY: the race the guard prevents — read, check, pause, write the computed value.
   * This is the one place in the code base where an unguarded take exists.
   */
  async function unguardedTake(kind: string, id: unknown, n: number): Promise<boolean> {
    const { coll, guard } = kindOf(kind);
    const doc = await coll.findOne({ _id: id as never });
    if (!doc || doc.remaining < n) return false;
    if (Object.entries(guard).some(([field, value]) => doc[field] !== value)) return false;
    await new Promise((r) => setTimeout(r, UNGUARDED_PAUSE_MS)); // the work a real handler does between check and write
    await coll.updateOne({ _id: id as never }, { $set: { remaining: doc.remaining - n } });
    return true;
  }

  async function take(kind: string, id: unknown, n: number, { holder, fresh }: TakeOptions): Promise<boolean> {
    if (unguarded) return unguardedTake(kind, id, n);
    const { coll, guard, keepTokens } = kindOf(kind);
    const t = takeToken(holder);
    const res = await coll.updateOne({ _id: id as never, ...guard, remaining: { $gte: n }, applied: { $nin: [t, giveToken(holder)] } }, {
      $inc: { remaining: -n },
      $push: { applied: { $each: [t], $slice: -keepTokens } },
    } as never);
    if (res.modifiedCount === 1) return true;
    if (fresh) {
      noteFull(kind, id, n); // full (or not open): the next callers are answered without a write
      return false;
    }
    // a retry of a take that was applied (and not given back) is still taken
    const again = await coll.countDocuments({ _id: id as never, $and: [{ applied: t }, { applied: { $ne: giveToken(holder) } }] });
    return again === 1;
  }

  async function giveBack(kind: string, id: unknown, n: number, { holder, taken }: GiveBackOptions): Promise<boolean> {
    const { coll, keepTokens } = kindOf(kind);
    const t = takeToken(holder);
    const g = giveToken(holder);
    const push = { $push: { applied: { $each: [g], $slice: -keepTokens } } };
    if (taken) {
      const back = await coll.updateOne({ _id: id as never, applied: { $ne: g } }, { $inc: { remaining: n }, ...push } as never);
      if (back.modifiedCount === 1) soldOut.delete(cacheKey(kind, id));
      return back.modifiedCount === 1;
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      // the take is there and not yet given back: give it back, once
      const back = await coll.updateOne({ _id: id as never, $and: [{ applied: t }, { applied: { $ne: g } }] }, {
        $inc: { remaining: n },
        ...push,
      } as never);
      if (back.modifiedCount === 1) {
        soldOut.delete(cacheKey(kind, id)); // capacity came back: bookable again at once on this instance
        return true;
      }
      // never taken: leave a tombstone so a take still on its way for this holder is refused
      const tomb = await coll.updateOne({ _id: id as never, applied: { $nin: [t, g] } }, push as never);
      if (tomb.modifiedCount === 1) return false;
      // given back before, or the counter is gone: nothing to do; otherwise the take landed in between, so retry
      const settled = await coll.countDocuments({ _id: id as never, applied: g });
      const exists = await coll.countDocuments({ _id: id as never });
      if (settled === 1 || exists === 0) return false;
    }
    return false;
  }

  async function takeAll(items: CapacityItem[], o: TakeOptions): Promise<TakeAllResult> {
    const taken: CapacityItem[] = [];
    for (const item of inFixedOrder(items)) {
      if (!(await take(item.kind, item.id, item.n, o))) {
        // without the guards (control runs) a partial take is not given back: the leak the guard prevents
        if (!unguarded) for (const t of taken) await giveBack(t.kind, t.id, t.n, { holder: o.holder });
        return { ok: false, failed: item };
      }
      taken.push(item);
      opts.crashPoint('capacity.takeAll:between');
    }
    return { ok: true };
  }

  async function giveBackAll(items: CapacityItem[], o: GiveBackOptions): Promise<void> {
    for (const item of inFixedOrder(items)) await giveBack(item.kind, item.id, item.n, o);
  }

  return {
    define(kind, k) {
      kinds.set(kind, { guard: {}, keepTokens: DEFAULT_KEEP, ...k });
    },
    take,
    giveBack,
    takeAll,
    giveBackAll,
    knownFull,
    noteFull,
    unguarded,
  };
}
