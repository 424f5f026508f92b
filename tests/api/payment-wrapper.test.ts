/**
 * What our WeChat Pay wrapper does with answers it cannot trust (forged signature, unsigned 2xx,
 * no answer in time), a refund reservation cut short by a crash, and the daily reconciliation's
 * schedule — all through the real app against the stand-in.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { businessDay, shanghaiTime } from '@citysport/shared';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { orderOf, payAndConfirm, refundsAtWechat, until } from '../support/pay';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date());
const crashes = new CrashSwitch();
let stack: TestStack;
let admin: { token: string; userId: string };
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);
const wx = () => stack.mock.wechatPay!;

beforeAll(async () => {
  stack = await startTestStack('paywrapper', {
    clock,
    wechatPay: { signMode: 'platform_certificate' },
    env: { WECHATPAY_TIMEOUT_MS: '2500' },
    appDeps: { crashes },
  });
  admin = await stack.login('wrapper-admin');
  await grant(stack, admin.userId, 'admin');
}, 60_000);
afterEach(() => {
  wx().clearFaults();
  crashes.disarm();
});
afterAll(() => stack.stop());

let seq = 0;
async function heldBooking(openid: string) {
  const v = await createTestVenue(stack, { name: `签名馆-${seq++}`, courtPriceFen: 3000 });
  const user = await stack.login(openid);
  const [slot] = await slotsOf(v.courtId, daysAhead(clock, 2));
  const res = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } });
  expect(res.status).toBe(201);
  return { user, booking: res.body.booking as { id: string; orderId: string } };
}

const rawOrder = async (orderId: string) =>
  (await db()
    .collection('orders')
    .findOne({ _id: oid(orderId) }))!;

describe('answers our wrapper must not trust', () => {
  test.each([
    ['a forged signature', () => ({ signature: 'forged' as const })],
    ['no signature on a 2xx', () => ({ signature: 'missing' as const })],
    ['no answer in time', () => ({ hold: new Promise<void>((r) => setTimeout(r, 6000)) })],
  ])('JSAPI order with %s → 502 UPSTREAM_UNAVAILABLE, no prepay stored; a later pay works', async (_label, fault) => {
    const { user, booking } = await heldBooking(`jsapi-${seq}`);
    wx().fault({ route: 'POST /v3/pay/transactions/jsapi', times: 1, ...fault() });
    const res = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: {} });
    expect([res.status, res.body.error?.code]).toEqual([502, 'UPSTREAM_UNAVAILABLE']);
    expect(res.body.error.details).toBeUndefined();
    expect(await rawOrder(booking.orderId)).toMatchObject({ status: 'pending', prepayId: null, payableFen: 3000 });
    const again = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: {} });
    expect(again.status).toBe(200);
    expect(wx().state.transaction(`CS${booking.orderId}`)!.transaction.amount.total).toBe(3000);
  });

  test.each([
    ['a forged signature', () => ({ signature: 'forged' as const })],
    ['no signature on a 2xx', () => ({ signature: 'missing' as const })],
    ['no answer in time', () => ({ hold: new Promise<void>((r) => setTimeout(r, 6000)) })],
  ])('an order query answered with %s does not mark the order paid', async (_label, fault) => {
    const { user, booking } = await heldBooking(`query-${seq}`);
    const paid = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: {} });
    const prepayId = String(paid.body.payParams.package).replace('prepay_id=', '');
    await fetch(`${stack.mock.url}/mock/pay/${prepayId}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ notify: false }),
    });
    wx().fault({ route: `GET /v3/pay/transactions/out-trade-no/CS${booking.orderId}`, ...fault() });
    clock.advance(61_000);
    const result = await stack.cloud.services.payment!.reconcilePending();
    expect(result.failed).toBeGreaterThanOrEqual(1);
    expect((await orderOf(stack, user.token, booking.orderId)).status).toBe('pending');
    expect((await stack.request('GET', `/bookings/${booking.id}`, { token: user.token })).body.booking.status).toBe('held');
    // once WeChat's answers verify again, the same job applies the payment
    wx().clearFaults();
    await db()
      .collection('orders')
      .updateOne({ _id: oid(booking.orderId) }, { $set: { nextQueryAt: clock.now() } });
    await stack.cloud.services.payment!.reconcilePending();
    expect((await orderOf(stack, user.token, booking.orderId)).status).toBe('paid');
  });

  test('a refund answered with a forged signature stays processing (not success) until WeChat is asked again', async () => {
    const { user, booking } = await heldBooking('refund-forged');
    await payAndConfirm(stack, user.token, booking.orderId);
    wx().fault({ route: 'POST /v3/refund/domestic/refunds', signature: 'forged', times: 1 });
    // WeChat's own notification waits until the answer is read: on a starved machine it came in
    // (50 ms later) before our route had answered, and the answer then showed its success
    wx().holdRefunds();
    const res = await stack.request('POST', `/orders/${booking.orderId}/refund`, {
      token: admin.token,
      body: { reason: '补偿', amountFen: 1000 },
    });
    expect(res.status).toBe(200);
    // the forged answer said SUCCESS: the wrapper kept it processing
    expect(res.body.refund).toMatchObject({ status: 'processing', amountFen: 1000 });
    // the order moves on only when WeChat tells again with a signature that verifies: its refund notification
    wx().releaseRefunds();
    await until(async () => (await orderOf(stack, user.token, booking.orderId)).status === 'partially_refunded');
    // and it was that notification (acknowledged once our handler has stored it, so after the order shows it)
    await until(async () =>
      wx().state.notifications.some(
        (n) => n.out_trade_no === `CS${booking.orderId}` && n.event_type === 'REFUND.SUCCESS' && n.acknowledged,
      ),
    );
  });
});

test('a crash between reserving a refund and creating it is healed by the sweeper: one refund at WeChat, nothing lost', async () => {
  const { user, booking } = await heldBooking('refund-crash');
  await payAndConfirm(stack, user.token, booking.orderId);
  crashes.arm('effects:payment.order:refunds:before');
  const crashed = await stack.request('POST', `/orders/${booking.orderId}/refund`, {
    token: admin.token,
    body: { reason: '补偿', amountFen: 1200 },
  });
  expect(crashed.status).toBe(500);
  expect(crashes.hits).toContain('effects:payment.order:refunds:before');
  const left = await rawOrder(booking.orderId);
  expect(left).toMatchObject({ refundedFen: 1200, pending: ['refunds'] });
  expect(
    await db()
      .collection('refunds')
      .countDocuments({ orderId: oid(booking.orderId) }),
  ).toBe(0);
  expect(refundsAtWechat(stack, booking.orderId)).toHaveLength(0);

  clock.advance(61_000);
  expect(await stack.cloud.services.payment!.sweepEffects()).toEqual({ healed: 1, failed: 0 });
  expect(refundsAtWechat(stack, booking.orderId).map((r) => r.amount.refund)).toEqual([1200]);
  expect(
    await db()
      .collection('refunds')
      .countDocuments({ orderId: oid(booking.orderId) }),
  ).toBe(1);
  const healed = await rawOrder(booking.orderId);
  expect(healed.pending).toEqual([]);
  expect(healed.refundsOwed).toEqual([]);
  await until(async () => (await orderOf(stack, user.token, booking.orderId)).status === 'partially_refunded');
});

test('a crash between creating the refund record and sending it: the sweeper sends it once', async () => {
  const { user, booking } = await heldBooking('refund-crash-2');
  await payAndConfirm(stack, user.token, booking.orderId);
  crashes.arm('payment.refund:created');
  const crashed = await stack.request('POST', `/orders/${booking.orderId}/refund`, {
    token: admin.token,
    body: { reason: '补偿', amountFen: 800 },
  });
  expect(crashed.status).toBe(500);
  expect(
    await db()
      .collection('refunds')
      .countDocuments({ orderId: oid(booking.orderId) }),
  ).toBe(1);
  expect(refundsAtWechat(stack, booking.orderId)).toHaveLength(0);
  clock.advance(61_000);
  expect(await stack.cloud.services.payment!.sweepEffects()).toEqual({ healed: 1, failed: 0 });
  expect(refundsAtWechat(stack, booking.orderId).map((r) => r.amount.refund)).toEqual([800]);
  expect(
    await db()
      .collection('refunds')
      .countDocuments({ orderId: oid(booking.orderId) }),
  ).toBe(1);
});

describe('the daily reconciliation runs on the injected clock', () => {
  const job = () => stack.cloud.jobs.find((j) => j.name === 'payment.daily-reconciliation')!;
  const reports = () => db().collection('reconciliation_reports');

  test('before 10:00 Shanghai it is skipped; after, it runs once for yesterday; an existing report is skipped', async () => {
    const today = businessDay(clock.now());
    const yesterday = businessDay(new Date(shanghaiTime(today, '10:01').getTime() - 86_400_000));
    await reports().deleteMany({ _id: yesterday as never });
    clock.set(shanghaiTime(today, '09:59'));
    expect(await job().run()).toBe('skipped: bill not ready');
    expect(await reports().countDocuments({ _id: yesterday as never })).toBe(0);
    clock.set(shanghaiTime(today, '10:01'));
    expect(await job().run()).toMatchObject({ billDate: yesterday });
    const first = await reports().findOne({ _id: yesterday as never });
    expect(first).not.toBeNull();
    clock.advance(3600_000);
    expect(await job().run()).toBe('skipped: done');
    expect((await reports().findOne({ _id: yesterday as never }))!.checkedAt).toEqual(first!.checkedAt);
  });
});
