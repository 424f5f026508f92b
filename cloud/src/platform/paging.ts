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

/**
 * The one cursor pager (API.md: `?cursor=&limit=` → `{items, nextCursor}`): newest first by
 * `_id`, the cursor is the last item's id. A cursor that is not an id is a 400, never a 500.
 */
export async function cursorPage<D extends { _id: Types.ObjectId }, T>(
  model: Model<any>,
  filter: Record<string, unknown>,
  page: PageRequest,
  toItem: (doc: D) => T,
): Promise<Page<T>> {
  if (page.cursor !== undefined && !Types.ObjectId.isValid(page.cursor))
    throw new AppError('VALIDATION_FAILED', 'bad cursor', [{ path: 'cursor', message: 'invalid' }]);
  const q: Record<string, unknown> = { ...filter };
  if (page.cursor) q._id = mongoose.trusted({ $lt: new Types.ObjectId(page.cursor) });
  const rows = (await model
    .find(q)
    .sort({ _id: -1 })
    .limit(page.limit + 1)
    .lean()) as unknown as D[];
  const shown = rows.slice(0, page.limit);
  return { items: shown.map(toItem), nextCursor: rows.length > page.limit ? String(shown[shown.length - 1]._id) : null };
}
