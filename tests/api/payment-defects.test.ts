/**
 * Regression tests of the wave-1 payment defects (issue 8): each was red before its fix. The real
 * payment module and wechatpay-node-v3 against the stand-in, which can hold, delay or forge its
 * answers (ResponseFault).
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { buildSignedNotification } from '../../mock/src/wechatpay/notification';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { orderOf, payAndConfirm, refundsAtWechat, until } from '../support/pay';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;
let admin: { token: string; userId: string };
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);
const wx = () => stack.mock.wechatPay!;

beforeAll(async () => {
  stack = await startTestStack('paydefects', {
    clock,
    wechatPay: { signMode: 'platform_certificate' },
    env: { WECHATPAY_TIMEOUT_MS: '20000' },
  });
  admin = await stack.login('defects-admin');
  await grant(stack, admin.userId, 'admin');
}, 60_000);
afterEach(() => wx().clearFaults());
afterAll(() => stack.stop());

let venueSeq = 0;
async function heldBooking(openid: string, priceFen = 3000) {
  const v = await createTestVenue(stack, { name: `缺陷馆-${openid}-${venueSeq++}`, courtPriceFen: priceFen });
  const user = await stack.login(openid);
  const [slot] = await slotsOf(v.courtId, daysAhead(clock, 2));
  const res = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } });
  expect(res.status).toBe(201);
  return { user, booking: res.body.booking as { id: string; orderId: string } };
}

async function voucherFor(token: string, faceFen = 500) {
  const batch = await stack.request('POST', '/admin/voucher-batches', {
    token: admin.token,
    body: {
      name: '消费券',
      kind: 'amount',
      faceFen,
      minSpendFen: 0,
      validFrom: new Date(clock.now().getTime() - 3600_000).toISOString(),
      validTo: new Date(clock.now().getTime() + 30 * 86_400_000).toISOString(),
      total: 10,
    },
  });
  expect(batch.status).toBe(201);
  const claimed = await stack.request('POST', `/vouchers/batches/${batch.body.batch.id}/claim`, { token, body: {} });
  expect(claimed.status).toBe(201);
  return claimed.body.voucher.id as string;
}

const voucherStatus = async (id: string) =>
  (await db()
    .collection('vouchers')
    .findOne({ _id: oid(id) }))!.status;
const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
};

describe('paying while the voucher changes', () => {
  test('taking the voucher off while WeChat is creating the order → 409 ORDER_LOCKED; WeChat charges what the order says; the voucher stays locked', async () => {
    const { user, booking } = await heldBooking('race-voucher-off');
    const voucherId = await voucherFor(user.token);
    const g = gate();
    wx().fault({ route: 'POST /v3/pay/transactions/jsapi', hold: g.opened, times: 1 });
    const first = stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: { voucherIds: [voucherId] } });
    await until(async () => wx().state.transaction(`CS${booking.orderId}`) !== undefined);
    const change = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: { voucherIds: [] } });
    g.open();
    expect([change.status, change.body.error?.code]).toEqual([409, 'ORDER_LOCKED']);
    expect((await first).status).toBe(200);
    const o = await orderOf(stack, user.token, booking.orderId);
    expect(o).toMatchObject({ payableFen: 2500, discountFen: 500, voucherId });
    expect(wx().state.transaction(`CS${booking.orderId}`)!.transaction.amount.total).toBe(2500);
    expect(await voucherStatus(voucherId)).toBe('locked');
  });

  test('concurrent pays with and without a voucher: each answers 200 with the one prepay or 409, never 5xx', async () => {
    const { user, booking } = await heldBooking('race-concurrent-pays');
    const voucherId = await voucherFor(user.token);
    const g = gate();
    wx().fault({ route: 'POST /v3/pay/transactions/jsapi', hold: g.opened });
    const calls = [{}, { voucherIds: [voucherId] }, {}, { voucherIds: [voucherId] }, {}, { voucherIds: [voucherId] }].map((body) =>
      stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body }),
    );
    await until(async () => wx().state.transaction(`CS${booking.orderId}`) !== undefined);
    g.open();
    const results = await Promise.all(calls);
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    const prepays = new Set(results.filter((r) => r.status === 200).map((r) => r.body.payParams.package));
    expect(prepays.size).toBe(1);
    const o = await orderOf(stack, user.token, booking.orderId);
    expect(wx().state.transaction(`CS${booking.orderId}`)!.transaction.amount.total).toBe(o.payableFen);
    expect(await voucherStatus(voucherId)).toBe(o.voucherId ? 'locked' : 'available');
  });

  test('a payment of another amount than the locked one is flagged (stored, visible to admins), never applied — query job and reconciliation', async () => {
    const { user, booking } = await heldBooking('mismatch-query');
    const paid = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: {} });
    const prepayId = String(paid.body.payParams.package).replace('prepay_id=', '');
    // our record says less than WeChat will charge (what the race above used to produce)
    await db()
      .collection('orders')
      .updateOne({ _id: oid(booking.orderId) }, { $set: { payableFen: 2000, lockedFen: 2000 } });
    await fetch(`${stack.mock.url}/mock/pay/${prepayId}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ notify: false }),
    });
    clock.advance(61_000);
    await stack.cloud.services.payment!.reconcilePending();
    expect((await orderOf(stack, user.token, booking.orderId)).status).toBe('pending');
    const run = await stack.cloud.services.reconciliation!.run(new Date(clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10));
    expect(run.items.filter((i) => i.outTradeNo === `CS${booking.orderId}`).map((i) => i.kind)).toContain('amount_mismatch');
    expect((await orderOf(stack, user.token, booking.orderId)).status).toBe('pending');
    const flagged = await stack.request('GET', '/admin/payments/flagged', { token: admin.token });
    expect(flagged.status).toBe(200);
    expect(flagged.body.items.find((f: { orderId: string }) => f.orderId === booking.orderId)).toMatchObject({
      wechatFen: 3000,
      expectedFen: 2000,
    });
    const citizen = await stack.request('GET', '/admin/payments/flagged', { token: user.token });
    expect(citizen.status).toBe(403);
  });
});

test('an admin refund of a whole booking order goes through the booking: cancelled, ticket revoked, refunded', async () => {
  const { user, booking } = await heldBooking('admin-refund-whole');
  await payAndConfirm(stack, user.token, booking.orderId);
  await until(
    async () => (await stack.request('GET', `/bookings/${booking.id}`, { token: user.token })).body.booking.status === 'confirmed',
  );
  const res = await stack.request('POST', `/orders/${booking.orderId}/refund`, { token: admin.token, body: { reason: '场馆临时关闭' } });
  expect(res.status).toBe(200);
  expect((await stack.request('GET', `/bookings/${booking.id}`, { token: user.token })).body.booking.status).toBe('cancelled');
  const tickets = await db()
    .collection('tickets')
    .find({ bookingId: oid(booking.id) })
    .toArray();
  expect(tickets.length).toBeGreaterThan(0);
  expect(tickets.map((t) => t.status)).toEqual(tickets.map(() => 'revoked'));
  await until(async () => (await orderOf(stack, user.token, booking.orderId)).status === 'refunded');
  expect(refundsAtWechat(stack, booking.orderId).map((r) => r.amount.refund)).toEqual([3000]);
});

describe('vouchers come back', () => {
  test('an order that closes unpaid frees its voucher', async () => {
    const { user, booking } = await heldBooking('voucher-close');
    const voucherId = await voucherFor(user.token);
    expect(
      (await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: { voucherIds: [voucherId] } })).status,
    ).toBe(200);
    expect(await voucherStatus(voucherId)).toBe('locked');
    clock.advance(11 * 60_000);
    await stack.cloud.services.bookings.expireHolds();
    await stack.cloud.services.payment!.reconcilePending();
    await until(async () => (await orderOf(stack, user.token, booking.orderId)).status === 'closed');
    expect(await voucherStatus(voucherId)).toBe('available');
  });

  test('a full refund of a paid order gives its voucher back', async () => {
    const { user, booking } = await heldBooking('voucher-full-refund');
    const voucherId = await voucherFor(user.token);
    const paid = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: { voucherIds: [voucherId] } });
    await fetch(`${stack.mock.url}/mock/pay/${String(paid.body.payParams.package).replace('prepay_id=', '')}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await until(async () => (await orderOf(stack, user.token, booking.orderId)).status === 'paid');
    expect(await voucherStatus(voucherId)).toBe('used');
    const res = await stack.request('POST', `/orders/${booking.orderId}/refund`, { token: user.token, body: { reason: '行程变更' } });
    expect(res.status).toBe(200);
    await until(async () => (await orderOf(stack, user.token, booking.orderId)).status === 'refunded');
    expect(await voucherStatus(voucherId)).toBe('available');
  });
});

test('POST /orders/:id/refund with the same Idempotency-Key twice refunds once and answers the first refund again', async () => {
  const { user, booking } = await heldBooking('refund-idem');
  await payAndConfirm(stack, user.token, booking.orderId);
  const send = () =>
    stack.request('POST', `/orders/${booking.orderId}/refund`, {
      token: admin.token,
      headers: { 'Idempotency-Key': 'refund-key-0001' },
      body: { reason: '灯光故障补偿', amountFen: 1000 },
    });
  const first = await send();
  const second = await send();
  expect(first.status).toBe(200);
  expect(second.status).toBe(200);
  expect(second.body.refund.id).toBe(first.body.refund.id);
  expect(refundsAtWechat(stack, booking.orderId).map((r) => r.amount.refund)).toEqual([1000]);
  const other = await stack.request('POST', `/orders/${booking.orderId}/refund`, {
    token: admin.token,
    headers: { 'Idempotency-Key': 'refund-key-0001' },
    body: { reason: '灯光故障补偿', amountFen: 500 },
  });
  expect([other.status, other.body.error?.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
});

test('forged notifications with unknown serials do not make the server download certificates over and over', async () => {
  const { user, booking } = await heldBooking('serial-flood');
  await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: {} });
  const tx = wx().state.transaction(`CS${booking.orderId}`)!.transaction;
  const downloads = () => wx().requests.filter((r) => r.path === '/v3/certificates').length;
  const before = downloads();
  for (let i = 0; i < 5; i++) {
    const n = buildSignedNotification(stack.payKeys!, 'platform_certificate', 'TRANSACTION.SUCCESS', 'transaction', tx as never, 'none', {
      at: clock.now(),
    });
    const headers = { ...(n.headers as Record<string, string>), 'Wechatpay-Serial': `5157F09EFDC096DE15EBE81A47057A72${i}` };
    const res = await stack.request('POST', '/payments/wechat/notify', { rawBody: n.body, headers });
    expect(res.status).toBe(401);
  }
  expect(downloads() - before).toBeLessThanOrEqual(1);
});

describe('closing does not wait on WeChat', () => {
  test("the port's closeOrder is a local write: WeChat is not called", async () => {
    const { user, booking } = await heldBooking('close-local');
    await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: {} });
    const g = gate();
    wx().fault({ route: `POST /v3/pay/transactions/out-trade-no/CS${booking.orderId}/close`, hold: g.opened });
    try {
      await stack.cloud.payments.closeOrder(booking.orderId, 'expired');
      expect(wx().requests.filter((r) => r.path.endsWith(`CS${booking.orderId}/close`))).toHaveLength(0);
      const o = await db()
        .collection('orders')
        .findOne({ _id: oid(booking.orderId) });
      expect(o!.closeRequestedAt).toBeInstanceOf(Date);
    } finally {
      g.open();
    }
  });

  test('one slow WeChat close does not stall the other orders of the pending-order job', async () => {
    const slow = await heldBooking('close-slow');
    const fast = await heldBooking('close-fast');
    for (const b of [slow, fast]) await stack.request('POST', `/orders/${b.booking.orderId}/pay`, { token: b.user.token, body: {} });
    const g = gate();
    wx().fault({ route: `POST /v3/pay/transactions/out-trade-no/CS${slow.booking.orderId}/close`, hold: g.opened });
    clock.advance(11 * 60_000);
    const job = stack.cloud.services.payment!.reconcilePending();
    try {
      await until(async () => (await orderOf(stack, fast.user.token, fast.booking.orderId)).status === 'closed');
      expect((await orderOf(stack, slow.user.token, slow.booking.orderId)).status).toBe('pending');
    } finally {
      g.open();
      await job;
    }
  });
});
