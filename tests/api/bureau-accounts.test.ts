/**
 * Issue 17 item 7: bureau accounts are personal (专人专号, Chongqing 第十八条). An admin or analyst
 * account carries the person's name, unit, position and phone (sealed at rest, shown masked), is
 * opened and closed only by a bureau admin (audited), is never shared (one phone, one open
 * account), and closing it ends its sessions. The role route refuses a bare admin or analyst.
 */
import mongoose from 'mongoose';
import { AuditPageSchema } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, grant, type TestStack } from '../support/stack';

let stack: TestStack;
const clock = new ManualClock(new Date('2027-03-02T02:00:00Z'));
type U = { token: string; userId: string };
let admin: U;
let citizen: U;

const person = (userId: string, over: Record<string, unknown> = {}) => ({
  userId,
  role: 'analyst',
  name: '李晓梅',
  unit: '市体育局群众体育处',
  position: '四级调研员',
  phone: '13912345678',
  reason: '数据汇聚考核',
  ...over,
});

beforeAll(async () => {
  stack = await startTestStack('bureau', { clock });
  admin = await stack.login('bu-admin');
  await grant(stack, admin.userId, 'admin');
  citizen = await stack.login('bu-citizen');
});
afterAll(() => stack.stop());

const db = () => mongoose.connection.db!;
const audit = async () => AuditPageSchema.parse((await stack.request('GET', '/admin/audit?limit=20', { token: admin.token })).body).items;

describe('the role route refuses a bare bureau role', () => {
  test.each(['admin', 'analyst'])(
    'POST /admin/roles {role: %s} without person details → 422 BUREAU_ACCOUNT_REQUIRED, nothing granted',
    async (role) => {
      const target = await stack.login(`bu-bare-${role}`);
      const before = await db()
        .collection('users')
        .findOne({ _id: new mongoose.Types.ObjectId(target.userId) });
      const res = await stack.request('POST', '/admin/roles', { token: admin.token, body: { userId: target.userId, role } });
      expect([res.status, res.body.error?.code]).toEqual([422, 'BUREAU_ACCOUNT_REQUIRED']);
      expect(
        await db()
          .collection('users')
          .findOne({ _id: new mongoose.Types.ObjectId(target.userId) }),
      ).toEqual(before);
      expect((await stack.request('GET', '/admin/audit', { token: target.token })).status).toBe(403);
    },
  );

  test('other roles are still granted through the role route', async () => {
    const res = await stack.request('POST', '/admin/roles', { token: admin.token, body: { userId: citizen.userId, role: 'organiser' } });
    expect(res.status).toBe(200);
    await stack.request('DELETE', '/admin/roles', { token: admin.token, body: { userId: citizen.userId, role: 'organiser' } });
  });
});

