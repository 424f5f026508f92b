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

/** An entry as the data centre sees it: the account's pseudonym, ids, age band and gender from the ID, the fee. */
interface EventRegistrationFacts {
  subject: string;
  registrationId: string;
  eventId: string;
  groupId: string;
  sport: string;
  district: string;
  mode: 'first_come' | 'lottery';
  ageBand: string;
  gender: 'M' | 'F';
  feeFen: number;
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
  // ---- Event registration (赛事报名, issue 11): pseudonyms and ids only, never a participant's name, ID number or phone ----
  'event.registered': EventRegistrationFacts & { status: string };
  'event.registration_confirmed': EventRegistrationFacts;
  'event.registration_cancelled': EventRegistrationFacts & { refundFen: number };
  'event.registration_lapsed': EventRegistrationFacts;
  'event.drawn': { eventId: string; sport: string; district: string; entries: number; winners: number };
  'event.checked_in': EventRegistrationFacts;
  /** 名额转让: the facts are the new participant's (age band, gender) */
  'event.registration_transferred': EventRegistrationFacts;
  // --- fitness guidance (健身指导): the instructor and citizens appear as pseudonyms only ---
  'guidance.session_delivered': {
    instructor: string;
    sessionId: string;
    sport: string;
    district: string;
    startAt: string;
    durationMinutes: number;
    attended: number;
  };
  'guidance.attended': { subject: string; sessionId: string; sport: string; district: string; startAt: string };
  // fitness tests (体质测试): age band, sex, district and scores only — no names, IDs or birth dates
  'fitness.report_issued': {
    reportId: string;
    standard: string;
    ageGroup: string;
    sex: 'M' | 'F';
    district: string;
    testMonth: string;
    items: { item: string; score: number | null }[];
    total: number;
    grade: string | null;
    revision: number;
  };
  // clubs (issue 14): users as pseudonyms only
  'club.approved': { clubId: string; district: string; sport: string; founder: string };
  'club.status_changed': { clubId: string; status: 'suspended' | 'dissolved' | 'approved' };
  'club.member_joined': { subject: string; clubId: string; sport: string; district: string };
  'club.member_left': { subject: string; clubId: string; by: 'self' | 'club' | 'dissolved' };
  'club.activity_signed_up': { subject: string; clubId: string; activityId: string; amountFen: number };
  'club.activity_attended': { subject: string; clubId: string; activityId: string };
  'club.dues_paid': { subject: string; clubId: string; duesId: string; amountFen: number; paidUntil: string };
  // reviews (issue 15): no reviewer, no text — the rating of a provider's target only
  'review.published': {
    reviewId: string;
    targetKind: 'venue' | 'course' | 'event' | 'club' | 'instructor';
    targetId: string;
    sourceKind: string;
    stars: number;
    complaint: boolean;
  };
  // training courses (issue 15): users as pseudonyms only, no participant names or ID numbers
  'course.published': { courseId: string; sport: string; district: string; lessons: number; capacity: number; priceFen: number };
  'course.enrolled': {
    subject: string;
    courseId: string;
    enrolmentId: string;
    sport: string;
    district: string;
    ageBand: string;
    amountFen: number;
  };
  'course.lesson_attended': { subject: string; courseId: string; enrolmentId: string; lesson: number };
  'course.enrolment_cancelled': {
    subject: string;
    courseId: string;
    enrolmentId: string;
    lessonsHeld: number;
    refundFen: number;
    by: 'self' | 'provider' | 'admin';
  };
  'course.cancelled': { courseId: string; enrolments: number };
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
