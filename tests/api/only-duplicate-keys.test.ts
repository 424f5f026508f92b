/**
 * A bulk insert that lost its connection is not "every document was a duplicate" (issue 18,
 * faults): `(e.writeErrors ?? []).every(dup)` is true for an empty list, so an insertMany the
 * engine never acknowledged counted as done — a booking left without its tickets (9 tickets for
 * 10 bookings after an engine restart), a day's slots counted as made. Both now go through
 * `onlyDuplicateKeys`; a real duplicate (a step run again) stays harmless.
 */
import mongoose from 'mongoose';
import { MongoBulkWriteError, MongoNetworkError } from 'mongodb';
import { ManualClock } from '../../cloud/src/platform/clock';
import { onlyDuplicateKeys } from '../../cloud/src/platform/errors';
import { Ticket } from '../../cloud/src/modules/ticket/ticket.model';
import { Slot } from '../../cloud/src/modules/venue/venue.model';
import { startTestStack, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  stack = await startTestStack('dupkeys', { clock });
}, 60_000);
afterEach(() => jest.restoreAllMocks());
afterAll(() => stack.stop());

const lost = () => new MongoNetworkError('connection 7 to 127.0.0.1:27017 closed');
const bulk = (codes: number[]) =>
  new MongoBulkWriteError(
    { message: 'bulk', code: codes[0], writeErrors: codes.map((code, index) => ({ code, index, errmsg: `E${code}` })) } as never,
    { insertedCount: 0, matchedCount: 0, modifiedCount: 0, deletedCount: 0, upsertedCount: 0, insertedIds: {}, upsertedIds: {} } as never,
  );

test('onlyDuplicateKeys: duplicates only → true; a lost connection, an empty list or one other error among them → false', () => {
  expect(onlyDuplicateKeys(Object.assign(new Error('E11000'), { code: 11000 }))).toBe(true);
  expect(onlyDuplicateKeys(bulk([11000, 11000]))).toBe(true);
  expect(onlyDuplicateKeys(lost())).toBe(false);
  expect(onlyDuplicateKeys(Object.assign(new Error('bulk'), { writeErrors: [] }))).toBe(false);
  expect(onlyDuplicateKeys(bulk([11000, 121]))).toBe(false);
  expect(onlyDuplicateKeys(undefined)).toBe(false);
});

test('a ticket insert that lost its connection leaves the step pending; the sweeper issues the ticket', async () => {
  const v = await createTestVenue(stack, { name: '断线出票馆' });
  const user = await stack.login('dup-tickets');
  const [slot] = await slotsOf(v.sessionId, daysAhead(clock, 1));
  jest.spyOn(Ticket.collection, 'insertMany').mockRejectedValueOnce(lost());
  const res = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id], quantity: 2 } });
  expect(res.status).toBe(201);
  const id = new mongoose.Types.ObjectId(res.body.booking.id as string);
  expect(await db().collection('tickets').countDocuments({ bookingId: id })).toBe(0);
  // red before the fix: pending [] (the lost insert counted as "all duplicates": the booking never gets its tickets).
  // Both steps are checked ones now (platform/effects.ts `checks`): they stay until the sweeper's bulk check,
  // which finds the tickets missing and issues them, and finds the event stored
  expect((await db().collection('bookings').findOne({ _id: id }))!.pending).toEqual(['tickets.issue', 'event.booked']);
  clock.advance(61_000);
  await stack.cloud.services.bookings.healCrashed();
  expect(await db().collection('tickets').countDocuments({ bookingId: id })).toBe(2);
  // and a second run of the step is the duplicate it always was: still two tickets
  await db()
    .collection('bookings')
    .updateOne({ _id: id }, { $set: { pending: ['tickets.issue'], pendingSince: new Date(0) } });
  await stack.cloud.services.bookings.healCrashed();
  expect(await db().collection('tickets').countDocuments({ bookingId: id })).toBe(2);
  expect((await db().collection('bookings').findOne({ _id: id }))!.pending).toEqual([]);
});

test("a slot insert that lost its connection fails the day's materialisation (the next run makes the slots)", async () => {
  const v = await createTestVenue(stack, { name: '断线排期馆' });
  const before = await db()
    .collection('slots')
    .countDocuments({ venueId: new mongoose.Types.ObjectId(v.venueId) });
  jest.spyOn(Slot, 'insertMany').mockRejectedValueOnce(lost() as never);
  // red before the fix: resolved with 0, as if every slot of the extra day existed already
  await expect(stack.cloud.services.venues.materialiseSlots(v.venueId, 1)).rejects.toThrow(/closed/);
  expect(
    await db()
      .collection('slots')
      .countDocuments({ venueId: new mongoose.Types.ObjectId(v.venueId) }),
  ).toBe(before);
  expect(await stack.cloud.services.venues.materialiseSlots(v.venueId, 1)).toBeGreaterThan(0);
});
