/**
 * Attack: acting on other people's things by id — another citizen's booking and order, a
 * manager of venue A on venue B, a citizen on manager and admin routes. Each is refused with
 * one exact status and changes nothing.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { orderOf, payAndConfirm, refundsAtWechat, until } from '../support/pay';
import { createTestVenue, daysAhead, remainingOf, slotsOf } from '../support/venue-fixture';

jest.setTimeout(120_000);

const clock = new ManualClock(new Date());
let stack: TestStack;
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  stack = await startTestStack('attackauthz', { clock, wechatPay: { signMode: 'platform_certificate' } });
}, 120_000);
afterAll(() => stack.stop());

test("another citizen's booking and order, by id: 404 (they look absent), nothing changes", async () => {
  const v = await createTestVenue(stack, { name: '越权馆', courtPriceFen: 3000 });
  const owner = await stack.login('authz-owner');
  const thief = await stack.login('authz-thief');
  const [slot] = await slotsOf(v.courtId, daysAhead(clock, 2));
  const booked = await stack.request('POST', '/bookings', { token: owner.token, body: { slotIds: [slot.id] } });
  expect(booked.status).toBe(201);
  const { id: bookingId, orderId } = booked.body.booking as { id: string; orderId: string };

  for (const [method, path, body] of [
    ['GET', `/bookings/${bookingId}`, undefined],
    ['POST', `/bookings/${bookingId}/cancel`, { reason: '不要了' }],
    ['GET', `/orders/${orderId}`, undefined],
    ['POST', `/orders/${orderId}/pay`, {}],
    ['POST', `/orders/${orderId}/refund`, { reason: '退给我' }],
  ] as const) {
    const res = await stack.request(method, path, { token: thief.token, body });
    expect([method, path, res.status]).toEqual([method, path, 404]);
  }
  expect(stack.mock.wechatPay!.state.transaction(`CS${orderId}`)).toBeUndefined(); // the thief's pay reached no WeChat order
  expect((await stack.request('GET', `/bookings/${bookingId}`, { token: owner.token })).body.booking.status).toBe('held');

  await payAndConfirm(stack, owner.token, orderId);
  await until(
    async () => (await stack.request('GET', `/bookings/${bookingId}`, { token: owner.token })).body.booking.status === 'confirmed',
  );
  const stolen = await stack.request('POST', `/orders/${orderId}/refund`, { token: thief.token, body: { reason: '退给我' } });
  expect(stolen.status).toBe(404);
  // the owner may not refund a part either (parts are the bureau's)
  const part = await stack.request('POST', `/orders/${orderId}/refund`, {
    token: owner.token,
    body: { reason: '退一半', amountFen: 1500 },
  });
  expect([part.status, part.body.error?.code]).toEqual([422, 'REFUND_NOT_ALLOWED']);
  expect(refundsAtWechat(stack, orderId)).toEqual([]);
  expect((await orderOf(stack, owner.token, orderId)).status).toBe('paid');
});

test('a manager of venue A on venue B, and a citizen on manager and admin routes: 403, nothing changes', async () => {
  const a = await createTestVenue(stack, { name: '甲馆' });
  const b = await createTestVenue(stack, { name: '乙馆' });
  const managerA = await stack.login('authz-manager-a');
  await grant(stack, managerA.userId, 'venue_manager', a.venueId);
  const citizen = await stack.login('authz-citizen');
  const day = daysAhead(clock, 2);
  const [bSlot] = await slotsOf(b.sessionId, day);
  const booked = await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [bSlot.id] } });
  expect(booked.status).toBe(201);
  const rulesBefore = (await db()
    .collection('venues')
    .findOne({ _id: new mongoose.Types.ObjectId(b.venueId) }))!.rules;

  const attempts = [
    ['GET', `/manage/venues/${b.venueId}/bookings?date=${day}`, undefined],
    ['POST', `/manage/venues/${b.venueId}/close-day`, { date: day, reason: '越权关闭' }],
    ['PUT', `/manage/venues/${b.venueId}/rules`, { advanceDays: 1 }],
    ['GET', `/manage/venues/${b.venueId}/bans`, undefined],
    ['POST', `/manage/slots/${bSlot.id}/close`, { reason: '越权关闭' }],
    ['PUT', `/manage/resources/${b.sessionId}/templates`, { templates: [] }],
  ] as const;
  for (const who of [managerA, citizen])
    for (const [method, path, body] of attempts) {
      const res = await stack.request(method, path, { token: who.token, body });
      expect([who.userId, method, path, res.status]).toEqual([who.userId, method, path, 403]);
    }
  for (const [method, path, body] of [
    ['POST', '/admin/voucher-batches', {}],
    ['GET', '/admin/payments/flagged', undefined],
    ['GET', '/admin/reports/subsidy', undefined],
  ] as const) {
    const res = await stack.request(method, path, { token: managerA.token, body });
    expect([method, path, res.status]).toEqual([method, path, 403]);
  }
  expect((await stack.request('GET', `/bookings/${booked.body.booking.id}`, { token: citizen.token })).body.booking.status).toBe(
    'confirmed',
  );
  expect(await remainingOf(bSlot.id)).toBe(49);
  expect(
    (await db()
      .collection('slots')
      .findOne({ _id: new mongoose.Types.ObjectId(bSlot.id) }))!.status,
  ).toBe('open');
  expect(
    (await db()
      .collection('venues')
      .findOne({ _id: new mongoose.Types.ObjectId(b.venueId) }))!.rules,
  ).toEqual(rulesBefore);
});
