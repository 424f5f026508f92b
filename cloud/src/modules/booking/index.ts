import type { ModuleDescriptor } from '../../platform/module';
import type { GrantLookup } from '../../platform/auth';
import type { VenueService } from '../venue';
import type { OrderKindHandlers, PaymentPort } from '../payment';
import type { TicketService, TicketSourceHandlers } from '../ticket';
import { createBookingService, type BookingService } from './booking.service';
import { bookingRoutes, manageRoutes } from './booking.routes';
import { bookingRecommendations } from './booking.recommend';
import { createBookingReviewFacts } from './booking.reviews';

export { createBookingService, type BookingService, type BookingDeps } from './booking.service';
export { bookingRoutes, manageRoutes } from './booking.routes';
export { TAKING_STALE_MS } from './booking.sweepers';

interface IdentityLookups {
  displayNames: (userIds: string[]) => Promise<Map<string, string>>;
  grantsOf: GrantLookup;
  scopesOf: (userId: string, roles: ['venue_manager']) => Promise<string[] | 'all'>;
}
interface Notifications {
  notify: (userId: string, templateId: string, data: Record<string, string>) => Promise<void>;
}

/** Venue bookings: sells the `booking` order kind and is the `booking` ticket source. */
/** the booking service plus what it tells the review module */
type BookingParts = BookingService & {
  reviewFacts: ReturnType<typeof createBookingReviewFacts>;
  citizenCredit: () => ReturnType<ReturnType<typeof createBookingReviewFacts>['citizenCredit']>;
};

export const bookingModule: ModuleDescriptor<BookingParts, OrderKindHandlers, TicketSourceHandlers> = {
  name: 'booking',
  create: ({ kernel, pseudonym, use }) => {
    const service = createBookingService({
      kernel,
      venues: use<VenueService>('venue'),
      payments: use<{ port: PaymentPort }>('payment').port,
      pseudonym,
      logger: kernel.logger,
      holderNames: (ids) => use<IdentityLookups>('identity').displayNames(ids),
      notify: (userId, templateId, data) => use<Notifications>('notification').notify(userId, templateId, data),
      tickets: use<TicketService>('ticket'),
    });
    const reviewFacts = createBookingReviewFacts({
      venues: use<VenueService>('venue'),
      clock: kernel.clock,
      grantsOf: () => use<IdentityLookups>('identity').grantsOf,
    });
    return { ...service, reviewFacts, citizenCredit: reviewFacts.citizenCredit };
  },
  // reads of others' personal data and exports, audited naming the reader (platform/audit personalDataAudit)
  personalData: {
    'GET /manage/venues/:venueId/bookings': { what: "a venue's bookings of the day (who booked)" },
    'GET /manage/venues/:venueId/bans': { what: 'citizens banned at a venue (no-shows)' },
  },
  routes: (bookings, { use }) => [
    bookingRoutes(bookings),
    manageRoutes(bookings, use<VenueService>('venue'), {
      grantsOf: (id) => use<IdentityLookups>('identity').grantsOf(id),
      scopesOf: (id) => use<IdentityLookups>('identity').scopesOf(id, ['venue_manager']),
    }),
  ],
  jobs: (bookings) => [
    { name: 'expire-holds', everyMs: 15_000, run: () => bookings.expireHolds() },
    { name: 'mark-no-shows', everyMs: 60_000, run: () => bookings.markNoShows() },
    { name: 'booking-reminders', everyMs: 60_000, run: () => bookings.sendReminders() },
    // rolls back stale `taking` bookings and finishes effects a crash left (kernel.effects)
    { name: 'booking-heal', everyMs: 30_000, run: () => bookings.healCrashed() },
    // issue 10: places that came back go to the 候补 line; 放号提醒 at the release minute
    { name: 'waitlist-offers', everyMs: 15_000, run: () => bookings.waitlist.runOffers() },
    { name: 'release-reminders', everyMs: 30_000, run: () => bookings.releaseReminders.sendDue() },
  ],
  orderKinds: (bookings) => ({
    booking: {
      onPaid: ({ refId, paidFen }) => bookings.confirmPaid(refId, paidFen),
      // a whole-order refund goes through the booking: tickets revoked, places back, then the refund (admins may pass the window)
      onRefundRequested: async (e) => void (await bookings.cancel(e.ownerId, e.refId, e.reason, { overrideWindow: e.byAdmin })),
      onClosed: async ({ refId }) => void (await bookings.releaseHold(refId)),
    },
  }),
  ticketSources: (bookings) => ({ booking: { onAdmitted: (bookingId) => bookings.markUsed(bookingId) } }),
  // 为你推荐: the sports and district the citizen books; venues with free slots soon
  recommendations: (_bookings, { use }) => bookingRecommendations(use<VenueService>('venue')),
  // issue 15: a used booking lets its holder review the venue; the venue's managers reply
  reviewSources: (bookings) => ({ booking: bookings.reviewFacts.usedBooking }),
  reviewTargets: (bookings) => ({ venue: bookings.reviewFacts.venueTarget }),
};
