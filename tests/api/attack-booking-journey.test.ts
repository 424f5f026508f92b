/**
 * Attacks on the venue-booking journey (issue 10), as an attacker and as an operator whose
 * process dies between two writes: 电子发票, partial cancels and their refunds, companions'
 * tickets, vouchers, 候补 and 放号提醒, 意见反馈, 爽约记录 and venue search. Over HTTP against the
 * real app and engine, with the WeChat Pay stand-in; a race with a guard is shown first without
 * it (the kernel's control-run switch).
 */
import mongoose from 'mongoose';
import { isValidTaxId } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { orderOf, payAndConfirm, refundsAtWechat, until } from '../support/pay';
import { createTestVenue, daysAhead, remainingOf, slotsOf } from '../support/venue-fixture';

jest.setTimeout(180_000);

const clock = new ManualClock(new Date());
const crashes = new CrashSwitch();
let stack: TestStack;
let control: TestStack;
let admin: { token: string; userId: string };
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);

beforeAll(async () => {
  stack = await startTestStack('attackjourney', {
    clock,
    appDeps: { crashes },
    wechatPay: { signMode: 'platform_certificate' },
    env: { WECHATPAY_TIMEOUT_MS: '20000' },
  });
  control = await startTestStack('attackjourney-control', {
    clock,
    reuseConnection: true,
    appDeps: { controlRunWithoutGuards: true },
    wechatPay: { signMode: 'public_key' },
  });
  admin = await stack.login('attack-journey-admin');
  await grant(stack, admin.userId, 'admin');
}, 120_000);
afterAll(async () => {
  await control.stop();
  await stack.stop();
});
afterEach(() => crashes.disarm());

let seq = 0;
/** A paid booking of `hours` consecutive court hours at 2500 fen each, two days ahead, early in the day. */
async function paidBooking(tag: string, hours = 3, on: TestStack = stack) {
  const v = await createTestVenue(on, { name: `攻击旅程馆-${tag}-${seq++}`, courtPriceFen: 2500 });
  const user = await on.login(`attack-journey-${tag}-${seq}`);
  const courts = (await slotsOf(v.courtId, daysAhead(clock, 2))).slice(2, 2 + hours);
  const res = await on.request('POST', '/bookings', { token: user.token, body: { slotIds: courts.map((s) => s.id) } });
  expect(res.status).toBe(201);
  const booking = res.body.booking as { id: string; orderId: string };
  await payAndConfirm(on, user.token, booking.orderId);
  await until(async () => (await on.request('GET', `/bookings/${booking.id}`, { token: user.token })).body.booking.status === 'confirmed');
  return { user, booking, orderId: booking.orderId, slots: courts, venue: v };
}
const orderDoc = async (orderId: string) =>
  (await db()
    .collection('orders')
    .findOne({ _id: oid(orderId) }))!;
const refundedAtWechat = (orderId: string) => refundsAtWechat(stack, orderId).reduce((sum, r) => sum + r.amount.refund, 0);
const validTickets = (bookingId: string) =>
  db().collection('tickets').countDocuments({ 'source.kind': 'booking', 'source.id': bookingId, status: 'valid' });

/**
 * Runs the invoice job (a minute apart) until the order's invoice shows `status`: the job takes 100
 * due invoices a run, and the control runs leave many of their own in the same database.
 */
async function invoiceJobUntil(token: string, orderId: string, status: string) {
  for (let i = 0; i < 20; i++) {
    await stack.cloud.services.payment!.invoices.runJob();
    const inv = (await stack.request('GET', `/orders/${orderId}/invoice`, { token })).body.invoice;
    if (inv?.status === status) return inv;
    clock.advance(60_000);
  }
  throw new Error(`the invoice of ${orderId} never became ${status}`);
}

function taxId(body17: string): string {
  for (const c of '0123456789ABCDEFGHJKLMNPQRTUWXY') if (isValidTaxId(body17 + c)) return body17 + c;
  throw new Error('no check character');
}
const person = { buyerType: 'person', title: '张三', email: 'zhangsan@example.com' };
const company = { buyerType: 'company', title: '苏州某某体育有限公司', taxId: taxId('91320508MA1N8TQK0'), email: 'cw@example.com' };

// ---------- partial cancels and refunds ----------

