/**
 * Attack: the process dies after an idempotent request did its work but before the answer was
 * stored; the client retries with the same Idempotency-Key once the claim's lease has passed
 * (kernel claimOnce takes the claim over and runs the work again).
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { payAndConfirm, refundsAtWechat, until } from '../support/pay';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

jest.setTimeout(120_000);

const clock = new ManualClock(new Date());
const crashes = new CrashSwitch();
let stack: TestStack;
let admin: { token: string; userId: string };
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  stack = await startTestStack('attackidemcrash', { clock, appDeps: { crashes }, wechatPay: { signMode: 'platform_certificate' } });
  admin = await stack.login('attack-idem-admin');
  await grant(stack, admin.userId, 'admin');
}, 120_000);
afterEach(() => crashes.disarm());
afterAll(() => stack.stop());

// Was red: claimOnce's takeover after a crash ran the work again although the crashed attempt had
// reserved its refund, so one key made two refunds ([1000, 1000]). The refund's id now comes from the key.
test('a refund whose process died after the reservation, retried with the same Idempotency-Key after the lease: refunded once', async () => {
  const v = await createTestVenue(stack, { name: '幂等崩溃退款馆', courtPriceFen: 3000 });
  const user = await stack.login('attack-idem-refund');
  const [slot] = await slotsOf(v.courtId, daysAhead(clock, 2));
  const booked = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } });
  expect(booked.status).toBe(201);
  const orderId = booked.body.booking.orderId as string;
  await payAndConfirm(stack, user.token, orderId);
  const send = () =>
    stack.request('POST', `/orders/${orderId}/refund`, {
      token: admin.token,
      headers: { 'Idempotency-Key': 'attack-refund-crash-1' },
      body: { reason: '灯光补偿', amountFen: 1000 },
    });
  crashes.arm('payment.refund:reserved');
  expect((await send()).status).toBe(500);
  expect(crashes.hits.at(-1)).toBe('payment.refund:reserved');
  clock.advance(3 * 60_000); // the claim's lease has passed; the sweeper's time has come too
  const retried = await send();
  expect(retried.status).toBe(200);
  await stack.cloud.services.payment!.sweepEffects();
  await until(async () => refundsAtWechat(stack, orderId).length > 0);
  expect(refundsAtWechat(stack, orderId).map((r) => r.amount.refund)).toEqual([1000]);
});

// Was red (2 bookings): the same for bookings — a booking placed (its effects owed) by a request that
// then died was placed a second time by the retry. The booking now carries its key and the retry finds it.
test('a booking whose process died after it was placed, retried with the same Idempotency-Key after the lease: one booking', async () => {
  const v = await createTestVenue(stack, { name: '幂等崩溃订场馆' });
  const user = await stack.login('attack-idem-booking');
  const [s] = await slotsOf(v.sessionId, daysAhead(clock, 2));
  const send = () =>
    stack.request('POST', '/bookings', {
      token: user.token,
      headers: { 'Idempotency-Key': 'attack-booking-crash-1' },
      body: { slotIds: [s.id] },
    });
  crashes.arm('booking.book:after-transition');
  expect((await send()).status).toBe(500);
  expect(crashes.hits.at(-1)).toBe('booking.book:after-transition');
  clock.advance(3 * 60_000);
  await stack.cloud.services.bookings.healCrashed();
  const retried = await send();
  expect(retried.status).toBe(201);
  const mine = await db()
    .collection('bookings')
    .countDocuments({ userId: new mongoose.Types.ObjectId(user.userId), status: { $in: ['held', 'confirmed'] } });
  expect(mine).toBe(1);
});

// Was red (the sweeper never sent B: the first refund's finish cleared `pending` while B was still owed).
test('a refund reserved while another is being sent, then its process dies: the sweeper still sends it', async () => {
  const v = await createTestVenue(stack, { name: '并发退款崩溃馆', courtPriceFen: 3000 });
  const user = await stack.login('attack-refund-overlap');
  const [slot] = await slotsOf(v.courtId, daysAhead(clock, 2));
  const booked = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } });
  expect(booked.status).toBe(201);
  const orderId = booked.body.booking.orderId as string;
  await payAndConfirm(stack, user.token, orderId);
  const part = (amountFen: number) =>
    stack.request('POST', `/orders/${orderId}/refund`, { token: admin.token, body: { reason: '补偿', amountFen } });
  // refund A is at WeChat (held there) …
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  stack.mock.wechatPay!.fault({ route: 'POST /v3/refund/domestic/refunds', hold: opened, times: 1 });
  const first = part(1000);
  await until(
    async () =>
      (await db()
        .collection('refunds')
        .countDocuments({ orderId: new mongoose.Types.ObjectId(orderId) })) === 1,
  );
  // … while refund B is reserved and its process dies before making it
  crashes.arm('payment.refund:reserved');
  expect((await part(500)).status).toBe(500);
  open();
  expect((await first).status).toBe(200);
  clock.advance(3 * 60_000);
  await stack.cloud.services.payment!.sweepEffects();
  await until(async () => refundsAtWechat(stack, orderId).length === 2);
  expect(
    refundsAtWechat(stack, orderId)
      .map((r) => r.amount.refund)
      .sort(),
  ).toEqual([1000, 500].sort());
});
