/**
 * Business events stored in the outbox and fed, de-identified, to the city's sports data centre.
 * Payloads carry ids, amounts, places and times — never names, phone or ID numbers; a user
 * appears only as an HMAC pseudonym (`subject`).
 */
interface BookingFacts {
  subject: string;
  bookingId: string;
  venueId: string;
  resourceId: string;
  sport: string;
  day: string;
  startAt: string;
  quantity: number;
  amountFen: number;
}

export interface OutboxEventMap {
  'user.registered': { subject: string };
  'role.granted': { subject: string; role: string; scope: string | null };
  'role.revoked': { subject: string; role: string; scope: string | null };
  'booking.booked': BookingFacts & { status: 'held' | 'confirmed' };
  'booking.confirmed': BookingFacts;
  'booking.cancelled': BookingFacts & { by: 'user' | 'venue'; refundStarted: boolean };
  'booking.expired': BookingFacts;
  'booking.no_show': BookingFacts;
  'booking.used': BookingFacts;
  'order.paid': { subject: string; orderId: string; kind: string; refId?: string; amountFen: number; payableFen: number };
  'order.closed': { subject: string; orderId: string; kind: string; amountFen: number };
  'order.refunded': { subject: string; orderId: string; kind: string; refundFen: number };
  'ticket.admitted': {
    subject: string;
    ticketId: string;
    /** what the ticket admitted to (a booking, a registration, …) */
    source: { kind: string; id: string };
    venueId: string;
    startAt: string;
    offline: boolean;
  };
  'voucher.claimed': { subject: string; batchId: string; voucherId: string };
  'voucher.used': { subject: string; batchId: string; voucherId: string; orderId: string };
  // reference data for the data centre (issue 17): versioned snapshots on change and removal
  'ref.venue': RefSnapshot<{
    name: string;
    district: string;
    address: string;
    location: { lat: number; lng: number };
    sports: string[];
    freeOrLowFee: boolean;
    openHours: { open: string; close: string; note?: string };
  }>;
  'ref.resource': RefSnapshot<{ venueId: string; name: string; sport: string; kind: string; templates: number }>;
}

interface RefSnapshot<S> {
  refId: string;
  version: number;
  removed: boolean;
  snapshot: S;
}

export type OutboxEventType = keyof OutboxEventMap;