test('an admin part refund, then partial cancels: never more than was paid, the order never refunded while the booking stays, nothing stuck', async () => {
  const { user, booking, orderId, slots } = await paidBooking('admin-then-parts');
  // 7500 paid; the bureau gives 3000 back as a goodwill gesture (a part refund: the booking stays)
  const part = await stack.request('POST', `/orders/${orderId}/refund`, {
    token: admin.token,
    body: { amountFen: 3000, reason: '场馆空调故障补偿' },
  });
  expect(part.status).toBe(200);
  await until(async () => (await orderOf(stack, user.token, orderId)).status === 'partially_refunded');

  // the quote already knows what is left: the first hour's pro-rata 2500 would leave 2000 for two hours
  const q1 = await stack.request('GET', `/bookings/${booking.id}/cancel-quote?slotIds=${slots[0].id}`, { token: user.token });
  expect(q1.status).toBe(200);
  const first = await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { slotIds: [slots[0].id] } });
  expect(first.status).toBe(200);
  const q2 = await stack.request('GET', `/bookings/${booking.id}/cancel-quote?slotIds=${slots[1].id}`, { token: user.token });
  const second = await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { slotIds: [slots[1].id] } });
  expect(second.status).toBe(200);
  expect(second.body.booking.status).toBe('confirmed');

  const o = await orderDoc(orderId);
  // what was quoted is what was refunded, and something is left for the hour still booked
  expect(o.refundedFen).toBe(3000 + q1.body.quote.refundFen + q2.body.quote.refundFen);
  expect(o.refundedFen).toBeLessThan(7500);
  expect(o.status).not.toBe('refunded');
  expect(await validTickets(booking.id)).toBeGreaterThan(0);
  // no step is left owing (a refused part refund would stay pending for ever)
  clock.advance(120_000);
  expect((await stack.cloud.kernel.effects.sweep('booking')).failed).toBe(0);
  expect(
    (await db()
      .collection('bookings')
      .findOne({ _id: oid(booking.id) }))!.pending ?? [],
  ).toEqual([]);

  // the last hour cancelled: everything paid is back, to the fen, never more
  const rest = await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: {} });
  expect(rest.body.booking.status).toBe('cancelled');
  await until(async () => (await orderOf(stack, user.token, orderId)).status === 'refunded');
  expect(refundedAtWechat(orderId)).toBe(7500);
  expect(await remainingOf(slots[2].id)).toBe(1);
});

test('an admin part refund racing a partial cancel: the part refund never completes the order under a confirmed booking', async () => {
  for (let trial = 0; trial < 3; trial++) {
    const { user, booking, orderId, slots } = await paidBooking(`race-${trial}`, 2);
    // 5000 paid; the hour cancelled is worth 2500 pro rata; the admin refunds 2500 at the same moment
    const [cancel, refund] = await Promise.all([
      stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { slotIds: [slots[0].id] } }),
      stack.request('POST', `/orders/${orderId}/refund`, { token: admin.token, body: { amountFen: 2500, reason: '补偿' } }),
    ]);
    expect([200, 409]).toContain(cancel.status);
    expect([200, 409, 422]).toContain(refund.status);
    clock.advance(120_000);
    await stack.cloud.kernel.effects.sweep('booking');
    await stack.cloud.kernel.effects.sweep('booking');
    await until(async () => (await orderDoc(orderId)).status !== 'refunding');
    const o = await orderDoc(orderId);
    const b = (await db()
      .collection('bookings')
      .findOne({ _id: oid(booking.id) }))!;
    // either the booking stays (and so does money for it) or the admin's refund became the whole one (through the domain)
    if (b.status === 'confirmed') {
      expect(o.refundedFen).toBeLessThan(5000);
      expect(o.status).toBe('partially_refunded');
      expect(await validTickets(booking.id)).toBeGreaterThan(0);
    } else {
      expect(b.status).toBe('cancelled');
      expect(o.status).toBe('refunded');
      expect(await validTickets(booking.id)).toBe(0);
    }
    expect(o.refundedFen).toBeLessThanOrEqual(5000);
    expect(refundedAtWechat(orderId)).toBe(o.refundedFen);
    expect(b.pending ?? []).toEqual([]);
  }
});

test('200 concurrent cancels of the same hour: without the guard (control run) refunded more than once; with it one part, one refund', async () => {
  const fire = async (on: TestStack, tag: string) => {
    const { user, booking, orderId, slots } = await paidBooking(tag, 3, on);
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        on.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { slotIds: [slots[0].id] } }),
      ),
    );
    await until(async () => (await orderDoc(orderId)).status !== 'refunding');
    return { results, orderId, booking, slots };
  };
  const unguarded = await fire(control, 'part-race-control');
  expect((await orderDoc(unguarded.orderId)).refundedFen).toBeGreaterThan(2500); // the race exists

  const guarded = await fire(stack, 'part-race-guarded');
  expect(guarded.results.filter((r) => r.status === 200)).toHaveLength(1);
  expect(guarded.results.every((r) => r.status < 500)).toBe(true);
  expect(
    guarded.results.filter((r) => r.status !== 200).every((r) => ['CONFLICT', 'PARTIAL_CANCEL_INVALID'].includes(r.body.error.code)),
  ).toBe(true);
  const o = await orderDoc(guarded.orderId);
  expect(o.refundedFen).toBe(2500);
  expect(refundedAtWechat(guarded.orderId)).toBe(2500);
  expect(await remainingOf(guarded.slots[0].id)).toBe(1);
  const b = (await db()
    .collection('bookings')
    .findOne({ _id: oid(guarded.booking.id) }))!;
  expect(b.partials).toHaveLength(1);
  expect(b.slotIds.map(String)).toEqual([guarded.slots[1].id, guarded.slots[2].id]);
});

