/** Consumption vouchers (体育消费券): claiming under a rush, paying with one, refunds, the subsidy report. */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { until } from '../support/pay';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;
let admin: { token: string; userId: string };
const db = () => mongoose.connection.db!;
const day = () => daysAhead(clock, 2);

beforeAll(async () => {
  stack = await startTestStack('vouchers', { clock, wechatPay: { signMode: 'public_key' } });
  admin = await stack.login('bureau');
  await grant(stack, admin.userId, 'admin');
}, 60_000);
afterAll(() => stack.stop());

async function batch(body: Record<string, unknown>) {
  const res = await stack.request('POST', '/admin/voucher-batches', {
    token: admin.token,
    body: {
      name: '全民健身消费券',
      kind: 'amount',
      faceFen: 1000,
      minSpendFen: 2000,
      validFrom: new Date(clock.now().getTime() - 3600_000).toISOString(),
      validTo: new Date(clock.now().getTime() + 30 * 86_400_000).toISOString(),
      total: 100,
      ...body,
    },
  });
  expect(res.status).toBe(201);
  return res.body.batch.id as string;
}

async function claim(token: string, batchId: string) {
  return stack.request('POST', `/vouchers/batches/${batchId}/claim`, { token, body: {} });
}

test('control: without the guard, 500 citizens claiming a batch of 100 get more than 100', async () => {
  const control = await startTestStack('vouchers-control', {
    clock,
    reuseConnection: true,
    wechatPay: { signMode: 'public_key' },
    appDeps: { controlRunWithoutGuards: true },
  });
  try {
    const batchId = await batch({ total: 100 });
    const citizens = await stack.loginMany('control-claimer', 500);
    const results = await Promise.all(
      citizens.map((c) => control.request('POST', `/vouchers/batches/${batchId}/claim`, { token: c.token, body: {} })),
    );
    const claimed = results.filter((r) => r.status === 201).length;
    process.stdout.write(`[race] control vouchers: ${claimed} claimed of 100\n`);
    expect(claimed).toBeGreaterThan(100);
  } finally {
    await control.stop();
  }
});

test('500 citizens claiming a batch of 100 → exactly 100 claimed, the rest VOUCHER_SOLD_OUT', async () => {
  const batchId = await batch({ total: 100 });
  const citizens = await stack.loginMany('claimer', 500);
  const results = await Promise.all(citizens.map((c) => claim(c.token, batchId)));
  expect(results.filter((r) => r.status === 201)).toHaveLength(100);
  expect(results.filter((r) => r.body.error?.code === 'VOUCHER_SOLD_OUT')).toHaveLength(400);
  expect(
    await db()
      .collection('vouchers')
      .countDocuments({ batchId: new mongoose.Types.ObjectId(batchId) }),
  ).toBe(100);
  expect(
    (await db()
      .collection('voucher_batches')
      .findOne({ _id: new mongoose.Types.ObjectId(batchId) }))!.remaining,
  ).toBe(0);
  // nobody holds a per-person count without a voucher
  const counts = await db()
    .collection('limit_counters')
    .find({ _id: { $regex: `^voucher:${batchId}:` } as never })
    .toArray();
  expect(counts.reduce((s, c) => s + c.claims, 0)).toBe(100);
});

test('the per-person limit holds under a burst from one citizen', async () => {
  const batchId = await batch({ total: 50, perPersonLimit: 2 });
  const me = await stack.login('greedy');
  const results = await Promise.all(Array.from({ length: 20 }, () => claim(me.token, batchId)));
  expect(results.filter((r) => r.status === 201)).toHaveLength(2);
  expect(results.filter((r) => r.body.error?.code === 'VOUCHER_LIMIT_REACHED')).toHaveLength(18);
  expect(
    (await db()
      .collection('voucher_batches')
      .findOne({ _id: new mongoose.Types.ObjectId(batchId) }))!.remaining,
  ).toBe(48);
});

async function bookPaid(openid: string, priceFen: number) {
  const v = await createTestVenue(stack, { name: `券馆-${openid}`, courtPriceFen: priceFen });
  const user = await stack.login(openid);
  const [slot] = await slotsOf(v.courtId, day());
  const booking = (await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } })).body.booking;
  return { user, booking, venue: v };
}