describe('open, list, close', () => {
  let analyst: U;

  test('an admin opens a named analyst account: phone sealed at rest, masked in answers, audited with both persons named', async () => {
    analyst = await stack.login('bu-analyst');
    const res = await stack.request('POST', '/admin/bureau-accounts', { token: admin.token, body: person(analyst.userId) });
    expect(res.status).toBe(201);
    expect(res.body.account).toMatchObject({
      userId: analyst.userId,
      role: 'analyst',
      name: '李晓梅',
      unit: '市体育局群众体育处',
      position: '四级调研员',
      phone: '139****5678',
      status: 'open',
      openedBy: admin.userId,
    });
    const stored = await db()
      .collection('bureau_accounts')
      .findOne({ userId: new mongoose.Types.ObjectId(analyst.userId) });
    expect(JSON.stringify(stored)).not.toContain('13912345678');
    expect(String(stored!.phoneSealed)).toMatch(/^v1\./);

    const entry = (await audit()).find((e) => e.action === 'bureau.account.open' && e.targetUserId === analyst.userId)!;
    expect(entry.actorId).toBe(admin.userId);
    expect(entry.details).toMatchObject({ role: 'analyst', name: '李晓梅', unit: '市体育局群众体育处' });
    expect(entry.actor?.name).toBeTruthy();

    // the analyst (a fresh login carries the role) reads the dashboards, not the admin routes
    analyst = await stack.login('bu-analyst');
    expect((await stack.request('GET', '/admin/dashboard/aggregation?year=2027', { token: analyst.token })).status).toBe(200);
    expect((await stack.request('GET', '/admin/bureau-accounts', { token: analyst.token })).body.error.code).toBe('FORBIDDEN');
    expect((await stack.request('POST', '/admin/aggregation-plans', { token: analyst.token, body: {} })).body.error.code).toBe('FORBIDDEN');
  });

  test('the list names each person with a masked phone, and the read itself is audited naming the admin', async () => {
    const res = await stack.request('GET', '/admin/bureau-accounts', { token: admin.token });
    expect(res.status).toBe(200);
    const mine = res.body.items.find((a: { userId: string }) => a.userId === analyst.userId);
    expect(mine).toMatchObject({ name: '李晓梅', phone: '139****5678', status: 'open' });
    expect(JSON.stringify(res.body)).not.toContain('13912345678');
    const read = (await audit()).find((e) => e.action === 'personal.read' && e.details.route === 'GET /admin/bureau-accounts');
    expect(read?.actorId).toBe(admin.userId);
  });

  test('never shared: a second account for the same user or the same phone is refused', async () => {
    const again = await stack.request('POST', '/admin/bureau-accounts', { token: admin.token, body: person(analyst.userId) });
    expect([again.status, again.body.error?.code]).toEqual([409, 'BUREAU_ACCOUNT_EXISTS']);
    const other = await stack.login('bu-other');
    const samePhone = await stack.request('POST', '/admin/bureau-accounts', {
      token: admin.token,
      body: person(other.userId, { name: '王强' }),
    });
    expect([samePhone.status, samePhone.body.error?.code]).toEqual([409, 'BUREAU_PHONE_IN_USE']);
  });

  test('an open account is closed, not revoked through the role route', async () => {
    const res = await stack.request('DELETE', '/admin/roles', { token: admin.token, body: { userId: analyst.userId, role: 'analyst' } });
    expect([res.status, res.body.error?.code]).toEqual([422, 'BUREAU_ACCOUNT_REQUIRED']);
  });

  test('closing ends the sessions: the token issued while open is refused everywhere, the role is gone, audited', async () => {
    const before = analyst.token;
    expect((await stack.request('GET', '/me', { token: before })).status).toBe(200);
    const res = await stack.request('POST', `/admin/bureau-accounts/${analyst.userId}/close`, {
      token: admin.token,
      body: { reason: '调离岗位' },
    });
    expect(res.status).toBe(200);
    expect(res.body.account).toMatchObject({ status: 'closed', closedBy: admin.userId, closeReason: '调离岗位' });
    for (const path of ['/me', '/admin/dashboard/aggregation?year=2027']) {
      const r = await stack.request('GET', path, { token: before });
      expect([path, r.status, r.body.error?.code]).toEqual([path, 401, 'SESSION_ENDED']);
    }
    // logging in again gives a citizen session only
    clock.advance(1000);
    const fresh = await stack.login('bu-analyst');
    expect((await stack.request('GET', '/me', { token: fresh.token })).body.user.roles).toEqual(['citizen']);
    expect((await stack.request('GET', '/admin/dashboard/aggregation?year=2027', { token: fresh.token })).status).toBe(403);
    const entry = (await audit()).find((e) => e.action === 'bureau.account.close' && e.targetUserId === analyst.userId)!;
    expect(entry.details).toMatchObject({ reason: '调离岗位', name: '李晓梅' });

    // the data centre hears of the role as of any other (de-identified)
    const roleEvents = await db()
      .collection('outbox')
      .find({ type: { $in: ['role.granted', 'role.revoked'] }, 'payload.role': 'analyst' })
      .toArray();
    expect(roleEvents.map((e) => e.type)).toEqual(['role.granted', 'role.revoked']);
    expect(JSON.stringify(roleEvents)).not.toContain('李晓梅');

    const twice = await stack.request('POST', `/admin/bureau-accounts/${analyst.userId}/close`, {
      token: admin.token,
      body: { reason: '再次' },
    });
    expect([twice.status, twice.body.error?.code]).toEqual([409, 'BUREAU_ACCOUNT_CLOSED']);
    const closed = await stack.request('GET', '/admin/bureau-accounts?status=closed', { token: admin.token });
    expect(closed.body.items.map((a: { userId: string }) => a.userId)).toContain(analyst.userId);
  });

  test('a closed account can be reopened (the phone is free again); the old tokens stay refused', async () => {
    const old = analyst.token;
    clock.advance(1000);
    const res = await stack.request('POST', '/admin/bureau-accounts', {
      token: admin.token,
      body: person(analyst.userId, { role: 'admin' }),
    });
    expect(res.status).toBe(201);
    expect((await stack.request('GET', '/me', { token: old })).body.error.code).toBe('SESSION_ENDED');
    clock.advance(1000);
    const fresh = await stack.login('bu-analyst');
    expect((await stack.request('GET', '/admin/bureau-accounts', { token: fresh.token })).status).toBe(200);
    // an admin cannot close their own account
    const self = await stack.request('POST', `/admin/bureau-accounts/${analyst.userId}/close`, {
      token: fresh.token,
      body: { reason: '自己' },
    });
    expect([self.status, self.body.error?.code]).toEqual([422, 'BUREAU_SELF_CLOSE']);
  });
});

