import type { ModuleDescriptor } from '../../platform/module';
import type { GrantLookup } from '../../platform/auth';
import { createFieldCipher } from '../../platform/crypto-field';
import type { TicketService, TicketSourceHandlers } from '../ticket';
import { createFitnessService, FITNESS_TICKET_SOURCE, type FitnessService } from './fitness.service';
import { fitnessRoutes } from './fitness.routes';
import { fitnessRecommendations } from './fitness.recommend';

export { createFitnessService, FITNESS_SLOT, FITNESS_TICKET_SOURCE, FITNESS_TAKING_STALE_MS, type FitnessService } from './fitness.service';

interface IdentityLookups {
  grantsOf: GrantLookup;
}

/** Physical-fitness tests (体质测试): stations, slots on the capacity kernel, the `fitness_test` ticket source, reports. */
export const fitnessModule: ModuleDescriptor<FitnessService, never, TicketSourceHandlers> = {
  name: 'fitness',
  create: ({ kernel, config, use }) =>
    createFitnessService({
      kernel,
      cipher: createFieldCipher(config.DATA_KEY),
      secret: `${config.DATA_KEY}:fitness`,
      tickets: use<TicketService>('ticket'),
    }),
  // reads of others' personal data and exports, audited naming the reader (platform/audit personalDataAudit)
  personalData: {
    'GET /fitness-tests/stations/:stationId/entries': { what: "a station's test entries (persons and their results)" },
  },
  routes: (fitness, { use }) => [fitnessRoutes(fitness, { grantsOf: (id) => use<IdentityLookups>('identity').grantsOf(id) })],
  roleScopes: (fitness) => ({ fitness_staff: (id) => fitness.stationExists(id) }),
  jobs: (fitness) => [{ name: 'fitness-heal', everyMs: 30_000, run: () => fitness.heal() }],
  ticketSources: (fitness) => ({ [FITNESS_TICKET_SOURCE]: { onAdmitted: (bookingId) => fitness.markCheckedIn(bookingId) } }),
  // 为你推荐: the latest report's weak items (and age when the account has no real-name ID)
  recommendations: () => fitnessRecommendations(),
};
