/**
 * The unified payment flow end to end over HTTP: the real payment module and the real
 * wechatpay-node-v3 client against the WeChat Pay stand-in (real RSA signatures, AES-256-GCM).
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { createLogger } from '../../cloud/src/platform/logger';
import { buildSignedNotification } from '../../mock/src/wechatpay/notification';
import { startTestStack, type TestStack } from '../support/stack';
import { until } from '../support/pay';
import { createTestVenue, daysAhead, remainingOf, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;
const db = () => mongoose.connection.db!;
const day = () => daysAhead(clock, 2);

/** what the app logged at warn and above (the rejections' audit trail) */
const logged: { level: number; msg: string; reason?: string; orderId?: string }[] = [];
const logger = createLogger('warn', { write: (line: string) => void logged.push(JSON.parse(line)) });

beforeAll(async () => {
  stack = await startTestStack('payment', { clock, wechatPay: { signMode: 'platform_certificate' }, appDeps: { logger } });
}, 60_000);
afterAll(() => stack.stop());

async function paidBooking(openid: string, priceFen = 4000) {
  const v = await createTestVenue(stack, { name: `支付馆-${openid}`, courtPriceFen: priceFen });
  const user = await stack.login(openid);
  const [slot] = await slotsOf(v.courtId, day());
  const booked = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } });
  expect(booked.status).toBe(201);
  return { user, slot, booking: booked.body.booking, venue: v };
}

async function pay(token: string, orderId: string) {
  const res = await stack.request('POST', `/orders/${orderId}/pay`, { token, body: {} });
  expect(res.status).toBe(200);
  const prepayId = String(res.body.payParams.package).replace('prepay_id=', '');
  return { payParams: res.body.payParams, prepayId };
}

