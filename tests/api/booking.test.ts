import mongoose from 'mongoose';
import {
  BookingPageSchema,
  BookingResponseSchema,
  DEFAULT_VENUE_RULES,
  DayBookingsResponseSchema,
  type VenueRules,
} from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import type { PaymentPort } from '../../cloud/src/modules/payment';
import { orderOf, payAndConfirm, refundsAtWechat, until } from '../support/pay';
import { snapshotDatabase } from '../support/db';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { counts, createTestVenue, remainingOf, slotsOf } from '../support/venue-fixture';

const START = new Date('2026-11-23T01:00:00Z'); // Monday 09:00 in Shanghai
const clock = new ManualClock(START);
const TOMORROW = '2026-11-24';
let stack: TestStack;
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  stack = await startTestStack('booking', { clock, wechatPay: { signMode: 'platform_certificate' } });
});
afterAll(() => stack.stop());
afterEach(() => clock.set(START));

describe('free and paid bookings', () => {
  test('a free slot is confirmed at once; a paid one is held with an order and an expiry', async () => {
    const free = await createTestVenue(stack, { name: '免费馆' });
    const paid = await createTestVenue(stack, { name: '收费馆', courtPriceFen: 4000, rules: { holdMinutes: 10 } });
    const user = await stack.login('booker-1');
    const [f] = await slotsOf(free.courtId, TOMORROW);
    const [p1, p2] = await slotsOf(paid.courtId, TOMORROW);

    const a = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [f.id] } });
    expect(a.status).toBe(201);
    expect(BookingResponseSchema.parse(a.body).booking).toMatchObject({
      status: 'confirmed',
      amountFen: 0,
      orderId: null,
      holdExpiresAt: null,
    });

    const b = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [p2.id, p1.id] } });
    expect(b.status).toBe(201);
    const held = BookingResponseSchema.parse(b.body).booking;
    expect(held).toMatchObject({
      status: 'held',
      amountFen: 8000,
      slotIds: [p1.id, p2.id],
      holdExpiresAt: new Date(START.getTime() + 10 * 60_000).toISOString(),
    });
    expect(held.orderId).toMatch(/^[0-9a-f]{24}$/);
    expect(await orderOf(stack, user.token, held.orderId!)).toMatchObject({
      kind: 'booking',
      amountFen: 8000,
      payableFen: 8000,
      status: 'pending',
    });

    // the citizen pays through WeChat Pay (the stand-in) → notification → confirmed
    await payAndConfirm(stack, user.token, held.orderId!);
    const after = await stack.request('GET', `/bookings/${held.id}`, { token: user.token });
    expect(after.body.booking.status).toBe('confirmed');
    expect(
      await db()
        .collection('outbox')
        .countDocuments({ eventId: `booking.confirmed:${held.id}` }),
    ).toBe(1);
  });

  test('the order cannot be created → nothing is kept', async () => {
    const paid = await createTestVenue(stack, { name: '下单失败馆', courtPriceFen: 3000 });
    const user = await stack.login('booker-order-fail');
    const [s] = await slotsOf(paid.courtId, TOMORROW);
    const before = await counts();
    // fault injection: an app whose payment port cannot create orders (a broken database, say)
    const failing: PaymentPort = {
      createOrder: async () => {
        throw new Error('orders collection unavailable');
      },
      closeOrder: async () => {},
      refundOrder: async () => {},
      registerKind: () => {},
    };
    const broken = await startTestStack('booking-broken', { clock, reuseConnection: true, appDeps: { payments: failing } });
    const res = await broken.request('POST', '/bookings', {
      token: user.token,
      body: { slotIds: [s.id] },
      headers: { 'Idempotency-Key': 'order-fails-1' },
    });
    expect(res.status).toBe(500);
    expect(res.body.error).toEqual({ code: 'INTERNAL', message: 'internal error' });
    expect(await counts()).toEqual(before);
    await broken.stop();
    // the key was let go: the retry books
    const retry = await stack.request('POST', '/bookings', {
      token: user.token,
      body: { slotIds: [s.id] },
      headers: { 'Idempotency-Key': 'order-fails-1' },
    });
    expect(retry.status).toBe(201);
  });

  test('the same Idempotency-Key with a different request answers 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const v = await createTestVenue(stack, { name: '幂等冲突馆' });
    const user = await stack.login('booker-idem');
    const [a, b] = await slotsOf(v.courtId, TOMORROW);
    const headers = { 'Idempotency-Key': 'same-key-123' };
    expect((await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [a.id] }, headers })).status).toBe(201);
    const again = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [a.id] }, headers });
    expect(again.status).toBe(200);
    const other = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [b.id] }, headers });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await remainingOf(b.id)).toBe(1);
    // a key is per user: another user may use the same string
    const someoneElse = await stack.login('booker-idem-2');
    expect((await stack.request('POST', '/bookings', { token: someoneElse.token, body: { slotIds: [b.id] }, headers })).status).toBe(201);
  });
});

