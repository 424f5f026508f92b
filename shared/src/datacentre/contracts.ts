/**
 * The data-centre event contract (issue 17): one entry per outbox event type, with its schema
 * version, what it means, the field that names its aggregate (events of one aggregate arrive in
 * order) and an example. `docs/datacentre.md` is generated from this table
 * (`npm run docs:datacentre`); `emit` refuses a payload its entry does not accept or in which the
 * personal-data scan finds anything.
 *
 * ADDING AN EVENT TYPE: add it to `OutboxEventMap` (events.ts) and ONE entry to `EVENT_CONTRACTS`
 * below (the type checker insists on both). A breaking change of a payload bumps `schemaVersion`.
 */
import { z } from 'zod';
import type { OutboxEventMap, OutboxEventType } from '../events';
import { SportSchema } from '../schemas/venues';
import { EventSportSchema, REGISTRATION_MODES, REGISTRATION_STATUSES } from '../schemas/event-registration';
import { GuidanceSportSchema } from '../schemas/guidance';
import { ClubSportSchema } from '../schemas/clubs';
import { ADULT_AGE_GROUPS, FITNESS_GRADES, FITNESS_ITEMS, FITNESS_STANDARDS } from '../fitness/engine';
import { AGE_BANDS } from './personal-scan';

/** A user in the feed: HMAC-SHA256 pseudonym (base64url, 22 chars), prefixed `e<n>.` from key epoch 1 on. */
export const SubjectSchema = z
  .string()
  .regex(/^(e[1-9]\d{0,3}\.)?[A-Za-z0-9_-]{22}$/, 'not a pseudonym')
  .describe('the user as an HMAC pseudonym (keyed; `e<n>.` names the key epoch)');
const Id = z.string().regex(/^[0-9a-f]{24}$/, 'not an id');
const Iso = z.iso.datetime({ offset: true });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Fen = z.number().int().nonnegative();

export interface EventContract<P = unknown> {
  schemaVersion: number;
  /** what the event means, for the data centre's catalogue */
  about: string;
  /** the payload field naming the aggregate (per-aggregate order is kept) */
  aggregate: string;
  schema: z.ZodType<P>;
  /** paths whose Chinese text is public reference data (a venue's name, its address) */
  publicText?: readonly string[];
  example: P;
}

function contract<P>(c: EventContract<P>): EventContract<P> {
  return c;
}

const bookingShape = {
  subject: SubjectSchema,
  bookingId: Id.describe('booking id'),
  venueId: Id.describe('venue (place: the venue, its district from the venue snapshot)'),
  resourceId: Id.describe('court, lane or room'),
  sport: SportSchema.describe('sport'),
  day: Day.describe('business day of the slot (Asia/Shanghai)'),
  startAt: Iso.describe('slot start'),
  quantity: z.number().int().positive().describe('places booked'),
  amountFen: Fen.describe('price in fen before vouchers'),
};
const bookingExample = {
  subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
  bookingId: '6750a1b2c3d4e5f601234567',
  venueId: '6750a1b2c3d4e5f600000001',
  resourceId: '6750a1b2c3d4e5f600000011',
  sport: 'badminton' as const,
  day: '2026-12-05',
  startAt: '2026-12-05T10:00:00.000Z',
  quantity: 1,
  amountFen: 3000,
};
// typed loosely here; the contract test parses every example with its schema
const booking = <E extends z.ZodRawShape>(about: string, extra: E, example: z.infer<z.ZodObject<E>>): EventContract<any> =>
  contract<unknown>({
    schemaVersion: 1,
    about,
    aggregate: 'bookingId',
    schema: z.strictObject({ ...bookingShape, ...extra }),
    example: { ...bookingExample, ...example },
  });
const orderShape = {
  subject: SubjectSchema,
  orderId: Id.describe('order id'),
  kind: z.string().max(32).describe('what was sold (booking, …)'),
};
const refShape = <S extends z.ZodRawShape>(snapshot: S) => ({
  refId: Id.describe('the reference record'),
  version: z.number().int().positive().describe('snapshot version, +1 on every change'),
  removed: z.boolean().describe('true: the record was deleted (the snapshot is its last state)'),
  snapshot: z.strictObject(snapshot),
});

