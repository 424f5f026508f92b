/**
 * Crash safety (kernel.effects): the process "dies" between two steps of a multi-step write (an
 * injected crash, tests only), and the sweeper (the booking-heal and ticket-admissions jobs)
 * finishes or rolls back what was left — nothing oversold, nothing lost, limits exact — and
 * running it again changes nothing.
 */
import mongoose from 'mongoose';
import { TicketCodeSchema } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { payAndConfirm, until } from '../support/pay';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, remainingOf, slotsOf } from '../support/venue-fixture';

const START = new Date('2026-11-23T01:00:00Z'); // Monday 09:00 in Shanghai
const TOMORROW = '2026-11-24';
const clock = new ManualClock(START);
const crashes = new CrashSwitch();
let stack: TestStack;
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);

beforeAll(async () => {
  stack = await startTestStack('crashes', { clock, appDeps: { crashes }, wechatPay: { signMode: 'platform_certificate' } });
}, 120_000);
afterAll(() => stack.stop());
afterEach(() => {
  crashes.disarm();
  clock.set(START);
});

/** Runs the heal sweepers as their jobs would, once enough time has passed for them to take over. */
async function heal() {
  clock.advance(3 * 60_000);
  const booking = await stack.cloud.services.bookings.healCrashed();
  const tickets = await stack.cloud.services.tickets.finishAdmissions();
  return { booking, tickets };
}

async function bookingDoc(id: string) {
  return db()
    .collection('bookings')
    .findOne({ _id: oid(id) });
}

/** The user's per-user limit count at a venue this week (the counter kernel.limits keeps). */
async function limitTotal(userId: string, venueId: string) {
  const c = await db()
    .collection('limit_counters')
    .findOne({ _id: `booking:${venueId}:${userId}:week:2026-11-23` as never });
  return (c?.total as number | undefined) ?? 0;
}

async function activePlaces(slotId: string) {
  const rows = await db()
    .collection('bookings')
    .find({ slotIds: oid(slotId), status: { $in: ['held', 'confirmed', 'taking'] } })
    .toArray();
  return rows.reduce((n, b) => n + b.quantity, 0);
}

/** A booking attempt that crashes at `point`: the request dies (500) and leaves what a real crash would. */
async function crashedBooking(point: string, body: Record<string, unknown>, token: string) {
  crashes.arm(point);
  const res = await stack.request('POST', '/bookings', { token, body });
  expect(res.status).toBe(500);
  expect(crashes.hits.at(-1)).toBe(point);
  return db()
    .collection('bookings')
    .findOne({}, { sort: { _id: -1 } });
}

describe('booking placement: inserted before capacity is taken, rolled back exactly by the sweeper', () => {
  test.each([
    ['booking.book:after-insert', 'nothing taken yet'],
    ['booking.book:after-capacity', 'places taken, no limit'],
    ['capacity.takeAll:between', 'one of two slots taken'],
    ['booking.book:after-limits', 'places and limit taken, no order'],
  ])('crash at %s (%s): the sweeper gives back exactly what was taken', async (point) => {
    const tag = point.replace(/[^a-z]/gi, '');
    const v = await createTestVenue(stack, { name: `崩溃馆${tag}` });
    const user = await stack.login(`crash-${tag}`);
    const [s1, s2] = await slotsOf(v.courtId, TOMORROW);
    const left = await crashedBooking(point, { slotIds: [s1.id, s2.id] }, user.token);
    expect(left).toMatchObject({ status: 'taking' }); // a trace, never places taken by nobody

    const healed = await heal();
    expect(healed.booking.rolledBack).toBe(1);
    expect(await bookingDoc(String(left!._id))).toMatchObject({ status: 'failed', pending: [] });
    expect([await remainingOf(s1.id), await remainingOf(s2.id)]).toEqual([1, 1]);
    expect(await limitTotal(user.userId, v.venueId)).toBe(0);
    // the sweeper again: no phantom place, no negative limit
    await heal();
    expect([await remainingOf(s1.id), await remainingOf(s2.id)]).toEqual([1, 1]);
    expect(await limitTotal(user.userId, v.venueId)).toBe(0);
    // and the places can be booked by someone else, exactly once
    const other = await stack.login(`crash-other-${tag}`);
    const ok = await stack.request('POST', '/bookings', { token: other.token, body: { slotIds: [s1.id, s2.id] } });
    expect(ok.status).toBe(201);
    expect([await remainingOf(s1.id), await activePlaces(s1.id)]).toEqual([0, 1]);
  });

  test('crash after the booking is confirmed but before its tickets: the sweeper issues them (once) and records the event', async () => {
    const v = await createTestVenue(stack, { name: '出票崩溃馆' });
    const user = await stack.login('crash-tickets');
    const [s] = await slotsOf(v.sessionId, TOMORROW);
    const left = await crashedBooking('effects:booking:tickets.issue:before', { slotIds: [s.id], quantity: 2 }, user.token);
    expect(left).toMatchObject({ status: 'confirmed', pending: ['tickets.issue', 'event.booked'] });
    expect(
      await db()
        .collection('tickets')
        .countDocuments({ 'source.id': String(left!._id) }),
    ).toBe(0);
    await heal();
    await heal();
    expect(
      await db()
        .collection('tickets')
        .countDocuments({ 'source.id': String(left!._id) }),
    ).toBe(2);
    expect(
      await db()
        .collection('outbox')
        .countDocuments({ eventId: `booking.booked:${left!._id}` }),
    ).toBe(1);
    expect(await bookingDoc(String(left!._id))).toMatchObject({ pending: [] });
  });
});