describe('venue rules', () => {
  test('release time: a day opens at 08:00 advanceDays before; earlier answers 422 SLOT_NOT_RELEASED', async () => {
    const v = await createTestVenue(stack, { name: '放号馆', rules: { advanceDays: 7, releaseTime: '08:00' } });
    const user = await stack.login('early-bird');
    clock.set('2026-11-22T23:59:00Z'); // Monday 07:59
    const [s] = await slotsOf(v.courtId, '2026-11-30');
    const early = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [s.id] } });
    expect(early.status).toBe(422);
    expect(early.body.error).toMatchObject({ code: 'SLOT_NOT_RELEASED', details: { releaseAt: '2026-11-23T00:00:00.000Z' } });
    clock.set('2026-11-23T00:00:00Z'); // 08:00
    expect((await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [s.id] } })).status).toBe(201);
  });

  test('a slot that has started answers 422 SLOT_STARTED', async () => {
    const v = await createTestVenue(stack, { name: '开场馆' });
    const user = await stack.login('late-comer');
    const [first] = await slotsOf(v.courtId, '2026-11-23'); // 08:00 today, now is 09:00
    const res = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [first.id] } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('SLOT_STARTED');
  });

  test('per-user limits: per day, then per week, answer 422 BOOKING_LIMIT_REACHED and take nothing', async () => {
    const v = await createTestVenue(stack, {
      name: '限额馆',
      rules: { maxActivePerDay: 2, maxActivePerWeek: 3, maxActivePerSportPerWeek: 10 },
    });
    const user = await stack.login('limit-user');
    const day1 = await slotsOf(v.courtId, TOMORROW);
    const day2 = await slotsOf(v.courtId, '2026-11-25');
    const book = (id: string) => stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [id] } });
    expect((await book(day1[0].id)).status).toBe(201);
    expect((await book(day1[2].id)).status).toBe(201);
    const third = await book(day1[4].id);
    expect(third.status).toBe(422);
    expect(third.body.error.code).toBe('BOOKING_LIMIT_REACHED');
    expect(await remainingOf(day1[4].id)).toBe(1);
    expect((await book(day2[0].id)).status).toBe(201);
    const weekFull = await book(day2[2].id);
    expect(weekFull.body.error).toMatchObject({ code: 'BOOKING_LIMIT_REACHED', details: { limits: [{ max: 3, per: 'per week' }] } });
    // cancelling gives the limit back
    const mine = BookingPageSchema.parse((await stack.request('GET', '/bookings/mine?status=active', { token: user.token })).body);
    await stack.request('POST', `/bookings/${mine.items[0].id}/cancel`, { token: user.token, body: {} });
    expect((await book(day2[2].id)).status).toBe(201);
  });

  test('limits hold under a burst from one user (no check-then-act gap)', async () => {
    const v = await createTestVenue(stack, {
      name: '限额并发馆',
      rules: { maxActivePerDay: 2, maxActivePerWeek: 50, maxActivePerSportPerWeek: 50 },
    });
    const user = await stack.login('burst-user');
    const day = await slotsOf(v.courtId, TOMORROW);
    const results = await Promise.all(day.map((s) => stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [s.id] } })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(results.filter((r) => r.body.error?.code === 'BOOKING_LIMIT_REACHED')).toHaveLength(day.length - 2);
    const after = await slotsOf(v.courtId, TOMORROW);
    expect(after.filter((s) => s.remaining === 0)).toHaveLength(2);
  });

  test('companions: bounded by quantity and the venue rule; real names when the venue asks', async () => {
    const v = await createTestVenue(stack, { name: '同行馆', sessionCapacity: 30, rules: { maxCompanions: 2, companionRealName: true } });
    const user = await stack.login('family');
    const [s] = await slotsOf(v.sessionId, TOMORROW);
    const tooMany = await stack.request('POST', '/bookings', {
      token: user.token,
      body: { slotIds: [s.id], quantity: 4, companions: [{ name: '甲' }, { name: '乙' }, { name: '丙' }] },
    });
    expect(tooMany.body.error.code).toBe('VALIDATION_FAILED');
    const unnamed = await stack.request('POST', '/bookings', {
      token: user.token,
      body: { slotIds: [s.id], quantity: 3, companions: [{ name: '甲' }] },
    });
    expect(unnamed.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'companions' }] });
    const ok = await stack.request('POST', '/bookings', {
      token: user.token,
      body: { slotIds: [s.id], quantity: 3, companions: [{ name: '王大' }, { name: '王二' }] },
    });
    expect(ok.status).toBe(201);
    expect(await remainingOf(s.id)).toBe(27);
  });
});

