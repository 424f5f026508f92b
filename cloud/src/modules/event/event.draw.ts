import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * The published draw rule (shared DRAW_ALGORITHM). Pure: the service and the bench use it; the
 * public verifier (scripts/verify-draw.ts) re-implements it without importing this file.
 */
export function newSeed(): string {
  return randomBytes(32).toString('hex');
}

export const commitmentOf = (seed: string) => createHash('sha256').update(seed, 'utf8').digest('hex');

export const drawKey = (seed: string, entryRef: string) => createHmac('sha256', seed).update(entryRef, 'utf8').digest('hex');

/** code-unit order, the same in every language (no locale) */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function entriesDigestOf(entries: { entryRef: string; groupId: string }[]): string {
  const h = createHash('sha256');
  for (const e of [...entries].sort((a, b) => byCodeUnit(a.entryRef, b.entryRef))) h.update(`${e.entryRef} ${e.groupId}\n`, 'utf8');
  return h.digest('hex');
}

/** Per group: entries ranked by HMAC-SHA256(seed, entryRef) ascending. Returns refs in rank order. */
export function rankGroup(seed: string, entryRefs: string[]): string[] {
  return entryRefs
    .map((ref) => ({ ref, key: drawKey(seed, ref) }))
    .sort((a, b) => byCodeUnit(a.key, b.key) || byCodeUnit(a.ref, b.ref))
    .map((x) => x.ref);
}
