import mongoose, { Types, type Model } from 'mongoose';
import { AppError } from './errors';

export interface PageRequest {
  cursor?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A list read in another order than newest first, e.g. a calendar by `startAt` ascending. */
export interface PageOrder {
  field: string;
  direction: 1 | -1;
}

/**
 * The one cursor pager (API.md: `?cursor=&limit=` → `{items, nextCursor}`): newest first by
 * `_id` unless an order is given (then by that field, ties by `_id`), the cursor is the last
 * item's id either way. A cursor that is not an id (or, with an order, no longer names a row)
 * is a 400, never a 500.
 */
export async function cursorPage<D extends { _id: Types.ObjectId }, T>(
  model: Model<any>,
  filter: Record<string, unknown>,
  page: PageRequest,
  toItem: (doc: D) => T,
  order?: PageOrder,
): Promise<Page<T>> {
  if (page.cursor !== undefined && !Types.ObjectId.isValid(page.cursor))
    throw new AppError('VALIDATION_FAILED', 'bad cursor', [{ path: 'cursor', message: 'invalid' }]);
  const field = order?.field ?? '_id';
  const direction = order?.direction ?? -1;
  const op = direction === 1 ? '$gt' : '$lt';
  let q: Record<string, unknown> = { ...filter };
  if (page.cursor) {
    const cursorId = new Types.ObjectId(page.cursor);
    if (!order) q._id = mongoose.trusted({ [op]: cursorId });
    else {
      const last = (await model.findOne({ _id: cursorId }).select(field).lean()) as Record<string, unknown> | null;
      if (!last) throw new AppError('VALIDATION_FAILED', 'bad cursor', [{ path: 'cursor', message: 'unknown' }]);
      // keyset on (field, _id): strictly after the last row, ties broken by its id
      const after = {
        $or: [{ [field]: mongoose.trusted({ [op]: last[field] }) }, { [field]: last[field], _id: mongoose.trusted({ [op]: cursorId }) }],
      };
      q = { $and: [q, after] };
    }
  }
  const rows = (await model
    .find(q)
    .sort(order ? { [field]: direction, _id: direction } : { _id: -1 })
    .limit(page.limit + 1)
    .lean()) as unknown as D[];
  const shown = rows.slice(0, page.limit);
  return { items: shown.map(toItem), nextCursor: rows.length > page.limit ? String(shown[shown.length - 1]._id) : null };
}