describe('cancellation', () => {
  test('free until the cut-off; after it 422 CANCEL_WINDOW_CLOSED; paid ones start a refund', async () => {
    const v = await createTestVenue(stack, { name: '取消馆', courtPriceFen: 2000, rules: { cancelCutoffMinutes: 120 } });
    const user = await stack.login('canceller');
    const day = await slotsOf(v.courtId, TOMORROW); // 08:00 … 21:00 tomorrow
    const b1 = (await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [day[0].id] } })).body.booking;
    await payAndConfirm(stack, user.token, b1.orderId);
    clock.set(new Date(day[0].startAt.getTime() - 119 * 60_000)); // inside the last two hours
    const late = await stack.request('POST', `/bookings/${b1.id}/cancel`, { token: user.token, body: { reason: '有事' } });
    expect(late.status).toBe(422);
    expect(late.body.error.code).toBe('CANCEL_WINDOW_CLOSED');
    expect(await remainingOf(day[0].id)).toBe(0);

    clock.set(START);
    const b2 = (await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [day[5].id] } })).body.booking;
    await payAndConfirm(stack, user.token, b2.orderId);
    const ok = await stack.request('POST', `/bookings/${b2.id}/cancel`, { token: user.token, body: { reason: '有事' } });
    expect(ok.status).toBe(200);
    expect(ok.body.booking).toMatchObject({ status: 'cancelled', cancelReason: '有事' });
    expect(await remainingOf(day[5].id)).toBe(1);
    await until(async () => (await orderOf(stack, user.token, b2.orderId)).status === 'refunded');
    expect(refundsAtWechat(stack, b2.orderId).map((r) => r.amount.refund)).toEqual([2000]);
    const again = await stack.request('POST', `/bookings/${b2.id}/cancel`, { token: user.token, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('BOOKING_NOT_CANCELLABLE');
    expect(await remainingOf(day[5].id)).toBe(1);

    // an unpaid hold cancels any time before start and closes its order (no refund)
    const b3 = (await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [day[7].id] } })).body.booking;
    const c3 = await stack.request('POST', `/bookings/${b3.id}/cancel`, { token: user.token, body: {} });
    expect(c3.body.booking.status).toBe('cancelled');
    expect(await orderOf(stack, user.token, b3.orderId)).toMatchObject({ status: 'closed' });
    expect(refundsAtWechat(stack, b3.orderId)).toEqual([]);
  });

  test("another user's booking looks absent (404) and is left alone", async () => {
    const v = await createTestVenue(stack, { name: '他人馆' });
    const owner = await stack.login('owner');
    const other = await stack.login('intruder');
    const [s] = await slotsOf(v.courtId, TOMORROW);
    const b = (await stack.request('POST', '/bookings', { token: owner.token, body: { slotIds: [s.id] } })).body.booking;
    for (const [method, path] of [
      ['GET', `/bookings/${b.id}`],
      ['POST', `/bookings/${b.id}/cancel`],
    ] as const) {
      const res = await stack.request(method, path, { token: other.token, body: method === 'POST' ? {} : undefined });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('BOOKING_NOT_FOUND');
    }
    expect((await stack.request('GET', `/bookings/${b.id}`, { token: owner.token })).body.booking.status).toBe('confirmed');
  });
});

