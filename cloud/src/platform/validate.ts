import type { z } from 'zod';
import { AppError, zodDetails } from './errors';

/** Parses HTTP input with a shared schema; failures become 400 VALIDATION_FAILED naming the fields. */
export function parse<S extends z.ZodTypeAny>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError('VALIDATION_FAILED', 'request is not valid', zodDetails(result.error));
  return result.data;
}

/** A user's text as a literal inside a `$regex` (no `.*`, anchors or groups of theirs): search boxes. */
export const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
