import mongoose from 'mongoose';

/** Control runs only: the pause between the check and the write (long enough to overlap callers on a busy machine). */
export const UNGUARDED_PAUSE_MS = 100;

/**
 * A guarded transition (ARCHITECTURE.md, "Correctness rules"): one update whose filter names the
 * expected state, so only one caller wins and retries change nothing. Returns the document after
 * the change, or null when the filter no longer matched.
 *
 * With the control-run switch on (tests only), it reads, checks plain-valued filter fields, pauses
 * and writes by `_id` — the race the guard prevents. This and capacity are the only places where
 * that switch acts.
 */
export type Transition = <D = Record<string, unknown>>(
  collection: string,
  filter: Record<string, unknown>,
  update: Record<string, unknown>,
) => Promise<D | null>;

const isOperator = (v: unknown) =>
  v !== null && typeof v === 'object' && !(v instanceof Date) && Object.keys(v as object).some((k) => k.startsWith('$'));

export function createTransition(opts: { unguarded?: boolean }): Transition {
  return async <D>(collection: string, filter: Record<string, unknown>, update: Record<string, unknown>) => {
    const coll = mongoose.connection.collection(collection);
    if (opts.unguarded) {
      const doc = await coll.findOne({ _id: filter._id as never });
      if (!doc) return null;
      for (const [field, expected] of Object.entries(filter)) {
        if (field === '_id' || field.startsWith('$') || isOperator(expected)) continue;
        // as in a real filter, `field: null` also matches a field that is absent
        if (expected === null ? doc[field] != null : String(doc[field]) !== String(expected)) return null;
      }
      await new Promise((r) => setTimeout(r, UNGUARDED_PAUSE_MS)); // the work a real handler does between check and write
      return (await coll.findOneAndUpdate({ _id: doc._id }, update, { returnDocument: 'after' })) as D | null;
    }
    return (await coll.findOneAndUpdate(filter as never, update, { returnDocument: 'after' })) as D | null;
  };
}
