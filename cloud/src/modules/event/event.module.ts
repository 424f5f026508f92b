import type { ModuleDescriptor } from '../../platform/module';
import type { GrantLookup } from '../../platform/auth';
import { createFieldCipher } from '../../platform/crypto-field';
import type { OrderKindHandlers, PaymentPort } from '../payment';
import type { TicketService, TicketSourceHandlers } from '../ticket';
import type { NotificationService } from '../notification';
import { keyedHasher } from './event.context';
import { createEventService, type EventService } from './event.service';
import { eventRoutes, organiserRoutes } from './event.routes';
import { eventRecommendations } from './event.recommend';
import { createEventReviewFacts } from './event.reviews';

interface IdentityLookups {
  grantsOf: GrantLookup;
  displayNames: (ids: string[]) => Promise<Map<string, string>>;
}

/**
 * Event registration (赛事报名): sells the `event` order kind, is the `registration` ticket
 * source; jobs open/close windows, expire unpaid holds/wins/offers, heal crashes.
 */
export const eventModule: ModuleDescriptor<EventService, OrderKindHandlers, TicketSourceHandlers> = {
  name: 'event',
  create: ({ kernel, config, pseudonym, use }) =>
    createEventService({
      kernel,
      payments: use<{ port: PaymentPort }>('payment').port,
      tickets: use<TicketService>('ticket'),
      pseudonym,
      cipher: createFieldCipher(config.DATA_KEY),
      keyedHash: keyedHasher(config.DATA_KEY),
      openEventTtlMs: config.EVENT_OPEN_CACHE_MS,
      notify: (userId, templateId, data) => use<NotificationService>('notification').notify(userId, templateId, data),
    }),
  // reads of others' personal data and exports, audited naming the reader (platform/audit personalDataAudit)
  personalData: {
    'GET /organiser/events/:eventId/registrations': { what: "an event's registrations (participants, ID numbers masked; xlsx export)" },
  },
  routes: (events, { use }) => [
    eventRoutes(events),
    organiserRoutes(events, { grantsOf: (id) => use<IdentityLookups>('identity').grantsOf(id) }),
  ],
  jobs: (events) => [
    { name: 'event-windows', everyMs: 15_000, run: () => events.runWindows() },
    { name: 'event-expire-unpaid', everyMs: 15_000, run: () => events.registrations.expireUnpaid() },
    // rolls back stale `taking` entries; finishes effects a crash left and the orders/tickets a draw owes
    // subscribe messages: draw results, pay-by reminders, start reminders — each once per registration
    { name: 'event-messages', everyMs: 60_000, run: () => events.sendReminders() },
    { name: 'event-heal', everyMs: 15_000, run: () => events.registrations.heal() },
  ],
  orderKinds: (events) => ({
    event: {
      onPaid: ({ refId, orderId }) => events.registrations.confirmPaid(refId, orderId),
      onRefundRequested: async (e) => void (await events.registrations.cancel(e.ownerId, e.refId, e.reason, { byAdmin: e.byAdmin })),
      onClosed: ({ refId, orderId }) => events.registrations.onOrderClosed(refId, orderId),
    },
  }),
  ticketSources: (events) => ({ registration: { onAdmitted: (registrationId) => events.registrations.markCheckedIn(registrationId) } }),
  // 为你推荐: open events in the citizen's district or sport
  recommendations: () => eventRecommendations(),
  // issue 15: an entry admitted at the gate lets its holder review the event; the organiser replies
  reviewSources: (_events, { use }) => ({
    registration: createEventReviewFacts({ displayNames: (ids) => use<IdentityLookups>('identity').displayNames(ids) })
      .attendedRegistration,
  }),
  reviewTargets: (_events, { use }) => ({
    event: createEventReviewFacts({ displayNames: (ids) => use<IdentityLookups>('identity').displayNames(ids) }).eventTarget,
  }),
};