const District = z.string().max(64).describe('district (区县)');
const registrationShape = {
  subject: SubjectSchema,
  registrationId: Id.describe('registration (entry) id'),
  eventId: Id.describe('event id'),
  groupId: Id.describe('group (组别) id'),
  sport: EventSportSchema.describe('sport'),
  district: District,
  mode: z.enum(REGISTRATION_MODES).describe('first come or lottery'),
  ageBand: z.enum(AGE_BANDS).describe('age band on race day'),
  gender: z.enum(['M', 'F']).describe('gender (from the ID)'),
  feeFen: Fen.describe('entry fee in fen'),
};
const registrationExample = {
  subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
  registrationId: '6750a1b2c3d4e5f601240001',
  eventId: '6750a1b2c3d4e5f600007001',
  groupId: '6750a1b2c3d4e5f600007011',
  sport: 'running' as const,
  district: '渝中区',
  mode: 'lottery' as const,
  ageBand: '18-39' as const,
  gender: 'F' as const,
  feeFen: 10000,
};
const registration = <E extends z.ZodRawShape>(about: string, extra: E, example: z.infer<z.ZodObject<E>>): EventContract<any> =>
  contract<unknown>({
    schemaVersion: 1,
    about,
    aggregate: 'registrationId',
    schema: z.strictObject({ ...registrationShape, ...extra }),
    example: { ...registrationExample, ...example },
  });