test('a partial cancel racing the whole cancel: everything paid comes back exactly once, nothing owed is left', async () => {
  for (let trial = 0; trial < 3; trial++) {
    const { user, booking, orderId, slots } = await paidBooking(`part-whole-${trial}`, 3);
    const [part, whole] = await Promise.all([
      stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { slotIds: [slots[0].id] } }),
      stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { reason: '全部取消' } }),
    ]);
    expect(whole.status).toBe(200);
    expect([200, 409, 422]).toContain(part.status);
    clock.advance(120_000);
    await stack.cloud.kernel.effects.sweep('booking');
    await until(async () => (await orderDoc(orderId)).status === 'refunded');
    expect(refundedAtWechat(orderId)).toBe(7500);
    expect((await orderDoc(orderId)).refundedFen).toBe(7500);
    for (const s of slots) expect(await remainingOf(s.id)).toBe(1);
    const b = (await db()
      .collection('bookings')
      .findOne({ _id: oid(booking.id) }))!;
    expect(b.status).toBe('cancelled');
    expect(b.pending ?? []).toEqual([]);
    expect(await validTickets(booking.id)).toBe(0);
  }
});

test('the same part refund asked for by 200 concurrent callers (a step and its sweeper) is counted once', async () => {
  const { orderId } = await paidBooking('same-refund', 2);
  const refundId = `RF${new mongoose.Types.ObjectId().toHexString()}`;
  const payments = stack.cloud.services.payment!;
  const results = await Promise.allSettled(
    Array.from({ length: 200 }, () => payments.startRefund(orderId, 1000, '取消部分时段', 'domain', { refundId })),
  );
  expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
  await until(async () => refundsAtWechat(stack, orderId).length >= 1);
  const o = await orderDoc(orderId);
  expect(o.refundedFen).toBe(1000);
  expect(o.refundCount).toBe(1);
  expect(
    await db()
      .collection('refunds')
      .countDocuments({ orderId: oid(orderId) }),
  ).toBe(1);
  expect(refundedAtWechat(orderId)).toBe(1000);
});

test('crash after a partial cancel is recorded, before its refund and places: the sweeper gives back and refunds exactly once', async () => {
  const { user, booking, orderId, slots } = await paidBooking('part-crash', 2);
  crashes.arm('effects:booking:partial.refund:before');
  const res = await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { slotIds: [slots[1].id] } });
  expect(res.status).toBe(500);
  expect(crashes.hits.at(-1)).toBe('effects:booking:partial.refund:before');
  expect((await orderDoc(orderId)).refundedFen).toBe(0);
  clock.advance(61_000);
  await stack.cloud.kernel.effects.sweep('booking');
  await stack.cloud.kernel.effects.sweep('booking');
  await until(async () => refundsAtWechat(stack, orderId).length === 1);
  expect(refundedAtWechat(orderId)).toBe(2500);
  expect(await remainingOf(slots[1].id)).toBe(1);
  expect(await remainingOf(slots[0].id)).toBe(0);
  const b = (await db()
    .collection('bookings')
    .findOne({ _id: oid(booking.id) }))!;
  expect(b.pending ?? []).toEqual([]);
  expect(b.slotIds.map(String)).toEqual([slots[0].id]);
});

test('someone else’s booking: no quote, no partial or whole cancel, nothing changed', async () => {
  const { booking, orderId, slots } = await paidBooking('others');
  const stranger = await stack.login('attack-journey-stranger');
  const quote = await stack.request('GET', `/bookings/${booking.id}/cancel-quote?slotIds=${slots[0].id}`, { token: stranger.token });
  expect(quote.status).toBe(404);
  const part = await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: stranger.token, body: { slotIds: [slots[0].id] } });
  expect(part.status).toBe(404);
  const whole = await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: stranger.token, body: {} });
  expect(whole.status).toBe(404);
  expect(whole.body.error.code).toBe('BOOKING_NOT_FOUND');
  const refund = await stack.request('POST', `/orders/${orderId}/refund`, { token: stranger.token, body: { reason: '我要退款' } });
  expect(refund.status).toBe(404);
  expect((await orderDoc(orderId)).refundedFen).toBe(0);
  expect(await remainingOf(slots[0].id)).toBe(0);
  // the stranger's own booking cannot name the other's slots
  const own = await paidBooking('others-own', 2);
  const mixed = await stack.request('POST', `/bookings/${own.booking.id}/cancel`, {
    token: own.user.token,
    body: { slotIds: [slots[0].id] },
  });
  expect(mixed.status).toBe(422);
  expect(mixed.body.error.code).toBe('PARTIAL_CANCEL_INVALID');
});

