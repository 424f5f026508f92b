/**
 * Attacks on refunds (issue 8 review): the whole-order rule ("a whole refund goes through the
 * domain") and the whole refund a cancel starts, both decided on a read of `refundedFen` taken
 * before the guarded reservation. Concurrent refunds move `refundedFen` in between.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { orderOf, payAndConfirm, refundsAtWechat, until } from '../support/pay';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

jest.setTimeout(180_000);

const clock = new ManualClock(new Date());
let stack: TestStack;
let admin: { token: string; userId: string };
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  stack = await startTestStack('attackrefunds', {
    clock,
    wechatPay: { signMode: 'platform_certificate' },
    env: { WECHATPAY_TIMEOUT_MS: '20000' },
  });
  admin = await stack.login('attack-refund-admin');
  await grant(stack, admin.userId, 'admin');
}, 120_000);
afterAll(() => stack.stop());

let seq = 0;
/** A confirmed, paid booking of 3000 fen. */
async function paidBooking(tag: string) {
  const v = await createTestVenue(stack, { name: `攻击退款馆-${tag}-${seq++}`, courtPriceFen: 3000 });
  const user = await stack.login(`attack-refund-${tag}-${seq}`);
  const [slot] = await slotsOf(v.courtId, daysAhead(clock, 2));
  const res = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } });
  expect(res.status).toBe(201);
  const booking = res.body.booking as { id: string; orderId: string };
  await payAndConfirm(stack, user.token, booking.orderId);
  await until(
    async () => (await stack.request('GET', `/bookings/${booking.id}`, { token: user.token })).body.booking.status === 'confirmed',
  );
  return { user, booking };
}

const validTickets = async (bookingId: string) =>
  db().collection('tickets').countDocuments({ 'source.kind': 'booking', 'source.id': bookingId, status: 'valid' });

/** What WeChat was asked to refund on the order, in fen. */
const refundedAtWechat = (orderId: string) => refundsAtWechat(stack, orderId).reduce((sum, r) => sum + r.amount.refund, 0);

const TRIALS = 4;

test('two concurrent admin part-refunds that add up to the whole never refund the whole order while the booking stays confirmed with a valid ticket', async () => {
  const outcomes = await Promise.all(
    Array.from({ length: TRIALS }, async (_, i) => {
      const { user, booking } = await paidBooking(`halves-${i}`);
      const half = () =>
        stack.request('POST', `/orders/${booking.orderId}/refund`, { token: admin.token, body: { reason: '部分补偿', amountFen: 1500 } });
      const results = await Promise.all([half(), half()]);
      expect(results.map((r) => r.status).every((s) => s === 200 || s === 409)).toBe(true);
      await until(async () => !['refunding'].includes((await orderOf(stack, user.token, booking.orderId)).status), 10_000);
      const order = await orderOf(stack, user.token, booking.orderId);
      const b = (await stack.request('GET', `/bookings/${booking.id}`, { token: user.token })).body.booking;
      return { order: order.status, refundedFen: order.refundedFen, booking: b.status, tickets: await validTickets(booking.id) };
    }),
  );
  // a fully refunded order's booking is cancelled and its ticket revoked — in every trial
  for (const o of outcomes) {
    if (o.refundedFen === 3000) expect(o).toMatchObject({ booking: 'cancelled', tickets: 0 });
    else expect(o).toMatchObject({ booking: 'confirmed' });
  }
});

test('an admin part-refund racing the owner cancelling: the owner gets everything back, never only the part', async () => {
  const outcomes = await Promise.all(
    Array.from({ length: TRIALS }, async (_, i) => {
      const { user, booking } = await paidBooking(`cancel-race-${i}`);
      const parts = Array.from({ length: 4 }, () =>
        stack.request('POST', `/orders/${booking.orderId}/refund`, { token: admin.token, body: { reason: '灯光补偿', amountFen: 100 } }),
      );
      const cancel = stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { reason: '行程变更' } });
      const [cancelled] = await Promise.all([cancel, ...parts]);
      expect(cancelled.status).toBe(200);
      await until(async () => (await orderOf(stack, user.token, booking.orderId)).status !== 'refunding', 10_000);
      const order = await orderOf(stack, user.token, booking.orderId);
      return { order: order.status, refundedFen: order.refundedFen, atWechat: refundedAtWechat(booking.orderId) };
    }),
  );
  // the booking is cancelled, so the whole 3000 goes back, whatever the admin's parts did
  for (const o of outcomes) expect(o).toEqual({ order: 'refunded', refundedFen: 3000, atWechat: 3000 });
});
