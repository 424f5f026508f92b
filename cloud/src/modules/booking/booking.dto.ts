import type { Booking as BookingDto, BookingStatus } from '@citysport/shared';
import type { Pseudonymizer } from '../../platform/pseudonym';
import type { BookingDoc } from './booking.model';

export const ACTIVE: BookingStatus[] = ['held', 'confirmed'];

export function toDto(b: BookingDoc): BookingDto {
  return {
    id: String(b._id),
    status: b.status as BookingStatus,
    venueId: String(b.venueId),
    venueName: b.venueName,
    resourceId: String(b.resourceId),
    resourceName: b.resourceName,
    sport: b.sport,
    day: b.day,
    slotIds: b.slotIds.map(String),
    startAt: b.startAt.toISOString(),
    endAt: b.endAt.toISOString(),
    quantity: b.quantity,
    companions: b.companions.map((c) => ({ name: c.name })),
    amountFen: b.amountFen,
    paidFen: b.paidFen ?? null,
    holdExpiresAt: b.holdExpiresAt ? b.holdExpiresAt.toISOString() : null,
    orderId: b.orderId,
    cancelDeadline: b.cancelDeadline.toISOString(),
    createdAt: b.createdAt.toISOString(),
    cancelledAt: b.cancelledAt ? b.cancelledAt.toISOString() : null,
    cancelReason: b.cancelReason,
  };
}

/** What the ticket module is told when a booking admits people. */
export function admissionOf(b: BookingDoc) {
  return {
    source: { kind: 'booking', id: String(b._id) },
    userId: String(b.userId),
    venueId: String(b.venueId),
    venueName: b.venueName,
    resourceName: b.resourceName,
    sport: b.sport,
    startAt: b.startAt,
    endAt: b.endAt,
    quantity: b.quantity,
    // seat 1 is the booker; the named companions take the next seats (同行人 tickets)
    entrants: ['', ...b.companions.map((c) => c.name)],
  };
}

/** The outbox facts of a booking (no personal data: the user as a pseudonym). */
export function factsOf(pseudonym: Pseudonymizer, b: BookingDoc) {
  return {
    subject: pseudonym(String(b.userId)),
    bookingId: String(b._id),
    venueId: String(b.venueId),
    resourceId: String(b.resourceId),
    sport: b.sport,
    day: b.day,
    startAt: b.startAt.toISOString(),
    quantity: b.quantity,
    amountFen: b.amountFen,
  };
}
