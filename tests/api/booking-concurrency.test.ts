/**
 * Races through HTTP on the real app and engine. Each guard is first shown to matter: a control
 * run on an app built without the guards (controlRunWithoutGuards: the kernel's one switch, in
 * platform/capacity.ts and platform/transition.ts) oversells or leaks, then the real app holds
 * under hundreds of concurrent callers. Every take and give-back goes through platform/capacity.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, type TestStack } from '../support/stack';
import { counts, createTestVenue, remainingOf, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z')); // Monday 09:00 in Shanghai
const TOMORROW = '2026-11-24';
let stack: TestStack;
let control: TestStack;
let users: { token: string; userId: string }[];

beforeAll(async () => {
  stack = await startTestStack('race', { clock });
  control = await startTestStack('race-control', { clock, reuseConnection: true, appDeps: { controlRunWithoutGuards: true } });
  users = await stack.loginMany('racer', 300);
}, 120_000);
afterAll(async () => {
  await control.stop();
  await stack.stop();
});

async function rush(target: TestStack, body: (i: number) => unknown) {
  const results = await Promise.all(users.map((u, i) => target.request('POST', '/bookings', { token: u.token, body: body(i) })));
  const statuses = results.map((r) => r.status);
  return {
    results,
    created: statuses.filter((s) => s === 201).length,
    soldOut: results.filter((r) => r.body?.error?.code === 'SLOT_SOLD_OUT').length,
    statuses,
  };
}

async function activeBookingsFor(slotId: string) {
  return mongoose.connection
    .db!.collection('bookings')
    .countDocuments({ slotIds: new mongoose.Types.ObjectId(slotId), status: { $in: ['held', 'confirmed'] } });
}

/** Places held by the slot's active bookings, summed in the database. */
async function activePlacesFor(slotId: string): Promise<number> {
  const [row] = await mongoose.connection
    .db!.collection('bookings')
    .aggregate<{ n: number }>([
      { $match: { slotIds: new mongoose.Types.ObjectId(slotId), status: { $in: ['held', 'confirmed'] } } },
      { $group: { _id: null, n: { $sum: '$quantity' } } },
    ])
    .toArray();
  return row?.n ?? 0;
}

describe('300 users racing for one capacity-1 court slot', () => {
  test('control: without the guard, more than one booking is confirmed for the same court', async () => {
    const { courtId } = await createTestVenue(stack, { name: '对照组场馆A' });
    const [slot] = await slotsOf(courtId, TOMORROW);
    const { created } = await rush(control, () => ({ slotIds: [slot.id] }));
    process.stdout.write(`[race] control court: ${created} bookings for 1 court\n`);
    expect(created).toBeGreaterThan(1);
  });

  test('with the guard: exactly one confirmed booking, everyone else SLOT_SOLD_OUT, remaining 0', async () => {
    const { courtId } = await createTestVenue(stack, { name: '并发场馆A' });
    const [slot] = await slotsOf(courtId, TOMORROW);
    const { created, soldOut, statuses } = await rush(stack, () => ({ slotIds: [slot.id] }));
    expect(created).toBe(1);
    expect(soldOut).toBe(299);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(await activeBookingsFor(slot.id)).toBe(1);
    expect(await remainingOf(slot.id)).toBe(0);
  });
});

