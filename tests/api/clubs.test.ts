/**
 * Clubs (issue 14) over HTTP on the real app and engine, with the WeChat Pay stand-in:
 * founding and review, members and roles (scoped club_admin), activities with tickets and
 * check-in, dues through the unified flow (idempotent), announcements, suspension and
 * dissolution, the activity score and the pseudonymous events.
 */
import mongoose from 'mongoose';
import ExcelJS from 'exceljs';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, type TestStack } from '../support/stack';
import { payAndConfirm, orderOf, refundsAtWechat, until } from '../support/pay';
import { createTestVenue, slotsOf } from '../support/venue-fixture';
import { activityBody, application, approvedClub, bureauAdmin, memberOf, type User } from './clubs-support';

const BASE = new Date('2026-11-23T01:00:00Z');
const clock = new ManualClock(BASE);
let stack: TestStack;
let admin: User;
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  stack = await startTestStack('clubs', { clock, wechatPay: { signMode: 'public_key' } });
  admin = await bureauAdmin(stack);
}, 60_000);
afterAll(() => stack.stop());
// tests that move time put it back, even when they fail
afterEach(() => clock.set(BASE));

const consent = (token: string, templateId: string, times = 1) =>
  Promise.all(
    Array.from({ length: times }, () =>
      stack.request('POST', '/notifications/subscriptions', { token, body: { templateIds: [templateId], accepted: true } }),
    ),
  );
const sentTo = (openid: string, templateId: string) =>
  stack.mock.sentMessages.filter((m) => m.touser === openid && m.template_id === templateId);

