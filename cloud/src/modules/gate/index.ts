import type { ModuleDescriptor } from '../../platform/module';
import type { GrantLookup } from '../../platform/auth';
import type { OrderKindHandlers, PaymentPort } from '../payment';
import type { TicketService, TicketSourceHandlers } from '../ticket';
import type { VenueService } from '../venue';
import { AppError } from '../../platform/errors';
import { createGateService, type GateService } from './gate.service';
import { createWalkupService, type WalkupService } from './walkup.service';
import { gateRoutes, walkupRoutes } from './gate.routes';

export { createGateService, type GateService, OCCUPANCY, OCCUPANCY_KEEP_TOKENS, GATE_OFFLINE_ALERT_MS } from './gate.service';
export { createWalkupService, type WalkupService, WALKUP_DAY, WALKUP_HOLD_MS, WALKUP_KEEP_TOKENS } from './walkup.service';

interface IdentityLookups {
  grantsOf: GrantLookup;
}
interface Notifications {
  notify: (userId: string, templateId: string, data: Record<string, string>) => Promise<void>;
}
export interface GateParts {
  gate: GateService;
  walkup: WalkupService;
}

/**
 * Unattended gates (无人检票) on the ticket module, and walk-up sales (自助售票): payment's `walkup`
 * order kind and the `walkup` ticket source.
 */
export const gateModule: ModuleDescriptor<GateParts, OrderKindHandlers, TicketSourceHandlers> = {
  name: 'gate',
  create: ({ kernel, pseudonym, use }) => {
    const tickets = use<TicketService>('ticket');
    const venues = use<VenueService>('venue');
    return {
      gate: createGateService({
        kernel,
        tickets,
        pseudonym,
        notify: (userId, templateId, data) => use<Notifications>('notification').notify(userId, templateId, data),
        venueExists: (venueId) => venues.venueExists(venueId),
      }),
      walkup: createWalkupService({
        kernel,
        tickets,
        payments: () => use<{ port: PaymentPort }>('payment').port,
        venueName: async (venueId) => (await venues.venueNames([venueId])).get(venueId) ?? null,
      }),
    };
  },
  routes: ({ gate, walkup }, { use, kernel }) => {
    const grantsOf: GrantLookup = (id) => use<IdentityLookups>('identity').grantsOf(id);
    return [gateRoutes(gate, { grantsOf, clock: kernel.clock }), walkupRoutes(walkup, { grantsOf })];
  },
  jobs: ({ gate, walkup }) => [
    { name: 'gate-alerts', everyMs: 60_000, run: () => gate.alerts() },
    { name: 'gate-heal', everyMs: 60_000, run: () => gate.heal() },
    { name: 'gate-nonce-sweep', everyMs: 5 * 60_000, run: () => gate.sweepNonces() },
    { name: 'walkup-expire', everyMs: 15_000, run: () => walkup.sweep() },
  ],
  orderKinds: ({ walkup }) => ({
    walkup: {
      onPaid: ({ refId }) => walkup.onPaid(refId),
      // a ticket for now: bought and used at the door, refunded only by the venue outside this flow
      onRefundRequested: async () => {
        throw new AppError('REFUND_NOT_ALLOWED', 'walk-up tickets are not refunded online');
      },
      onClosed: ({ refId }) => walkup.release(refId),
    },
  }),
  ticketSources: ({ walkup }) => ({ walkup: { onAdmitted: (purchaseId) => walkup.onAdmitted(purchaseId) } }),
};
