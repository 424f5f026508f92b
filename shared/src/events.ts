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
  'order.paid': { subject: string; orderId: string; kind: string; amountFen: number; payableFen: number };
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
  // gates and walk-up sales (issue 16): one person through a gate; `visit` is a pseudonym of the ticket
  'gate.passed': {
    visit: string;
    venueId: string;
    deviceId: string;
    direction: 'in' | 'out';
    offline: boolean;
    /** an offline entry on a ticket another gate had admitted already */
    duplicate: boolean;
  };
}

export type OutboxEventType = keyof OutboxEventMap;