describe('founding and review', () => {
  test('apply → pending; names unique per district (normalised); reject frees the name; approve makes the founder 会长 with club_admin', async () => {
    const founder = await stack.login('found-1');
    const other = await stack.login('found-2');
    const a = await stack.request('POST', '/clubs', { token: founder.token, body: application({ name: '姑苏夜跑团' }) });
    expect(a.status).toBe(201);
    expect(a.body.club.status).toBe('pending');
    // the same name with a space and full-width letters in the same district is taken; another district is free
    const dup = await stack.request('POST', '/clubs', { token: other.token, body: application({ name: '姑苏 夜跑团' }) });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CLUB_NAME_TAKEN');
    const elsewhere = await stack.request('POST', '/clubs', {
      token: other.token,
      body: application({ name: '姑苏夜跑团', district: '吴中区' }),
    });
    expect(elsewhere.status).toBe(201);

    // pending clubs are not in the directory; a citizen cannot review
    const dir = await stack.request('GET', '/clubs?q=夜跑');
    expect(dir.body.items.map((c: { id: string }) => c.id)).not.toContain(a.body.club.id);
    const notAdmin = await stack.request('POST', `/admin/clubs/${a.body.club.id}/review`, {
      token: other.token,
      body: { approved: true, reason: 'x' },
    });
    expect(notAdmin.status).toBe(403);

    const rejected = await stack.request('POST', `/admin/clubs/${a.body.club.id}/review`, {
      token: admin.token,
      body: { approved: false, reason: '章程不完整' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.club.status).toBe('rejected');
    const again = await stack.request('POST', `/admin/clubs/${a.body.club.id}/review`, {
      token: admin.token,
      body: { approved: true, reason: 'x' },
    });
    expect(again.body.error.code).toBe('CLUB_NOT_PENDING');
    const audit = await db().collection('audit_log').findOne({ action: 'club.reject', 'details.clubId': a.body.club.id });
    expect(audit?.details.reason).toBe('章程不完整');
    const mine = await stack.request('GET', '/clubs/mine', { token: founder.token });
    expect(mine.body.applications[0].reviewReason).toBe('章程不完整');

    // the rejected name is free again
    const id = await approvedClub(stack, founder, admin, { name: '姑苏夜跑团' });
    const detail = await stack.request('GET', `/clubs/${id}`, { token: founder.token });
    expect(detail.body.membership).toMatchObject({ status: 'member', role: 'president' });
    expect(detail.body.isClubAdmin).toBe(true);
    expect(detail.body.club.members).toBe(1);
    const me = await stack.request('GET', '/me', { token: founder.token });
    expect(me.body.grants ?? me.body.user?.grants).toEqual(expect.arrayContaining([{ role: 'club_admin', scope: id }]));
    expect((await stack.request('GET', '/clubs?q=夜跑').then((r) => r.body.items)).map((c: { id: string }) => c.id)).toContain(id);
  });
});

describe('members and roles', () => {
  test('join with a message → request; the roster (masked phones) is for club admins only; a club admin of A cannot touch B', async () => {
    const f1 = await stack.login('mem-f1');
    const f2 = await stack.login('mem-f2');
    const u = await stack.login('mem-u');
    const a = await approvedClub(stack, f1, admin, { name: '羽毛球A' });
    const b = await approvedClub(stack, f2, admin, { name: '羽毛球B' });
    const joined = await stack.request('POST', `/clubs/${a}/join`, {
      token: u.token,
      body: { message: '想一起打球', phone: '13912345678', notifyOptIn: true },
    });
    expect(joined.status).toBe(201);
    expect(joined.body.membership.status).toBe('requested');
    const twice = await stack.request('POST', `/clubs/${a}/join`, { token: u.token, body: {} });
    expect(twice.body.error.code).toBe('CLUB_ALREADY_MEMBER');

    // u cannot read the roster; f2 (club admin of B) cannot approve on A
    expect((await stack.request('GET', `/clubs/${a}/members?status=requested`, { token: u.token })).status).toBe(403);
    const cross = await stack.request('POST', `/clubs/${a}/members/${u.userId}/approve`, { token: f2.token, body: {} });
    expect(cross.status).toBe(403);
    expect(cross.body.error.code).toBe('FORBIDDEN');
    expect((await stack.request('GET', `/clubs/${a}/members?status=requested`, { token: f2.token })).status).toBe(403);
    expect((await stack.request('GET', `/clubs/${b}/members`, { token: f2.token })).status).toBe(200);

    const requests = await stack.request('GET', `/clubs/${a}/members?status=requested`, { token: f1.token });
    expect(requests.body.items).toEqual([expect.objectContaining({ userId: u.userId, message: '想一起打球', phone: '139****5678' })]);
    expect(JSON.stringify(requests.body)).not.toContain('13912345678');
    const stored = await db()
      .collection('club_members')
      .findOne({ userId: new mongoose.Types.ObjectId(u.userId) });
    expect(JSON.stringify(stored)).not.toContain('13912345678');

    expect((await stack.request('POST', `/clubs/${a}/members/${u.userId}/approve`, { token: f1.token, body: {} })).status).toBe(200);
    const roster = await stack.request('GET', `/clubs/${a}/members`, { token: f1.token });
    expect(roster.body.items.map((m: { userId: string }) => m.userId).sort()).toEqual([f1.userId, u.userId].sort());
    const mine = await stack.request('GET', '/clubs/mine', { token: u.token });
    expect(mine.body.items).toEqual([
      expect.objectContaining({ club: expect.objectContaining({ id: a }), membership: expect.objectContaining({ role: 'member' }) }),
    ]);
  });

  test('a removed member loses access at once; a removed 管理员 loses club_admin at once; leave any time', async () => {
    const f = await stack.login('rm-f');
    const u = await stack.login('rm-u');
    const v = await stack.login('rm-v');
    const c = await approvedClub(stack, f, admin, { name: '移除测试社' });
    await memberOf(stack, c, f, u);
    await memberOf(stack, c, f, v);
    // v becomes 管理员 → club_admin for c → may read the roster
    expect((await stack.request('POST', `/clubs/${c}/members/${v.userId}/role`, { token: f.token, body: { role: 'admin' } })).status).toBe(
      200,
    );
    expect((await stack.request('GET', `/clubs/${c}/members`, { token: v.token })).status).toBe(200);
    expect((await stack.request('GET', `/clubs/${c}/announcements`, { token: u.token })).status).toBe(200);

    expect(
      (await stack.request('POST', `/clubs/${c}/members/${u.userId}/remove`, { token: v.token, body: { reason: '违规' } })).status,
    ).toBe(200);
    const after = await stack.request('GET', `/clubs/${c}/announcements`, { token: u.token });
    expect(after.status).toBe(403);
    expect(after.body.error.code).toBe('CLUB_NOT_MEMBER');

    expect((await stack.request('POST', `/clubs/${c}/members/${v.userId}/remove`, { token: f.token, body: {} })).status).toBe(200);
    const gone = await stack.request('GET', `/clubs/${c}/members`, { token: v.token });
    expect(gone.status).toBe(403);
    // the president cannot leave; places came back
    expect((await stack.request('POST', `/clubs/${c}/leave`, { token: f.token, body: {} })).body.error.code).toBe(
      'CLUB_PRESIDENT_CANNOT_LEAVE',
    );
    const club = await db()
      .collection('clubs')
      .findOne({ _id: new mongoose.Types.ObjectId(c) });
    expect(club!.memberLimit - club!.remaining).toBe(1);
    // rejoin and leave
    await memberOf(stack, c, f, u);
    expect((await stack.request('POST', `/clubs/${c}/leave`, { token: u.token, body: {} })).status).toBe(200);
    expect((await stack.request('GET', `/clubs/${c}`, { token: u.token })).body.membership).toBeNull();
  });

  test('member limit through kernel capacity: a 5-place club takes 5; open joining waits as a request when full', async () => {
    const f = await stack.login('lim-f');
    const c = await approvedClub(stack, f, admin, { name: '限额社', memberLimit: 5, openJoin: true });
    const users = await stack.loginMany('lim-u', 6);
    const results = await Promise.all(users.map((u) => stack.request('POST', `/clubs/${c}/join`, { token: u.token, body: {} })));
    const statuses = results.map((r) => r.body.membership?.status);
    expect(statuses.filter((s) => s === 'member')).toHaveLength(4);
    expect(statuses.filter((s) => s === 'requested')).toHaveLength(2);
    const waiting = users[statuses.indexOf('requested')];
    const full = await stack.request('POST', `/clubs/${c}/members/${waiting.userId}/approve`, { token: f.token, body: {} });
    expect(full.body.error.code).toBe('CLUB_FULL');
    const club = await db()
      .collection('clubs')
      .findOne({ _id: new mongoose.Types.ObjectId(c) });
    expect(club!.remaining).toBe(0);
    expect(await db().collection('club_members').countDocuments({ clubId: club!._id, status: 'member' })).toBe(5);
  });
});

describe('activities, tickets and check-in', () => {
  test('members-only sign-up → ticket (source club_activity); check-in by scanning at the club; suspended club refuses sign-ups', async () => {
    const f = await stack.login('act-f');
    const u = await stack.login('act-u');
    const outsider = await stack.login('act-out');
    const f2 = await stack.login('act-f2');
    const c = await approvedClub(stack, f, admin, { name: '活动社' });
    const c2 = await approvedClub(stack, f2, admin, { name: '别的活动社' });
    await memberOf(stack, c, f, u);
    const start = new Date(clock.now().getTime() + 20 * 60_000);
    const created = await stack.request('POST', `/clubs/${c}/activities`, {
      token: f.token,
      body: activityBody(clock, { startAt: start.toISOString(), endAt: new Date(start.getTime() + 3600_000).toISOString(), capacity: 3 }),
    });
    expect(created.status).toBe(201);
    const activityId = created.body.activity.id;
    expect((await stack.request('POST', `/clubs/${c}/activities`, { token: u.token, body: activityBody(clock) })).status).toBe(403);

    const notMember = await stack.request('POST', `/club-activities/${activityId}/signups`, { token: outsider.token, body: {} });
    expect(notMember.body.error.code).toBe('CLUB_NOT_MEMBER');
    const signed = await stack.request('POST', `/club-activities/${activityId}/signups`, { token: u.token, body: {} });
    expect(signed.status).toBe(201);
    expect(signed.body.signup.status).toBe('confirmed');
    expect((await stack.request('POST', `/club-activities/${activityId}/signups`, { token: u.token, body: {} })).body.error.code).toBe(
      'CLUB_ALREADY_SIGNED_UP',
    );
    const tickets = (await stack.request('GET', '/tickets/mine', { token: u.token })).body.items;
    const ticket = tickets.find((t: { source: { kind: string } }) => t.source.kind === 'club_activity');
    expect(ticket).toMatchObject({
      source: { kind: 'club_activity', id: signed.body.signup.signupId },
      venueId: c,
      resourceName: '周末晨跑',
    });

    const code = (await stack.request('GET', `/tickets/${ticket.id}/code`, { token: u.token })).body.code;
    // the admin of another club cannot check in here, and the code is not for that club
    expect((await stack.request('POST', `/clubs/${c}/checkins`, { token: f2.token, body: { code } })).status).toBe(403);
    const wrongGate = await stack.request('POST', `/clubs/${c2}/checkins`, { token: f2.token, body: { code } });
    expect(wrongGate.body.error.code).toBe('TICKET_NOT_FOR_THIS_VENUE');
    const checked = await stack.request('POST', `/clubs/${c}/checkins`, { token: f.token, body: { code } });
    expect(checked.status).toBe(200);
    expect(checked.body.result).toBe('admitted');
    await until(
      async () =>
        (
          await db()
            .collection('club_signups')
            .findOne({ _id: new mongoose.Types.ObjectId(signed.body.signup.signupId) })
        )?.status === 'attended',
    );
    expect((await stack.request('POST', `/clubs/${c}/checkins`, { token: f.token, body: { code } })).body.error.code).toBe(
      'TICKET_ALREADY_USED',
    );

    // suspension: members told (those who agreed), sign-ups refused
    const v = await stack.login('act-v');
    await memberOf(stack, c, f, v);
    await consent(v.token, 'club_status');
    const sus = await stack.request('POST', `/admin/clubs/${c}/suspend`, { token: admin.token, body: { reason: '安全检查' } });
    expect(sus.status).toBe(200);
    const refused = await stack.request('POST', `/club-activities/${activityId}/signups`, { token: v.token, body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CLUB_NOT_ACTIVE');
    expect(sentTo('act-v', 'club_status')).toHaveLength(1);
    expect((await db().collection('audit_log').findOne({ action: 'club.suspend', 'details.clubId': c }))?.details.reason).toBe('安全检查');
    // reinstated: open again
    expect((await stack.request('POST', `/admin/clubs/${c}/reinstate`, { token: admin.token, body: { reason: '整改完成' } })).status).toBe(
      200,
    );
    expect((await stack.request('POST', `/club-activities/${activityId}/signups`, { token: v.token, body: {} })).status).toBe(201);
  });

  test('a paid open activity goes through the unified flow (order kind club_activity); the ticket comes when paid', async () => {
    const f = await stack.login('paid-f');
    const u = await stack.login('paid-u');
    const c = await approvedClub(stack, f, admin, { name: '付费活动社' });
    const created = await stack.request('POST', `/clubs/${c}/activities`, {
      token: f.token,
      body: activityBody(clock, { membersOnly: false, feeFen: 3000 }),
    });
    const res = await stack.request('POST', `/club-activities/${created.body.activity.id}/signups`, { token: u.token, body: {} });
    expect(res.body.signup).toMatchObject({ status: 'held', orderId: expect.any(String) });
    const order = await orderOf(stack, u.token, res.body.signup.orderId);
    expect(order).toMatchObject({ kind: 'club_activity', amountFen: 3000 });
    await payAndConfirm(stack, u.token, res.body.signup.orderId);
    await until(async () => (await db().collection('club_signups').findOne({ orderId: res.body.signup.orderId }))?.status === 'confirmed');
    const tickets = (await stack.request('GET', '/tickets/mine', { token: u.token })).body.items;
    expect(tickets.filter((t: { source: { id: string } }) => t.source.id === res.body.signup.signupId)).toHaveLength(1);
  });
});

describe('dues', () => {
  test('dues paid twice concurrently → one order, the second answered from the first; paid-until; ledger and xlsx; prorata refund', async () => {
    const f = await stack.login('dues-f');
    const u = await stack.login('dues-u');
    const c = await approvedClub(stack, f, admin, { name: '会费社', duesFen: 12000, duesPolicy: 'prorata' });
    await memberOf(stack, c, f, u);
    const headers = { 'idempotency-key': 'dues-key-0001' };
    const [a, b] = await Promise.all([
      stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {}, headers }),
      stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {}, headers }),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.orderId).toBe(a.body.orderId);
    // without a key, concurrent requests still meet the one held dues record
    const [x, y] = await Promise.all([
      stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} }),
      stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} }),
    ]);
    expect([x.body.orderId, y.body.orderId]).toEqual([a.body.orderId, a.body.orderId]);
    expect(
      await db()
        .collection('club_dues')
        .countDocuments({ clubId: new mongoose.Types.ObjectId(c) }),
    ).toBe(1);
    expect(
      await db()
        .collection('orders')
        .countDocuments({ kind: 'club_dues', ownerId: new mongoose.Types.ObjectId(u.userId) }),
    ).toBe(1);

    await payAndConfirm(stack, u.token, a.body.orderId);
    expect((await stack.request('GET', `/clubs/${c}/dues/pay`, { token: u.token })).status).toBe(405);
    await until(async () => (await stack.request('GET', `/clubs/${c}`, { token: u.token })).body.membership.paidUntil !== null);
    const paidUntil = new Date((await stack.request('GET', `/clubs/${c}`, { token: u.token })).body.membership.paidUntil);
    expect(paidUntil.getTime()).toBe(new Date('2027-11-23T01:00:00Z').getTime());
    const paidAgain = await stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} });
    expect(paidAgain.body.error.code).toBe('CLUB_DUES_ALREADY_PAID');

    // ledger for club admins only, and as xlsx
    expect((await stack.request('GET', `/clubs/${c}/dues/ledger`, { token: u.token })).status).toBe(403);
    const ledger = await stack.request('GET', `/clubs/${c}/dues/ledger`, { token: f.token });
    expect(ledger.body.items).toEqual([expect.objectContaining({ amountFen: 12000, status: 'paid' })]);
    const xlsx = await fetch(`${stack.url}/api/v1/clubs/${c}/dues/ledger.xlsx`, { headers: { authorization: `Bearer ${f.token}` } });
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    const ws = wb.getWorksheet('会费台账')!;
    expect(ws.getRow(1).getCell(1).value).toBe('成员');
    expect(ws.getRow(2).getCell(2).value).toBe(120);
    expect(ws.getRow(2).getCell(5).value).toBe('已缴');

    // reminder job a month before expiry: once per paid-until, to those who agreed
    await consent(u.token, 'club_dues_reminder', 2);
    const job = stack.cloud.jobs.find((j) => j.name === 'club-dues-reminders')!;
    clock.set(new Date(paidUntil.getTime() - 20 * 86_400_000));
    await job.run();
    await job.run();
    expect(sentTo('dues-u', 'club_dues_reminder')).toHaveLength(1);
    clock.set(new Date('2026-11-23T01:00:00Z'));

    // refund by the club's policy (prorata): 3 months used → 9/12 back
    clock.set(new Date('2027-02-23T00:30:00Z')); // 3 months and a bit used: 9 whole months left
    const later = await stack.login('dues-u'); // three months on: a fresh login
    const refund = await stack.request('POST', `/orders/${a.body.orderId}/refund`, { token: later.token, body: { reason: '搬家' } });
    expect(refund.status).toBe(200);
    await until(async () => refundsAtWechat(stack, a.body.orderId).length === 1);
    expect(refundsAtWechat(stack, a.body.orderId)[0].amount.refund).toBe(9000);
    clock.set(new Date('2026-11-23T01:00:00Z'));
  });

  test('a club whose policy is "none" refuses a member’s dues refund', async () => {
    const f = await stack.login('dues2-f');
    const u = await stack.login('dues2-u');
    const c = await approvedClub(stack, f, admin, { name: '不退会费社', duesFen: 5000 });
    await memberOf(stack, c, f, u);
    const { orderId } = (await stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} })).body;
    await payAndConfirm(stack, u.token, orderId);
    const refund = await stack.request('POST', `/orders/${orderId}/refund`, { token: u.token, body: { reason: '不想要了' } });
    expect(refund.body.error.code).toBe('REFUND_NOT_ALLOWED');
  });
});