async function confirm(prepayId: string, body: Record<string, unknown> = {}) {
  const res = await fetch(`${stack.mock.url}/mock/pay/${prepayId}/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const bookingStatus = async (token: string, id: string) => (await stack.request('GET', `/bookings/${id}`, { token })).body.booking.status;
const order = async (token: string, id: string) => (await stack.request('GET', `/orders/${id}`, { token })).body.order;

test('book a paid slot → pay → the user pays → signed notification → booking confirmed; WeChat charged the payable amount', async () => {
  const { user, booking } = await paidBooking('payer-1', 4000);
  expect(booking.status).toBe('held');
  const before = await order(user.token, booking.orderId);
  expect(before).toMatchObject({ status: 'pending', amountFen: 4000, payableFen: 4000 });
  const { payParams, prepayId } = await pay(user.token, booking.orderId);
  expect(payParams).toEqual(
    expect.objectContaining({ timeStamp: expect.any(String), nonceStr: expect.any(String), signType: 'RSA', paySign: expect.any(String) }),
  );
  expect(stack.mock.wechatPay!.state.transactions.find((t) => t.prepay_id === prepayId)?.transaction.amount.total).toBe(4000);
  expect((await confirm(prepayId)).status).toBe(200);
  await until(async () => (await bookingStatus(user.token, booking.id)) === 'confirmed');
  expect(await order(user.token, booking.orderId)).toMatchObject({ status: 'paid' });
  expect(
    await db()
      .collection('outbox')
      .countDocuments({ eventId: `order.paid:${booking.orderId}` }),
  ).toBe(1);
});

test('a notification delivered 10 times, concurrently and late, leaves one payment and one state change', async () => {
  const { user, booking } = await paidBooking('payer-10x');
  const { prepayId } = await pay(user.token, booking.orderId);
  expect((await confirm(prepayId, { times: 10, delayMs: 200 })).status).toBe(200);
  await until(async () => {
    const n = stack.mock.wechatPay!.state.notifications.filter((x) => x.out_trade_no === `CS${booking.orderId}`);
    return n.length > 0 && n.every((x) => x.acknowledged && !x.pending);
  });
  expect(await bookingStatus(user.token, booking.id)).toBe('confirmed');
  expect(
    await db()
      .collection('wechat_transactions')
      .countDocuments({ orderId: new mongoose.Types.ObjectId(booking.orderId) }),
  ).toBe(1);
  expect(await db().collection('outbox').countDocuments({ type: 'order.paid', 'payload.orderId': booking.orderId })).toBe(1);
  expect(await db().collection('outbox').countDocuments({ type: 'booking.confirmed', 'payload.bookingId': booking.id })).toBe(1);
});

describe('forged or wrong notifications are rejected, change nothing, and are logged', () => {
  let target: Awaited<ReturnType<typeof paidBooking>>;
  let transaction: Record<string, unknown>;

  beforeAll(async () => {
    target = await paidBooking('forgery-target');
    await pay(target.user.token, target.booking.orderId);
    const tx = stack.mock.wechatPay!.state.transaction(`CS${target.booking.orderId}`)!.transaction;
    transaction = { ...tx, trade_state: 'SUCCESS', transaction_id: '4200000000202611210000000001', success_time: new Date().toISOString() };
  });

  test.each([
    ['forged signature', 'wrong-key', {}, 401, 'UNAUTHENTICATED', 'WeChat Pay notification rejected'],
    ['wrong serial', 'serial', {}, 401, 'UNAUTHENTICATED', 'WeChat Pay notification rejected'],
    ['altered body', 'body', {}, 401, 'UNAUTHENTICATED', 'WeChat Pay notification rejected'],
    ['stale timestamp', 'timestamp-stale', {}, 401, 'UNAUTHENTICATED', 'WeChat Pay notification rejected'],
    [
      'wrong amount',
      'none',
      { amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' } },
      409,
      'PAYMENT_AMOUNT_MISMATCH',
      'WeChat payment amount does not match the order; flagged, not applied',
    ],
    ['another merchant', 'none', { mchid: '1900000999' }, 403, 'FORBIDDEN', 'WeChat Pay notification rejected: another merchant or app'],
  ] as const)('%s → %i %s, logged, booking still held', async (_label, tamper, override, status, code, logLine) => {
    const n = buildSignedNotification(
      stack.payKeys!,
      'platform_certificate',
      'TRANSACTION.SUCCESS',
      'transaction',
      { ...transaction, ...override } as never,
      tamper,
      { at: clock.now() },
    );
    const before = logged.length;
    const res = await stack.request('POST', '/payments/wechat/notify', { rawBody: n.body, headers: n.headers as Record<string, string> });
    expect([res.status, res.body.error?.code]).toEqual([status, code]);
    expect(logged.slice(before).filter((l) => l.msg === logLine && l.level >= 40)).toHaveLength(1);
    expect(await bookingStatus(target.user.token, target.booking.id)).toBe('held');
    expect(await order(target.user.token, target.booking.orderId)).toMatchObject({ status: 'pending' });
  });

  test('a replayed nonce is refused even when the first delivery was genuine', async () => {
    const n = buildSignedNotification(
      stack.payKeys!,
      'platform_certificate',
      'TRANSACTION.SUCCESS',
      'transaction',
      { ...transaction, trade_state: 'NOTPAY' } as never,
      'none',
      { at: clock.now() },
    );
    const first = await stack.request('POST', '/payments/wechat/notify', { rawBody: n.body, headers: n.headers as Record<string, string> });
    expect(first.status).toBe(204);
    const replay = await stack.request('POST', '/payments/wechat/notify', {
      rawBody: n.body,
      headers: n.headers as Record<string, string>,
    });
    expect(replay.status).toBe(401);
    expect(await bookingStatus(target.user.token, target.booking.id)).toBe('held');
  });
});

test('no notification: the pending-order job asks WeChat and applies the payment', async () => {
  const { user, booking } = await paidBooking('silent-payer');
  const { prepayId } = await pay(user.token, booking.orderId);
  expect((await confirm(prepayId, { notify: false })).status).toBe(200);
  clock.advance(61_000);
  await stack.cloud.services.payment!.reconcilePending();
  expect(await bookingStatus(user.token, booking.id)).toBe('confirmed');
});

test('a payment that arrives after the hold expired is refunded automatically', async () => {
  const { user, booking, slot } = await paidBooking('late-payer');
  const { prepayId } = await pay(user.token, booking.orderId);
  // the hold ends and its place is given away, but the user had paid at WeChat just before
  expect((await confirm(prepayId, { notify: false })).status).toBe(200);
  clock.advance(11 * 60_000);
  await stack.cloud.services.bookings.expireHolds();
  expect(await bookingStatus(user.token, booking.id)).toBe('expired');
  expect(await remainingOf(slot.id)).toBe(1);
  // the hold's close is left to the pending-order job, which finds the payment at WeChat
  await stack.cloud.services.payment!.reconcilePending();
  await until(async () => (await order(user.token, booking.orderId)).status === 'refunded');
  const o = await order(user.token, booking.orderId);
  expect(o.note).toContain('原路退回');
  const refunds = stack.mock.wechatPay!.state.refunds.filter((r) => r.refund.out_trade_no === `CS${booking.orderId}`);
  expect(refunds.map((r) => r.refund.amount.refund)).toEqual([4000]);
});

test('cancelling a paid booking refunds it; the refund notification twice makes one refund', async () => {
  const { user, booking } = await paidBooking('refund-twice');
  const { prepayId } = await pay(user.token, booking.orderId);
  await confirm(prepayId);
  await until(async () => (await bookingStatus(user.token, booking.id)) === 'confirmed');
  const cancel = await stack.request('POST', `/orders/${booking.orderId}/refund`, { token: user.token, body: { reason: '临时有事' } });
  expect(cancel.status).toBe(200);
  expect(await bookingStatus(user.token, booking.id)).toBe('cancelled');
  await until(async () => (await order(user.token, booking.orderId)).status === 'refunded');
  const refund = await db()
    .collection('refunds')
    .findOne({ orderId: new mongoose.Types.ObjectId(booking.orderId) });
  const wx = stack.mock.wechatPay!.state.refunds.find((r) => r.refund.out_refund_no === String(refund!._id))!.refund;
  const again = buildSignedNotification(
    stack.payKeys!,
    'platform_certificate',
    'REFUND.SUCCESS',
    'refund',
    { ...wx, refund_status: 'SUCCESS', mchid: stack.payKeys!.mchid } as never,
    'none',
    { at: clock.now() },
  );
  const res = await stack.request('POST', '/payments/wechat/refund-notify', {
    rawBody: again.body,
    headers: again.headers as Record<string, string>,
  });
  expect(res.status).toBe(204);
  expect(
    await db()
      .collection('refunds')
      .countDocuments({ orderId: new mongoose.Types.ObjectId(booking.orderId) }),
  ).toBe(1);
  expect(await db().collection('outbox').countDocuments({ type: 'order.refunded', 'payload.orderId': booking.orderId })).toBe(1);
  expect(stack.mock.wechatPay!.state.refunds.filter((r) => r.refund.out_trade_no === `CS${booking.orderId}`)).toHaveLength(1);
});

describe('order endpoints: bad input and other users', () => {
  test("another user's order looks absent; bad ids and bodies answer 400; a paid order cannot be paid again", async () => {
    const { user, booking } = await paidBooking('order-owner');
    const other = await stack.login('order-intruder');
    for (const [method, path, body] of [
      ['GET', `/orders/${booking.orderId}`, undefined],
      ['POST', `/orders/${booking.orderId}/pay`, {}],
    ] as const) {
      const res = await stack.request(method, path, { token: other.token, body });
      expect([res.status, res.body.error.code]).toEqual([404, 'NOT_FOUND']);
    }
    for (const [path, body] of [
      ['/orders/nope/pay', {}],
      [`/orders/${booking.orderId}/pay`, { voucherIds: { $gt: '' } }],
      [`/orders/${booking.orderId}/pay`, { extra: 1 }],
      [`/orders/${booking.orderId}/refund`, { reason: 'x'.repeat(500) }],
      [`/orders/${booking.orderId}/refund`, { reason: '退款', amountFen: -5 }],
    ] as const) {
      const res = await stack.request('POST', path, { token: user.token, body });
      expect([path, res.status, res.body.error.code]).toEqual([path, 400, 'VALIDATION_FAILED']);
    }
    const { prepayId } = await pay(user.token, booking.orderId);
    await confirm(prepayId);
    await until(async () => (await order(user.token, booking.orderId)).status === 'paid');
    const again = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: {} });
    expect([again.status, again.body.error.code]).toEqual([409, 'ORDER_NOT_PAYABLE']);
    const noBody = await stack.request('POST', '/payments/wechat/notify', { rawBody: '{}' });
    expect(noBody.status).toBe(401);
  });
});