describe('cancellation: what a cancel owes is recorded in the same update and finished after a crash', () => {
  async function confirmedFree(name: string, openid: string, quantity = 1) {
    const v = await createTestVenue(stack, { name });
    const user = await stack.login(openid);
    const [s] = await slotsOf(v.sessionId, TOMORROW);
    const res = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [s.id], quantity } });
    expect(res.status).toBe(201);
    return { v, user, slot: s, booking: res.body.booking };
  }

  test('crash after tickets are revoked, before places go back: the sweeper gives places and limit back once', async () => {
    const { v, user, slot, booking } = await confirmedFree('取消崩溃馆', 'crash-cancel', 2);
    expect(await remainingOf(slot.id)).toBe(48);
    crashes.arm('effects:booking:capacity:before');
    expect((await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: {} })).status).toBe(500);
    // still owed (tickets.revoke was done; steps are cleared together at the end, and repeating it is harmless);
    // the placement's tickets and event ran then, and wait for the sweeper's bulk check (platform/effects.ts `checks`)
    expect(await bookingDoc(booking.id)).toMatchObject({
      status: 'cancelled',
      pending: ['tickets.issue', 'event.booked', 'tickets.revoke', 'capacity', 'limits', 'event.cancelled'],
    });
    expect(await remainingOf(slot.id)).toBe(48);
    expect(await db().collection('tickets').countDocuments({ 'source.id': booking.id, status: 'valid' })).toBe(0);
    await heal();
    expect(await remainingOf(slot.id)).toBe(50);
    expect(await limitTotal(user.userId, v.venueId)).toBe(0);
    expect(await bookingDoc(booking.id)).toMatchObject({ pending: [] });
  });

  test('crash after places went back but before that step was cleared: re-running it creates no phantom place', async () => {
    const { v, user, slot, booking } = await confirmedFree('幻影名额馆', 'crash-phantom', 3);
    crashes.arm('effects:booking:capacity:done');
    expect((await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: {} })).status).toBe(500);
    expect(await remainingOf(slot.id)).toBe(50); // given back, but still listed as pending
    expect((await bookingDoc(booking.id))?.pending).toContain('capacity');
    await heal();
    await heal();
    expect(await remainingOf(slot.id)).toBe(50); // not 53
    expect(await limitTotal(user.userId, v.venueId)).toBe(0);
  });

  test('a paid booking cancelled, crash before the refund starts: the sweeper starts the refund (once)', async () => {
    const v = await createTestVenue(stack, { name: '退款崩溃馆', sessionPriceFen: 3000 });
    const user = await stack.login('crash-refund');
    const [s] = await slotsOf(v.sessionId, TOMORROW);
    const booked = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [s.id] } });
    const orderId = booked.body.booking.orderId as string;
    await payAndConfirm(stack, user.token, orderId);
    await until(async () => (await bookingDoc(booked.body.booking.id))?.status === 'confirmed');
    crashes.arm('effects:booking:refund:before');
    expect((await stack.request('POST', `/bookings/${booked.body.booking.id}/cancel`, { token: user.token, body: {} })).status).toBe(500);
    expect(
      await db()
        .collection('refunds')
        .countDocuments({ orderId: oid(orderId) }),
    ).toBe(0);
    await heal();
    await heal();
    expect(
      await db()
        .collection('refunds')
        .countDocuments({ orderId: oid(orderId) }),
    ).toBe(1);
    expect(
      (
        await db()
          .collection('orders')
          .findOne({ _id: oid(orderId) })
      )?.refundedFen,
    ).toBe(3000);
    expect(await remainingOf(s.id)).toBe(50);
    expect(await bookingDoc(booked.body.booking.id)).toMatchObject({ status: 'cancelled', pending: [] });
  });

  test('an expired hold, crash before its places go back: the sweeper releases them once', async () => {
    const v = await createTestVenue(stack, { name: '过期崩溃馆', sessionPriceFen: 2000, rules: { holdMinutes: 5 } });
    const user = await stack.login('crash-expire');
    const [s] = await slotsOf(v.sessionId, TOMORROW);
    const booked = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [s.id], quantity: 2 } });
    expect(await remainingOf(s.id)).toBe(48);
    clock.advance(6 * 60_000);
    crashes.arm('effects:booking:capacity:before');
    await expect(stack.cloud.services.bookings.expireHolds()).rejects.toThrow('injected crash');
    expect(await bookingDoc(booked.body.booking.id)).toMatchObject({ status: 'expired' });
    await heal();
    await heal();
    expect(await remainingOf(s.id)).toBe(50);
    expect(await limitTotal(user.userId, v.venueId)).toBe(0);
  });
});

