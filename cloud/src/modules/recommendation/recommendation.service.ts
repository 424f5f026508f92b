import {
  RECOMMENDATION_LIMIT,
  businessDay,
  type RecommendationQuery,
  type RecommendationsResponse,
  RECOMMENDATION_KINDS,
} from '@citysport/shared';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type {
  RecommendationCandidate,
  RecommendationContext,
  RecommendationPlugin,
  RecommendationRegistry,
  RecommendationSource,
} from '../../platform/recommend';
import { mergeProfiles, rankCandidates } from './rank';

export interface RecommendationDeps {
  clock: Clock;
  logger: Logger;
  /** identity: the citizen's 个性化推荐 switch and their age from the real-name ID it holds */
  basisOf(userId: string): Promise<{ personalisation: boolean; age: number | null }>;
  /** data centre: confirmed bookings per venue since a day (rollup) */
  venueBookings(venueIds: string[], fromDay: string): Promise<Map<string, number>>;
}

const KINDS = new Set<string>(RECOMMENDATION_KINDS);

/**
 * 为你推荐 (issue 15): merges what the modules know of the citizen (their own records), asks every
 * registered source for candidates, ranks and mixes them. Sources come from module descriptors'
 * `recommendations` (app.ts registers them); one failing source leaves the others' items.
 */
export function createRecommendationService(deps: RecommendationDeps): RecommendationRegistry & {
  recommend(userId: string, q: RecommendationQuery): Promise<RecommendationsResponse>;
  sourceNames(): string[];
} {
  const profiles: { module: string; profile: NonNullable<RecommendationPlugin['profile']> }[] = [];
  const sources: { name: string; source: RecommendationSource }[] = [];

  function register(moduleName: string, plugin: RecommendationPlugin) {
    if (plugin.profile) profiles.push({ module: moduleName, profile: plugin.profile.bind(plugin) });
    for (const [name, source] of Object.entries(plugin.sources ?? {})) {
      if (sources.some((s) => s.name === name)) throw new Error(`recommendation source ${name} registered twice`);
      sources.push({ name, source });
    }
  }

  async function recommend(userId: string, q: RecommendationQuery): Promise<RecommendationsResponse> {
    const now = deps.clock.now();
    const basis = await deps.basisOf(userId);
    let citizen: RecommendationContext['citizen'] = null;
    if (basis.personalisation) {
      const parts = await Promise.all(profiles.map((p) => p.profile(userId, now)));
      citizen = {
        userId,
        profile: mergeProfiles(parts, basis.age),
        origin: q.lat !== undefined && q.lng !== undefined ? { lat: q.lat, lng: q.lng } : null,
      };
    }
    const fromDay = businessDay(new Date(now.getTime() - 30 * 86_400_000));
    const ctx: RecommendationContext = { now, citizen, venuePopularity: (ids) => deps.venueBookings(ids, fromDay) };
    const lists = await Promise.all(
      sources.map(({ name, source }) =>
        source(ctx).catch((err: unknown) => {
          deps.logger.warn({ err, source: name }, 'recommendation source failed');
          return [] as RecommendationCandidate[];
        }),
      ),
    );
    const items = rankCandidates(
      lists.flat().filter((c) => KINDS.has(c.kind)),
      RECOMMENDATION_LIMIT,
    ).map(({ score: _score, ...item }) => item as RecommendationsResponse['items'][number]);
    return { items, personalised: citizen !== null };
  }

  return { register, recommend, sourceNames: () => sources.map((s) => s.name) };
}
export type RecommendationService = ReturnType<typeof createRecommendationService>;