describe('hold expiry', () => {
  test('expired holds give capacity back exactly once, even with two sweepers at once; late payment is refused', async () => {
    const v = await createTestVenue(stack, {
      name: '过期馆',
      sessionPriceFen: 3000,
      sessionCapacity: 50,
      rules: { holdMinutes: 10, maxCompanions: 3 },
    });
    const [s] = await slotsOf(v.sessionId, TOMORROW);
    const people = await stack.loginMany('holder', 10);
    const held = await Promise.all(
      people.map((u) => stack.request('POST', '/bookings', { token: u.token, body: { slotIds: [s.id], quantity: 2 } })),
    );
    expect(held.every((r) => r.status === 201 && r.body.booking.status === 'held')).toBe(true);
    for (const [i, r] of held.slice(0, 5).entries()) await payAndConfirm(stack, people[i].token, r.body.booking.orderId);
    expect(await remainingOf(s.id)).toBe(30);

    const expiredHere = () =>
      db()
        .collection('bookings')
        .countDocuments({ venueId: new mongoose.Types.ObjectId(v.venueId), status: 'expired' });
    clock.set(new Date(START.getTime() + 9 * 60_000));
    await stack.cloud.services.bookings.expireHolds();
    expect(await expiredHere()).toBe(0);
    clock.set(new Date(START.getTime() + 10 * 60_000 + 1));
    await Promise.all([stack.cloud.services.bookings.expireHolds(), stack.cloud.services.bookings.expireHolds()]);
    expect(await expiredHere()).toBe(5);
    expect(await remainingOf(s.id)).toBe(40); // 5 × 2 places back, once (a double give-back would read 50)
    await stack.cloud.services.bookings.expireHolds();
    expect(await remainingOf(s.id)).toBe(40);
    const expired = held.slice(5).map((r) => r.body.booking);
    // their orders are closed (a payment arriving later is refunded: tests/api/payment.test.ts)
    for (const [i, e] of expired.entries()) expect((await orderOf(stack, people[5 + i].token, e.orderId)).status).toBe('closed');
    expect(await db().collection('outbox').countDocuments({ type: 'booking.expired', 'payload.venueId': v.venueId })).toBe(5);
  });
});