describe('announcements, dissolution, score, events', () => {
  test('announcements: HTML kept as text, pinned first, subscribe messages to members who agreed', async () => {
    const f = await stack.login('ann-f');
    const yes = await stack.login('ann-yes');
    const no = await stack.login('ann-no');
    const c = await approvedClub(stack, f, admin, { name: '公告社' });
    await memberOf(stack, c, f, yes, { notifyOptIn: true });
    await memberOf(stack, c, f, no, { notifyOptIn: false });
    await consent(yes.token, 'club_announcement');
    await consent(no.token, 'club_announcement');
    const html = '<script>alert(1)</script><b>周六</b>集合';
    const posted = await stack.request('POST', `/clubs/${c}/announcements`, { token: f.token, body: { title: '集合通知', body: html } });
    expect(posted.status).toBe(201);
    expect(posted.body.notified).toBeGreaterThanOrEqual(1);
    await stack.request('POST', `/clubs/${c}/announcements`, {
      token: f.token,
      body: { title: '置顶：章程', body: '请阅读', pinned: true },
    });
    expect(sentTo('ann-yes', 'club_announcement')).toHaveLength(1);
    expect(sentTo('ann-no', 'club_announcement')).toHaveLength(0);
    const detail = await stack.request('GET', `/clubs/${c}`, { token: yes.token });
    expect(detail.body.announcements.map((a: { title: string }) => a.title)).toEqual(['置顶：章程', '集合通知']);
    expect(detail.body.announcements[1].body).toBe(html);
    // the public sees only pinned posts
    expect((await stack.request('GET', `/clubs/${c}`)).body.announcements.map((a: { title: string }) => a.title)).toEqual(['置顶：章程']);
  });

  test('dissolution: members told, memberships and roles end, prorata dues refunded, the name is free again', async () => {
    const f = await stack.login('dis-f');
    const u = await stack.login('dis-u');
    const c = await approvedClub(stack, f, admin, { name: '解散社', duesFen: 12000, duesPolicy: 'prorata', district: '相城区' });
    await memberOf(stack, c, f, u);
    await consent(u.token, 'club_status');
    const { orderId } = (await stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} })).body;
    await payAndConfirm(stack, u.token, orderId);
    const dis = await stack.request('POST', `/admin/clubs/${c}/dissolve`, { token: admin.token, body: { reason: '长期不活动' } });
    expect(dis.status).toBe(200);
    expect(sentTo('dis-u', 'club_status')).toHaveLength(1);
    expect(
      await db()
        .collection('club_members')
        .countDocuments({ clubId: new mongoose.Types.ObjectId(c), liveKey: 'live' }),
    ).toBe(0);
    expect((await stack.request('GET', `/clubs/${c}/members`, { token: f.token })).status).toBe(403);
    await until(async () => refundsAtWechat(stack, orderId).length === 1);
    expect(refundsAtWechat(stack, orderId)[0].amount.refund).toBe(12000);
    const fresh = await stack.request('POST', '/clubs', { token: u.token, body: application({ name: '解散社', district: '相城区' }) });
    expect(fresh.status).toBe(201);
  });

  test('activity score per club and period, and club.* events carry pseudonyms only', async () => {
    const f = await stack.login('score-f');
    const u = await stack.login('score-u');
    const c = await approvedClub(stack, f, admin, { name: '积分社', district: '吴江区' });
    await memberOf(stack, c, f, u);
    const start = new Date(clock.now().getTime() + 10 * 60_000);
    const act = await stack.request('POST', `/clubs/${c}/activities`, {
      token: f.token,
      body: activityBody(clock, { startAt: start.toISOString(), endAt: new Date(start.getTime() + 3600_000).toISOString() }),
    });
    await stack.request('POST', `/club-activities/${act.body.activity.id}/signups`, { token: u.token, body: {} });
    const ticket = (await stack.request('GET', '/tickets/mine', { token: u.token })).body.items.find(
      (t: { venueId: string }) => t.venueId === c,
    );
    const code = (await stack.request('GET', `/tickets/${ticket.id}/code`, { token: u.token })).body.code;
    expect((await stack.request('POST', `/clubs/${c}/checkins`, { token: f.token, body: { code } })).status).toBe(200);
    clock.set(new Date(start.getTime() + 2 * 3600_000));
    const res = await stack.request('GET', `/clubs/${c}/score?from=2026-11-01&to=2026-12-01`);
    expect(res.status).toBe(200);
    expect(res.body.score).toMatchObject({ activitiesHeld: 1, attendance: 1, members: 2, growth: 2 });
    expect(res.body.score.score).toBe(5 + 1 + 1 + 4);
    const ranking = await stack.request('GET', '/clubs/ranking?from=2026-11-01&to=2026-12-01');
    const scores = ranking.body.items.map((r: { score: number }) => r.score);
    expect(scores).toEqual([...scores].sort((p, q) => q - p));
    clock.set(new Date('2026-11-23T01:00:00Z'));

    const events = await db()
      .collection('outbox')
      .find({ type: /^club\./ })
      .toArray();
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set([
        'club.approved',
        'club.member_joined',
        'club.member_left',
        'club.activity_signed_up',
        'club.activity_attended',
        'club.dues_paid',
        'club.status_changed',
      ]),
    );
    const userIds = (
      await db()
        .collection('users')
        .find({}, { projection: { _id: 1 } })
        .toArray()
    ).map((x) => String(x._id));
    const text = JSON.stringify(events.map((e) => e.payload));
    for (const id of userIds) expect(text).not.toContain(id);
  });
});

