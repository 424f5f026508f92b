/**
 * A counter keeps only its newest take/give tokens (kernel.capacity `keepTokens`). A booking or a
 * first-come entry cancelled long after its take — once enough later holders have pushed its take
 * token out of the list — must still give its place back, exactly once. The later holders are
 * stood in for by tokens written into the list (hundreds or thousands of real ones would say the
 * same, slower).
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { startTestStack, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead, remainingOf, slotsOf } from '../support/venue-fixture';
import { GROUP_KEEP_TOKENS } from '../../cloud/src/modules/event/event.context';
import { eventInput, idNumber, openEvent, organiser, participant } from '../support/event-fixture';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
const crashes = new CrashSwitch();
let stack: TestStack;
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  stack = await startTestStack('tokenwindow', { clock, appDeps: { crashes } });
}, 120_000);
afterAll(() => stack.stop());

/** `n` other holders' take tokens pushed after ours, kept to the counter's bound as a take would */
async function laterHolders(collection: string, id: string, n: number, keep: number) {
  const tokens = Array.from({ length: n }, () => `${new mongoose.Types.ObjectId()}:take`);
  await db()
    .collection(collection)
    .updateOne({ _id: new mongoose.Types.ObjectId(id) }, { $push: { applied: { $each: tokens, $slice: -keep } } } as never);
  const doc = await db()
    .collection(collection)
    .findOne({ _id: new mongoose.Types.ObjectId(id) });
  return doc!.applied as string[];
}

/** A booking of 2 places on a fresh 600-place session tomorrow. */
async function twoPlacesOnABigSession(venueName: string, openid: string) {
  clock.set(new Date('2026-11-23T01:00:00Z'));
  const v = await createTestVenue(stack, { name: venueName, sessionCapacity: 600, rules: { maxCompanions: 3 } });
  const user = await stack.login(openid);
  const [s] = await slotsOf(v.sessionId, daysAhead(clock, 1));
  const booked = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [s.id], quantity: 2 } });
  return { user, s, booked, id: booked.body.booking?.id as string };
}

test('a booking cancelled after 500 later holders on its session: its places come back, once', async () => {
  const { user, s, booked, id } = await twoPlacesOnABigSession('令牌窗口馆', 'window-booker');
  expect(booked.status).toBe(201);
  expect(await laterHolders('slots', s.id, 500, 500)).not.toContain(`${id}:take`);
  expect(await remainingOf(s.id)).toBe(598);

  const cancelled = await stack.request('POST', `/bookings/${id}/cancel`, { token: user.token, body: {} });
  expect(cancelled.body.booking.status).toBe('cancelled');
  expect(await remainingOf(s.id)).toBe(600);
  // the sweeper finding nothing left to do gives nothing more
  clock.advance(5 * 60_000);
  await stack.cloud.services.bookings.healCrashed();
  expect(await remainingOf(s.id)).toBe(600);
});

test('a crash after the give-back, before it was recorded, and its give token slid out too: the sweeper gives nothing twice', async () => {
  const { user, s, id } = await twoPlacesOnABigSession('令牌崩溃馆', 'window-crash');
  await laterHolders('slots', s.id, 500, 500);
  crashes.arm('effects:booking:capacity:done');
  expect((await stack.request('POST', `/bookings/${id}/cancel`, { token: user.token, body: {} })).status).toBe(500);
  expect(await remainingOf(s.id)).toBe(600); // given back on the first attempt, not yet recorded as done
  expect(await laterHolders('slots', s.id, 500, 500)).not.toContain(`${id}:give`);
  clock.advance(5 * 60_000);
  await stack.cloud.services.bookings.healCrashed();
  expect(await remainingOf(s.id)).toBe(600); // a place leaked would read 598 only if the first attempt had not given; a double give 602
  const doc = await db()
    .collection('bookings')
    .findOne({ _id: new mongoose.Types.ObjectId(id) });
  expect(doc).toMatchObject({ status: 'cancelled', pending: [] });
});

test('a first-come entry cancelled after a full token list of later entries in its group: its place comes back, once', async () => {
  clock.set(new Date('2027-01-10T02:00:00Z'));
  const org = await organiser(stack, 'window-org');
  const ev = await openEvent(
    stack,
    org,
    eventInput({}, [{ name: '全程马拉松', distanceKm: 42.195, capacity: 20000, feeFen: 0, eligibility: { minAge: 18 } }]),
  );
  const runner = await stack.login('window-runner');
  const entered = await stack.request('POST', `/events/${ev.id}/registrations`, {
    token: runner.token,
    body: { groupId: ev.groups[0].id, participant: participant(idNumber('1985-05-05', 7)), healthPledge: true, pledgeVersion: 'v1' },
  });
  expect(entered.status).toBe(201);
  const id = entered.body.registration.id as string;
  expect(await laterHolders('event_groups', ev.groups[0].id, GROUP_KEEP_TOKENS, GROUP_KEEP_TOKENS)).not.toContain(`${id}:take`);
  const left = async () =>
    (await db()
      .collection('event_groups')
      .findOne({ _id: new mongoose.Types.ObjectId(ev.groups[0].id) }))!.remaining;
  expect(await left()).toBe(19999);

  const cancelled = await stack.request('POST', `/registrations/${id}/cancel`, { token: runner.token, body: {} });
  expect(cancelled.body.registration.status).toBe('cancelled');
  expect(await left()).toBe(20000);
  const again = await stack.request('POST', `/registrations/${id}/cancel`, { token: runner.token, body: {} });
  expect(again.status).toBe(409);
  expect(await left()).toBe(20000);
});