test('a voucher lowers what WeChat is asked to charge; paid → used; the subsidy report shows it per venue', async () => {
  const batchId = await batch({ total: 10 });
  const { user, booking, venue } = await bookPaid('voucher-payer', 4000);
  const voucher = (await claim(user.token, batchId)).body.voucher;
  const paid = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: { voucherIds: [voucher.id] } });
  expect(paid.status).toBe(200);
  const tx = stack.mock.wechatPay!.state.transaction(`CS${booking.orderId}`)!;
  expect(tx.transaction.amount.total).toBe(3000); // 4000 − 1000
  const prepayId = String(paid.body.payParams.package).replace('prepay_id=', '');
  await fetch(`${stack.mock.url}/mock/pay/${prepayId}/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  await until(async () => (await stack.request('GET', `/orders/${booking.orderId}`, { token: user.token })).body.order.status === 'paid');
  const order = (await stack.request('GET', `/orders/${booking.orderId}`, { token: user.token })).body.order;
  expect(order).toMatchObject({ amountFen: 4000, discountFen: 1000, payableFen: 3000, voucherId: voucher.id });
  // the booking shows what was paid beside its list price (我的预订 showed ¥40 for ¥30 paid)
  await until(
    async () => (await stack.request('GET', `/bookings/${booking.id}`, { token: user.token })).body.booking.status === 'confirmed',
  );
  expect((await stack.request('GET', `/bookings/${booking.id}`, { token: user.token })).body.booking).toMatchObject({
    amountFen: 4000,
    paidFen: 3000,
  });
  const mine = (await stack.request('GET', '/vouchers/mine', { token: user.token })).body.items;
  expect(mine.find((v: { id: string }) => v.id === voucher.id).status).toBe('used');
  const report = (await stack.request('GET', '/admin/reports/subsidy', { token: admin.token })).body.items;
  expect(report.find((r: { venueId: string }) => r.venueId === venue.venueId)).toMatchObject({
    venueName: `券馆-voucher-payer`,
    orders: 1,
    subsidisedFen: 1000,
    paidFen: 3000,
  });
});

test('a fully covered order is paid without WeChat; a full refund gives the voucher back', async () => {
  const batchId = await batch({ faceFen: 5000, minSpendFen: 0, total: 5 });
  const { user, booking } = await bookPaid('covered', 3000);
  const voucher = (await claim(user.token, batchId)).body.voucher;
  const res = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: { voucherIds: [voucher.id] } });
  expect(res.status).toBe(200);
  expect(res.body.order).toMatchObject({ status: 'paid', payableFen: 0, discountFen: 3000 });
  expect(stack.mock.wechatPay!.state.transaction(`CS${booking.orderId}`)).toBeUndefined();
  expect((await stack.request('GET', `/bookings/${booking.id}`, { token: user.token })).body.booking).toMatchObject({
    status: 'confirmed',
    amountFen: 3000,
    paidFen: 0,
  });
  const refund = await stack.request('POST', `/orders/${booking.orderId}/refund`, { token: user.token, body: { reason: '行程变更' } });
  expect(refund.status).toBe(200);
  await until(
    async () => (await stack.request('GET', `/orders/${booking.orderId}`, { token: user.token })).body.order.status === 'refunded',
  );
  const mine = (await stack.request('GET', '/vouchers/mine', { token: user.token })).body.items;
  expect(mine.find((v: { id: string }) => v.id === voucher.id)).toMatchObject({ status: 'available', orderId: null });
});

test('a partial refund keeps the voucher used', async () => {
  const batchId = await batch({ total: 5 });
  const { user, booking } = await bookPaid('partial', 4000);
  const voucher = (await claim(user.token, batchId)).body.voucher;
  const paid = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: { voucherIds: [voucher.id] } });
  await fetch(`${stack.mock.url}/mock/pay/${String(paid.body.payParams.package).replace('prepay_id=', '')}/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  await until(async () => (await stack.request('GET', `/orders/${booking.orderId}`, { token: user.token })).body.order.status === 'paid');
  const part = await stack.request('POST', `/orders/${booking.orderId}/refund`, {
    token: admin.token,
    body: { reason: '场地灯光故障补偿', amountFen: 1000 },
  });
  expect(part.status).toBe(200);
  await until(
    async () =>
      (await stack.request('GET', `/orders/${booking.orderId}`, { token: user.token })).body.order.status === 'partially_refunded',
  );
  const over = await stack.request('POST', `/orders/${booking.orderId}/refund`, {
    token: admin.token,
    body: { reason: '超额退款', amountFen: 2500 },
  });
  expect([over.status, over.body.error.code]).toEqual([422, 'REFUND_NOT_ALLOWED']);
  const mine = (await stack.request('GET', '/vouchers/mine', { token: user.token })).body.items;
  expect(mine.find((v: { id: string }) => v.id === voucher.id).status).toBe('used');
});