test('partial cancel bad input: $-operators, huge and duplicate ids, all slots twice → 4xx, nothing changed', async () => {
  const { user, booking, orderId, slots } = await paidBooking('bad-part');
  const bodies: unknown[] = [
    { slotIds: { $ne: null } },
    { slotIds: [{ $gt: '' }] },
    { slotIds: ['x'.repeat(100_000)] },
    { slotIds: [slots[0].id, slots[0].id] },
    { slotIds: Array.from({ length: 500 }, () => slots[0].id) },
    { slotIds: [] },
    { slotIds: 'all' },
    { reason: { $where: 'sleep(1000)' } },
  ];
  for (const body of bodies) {
    const res = await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error.code).toMatch(/^[A-Z_]+$/);
  }
  for (const q of ['slotIds=%24ne', `slotIds=${'f'.repeat(10_000)}`, `slotIds=${slots[0].id},${slots[0].id}`])
    expect((await stack.request('GET', `/bookings/${booking.id}/cancel-quote?${q}`, { token: user.token })).status).toBeGreaterThanOrEqual(
      400,
    );
  const b = (await db()
    .collection('bookings')
    .findOne({ _id: oid(booking.id) }))!;
  expect(b.status).toBe('confirmed');
  expect(b.slotIds).toHaveLength(3);
  expect((await orderDoc(orderId)).refundedFen).toBe(0);
});

// ---------- 电子发票 ----------

test('200 concurrent invoice requests on one order: without the guard (control run) several fapiao; with it exactly one', async () => {
  const N = 200;
  const fire = async (on: TestStack, tag: string) => {
    const { user, orderId } = await paidBooking(tag, 1, on);
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        on.request('POST', `/orders/${orderId}/invoice`, {
          token: user.token,
          body: i % 2 ? person : company,
          headers: { 'idempotency-key': `inv-200-${tag}-${i}` },
        }),
      ),
    );
    const live = await db()
      .collection('invoices')
      .find({ orderId: oid(orderId), status: { $nin: ['void', 'claiming'] } })
      .toArray();
    return { results, live, orderId };
  };
  const unguarded = await fire(control, 'inv-control');
  expect(unguarded.live.length).toBeGreaterThan(1);

  const guarded = await fire(stack, 'inv-guarded');
  expect(guarded.results.every((r) => r.status < 500)).toBe(true);
  expect(guarded.results.filter((r) => r.status === 201)).toHaveLength(1);
  expect(guarded.results.filter((r) => r.status !== 201).every((r) => r.body.error.code === 'INVOICE_EXISTS')).toBe(true);
  expect(guarded.live).toHaveLength(1);
  const applyIds = guarded.live.map((i) => i.applyId);
  expect(stack.mock.wechatPay!.state.fapiao.filter((a) => applyIds.includes(a.fapiao_apply_id))).toHaveLength(1);
  expect(String((await orderDoc(guarded.orderId)).invoiceId)).toBe(String(guarded.live[0]._id));
});

test('invoices: someone else’s order, an unpaid, a cancelled-and-refunded order, $-operators and huge strings → 4xx, nothing written', async () => {
  const { user, booking, orderId } = await paidBooking('inv-attack', 1);
  const stranger = await stack.login('attack-journey-inv-stranger');
  const theirs = await stack.request('POST', `/orders/${orderId}/invoice`, { token: stranger.token, body: person });
  expect(theirs.status).toBe(404);
  expect((await stack.request('GET', `/orders/${orderId}/invoice`, { token: stranger.token })).status).toBe(404);
  const bodies: unknown[] = [
    { ...person, title: { $ne: null } },
    { ...person, email: { $gt: '' } },
    { ...person, buyerType: { $in: ['person'] } },
    { ...person, title: '张'.repeat(100_000) },
    { ...person, email: `${'a'.repeat(100_000)}@example.com` },
    { ...company, taxId: '$where' },
    { ...company, taxId: undefined },
    { ...person, orderId: { $ne: null } },
  ];
  for (const body of bodies) {
    const res = await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  }
  for (const path of ['/orders/%24ne/invoice', `/orders/${'f'.repeat(5000)}/invoice`, '/orders/[object Object]/invoice']) {
    const res = await stack.request('POST', path, { token: user.token, body: person });
    expect([400, 404]).toContain(res.status);
  }
  expect(
    await db()
      .collection('invoices')
      .countDocuments({ orderId: oid(orderId) }),
  ).toBe(0);

  // a fully refunded order cannot be invoiced (cancelled, refunded, nothing kept)
  const cancelled = await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { reason: '不去了' } });
  expect(cancelled.status).toBe(200);
  // while the refund is under way: refused
  const during = await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: person });
  expect([409, 422]).toContain(during.status);
  await until(async () => (await orderOf(stack, user.token, orderId)).status === 'refunded');
  const after = await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: person });
  expect(after.status).toBe(422);
  expect(after.body.error.code).toBe('INVOICE_NOT_ALLOWED');
  expect(
    await db()
      .collection('invoices')
      .countDocuments({ orderId: oid(orderId), status: { $ne: 'void' } }),
  ).toBe(0);
});

