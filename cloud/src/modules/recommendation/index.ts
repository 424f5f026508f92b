import type { ModuleDescriptor } from '../../platform/module';
import type { IdentityService } from '../identity';
import type { DatacentreService } from '../datacentre';
import { createRecommendationService, type RecommendationService } from './recommendation.service';
import { recommendationRoutes } from './recommendation.routes';

export { createRecommendationService, type RecommendationService } from './recommendation.service';
export { rankCandidates, mergeProfiles } from './rank';

/**
 * 为你推荐 (issue 15, part 4). Candidate sources are pluggable: each module's descriptor may carry
 * `recommendations` (platform/recommend.ts: a `profile` from its own records and named `sources`);
 * app.ts registers them here. Today: booking (venues with free slots, sports booked), fitness (weak
 * items, age), guidance (sessions), event (open events). Courses: add `recommendations` to the
 * course module's descriptor with a `course` source — nothing else changes.
 */
export const recommendationModule: ModuleDescriptor<RecommendationService> = {
  name: 'recommendation',
  create: ({ kernel, use, find }) =>
    createRecommendationService({
      clock: kernel.clock,
      logger: kernel.logger,
      basisOf: (userId) => use<IdentityService>('identity').recommendationBasis(userId),
      venueBookings: async (ids, fromDay) => find<DatacentreService>('datacentre')?.rollups.venueBookings(ids, fromDay) ?? new Map(),
    }),
  routes: (service) => [recommendationRoutes(service)],
};
