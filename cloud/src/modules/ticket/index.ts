import type { ModuleDescriptor, ModuleDeps } from '../../platform/module';
import { createTicketSigner } from '../../platform/ticket-signer';
import { createTicketService, type TicketService } from './ticket.service';
import { ticketRoutes } from './ticket.routes';

export { createTicketService, sourceOf, type TicketService, type AdmissionSource, type TicketSourceHandlers } from './ticket.service';
export type { TicketSource } from './ticket.model';
export { ticketRoutes } from './ticket.routes';

interface IdentityLookups {
  displayNames: (userIds: string[]) => Promise<Map<string, string>>;
  grantsOf: Parameters<typeof ticketRoutes>[1]['grantsOf'];
}

/** Tickets and gate verification; sources (bookings, …) register `onAdmitted` through their descriptors. */
export const ticketModule: ModuleDescriptor<TicketService> = {
  name: 'ticket',
  create: ({ kernel, config, pseudonym, use }: ModuleDeps) =>
    createTicketService({
      kernel,
      clock: kernel.clock,
      signer: createTicketSigner(config.TICKET_KEY_SEEDS),
      pseudonym,
      displayNames: (ids) => use<IdentityLookups>('identity').displayNames(ids),
      shortCodeSecret: `short-code:${config.TICKET_KEY_SEEDS[0]}`,
    }),
  // reads of others' personal data and exports, audited naming the reader (platform/audit personalDataAudit)
  personalData: {
    'GET /verifications/today': { what: "tickets verified today at the staff member's venues (holders)" },
    'GET /verifications/offline-pack': { what: 'the offline verification pack (ticket holders)' },
    // not POST /verifications: every scan is recorded in `verifications` (staff, ticket, venue, time),
    // which is the audit of who saw the holder; a second entry would cost each admission 3 round trips
  },
  routes: (tickets, { use }) => [ticketRoutes(tickets, { grantsOf: (id) => use<IdentityLookups>('identity').grantsOf(id) })],
  jobs: (tickets) => [{ name: 'ticket-admissions', everyMs: 60_000, run: () => tickets.finishAdmissions() }],
};
