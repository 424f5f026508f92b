/**
 * Engine round trips per operation (issue 18, "cheaper wins"): a command monitor counts what a
 * successful paid booking (create → pay → WeChat's notification → confirmed), a sold-out loser and
 * a gate admission send to the engine. The counts are deterministic; the ceilings below are the
 * figures after the cheaper-wins work (docs/benchmarks.md has before/after), so a change that adds
 * round trips to the hot path fails here (and one that removes some updates the figure here).
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { servesExactKeyFiltersOnly } from '../../cloud/src/platform/db/connect';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, remainingOf, slotsOf } from '../support/venue-fixture';
import { connectCountingDatabase, formatTrips, type RoundTripCounter, type RoundTrips } from '../support/roundtrips';
import { until } from '../support/pay';
import { eventInput, idNumber, openEvent, organiser, participant } from '../support/event-fixture';

const clock = new ManualClock(new Date('2026-11-23T09:40:00Z')); // Monday 17:40 in Shanghai
const TODAY = '2026-11-23';
const TOMORROW = '2026-11-24';
let stack: TestStack;
let counter: RoundTripCounter;
let close: () => Promise<void>;
const report: string[] = [];

beforeAll(async () => {
  ({ counter, close } = await connectCountingDatabase('roundtrips'));
  stack = await startTestStack('roundtrips', {
    clock,
    reuseConnection: true,
    wechatPay: { signMode: 'public_key' },
    // the open-event copy lives 1 s by default: longer here, so a slow machine cannot change the counts
    env: { EVENT_OPEN_CACHE_MS: '600000' },
  });
}, 60_000);
afterAll(async () => {
  // one block to copy into docs/benchmarks.md
  console.log(report.join('\n'));
  await stack.stop();
  await close();
});

function record(label: string, t: RoundTrips) {
  report.push(formatTrips(label, t));
}

test('a successful paid booking: create, pay, notification, confirmed', async () => {
  const { courtId } = await createTestVenue(stack, { name: '往返计数馆', courtPriceFen: 4000 });
  const [slot] = await slotsOf(courtId, TOMORROW);
  const user = await stack.login('rt-winner');
  // warm-up: the first request of a user and of a limiter may build indexes or caches
  await stack.request('GET', '/me', { token: user.token });

  const create = await counter.measure(() => stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } }));
  expect(create.result.status).toBe(201);
  const { orderId } = create.result.body.booking;
  record('booking create (201, paid slot)', create.trips);
  // before issue 18: 11 (8 writes): the per-request rate-limit write is gone; then 10 (7): the effects
  // clean-up write is gone (the booked event is confirmed by the sweeper in bulk, platform/effects.ts `checks`)
  expect([create.trips.total, create.trips.writes]).toEqual([9, 6]);
  // the next citizen at this venue: its rules and its bans in force are read once per few seconds, not per booking
  const next = await stack.login('rt-next');
  await stack.request('GET', '/me', { token: next.token });
  const [, slot2] = await slotsOf(courtId, TOMORROW);
  const warm = await counter.measure(() => stack.request('POST', '/bookings', { token: next.token, body: { slotIds: [slot2.id] } }));
  expect(warm.result.status).toBe(201);
  record('booking create, venue read recently (201, paid slot)', warm.trips);
  expect(warm.trips.detail).toEqual({
    'find slots': 1,
    'insert bookings': 1,
    'update slots': 1,
    'update limit_counters': 1,
    'insert orders': 1,
    'findAndModify bookings': 1,
    'insert outbox': 1,
  });

  const pay = await counter.measure(() => stack.request('POST', `/orders/${orderId}/pay`, { token: user.token, body: {} }));
  expect(pay.result.status).toBe(200);
  record('pay (JSAPI prepay)', pay.trips);
  expect([pay.trips.total, pay.trips.writes]).toEqual([4, 2]); // before: 5 (3 writes)

  const prepayId = String(pay.result.body.payParams.package).replace('prepay_id=', '');
  const notify = await counter.measure(
    () =>
      fetch(`${stack.mock.url}/mock/pay/${prepayId}/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    // done when WeChat got our answer; polled on the stand-in, so the wait adds no round trips
    () => until(async () => stack.mock.wechatPay!.state.notifications.some((n) => n.out_trade_no === `CS${orderId}` && n.acknowledged)),
  );
  expect(notify.result.status).toBe(200);
  record('notification → order paid → booking confirmed (tickets, events)', notify.trips);
  // before: 13 (9 writes): the order is not read again to tell the domain, no voucher read without a voucher;
  // then 11 (9): tickets and the confirmed event are confirmed by the sweeper in bulk, no clean-up write
  expect([notify.trips.total, notify.trips.writes]).toEqual([10, 8]);

  const b = await stack.request('GET', `/bookings/${create.result.body.booking.id}`, { token: user.token });
  expect(b.body.booking.status).toBe('confirmed');
  const total = create.trips.total + pay.trips.total + notify.trips.total;
  const writes = create.trips.writes + pay.trips.writes + notify.trips.writes;
  report.push(`successful paid booking, all steps: ${total} round trips (${writes} writes)`);
});

test('a sold-out loser', async () => {
  const { courtId } = await createTestVenue(stack, { name: '往返计数馆2', courtPriceFen: 4000 });
  const [slot] = await slotsOf(courtId, TOMORROW);
  const winner = await stack.login('rt-w2');
  const loser = await stack.login('rt-l2');
  await stack.request('GET', '/me', { token: loser.token });
  expect((await stack.request('POST', '/bookings', { token: winner.token, body: { slotIds: [slot.id] } })).status).toBe(201);
  expect(await remainingOf(slot.id)).toBe(0);
  const lose = await counter.measure(() => stack.request('POST', '/bookings', { token: loser.token, body: { slotIds: [slot.id] } }));
  expect([lose.result.status, lose.result.body.error.code]).toEqual([409, 'SLOT_SOLD_OUT']);
  record('sold-out loser (409)', lose.trips);
  expect(lose.trips).toMatchObject({ total: 1, writes: 0 }); // before: 2 (1 write); the next one costs 0 (soldout-fastpath.test.ts)
});

test('a gate admission', async () => {
  const venue = await createTestVenue(stack, { name: '往返计数馆3' });
  const [session] = await slotsOf(venue.sessionId, TODAY);
  const holder = await stack.login('rt-holder');
  const gate = await stack.login('rt-gate');
  await grant(stack, gate.userId, 'staff', venue.venueId);
  const booked = await stack.request('POST', '/bookings', { token: holder.token, body: { slotIds: [session.id] } });
  expect(booked.status).toBe(201);
  const [ticket] = (await stack.request('GET', '/tickets/mine', { token: holder.token })).body.items;
  const { code } = (await stack.request('GET', `/tickets/${ticket.id}/code`, { token: holder.token })).body;
  await stack.request('GET', '/me', { token: gate.token });
  const scan = await counter.measure(() =>
    stack.request('POST', '/verifications', { token: gate.token, body: { code, venueId: venue.venueId } }),
  );
  expect(scan.result.status).toBe(200);
  record('gate admission (200)', scan.trips);
  expect([scan.trips.total, scan.trips.writes]).toEqual([9, 8]); // before: 10 (9 writes)
});

describe('a first-come event registration (issue 11)', () => {
  // the clock is 2026-11-23: a window around it, the race in March
  const input = (capacity: number) =>
    eventInput({ registration: { opensAt: '2026-11-01T00:00:00.000Z', closesAt: '2026-12-01T00:00:00.000Z' } }, [
      { name: '10公里', capacity, feeFen: 0, eligibility: {} },
    ]);
  const register = (token: string, eventId: string, groupId: string, id: string, key?: string) =>
    stack.request('POST', `/events/${eventId}/registrations`, {
      token,
      body: { groupId, participant: participant(id), healthPledge: true },
      ...(key ? { headers: { 'idempotency-key': key } } : {}),
    });

  test('a free first-come registration (201), with and without an Idempotency-Key, and a replay', async () => {
    const org = await organiser(stack, 'rt-org');
    const ev = await openEvent(stack, org, input(10));
    const [a, b] = await stack.loginMany('rt-runner', 2);
    for (const u of [a, b]) await stack.request('GET', '/me', { token: u.token });
    // warm-up: the first registration of the process builds caches (not counted)
    expect((await register(b.token, ev.id, ev.groups[0].id, idNumber('1990-01-01', 900))).status).toBe(201);

    const plain = await counter.measure(() => register(a.token, ev.id, ev.groups[0].id, idNumber('1990-01-01', 901)));
    expect(plain.result.status).toBe(201);
    record('event registration (201, free, first come)', plain.trips);
    // before: 16 (6 writes): the event and group read 4 times each (checks, two effects, the answer),
    // the account's name for the ticket, a results lookup for a registration made this instant
    expect(plain.trips.detail).toEqual({
      'insert event_registrations': 1, // before anything is taken (crash safety)
      'update event_groups': 1, // the guarded take (platform/capacity)
      'findAndModify event_registrations': 1, // the guarded transition recording its effects
      'insert tickets': 1,
      'insert outbox': 1,
      // no clean-up write: the ticket and the event are confirmed by the sweeper in bulk (platform/effects.ts `checks`)
    });

    const keyed = await counter.measure(() => register(a.token, ev.id, ev.groups[0].id, idNumber('1990-01-01', 902), 'rt-key-1'));
    expect(keyed.result.status).toBe(201);
    record('event registration with Idempotency-Key (201)', keyed.trips);
    // before: 20 (8 writes); now the claim (insert, done), the earlier-attempt lookup and the 5 above
    expect([keyed.trips.total, keyed.trips.writes]).toEqual([8, 7]);

    const replay = await counter.measure(() => register(a.token, ev.id, ev.groups[0].id, idNumber('1990-01-01', 902), 'rt-key-1'));
    expect(replay.result.status).toBe(200);
    record('event registration replayed (200)', replay.trips);
    // the claim's insert collides (the key is taken), then the stored answer is read and shown
    expect([replay.trips.total, replay.trips.writes]).toEqual([6, 1]);
  });

  test('a sold-out loser: the first reads the group full, the next is answered from the fast path', async () => {
    const org = await organiser(stack, 'rt-org2');
    const ev = await openEvent(stack, org, input(1));
    const [w, l1, l2] = await stack.loginMany('rt-soldout', 3);
    for (const u of [w, l1, l2]) await stack.request('GET', '/me', { token: u.token });
    expect((await register(w.token, ev.id, ev.groups[0].id, idNumber('1990-01-01', 910))).status).toBe(201);
    const first = await counter.measure(() => register(l1.token, ev.id, ev.groups[0].id, idNumber('1990-01-01', 911)));
    expect([first.result.status, first.result.body.error.code]).toEqual([409, 'GROUP_FULL']);
    record('event sold-out loser (409)', first.trips);
    // the instance's copy of the open group (≤ 1 s) still showed a place: the insert, the refused
    // take, the read that tells full from closed, the record dropped (no rollback: nothing was taken).
    // Before: 2 reads (the event and the group were read on every request)
    expect([first.trips.total, first.trips.writes]).toEqual([4, 3]);
    const fast = await counter.measure(() => register(l2.token, ev.id, ev.groups[0].id, idNumber('1990-01-01', 912)));
    expect([fast.result.status, fast.result.body.error.code]).toEqual([409, 'GROUP_FULL']);
    record('event sold-out loser, fast path (409)', fast.trips);
    // the refused take was remembered (the sold-out fast path): not one command. Before: 2 reads
    expect(fast.trips.total).toBe(0);
    // with an Idempotency-Key: one read (was the key used?), no claim written
    const keyed = await counter.measure(() => register(l2.token, ev.id, ev.groups[0].id, idNumber('1990-01-01', 912), 'rt-full-1'));
    expect([keyed.result.status, keyed.result.body.error.code]).toEqual([409, 'GROUP_FULL']);
    expect(keyed.trips.detail).toEqual({ 'aggregate idempotency_claims': 1 });
    expect(
      await mongoose.connection
        .db!.collection('event_registrations')
        .countDocuments({ groupId: new mongoose.Types.ObjectId(ev.groups[0].id) }),
    ).toBe(1);
  });
});

test('on mongo-java-server the hot {_id, status} transitions have an index on exactly those keys; on MongoDB they do not', async () => {
  const db = mongoose.connection.db!;
  const exactOnly = await servesExactKeyFiltersOnly(db);
  expect(exactOnly).toBe((process.env.TEST_ENGINE_NAME ?? '').startsWith('mongo-java-server'));
  for (const name of ['bookings', 'event_registrations']) {
    const indexes = await db.collection(name).indexes();
    expect(indexes.some((i) => i.name === 'exact_id_status' && JSON.stringify(i.key) === '{"_id":1,"status":1}' && i.unique)).toBe(
      exactOnly,
    );
  }
});
