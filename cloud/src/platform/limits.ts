import mongoose, { Schema } from 'mongoose';
import { inShanghai, shanghaiTime } from '@citysport/shared';
import type { CrashPoint } from './crash';

/**
 * Per-user limit counters (ARCHITECTURE.md, "The kernel"). One counter document per scope, user
 * and period (`booking:<venue>:<user>:week:2026-11-23`) holds several counted fields (the week's
 * total, each day's, each sport's); a take increments all of them with ONE guarded upsert whose
 * filter requires every field below its maximum. When any limit is reached the filter does not
 * match, the upsert collides with the existing `_id` (E11000), and nothing is counted.
 *
 * Like capacity, take and give-back are exactly-once per holder: the counter keeps a bounded
 * list `applied` of `<holder>:take` / `<holder>:give` tokens.
 */
export interface LimitCounterDoc {
  _id: string;
  applied: string[];
  [field: string]: unknown;
}

export const LimitCounter = mongoose.model<LimitCounterDoc>(
  'LimitCounter',
  new Schema<LimitCounterDoc>({ _id: String, applied: [String] }, { collection: 'limit_counters', versionKey: false, strict: false }),
);

export type LimitPeriod = 'day' | 'week' | 'month' | 'event' | 'season' | 'all';

export interface LimitCheck {
  /** counted field, e.g. `total`, `days.2026-11-24`, `sports.badminton` */
  field: string;
  max: number;
  /** shown to users when the limit is reached, e.g. `per week` */
  label: string;
}

export interface LimitSpec {
  /** the counter document's id: see `counterId` */
  counter: string;
  checks: LimitCheck[];
}

export type LimitTake = { ok: true; key: string } | { ok: false; over: { max: number; per: string }[] };

export interface Limits {
  /** `<scope>:<subject…>:<period>:<periodKey>` */
  counterId(scope: string, subject: string[], period: LimitPeriod, periodKey: string): string;
  /** the key a holder stores to give the counts back (counter and fields) */
  keyOf(spec: LimitSpec): string;
  take(spec: LimitSpec, opts: { holder: string }): Promise<LimitTake>;
  /** gives back one count of every field in `key`, exactly once per holder; false when nothing was held */
  giveBack(key: string, opts: { holder: string }): Promise<boolean>;
}

/** Monday of the ISO week containing a business day, as 'YYYY-MM-DD'. */
export function weekOf(day: string): string {
  const d = inShanghai(shanghaiTime(day));
  const offset = (d.day() + 6) % 7;
  return d.subtract(offset, 'day').format('YYYY-MM-DD');
}

const KEEP = 500;
const SEP = '|';

export function createLimits(_opts: { crashPoint: CrashPoint }): Limits {
  const coll = () => LimitCounter.collection;
  const push = (token: string) => ({ $push: { applied: { $each: [token], $slice: -KEEP } } });

  function keyOf(spec: LimitSpec) {
    return [spec.counter, ...spec.checks.map((c) => c.field)].join(SEP);
  }

  async function take(spec: LimitSpec, { holder }: { holder: string }): Promise<LimitTake> {
    const t = `${holder}:take`;
    const g = `${holder}:give`;
    const filter: Record<string, unknown> = { _id: spec.counter, applied: { $nin: [t, g] } };
    for (const c of spec.checks) filter[c.field] = { $not: { $gte: c.max } };
    const inc = Object.fromEntries(spec.checks.map((c) => [c.field, 1]));
    try {
      await coll().updateOne(filter as never, { $inc: inc, ...push(t) } as never, { upsert: true });
      return { ok: true, key: keyOf(spec) };
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    const doc = ((await coll().findOne({ _id: spec.counter as never })) ?? { applied: [] }) as Record<string, unknown>;
    const applied = (doc.applied as string[] | undefined) ?? [];
    if (applied.includes(t) && !applied.includes(g)) return { ok: true, key: keyOf(spec) }; // a retry of a take that counted
    const valueOf = (field: string) =>
      field.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc) as number | undefined;
    return { ok: false, over: spec.checks.filter((c) => (valueOf(c.field) ?? 0) >= c.max).map((c) => ({ max: c.max, per: c.label })) };
  }

  async function giveBack(key: string, { holder }: { holder: string }): Promise<boolean> {
    const [counter, ...fields] = key.split(SEP);
    const t = `${holder}:take`;
    const g = `${holder}:give`;
    const dec = Object.fromEntries(fields.map((f) => [f, -1]));
    for (let attempt = 0; attempt < 5; attempt++) {
      const back = await coll().updateOne({ _id: counter as never, $and: [{ applied: t }, { applied: { $ne: g } }] }, {
        $inc: dec,
        ...push(g),
      } as never);
      if (back.modifiedCount === 1) return true;
      // never counted: a tombstone, so a take still on its way for this holder is refused
      try {
        const tomb = await coll().updateOne({ _id: counter as never, applied: { $nin: [t, g] } }, push(g) as never, { upsert: true });
        if (tomb.modifiedCount === 1 || tomb.upsertedCount === 1) return false;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
      const settled = await coll().countDocuments({ _id: counter as never, applied: g });
      const exists = await coll().countDocuments({ _id: counter as never });
      if (settled === 1 || exists === 0) return false;
    }
    return false;
  }

  return {
    counterId: (scope, subject, period, periodKey) => [scope, ...subject, period, periodKey].join(':'),
    keyOf,
    take,
    giveBack,
  };
}