test('vouchers that do not apply, belong to others or are malformed are refused, changing nothing', async () => {
  const minSpend = await batch({ minSpendFen: 10_000, total: 5 });
  const swimOnly = await batch({ sports: ['swimming'], total: 5 });
  const { user, booking } = await bookPaid('picky', 4000);
  const other = await stack.login('voucher-stranger');
  const tooSmall = (await claim(user.token, minSpend)).body.voucher;
  const wrongSport = (await claim(user.token, swimOnly)).body.voucher;
  const theirs = (await claim(other.token, swimOnly)).body.voucher;
  for (const [voucherIds, status, code] of [
    [[tooSmall.id], 422, 'VOUCHER_NOT_APPLICABLE'],
    [[wrongSport.id], 422, 'VOUCHER_NOT_APPLICABLE'],
    [[theirs.id], 404, 'VOUCHER_NOT_FOUND'],
    [[{ $gt: '' }], 400, 'VALIDATION_FAILED'],
    [[tooSmall.id, wrongSport.id], 400, 'VALIDATION_FAILED'],
  ] as const) {
    const res = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: { voucherIds } });
    expect([res.status, res.body.error?.code]).toEqual([status, code]);
  }
  const order = (await stack.request('GET', `/orders/${booking.orderId}`, { token: user.token })).body.order;
  expect(order).toMatchObject({ payableFen: 4000, discountFen: 0, voucherId: null, status: 'pending' });
  expect((await stack.request('GET', '/vouchers/mine', { token: other.token })).body.items[0].status).toBe('available');
});

test('only admins create batches; bad batches answer 400; claims of unknown batches 404', async () => {
  const citizen = await stack.login('not-admin');
  const body = {
    name: '券',
    kind: 'amount',
    faceFen: 100,
    validFrom: new Date().toISOString(),
    validTo: new Date(Date.now() + 86_400_000).toISOString(),
    total: 10,
  };
  expect(
    (await stack.request('POST', '/admin/voucher-batches', { token: citizen.token, body: { ...body, name: '冒充的券' } })).status,
  ).toBe(403);
  for (const bad of [
    { ...body, total: -1 },
    { ...body, kind: 'free' },
    { ...body, validTo: 'tomorrow' },
    { ...body, name: '券'.repeat(100) },
    { ...body, faceFen: '100' },
    { ...body, $where: 1 },
  ]) {
    const res = await stack.request('POST', '/admin/voucher-batches', { token: admin.token, body: bad });
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  }
  const res = await claim(citizen.token, '0123456789abcdef01234567');
  expect([res.status, res.body.error.code]).toEqual([404, 'VOUCHER_NOT_FOUND']);
  expect((await claim(citizen.token, 'nope')).status).toBe(400);
});

test('voucherIds: [] takes the voucher off an order not yet sent to WeChat, and frees it', async () => {
  const batchId = await batch({ total: 5 });
  const { user, booking } = await bookPaid('changes-mind', 4000);
  const voucher = (await claim(user.token, batchId)).body.voucher;
  const locked = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: { voucherIds: [voucher.id] } });
  expect(locked.status).toBe(200);
  // that pay call locked the amount and sent it to WeChat: the voucher can no longer come off
  const late = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: { voucherIds: [] } });
  expect([late.status, late.body.error.code]).toEqual([409, 'ORDER_LOCKED']);

  const second = await bookPaid('changes-mind-2', 4000);
  const v2 = (await claim(second.user.token, batchId)).body.voucher;
  // lock by applying on a fully covered order would pay it; use the service to lock without paying
  await stack.cloud.services.vouchers.lockFor(second.user.userId, v2.id, { id: second.booking.orderId, amountFen: 4000 });
  await mongoose.connection
    .db!.collection('orders')
    .updateOne(
      { _id: new mongoose.Types.ObjectId(second.booking.orderId) },
      { $set: { voucherId: new mongoose.Types.ObjectId(v2.id), discountFen: 1000, payableFen: 3000 } },
    );
  const off = await stack.request('POST', `/orders/${second.booking.orderId}/pay`, { token: second.user.token, body: { voucherIds: [] } });
  expect(off.status).toBe(200);
  expect(stack.mock.wechatPay!.state.transaction(`CS${second.booking.orderId}`)!.transaction.amount.total).toBe(4000);
  const mine = (await stack.request('GET', '/vouchers/mine', { token: second.user.token })).body.items;
  expect(mine.find((v: { id: string }) => v.id === v2.id)).toMatchObject({ status: 'available', orderId: null });
});