describe('bad input and wrong callers', () => {
  let target: U;
  beforeAll(async () => {
    target = await stack.login('bu-target');
  });

  test.each([
    [
      'missing name',
      () => {
        const b = person(target.userId) as Record<string, unknown>;
        delete b.name;
        return b;
      },
    ],
    [
      'missing phone',
      () => {
        const b = person(target.userId) as Record<string, unknown>;
        delete b.phone;
        return b;
      },
    ],
    ['empty unit', () => person(target.userId, { unit: '   ' })],
    ['phone not a mobile', () => person(target.userId, { phone: '0512-1234567' })],
    ['phone as number', () => person(target.userId, { phone: 13912345678 })],
    ['role not a bureau role', () => person(target.userId, { role: 'organiser' })],
    ['huge name', () => person(target.userId, { name: '长'.repeat(5000) })],
    ['huge position', () => person(target.userId, { position: 'x'.repeat(3000) })],
    ['$-operator id', () => person(target.userId, { userId: { $ne: null } })],
    ['$-operator name', () => person(target.userId, { name: { $gt: '' } })],
    ['extra field', () => person(target.userId, { status: 'open' })],
    ['array body', () => [person(target.userId)]],
  ])('open with %s → 400 VALIDATION_FAILED, nothing written', async (_label, body) => {
    const count = await db().collection('bureau_accounts').countDocuments();
    const res = await stack.request('POST', '/admin/bureau-accounts', { token: admin.token, body: body() });
    expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await db().collection('bureau_accounts').countDocuments()).toBe(count);
  });

  test('unknown user, unknown account, bad ids in the path', async () => {
    const unknown = await stack.request('POST', '/admin/bureau-accounts', {
      token: admin.token,
      body: person('0123456789abcdef01234567', { phone: '13700000000' }),
    });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'USER_NOT_FOUND']);
    const none = await stack.request('POST', `/admin/bureau-accounts/${target.userId}/close`, {
      token: admin.token,
      body: { reason: '无' },
    });
    expect([none.status, none.body.error?.code]).toEqual([404, 'BUREAU_ACCOUNT_NOT_FOUND']);
    for (const id of ['nope', encodeURIComponent('{"$ne":null}'), 'a'.repeat(3000)]) {
      const r = await stack.request('POST', `/admin/bureau-accounts/${id}/close`, { token: admin.token, body: { reason: '无' } });
      expect([r.status, r.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const noReason = await stack.request('POST', `/admin/bureau-accounts/${target.userId}/close`, { token: admin.token, body: {} });
    expect([noReason.status, noReason.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const badStatus = await stack.request('GET', '/admin/bureau-accounts?status=%24ne', { token: admin.token });
    expect([badStatus.status, badStatus.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  test('non-admin callers are refused and write nothing', async () => {
    const count = await db().collection('bureau_accounts').countDocuments();
    for (const [token, status, code] of [
      [undefined, 401, 'UNAUTHENTICATED'],
      [citizen.token, 403, 'FORBIDDEN'],
    ] as const) {
      const open = await stack.request('POST', '/admin/bureau-accounts', {
        token,
        body: person(citizen.userId, { role: 'admin', phone: '13800000001' }),
      });
      expect([open.status, open.body.error?.code]).toEqual([status, code]);
      const list = await stack.request('GET', '/admin/bureau-accounts', { token });
      expect([list.status, list.body.error?.code]).toEqual([status, code]);
      const close = await stack.request('POST', `/admin/bureau-accounts/${admin.userId}/close`, { token, body: { reason: '越权' } });
      expect([close.status, close.body.error?.code]).toEqual([status, code]);
    }
    expect(await db().collection('bureau_accounts').countDocuments()).toBe(count);
  });
});