test('an invoice after a partial cancel names what was kept: paid less the part refunded', async () => {
  const { user, booking, orderId, slots } = await paidBooking('inv-part', 3);
  const part = await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { slotIds: [slots[2].id] } });
  expect(part.status).toBe(200);
  await until(async () => (await orderOf(stack, user.token, orderId)).status === 'partially_refunded');
  const inv = await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: company });
  expect(inv.status).toBe(201);
  expect(inv.body.invoice.amountFen).toBe(7500 - refundedAtWechat(orderId));
  expect(inv.body.invoice.amountFen).toBe(5000);
  const [doc] = await db()
    .collection('invoices')
    .find({ orderId: oid(orderId) })
    .toArray();
  const app = stack.mock.wechatPay!.state.fapiao.find((a) => a.fapiao_apply_id === doc.applyId)!;
  expect(app.fapiao[0].total_amount).toBe(5000);
});

test('an issued invoice, then a partial cancel: the fapiao is reversed (红冲) and the order can be invoiced again for what it kept', async () => {
  const { user, booking, orderId, slots } = await paidBooking('inv-then-part', 3);
  expect((await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: person })).status).toBe(201);
  expect(await invoiceJobUntil(user.token, orderId, 'issued')).toMatchObject({ amountFen: 7500 });
  const part = await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { slotIds: [slots[0].id] } });
  expect(part.status).toBe(200);
  await until(async () => (await orderOf(stack, user.token, orderId)).status === 'partially_refunded');
  // a second invoice while the first is live or being reversed: refused
  expect((await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: person })).body.error.code).toBe(
    'INVOICE_EXISTS',
  );
  await invoiceJobUntil(user.token, orderId, 'reversed');
  const again = await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: company });
  expect(again.status).toBe(201);
  expect(again.body.invoice.amountFen).toBe(5000);
  const live = await db()
    .collection('invoices')
    .find({ orderId: oid(orderId), status: { $nin: ['void', 'reversed', 'failed'] } })
    .toArray();
  expect(live).toHaveLength(1);
});

test('crash between a refund reserved and the invoice check: the job still reverses the issued fapiao', async () => {
  const { user, booking, orderId } = await paidBooking('inv-crash-refund', 1);
  const payments = stack.cloud.services.payment!;
  await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: person });
  await invoiceJobUntil(user.token, orderId, 'issued');
  crashes.arm('payment.refund:reserved');
  const res = await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { reason: '临时有事' } });
  expect(crashes.hits.at(-1)).toBe('payment.refund:reserved');
  expect([200, 500]).toContain(res.status);
  crashes.disarm();
  expect((await orderDoc(orderId)).invoiceCheck).toBe(true);
  clock.advance(120_000);
  await payments.sweepEffects();
  await stack.cloud.kernel.effects.sweep('booking');
  await until(async () => (await orderDoc(orderId)).status === 'refunded');
  await invoiceJobUntil(user.token, orderId, 'reversed');
  expect((await orderDoc(orderId)).invoiceCheck).toBeUndefined();
  expect(refundedAtWechat(orderId)).toBe(2500);
});

test('200 invoice requests racing a partial cancel: one live invoice at most, naming what the order kept', async () => {
  const { user, booking, orderId, slots } = await paidBooking('inv-race-part', 3);
  const payments = stack.cloud.services.payment!;
  const [cancel, ...invoices] = await Promise.all([
    stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { slotIds: [slots[2].id] } }),
    ...Array.from({ length: 200 }, (_, i) =>
      stack.request('POST', `/orders/${orderId}/invoice`, {
        token: user.token,
        body: person,
        headers: { 'idempotency-key': `inv-race-part-${i}` },
      }),
    ),
  ]);
  expect(cancel.status).toBe(200);
  expect(invoices.every((r) => r.status < 500)).toBe(true);
  expect(invoices.filter((r) => r.status === 201).length).toBeLessThanOrEqual(1);
  await until(async () => (await orderDoc(orderId)).status === 'partially_refunded');
  for (let i = 0; i < 12; i++) {
    clock.advance(60_000);
    await payments.invoices.runJob();
  }
  const all = await db()
    .collection('invoices')
    .find({ orderId: oid(orderId), status: { $nin: ['void'] } })
    .toArray();
  // an invoice made before the part refund is reversed; none live names more than was kept
  const live = all.filter((i) => !['reversed', 'failed'].includes(i.status));
  expect(live.length).toBeLessThanOrEqual(1);
  for (const i of live) expect(i.amountFen).toBe(5000);
  const o = await orderDoc(orderId);
  expect(o.refundedFen).toBe(2500);
});

// ---------- companions' tickets ----------

