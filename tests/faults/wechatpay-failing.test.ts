/**
 * Fault: WeChat Pay slow beyond our timeout and answering 5xx (issue 18, item 4). The stand-in
 * fails each call of the money path — the JSAPI order (pay), the order query, the refund and the
 * refund query — four ways: a 5xx before doing the work, a 5xx after doing it, slow (3 s against
 * WECHATPAY_TIMEOUT_MS 1.5 s) before doing it, slow after doing it. After the jobs have run,
 * every order is paid exactly once and every refund made exactly once, at WeChat and here.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { createWechatPay } from '../../cloud/src/platform/wechatpay';
import type { ResponseFault } from '../../mock/src/wechatpay/standin.types';
import { startTestStack, type TestStack } from '../support/stack';
import { orderOf, refundsAtWechat, until } from '../support/pay';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
const TIMEOUT_MS = 1500;
const SLOW_MS = 3000;
let stack: TestStack;
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);
const wx = () => stack.mock.wechatPay!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  stack = await startTestStack('wxfail', {
    clock,
    wechatPay: { signMode: 'public_key' },
    env: { WECHATPAY_TIMEOUT_MS: String(TIMEOUT_MS) },
  });
}, 60_000);
afterEach(() => wx().clearFaults());
afterAll(() => stack.stop());

const FAULTS: [string, Omit<ResponseFault, 'route'>][] = [
  ['a 5xx before the work', { status: 500, before: true }],
  ['a 5xx after the work', { status: 503 }],
  ['slow before the work', { delayMs: SLOW_MS, before: true }],
  ['slow after the work', { delayMs: SLOW_MS }],
];

/** The payment and refund jobs, as every instance runs them, with time moving on between runs. */
async function runJobs(rounds: number, done: () => Promise<boolean>) {
  const p = stack.cloud.services.payment!;
  for (let i = 0; i < rounds && !(await done()); i++) {
    clock.advance(2 * 60_000 + 1_000); // past the queries' backoff (2^n minutes), inside the 10-minute hold
    await p.reconcilePending();
    await p.sweepEffects();
    await p.reconcileRefunds();
    await stack.cloud.services.bookings.healCrashed();
    await sleep(100); // WeChat's notifications of what was settled meanwhile
  }
}

test('the wrapper gives up at WECHATPAY_TIMEOUT_MS on pay, order query and refund alike (the work still happens at WeChat)', async () => {
  const keys = stack.payKeys!;
  const pay = createWechatPay({
    apiBase: stack.mock.url,
    timeoutMs: stack.config.WECHATPAY_TIMEOUT_MS,
    now: () => clock.now(),
    credentials: {
      appid: 'wx-test-app',
      mchid: keys.mchid,
      apiV3Key: keys.apiV3Key,
      merchantSerialNo: keys.merchant.serialNo,
      merchantPrivateKeyPem: keys.merchant.privateKeyPem,
      merchantCertPem: keys.merchant.certPem,
      publicKey: { keyId: keys.publicKeyMode.keyId, pem: keys.publicKeyMode.publicKeyPem },
    },
  });
  expect(stack.config.WECHATPAY_TIMEOUT_MS).toBe(TIMEOUT_MS);
  const outTradeNo = `CSTIMEOUT${Date.now()}`;
  const order = {
    description: '超时测试',
    outTradeNo,
    timeExpire: new Date(clock.now().getTime() + 600_000),
    notifyUrl: `${stack.url}/api/v1/payments/wechat/notify`,
    totalFen: 100,
    openid: 'o-timeout',
  };
  const gaveUp = async (call: () => Promise<unknown>) => {
    const err = (await call().then(
      () => null,
      (e: unknown) => e,
    )) as { code?: string; wechatStatus?: number } | null;
    return [err?.code, err?.wechatStatus];
  };
  wx().fault({ route: 'POST /v3/pay/transactions/jsapi', delayMs: SLOW_MS, times: 1 });
  expect(await gaveUp(() => pay.jsapi(order))).toEqual(['UPSTREAM_UNAVAILABLE', 599]);
  const { prepayId } = await pay.jsapi(order); // the same order again: WeChat made it meanwhile
  wx().confirmPayment(prepayId, { notify: false });
  wx().fault({ route: `GET /v3/pay/transactions/out-trade-no/${outTradeNo}`, delayMs: SLOW_MS, times: 1 });
  expect(await gaveUp(() => pay.query(outTradeNo))).toEqual(['UPSTREAM_UNAVAILABLE', 599]);
  const refund = { outTradeNo, outRefundNo: `RF${outTradeNo}`, reason: '超时', notifyUrl: order.notifyUrl, refundFen: 100, totalFen: 100 };
  wx().fault({ route: 'POST /v3/refund/domestic/refunds', delayMs: SLOW_MS, times: 1 });
  expect(await gaveUp(() => pay.refund(refund))).toEqual(['UPSTREAM_UNAVAILABLE', 599]);
  // WeChat made the refund although we stopped waiting; asking again answers that one refund
  await until(async () => wx().state.refunds.some((r) => r.refund.out_refund_no === refund.outRefundNo), SLOW_MS * 2);
  expect((await pay.refund(refund)).out_refund_no).toBe(refund.outRefundNo);
  expect(wx().state.refunds.filter((r) => r.refund.out_trade_no === outTradeNo)).toHaveLength(1);
});

