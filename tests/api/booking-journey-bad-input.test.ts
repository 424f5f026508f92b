/**
 * Bad input on the journey's new endpoints (issue 10): wrong types, missing fields, huge strings,
 * $-operators, prototype keys and other users' ids each answer a 4xx with a stable code, never a
 * 500, and change nothing in the database.
 */
import { ManualClock } from '../../cloud/src/platform/clock';
import { snapshotDatabase } from '../support/db';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;
let owner: { token: string; userId: string };
let stranger: { token: string; userId: string };
let staff: { token: string; userId: string };
let venue: Awaited<ReturnType<typeof createTestVenue>>;
let bookingId: string;
let ticketId: string;
let soldOutSlot: string;
let courtSlots: string[];
let freeSlot: string;

beforeAll(async () => {
  stack = await startTestStack('journey-sweep', { clock });
  venue = await createTestVenue(stack, { name: '旅程校验馆', sessionCapacity: 1 });
  owner = await stack.login('journey-sweep-owner');
  stranger = await stack.login('journey-sweep-stranger');
  staff = await stack.login('journey-sweep-staff');
  await grant(stack, staff.userId, 'staff', venue.venueId);
  const day = daysAhead(clock, 1);
  const courts = await slotsOf(venue.courtId, day);
  courtSlots = [courts[4].id, courts[5].id];
  freeSlot = courts[9].id;
  const booked = await stack.request('POST', '/bookings', { token: owner.token, body: { slotIds: courtSlots } });
  expect(booked.status).toBe(201);
  bookingId = booked.body.booking.id;
  ticketId = (await stack.request('GET', '/tickets/mine', { token: owner.token })).body.items[0].id;
  const [session] = await slotsOf(venue.sessionId, day);
  expect((await stack.request('POST', '/bookings', { token: owner.token, body: { slotIds: [session.id] } })).status).toBe(201);
  soldOutSlot = session.id;
}, 60_000);
afterAll(() => stack.stop());

