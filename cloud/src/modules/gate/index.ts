import type { ModuleDescriptor } from '../../platform/module';
import type { GrantLookup } from '../../platform/auth';
import type { TicketService } from '../ticket';
import type { VenueService } from '../venue';
import { createGateService, type GateService } from './gate.service';
import { gateRoutes } from './gate.routes';

export { createGateService, type GateService, OCCUPANCY, GATE_OFFLINE_ALERT_MS } from './gate.service';

interface IdentityLookups {
  grantsOf: GrantLookup;
}
interface Notifications {
  notify: (userId: string, templateId: string, data: Record<string, string>) => Promise<void>;
}

/** Unattended gates (无人检票) on the ticket module; walk-up sales (自助售票) on payment's `walkup` order kind. */
export const gateModule: ModuleDescriptor<GateService> = {
  name: 'gate',
  create: ({ kernel, pseudonym, use }) =>
    createGateService({
      kernel,
      tickets: use<TicketService>('ticket'),
      pseudonym,
      notify: (userId, templateId, data) => use<Notifications>('notification').notify(userId, templateId, data),
      venueExists: (venueId) => use<VenueService>('venue').venueExists(venueId),
    }),
  routes: (gate, { use, kernel }) => [
    gateRoutes(gate, { grantsOf: (id) => use<IdentityLookups>('identity').grantsOf(id), clock: kernel.clock }),
  ],
  jobs: (gate) => [
    { name: 'gate-alerts', everyMs: 60_000, run: () => gate.alerts() },
    { name: 'gate-nonce-sweep', everyMs: 5 * 60_000, run: () => gate.sweepNonces() },
  ],
};