export const EVENT_CONTRACTS: { [K in OutboxEventType]: EventContract<OutboxEventMap[K]> } = {
  'user.registered': contract({
    schemaVersion: 1,
    about: 'a citizen registered (first login)',
    aggregate: 'subject',
    schema: z.strictObject({ subject: SubjectSchema }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW' },
  }),
  'role.granted': contract({
    schemaVersion: 1,
    about: 'a role was granted (staff, manager, …)',
    aggregate: 'subject',
    schema: z.strictObject({
      subject: SubjectSchema,
      role: z.string().max(32),
      scope: z.string().max(64).nullable().describe('venue/club id'),
    }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', role: 'staff', scope: '6750a1b2c3d4e5f600000001' },
  }),
  'role.revoked': contract({
    schemaVersion: 1,
    about: 'a role was revoked',
    aggregate: 'subject',
    schema: z.strictObject({ subject: SubjectSchema, role: z.string().max(32), scope: z.string().max(64).nullable() }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', role: 'staff', scope: null },
  }),
  'booking.booked': booking(
    'a venue slot was booked (held until paid, or confirmed when free)',
    { status: z.enum(['held', 'confirmed']) },
    { status: 'held' },
  ),
  'booking.confirmed': booking('a booking was confirmed (paid, or free)', {}, {}),
  'booking.cancelled': booking(
    'a booking was cancelled by the citizen or the venue',
    { by: z.enum(['user', 'venue']), refundStarted: z.boolean() },
    { by: 'user', refundStarted: true },
  ),
  'booking.expired': booking('an unpaid hold expired', {}, {}),
  'booking.no_show': booking('the citizen did not come', {}, {}),
  'booking.used': booking('the citizen was admitted', {}, {}),
  'order.paid': contract({
    schemaVersion: 1,
    about: 'an order was paid; subsidy = amountFen − payableFen (vouchers)',
    aggregate: 'orderId',
    schema: z.strictObject({
      ...orderShape,
      refId: z.string().max(64).optional().describe('what the order pays for (a booking id, …)'),
      amountFen: Fen.describe('price before vouchers'),
      payableFen: Fen.describe('paid by the citizen'),
    }),
    example: {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      orderId: '6750a1b2c3d4e5f601230001',
      kind: 'booking',
      refId: '6750a1b2c3d4e5f601234567',
      amountFen: 3000,
      payableFen: 2000,
    },
  }),
  'order.closed': contract({
    schemaVersion: 1,
    about: 'an unpaid order was closed',
    aggregate: 'orderId',
    schema: z.strictObject({ ...orderShape, amountFen: Fen }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', orderId: '6750a1b2c3d4e5f601230001', kind: 'booking', amountFen: 3000 },
  }),
  'order.refunded': contract({
    schemaVersion: 1,
    about: 'money went back to the citizen',
    aggregate: 'orderId',
    schema: z.strictObject({ ...orderShape, refundFen: Fen }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', orderId: '6750a1b2c3d4e5f601230001', kind: 'booking', refundFen: 2000 },
  }),
  'ticket.admitted': contract({
    schemaVersion: 1,
    about: 'a ticket was admitted at a gate (online or offline scan)',
    aggregate: 'ticketId',
    schema: z.strictObject({
      subject: SubjectSchema,
      ticketId: Id,
      source: z.strictObject({ kind: z.string().max(32), id: z.string().max(64) }).describe('what the ticket admitted to'),
      venueId: Id,
      startAt: Iso,
      offline: z.boolean(),
    }),
    example: {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      ticketId: '6750a1b2c3d4e5f601239999',
      source: { kind: 'booking', id: '6750a1b2c3d4e5f601234567' },
      venueId: '6750a1b2c3d4e5f600000001',
      startAt: '2026-12-05T10:00:00.000Z',
      offline: false,
    },
  }),
  'voucher.claimed': contract({
    schemaVersion: 1,
    about: 'a consumption voucher was claimed',
    aggregate: 'voucherId',
    schema: z.strictObject({ subject: SubjectSchema, batchId: z.string().max(64), voucherId: z.string().max(64) }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', batchId: '6750a1b2c3d4e5f600005555', voucherId: '6750a1b2c3d4e5f600006666' },
  }),
  'voucher.used': contract({
    schemaVersion: 1,
    about: 'a voucher was used on a paid order',
    aggregate: 'voucherId',
    schema: z.strictObject({ subject: SubjectSchema, batchId: z.string().max(64), voucherId: z.string().max(64), orderId: Id }),
    example: {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      batchId: '6750a1b2c3d4e5f600005555',
      voucherId: '6750a1b2c3d4e5f600006666',
      orderId: '6750a1b2c3d4e5f601230001',
    },
  }),
  'event.registered': registration(
    'a citizen entered an event group (status: held until paid, confirmed, or entered in the lottery)',
    { status: z.enum(REGISTRATION_STATUSES) },
    { status: 'held' },
  ),
  'event.registration_confirmed': registration('an entry was confirmed (paid, free, or won in the lottery and paid)', {}, {}),
  'event.registration_cancelled': registration(
    'an entry was cancelled (by the citizen, the organiser or the event); refundFen went back',
    { refundFen: Fen.describe('refunded in fen') },
    { refundFen: 10000 },
  ),
  'event.registration_lapsed': registration('an entry lapsed (unpaid by the deadline, or lost the lottery)', {}, {}),
  'event.drawn': contract({
    schemaVersion: 1,
    about: "an event's lottery was drawn",
    aggregate: 'eventId',
    schema: z.strictObject({
      eventId: Id,
      sport: EventSportSchema,
      district: District,
      entries: z.number().int().nonnegative().describe('entries in the draw'),
      winners: z.number().int().nonnegative().describe('places drawn'),
    }),
    example: { eventId: '6750a1b2c3d4e5f600007001', sport: 'running', district: '渝中区', entries: 1200, winners: 800 },
  }),
  'event.checked_in': registration('a confirmed entrant was checked in (ticket admitted at pick-up or the start)', {}, {}),
  'event.registration_transferred': registration(
    "a confirmed entry passed to a new participant (名额转让, once per entry); age band and gender are the new participant's",
    {},
    {},
  ),
  'guidance.session_delivered': contract({
    schemaVersion: 1,
    about: 'an instructor logged a delivered guidance session (公益健身指导)',
    aggregate: 'sessionId',
    schema: z.strictObject({
      instructor: SubjectSchema.describe('the instructor as an HMAC pseudonym'),
      sessionId: Id,
      sport: GuidanceSportSchema,
      district: District,
      startAt: Iso,
      durationMinutes: z.number().int().nonnegative().describe('minutes delivered'),
      attended: z.number().int().nonnegative().describe('citizens who attended'),
    }),
    example: {
      instructor: 'SW5zdHJ1Y3RvclBzZXVkb2',
      sessionId: '6750a1b2c3d4e5f600008001',
      sport: 'taichi',
      district: '渝中区',
      startAt: '2026-12-05T01:00:00.000Z',
      durationMinutes: 60,
      attended: 18,
    },
  }),
  'guidance.attended': contract({
    schemaVersion: 1,
    about: 'a citizen attended a guidance session (ticket admitted)',
    aggregate: 'sessionId',
    schema: z.strictObject({ subject: SubjectSchema, sessionId: Id, sport: GuidanceSportSchema, district: District, startAt: Iso }),
    example: {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      sessionId: '6750a1b2c3d4e5f600008001',
      sport: 'taichi',
      district: '渝中区',
      startAt: '2026-12-05T01:00:00.000Z',
    },
  }),
  'fitness.report_issued': contract({
    schemaVersion: 1,
    about: 'a fitness-test report was issued or revised (体质测试): age group, sex, district and scores only',
    aggregate: 'reportId',
    schema: z.strictObject({
      reportId: Id,
      standard: z.enum(FITNESS_STANDARDS),
      ageGroup: z.enum(ADULT_AGE_GROUPS).describe("the standard's age group (5-year band)"),
      sex: z.enum(['M', 'F']),
      district: District,
      testMonth: z
        .string()
        .regex(/^\d{4}-\d{2}$/)
        .describe('month of the test (no day)'),
      items: z.array(z.strictObject({ item: z.enum(FITNESS_ITEMS), score: z.number().int().min(0).max(5).nullable() })),
      total: z.number().int().nonnegative(),
      grade: z.enum(FITNESS_GRADES).nullable().describe('null when withheld (an item missing)'),
      revision: z.number().int().positive().describe('1, +1 on each correction (a later revision replaces an earlier)'),
    }),
    example: {
      reportId: '6750a1b2c3d4e5f600009001',
      standard: 'GTB2003-adult',
      ageGroup: '30-34',
      sex: 'M',
      district: '渝中区',
      testMonth: '2026-12',
      items: [
        { item: 'heightWeight', score: 5 },
        { item: 'vitalCapacityMl', score: 4 },
      ],
      total: 9,
      grade: null,
      revision: 1,
    },
  }),
  'club.approved': contract({
    schemaVersion: 1,
    about: 'a sports club was approved',
    aggregate: 'clubId',
    schema: z.strictObject({
      clubId: Id,
      district: District,
      sport: ClubSportSchema,
      founder: SubjectSchema.describe('the founder as an HMAC pseudonym'),
    }),
    example: { clubId: '6750a1b2c3d4e5f60000a001', district: '渝中区', sport: 'running', founder: 'Rm91bmRlclBzZXVkb255bW' },
  }),
  'club.status_changed': contract({
    schemaVersion: 1,
    about: 'a club was suspended, dissolved or reinstated',
    aggregate: 'clubId',
    schema: z.strictObject({ clubId: Id, status: z.enum(['suspended', 'dissolved', 'approved']) }),
    example: { clubId: '6750a1b2c3d4e5f60000a001', status: 'suspended' },
  }),
  'club.member_joined': contract({
    schemaVersion: 1,
    about: 'a citizen became a club member',
    aggregate: 'clubId',
    schema: z.strictObject({ subject: SubjectSchema, clubId: Id, sport: ClubSportSchema, district: District }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', clubId: '6750a1b2c3d4e5f60000a001', sport: 'running', district: '渝中区' },
  }),
  'club.member_left': contract({
    schemaVersion: 1,
    about: 'a member left a club (by themselves, removed by the club, or the club dissolved)',
    aggregate: 'clubId',
    schema: z.strictObject({ subject: SubjectSchema, clubId: Id, by: z.enum(['self', 'club', 'dissolved']) }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', clubId: '6750a1b2c3d4e5f60000a001', by: 'self' },
  }),
  'club.activity_signed_up': contract({
    schemaVersion: 1,
    about: 'a member signed up for a club activity',
    aggregate: 'activityId',
    schema: z.strictObject({ subject: SubjectSchema, clubId: Id, activityId: Id, amountFen: Fen.describe('activity fee in fen') }),
    example: {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      clubId: '6750a1b2c3d4e5f60000a001',
      activityId: '6750a1b2c3d4e5f60000a101',
      amountFen: 2000,
    },
  }),
  'club.activity_attended': contract({
    schemaVersion: 1,
    about: 'a member attended a club activity (checked in)',
    aggregate: 'activityId',
    schema: z.strictObject({ subject: SubjectSchema, clubId: Id, activityId: Id }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', clubId: '6750a1b2c3d4e5f60000a001', activityId: '6750a1b2c3d4e5f60000a101' },
  }),
  'club.dues_paid': contract({
    schemaVersion: 1,
    about: 'a member paid club dues (会费) up to paidUntil',
    aggregate: 'duesId',
    schema: z.strictObject({
      subject: SubjectSchema,
      clubId: Id,
      duesId: Id,
      amountFen: Fen,
      paidUntil: Iso.describe('membership paid until'),
    }),
    example: {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      clubId: '6750a1b2c3d4e5f60000a001',
      duesId: '6750a1b2c3d4e5f60000a201',
      amountFen: 12000,
      paidUntil: '2027-12-01T16:00:00.000Z',
    },
  }),
  'review.published': contract({
    schemaVersion: 1,
    about: 'a review after consumption (消费评价) became public: published at once, or approved by a moderator; no reviewer, no text',
    aggregate: 'targetId',
    schema: z.strictObject({
      reviewId: Id,
      targetKind: z.enum(['venue', 'course', 'event', 'club', 'instructor']).describe('what was reviewed'),
      targetId: Id.describe('the venue, course, event, club or instructor'),
      sourceKind: z
        .string()
        .regex(/^[a-z][a-z_]{1,31}$/)
        .describe('the fact that allowed it: booking, registration, guidance_session, club_activity, …'),
      stars: z.number().int().min(1).max(5),
      complaint: z.boolean().describe('at most 2 stars or tagged 投诉'),
    }),
    example: {
      reviewId: '6750a1b2c3d4e5f60000c001',
      targetKind: 'venue',
      targetId: '6750a1b2c3d4e5f600000001',
      sourceKind: 'booking',
      stars: 5,
      complaint: false,
    },
  }),
  'course.published': contract({
    schemaVersion: 1,
    about: 'a provider published a training course (报名培训)',
    aggregate: 'courseId',
    schema: z.strictObject({
      courseId: Id,
      sport: ClubSportSchema,
      district: District,
      lessons: z.number().int().positive().describe('lessons in the schedule'),
      capacity: z.number().int().positive(),
      priceFen: Fen.describe('course price in fen'),
    }),
    example: { courseId: '6750a1b2c3d4e5f60000c001', sport: 'swimming', district: '姑苏区', lessons: 8, capacity: 20, priceFen: 120000 },
  }),
  'course.enrolled': contract({
    schemaVersion: 1,
    about: 'a participant was enrolled on a course (paid, or free); the participant only as an age band',
    aggregate: 'courseId',
    schema: z.strictObject({
      subject: SubjectSchema.describe('the account that enrolled (a parent for a child) as an HMAC pseudonym'),
      courseId: Id,
      enrolmentId: Id,
      sport: ClubSportSchema,
      district: District,
      ageBand: z.enum(AGE_BANDS).describe("the participant's age band at the first lesson"),
      amountFen: Fen.describe('course price in fen'),
    }),
    example: {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      courseId: '6750a1b2c3d4e5f60000c001',
      enrolmentId: '6750a1b2c3d4e5f60000c101',
      sport: 'swimming',
      district: '姑苏区',
      ageBand: '7-12',
      amountFen: 120000,
    },
  }),
  'course.lesson_attended': contract({
    schemaVersion: 1,
    about: 'a participant attended one lesson of a course (lesson ticket scanned)',
    aggregate: 'courseId',
    schema: z.strictObject({
      subject: SubjectSchema,
      courseId: Id,
      enrolmentId: Id,
      lesson: z.number().int().positive().describe('lesson number (1-based)'),
    }),
    example: {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      courseId: '6750a1b2c3d4e5f60000c001',
      enrolmentId: '6750a1b2c3d4e5f60000c101',
      lesson: 3,
    },
  }),
  'course.enrolment_cancelled': contract({
    schemaVersion: 1,
    about:
      'a paid enrolment ended by the participant (refund by the course rule), by the provider cancelling the course or by an admin refunding the order (both in full)',
    aggregate: 'courseId',
    schema: z.strictObject({
      subject: SubjectSchema,
      courseId: Id,
      enrolmentId: Id,
      lessonsHeld: z.number().int().nonnegative().describe('lessons already held when it ended'),
      refundFen: Fen.describe('refunded in fen'),
      by: z
        .enum(['self', 'provider', 'admin'])
        .describe('who ended it: the participant, the provider cancelling, or an admin refunding the order in full'),
    }),
    example: {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      courseId: '6750a1b2c3d4e5f60000c001',
      enrolmentId: '6750a1b2c3d4e5f60000c101',
      lessonsHeld: 2,
      refundFen: 90000,
      by: 'self',
    },
  }),
  'course.cancelled': contract({
    schemaVersion: 1,
    about: 'a provider cancelled a course; every enrolment is refunded in full',
    aggregate: 'courseId',
    schema: z.strictObject({ courseId: Id, enrolments: z.number().int().nonnegative().describe('live enrolments at cancellation') }),
    example: { courseId: '6750a1b2c3d4e5f60000c001', enrolments: 12 },
  }),
  'gate.passed': contract({
    schemaVersion: 1,
    about: 'one person passed a venue gate (in or out); visit pseudonymises the ticket',
    aggregate: 'venueId',
    schema: z.strictObject({
      visit: SubjectSchema.describe('the ticket as an HMAC pseudonym (pairs an in with its out)'),
      venueId: Id,
      deviceId: Id.describe('the gate device'),
      direction: z.enum(['in', 'out']),
      offline: z.boolean().describe('recorded offline and uploaded later'),
      duplicate: z.boolean().describe('an offline entry on a ticket another gate had admitted already'),
    }),
    example: {
      visit: 'VGlja2V0UHNldWRvbnltMD',
      venueId: '6750a1b2c3d4e5f600000001',
      deviceId: '6750a1b2c3d4e5f60000b001',
      direction: 'in',
      offline: false,
      duplicate: false,
    },
  }),
  'ref.venue': contract({
    schemaVersion: 1,
    about: 'reference data: a venue snapshot, sent on every change and on removal (Chongqing 第十四条)',
    aggregate: 'refId',
    publicText: ['snapshot.name', 'snapshot.address', 'snapshot.openHours.note'],
    schema: z.strictObject(
      refShape({
        name: z.string().max(200),
        district: z.string().max(64),
        address: z.string().max(300),
        location: z.strictObject({ lat: z.number(), lng: z.number() }),
        sports: z.array(SportSchema),
        freeOrLowFee: z.boolean(),
        openHours: z.strictObject({ open: z.string(), close: z.string(), note: z.string().optional() }),
      }),
    ),
    example: {
      refId: '6750a1b2c3d4e5f600000001',
      version: 2,
      removed: false,
      snapshot: {
        name: '渝中区全民健身中心',
        district: '渝中区',
        address: '渝中区中山一路 1 号',
        location: { lat: 29.56, lng: 106.55 },
        sports: ['badminton', 'table_tennis'],
        freeOrLowFee: true,
        openHours: { open: '08:00', close: '22:00' },
      },
    },
  }),
  'ref.resource': contract({
    schemaVersion: 1,
    about: 'reference data: a court/lane/room snapshot, sent on every change and on removal',
    aggregate: 'refId',
    publicText: ['snapshot.name'],
    schema: z.strictObject(
      refShape({
        venueId: Id,
        name: z.string().max(100),
        sport: SportSchema,
        kind: z.string().max(32),
        templates: z.number().int().nonnegative(),
      }),
    ),
    example: {
      refId: '6750a1b2c3d4e5f600000011',
      version: 1,
      removed: false,
      snapshot: { venueId: '6750a1b2c3d4e5f600000001', name: '1号场', sport: 'badminton', kind: 'court', templates: 12 },
    },
  }),
};

export const EVENT_TYPES = Object.keys(EVENT_CONTRACTS) as OutboxEventType[];

/** The wire form of one event in a batch (API.md, "Data centre"). */
export interface FeedEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  payload: Record<string, unknown>;
}
export interface FeedBatch {
  batchId: string;
  events: FeedEvent[];
}
/** The receiver's 2xx answer: ids it holds now (new or duplicates) and events it refuses for good. */
export interface FeedAck {
  accepted: string[];
  rejected?: { eventId: string; reason: string }[];
}