type Who = 'owner' | 'stranger' | 'staff';
type Case = [string, string, () => string, (() => unknown) | undefined, number, string, Who];
const huge = 'x'.repeat(5000);
const cases: Case[] = [
  // partial cancel
  [
    'cancel part: slotIds not an array',
    'POST',
    () => `/bookings/${bookingId}/cancel`,
    () => ({ slotIds: courtSlots[0] }),
    400,
    'VALIDATION_FAILED',
    'owner',
  ],
  [
    'cancel part: $-operator',
    'POST',
    () => `/bookings/${bookingId}/cancel`,
    () => ({ slotIds: [{ $gt: '' }] }),
    400,
    'VALIDATION_FAILED',
    'owner',
  ],
  ['cancel part: empty list', 'POST', () => `/bookings/${bookingId}/cancel`, () => ({ slotIds: [] }), 400, 'VALIDATION_FAILED', 'owner'],
  [
    'cancel part: unknown field',
    'POST',
    () => `/bookings/${bookingId}/cancel`,
    () => ({ slotIds: [courtSlots[0]], refundFen: 1 }),
    400,
    'VALIDATION_FAILED',
    'owner',
  ],
  [
    'cancel part: prototype key',
    'POST',
    () => `/bookings/${bookingId}/cancel`,
    () => JSON.parse('{"__proto__": {"admin": true}, "slotIds": [1]}'),
    400,
    'BAD_JSON',
    'owner',
  ],
  [
    'cancel part: a slot not of the booking',
    'POST',
    () => `/bookings/${bookingId}/cancel`,
    () => ({ slotIds: [soldOutSlot] }),
    422,
    'PARTIAL_CANCEL_INVALID',
    'owner',
  ],
  [
    'cancel part: twice the same slot',
    'POST',
    () => `/bookings/${bookingId}/cancel`,
    () => ({ slotIds: [courtSlots[0], courtSlots[0]] }),
    422,
    'PARTIAL_CANCEL_INVALID',
    'owner',
  ],
  [
    'cancel part: another user’s booking',
    'POST',
    () => `/bookings/${bookingId}/cancel`,
    () => ({ slotIds: [courtSlots[0]] }),
    404,
    'BOOKING_NOT_FOUND',
    'stranger',
  ],
  [
    'cancel quote: bad slot ids',
    'GET',
    () => `/bookings/${bookingId}/cancel-quote?slotIds=abc`,
    undefined,
    400,
    'VALIDATION_FAILED',
    'owner',
  ],
  [
    'cancel quote: huge query',
    'GET',
    () => `/bookings/${bookingId}/cancel-quote?slotIds=${'a'.repeat(5000)}`,
    undefined,
    400,
    'VALIDATION_FAILED',
    'owner',
  ],
  [
    'cancel quote: another user’s booking',
    'GET',
    () => `/bookings/${bookingId}/cancel-quote`,
    undefined,
    404,
    'BOOKING_NOT_FOUND',
    'stranger',
  ],
  // waitlist
  ['waitlist: bad slot id', 'POST', () => '/slots/abc/waitlist', () => ({}), 400, 'VALIDATION_FAILED', 'stranger'],
  ['waitlist: unknown slot', 'POST', () => '/slots/0123456789abcdef01234567/waitlist', () => ({}), 404, 'SLOT_NOT_FOUND', 'stranger'],
  [
    'waitlist: unknown field',
    'POST',
    () => `/slots/${soldOutSlot}/waitlist`,
    () => ({ position: 1 }),
    400,
    'VALIDATION_FAILED',
    'stranger',
  ],
  [
    'waitlist: $-operator in the path',
    'POST',
    () => `/slots/${encodeURIComponent('{"$gt":""}')}/waitlist`,
    () => ({}),
    400,
    'VALIDATION_FAILED',
    'stranger',
  ],
  ['waitlist: a slot with places', 'POST', () => `/slots/${freeSlot}/waitlist`, () => ({}), 409, 'WAITLIST_NOT_OPEN', 'stranger'],
  ['waitlist leave: not in line', 'DELETE', () => `/slots/${soldOutSlot}/waitlist`, undefined, 404, 'WAITLIST_ENTRY_NOT_FOUND', 'stranger'],
  // release reminders
  ['reminder: missing date', 'POST', () => '/release-reminders', () => ({ venueId: venue.venueId }), 400, 'VALIDATION_FAILED', 'stranger'],
  [
    'reminder: wrong type',
    'POST',
    () => '/release-reminders',
    () => ({ venueId: venue.venueId, date: 20261201 }),
    400,
    'VALIDATION_FAILED',
    'stranger',
  ],
  [
    'reminder: not a day',
    'POST',
    () => '/release-reminders',
    () => ({ venueId: venue.venueId, date: '2026-02-30' }),
    400,
    'VALIDATION_FAILED',
    'stranger',
  ],
  [
    'reminder: $-operator',
    'POST',
    () => '/release-reminders',
    () => ({ venueId: { $ne: null }, date: '2027-01-01' }),
    400,
    'VALIDATION_FAILED',
    'stranger',
  ],
  [
    'reminder: huge sport',
    'POST',
    () => '/release-reminders',
    () => ({ venueId: venue.venueId, date: '2027-01-01', sport: huge }),
    400,
    'VALIDATION_FAILED',
    'stranger',
  ],
  [
    'reminder: unknown venue',
    'POST',
    () => '/release-reminders',
    () => ({ venueId: '0123456789abcdef01234567', date: '2027-01-01' }),
    404,
    'VENUE_NOT_FOUND',
    'stranger',
  ],
  [
    'reminder: a sport the venue lacks',
    'POST',
    () => '/release-reminders',
    () => ({ venueId: venue.venueId, date: '2027-01-01', sport: 'tennis' }),
    400,
    'VALIDATION_FAILED',
    'stranger',
  ],
  [
    'reminder: a day already released',
    'POST',
    () => '/release-reminders',
    () => ({ venueId: venue.venueId, date: daysAhead(clock, 1) }),
    422,
    'REMINDER_NOT_NEEDED',
    'stranger',
  ],
  // ticket passing
  ['transfer: bad id', 'POST', () => '/tickets/abc/transfer', () => ({}), 400, 'VALIDATION_FAILED', 'owner'],
  ['transfer: another user’s ticket', 'POST', () => `/tickets/${ticketId}/transfer`, () => ({}), 404, 'TICKET_NOT_FOUND', 'stranger'],
  ['claim: missing token', 'POST', () => '/tickets/claim', () => ({}), 400, 'VALIDATION_FAILED', 'stranger'],
  ['claim: wrong type', 'POST', () => '/tickets/claim', () => ({ claimToken: 1234567890123 }), 400, 'VALIDATION_FAILED', 'stranger'],
  ['claim: $-operator', 'POST', () => '/tickets/claim', () => ({ claimToken: { $ne: null } }), 400, 'VALIDATION_FAILED', 'stranger'],
  ['claim: huge token', 'POST', () => '/tickets/claim', () => ({ claimToken: huge }), 400, 'VALIDATION_FAILED', 'stranger'],
  ['claim: unknown token', 'POST', () => '/tickets/claim', () => ({ claimToken: 'A'.repeat(32) }), 404, 'TICKET_CLAIM_INVALID', 'stranger'],
  // standing
  ['standing: bad day', 'GET', () => `/venues/${venue.venueId}/standing?date=2026-13-01`, undefined, 400, 'VALIDATION_FAILED', 'stranger'],
  [
    'standing: bad sport',
    'GET',
    () => `/venues/${venue.venueId}/standing?date=2026-12-01&sport=%7B%22%24ne%22%3A1%7D`,
    undefined,
    400,
    'VALIDATION_FAILED',
    'stranger',
  ],
  [
    'standing: unknown venue',
    'GET',
    () => `/venues/0123456789abcdef01234567/standing?date=2026-12-01`,
    undefined,
    404,
    'VENUE_NOT_FOUND',
    'stranger',
  ],
  // short codes
  [
    'short code: unknown digits',
    'POST',
    () => '/verifications',
    () => ({ code: '12345678', venueId: venue.venueId }),
    400,
    'SHORT_CODE_UNKNOWN',
    'staff',
  ],
  [
    'short code: as a number',
    'POST',
    () => '/verifications',
    () => ({ code: 12345678, venueId: venue.venueId }),
    400,
    'VALIDATION_FAILED',
    'staff',
  ],
  [
    'short code: not staff',
    'POST',
    () => '/verifications',
    () => ({ code: '12345678', venueId: venue.venueId }),
    403,
    'FORBIDDEN',
    'stranger',
  ],
];

test.each(cases)('%s', async (_label, method, path, body, status, code, who) => {
  const token = { owner, stranger, staff }[who].token;
  const before = await snapshotDatabase();
  const res = await stack.request(method, path(), { token, body: body?.() });
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(await snapshotDatabase()).toBe(before);
});
