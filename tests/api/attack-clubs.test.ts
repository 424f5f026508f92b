/**
 * Clubs, attacked (issue 14): as a citizen, a club officer and an operator whose process dies
 * between two writes. Money first: an unpaid dues order must not outlive the membership or the
 * club it pays for; a sign-up caught between its place and its order must not outlive a cancel.
 * Then races (the last member places, two officers at once), other clubs' ids, role escalation,
 * refunds, and crashes healed by the club-heal sweeper.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { startTestStack, type TestStack } from '../support/stack';
import { orderOf, payAndConfirm, refundsAtWechat, until } from '../support/pay';
import { activityBody, approvedClub, bureauAdmin, memberOf, type User } from './clubs-support';

const BASE = new Date('2026-11-23T01:00:00Z');
const clock = new ManualClock(BASE);
const crashes = new CrashSwitch();
let stack: TestStack;
let control: TestStack;
let admin: User;
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);

beforeAll(async () => {
  stack = await startTestStack('attackclubs', { clock, wechatPay: { signMode: 'public_key' }, appDeps: { crashes } });
  control = await startTestStack('attackclubs-control', { clock, reuseConnection: true, appDeps: { controlRunWithoutGuards: true } });
  admin = await bureauAdmin(stack, 'atk-bureau');
}, 60_000);
afterAll(async () => {
  await control.stop();
  await stack.stop();
});
afterEach(() => {
  crashes.disarm();
  clock.set(BASE);
});

let seq = 0;
const users = async (n: number) => {
  seq++;
  return Promise.all(Array.from({ length: n }, (_, i) => stack.login(`atk-${seq}-${i}`)));
};

/** the heal job, once enough time has passed for it to take over */
async function heal() {
  clock.advance(6 * 60_000);
  return stack.cloud.jobs.find((j) => j.name === 'club-heal')!.run();
}
const duesOf = (clubId: string) =>
  db()
    .collection('club_dues')
    .find({ clubId: oid(clubId) })
    .toArray();