describe('no-shows and bans', () => {
  test('three no-shows in 30 days ban the user at that venue (403 BOOKING_BANNED) until a manager lifts it, audited', async () => {
    const v = await createTestVenue(stack, {
      name: '爽约馆',
      rules: { noShowLimit: 3, noShowWindowDays: 30, banDays: 30, checkInGraceMinutes: 15, maxActivePerDay: 5 },
    });
    const user = await stack.login('no-show-user');
    const manager = await stack.login('no-show-manager');
    await grant(stack, manager.userId, 'venue_manager', v.venueId);
    const day = await slotsOf(v.courtId, TOMORROW);
    const used = (await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [day[0].id] } })).body.booking;
    for (const i of [2, 4, 6])
      expect((await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [day[i].id] } })).status).toBe(201);
    expect(await stack.cloud.services.bookings.markUsed(used.id)).toBe(true); // verified at the gate

    const noShows = () =>
      db()
        .collection('bookings')
        .countDocuments({ userId: new mongoose.Types.ObjectId(user.userId), status: 'no_show' });
    clock.set(new Date(day[6].startAt.getTime() + 14 * 60_000));
    await stack.cloud.services.bookings.markNoShows();
    expect(await noShows()).toBe(2);
    clock.set(new Date(day[6].startAt.getTime() + 16 * 60_000));
    await Promise.all([stack.cloud.services.bookings.markNoShows(), stack.cloud.services.bookings.markNoShows()]);
    expect(await noShows()).toBe(3);
    expect(await db().collection('outbox').countDocuments({ type: 'booking.no_show', 'payload.venueId': v.venueId })).toBe(3);
    const mine = BookingPageSchema.parse((await stack.request('GET', '/bookings/mine?status=past', { token: user.token })).body);
    expect(mine.items.map((b) => b.status).sort()).toEqual(['no_show', 'no_show', 'no_show', 'used']);

    const [later] = (await slotsOf(v.courtId, '2026-11-26')).slice(-1);
    const banned = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [later.id] } });
    expect(banned.status).toBe(403);
    expect(banned.body.error.code).toBe('BOOKING_BANNED');
    expect(
      await db()
        .collection('booking_bans')
        .countDocuments({ venueId: new mongoose.Types.ObjectId(v.venueId) }),
    ).toBe(1);

    const bans = (await stack.request('GET', `/manage/venues/${v.venueId}/bans`, { token: manager.token })).body.items;
    expect(bans).toHaveLength(1);
    const noReason = await stack.request('POST', `/manage/bans/${bans[0].id}/lift`, { token: manager.token, body: {} });
    expect(noReason.status).toBe(400);
    const lift = await stack.request('POST', `/manage/bans/${bans[0].id}/lift`, {
      token: manager.token,
      body: { reason: '核实为系统故障' },
    });
    expect(lift.status).toBe(200);
    expect(lift.body.ban.liftReason).toBe('核实为系统故障');
    const audit = await db().collection('audit_log').findOne({ action: 'ban.lift' });
    expect(audit).toMatchObject({
      actorId: new mongoose.Types.ObjectId(manager.userId),
      targetUserId: new mongoose.Types.ObjectId(user.userId),
      details: { reason: '核实为系统故障' },
    });
    expect((await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [later.id] } })).status).toBe(201);
  });
});