describe('300 users racing for a 50-place session', () => {
  test('control: without the guard, more than 50 places are sold', async () => {
    const { sessionId } = await createTestVenue(stack, { name: '对照组场馆B', sessionCapacity: 50 });
    const [slot] = await slotsOf(sessionId, TOMORROW);
    const { created } = await rush(control, () => ({ slotIds: [slot.id] }));
    process.stdout.write(`[race] control session: ${created} bookings for 50 places\n`);
    expect(created).toBeGreaterThan(50);
  });

  test('with the guard: exactly 50 bookings and remaining 0', async () => {
    const { sessionId } = await createTestVenue(stack, { name: '并发场馆B', sessionCapacity: 50 });
    const [slot] = await slotsOf(sessionId, TOMORROW);
    const { created, soldOut } = await rush(stack, () => ({ slotIds: [slot.id] }));
    expect(created).toBe(50);
    expect(soldOut).toBe(250);
    expect(await activeBookingsFor(slot.id)).toBe(50);
    expect(await remainingOf(slot.id)).toBe(0);
  });

  test('with the guard, mixed party sizes never oversell', async () => {
    const { sessionId } = await createTestVenue(stack, { name: '并发场馆C', sessionCapacity: 50, rules: { maxCompanions: 3 } });
    const [slot] = await slotsOf(sessionId, TOMORROW);
    const { results } = await rush(stack, (i) => ({ slotIds: [slot.id], quantity: (i % 3) + 1 }));
    const placesSold = results.filter((r) => r.status === 201).reduce((sum, r) => sum + r.body.booking.quantity, 0);
    const remaining = await remainingOf(slot.id);
    expect(remaining).toBeGreaterThanOrEqual(0);
    expect(placesSold).toBeLessThanOrEqual(slot.capacity);
    expect(placesSold + remaining).toBe(slot.capacity);
    // what the database holds, not what the answers said: active bookings' places are exactly what the counter gave out
    expect(await activePlacesFor(slot.id)).toBe(slot.capacity - remaining);
    expect(results.filter((r) => r.status !== 201).map((r) => r.body.error?.code)).toEqual(
      results.filter((r) => r.status !== 201).map(() => 'SLOT_SOLD_OUT'),
    );
    expect(placesSold).toBeGreaterThan(45);
  });
});

describe('multi-slot bookings are all-or-nothing', () => {
  test('control: without the guards, two-hour requests that lose a slot leave the other one taken', async () => {
    const { courtId } = await createTestVenue(stack, { name: '对照组场馆D' });
    const day = await slotsOf(courtId, TOMORROW);
    const { results } = await rush(control, (i) => {
      const start = i % (day.length - 1);
      return { slotIds: [day[start].id, day[start + 1].id] };
    });
    const booked = new Set(results.filter((r) => r.status === 201).flatMap((r) => r.body.booking.slotIds as string[]));
    const leaked = (await slotsOf(courtId, TOMORROW)).filter((s) => s.remaining === 0 && !booked.has(s.id));
    process.stdout.write(`[race] control multi-slot: ${leaked.length} court hours taken by nobody\n`);
    expect(leaked.length).toBeGreaterThan(0); // nobody holds them, nobody can book them
  });

  test('with the guard: losing any slot gives back every slot taken, under a race of 300 two-hour requests', async () => {
    const { courtId } = await createTestVenue(stack, { name: '并发场馆D' });
    const day = await slotsOf(courtId, TOMORROW);
    // everyone wants a two-hour block; blocks overlap, so most requests take one slot and lose the other
    const { results, created } = await rush(stack, (i) => {
      const start = i % (day.length - 1);
      return { slotIds: [day[start].id, day[start + 1].id] };
    });
    expect(
      results.every((r) => r.status === 201 || r.body.error.code === 'SLOT_SOLD_OUT' || r.body.error.code === 'BOOKING_LIMIT_REACHED'),
    ).toBe(true);
    const after = await slotsOf(courtId, TOMORROW);
    const booked = new Set(results.filter((r) => r.status === 201).flatMap((r) => r.body.booking.slotIds as string[]));
    expect(booked.size).toBe(created * 2);
    for (const s of after) expect([s.id, s.remaining]).toEqual([s.id, booked.has(s.id) ? 0 : 1]);
    const stillTaken = after.filter((s) => s.remaining === 0 && !booked.has(s.id));
    expect(stillTaken).toEqual([]);
  });
});

describe('idempotent retries', () => {
  test('the same Idempotency-Key sent 50 times at once yields one booking and one capacity take', async () => {
    const { sessionId } = await createTestVenue(stack, { name: '幂等场馆', sessionCapacity: 50 });
    const [slot] = await slotsOf(sessionId, TOMORROW);
    const user = users[7];
    const before = await counts();
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        stack.request('POST', '/bookings', {
          token: user.token,
          body: { slotIds: [slot.id], quantity: 2 },
          headers: { 'Idempotency-Key': 'retry-key-0001' },
        }),
      ),
    );
    expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.booking.id)).size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(49);
    expect(await remainingOf(slot.id)).toBe(48);
    expect((await counts()).bookings).toBe(before.bookings + 1);
  });
});
