import type { RecommendationCandidate, RecommendationProfile } from '../../platform/recommend';

/** each further item of a kind already picked counts this much less: the list mixes kinds */
export const SAME_KIND_DECAY = 0.7;
/** no kind takes more than this many places while other kinds still have candidates */
export const PER_KIND_CAP = 4;

/**
 * Ranks candidates into at most `limit` items: greedy, each step the highest
 * `score × 0.7^(items of its kind already picked)`, a kind capped at 4 while others have
 * candidates left; ties by kind then id (deterministic: one input, one list). Pure.
 */
export function rankCandidates(candidates: RecommendationCandidate[], limit: number): RecommendationCandidate[] {
  const pool = candidates
    .filter((c) => c.reason.trim().length > 0)
    .sort((a, b) => b.score - a.score || a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
  const seen = new Set<string>();
  const picked: RecommendationCandidate[] = [];
  const perKind = new Map<string, number>();
  while (picked.length < limit && pool.length) {
    let best = -1;
    let bestValue = -Infinity;
    const open = pool.some((c) => (perKind.get(c.kind) ?? 0) < PER_KIND_CAP);
    for (let i = 0; i < pool.length; i++) {
      const n = perKind.get(pool[i].kind) ?? 0;
      if (open && n >= PER_KIND_CAP) continue;
      const value = pool[i].score * SAME_KIND_DECAY ** n;
      if (value > bestValue) {
        best = i;
        bestValue = value;
      }
    }
    const [c] = pool.splice(best, 1);
    const key = `${c.kind}:${c.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    picked.push(c);
    perKind.set(c.kind, (perKind.get(c.kind) ?? 0) + 1);
  }
  return picked;
}

export const EMPTY_PROFILE: RecommendationProfile = { sports: [], district: null, age: null, weakItems: [] };

/** Merges the modules' partial profiles in list order: sports added up, weak items joined, the first district and age win. */
export function mergeProfiles(parts: Partial<RecommendationProfile>[], age: number | null): RecommendationProfile {
  const sports = new Map<string, number>();
  const out: RecommendationProfile = { ...EMPTY_PROFILE, age, sports: [], weakItems: [] };
  for (const p of parts) {
    for (const s of p.sports ?? []) sports.set(s.sport, (sports.get(s.sport) ?? 0) + s.count);
    out.weakItems.push(...(p.weakItems ?? []));
    out.district ??= p.district ?? null;
    out.age ??= p.age ?? null;
  }
  out.sports = [...sports.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([sport, count]) => ({ sport, count }));
  return out;
}