describe('manager tools', () => {
  let v: Awaited<ReturnType<typeof createTestVenue>>;
  let manager: { token: string; userId: string };

  beforeAll(async () => {
    v = await createTestVenue(stack, { name: '管理馆', courtPriceFen: 5000 });
    manager = await stack.login('manager-1');
    await grant(stack, manager.userId, 'venue_manager', v.venueId);
  });

  test('closing a slot cancels its bookings, refunds the paid ones and tells the users who agreed to messages', async () => {
    const citizen = await stack.login('closure-victim');
    await stack.request('POST', '/notifications/subscriptions', {
      token: citizen.token,
      body: { templateIds: ['booking_cancelled'], accepted: true },
    });
    const [s] = await slotsOf(v.courtId, TOMORROW);
    const b = (await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [s.id] } })).body.booking;
    await payAndConfirm(stack, citizen.token, b.orderId);
    const res = await stack.request('POST', `/manage/slots/${s.id}/close`, { token: manager.token, body: { reason: '场地维修' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ closedSlots: 1, cancelledBookings: 1 });
    const after = (await stack.request('GET', `/bookings/${b.id}`, { token: citizen.token })).body.booking;
    expect(after).toMatchObject({ status: 'cancelled', cancelReason: '场地维修' });
    await until(async () => (await orderOf(stack, citizen.token, b.orderId)).status === 'refunded');
    expect(refundsAtWechat(stack, b.orderId)).toHaveLength(1);
    expect(stack.mock.sentMessages).toContainEqual(expect.objectContaining({ touser: 'closure-victim', template_id: 'booking_cancelled' }));
    const rebook = await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [s.id] } });
    expect(rebook.body.error.code).toBe('SLOT_CLOSED');
    expect(
      (await stack.request('POST', `/manage/slots/${s.id}/close`, { token: manager.token, body: { reason: '场地维修' } })).body,
    ).toEqual({ closedSlots: 0, cancelledBookings: 0 });
  });

  test("closing a day closes its open slots; the day's bookings list shows masked holders", async () => {
    const citizen = await stack.login('day-booker');
    await stack.cloud.services.identity.setPersonalFields(citizen.userId, { nickname: '张三丰' });
    const day = await slotsOf(v.courtId, '2026-11-25');
    await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [day[3].id] } });
    const list = DayBookingsResponseSchema.parse(
      (await stack.request('GET', `/manage/venues/${v.venueId}/bookings?date=2026-11-25`, { token: manager.token })).body,
    );
    expect(list.items.map((b) => b.holderName)).toEqual(['张**']);
    const res = await stack.request('POST', `/manage/venues/${v.venueId}/close-day`, {
      token: manager.token,
      body: { date: '2026-11-25', reason: '承办赛事' },
    });
    const sessions = await slotsOf(v.sessionId, '2026-11-25');
    expect(res.body).toEqual({ closedSlots: day.length + sessions.length, cancelledBookings: 1 });
  });

  test('a rules edit changes only the fields it names; every other rule keeps its (non-default) value; release times follow', async () => {
    // every rule differs from its default, so a patch that resets unnamed fields cannot pass unnoticed
    const initial: VenueRules = {
      advanceDays: 5,
      releaseTime: '09:15',
      maxActivePerDay: 4,
      maxActivePerSportPerWeek: 9,
      maxActivePerWeek: 11,
      maxCompanions: 5,
      companionRealName: true,
      holdMinutes: 25,
      cancelCutoffMinutes: 45,
      checkInGraceMinutes: 7,
      noShowLimit: 6,
      noShowWindowDays: 12,
      banDays: 9,
    };
    for (const key of Object.keys(initial) as (keyof VenueRules)[])
      expect([key, initial[key]]).not.toEqual([key, DEFAULT_VENUE_RULES[key]]);
    const r = await createTestVenue(stack, { name: '规则补丁馆', rules: initial });
    await grant(stack, manager.userId, 'venue_manager', r.venueId);
    const res = await stack.request('PUT', `/manage/venues/${r.venueId}/rules`, {
      token: manager.token,
      body: { releaseTime: '07:30', holdMinutes: 5 },
    });
    expect(res.status).toBe(200);
    const expected = { ...initial, releaseTime: '07:30', holdMinutes: 5 };
    expect(res.body.venue.rules).toEqual(expected);
    const stored = await db()
      .collection('venues')
      .findOne({ _id: new mongoose.Types.ObjectId(r.venueId) });
    expect(stored!.rules).toEqual(expected);
    expect((await stack.request('GET', `/venues/${r.venueId}`)).body.venue.rules).toEqual(expected);
    // release at 07:30 advanceDays (5, kept) before the day: 2026-11-27 opens 2026-11-22 07:30 Shanghai
    const slots = (await stack.request('GET', `/venues/${r.venueId}/slots?date=2026-11-27`)).body.items;
    expect(slots[0].releaseAt).toBe('2026-11-21T23:30:00.000Z');
    const tpl = await stack.request('PUT', `/manage/resources/${r.courtId}/templates`, {
      token: manager.token,
      body: { templates: [{ weekdays: [6, 7], start: '09:00', end: '10:00', priceFen: 6000, capacity: 1 }] },
    });
    expect(tpl.status).toBe(200);
    expect(tpl.body.resource.templates).toEqual([{ weekdays: [6, 7], start: '09:00', end: '10:00', priceFen: 6000, capacity: 1 }]);
  });

  test("only this venue's manager (or an admin) may use them: 403 otherwise", async () => {
    const citizen = await stack.login('nosy-citizen');
    const otherVenue = await createTestVenue(stack, { name: '别家馆' });
    const otherManager = await stack.login('other-manager');
    await grant(stack, otherManager.userId, 'venue_manager', otherVenue.venueId);
    const staff = await stack.login('gate-staff');
    await grant(stack, staff.userId, 'staff', v.venueId);
    const [s] = await slotsOf(v.courtId, '2026-11-26');
    for (const who of [citizen, otherManager, staff]) {
      for (const [method, path, body] of [
        ['GET', `/manage/venues/${v.venueId}/bookings?date=2026-11-26`, undefined],
        ['PUT', `/manage/venues/${v.venueId}/rules`, { holdMinutes: 1 }],
        ['POST', `/manage/slots/${s.id}/close`, { reason: '恶意关闭' }],
        ['POST', `/manage/venues/${v.venueId}/close-day`, { date: '2026-11-26', reason: '恶意关闭' }],
        ['PUT', `/manage/resources/${v.courtId}/templates`, { templates: [] }],
      ] as const) {
        const res = await stack.request(method, path, { token: who.token, body });
        expect([path, res.status, res.body.error?.code]).toEqual([path, 403, 'FORBIDDEN']);
      }
    }
    expect(await remainingOf(s.id)).toBe(1);
    const admin = await stack.login('bureau-admin');
    await grant(stack, admin.userId, 'admin');
    expect((await stack.request('GET', `/manage/venues/${v.venueId}/bookings?date=2026-11-26`, { token: admin.token })).status).toBe(200);
    const mineOnly = await stack.request('GET', '/manage/venues', { token: otherManager.token });
    expect(mineOnly.body.items.map((x: { id: string }) => x.id)).toEqual([otherVenue.venueId]);
  });
});

