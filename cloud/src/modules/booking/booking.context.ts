import type { Kernel } from '../../platform/kernel';
import type { Logger } from '../../platform/logger';
import type { Pseudonymizer } from '../../platform/pseudonym';
import type { VenueService } from '../venue';
import type { PaymentPort } from '../payment';
import type { AdmissionSource, TicketSource } from '../ticket';

export interface BookingDeps {
  kernel: Kernel;
  venues: VenueService;
  payments: PaymentPort;
  pseudonym: Pseudonymizer;
  logger: Logger;
  /** masked display names for the manager's desk (from identity) */
  holderNames: (userIds: string[]) => Promise<Map<string, string>>;
  /** a subscribe message to the user, when they agreed to one (from notification) */
  notify: (userId: string, templateId: string, data: Record<string, string>) => Promise<void>;
  /** tickets: issued when a booking is confirmed, revoked when it ends unused (from the ticket module) */
  tickets: {
    issue: (a: AdmissionSource) => Promise<void>;
    /** of these bookings, those whose tickets are all issued (one read; the effects sweeper's check) */
    issuedFor: (kind: 'booking', sources: { id: string; seats: number }[]) => Promise<Set<string>>;
    revokeFor: (source: TicketSource) => Promise<void>;
    /** part of a booking cancelled: its tickets' times follow (issue 10) */
    retime: (source: TicketSource, startAt: Date, endAt: Date) => Promise<void>;
  };
}

/** Steps a booking transition can owe (kernel.effects); see booking.effects.ts for what each does. */
export type BookingStep =
  | 'capacity'
  | 'limits'
  | 'tickets.issue'
  | 'tickets.revoke'
  | 'order.close'
  | 'refund'
  | 'event.booked'
  | 'event.confirmed'
  | 'event.cancelled'
  | 'event.expired'
  | 'event.used'
  | 'event.no_show'
  | 'ban'
  | 'notify.venue_cancelled'
  // part of a booking cancelled (booking.partial-cancel.ts)
  | 'partial.capacity'
  | 'partial.refund'
  | 'partial.tickets';

export const EFFECTS_OWNER = 'booking';
export const MAX_BATCH = 500;