test.each(FAULTS)(
  'WeChat Pay failing with %s on pay, order query, refund and refund query: paid once, refunded once',
  async (label, fault) => {
    const v = await createTestVenue(stack, { name: `微信故障馆-${label}`, courtPriceFen: 3000 });
    const user = await stack.login(`wxfail-${label.replace(/[^a-z0-9]+/gi, '-')}`);
    const [slot] = await slotsOf(v.courtId, daysAhead(clock, 2));
    const booked = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } });
    expect(booked.status).toBe(201);
    const { id: bookingId, orderId } = booked.body.booking as { id: string; orderId: string };
    const outTradeNo = `CS${orderId}`;

    // every fault is played once (the stand-in counts `times` down as it plays one)
    const played: ResponseFault[] = [];
    const play = (route: string) => {
      const f = { route, times: 1, ...fault };
      played.push(f);
      wx().fault(f);
    };

    // 1. pay: the first JSAPI order fails; the citizen taps 支付 again until it answers
    play('POST /v3/pay/transactions/jsapi');
    const first = await stack.request('POST', `/orders/${orderId}/pay`, { token: user.token, body: {} });
    expect([first.status, first.body.error?.code]).toEqual([502, 'UPSTREAM_UNAVAILABLE']);
    let paid = first;
    for (let i = 0; i < 5 && paid.status !== 200; i++)
      paid = await stack.request('POST', `/orders/${orderId}/pay`, { token: user.token, body: {} });
    expect(paid.status).toBe(200);
    const prepayId = String(paid.body.payParams.package).replace('prepay_id=', '');
    // the citizen pays; WeChat's notification never arrives: only the order query can tell us
    wx().confirmPayment(prepayId, { notify: false });

    // 2. the order query fails once; the pending-order job asks again later
    play(`GET /v3/pay/transactions/out-trade-no/${outTradeNo}`);
    await runJobs(4, async () => (await orderOf(stack, user.token, orderId)).status === 'paid');
    expect((await orderOf(stack, user.token, orderId)).status).toBe('paid');
    expect((await stack.request('GET', `/bookings/${bookingId}`, { token: user.token })).body.booking.status).toBe('confirmed');
    expect(
      await db()
        .collection('tickets')
        .countDocuments({ bookingId: oid(bookingId) }),
    ).toBe(1);

    // 3. the citizen cancels: the refund request fails once, and so does the first refund query
    play('POST /v3/refund/domestic/refunds');
    play('GET /v3/refund/domestic/refunds/');
    const cancelled = await stack.request('POST', `/bookings/${bookingId}/cancel`, { token: user.token, body: { reason: '有事' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.booking.status).toBe('cancelled');
    const settled = async () => {
      const refunds = await db()
        .collection('refunds')
        .find({ orderId: oid(orderId) })
        .toArray();
      return refunds.length > 0 && refunds.every((r) => r.status === 'success');
    };
    await runJobs(6, settled);
    await sleep(SLOW_MS + 500); // whatever WeChat was still working on (a slow request) has landed
    await runJobs(2, async () => false);

    // paid exactly once: one transaction at WeChat, one paid order, one confirmation, one ticket (revoked now)
    const atWechat = wx().state.transaction(outTradeNo)!;
    expect(atWechat.transaction.trade_state).toBe('REFUND');
    const o = await db()
      .collection('orders')
      .findOne({ _id: oid(orderId) });
    expect(o).toMatchObject({ status: 'refunded', refundedFen: 3000, refundCount: 1, transactionId: atWechat.transaction.transaction_id });
    expect(await db().collection('outbox').countDocuments({ type: 'order.paid', 'payload.orderId': orderId })).toBe(1);
    expect(
      await db()
        .collection('tickets')
        .countDocuments({ bookingId: oid(bookingId), status: { $ne: 'revoked' } }),
    ).toBe(0);
    // refunded exactly once: one refund at WeChat for the whole amount, one here, settled
    expect(refundsAtWechat(stack, orderId).map((r) => [r.amount.refund, r.status])).toEqual([[3000, 'SUCCESS']]);
    const refunds = await db()
      .collection('refunds')
      .find({ orderId: oid(orderId) })
      .toArray();
    expect(refunds.map((r) => [r.amountFen, r.status])).toEqual([[3000, 'success']]);
    expect(refunds[0]._id).toBe(refundsAtWechat(stack, orderId)[0].out_refund_no);
    expect(await db().collection('outbox').countDocuments({ type: 'order.refunded', 'payload.orderId': orderId })).toBe(1);
    // the place came back once
    expect(
      (await db()
        .collection('slots')
        .findOne({ _id: oid(slot.id) }))!.remaining,
    ).toBe(1);
    expect(o!.pending ?? []).toEqual([]);
    // the pay, order-query and refund faults were all played; the refund-query one whenever the jobs had to ask
    // (WeChat's refund notification settles a refund it made without any query)
    const refundQueries = wx().requests.filter((r) => r.method === 'GET' && r.path === `/v3/refund/domestic/refunds/${refunds[0]._id}`);
    expect(played.map((f) => [f.route, f.times])).toEqual(played.map((f, i) => [f.route, i < 3 || refundQueries.length > 0 ? 0 : 1]));
  },
  60_000,
);
