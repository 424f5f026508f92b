/**
 * The sold-out fast path (platform/capacity.ts, issue 18): a counter this instance saw full is
 * answered SOLD OUT without a write (without any round trip when no Idempotency-Key is sent) for
 * up to a second; a give-back clears it at once; it never answers success.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { SOLD_OUT_TTL_MS } from '../../cloud/src/platform/capacity';
import { startTestStack, type TestStack } from '../support/stack';
import { createTestVenue, remainingOf, slotsOf } from '../support/venue-fixture';
import { connectCountingDatabase, formatTrips, type RoundTripCounter } from '../support/roundtrips';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z')); // Monday 09:00 in Shanghai
const TOMORROW = '2026-11-24';
let stack: TestStack;
let counter: RoundTripCounter;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ counter, close } = await connectCountingDatabase('soldout'));
  stack = await startTestStack('soldout', { clock, reuseConnection: true });
}, 60_000);
afterAll(async () => {
  await stack.stop();
  await close();
});

const book = (token: string, slotId: string, extra: { quantity?: number; key?: string } = {}) =>
  stack.request('POST', '/bookings', {
    token,
    body: { slotIds: [slotId], ...(extra.quantity ? { quantity: extra.quantity } : {}) },
    ...(extra.key ? { headers: { 'idempotency-key': extra.key } } : {}),
  });

test('the TTL is at most one second', () => {
  expect(SOLD_OUT_TTL_MS).toBeGreaterThan(0);
  expect(SOLD_OUT_TTL_MS).toBeLessThanOrEqual(1000);
});

test('a loser of a slot seen full costs no round trip; a give-back makes the place bookable at once', async () => {
  const { courtId } = await createTestVenue(stack, { name: '售罄快速路径馆' });
  const [slot] = await slotsOf(courtId, TOMORROW);
  const [winner, first, second] = await stack.loginMany('fast', 3);
  // each user's first request reserves its share of the rate-limit window (one write): done before counting
  for (const u of [first, second]) await stack.request('GET', '/me', { token: u.token });
  const won = await book(winner.token, slot.id);
  expect(won.status).toBe(201);
  // the first loser reads the slot full (and the instance remembers it)
  const firstLoss = await counter.measure(() => book(first.token, slot.id));
  expect([firstLoss.result.status, firstLoss.result.body.error.code]).toEqual([409, 'SLOT_SOLD_OUT']);
  expect(firstLoss.trips.writes).toBe(0);
  // the next is answered from the fast path: not one command reaches the engine
  const bookingsBefore = await mongoose.connection.db!.collection('bookings').countDocuments();
  const fast = await counter.measure(() => book(second.token, slot.id));
  console.log(formatTrips('sold-out loser, fast path', fast.trips));
  expect([fast.result.status, fast.result.body.error.code, fast.result.body.error.details]).toEqual([
    409,
    'SLOT_SOLD_OUT',
    { slotId: slot.id },
  ]);
  expect(fast.trips.total).toBe(0);
  // with an Idempotency-Key: one read (was the key used? countDocuments is an aggregate), still no write
  const keyed = await counter.measure(() => book(second.token, slot.id, { key: 'fast-key-1' }));
  expect(keyed.result.status).toBe(409);
  expect(keyed.trips.writes).toBe(0);
  expect(keyed.trips.detail).toEqual({ 'aggregate idempotency_claims': 1 });
  expect(await mongoose.connection.db!.collection('bookings').countDocuments()).toBe(bookingsBefore);

  // the winner cancels: the give-back clears the fast path, and the place is bookable immediately
  const cancelled = await stack.request('POST', `/bookings/${won.body.booking.id}/cancel`, { token: winner.token, body: {} });
  expect(cancelled.status).toBe(200);
  expect(await remainingOf(slot.id)).toBe(1);
  const again = await book(second.token, slot.id);
  expect(again.status).toBe(201);
  expect(await remainingOf(slot.id)).toBe(0);
});

test('never trusted for success: a party too big for what is left does not block a smaller one', async () => {
  const { sessionId } = await createTestVenue(stack, { name: '售罄快速路径馆2', sessionCapacity: 3, rules: { maxCompanions: 2 } });
  const [session] = await slotsOf(sessionId, TOMORROW);
  const [a, b, c] = await stack.loginMany('party', 3);
  await stack.request('GET', '/me', { token: c.token });
  const twoSeats = (token: string, names: string[]) =>
    stack.request('POST', '/bookings', {
      token,
      body: { slotIds: [session.id], quantity: names.length + 1, companions: names.map((name) => ({ name })) },
    });
  expect((await twoSeats(a.token, ['甲'])).status).toBe(201); // 1 left
  const tooBig = await twoSeats(b.token, ['乙']);
  expect([tooBig.status, tooBig.body.error.code]).toEqual([409, 'SLOT_SOLD_OUT']);
  // one place is still there: the fast path remembered "2 do not fit", not "full"
  const one = await counter.measure(() => book(c.token, session.id));
  expect(one.result.status).toBe(201);
  expect(one.trips.writes).toBeGreaterThan(0);
  expect(await remainingOf(session.id)).toBe(0);
});