describe('ticket used → booking used, and close-day re-runs', () => {
  test('crash after the gate admits, before the booking is told: the sweeper marks the booking used (its limit freed once)', async () => {
    const v = await createTestVenue(stack, { name: '检票崩溃馆' });
    const user = await stack.login('crash-gate');
    const staff = await stack.login('crash-gate-staff');
    await grant(stack, staff.userId, 'staff', v.venueId);
    const [s] = await slotsOf(v.sessionId, TOMORROW);
    const booked = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [s.id] } });
    expect(await limitTotal(user.userId, v.venueId)).toBe(1);
    clock.set(new Date(s.startAt.getTime() - 10 * 60_000));
    const [ticket] = (await stack.request('GET', '/tickets/mine', { token: user.token })).body.items.filter(
      (t: { bookingId: string }) => t.bookingId === booked.body.booking.id,
    );
    const code = TicketCodeSchema.parse((await stack.request('GET', `/tickets/${ticket.id}/code`, { token: user.token })).body).code;
    crashes.arm('ticket.admit:after-transition');
    const res = await stack.request('POST', '/verifications', { token: staff.token, body: { code, venueId: v.venueId } });
    expect(res.status).toBe(500);
    expect(await bookingDoc(booked.body.booking.id)).toMatchObject({ status: 'confirmed' });
    const healed = await heal();
    expect(healed.tickets.healed).toBe(1);
    // its event is stored; the step is cleared by the sweeper's bulk check once it is stale (the next heal)
    expect(await bookingDoc(booked.body.booking.id)).toMatchObject({ status: 'used', pending: ['event.used'] });
    expect(
      await db()
        .collection('outbox')
        .countDocuments({ eventId: `booking.used:${booked.body.booking.id}` }),
    ).toBe(1);
    expect(await limitTotal(user.userId, v.venueId)).toBe(0);
    await heal();
    expect(await limitTotal(user.userId, v.venueId)).toBe(0);
    expect(await bookingDoc(booked.body.booking.id)).toMatchObject({ status: 'used', pending: [] });
  });

  test('close-day dies after cancelling the first booking: running it again cancels the rest, places exact', async () => {
    const v = await createTestVenue(stack, { name: '闭馆崩溃馆' });
    const manager = await stack.login('crash-manager');
    await grant(stack, manager.userId, 'venue_manager', v.venueId);
    const [s] = await slotsOf(v.sessionId, TOMORROW);
    const users = await stack.loginMany('crash-closeday', 3);
    for (const u of users)
      expect((await stack.request('POST', '/bookings', { token: u.token, body: { slotIds: [s.id] } })).status).toBe(201);
    crashes.arm('booking.cancel:after-transition');
    const body = { date: TOMORROW, reason: '设备检修' };
    expect((await stack.request('POST', `/manage/venues/${v.venueId}/close-day`, { token: manager.token, body })).status).toBe(500);
    expect(await activePlaces(s.id)).toBe(2); // one cancelled (its effects owed), two still active
    const again = await stack.request('POST', `/manage/venues/${v.venueId}/close-day`, { token: manager.token, body });
    expect(again.status).toBe(200);
    expect(again.body.cancelledBookings).toBe(2);
    await heal();
    expect(await activePlaces(s.id)).toBe(0);
    expect(await remainingOf(s.id)).toBe(50);
    for (const u of users) expect(await limitTotal(u.userId, v.venueId)).toBe(0);
  });

  test('close-day while a booking is between its take and its transition: it never ends active on the closed slot', async () => {
    const v = await createTestVenue(stack, { name: '闭馆竞态馆', sessionPriceFen: 2000 });
    const manager = await stack.login('race-manager');
    await grant(stack, manager.userId, 'venue_manager', v.venueId);
    const user = await stack.login('race-closeday');
    const [s] = await slotsOf(v.sessionId, TOMORROW);
    // the booking has its place and its limit, and its order is made; close-day runs right then
    const hold = crashes.holdAt('booking.book:before-transition');
    const booking = stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [s.id], quantity: 2 } });
    await hold.reached;
    const closed = await stack.request('POST', `/manage/venues/${v.venueId}/close-day`, {
      token: manager.token,
      body: { date: TOMORROW, reason: '暴雨停场' },
    });
    expect(closed.status).toBe(200);
    hold.release();
    const res = await booking;
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 409, code: 'SLOT_CLOSED' });
    await heal();
    expect(await activePlaces(s.id)).toBe(0);
    expect(await remainingOf(s.id)).toBe(50);
    expect(await limitTotal(user.userId, v.venueId)).toBe(0);
    const mine = await stack.request('GET', '/orders/mine', { token: user.token });
    expect(mine.body.items.filter((o: { status: string }) => o.status === 'pending')).toEqual([]);
  });
});
