/**
 * Fitness-test slots under a rush (control run first, without the kernel's guard), and crash
 * safety of the booking's multi-step write (insert `taking` → take the place → booked + ticket).
 */
import mongoose from 'mongoose';
import { FITNESS_CONSENT_VERSION } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { startTestStack, type TestStack } from '../support/stack';
import { createTestStation, dayAhead, fitnessOf, idNumberFor } from '../support/fitness-fixture';

const clock = new ManualClock(new Date());
const crashes = new CrashSwitch();
let stack: TestStack;
let control: TestStack;
let crashy: TestStack;
let users: { token: string; userId: string }[];
let day: string;
const N = 200;
const consent = { healthData: true, version: FITNESS_CONSENT_VERSION };

beforeAll(async () => {
  stack = await startTestStack('fitness-race', { clock });
  control = await startTestStack('fitness-race-control', { clock, reuseConnection: true, appDeps: { controlRunWithoutGuards: true } });
  crashy = await startTestStack('fitness-crash', { clock, reuseConnection: true, appDeps: { crashes } });
  // small batches with a retry: the WeChat stand-in's login may time out on a loaded machine
  users = [];
  for (let i = 0; i < N; i += 10) {
    const batch = Array.from({ length: Math.min(10, N - i) }, async (_, j) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await stack.login(`fit-racer-${i + j}`);
        } catch (err) {
          if (attempt >= 3) throw err;
        }
      }
    });
    users.push(...(await Promise.all(batch)));
  }
  day = dayAhead(clock, 3);
}, 180_000);
afterAll(async () => {
  await crashy.stop();
  await control.stop();
  await stack.stop();
});

/** a distinct adult per caller (age 30 on the test day) */
const person = (i: number) => ({
  name: `测试${i}`,
  idNumber: idNumberFor(
    `${Number(day.slice(0, 4)) - 31}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + Math.floor(i / 12)).padStart(2, '0')}`,
    i % 2 === 0,
  ),
});

async function rush(target: TestStack, slotId: string) {
  const results = await Promise.all(
    users.map((u, i) =>
      target.request('POST', '/fitness-tests/bookings', { token: u.token, body: { slotId, participant: person(i), consent } }),
    ),
  );
  return {
    created: results.filter((r) => r.status === 201).length,
    full: results.filter((r) => r.body?.error?.code === 'FITNESS_SLOT_FULL').length,
    fivexx: results.filter((r) => r.status >= 500).length,
  };
}
const remainingOf = async (slotId: string) =>
  (await mongoose.connection.collection('fitness_slots').findOne({ _id: new mongoose.Types.ObjectId(slotId) }))!.remaining as number;
const activeFor = (slotId: string) =>
  mongoose.connection.collection('fitness_bookings').countDocuments({ slotId: new mongoose.Types.ObjectId(slotId), status: 'booked' });

describe(`${N} people racing for a 10-place fitness-test slot`, () => {
  test('control: without the guard, more than 10 are booked', async () => {
    const { slotIds } = await createTestStation(stack, { name: '对照站', day, capacity: 10 });
    const { created } = await rush(control, slotIds[0]);
    process.stdout.write(`[fitness race] control: ${created} bookings for 10 places\n`);
    expect(created).toBeGreaterThan(10);
  });
  test('with the guard: exactly 10 booked with 10 tickets, everyone else FITNESS_SLOT_FULL, remaining 0', async () => {
    const { slotIds } = await createTestStation(stack, { name: '并发站', day, capacity: 10 });
    const { created, full, fivexx } = await rush(stack, slotIds[0]);
    expect(created).toBe(10);
    expect(full).toBe(N - 10);
    expect(fivexx).toBe(0);
    expect(await activeFor(slotIds[0])).toBe(10);
    expect(await remainingOf(slotIds[0])).toBe(0);
    const ids = (
      await mongoose.connection
        .collection('fitness_bookings')
        .find({ slotId: new mongoose.Types.ObjectId(slotIds[0]), status: 'booked' })
        .toArray()
    ).map((b) => String(b._id));
    expect(
      await mongoose.connection.collection('tickets').countDocuments({ 'source.kind': 'fitness_test', 'source.id': { $in: ids } }),
    ).toBe(10);
  });
});

describe('crash safety of a booking', () => {
  const bookOn = (slotId: string, i: number) =>
    crashy.request('POST', '/fitness-tests/bookings', { token: users[i].token, body: { slotId, participant: person(i), consent } });

  test('a crash after the place is taken: the sweeper gives the place back exactly once and the person can book again', async () => {
    const { slotIds } = await createTestStation(stack, { name: '崩溃站A', day, capacity: 3 });
    crashes.arm('fitness.book:after-take');
    expect((await bookOn(slotIds[0], 0)).status).toBe(500);
    expect(await remainingOf(slotIds[0])).toBe(2);
    const f = fitnessOf(stack);
    expect((await f.heal()).rolledBack).toBe(0); // not stale yet
    clock.advance(61_000);
    expect((await f.heal()).rolledBack).toBe(1);
    expect((await f.heal()).rolledBack).toBe(0); // a second sweep gives nothing back twice
    expect(await remainingOf(slotIds[0])).toBe(3);
    const again = await bookOn(slotIds[0], 0);
    expect(again.status).toBe(201);
    expect(await remainingOf(slotIds[0])).toBe(2);
  });

  test('a crash after the insert, before the take: rolled back without giving back a place never taken', async () => {
    const { slotIds } = await createTestStation(stack, { name: '崩溃站B', day, capacity: 3 });
    crashes.arm('fitness.book:after-insert');
    expect((await bookOn(slotIds[0], 1)).status).toBe(500);
    clock.advance(61_000);
    expect((await fitnessOf(stack).heal()).rolledBack).toBe(1);
    expect(await remainingOf(slotIds[0])).toBe(3);
  });

  test('a crash before the ticket is issued: the booking is kept and the sweeper issues its ticket', async () => {
    const { slotIds } = await createTestStation(stack, { name: '崩溃站C', day, capacity: 3 });
    crashes.arm('effects:fitness_booking:ticket:before');
    expect((await bookOn(slotIds[0], 2)).status).toBe(500);
    const b = (await mongoose.connection.collection('fitness_bookings').findOne({ slotId: new mongoose.Types.ObjectId(slotIds[0]) }))!;
    expect(b).toMatchObject({ status: 'booked', pending: ['ticket'] });
    expect(await mongoose.connection.collection('tickets').countDocuments({ 'source.id': String(b._id) })).toBe(0);
    clock.advance(61_000);
    expect((await fitnessOf(stack).heal()).healed).toBe(1);
    expect(
      await mongoose.connection.collection('tickets').countDocuments({ 'source.kind': 'fitness_test', 'source.id': String(b._id) }),
    ).toBe(1);
    expect(await remainingOf(slotIds[0])).toBe(2);
  });
});