test('someone else’s companion ticket cannot be passed, shown or claimed back; a claim token is one-use and unguessable', async () => {
  const v = await createTestVenue(stack, { name: '攻击同行馆', sessionPriceFen: 0 });
  const holder = await stack.login('attack-companion-holder');
  const thief = await stack.login('attack-companion-thief');
  const [session] = await slotsOf(v.sessionId, daysAhead(clock, 2));
  const booked = await stack.request('POST', '/bookings', {
    token: holder.token,
    body: { slotIds: [session.id], quantity: 2, companions: [{ name: '王五' }] },
  });
  expect(booked.status).toBe(201);
  const tickets = (await stack.request('GET', '/tickets/mine', { token: holder.token })).body.items.filter(
    (t: { bookingId: string }) => t.bookingId === booked.body.booking.id,
  );
  expect(tickets).toHaveLength(2);
  expect((await stack.request('POST', `/tickets/${tickets[1].id}/transfer`, { token: thief.token, body: {} })).status).toBe(404);
  expect((await stack.request('GET', `/tickets/${tickets[1].id}/code`, { token: thief.token })).status).toBe(404);
  for (const claimToken of [{ $ne: null }, 'x'.repeat(100_000), '', tickets[1].id]) {
    const res = await stack.request('POST', '/tickets/claim', { token: thief.token, body: { claimToken } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  }
  // the booking's cancel by someone else never touches the companion's ticket
  expect((await stack.request('POST', `/bookings/${booked.body.booking.id}/cancel`, { token: thief.token, body: {} })).status).toBe(404);
  expect(await validTickets(booked.body.booking.id)).toBe(2);
  // 200 claims of one offer at once: one holder
  const offer = await stack.request('POST', `/tickets/${tickets[1].id}/transfer`, { token: holder.token, body: {} });
  const friends = await stack.loginMany('attack-companion-friend', 200);
  const claims = await Promise.all(
    friends.map((f) => stack.request('POST', '/tickets/claim', { token: f.token, body: { claimToken: offer.body.claimToken } })),
  );
  expect(claims.filter((r) => r.status === 200)).toHaveLength(1);
  expect(claims.every((r) => r.status < 500)).toBe(true);
  const t = (await db()
    .collection('tickets')
    .findOne({ _id: oid(tickets[1].id) }))!;
  const winner = friends[claims.findIndex((r) => r.status === 200)];
  expect(String(t.userId)).toBe(winner.userId);
});

// ---------- 放号提醒, 候补 ----------

test('release reminders: read back by their owner only; bad queries 400; asking twice is one', async () => {
  const v = await createTestVenue(stack, { name: '攻击放号馆', courtPriceFen: 0, rules: { advanceDays: 7 } });
  // released 7 days ahead at 08:00: the day after the window is released tomorrow morning, so a reminder is due
  const day = daysAhead(clock, 8);
  const me = await stack.login('attack-reminder-me');
  const other = await stack.login('attack-reminder-other');
  const ask = (token: string, body: unknown) => stack.request('POST', '/release-reminders', { token, body });
  const first = await ask(me.token, { venueId: v.venueId, date: day, sport: 'badminton' });
  expect(first.status).toBe(201);
  expect((await ask(me.token, { venueId: v.venueId, date: day, sport: 'badminton' })).status).toBe(201);
  const mine = await stack.request('GET', `/release-reminders?venueId=${v.venueId}&date=${day}`, { token: me.token });
  expect(mine.status).toBe(200);
  expect(mine.body.items).toEqual([
    expect.objectContaining({ venueId: v.venueId, date: day, sport: 'badminton', sentAt: null, id: first.body.reminder.id }),
  ]);
  const theirs = await stack.request('GET', `/release-reminders?venueId=${v.venueId}&date=${day}`, { token: other.token });
  expect(theirs.body.items).toEqual([]);
  expect((await stack.request('GET', `/release-reminders?venueId=${v.venueId}&date=${day}`)).status).toBe(401);
  for (const q of [
    `venueId[$ne]=1&date=${day}`,
    `venueId=${v.venueId}&date[$gt]=`,
    `venueId=${v.venueId}`,
    `venueId=${'f'.repeat(10_000)}&date=${day}`,
    `venueId=${v.venueId}&date=${day}&userId=${me.userId}`,
  ]) {
    const res = await stack.request('GET', `/release-reminders?${q}`, { token: other.token });
    expect(res.status).toBe(400);
  }
  for (const body of [
    { venueId: { $ne: null }, date: day },
    { venueId: v.venueId, date: { $gt: '' } },
    { venueId: v.venueId, date: day, sport: 'x'.repeat(10_000) },
    { venueId: v.venueId, date: day, userId: other.userId },
  ])
    expect((await ask(me.token, body)).status).toBe(400);
  expect(
    await db()
      .collection('release_reminders')
      .countDocuments({ venueId: oid(v.venueId) }),
  ).toBe(1);
  // a day years ahead is no reminder anyone is waiting for: refused, nothing stored (else one citizen fills the collection)
  for (const date of ['2099-12-31', daysAhead(clock, 7 + 60)]) {
    const far = await ask(me.token, { venueId: v.venueId, date });
    expect(far.status).toBe(400);
    expect(far.body.error.code).toBe('VALIDATION_FAILED');
  }
  expect(
    await db()
      .collection('release_reminders')
      .countDocuments({ userId: oid(me.userId) }),
  ).toBe(1);
});

test('候补 of someone else: nobody leaves or reads another’s place in line', async () => {
  const v = await createTestVenue(stack, { name: '攻击候补馆', courtPriceFen: 0 });
  const [slot] = await slotsOf(v.courtId, daysAhead(clock, 2));
  const taker = await stack.login('attack-wait-taker');
  expect((await stack.request('POST', '/bookings', { token: taker.token, body: { slotIds: [slot.id] } })).status).toBe(201);
  const a = await stack.login('attack-wait-a');
  const b = await stack.login('attack-wait-b');
  expect((await stack.request('POST', `/slots/${slot.id}/waitlist`, { token: a.token, body: {} })).status).toBe(201);
  // b reads and leaves only b's own (none)
  const none = await stack.request('GET', `/slots/${slot.id}/waitlist`, { token: b.token });
  expect(none.status).toBe(404);
  expect(none.body.error.code).toBe('WAITLIST_ENTRY_NOT_FOUND');
  const leave = await stack.request('DELETE', `/slots/${slot.id}/waitlist`, { token: b.token });
  expect(leave.status).toBeGreaterThanOrEqual(200);
  expect(leave.status).toBeLessThan(500);
  expect((await stack.request('GET', `/slots/${slot.id}/waitlist`, { token: a.token })).body.entry).toMatchObject({
    status: 'waiting',
    position: 1,
  });
  for (const body of [{ userId: a.userId }, { $where: '1' }, { note: 'x'.repeat(100_000) }]) {
    const res = await stack.request('POST', `/slots/${slot.id}/waitlist`, { token: b.token, body });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  }
  expect((await stack.request('POST', '/slots/%24ne/waitlist', { token: b.token, body: {} })).status).toBe(400);
});

test.each([
  ['waitlist:offered', 'after the entry is marked offered, before its booking is placed'],
  ['waitlist:booked', 'after the offer’s booking is placed, before the entry names it'],
])('候补 crash %s (%s): the next run offers the same citizen, once — never skipped, never twice', async (point) => {
  const tag = point.replace(':', '-');
  const v = await createTestVenue(stack, { name: `攻击候补崩溃馆-${tag}`, courtPriceFen: 2500 });
  const [slot] = await slotsOf(v.courtId, daysAhead(clock, 2));
  const taker = await stack.login(`attack-wlcrash-taker-${tag}`);
  const held = await stack.request('POST', '/bookings', { token: taker.token, body: { slotIds: [slot.id] } });
  expect(held.status).toBe(201);
  const first = await stack.login(`attack-wlcrash-first-${tag}`);
  const second = await stack.login(`attack-wlcrash-second-${tag}`);
  for (const u of [first, second])
    expect((await stack.request('POST', `/slots/${slot.id}/waitlist`, { token: u.token, body: {} })).status).toBe(201);
  expect((await stack.request('POST', `/bookings/${held.body.booking.id}/cancel`, { token: taker.token, body: {} })).status).toBe(200);
  expect(await remainingOf(slot.id)).toBe(1);

  const waitlist = stack.cloud.services.bookings.waitlist;
  crashes.arm(point);
  await expect(waitlist.runOffers()).rejects.toThrow();
  expect(crashes.hits.at(-1)).toBe(point);
  crashes.disarm();
  // the next run (after the crashed one) heals: the first in line holds the place, the second still waits
  await waitlist.runOffers();
  await waitlist.runOffers();
  const entry = async (u: { token: string }) => (await stack.request('GET', `/slots/${slot.id}/waitlist`, { token: u.token })).body.entry;
  expect(await entry(first)).toMatchObject({ status: 'offered', bookingId: expect.any(String) });
  expect(await entry(second)).toMatchObject({ status: 'waiting', position: 1 });
  const offers = await db()
    .collection('bookings')
    .find({ slotIds: oid(slot.id), userId: oid(first.userId), status: { $ne: 'failed' } })
    .toArray();
  expect(offers).toHaveLength(1);
  expect(offers[0].status).toBe('held');
  expect(String(offers[0]._id)).toBe((await entry(first)).bookingId);
  expect(await remainingOf(slot.id)).toBe(0);
});

// ---------- vouchers ----------

test('已领 n 张: 200 concurrent claims by one citizen of a batch allowing 2 each → exactly 2, the count says so', async () => {
  const batch = await stack.request('POST', '/admin/voucher-batches', {
    token: admin.token,
    body: {
      name: '攻击测试券',
      kind: 'amount',
      faceFen: 500,
      minSpendFen: 1000,
      validFrom: new Date(clock.now().getTime() - 3600_000).toISOString(),
      validTo: new Date(clock.now().getTime() + 7 * 86_400_000).toISOString(),
      total: 1000,
      perPersonLimit: 2,
    },
  });
  expect(batch.status).toBe(201);
  const id = batch.body.batch.id;
  const user = await stack.login('attack-voucher-burst');
  const results = await Promise.all(
    Array.from({ length: 200 }, () => stack.request('POST', `/vouchers/batches/${id}/claim`, { token: user.token, body: {} })),
  );
  expect(results.filter((r) => r.status === 201 || r.status === 200)).toHaveLength(2);
  expect(results.every((r) => r.status < 500)).toBe(true);
  const mine = (await stack.request('GET', '/vouchers/mine', { token: user.token })).body.items.filter(
    (v: { batchId: string }) => v.batchId === id,
  );
  expect(mine).toHaveLength(2);
  const listed = (await stack.request('GET', '/vouchers/batches')).body.items.find((b: { id: string }) => b.id === id);
  expect(listed.remaining).toBe(998);
  for (const path of ['/vouchers/batches/%24ne/claim', `/vouchers/batches/${'a'.repeat(10_000)}/claim`])
    expect((await stack.request('POST', path, { token: user.token, body: {} })).status).toBe(400);
});

// ---------- 意见反馈, 爽约记录, search ----------

test('意见反馈 of someone else: not read, not closed, its photos not opened; list filters take no operators', async () => {
  const v = await createTestVenue(stack, { name: '攻击反馈馆' });
  const author = await stack.login('attack-feedback-author');
  const snoop = await stack.login('attack-feedback-snoop');
  const sent = await stack.request('POST', '/feedback', {
    token: author.token,
    body: { target: { kind: 'venue', id: v.venueId }, category: 'facility', text: '更衣室的柜子锁坏了，请尽快修理。' },
  });
  expect(sent.status).toBe(201);
  const id = sent.body.feedback.id;
  expect((await stack.request('GET', `/feedback/${id}`, { token: snoop.token })).status).toBe(404);
  expect((await stack.request('POST', `/feedback/${id}/close`, { token: snoop.token })).status).toBe(404);
  expect((await stack.request('POST', `/manage/feedback/${id}/answer`, { token: snoop.token, body: { text: '已处理' } })).status).toBe(404);
  expect((await stack.request('GET', `/feedback/${id}/photos/${new mongoose.Types.ObjectId()}`, { token: snoop.token })).status).toBe(404);
  expect((await stack.request('GET', `/manage/venues/${v.venueId}/feedback`, { token: snoop.token })).status).toBe(403);
  expect((await stack.request('GET', '/admin/feedback', { token: snoop.token })).status).toBe(403);
  expect((await stack.request('GET', '/feedback/mine', { token: snoop.token })).body.items).toEqual([]);
  for (const q of ['status[$ne]=x', 'userId=' + author.userId, 'cursor[$gt]=', `cursor=${'z'.repeat(10_000)}`, 'limit=100000'])
    expect((await stack.request('GET', `/feedback/mine?${q}`, { token: snoop.token })).status).toBe(400);
  // a booking of someone else cannot be named in one's own feedback
  const theirs = await paidBooking('feedback-booking', 1);
  const named = await stack.request('POST', '/feedback', {
    token: snoop.token,
    body: {
      target: { kind: 'venue', id: theirs.venue.venueId },
      category: 'facility',
      text: '这个预订的场地有问题。',
      bookingId: theirs.booking.id,
    },
  });
  expect(named.status).toBe(404);
  // someone else's photo cannot be attached
  const feedbackOf = await db()
    .collection('feedback')
    .countDocuments({ userId: oid(snoop.userId) });
  expect(feedbackOf).toBe(0);
  const status = (await stack.request('GET', `/feedback/${id}`, { token: author.token })).body.feedback.status;
  expect(status).toBe('open');
});

test('爽约记录 and venue search take no operators and no huge strings', async () => {
  const me = await stack.login('attack-noshow');
  for (const q of ['cursor[$gt]=', 'userId=000000000000000000000000', `cursor=${'z'.repeat(10_000)}`, 'limit=-1'])
    expect((await stack.request('GET', `/me/no-shows?${q}`, { token: me.token })).status).toBe(400);
  expect((await stack.request('GET', '/me/no-shows')).status).toBe(401);
  // (Koa's query parser keeps `q[$regex]` a literal key: only the values can carry an operator, as strings)
  for (const q of [`q=${encodeURIComponent('x'.repeat(100_000))}`, 'sport=%24ne', 'lat=abc&lng=1', 'lat=1e400&lng=1', 'q=a&q=b']) {
    const res = await stack.request('GET', `/venues?${q}`);
    expect([400, 414, 431]).toContain(res.status);
  }
  const dollar = await stack.request('GET', `/venues?q=${encodeURIComponent('$where')}`);
  expect(dollar.status).toBe(200);
  expect(dollar.body.items).toEqual([]);
});