describe('bad input: 4xx with a stable code, nothing written', () => {
  let user: { token: string; userId: string };
  let v: Awaited<ReturnType<typeof createTestVenue>>;
  let w: Awaited<ReturnType<typeof createTestVenue>>;
  let day: { id: string }[];

  beforeAll(async () => {
    user = await stack.login('fuzzer');
    v = await createTestVenue(stack, { name: '坏输入馆' });
    w = await createTestVenue(stack, { name: '另一馆' });
    day = await slotsOf(v.courtId, TOMORROW);
  });

  const cases: [string, () => { body?: unknown; rawBody?: string; headers?: Record<string, string> }, number, string][] = [
    ['unknown slot id', () => ({ body: { slotIds: ['0123456789abcdef01234567'] } }), 404, 'SLOT_NOT_FOUND'],
    ['slot ids as $-operator', () => ({ body: { slotIds: [{ $gt: '' }] } }), 400, 'VALIDATION_FAILED'],
    ['slotIds as $-operator object', () => ({ body: { slotIds: { $ne: null } } }), 400, 'VALIDATION_FAILED'],
    ['negative quantity', () => ({ body: { slotIds: [day[0].id], quantity: -1 } }), 400, 'VALIDATION_FAILED'],
    ['fractional quantity', () => ({ body: { slotIds: [day[0].id], quantity: 1.5 } }), 400, 'VALIDATION_FAILED'],
    ['quantity as string', () => ({ body: { slotIds: [day[0].id], quantity: '1' } }), 400, 'VALIDATION_FAILED'],
    ['quantity above a court', () => ({ body: { slotIds: [day[0].id], quantity: 2 } }), 400, 'VALIDATION_FAILED'],
    ['missing slotIds', () => ({ body: {} }), 400, 'VALIDATION_FAILED'],
    ['empty slotIds', () => ({ body: { slotIds: [] } }), 400, 'VALIDATION_FAILED'],
    ['a slot listed twice', () => ({ body: { slotIds: [day[0].id, day[0].id] } }), 400, 'VALIDATION_FAILED'],
    ['non-adjacent slots', () => ({ body: { slotIds: [day[0].id, day[2].id] } }), 400, 'VALIDATION_FAILED'],
    ['a slot of another venue', () => ({ body: { slotIds: [day[0].id, '__OTHER__'] } }), 400, 'VALIDATION_FAILED'],
    ['a court and a session together', () => ({ body: { slotIds: [day[0].id, '__SESSION__'] } }), 400, 'VALIDATION_FAILED'],
    [
      '10,000 slot ids (over the body limit)',
      () => ({ body: { slotIds: Array.from({ length: 10_000 }, () => day[0].id) } }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['9 slot ids', () => ({ body: { slotIds: Array.from({ length: 9 }, (_, i) => day[i].id) } }), 400, 'VALIDATION_FAILED'],
    [
      'huge companion name',
      () => ({ body: { slotIds: [day[0].id], companions: [{ name: '名'.repeat(5000) }] } }),
      400,
      'VALIDATION_FAILED',
    ],
    ['unknown field', () => ({ body: { slotIds: [day[0].id], userId: '0123456789abcdef01234567' } }), 400, 'VALIDATION_FAILED'],
    ['bad Idempotency-Key', () => ({ body: { slotIds: [day[0].id] }, headers: { 'Idempotency-Key': 'short' } }), 400, 'VALIDATION_FAILED'],
    ['not JSON', () => ({ rawBody: 'slotIds=1' }), 400, 'BAD_JSON'],
  ];

  test.each(cases)('%s → %s %s', async (_label, make, status, code) => {
    const other = (await slotsOf(w.courtId, TOMORROW))[1].id;
    const session = (await slotsOf(v.sessionId, TOMORROW))[0].id;
    const req = make();
    const body = JSON.parse(
      JSON.stringify(req.body ?? null)
        ?.replace('__OTHER__', other)
        .replace('__SESSION__', session) ?? 'null',
    );
    const before = await counts();
    const everything = await snapshotDatabase();
    const res = await stack.request('POST', '/bookings', {
      token: user.token,
      ...(req.rawBody ? { rawBody: req.rawBody } : { body }),
      headers: req.headers,
    });
    expect([res.status, res.body.error?.code]).toEqual([status, code]);
    expect(await counts()).toEqual(before);
    expect(await snapshotDatabase()).toEqual(everything);
  });

  test('without a token: 401; other paths with bad ids: 400', async () => {
    expect((await stack.request('POST', '/bookings', { body: { slotIds: [day[0].id] } })).status).toBe(401);
    for (const path of ['/bookings/nope', '/bookings/%7B%22%24gt%22%3A%22%22%7D']) {
      const res = await stack.request('GET', path, { token: user.token });
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    for (const q of ['?status=everything', '?limit=0', '?cursor=abc'])
      expect((await stack.request('GET', `/bookings/mine${q}`, { token: user.token })).status).toBe(400);
    const cancelBad = await stack.request('POST', '/bookings/0123456789abcdef01234567/cancel', {
      token: user.token,
      body: { reason: 'x'.repeat(1000) },
    });
    expect(cancelBad.status).toBe(400);
  });
});

describe('data-centre events', () => {
  test('booking events carry ids, amounts and times, and no personal data', async () => {
    const events = await db()
      .collection('outbox')
      .find({ type: /^booking\./ })
      .toArray();
    expect(events.length).toBeGreaterThan(10);
    const users = await db().collection('users').find({}).toArray();
    const text = JSON.stringify(events.map((e) => e.payload));
    for (const u of users) {
      expect(text).not.toContain(String(u._id));
      expect(text).not.toContain(u.openid);
    }
    // a phone number stands alone (ids and pseudonyms may hold digit runs inside longer words)
    expect(text).not.toMatch(/张三丰|王大|王二|(?<![0-9A-Za-z_-])1[3-9]\d{9}(?![0-9A-Za-z_-])/);
    expect(events[0].payload).toEqual(
      expect.objectContaining({
        subject: expect.any(String),
        bookingId: expect.any(String),
        venueId: expect.any(String),
        amountFen: expect.any(Number),
      }),
    );
  });
});
