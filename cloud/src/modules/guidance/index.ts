import type { ModuleDescriptor } from '../../platform/module';
import type { GrantLookup } from '../../platform/auth';
import { createFieldCipher } from '../../platform/crypto-field';
import type { TicketService, TicketSourceHandlers } from '../ticket';
import { createGuidanceService, type IdentityForGuidance } from './guidance.service';
import { createGuidancePhotos } from './guidance.photos';
import { createActivity } from './guidance.activity';
import { createRequests } from './guidance.requests';
import { guidanceRoutes, type GuidanceParts } from './guidance.routes';
import { guidanceRecommendations } from './guidance.recommend';
import { createGuidanceReviewFacts } from './guidance.reviews';

export { createGuidanceService, SESSION_CAPACITY, type GuidanceService } from './guidance.service';
export type { GuidanceParts } from './guidance.routes';

interface IdentityLookups extends IdentityForGuidance {
  grantsOf: GrantLookup;
}

/**
 * Fitness guidance (健身指导): instructors, sessions (capacity kind `guidance_session`), the
 * `guidance` ticket source, check-in/log, ratings, activity evaluation, organisations' requests.
 */
export const guidanceModule: ModuleDescriptor<GuidanceParts, never, TicketSourceHandlers> = {
  name: 'guidance',
  create: ({ kernel, config, pseudonym, use }) => {
    const identity = use<IdentityLookups>('identity');
    const photos = createGuidancePhotos(kernel.clock);
    const guidance = createGuidanceService({
      kernel,
      pseudonym,
      cipher: createFieldCipher(config.DATA_KEY),
      tickets: use<TicketService>('ticket'),
      identity: {
        changeRole: (actor, change, action) => identity.changeRole(actor, change, action),
        displayNames: (ids) => identity.displayNames(ids),
      },
      photos,
    });
    return { guidance, photos, activity: createActivity(kernel.clock), requests: createRequests(kernel, guidance) };
  },
  // reads of others' personal data and exports, audited naming the reader (platform/audit personalDataAudit)
  personalData: {
    'GET /admin/guidance/requests': { what: 'guidance requests (requesting organisations and their contacts)' },
    'GET /admin/instructors': { what: 'instructor applications (names, certificates)' },
    'GET /admin/instructors/activity': { what: 'instructor activity per instructor (xlsx export)' },
    'GET /instructor/requests': { what: 'open guidance requests (contacts)' },
  },
  routes: (parts, { use }) => [guidanceRoutes(parts, { grantsOf: (id) => use<IdentityLookups>('identity').grantsOf(id) })],
  jobs: ({ guidance, requests }) => [
    { name: 'guidance-not-delivered', everyMs: 10 * 60_000, run: () => guidance.markNotDelivered() },
    { name: 'guidance-heal', everyMs: 30_000, run: async () => ({ ...(await guidance.healSignups()), requests: await requests.heal() }) },
  ],
  ticketSources: ({ guidance }) => ({ guidance: { onAdmitted: (sourceId) => guidance.onAdmitted(sourceId) } }),
  // 为你推荐: sessions for the citizen's weak fitness items and age
  recommendations: () => guidanceRecommendations(),
  // issue 15: an attended session lets the citizen review its instructor (guidance.reviews.ts says why)
  reviewSources: () => ({ guidance_session: createGuidanceReviewFacts().attendedSession }),
  reviewTargets: () => ({ instructor: createGuidanceReviewFacts().instructorTarget }),
};
