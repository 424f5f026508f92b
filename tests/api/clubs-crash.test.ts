/**
 * Club writes with several steps, killed between them (CrashSwitch: an injected crash, tests only),
 * then healed by the club-heal job: no place leaks, nothing is owed for ever.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { startTestStack, type TestStack } from '../support/stack';
import { createTestVenue, slotsOf } from '../support/venue-fixture';
import { activityBody, application, approvedClub, bureauAdmin, memberOf, type User } from './clubs-support';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
const crashes = new CrashSwitch();
let stack: TestStack;
let admin: User;
let founder: User;
let clubId: string;
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);

beforeAll(async () => {
  stack = await startTestStack('clubcrash', { clock, appDeps: { crashes } });
  admin = await bureauAdmin(stack);
  founder = await stack.login('crash-founder');
  clubId = await approvedClub(stack, founder, admin, { name: '崩溃测试社', memberLimit: 10 });
}, 60_000);
afterAll(() => stack.stop());
afterEach(() => crashes.disarm());

/** the heal job, once enough time has passed for it to take over */
async function heal() {
  clock.advance(5 * 60_000);
  return stack.cloud.jobs.find((j) => j.name === 'club-heal')!.run();
}
const clubDoc = () =>
  db()
    .collection('clubs')
    .findOne({ _id: oid(clubId) });
const activityDoc = (id: string) =>
  db()
    .collection('club_activities')
    .findOne({ _id: oid(id) });

test('a sign-up killed after its place was taken is rolled back exactly; the place comes back once', async () => {
  const u = await stack.login('crash-u1');
  const act = (
    await stack.request('POST', `/clubs/${clubId}/activities`, {
      token: founder.token,
      body: activityBody(clock, { membersOnly: false, capacity: 2 }),
    })
  ).body.activity.id;
  crashes.arm('club.signup:after-capacity');
  const res = await stack.request('POST', `/club-activities/${act}/signups`, { token: u.token, body: {} });
  expect(res.status).toBe(500);
  expect(crashes.hits).toContain('club.signup:after-capacity');
  expect((await activityDoc(act))!.remaining).toBe(1); // the crash kept a place
  await heal();
  await heal(); // a second run changes nothing
  expect((await activityDoc(act))!.remaining).toBe(2);
  expect(
    await db()
      .collection('club_signups')
      .countDocuments({ activityId: oid(act), status: 'failed' }),
  ).toBe(1);
  // the user can sign up again
  expect((await stack.request('POST', `/club-activities/${act}/signups`, { token: u.token, body: {} })).status).toBe(201);
  expect((await activityDoc(act))!.remaining).toBe(1);
});

test('a sign-up killed before its ticket was issued gets the ticket from the sweeper', async () => {
  const u = await stack.login('crash-u2');
  const made = await stack.request('POST', `/clubs/${clubId}/activities`, {
    token: founder.token,
    body: activityBody(clock, { membersOnly: false }),
  });
  if (!made.body.activity) throw new Error(JSON.stringify(made.body));
  const act = made.body.activity.id;
  crashes.arm('effects:club_signup:tickets.issue:before');
  expect((await stack.request('POST', `/club-activities/${act}/signups`, { token: u.token, body: {} })).status).toBe(500);
  const signup = await db()
    .collection('club_signups')
    .findOne({ activityId: oid(act) });
  expect(signup!.status).toBe('confirmed');
  expect(
    await db()
      .collection('tickets')
      .countDocuments({ 'source.id': String(signup!._id) }),
  ).toBe(0);
  await heal();
  expect(
    await db()
      .collection('tickets')
      .countDocuments({ 'source.kind': 'club_activity', 'source.id': String(signup!._id) }),
  ).toBe(1);
});

test('an approval killed after the member place was taken is put back to a request; the place is not leaked', async () => {
  const u = await stack.login('crash-u3');
  expect((await stack.request('POST', `/clubs/${clubId}/join`, { token: u.token, body: {} })).status).toBe(201);
  const before = (await clubDoc())!.remaining;
  crashes.arm('club.admit:after-capacity');
  expect((await stack.request('POST', `/clubs/${clubId}/members/${u.userId}/approve`, { token: founder.token, body: {} })).status).toBe(
    500,
  );
  expect((await clubDoc())!.remaining).toBe(before - 1);
  await heal();
  expect((await clubDoc())!.remaining).toBe(before);
  const m = await db()
    .collection('club_members')
    .findOne({ clubId: oid(clubId), userId: oid(u.userId), liveKey: 'live' });
  expect(m!.status).toBe('requested');
  expect((await stack.request('POST', `/clubs/${clubId}/members/${u.userId}/approve`, { token: founder.token, body: {} })).status).toBe(
    200,
  );
  expect((await clubDoc())!.remaining).toBe(before - 1);
});