/** starts paying at WeChat (prepay made: the amount is locked), returns the stand-in's prepay id */
async function startPaying(token: string, orderId: string) {
  const paid = await stack.request('POST', `/orders/${orderId}/pay`, { token, body: {} });
  if (paid.status !== 200) throw new Error(`pay failed: ${paid.status} ${JSON.stringify(paid.body)}`);
  return String(paid.body.payParams.package).replace('prepay_id=', '');
}
/** the citizen taps 支付 in the sheet opened earlier */
async function confirmAtWechat(prepayId: string) {
  const res = await fetch(`${stack.mock.url}/mock/pay/${prepayId}/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  return res.status;
}
const acknowledged = (orderId: string) =>
  until(async () => stack.mock.wechatPay!.state.notifications.some((n) => n.out_trade_no === `CS${orderId}` && n.acknowledged));

describe('an unpaid dues order does not outlive what it pays for', () => {
  async function memberWithHeldDues(over: Record<string, unknown> = {}) {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `会费攻击社${seq}`, duesFen: 12000, duesPolicy: 'prorata', ...over });
    await memberOf(stack, c, f, u);
    const asked = await stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} });
    expect(asked.status).toBe(200);
    return { f, u, c, orderId: asked.body.orderId as string };
  }
  async function expectClosed(u: User, c: string, orderId: string) {
    await until(async () => (await orderOf(stack, u.token, orderId)).status === 'closed');
    const pay = await stack.request('POST', `/orders/${orderId}/pay`, { token: u.token, body: {} });
    expect(pay.status).toBeGreaterThanOrEqual(400);
    expect(pay.status).toBeLessThan(500);
    expect((await duesOf(c)).map((d) => d.status)).toEqual(['closed']);
  }

  test('a member who leaves: the held dues order is closed and cannot be paid', async () => {
    const { u, c, orderId } = await memberWithHeldDues();
    expect((await stack.request('POST', `/clubs/${c}/leave`, { token: u.token, body: {} })).status).toBe(200);
    await expectClosed(u, c, orderId);
  });

  test('a member removed by the club: the held dues order is closed and cannot be paid', async () => {
    const { f, u, c, orderId } = await memberWithHeldDues();
    const removed = await stack.request('POST', `/clubs/${c}/members/${u.userId}/remove`, { token: f.token, body: { reason: '违规' } });
    expect(removed.status).toBe(200);
    await expectClosed(u, c, orderId);
  });

  test('a suspended club: held dues orders are closed; a dissolved club: likewise', async () => {
    const one = await memberWithHeldDues();
    expect((await stack.request('POST', `/admin/clubs/${one.c}/suspend`, { token: admin.token, body: { reason: '检查' } })).status).toBe(
      200,
    );
    await expectClosed(one.u, one.c, one.orderId);
    const two = await memberWithHeldDues();
    expect((await stack.request('POST', `/admin/clubs/${two.c}/dissolve`, { token: admin.token, body: { reason: '解散' } })).status).toBe(
      200,
    );
    await expectClosed(two.u, two.c, two.orderId);
  });

  test('paying in a sheet opened before leaving: the money goes back, the ended membership gets no paid-until', async () => {
    const { u, c, orderId } = await memberWithHeldDues();
    const prepayId = await startPaying(u.token, orderId);
    expect((await stack.request('POST', `/clubs/${c}/leave`, { token: u.token, body: {} })).status).toBe(200);
    expect(await confirmAtWechat(prepayId)).toBe(200);
    await acknowledged(orderId);
    await until(async () => refundsAtWechat(stack, orderId).length === 1);
    expect(refundsAtWechat(stack, orderId)[0].amount.refund).toBe(12000);
    const [d] = await duesOf(c);
    expect(d.status).not.toBe('paid');
    const m = await db()
      .collection('club_members')
      .findOne({ clubId: oid(c), userId: oid(u.userId) });
    expect(m!.paidUntil).toBeNull();
  });

  test('a leave killed after its transition: the sweeper closes the held dues order', async () => {
    const { u, c, orderId } = await memberWithHeldDues();
    crashes.arm('effects:club_member:place.back:before');
    expect((await stack.request('POST', `/clubs/${c}/leave`, { token: u.token, body: {} })).status).toBe(500);
    await heal();
    await expectClosed(u, c, orderId);
  });
});

describe('a sign-up caught between its place and its order', () => {
  test('an activity cancelled meanwhile: the sign-up ends, its order cannot be paid, no ticket', async () => {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `取消竞态社${seq}` });
    await memberOf(stack, c, f, u);
    const act = (
      await stack.request('POST', `/clubs/${c}/activities`, { token: f.token, body: activityBody(clock, { feeFen: 3000, capacity: 5 }) })
    ).body.activity.id as string;
    const hold = crashes.holdAt('club.signup:after-capacity');
    const signing = stack.request('POST', `/club-activities/${act}/signups`, { token: u.token, body: {} });
    await hold.reached;
    const cancelled = await stack.request('POST', `/clubs/${c}/activities/${act}/cancel`, {
      token: f.token,
      body: { reason: '天气原因' },
    });
    expect(cancelled.status).toBe(200);
    hold.release();
    const res = await signing;
    const signups = await db()
      .collection('club_signups')
      .find({ activityId: oid(act) })
      .toArray();
    expect(signups.filter((s) => ['taking', 'held', 'confirmed'].includes(s.status))).toEqual([]);
    const orderId = res.body.signup?.orderId ?? signups[0]?.orderId;
    if (orderId) {
      await until(async () => (await orderOf(stack, u.token, orderId)).status === 'closed');
      expect((await stack.request('POST', `/orders/${orderId}/pay`, { token: u.token, body: {} })).status).toBe(409);
    }
    const tickets = (await stack.request('GET', '/tickets/mine', { token: u.token })).body.items;
    expect(tickets.filter((t: { source: { kind: string } }) => t.source.kind === 'club_activity')).toEqual([]);
  });
});

describe('a sign-up caught between its place and its order, killed', () => {
  test('killed after its transition, past a cancel: paying its order is refunded and gives no ticket', async () => {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `取消崩溃社${seq}` });
    await memberOf(stack, c, f, u);
    const act = (
      await stack.request('POST', `/clubs/${c}/activities`, { token: f.token, body: activityBody(clock, { feeFen: 3000, capacity: 5 }) })
    ).body.activity.id as string;
    const hold = crashes.holdAt('club.signup:after-capacity');
    const signing = stack.request('POST', `/club-activities/${act}/signups`, { token: u.token, body: {} });
    await hold.reached;
    expect(
      (await stack.request('POST', `/clubs/${c}/activities/${act}/cancel`, { token: f.token, body: { reason: '场地维修' } })).status,
    ).toBe(200);
    crashes.arm('club.signup:after-transition');
    hold.release();
    expect((await signing).status).toBe(500);
    const s = await db()
      .collection('club_signups')
      .findOne({ activityId: oid(act) });
    expect(s!.status).toBe('held'); // the process died with a held sign-up on a cancelled activity
    const prepayId = await startPaying(u.token, s!.orderId);
    expect(await confirmAtWechat(prepayId)).toBe(200);
    await acknowledged(s!.orderId);
    await until(async () => refundsAtWechat(stack, s!.orderId).length === 1);
    expect(refundsAtWechat(stack, s!.orderId)[0].amount.refund).toBe(3000);
    const after = await db().collection('club_signups').findOne({ _id: s!._id });
    expect(after!.status).toBe('cancelled');
    const tickets = (await stack.request('GET', '/tickets/mine', { token: u.token })).body.items;
    expect(tickets.filter((t: { source: { kind: string } }) => t.source.kind === 'club_activity')).toEqual([]);
  });
});

const clubDoc = (id: string) =>
  db()
    .collection('clubs')
    .findOne({ _id: oid(id) });
const membersOf = (clubId: string, status = 'member') =>
  db()
    .collection('club_members')
    .countDocuments({ clubId: oid(clubId), status });
const grantsOf = (userId: string) => stack.cloud.services.identity.grantsOf(userId);
const holdsClubAdmin = async (userId: string, clubId: string) =>
  (await grantsOf(userId)).some((g) => g.role === 'club_admin' && g.scope === clubId);

describe('races', () => {
  let crowd: User[];
  beforeAll(async () => {
    crowd = await stack.loginMany('atk-crowd', 200);
  }, 120_000);

  /** a club of 50 places with 45 taken (founder + 44), then the 200 rush the last 5 (open joining) */
  async function nearlyFull(target: TestStack, name: string) {
    const [f] = await users(1);
    const c = await approvedClub(stack, f, admin, { name, memberLimit: 50, openJoin: true });
    const first = await users(44);
    for (const u of first) await memberOf(stack, c, f, u);
    const results = await Promise.all(crowd.map((u) => target.request('POST', `/clubs/${c}/join`, { token: u.token, body: {} })));
    return { c, results };
  }

  test('control: without the guard, 200 joining the last 5 member places make more than 50 members', async () => {
    const { c } = await nearlyFull(control, '末位控制社');
    const members = await membersOf(c);
    process.stdout.write(`[club join race] control: ${members} members for 50 places\n`);
    expect(members).toBeGreaterThan(50);
  }, 120_000);

  test('with the guard: 200 joining the last 5 places → exactly 50 members, the other 195 wait as requests, remaining 0', async () => {
    const { c, results } = await nearlyFull(stack, '末位并发社');
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(results.filter((r) => r.body.membership?.status === 'member')).toHaveLength(5);
    expect(results.filter((r) => r.body.membership?.status === 'requested')).toHaveLength(195);
    expect(await membersOf(c)).toBe(50);
    expect(await membersOf(c, 'requested')).toBe(195);
    expect((await clubDoc(c))!.remaining).toBe(0);
  }, 120_000);

  test('two club admins approving the same request at once: one member, one place taken', async () => {
    const [f, vice, u] = await users(3);
    const c = await approvedClub(stack, f, admin, { name: `双批社${seq}`, memberLimit: 10 });
    await memberOf(stack, c, f, vice);
    expect(
      (await stack.request('POST', `/clubs/${c}/members/${vice.userId}/role`, { token: f.token, body: { role: 'vice_president' } })).status,
    ).toBe(200);
    await stack.request('POST', `/clubs/${c}/join`, { token: u.token, body: { message: '你好' } });
    const before = (await clubDoc(c))!.remaining;
    const both = await Promise.all(
      [f, vice].map((a) => stack.request('POST', `/clubs/${c}/members/${u.userId}/approve`, { token: a.token, body: {} })),
    );
    expect(both.filter((r) => r.status === 200)).toHaveLength(1);
    expect(both.filter((r) => r.status >= 500)).toEqual([]);
    expect((await clubDoc(c))!.remaining).toBe(before - 1);
    expect(await membersOf(c)).toBe(3);
  });

  test('two club admins removing the same member at once: one removal, the place back once', async () => {
    const [f, vice, u] = await users(3);
    const c = await approvedClub(stack, f, admin, { name: `双删社${seq}`, memberLimit: 10 });
    await memberOf(stack, c, f, vice);
    await stack.request('POST', `/clubs/${c}/members/${vice.userId}/role`, { token: f.token, body: { role: 'vice_president' } });
    await memberOf(stack, c, f, u);
    const before = (await clubDoc(c))!.remaining;
    const both = await Promise.all(
      [f, vice].map((a) => stack.request('POST', `/clubs/${c}/members/${u.userId}/remove`, { token: a.token, body: {} })),
    );
    expect(both.filter((r) => r.status === 200)).toHaveLength(1);
    expect(both.filter((r) => r.status >= 500)).toEqual([]);
    expect((await clubDoc(c))!.remaining).toBe(before + 1);
    expect(
      await db()
        .collection('club_members')
        .countDocuments({ clubId: oid(c), userId: oid(u.userId), status: 'removed' }),
    ).toBe(1);
  });

  test('asking for dues and leaving at once, ten times over: no payable dues order outlives its membership', async () => {
    const [f] = await users(1);
    const c = await approvedClub(stack, f, admin, { name: `付退社${seq}`, duesFen: 8000, duesPolicy: 'prorata' });
    const many = await users(10);
    for (const u of many) await memberOf(stack, c, f, u);
    await Promise.all(
      many.map((u) =>
        Promise.all([
          stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} }),
          stack.request('POST', `/clubs/${c}/leave`, { token: u.token, body: {} }),
        ]),
      ),
    );
    expect(await membersOf(c, 'left')).toBe(10);
    const dues = await duesOf(c);
    expect(dues.filter((d) => d.status === 'held')).toEqual([]);
    const orders = await db()
      .collection('orders')
      .find({ kind: 'club_dues', refId: { $in: dues.map((d) => String(d._id)) } })
      .toArray();
    expect(orders.filter((o) => o.status === 'pending' && !o.closeRequestedAt)).toEqual([]);
  });

  test('two handovers of the presidency at once: one president, the other refused', async () => {
    const [f, a, b] = await users(3);
    const c = await approvedClub(stack, f, admin, { name: `双会长社${seq}` });
    await memberOf(stack, c, f, a);
    await memberOf(stack, c, f, b);
    const both = await Promise.all(
      [a, b].map((u) => stack.request('POST', `/clubs/${c}/members/${u.userId}/role`, { token: f.token, body: { role: 'president' } })),
    );
    expect(both.filter((r) => r.status >= 500)).toEqual([]);
    expect(both.filter((r) => r.status === 200)).toHaveLength(1);
    expect(
      await db()
        .collection('club_members')
        .countDocuments({ clubId: oid(c), status: 'member', role: 'president' }),
    ).toBe(1);
  });

  test('two handovers at once, twenty clubs: each time one wins; the loser never demotes the heir with a stale presidency', async () => {
    const rounds = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const [f, a, b] = await users(3);
        const c = await approvedClub(stack, f, admin, { name: `换届社${seq}-${i}` });
        await memberOf(stack, c, f, a);
        await memberOf(stack, c, f, b);
        const both = await Promise.all(
          [a, b].map((u) => stack.request('POST', `/clubs/${c}/members/${u.userId}/role`, { token: f.token, body: { role: 'president' } })),
        );
        const presidents = await db()
          .collection('club_members')
          .countDocuments({ clubId: oid(c), status: 'member', role: 'president' });
        return { won: both.filter((r) => r.status === 200).length, fivexx: both.filter((r) => r.status >= 500).length, presidents };
      }),
    );
    expect(rounds.filter((r) => r.won !== 1 || r.fivexx > 0 || r.presidents !== 1)).toEqual([]);
  }, 120_000);

  test('a role given while the member is removed: the removed member holds no club_admin', async () => {
    const [f, vice] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `授撤社${seq}` });
    await memberOf(stack, c, f, vice);
    await stack.request('POST', `/clubs/${c}/members/${vice.userId}/role`, { token: f.token, body: { role: 'vice_president' } });
    const targets = await users(8);
    for (const u of targets) await memberOf(stack, c, f, u);
    await Promise.all(
      targets.map((u) =>
        Promise.all([
          stack.request('POST', `/clubs/${c}/members/${u.userId}/role`, { token: f.token, body: { role: 'admin' } }),
          stack.request('POST', `/clubs/${c}/members/${u.userId}/remove`, { token: vice.token, body: {} }),
        ]),
      ),
    );
    for (const u of targets) {
      const m = await db()
        .collection('club_members')
        .findOne({ clubId: oid(c), userId: oid(u.userId) }, { sort: { _id: -1 } });
      const isOfficer = m!.status === 'member' && ['president', 'vice_president', 'admin'].includes(m!.role);
      expect({ user: u.userId, clubAdmin: await holdsClubAdmin(u.userId, c) }).toEqual({ user: u.userId, clubAdmin: isOfficer });
    }
  });
});

describe('roles: no escalation', () => {
  test('a member cannot give itself a role; a 管理员 cannot raise itself or touch a 副会长; the president cannot leave', async () => {
    const [f, vice, officer, u] = await users(4);
    const c = await approvedClub(stack, f, admin, { name: `角色社${seq}` });
    for (const x of [vice, officer, u]) await memberOf(stack, c, f, x);
    await stack.request('POST', `/clubs/${c}/members/${vice.userId}/role`, { token: f.token, body: { role: 'vice_president' } });
    await stack.request('POST', `/clubs/${c}/members/${officer.userId}/role`, { token: f.token, body: { role: 'admin' } });
    // a member: 403 on the role route, for itself or anyone
    for (const role of ['admin', 'president'])
      expect((await stack.request('POST', `/clubs/${c}/members/${u.userId}/role`, { token: u.token, body: { role } })).status).toBe(403);
    // a 管理员: not 会长, not 副会长 (above itself), and not the 副会长's role
    for (const role of ['president', 'vice_president'])
      expect(
        (await stack.request('POST', `/clubs/${c}/members/${officer.userId}/role`, { token: officer.token, body: { role } })).status,
      ).toBe(403);
    expect(
      (await stack.request('POST', `/clubs/${c}/members/${vice.userId}/role`, { token: officer.token, body: { role: 'member' } })).status,
    ).toBe(403);
    expect((await stack.request('POST', `/clubs/${c}/members/${vice.userId}/remove`, { token: officer.token, body: {} })).status).toBe(403);
    expect(await holdsClubAdmin(vice.userId, c)).toBe(true);
    // and the president stays: cannot leave, cannot be removed, cannot be demoted by a 副会长
    expect((await stack.request('POST', `/clubs/${c}/leave`, { token: f.token, body: {} })).body.error.code).toBe(
      'CLUB_PRESIDENT_CANNOT_LEAVE',
    );
    expect((await stack.request('POST', `/clubs/${c}/members/${f.userId}/remove`, { token: vice.token, body: {} })).status).toBe(403);
    expect(
      (await stack.request('POST', `/clubs/${c}/members/${f.userId}/role`, { token: vice.token, body: { role: 'member' } })).status,
    ).toBe(403);
    const roles = await db()
      .collection('club_members')
      .find({ clubId: oid(c), status: 'member' })
      .toArray();
    expect(Object.fromEntries(roles.map((m) => [String(m.userId), m.role]))).toEqual({
      [f.userId]: 'president',
      [vice.userId]: 'vice_president',
      [officer.userId]: 'admin',
      [u.userId]: 'member',
    });
  });
});

describe("another club's ids on every club-admin route", () => {
  test('the admin of club A, on A’s paths with B’s members, activities, announcements and tickets: 4xx, nothing changed', async () => {
    const [fa, fb, ub, req] = await users(4);
    const a = await approvedClub(stack, fa, admin, { name: `甲社${seq}` });
    const b = await approvedClub(stack, fb, admin, { name: `乙社${seq}` });
    await memberOf(stack, b, fb, ub);
    await stack.request('POST', `/clubs/${b}/join`, { token: req.token, body: {} });
    const actB = (await stack.request('POST', `/clubs/${b}/activities`, { token: fb.token, body: activityBody(clock) })).body.activity.id;
    const annB = (await stack.request('POST', `/clubs/${b}/announcements`, { token: fb.token, body: { title: '通知', body: '内容' } })).body
      .announcement.id;
    const signed = await stack.request('POST', `/club-activities/${actB}/signups`, { token: ub.token, body: {} });
    expect(signed.status).toBe(201);
    const ticket = (await stack.request('GET', '/tickets/mine', { token: ub.token })).body.items.find(
      (t: { source: { id: string } }) => t.source.id === signed.body.signup.signupId,
    );
    const code = (await stack.request('GET', `/tickets/${ticket.id}/code`, { token: ub.token })).body.code;
    const snapshot = async () => ({
      members: await db()
        .collection('club_members')
        .find({ clubId: oid(b) })
        .sort({ _id: 1 })
        .toArray(),
      activities: await db()
        .collection('club_activities')
        .find({ clubId: oid(b) })
        .toArray(),
      announcements: await db()
        .collection('club_announcements')
        .find({ clubId: oid(b) })
        .toArray(),
      signups: await db()
        .collection('club_signups')
        .find({ clubId: oid(b) })
        .toArray(),
      club: await clubDoc(b),
    });
    const before = await snapshot();
    const tries: [string, string, unknown][] = [
      ['POST', `/clubs/${a}/members/${req.userId}/approve`, {}],
      ['POST', `/clubs/${a}/members/${req.userId}/reject`, {}],
      ['POST', `/clubs/${a}/members/${ub.userId}/remove`, {}],
      ['POST', `/clubs/${a}/members/${ub.userId}/role`, { role: 'admin' }],
      ['POST', `/clubs/${a}/activities/${actB}/cancel`, { reason: '取消' }],
      ['POST', `/clubs/${a}/activities/${actB}/booking`, { bookingId: new mongoose.Types.ObjectId().toHexString() }],
      ['POST', `/clubs/${a}/announcements/${annB}/pin`, { pinned: true }],
      ['POST', `/clubs/${a}/checkins`, { code }],
      // and B's own paths: not A's admin's
      ['POST', `/clubs/${b}/members/${req.userId}/approve`, {}],
      ['POST', `/clubs/${b}/members/${ub.userId}/remove`, {}],
      ['POST', `/clubs/${b}/activities/${actB}/cancel`, { reason: '取消' }],
      ['POST', `/clubs/${b}/announcements/${annB}/pin`, { pinned: true }],
      ['PATCH', `/clubs/${b}`, { duesFen: 1 }],
      ['GET', `/clubs/${b}/members`, undefined],
      ['GET', `/clubs/${b}/dues/ledger`, undefined],
      ['POST', `/clubs/${b}/checkins`, { code }],
    ];
    for (const [method, path, body] of tries) {
      const res = await stack.request(method, path, { token: fa.token, body });
      expect({ path, status: res.status >= 400 && res.status < 500, code: typeof res.body?.error?.code }).toEqual({
        path,
        status: true,
        code: 'string',
      });
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('money', () => {
  test('dues raised between the order and the payment: the order’s amount is what is paid and ledgered', async () => {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `涨价社${seq}`, duesFen: 10000, duesPolicy: 'prorata' });
    await memberOf(stack, c, f, u);
    const { orderId } = (await stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} })).body;
    expect((await stack.request('PATCH', `/clubs/${c}`, { token: f.token, body: { duesFen: 30000 } })).status).toBe(200);
    await payAndConfirm(stack, u.token, orderId);
    expect((await orderOf(stack, u.token, orderId)).amountFen).toBe(10000);
    await until(async () => (await duesOf(c))[0].status === 'paid');
    const ledger = (await stack.request('GET', `/clubs/${c}/dues/ledger`, { token: f.token })).body.items;
    expect(ledger.map((r: { amountFen: number; status: string }) => [r.amountFen, r.status])).toEqual([[10000, 'paid']]);
  });

  test('a dues refund asked twice at once: one refund at WeChat', async () => {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `双退社${seq}`, duesFen: 12000, duesPolicy: 'prorata' });
    await memberOf(stack, c, f, u);
    const { orderId } = (await stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} })).body;
    await payAndConfirm(stack, u.token, orderId);
    await until(async () => (await duesOf(c))[0].status === 'paid');
    const both = await Promise.all(
      [0, 1].map(() => stack.request('POST', `/orders/${orderId}/refund`, { token: u.token, body: { reason: '搬家' } })),
    );
    expect(both.filter((r) => r.status >= 500)).toEqual([]);
    await until(async () => refundsAtWechat(stack, orderId).length >= 1);
    const again = await stack.request('POST', `/orders/${orderId}/refund`, { token: u.token, body: { reason: '再退' } });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(refundsAtWechat(stack, orderId)).toHaveLength(1);
  });

  test('a prorata dues refund killed after WeChat took it: the sweeper does not refund it a second time', async () => {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `退款崩溃社${seq}`, duesFen: 12000, duesPolicy: 'prorata' });
    await memberOf(stack, c, f, u);
    const { orderId } = (await stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} })).body;
    await payAndConfirm(stack, u.token, orderId);
    await until(async () => (await duesOf(c))[0].status === 'paid');
    clock.set(new Date('2027-06-24T01:00:00Z')); // seven months and a day used: four whole months (4,000) back
    const later = await stack.login(`atk-${seq}-1`);
    crashes.arm('effects:club_dues:refund:done');
    expect((await stack.request('POST', `/orders/${orderId}/refund`, { token: later.token, body: { reason: '搬家' } })).status).toBe(500);
    await until(async () => refundsAtWechat(stack, orderId).length === 1);
    await heal();
    await heal();
    expect(refundsAtWechat(stack, orderId).map((r) => r.amount.refund)).toEqual([4000]);
    expect((await duesOf(c))[0].pending ?? []).toEqual([]);
  });

  test('a paid sign-up’s refund killed after WeChat took it: the sweeper finishes it, no second refund', async () => {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `活动退款社${seq}` });
    await memberOf(stack, c, f, u);
    const act = (await stack.request('POST', `/clubs/${c}/activities`, { token: f.token, body: activityBody(clock, { feeFen: 2000 }) }))
      .body.activity.id;
    const s = (await stack.request('POST', `/club-activities/${act}/signups`, { token: u.token, body: {} })).body.signup;
    await payAndConfirm(stack, u.token, s.orderId);
    crashes.arm('effects:club_signup:refund:done');
    expect((await stack.request('POST', `/orders/${s.orderId}/refund`, { token: u.token, body: { reason: '有事' } })).status).toBe(500);
    await heal();
    await heal();
    expect(refundsAtWechat(stack, s.orderId).map((r) => r.amount.refund)).toEqual([2000]);
    const doc = await db()
      .collection('club_signups')
      .findOne({ _id: oid(s.signupId) });
    expect(doc!.status).toBe('cancelled');
    expect(doc!.pending ?? []).toEqual([]);
  });
});

describe('crashes between two writes, healed', () => {
  test('dues asked and killed before the order: the member is not stuck; the sweeper closes the orphan', async () => {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `会费崩溃社${seq}`, duesFen: 6000 });
    await memberOf(stack, c, f, u);
    crashes.arm('club.dues:after-insert');
    expect((await stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} })).status).toBe(500);
    await heal();
    expect((await duesOf(c)).map((d) => d.status)).toEqual(['closed']);
    const again = await stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} });
    expect(again.status).toBe(200);
    await payAndConfirm(stack, u.token, again.body.orderId);
    await until(async () => (await duesOf(c)).some((d) => d.status === 'paid'));
  });

  test('a removal of a 管理员 killed before the role was revoked: the sweeper revokes it; the place comes back once', async () => {
    const [f, officer] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `撤权崩溃社${seq}` });
    await memberOf(stack, c, f, officer);
    await stack.request('POST', `/clubs/${c}/members/${officer.userId}/role`, { token: f.token, body: { role: 'admin' } });
    const before = (await clubDoc(c))!.remaining;
    crashes.arm('effects:club_member:role.revoke:before');
    expect((await stack.request('POST', `/clubs/${c}/members/${officer.userId}/remove`, { token: f.token, body: {} })).status).toBe(500);
    // removed at once: the club's admin routes already refuse, though the grant is revoked only by the sweeper
    expect(await holdsClubAdmin(officer.userId, c)).toBe(true);
    expect((await stack.request('GET', `/clubs/${c}/members`, { token: officer.token })).status).toBe(403);
    const [late] = await users(1);
    await stack.request('POST', `/clubs/${c}/join`, { token: late.token, body: {} });
    expect((await stack.request('POST', `/clubs/${c}/members/${late.userId}/approve`, { token: officer.token, body: {} })).status).toBe(
      403,
    );
    await heal();
    await heal();
    expect(await holdsClubAdmin(officer.userId, c)).toBe(false);
    expect((await clubDoc(c))!.remaining).toBe(before + 1);
    expect((await stack.request('GET', `/clubs/${c}/members`, { token: officer.token })).status).toBe(403);
  });

  test('a dissolution killed half-way: the sweeper ends memberships, sign-ups and held dues, once', async () => {
    const [f, u, v] = await users(3);
    const c = await approvedClub(stack, f, admin, { name: `解散崩溃社${seq}`, duesFen: 5000 });
    await memberOf(stack, c, f, u);
    await memberOf(stack, c, f, v);
    const { orderId } = (await stack.request('POST', `/clubs/${c}/dues/pay`, { token: v.token, body: {} })).body;
    const act = (await stack.request('POST', `/clubs/${c}/activities`, { token: f.token, body: activityBody(clock) })).body.activity.id;
    expect((await stack.request('POST', `/club-activities/${act}/signups`, { token: u.token, body: {} })).status).toBe(201);
    crashes.arm('effects:club:dues.close:before');
    expect((await stack.request('POST', `/admin/clubs/${c}/dissolve`, { token: admin.token, body: { reason: '解散' } })).status).toBe(500);
    await heal();
    await heal();
    expect(await membersOf(c)).toBe(0);
    expect(await holdsClubAdmin(f.userId, c)).toBe(false);
    expect((await orderOf(stack, v.token, orderId)).status).toBe('closed');
    const signups = await db()
      .collection('club_signups')
      .find({ clubId: oid(c) })
      .toArray();
    expect(signups.map((s) => s.status)).toEqual(['cancelled']);
    expect((await clubDoc(c))!.pending ?? []).toEqual([]);
  });
});

describe('a sign-up in flight while the club takes access away', () => {
  async function heldAtCapacity(over: Record<string, unknown> = {}) {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `在途报名社${seq}` });
    await memberOf(stack, c, f, u);
    const act = (await stack.request('POST', `/clubs/${c}/activities`, { token: f.token, body: activityBody(clock, over) })).body.activity
      .id as string;
    const hold = crashes.holdAt('club.signup:after-capacity');
    const signing = stack.request('POST', `/club-activities/${act}/signups`, { token: u.token, body: {} });
    await hold.reached;
    return { f, u, c, act, hold, signing };
  }
  async function expectNoLiveSignup(u: User, act: string) {
    const live = await db()
      .collection('club_signups')
      .find({ activityId: oid(act), status: { $in: ['taking', 'held', 'confirmed'] } })
      .toArray();
    expect(live).toEqual([]);
    const tickets = (await stack.request('GET', '/tickets/mine', { token: u.token })).body.items;
    // a free sign-up's ticket may have been issued in the instant before: then it is revoked
    expect(
      tickets.filter((t: { source: { kind: string }; status: string }) => t.source.kind === 'club_activity' && t.status !== 'revoked'),
    ).toEqual([]);
    expect(
      (await db()
        .collection('club_activities')
        .findOne({ _id: oid(act) }))!.remaining,
    ).toBe(20);
  }

  test('a member removed while signing up for a members-only activity: no sign-up, no ticket, the place back', async () => {
    const { f, u, c, act, hold, signing } = await heldAtCapacity();
    expect((await stack.request('POST', `/clubs/${c}/members/${u.userId}/remove`, { token: f.token, body: {} })).status).toBe(200);
    hold.release();
    const res = await signing;
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await expectNoLiveSignup(u, act);
  });

  test('a club suspended while a member signs up: no sign-up, no ticket, the place back', async () => {
    const { u, c, act, hold, signing } = await heldAtCapacity();
    expect((await stack.request('POST', `/admin/clubs/${c}/suspend`, { token: admin.token, body: { reason: '检查' } })).status).toBe(200);
    hold.release();
    const res = await signing;
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await expectNoLiveSignup(u, act);
  });

  test('a paid sign-up held when the club is suspended: paying it is refunded, no ticket', async () => {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `暂停付款社${seq}` });
    await memberOf(stack, c, f, u);
    const act = (await stack.request('POST', `/clubs/${c}/activities`, { token: f.token, body: activityBody(clock, { feeFen: 1500 }) }))
      .body.activity.id;
    const s = (await stack.request('POST', `/club-activities/${act}/signups`, { token: u.token, body: {} })).body.signup;
    expect(s.status).toBe('held');
    const prepayId = await startPaying(u.token, s.orderId);
    expect((await stack.request('POST', `/admin/clubs/${c}/suspend`, { token: admin.token, body: { reason: '检查' } })).status).toBe(200);
    expect(await confirmAtWechat(prepayId)).toBe(200);
    await acknowledged(s.orderId);
    await until(async () => refundsAtWechat(stack, s.orderId).length === 1);
    expect(refundsAtWechat(stack, s.orderId)[0].amount.refund).toBe(1500);
    const tickets = (await stack.request('GET', '/tickets/mine', { token: u.token })).body.items;
    expect(tickets.filter((t: { source: { kind: string } }) => t.source.kind === 'club_activity')).toEqual([]);
  });
});

describe('idempotency', () => {
  test('the same Idempotency-Key again after the dues were paid: the first answer, no second order or dues', async () => {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `幂等会费社${seq}`, duesFen: 6600 });
    await memberOf(stack, c, f, u);
    const headers = { 'idempotency-key': `atk-dues-${seq}-0001` };
    const first = await stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {}, headers });
    await payAndConfirm(stack, u.token, first.body.orderId);
    await until(async () => (await duesOf(c))[0].status === 'paid');
    const again = await stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {}, headers });
    expect(again.status).toBe(200);
    expect(again.body.orderId).toBe(first.body.orderId);
    expect(await duesOf(c)).toHaveLength(1);
    expect(
      await db()
        .collection('orders')
        .countDocuments({ kind: 'club_dues', ownerId: oid(u.userId) }),
    ).toBe(1);
  });
});

describe('a handover killed between its two writes', () => {
  test('the old president stepped down, the new one not yet made: the sweeper finishes the handover', async () => {
    const [f, heir] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `交接崩溃社${seq}` });
    await memberOf(stack, c, f, heir);
    crashes.arm('effects:club_member:role.grant:before');
    const res = await stack.request('POST', `/clubs/${c}/members/${heir.userId}/role`, { token: f.token, body: { role: 'president' } });
    expect(res.status).toBe(500);
    await heal();
    await heal();
    const roles = await db()
      .collection('club_members')
      .find({ clubId: oid(c), status: 'member' })
      .toArray();
    expect(Object.fromEntries(roles.map((m) => [String(m.userId), m.role]))).toEqual({
      [f.userId]: 'vice_president',
      [heir.userId]: 'president',
    });
    expect(await holdsClubAdmin(heir.userId, c)).toBe(true);
    expect(await holdsClubAdmin(f.userId, c)).toBe(true);
    expect(roles.map((m) => m.pending ?? [])).toEqual([[], []]);
  });
});

describe('founding and joining, raced', () => {
  test('twenty applications of one name in one district at once: one club', async () => {
    const many = await users(20);
    const name = `同名并发社${seq}`;
    const results = await Promise.all(
      many.map((u) =>
        stack.request('POST', '/clubs', {
          token: u.token,
          body: {
            name,
            sport: 'running',
            district: '吴中区',
            purpose: '跑步',
            charter: '章程',
            contactName: '李四',
            contactPhone: '13900139000',
          },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.body?.error?.code === 'CLUB_NAME_TAKEN')).toHaveLength(19);
    expect(await db().collection('clubs').countDocuments({ name, district: '吴中区' })).toBe(1);
  });

  test('a join request made while the club is dissolved: refused, no live request left on the dead club', async () => {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `解散加入社${seq}` });
    const hold = crashes.holdAt('club.join:before-insert');
    const joining = stack.request('POST', `/clubs/${c}/join`, { token: u.token, body: { message: '想加入' } });
    await hold.reached;
    expect((await stack.request('POST', `/admin/clubs/${c}/dissolve`, { token: admin.token, body: { reason: '解散' } })).status).toBe(200);
    hold.release();
    const res = await joining;
    expect(res.body.error?.code).toBe('CLUB_NOT_ACTIVE');
    expect(
      await db()
        .collection('club_members')
        .countDocuments({ clubId: oid(c), liveKey: 'live' }),
    ).toBe(0);
    const mine = (await stack.request('GET', '/clubs/mine', { token: u.token })).body.items;
    expect(mine).toEqual([]);
  });
});

describe('dues paid partly with a voucher', () => {
  test('a prorata refund is a share of what the citizen paid, not of the dues before the voucher', async () => {
    const [f, u] = await users(2);
    const c = await approvedClub(stack, f, admin, { name: `券付会费社${seq}`, duesFen: 12000, duesPolicy: 'prorata' });
    await memberOf(stack, c, f, u);
    const batch = await stack.request('POST', '/admin/voucher-batches', {
      token: admin.token,
      body: {
        name: '全民健身消费券',
        kind: 'amount',
        faceFen: 6000,
        minSpendFen: 2000,
        validFrom: new Date(clock.now().getTime() - 3600_000).toISOString(),
        validTo: new Date(clock.now().getTime() + 30 * 86_400_000).toISOString(),
        total: 10,
      },
    });
    expect(batch.status).toBe(201);
    const voucher = (await stack.request('POST', `/vouchers/batches/${batch.body.batch.id}/claim`, { token: u.token, body: {} })).body
      .voucher;
    const { orderId } = (await stack.request('POST', `/clubs/${c}/dues/pay`, { token: u.token, body: {} })).body;
    const paid = await stack.request('POST', `/orders/${orderId}/pay`, { token: u.token, body: { voucherIds: [voucher.id] } });
    expect(paid.status).toBe(200);
    const prepayId = String(paid.body.payParams.package).replace('prepay_id=', '');
    expect(await confirmAtWechat(prepayId)).toBe(200);
    await acknowledged(orderId);
    await until(async () => (await duesOf(c))[0].status === 'paid');
    expect((await orderOf(stack, u.token, orderId)).payableFen).toBe(6000);
    clock.set(new Date('2026-12-24T01:00:00Z')); // a month and a day used: ten whole months left
    const later = await stack.login(`atk-${seq}-1`);
    const refund = await stack.request('POST', `/orders/${orderId}/refund`, { token: later.token, body: { reason: '搬家' } });
    expect(refund.status).toBe(200);
    await until(async () => refundsAtWechat(stack, orderId).length === 1);
    expect(refundsAtWechat(stack, orderId).map((r) => r.amount.refund)).toEqual([5000]);
    const [d] = await duesOf(c);
    expect({ status: d.status, refundedFen: d.refundedFen, pending: d.pending ?? [] }).toEqual({
      status: 'refunded',
      refundedFen: 5000,
      pending: [],
    });
  });
});
