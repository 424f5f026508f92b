/**
 * Engine round trips per operation (issue 18, "cheaper wins"): a command monitor counts what a
 * successful paid booking (create → pay → WeChat's notification → confirmed), a sold-out loser and
 * a gate admission send to the engine. The counts are deterministic; the ceilings below are the
 * figures after the cheaper-wins work (docs/benchmarks.md has before/after), so a change that adds
 * round trips to the hot path fails here (and one that removes some updates the figure here).
 */
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, remainingOf, slotsOf } from '../support/venue-fixture';
import { connectCountingDatabase, formatTrips, type RoundTripCounter, type RoundTrips } from '../support/roundtrips';
import { until } from '../support/pay';

const clock = new ManualClock(new Date('2026-11-23T09:40:00Z')); // Monday 17:40 in Shanghai
const TODAY = '2026-11-23';
const TOMORROW = '2026-11-24';
let stack: TestStack;
let counter: RoundTripCounter;
let close: () => Promise<void>;
const report: string[] = [];

beforeAll(async () => {
  ({ counter, close } = await connectCountingDatabase('roundtrips'));
  stack = await startTestStack('roundtrips', { clock, reuseConnection: true, wechatPay: { signMode: 'public_key' } });
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
  // before issue 18: 11 (8 writes): the per-request rate-limit write is gone
  expect([create.trips.total, create.trips.writes]).toEqual([10, 7]);

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
  // before: 13 (9 writes): the order is not read again to tell the domain, no voucher read without a voucher
  expect([notify.trips.total, notify.trips.writes]).toEqual([11, 9]);

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