test('a review killed after the approval is finished by the sweeper: the founder becomes 会长 with club_admin', async () => {
  const f = await stack.login('crash-f2');
  const applied = await stack.request('POST', '/clubs', { token: f.token, body: application({ name: '崩溃审核社' }) });
  crashes.arm('club.review:after-transition');
  const res = await stack.request('POST', `/admin/clubs/${applied.body.club.id}/review`, {
    token: admin.token,
    body: { approved: true, reason: '同意' },
  });
  expect(res.status).toBe(500);
  expect(
    await db()
      .collection('club_members')
      .countDocuments({ clubId: oid(applied.body.club.id) }),
  ).toBe(0);
  await heal();
  const m = await db()
    .collection('club_members')
    .findOne({ clubId: oid(applied.body.club.id), userId: oid(f.userId) });
  expect(m).toMatchObject({ status: 'member', role: 'president' });
  const grants = await stack.cloud.services.identity.grantsOf(f.userId);
  expect(grants).toEqual(expect.arrayContaining([{ role: 'club_admin', scope: applied.body.club.id }]));
  const club = await db()
    .collection('clubs')
    .findOne({ _id: oid(applied.body.club.id) });
  expect(club!.memberLimit - club!.remaining).toBe(1);
});

test('an announcement killed between the post and the sends: the sweeper messages each agreeing member exactly once', async () => {
  const f = await stack.login('crash-ann-f');
  const c = await approvedClub(stack, f, admin, { name: '崩溃公告社' });
  const AGREED = ['crash-ann-f', 'crash-ann-a', 'crash-ann-b', 'crash-ann-c'];
  const agreed = await Promise.all(AGREED.slice(1).map((o) => stack.login(o)));
  const declined = await stack.login('crash-ann-d');
  for (const u of agreed) await memberOf(stack, c, f, u, { notifyOptIn: true });
  await memberOf(stack, c, f, declined, { notifyOptIn: false });
  // the founder agreed when founding; one consent credit each
  await Promise.all(
    [f, ...agreed, declined].map((u) =>
      stack.request('POST', '/notifications/subscriptions', {
        token: u.token,
        body: { templateIds: ['club_announcement'], accepted: true },
      }),
    ),
  );
  const sent = (openid: string) => stack.mock.sentMessages.filter((m) => m.touser === openid && m.template_id === 'club_announcement');

  crashes.arm('club.announce:after-post');
  const posted = await stack.request('POST', `/clubs/${c}/announcements`, {
    token: f.token,
    body: { title: '停电通知', body: '周六场地停电' },
  });
  expect(posted.status).toBe(500);
  const ann = await db()
    .collection('club_announcements')
    .findOne({ clubId: oid(c) });
  expect(ann).toMatchObject({ title: '停电通知', pending: ['notify.members'] }); // the post and what it owes, one write
  expect(AGREED.map((o) => sent(o).length)).toEqual([0, 0, 0, 0]);

  // the sweeper's first run dies after one member's message went out; the next runs finish the rest
  crashes.arm('club.announce:after-send');
  await expect(heal()).rejects.toThrow('injected crash');
  expect(AGREED.map((o) => sent(o).length).reduce((x, y) => x + y)).toBe(1);
  await heal();
  await heal(); // once more: nothing is sent twice
  expect(AGREED.map((o) => sent(o).length)).toEqual([1, 1, 1, 1]);
  expect(sent('crash-ann-d')).toHaveLength(0);
  expect((await db().collection('club_announcements').findOne({ _id: ann!._id }))!.pending).toEqual([]);
});

test('an activity cancel killed after its transition: the sweeper ends the sign-ups and cancels the court through booking, once', async () => {
  const v = await createTestVenue(stack, { name: '崩溃球馆' });
  const [slot] = (await slotsOf(v.courtId, '2026-11-25')).slice(2, 3); // 10:00 Shanghai
  const u = await stack.login('crash-cancel-u');
  const start = new Date('2026-11-25T02:00:00Z');
  const made = await stack.request('POST', `/clubs/${clubId}/activities`, {
    token: founder.token,
    body: activityBody(clock, {
      membersOnly: false,
      startAt: start.toISOString(),
      endAt: new Date(start.getTime() + 3600_000).toISOString(),
      booking: { slotIds: [slot.id] },
    }),
  });
  expect(made.status).toBe(201);
  const act = made.body.activity.id;
  const bookingId = made.body.activity.booking.id;
  expect((await stack.request('POST', `/club-activities/${act}/signups`, { token: u.token, body: {} })).status).toBe(201);
  crashes.arm('club.activity.cancel:after-transition');
  const res = await stack.request('POST', `/clubs/${clubId}/activities/${act}/cancel`, {
    token: founder.token,
    body: { reason: '场馆停电' },
  });
  expect(res.status).toBe(500);
  expect(await activityDoc(act)).toMatchObject({ status: 'cancelled', pending: ['signups.end', 'booking.settle'] });
  const bookingStatus = async () => (await stack.request('GET', `/bookings/${bookingId}`, { token: founder.token })).body.booking.status;
  expect(await bookingStatus()).toBe('confirmed');
  await heal();
  await heal();
  expect(await bookingStatus()).toBe('cancelled');
  expect(await activityDoc(act)).toMatchObject({ pending: [], booking: { status: 'cancelled', outcome: 'cancelled' } });
  expect(
    await db()
      .collection('club_signups')
      .countDocuments({ activityId: oid(act), status: 'cancelled' }),
  ).toBe(1);
});
