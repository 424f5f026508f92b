/**
 * The booking sweepers at their edges: the no-show job's check-in grace and counting window, ban
 * expiry, a ban lifted then re-earned the same day, and booking reminders. The clock is pinned and
 * each job is run by hand at the exact millisecond that matters.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, remainingOf, slotsOf } from '../support/venue-fixture';

const START = new Date('2026-11-23T01:00:00Z'); // Monday 09:00 in Shanghai
const clock = new ManualClock(START);
const TOMORROW = '2026-11-24';
let stack: TestStack;
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);

beforeAll(async () => {
  stack = await startTestStack('bookingjobs', { clock });
}, 60_000);
afterAll(() => stack.stop());
afterEach(() => clock.set(START));

const book = async (token: string, slotId: string) => {
  const res = await stack.request('POST', '/bookings', { token, body: { slotIds: [slotId] } });
  return res;
};
const statusOf = async (bookingId: string) =>
  (await db()
    .collection('bookings')
    .findOne({ _id: oid(bookingId) }))!.status;
const bansOf = (userId: string, venueId: string) =>
  db()
    .collection('booking_bans')
    .find({ userId: oid(userId), venueId: oid(venueId) })
    .toArray();
const markNoShows = () => stack.cloud.services.bookings.markNoShows();

describe('the no-show job', () => {
  test('marks a confirmed booking exactly when the check-in grace ends, not a millisecond before; used ones never', async () => {
    const v = await createTestVenue(stack, { name: '宽限馆', rules: { checkInGraceMinutes: 10, noShowLimit: 20 } });
    const absent = await stack.login('grace-absent');
    const present = await stack.login('grace-present');
    const day = await slotsOf(v.courtId, TOMORROW);
    const a = (await book(absent.token, day[0].id)).body.booking;
    const p = (await book(present.token, day[1].id)).body.booking;
    expect([a.status, p.status]).toEqual(['confirmed', 'confirmed']);
    clock.set(new Date(day[1].startAt.getTime() + 60_000));
    expect(await stack.cloud.services.bookings.markUsed(p.id)).toBe(true);

    const deadline = new Date(day[0].startAt.getTime() + 10 * 60_000);
    clock.set(new Date(deadline.getTime() - 1));
    await markNoShows();
    expect(await statusOf(a.id)).toBe('confirmed');
    clock.set(deadline);
    await markNoShows();
    expect(await statusOf(a.id)).toBe('no_show');
    expect(
      (await db()
        .collection('bookings')
        .findOne({ _id: oid(a.id) }))!.noShowAt,
    ).toEqual(deadline);
    clock.set(new Date(day[1].startAt.getTime() + 11 * 60_000));
    await markNoShows();
    expect(await statusOf(p.id)).toBe('used');
    expect(await db().collection('outbox').countDocuments({ type: 'booking.no_show', 'payload.bookingId': a.id })).toBe(1);
    expect(await db().collection('outbox').countDocuments({ type: 'booking.no_show', 'payload.bookingId': p.id })).toBe(0);
  });

  test('counts no-shows that started within noShowWindowDays, the window start included, 1 ms older excluded', async () => {
    // two no-shows within one day ban; the first one started exactly at (or 1 ms before) the window's start
    const v = await createTestVenue(stack, {
      name: '窗口馆',
      rules: { noShowLimit: 2, noShowWindowDays: 1, banDays: 3, checkInGraceMinutes: 15, maxActivePerDay: 2 },
    });
    const edge = await stack.login('window-edge');
    const outside = await stack.login('window-outside');
    const d1 = await slotsOf(v.courtId, TOMORROW);
    const d2 = await slotsOf(v.courtId, '2026-11-25');
    // edge: 08:00 and 20:00 on the 24th; outside: 09:00 and 21:00 on the 25th
    const e1 = (await book(edge.token, d1[0].id)).body.booking;
    const e2 = (await book(edge.token, d1[12].id)).body.booking;
    const o1 = (await book(outside.token, d2[1].id)).body.booking;
    const o2 = (await book(outside.token, d2[13].id)).body.booking;
    expect([e1, e2, o1, o2].map((b) => b.status)).toEqual(['confirmed', 'confirmed', 'confirmed', 'confirmed']);

    clock.set(new Date(d1[0].startAt.getTime() + 15 * 60_000));
    await markNoShows();
    expect(await statusOf(e1.id)).toBe('no_show');
    expect(await bansOf(edge.userId, v.venueId)).toHaveLength(0);
    // the second no-show is marked exactly one day after the first one started: the first is at the window's start
    clock.set(new Date(d1[0].startAt.getTime() + 86_400_000));
    await markNoShows();
    expect(await statusOf(e2.id)).toBe('no_show');
    expect(await bansOf(edge.userId, v.venueId)).toMatchObject([{ noShowCount: 2, liftedAt: null }]);

    clock.set(new Date(d2[1].startAt.getTime() + 15 * 60_000));
    await markNoShows();
    expect(await statusOf(o1.id)).toBe('no_show');
    clock.set(new Date(d2[1].startAt.getTime() + 86_400_000 + 1));
    await markNoShows();
    expect(await statusOf(o2.id)).toBe('no_show');
    expect(await bansOf(outside.userId, v.venueId)).toEqual([]);
  });
});

describe('bans', () => {
  test('a ban holds until its last millisecond and ends exactly at `until`; a refused booking takes nothing', async () => {
    const v = await createTestVenue(stack, { name: '禁约到期馆', rules: { noShowLimit: 1, banDays: 2, checkInGraceMinutes: 15 } });
    const user = await stack.login('ban-expiry');
    const manager = await stack.login('ban-expiry-manager');
    await grant(stack, manager.userId, 'venue_manager', v.venueId);
    const [first] = await slotsOf(v.courtId, TOMORROW);
    expect((await book(user.token, first.id)).status).toBe(201);
    const bannedAt = new Date(first.startAt.getTime() + 15 * 60_000);
    clock.set(bannedAt);
    await markNoShows();
    const until = new Date(bannedAt.getTime() + 2 * 86_400_000);
    const listed = (await stack.request('GET', `/manage/venues/${v.venueId}/bans`, { token: manager.token })).body.items;
    expect(listed).toMatchObject([{ userId: user.userId, since: bannedAt.toISOString(), until: until.toISOString(), liftedAt: null }]);

    const later = (await slotsOf(v.courtId, '2026-11-26'))[6]; // 14:00, after the ban ends at 08:15
    clock.set(new Date(until.getTime() - 1));
    const refused = await book(user.token, later.id);
    expect([refused.status, refused.body.error?.code, refused.body.error?.details?.until]).toEqual([
      403,
      'BOOKING_BANNED',
      until.toISOString(),
    ]);
    expect(await remainingOf(later.id)).toBe(1);
    clock.set(until);
    expect((await book(user.token, later.id)).status).toBe(201);
    expect(await remainingOf(later.id)).toBe(0);
  });

  // Was a defect: a ban's _id was `user:venue:businessDay`, so a second ban earned the same day
  // collided with the lifted one and the user was not banned again.
  test('a ban lifted by the manager and re-earned the same day bans again', async () => {
    const v = await createTestVenue(stack, {
      name: '再犯馆',
      rules: { noShowLimit: 1, banDays: 30, checkInGraceMinutes: 15, maxActivePerDay: 2 },
    });
    const user = await stack.login('ban-again');
    const manager = await stack.login('ban-again-manager');
    await grant(stack, manager.userId, 'venue_manager', v.venueId);
    const day = await slotsOf(v.courtId, TOMORROW);
    const morning = (await book(user.token, day[0].id)).body.booking; // 08:00
    const noon = (await book(user.token, day[4].id)).body.booking; // 12:00
    const target = (await slotsOf(v.courtId, '2026-11-27'))[3];

    clock.set(new Date(day[0].startAt.getTime() + 15 * 60_000));
    await markNoShows();
    expect(await statusOf(morning.id)).toBe('no_show');
    const [ban] = (await stack.request('GET', `/manage/venues/${v.venueId}/bans`, { token: manager.token })).body.items;
    expect((await book(user.token, target.id)).body.error?.code).toBe('BOOKING_BANNED');

    clock.set(new Date(day[0].startAt.getTime() + 30 * 60_000));
    const lift = await stack.request('POST', `/manage/bans/${ban.id}/lift`, { token: manager.token, body: { reason: '首次提醒' } });
    expect(lift.status).toBe(200);

    // the same business day, a new no-show: banned again
    const reEarnedAt = new Date(day[4].startAt.getTime() + 15 * 60_000);
    clock.set(reEarnedAt);
    await markNoShows();
    expect(await statusOf(noon.id)).toBe('no_show');
    const refused = await book(user.token, target.id);
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'BOOKING_BANNED']);
    expect(await remainingOf(target.id)).toBe(1);
    const bans = (await stack.request('GET', `/manage/venues/${v.venueId}/bans`, { token: manager.token })).body.items;
    expect(bans.filter((b: { liftedAt: string | null }) => b.liftedAt === null)).toMatchObject([{ since: reEarnedAt.toISOString() }]);
    // the lift stays on record
    expect(await db().collection('audit_log').countDocuments({ action: 'ban.lift', 'details.banId': ban.id })).toBe(1);
  });
});

describe('booking reminders', () => {
  test('sent once, an hour before the start (not a millisecond earlier), only to users who agreed', async () => {
    const v = await createTestVenue(stack, { name: '提醒馆' });
    const agreed = await stack.login('remind-yes');
    const declined = await stack.login('remind-no');
    const silent = await stack.login('remind-silent');
    const cancelled = await stack.login('remind-cancelled');
    const agreedToo = await stack.login('remind-yes-session');
    // each agreeing user accepted three times: credit is left over, so only the job's once-per-booking rule keeps it to one
    for (const [u, accepted] of [
      [agreed, true],
      [agreedToo, true],
      [declined, false],
      [cancelled, true],
    ] as const)
      for (let k = 0; k < 3; k++)
        expect(
          (
            await stack.request('POST', '/notifications/subscriptions', {
              token: u.token,
              body: { templateIds: ['booking_reminder'], accepted },
            })
          ).status,
        ).toBe(204);
    const day = await slotsOf(v.courtId, TOMORROW);
    const slot = day[9]; // 17:00
    // one court hour at 17:00 for the first user; the others share the 18:00 session
    const [session] = await slotsOf(v.sessionId, TOMORROW); // 18:00–20:00
    const agreedBooking = (await book(agreed.token, slot.id)).body.booking;
    const others = [];
    for (const u of [agreedToo, declined, silent, cancelled]) others.push((await book(u.token, session.id)).body.booking);
    expect([agreedBooking, ...others].map((b) => b.status)).toEqual(Array(5).fill('confirmed'));
    expect((await stack.request('POST', `/bookings/${others[3].id}/cancel`, { token: cancelled.token, body: {} })).status).toBe(200);

    const sentTo = (openid: string) => stack.mock.sentMessages.filter((m) => m.touser === openid && m.template_id === 'booking_reminder');
    clock.set(new Date(slot.startAt.getTime() - 60 * 60_000 - 1));
    await stack.cloud.services.bookings.sendReminders();
    expect(sentTo('remind-yes')).toEqual([]);
    clock.set(new Date(slot.startAt.getTime() - 60 * 60_000));
    await stack.cloud.services.bookings.sendReminders();
    expect(sentTo('remind-yes')).toHaveLength(1);
    expect(sentTo('remind-yes')[0].data).toMatchObject({ thing1: { value: '提醒馆' }, time3: { value: `${TOMORROW} 17:00` } });
    await Promise.all([stack.cloud.services.bookings.sendReminders(), stack.cloud.services.bookings.sendReminders()]);
    clock.set(new Date(slot.startAt.getTime() - 5 * 60_000));
    await stack.cloud.services.bookings.sendReminders();
    expect(sentTo('remind-yes')).toHaveLength(1);

    // the 18:00 session: reminded at 17:00 only where the user agreed and the booking is still on
    clock.set(new Date(session.startAt.getTime() - 60 * 60_000));
    await stack.cloud.services.bookings.sendReminders();
    await stack.cloud.services.bookings.sendReminders();
    expect(sentTo('remind-yes-session')).toHaveLength(1);
    expect(sentTo('remind-no')).toEqual([]);
    expect(sentTo('remind-silent')).toEqual([]);
    expect(sentTo('remind-cancelled')).toEqual([]);
    expect(sentTo('remind-yes')).toHaveLength(1);
  });
});