describe('a court for an activity (booking module)', () => {
  test('slots booked with the activity or a booking the admin holds; others’ bookings, other clubs and other times refused; cancelling settles the court', async () => {
    const f = await stack.login('court-f');
    const other = await stack.login('court-other');
    const fb = await stack.login('court-fb');
    const u = await stack.login('court-u');
    const c = await approvedClub(stack, f, admin, { name: '场地社' });
    await approvedClub(stack, fb, admin, { name: '别家场地社' });
    const v = await createTestVenue(stack, { name: '社团球馆' });
    const D1 = '2026-11-25';
    const slots = await slotsOf(v.courtId, D1); // hourly from 08:00
    const at = (h: number, day = D1) => new Date(`${day}T${String(h).padStart(2, '0')}:00:00+08:00`).toISOString();
    const body = (h1: number, h2: number, over: Record<string, unknown> = {}, day = D1) => ({
      title: '羽毛球活动',
      place: '社团球馆',
      startAt: at(h1, day),
      endAt: at(h2, day),
      capacity: 8,
      membersOnly: false,
      ...over,
    });
    const create = (b: unknown) => stack.request('POST', `/clubs/${c}/activities`, { token: f.token, body: b });
    const attach = (id: string, b: unknown, token = f.token) =>
      stack.request('POST', `/clubs/${c}/activities/${id}/booking`, { token, body: b });
    const cancel = (id: string, b: unknown) => stack.request('POST', `/clubs/${c}/activities/${id}/cancel`, { token: f.token, body: b });
    const booking = async (id: string) => (await stack.request('GET', `/bookings/${id}`, { token: f.token })).body.booking;
    const mine = async () => (await stack.request('GET', '/bookings/mine?status=active', { token: f.token })).body.items.length;

    // slots at another time than the activity: refused before anything is booked
    const wrong = await create(body(10, 12, { booking: { slotIds: [slots[7].id] } }));
    expect({ status: wrong.status, code: wrong.body.error?.code }).toEqual({ status: 422, code: 'CLUB_BOOKING_TIME_MISMATCH' });
    expect(await mine()).toBe(0);
    // 10:00-12:00 booked with the activity, as the admin, through booking's rules
    const a1 = await create(body(10, 12, { booking: { slotIds: [slots[2].id, slots[3].id] } }));
    expect(a1.status).toBe(201);
    expect(a1.body.activity.booking).toMatchObject({
      venueId: v.venueId,
      venueName: '社团球馆',
      resourceName: '羽毛球1号场',
      startAt: at(10),
      endAt: at(12),
      status: 'confirmed',
      outcome: null,
    });
    const b1 = a1.body.activity.booking.id;
    const page = await stack.request('GET', `/clubs/${c}`);
    expect(page.body.activities.find((a: { id: string }) => a.id === a1.body.activity.id).booking.venueName).toBe('社团球馆');

    // someone else's booking looks absent; another club's admin is refused; nothing linked
    const theirs = await stack.request('POST', '/bookings', { token: other.token, body: { slotIds: [slots[7].id] } });
    const a2 = (await create(body(15, 16))).body.activity.id;
    const foreign = await attach(a2, { bookingId: theirs.body.booking.id });
    expect({ status: foreign.status, code: foreign.body.error?.code }).toEqual({ status: 404, code: 'BOOKING_NOT_FOUND' });
    expect((await attach(a2, { bookingId: theirs.body.booking.id }, fb.token)).status).toBe(403);
    // the admin's own booking at 16:00 does not cover a 15:00-16:00 activity
    const b2 = (await stack.request('POST', '/bookings', { token: f.token, body: { slotIds: [slots[8].id] } })).body.booking.id;
    const late = await attach(a2, { bookingId: b2 });
    expect({ status: late.status, code: late.body.error?.code }).toEqual({ status: 422, code: 'CLUB_BOOKING_TIME_MISMATCH' });
    expect((await stack.request('GET', `/clubs/${c}`)).body.activities.find((a: { id: string }) => a.id === a2).booking).toBeNull();
    // it serves a 16:00-17:00 activity, and only one
    const a3 = await create(body(16, 17, { booking: { bookingId: b2 } }));
    expect(a3.status).toBe(201);
    const twice = await create(body(16, 17, { booking: { bookingId: b2 } }));
    expect({ status: twice.status, code: twice.body.error?.code }).toEqual({ status: 409, code: 'CLUB_BOOKING_TAKEN' });

    // cancelling: sign-ups end, the court is cancelled through booking (its refund rules) unless kept
    expect((await stack.request('POST', `/club-activities/${a1.body.activity.id}/signups`, { token: u.token, body: {} })).status).toBe(201);
    const c1 = await cancel(a1.body.activity.id, { reason: '下雨' });
    expect(c1.status).toBe(200);
    expect(c1.body.activity).toMatchObject({ status: 'cancelled', booking: { status: 'cancelled', outcome: 'cancelled' } });
    expect((await booking(b1)).status).toBe('cancelled');
    expect(
      await db()
        .collection('club_signups')
        .countDocuments({ activityId: new mongoose.Types.ObjectId(a1.body.activity.id), status: 'cancelled' }),
    ).toBe(1);
    const c3 = await cancel(a3.body.activity.id, { reason: '改期', keepBooking: true });
    expect(c3.body.activity.booking).toMatchObject({ status: 'confirmed', outcome: 'kept' });
    expect((await booking(b2)).status).toBe('confirmed');
    // 改期: the kept court serves the rescheduled activity (the cancelled one lets go of it), once
    const moved = await Promise.all([1, 2, 3].map(() => create(body(16, 17, { booking: { bookingId: b2 } }))));
    expect(moved.map((r) => r.status).sort()).toEqual([201, 409, 409]);

    // past the venue's free-cancellation deadline (2 h before) the court stays with the admin, and the activity says so
    const b3 = (
      await stack.request('POST', '/bookings', { token: f.token, body: { slotIds: [(await slotsOf(v.courtId, '2026-11-24'))[2].id] } })
    ).body.booking.id;
    const a5 = (await create(body(10, 11, { booking: { bookingId: b3 } }, '2026-11-24'))).body.activity.id;
    clock.set(new Date('2026-11-24T01:30:00Z')); // 09:30 Shanghai
    const c5 = await cancel(a5, { reason: '临时取消' });
    expect(c5.body.activity.booking).toMatchObject({ status: 'confirmed', outcome: 'window_closed' });
    expect((await booking(b3)).status).toBe('confirmed');
  });
});
