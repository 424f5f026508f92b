import type { ModuleDescriptor } from '../../platform/module';
import type { GrantLookup } from '../../platform/auth';
import { createFieldCipher } from '../../platform/crypto-field';
import type { OrderKindHandlers, PaymentPort } from '../payment';
import type { TicketService, TicketSourceHandlers } from '../ticket';
import type { IdentityService } from '../identity';
import type { NotificationService } from '../notification';
import type { BookingService } from '../booking';
import type { VenueService } from '../venue';
import { createClubService, type ClubService } from './club.service';
import { clubRoutes } from './club.routes';
import { createClubReviewFacts } from './club.reviews';

export { createClubService, type ClubService } from './club.service';

/**
 * Clubs (体育社团, issue 14): sells `club_activity` and `club_dues`, is the `club_activity` ticket
 * source, grants the scoped `club_admin` role through identity, tells members through notification,
 * books courts for activities through booking's service.
 */
export const clubModule: ModuleDescriptor<ClubService, OrderKindHandlers, TicketSourceHandlers> = {
  name: 'club',
  create: ({ kernel, config, pseudonym, use }) =>
    createClubService({
      kernel,
      payments: use<{ port: PaymentPort }>('payment').port,
      tickets: use<TicketService>('ticket'),
      bookings: use<BookingService>('booking'),
      slotsForBooking: (ids) => use<VenueService>('venue').slotsForBooking(ids),
      pseudonym,
      cipher: createFieldCipher(config.DATA_KEY),
      notify: (userId, templateId, data) => use<NotificationService>('notification').notify(userId, templateId, data),
      displayNames: (ids) => use<IdentityService>('identity').displayNames(ids),
      grantsOf: ((id: string) => use<IdentityService>('identity').grantsOf(id)) as GrantLookup,
      changeRole: (actor, change, action) => use<IdentityService>('identity').changeRole(actor, change, action),
    }),
  // reads of others' personal data and exports, audited naming the reader (platform/audit personalDataAudit)
  personalData: {
    'GET /clubs/:clubId/members': { what: "a club's member list" },
    'GET /clubs/:clubId/dues/ledger': { what: "a club's dues ledger (who paid)" },
    'GET /clubs/:clubId/dues/ledger.xlsx': { what: "a club's dues ledger (xlsx export)" },
    'GET /admin/clubs': { what: 'club applications (founders)' },
  },
  routes: (clubs, { use }) => [
    clubRoutes(clubs, { grantsOf: (id) => use<IdentityService>('identity').grantsOf(id), tickets: use<TicketService>('ticket') }),
  ],
  roleScopes: (clubs) => ({ club_admin: (id) => clubs.clubExists(id) }),
  jobs: (clubs) => [
    { name: 'club-dues-reminders', everyMs: 60 * 60_000, run: () => clubs.dues.sendReminders() },
    // rolls back stale joining members and taking sign-ups; finishes effects a crash left
    { name: 'club-heal', everyMs: 30_000, run: () => clubs.heal() },
  ],
  orderKinds: (clubs) => ({
    club_activity: {
      onPaid: ({ refId }) => clubs.activities.onPaid(refId),
      onRefundRequested: (e) => clubs.activities.onRefundRequested(e),
      onClosed: ({ refId }) => clubs.activities.onClosed(refId),
    },
    club_dues: {
      onPaid: ({ refId }) => clubs.dues.onPaid(refId),
      onRefundRequested: (e) => clubs.dues.onRefundRequested(e),
      onClosed: ({ refId }) => clubs.dues.onClosed(refId),
    },
  }),
  ticketSources: (clubs) => ({ club_activity: { onAdmitted: (signupId) => clubs.activities.onAdmitted(signupId) } }),
  // issue 15: an attended activity lets the member review the club; the club's admins reply
  reviewSources: (_clubs, { use }) => ({
    club_activity: createClubReviewFacts({ grantsOf: () => use<IdentityService>('identity').grantsOf as GrantLookup }).attendedActivity,
  }),
  reviewTargets: (_clubs, { use }) => ({
    club: createClubReviewFacts({ grantsOf: () => use<IdentityService>('identity').grantsOf as GrantLookup }).clubTarget,
  }),
};
