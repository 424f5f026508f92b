/**
 * Attacks on issue 17 item 7 — bureau accounts (专人专号), the personal-data audit and the yearly
 * aggregation plans — as a caller without the role, as an admin racing another admin, as a closed
 * account replaying its old session, and with bad input on every new route. Over HTTP against the
 * real app and engine. A race with a guard is shown first without it (the index dropped).
 */
import { Writable } from 'node:stream';
import mongoose from 'mongoose';
import { AuditPageSchema, type AuditEntry } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { createLogger } from '../../cloud/src/platform/logger';
import { AggregationPlanModel } from '../../cloud/src/modules/datacentre/plans';
import { BureauAccountModel } from '../../cloud/src/modules/identity/bureau';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue } from '../support/venue-fixture';

jest.setTimeout(180_000);

const clock = new ManualClock(new Date('2027-04-20T02:00:00Z'));
const logLines: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _enc, cb) {
    logLines.push(chunk.toString('utf8'));
    cb();
  },
});
type U = { token: string; userId: string };
let stack: TestStack;
let root: U; // the system's first admin (no personal account)
let bureauA: U; // a named bureau admin
let analyst: U;
let citizen: U;
let staff: U;
let manager: U;
let organiser: U;
let venueId: string;
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);
/** every response body this file saw, for the phone-leak sweep */
const seen: string[] = [];
const PHONES: string[] = [];

let phoneSeq = 0;
const nextPhone = () => {
  const p = `136${String(10_000_000 + ++phoneSeq).slice(-8)}`;
  PHONES.push(p);
  return p;
};
const person = (userId: string, over: Record<string, unknown> = {}) => ({
  userId,
  role: 'analyst',
  name: '陈立',
  unit: '市体育局体育产业处',
  position: '二级主任科员',
  phone: nextPhone(),
  ...over,
});

async function req(method: string, path: string, o: { token?: string; body?: unknown; rawBody?: string } = {}) {
  const res = await stack.request(method, path, o);
  seen.push(typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? ''));
  return res;
}
async function openAccount(by: U, target: U, over: Record<string, unknown> = {}) {
  const res = await req('POST', '/admin/bureau-accounts', { token: by.token, body: person(target.userId, over) });
  if (res.status !== 201) throw new Error(`open ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.account;
}
const grantsOf = async (userId: string) =>
  (
    (
      await db()
        .collection('users')
        .findOne({ _id: oid(userId) })
    )?.grants ?? []
  )
    .map((g: { role: string }) => g.role)
    .sort();
const auditCount = () => db().collection('audit_log').countDocuments();
async function auditAfter(marker: number): Promise<AuditEntry[]> {
  const page = AuditPageSchema.parse((await stack.request('GET', '/admin/audit?limit=100', { token: root.token })).body);
  const all = await auditCount();
  // newest first; the audit read itself writes nothing (exempt)
  return page.items.slice(0, all - marker);
}

beforeAll(async () => {
  stack = await startTestStack('attackaccounts', { clock, appDeps: { logger: createLogger('info', logSink) } });
  root = await stack.login('aa-root');
  await grant(stack, root.userId, 'admin');
  const a = await stack.login('aa-bureau-a');
  await openAccount(root, a, { role: 'admin', name: '赵一', unit: '市体育局办公室' });
  clock.advance(1000);
  bureauA = await stack.login('aa-bureau-a');
  const an = await stack.login('aa-analyst');
  await openAccount(root, an, { role: 'analyst', name: '钱二', unit: '市体育局群众体育处' });
  clock.advance(1000);
  analyst = await stack.login('aa-analyst');
  citizen = await stack.login('aa-citizen');
  venueId = (await createTestVenue(stack, { name: '攻击测试馆' })).venueId;
  staff = await stack.login('aa-staff');
  await grant(stack, staff.userId, 'staff', venueId);
  manager = await stack.login('aa-manager');
  await grant(stack, manager.userId, 'venue_manager', venueId);
  organiser = await stack.login('aa-organiser');
  await grant(stack, organiser.userId, 'organiser');
}, 120_000);
afterAll(() => stack?.stop());

describe('privilege escalation', () => {
  test('citizen, analyst, staff, venue manager and organiser cannot open, close or reopen accounts, grant a bureau role or edit plans', async () => {
    const victim = await stack.login('aa-victim');
    const closedOne = await stack.login('aa-closed-one');
    await openAccount(root, closedOne);
    expect(
      (await req('POST', `/admin/bureau-accounts/${closedOne.userId}/close`, { token: root.token, body: { reason: '调离' } })).status,
    ).toBe(200);
    const plan = await req('POST', '/admin/aggregation-plans', {
      token: root.token,
      body: { year: 2027, department: '攻击测试处', line: '场馆服务', items: [{ eventType: 'booking.used', perYear: 12 }] },
    });
    expect(plan.status).toBe(201);
    const planId = plan.body.plan.id as string;
    const before = {
      accounts: await db().collection('bureau_accounts').find().sort({ _id: 1 }).toArray(),
      plans: await db().collection('datacentre_plans').find().sort({ _id: 1 }).toArray(),
      grants: await Promise.all([victim, closedOne, bureauA, analyst, citizen, staff, manager, organiser].map((u) => grantsOf(u.userId))),
    };
    const planBody = { year: 2027, department: '攻击测试处', line: '篡改', items: [{ eventType: 'booking.used', perYear: 1 }] };
    for (const [who, u] of Object.entries({ citizen, analyst, staff, manager, organiser })) {
      const attempts: [string, string, unknown][] = [
        ['POST', '/admin/bureau-accounts', person(u.userId, { role: 'admin' })],
        ['POST', '/admin/bureau-accounts', person(victim.userId, { role: 'admin' })],
        ['POST', '/admin/bureau-accounts', person(closedOne.userId)],
        ['POST', `/admin/bureau-accounts/${bureauA.userId}/close`, { reason: '越权' }],
        ['POST', `/admin/bureau-accounts/${analyst.userId}/close`, { reason: '越权' }],
        ['POST', '/admin/roles', { userId: u.userId, role: 'admin' }],
        ['POST', '/admin/roles', { userId: u.userId, role: 'analyst' }],
        ['POST', '/admin/roles', { userId: victim.userId, role: 'admin' }],
        ['DELETE', '/admin/roles', { userId: bureauA.userId, role: 'admin' }],
        ['POST', '/admin/aggregation-plans', { ...planBody, department: `${who}处` }],
        ['PUT', `/admin/aggregation-plans/${planId}`, planBody],
        ['DELETE', `/admin/aggregation-plans/${planId}`, undefined],
        ['GET', '/admin/bureau-accounts', undefined],
      ];
      for (const [method, path, body] of attempts) {
        const res = await req(method, path, { token: u.token, body });
        expect([who, method, path, res.status, res.body.error?.code]).toEqual([who, method, path, 403, 'FORBIDDEN']);
      }
    }
    expect(await db().collection('bureau_accounts').find().sort({ _id: 1 }).toArray()).toEqual(before.accounts);
    expect(await db().collection('datacentre_plans').find().sort({ _id: 1 }).toArray()).toEqual(before.plans);
    expect(
      await Promise.all([victim, closedOne, bureauA, analyst, citizen, staff, manager, organiser].map((u) => grantsOf(u.userId))),
    ).toEqual(before.grants);
  });

  test('an open analyst account is not raised to admin through the role route (the account says analyst)', async () => {
    const an = await stack.login('aa-raise');
    await openAccount(bureauA, an, { role: 'analyst' });
    const res = await req('POST', '/admin/roles', { token: bureauA.token, body: { userId: an.userId, role: 'admin' } });
    expect([res.status, res.body.error?.code]).toEqual([422, 'BUREAU_ACCOUNT_REQUIRED']);
    expect(await grantsOf(an.userId)).toEqual(['analyst']);
    const acct = await db()
      .collection('bureau_accounts')
      .findOne({ userId: oid(an.userId) });
    expect(acct?.role).toBe('analyst');
  });

  test('a bare admin (granted before accounts) who is opened an analyst account can still have the bare admin revoked', async () => {
    const bare = await stack.login('aa-bare');
    await grant(stack, bare.userId, 'admin');
    await openAccount(bureauA, bare, { role: 'analyst' });
    const res = await req('DELETE', '/admin/roles', { token: bureauA.token, body: { userId: bare.userId, role: 'admin' } });
    expect(res.status).toBe(200);
    expect(await grantsOf(bare.userId)).toEqual(['analyst']);
    // the account's own role is still closed, not revoked
    const own = await req('DELETE', '/admin/roles', { token: bureauA.token, body: { userId: bare.userId, role: 'analyst' } });
    expect([own.status, own.body.error?.code]).toEqual([422, 'BUREAU_ACCOUNT_REQUIRED']);
  });

  test('no route edits an account’s name, unit, position or phone (impersonation): only open and close exist', async () => {
    const acct = await db()
      .collection('bureau_accounts')
      .findOne({ userId: oid(analyst.userId) });
    const body = { name: '赵一', unit: '市体育局办公室', position: '局长', phone: '13600000000' };
    for (const [method, path, token] of [
      ['PUT', `/admin/bureau-accounts/${analyst.userId}`, analyst.token],
      ['PATCH', `/admin/bureau-accounts/${analyst.userId}`, analyst.token],
      ['PUT', `/admin/bureau-accounts/${analyst.userId}`, bureauA.token],
      ['PATCH', '/admin/bureau-accounts', analyst.token],
      ['PUT', '/me', analyst.token],
      ['PATCH', '/me', analyst.token],
    ] as const) {
      const res = await req(method, path, { token, body: { ...body, userId: analyst.userId } });
      expect([method, path, [404, 405].includes(res.status), typeof res.body.error?.code]).toEqual([method, path, true, 'string']);
    }
    expect(
      await db()
        .collection('bureau_accounts')
        .findOne({ userId: oid(analyst.userId) }),
    ).toEqual(acct);
  });

  test('prototype keys and $-operators in an open body → 400, nothing written, nothing granted', async () => {
    const target = await stack.login('aa-proto');
    const count = await db().collection('bureau_accounts').countDocuments();
    const p = JSON.stringify(person(target.userId));
    for (const rawBody of [
      p.replace(/}$/, ',"__proto__":{"status":"open","role":"admin"}}'),
      p.replace(/}$/, ',"constructor":{"prototype":{"role":"admin"}}}'),
      JSON.stringify({ ...person(target.userId), role: { $in: ['admin'] } }),
      JSON.stringify({ ...person(target.userId), phone: { $gt: '' } }),
      JSON.stringify({ ...person(target.userId), phone: '+8613612345678' }),
      JSON.stringify({ ...person(target.userId), phone: ' 13612345678' }),
      JSON.stringify({ ...person(target.userId), reason: 'x'.repeat(100_000) }),
      JSON.stringify({ ...person(target.userId), userId: [target.userId] }),
      '{"userId":',
      'null',
    ]) {
      const res = await req('POST', '/admin/bureau-accounts', { token: bureauA.token, rawBody });
      expect([rawBody.slice(0, 60), res.status < 500, res.status >= 400, res.body.error?.code]).toEqual([
        rawBody.slice(0, 60),
        true,
        true,
        // the body parser refuses prototype keys and broken JSON before any route
        rawBody.length > 100_000 ? 'PAYLOAD_TOO_LARGE' : /__proto__|^\{"userId":$|^null$/.test(rawBody) ? 'BAD_JSON' : 'VALIDATION_FAILED',
      ]);
    }
    expect(await db().collection('bureau_accounts').countDocuments()).toBe(count);
    expect(await grantsOf(target.userId)).toEqual([]);
    const close = await req('POST', `/admin/bureau-accounts/${bureauA.userId}/close`, {
      token: root.token,
      rawBody: '{"reason":"x","__proto__":{"status":"open"}}',
    });
    expect([close.status, close.body.error?.code]).toEqual([400, 'BAD_JSON']);
    for (const q of ['status[$ne]=open', 'status=open&status=closed', `status=${'x'.repeat(5000)}`, '__proto__=1']) {
      const r = await req('GET', `/admin/bureau-accounts?${q}`, { token: bureauA.token });
      expect([q, r.status, r.body.error?.code]).toEqual([q, 400, 'VALIDATION_FAILED']);
    }
  });
});

describe('the feed', () => {
  test('opening and closing an account tell the feed of the role, as the role route does (no person in it)', async () => {
    const outbox = db().collection('outbox');
    const u = await stack.login('aa-feed');
    const m = await outbox.countDocuments({ type: { $in: ['role.granted', 'role.revoked'] } });
    await openAccount(bureauA, u, { role: 'analyst' });
    const granted = await outbox.find({ type: 'role.granted', 'payload.role': 'analyst' }).sort({ _id: -1 }).limit(1).toArray();
    clock.advance(1000);
    expect((await req('POST', `/admin/bureau-accounts/${u.userId}/close`, { token: bureauA.token, body: { reason: '离岗' } })).status).toBe(
      200,
    );
    const events = await outbox
      .find({ type: { $in: ['role.granted', 'role.revoked'] } })
      .sort({ _id: 1 })
      .skip(m)
      .toArray();
    expect(events.map((e) => [e.type, e.payload.role, e.payload.scope])).toEqual([
      ['role.granted', 'analyst', null],
      ['role.revoked', 'analyst', null],
    ]);
    expect(events[1].payload.subject).toBe(granted[0]?.payload.subject);
    expect(JSON.stringify(events)).not.toContain(u.userId);
  });
});

describe('look-alike names (invisible characters)', () => {
  test('a person’s name, unit or position with a zero-width or bidi character → 400: the audit log cannot show a look-alike', async () => {
    const target = await stack.login('aa-lookalike');
    const count = await db().collection('bureau_accounts').countDocuments();
    for (const over of [{ name: '赵一\u200b' }, { name: '\u202e一赵' }, { unit: '市体育局办公室\u200d' }, { position: '局\ufeff长' }]) {
      const res = await req('POST', '/admin/bureau-accounts', { token: bureauA.token, body: person(target.userId, over) });
      expect([JSON.stringify(over), res.status, res.body.error?.code]).toEqual([JSON.stringify(over), 400, 'VALIDATION_FAILED']);
    }
    expect(await db().collection('bureau_accounts').countDocuments()).toBe(count);
  });

  test('one plan per department and year is not bypassed by an invisible character in the department', async () => {
    const base = { year: 2028, line: '场馆服务', items: [{ eventType: 'booking.used', perYear: 12 }] };
    expect(
      (await req('POST', '/admin/aggregation-plans', { token: bureauA.token, body: { ...base, department: '群众体育处' } })).status,
    ).toBe(201);
    for (const department of ['群众体育处\u200b', '群众\u2060体育处', '群众体育处\u200e']) {
      const res = await req('POST', '/admin/aggregation-plans', { token: bureauA.token, body: { ...base, department } });
      expect([JSON.stringify(department), res.status, res.body.error?.code]).toEqual([
        JSON.stringify(department),
        400,
        'VALIDATION_FAILED',
      ]);
    }
    expect(await db().collection('datacentre_plans').countDocuments({ year: 2028 })).toBe(1);
  });
});

describe('one phone, one open account; the last admin', () => {
  test('six opens with the same phone for six users at once → exactly one open account', async () => {
    const users = await stack.loginMany('aa-samephone', 6);
    const phone = nextPhone();
    const results = await Promise.all(
      users.map((u) => req('POST', '/admin/bureau-accounts', { token: bureauA.token, body: person(u.userId, { phone }) })),
    );
    const statuses = results.map((r) => `${r.status} ${r.body.error?.code ?? ''}`.trim()).sort();
    expect(statuses).toEqual(['201', ...Array(5).fill('409 BUREAU_PHONE_IN_USE')]);
    const opened = results.find((r) => r.status === 201)!.body.account.userId as string;
    const withRole = await Promise.all(users.map(async (u) => (await grantsOf(u.userId)).includes('analyst')));
    expect(users.filter((_, i) => withRole[i]).map((u) => u.userId)).toEqual([opened]);
    const phoneKey = (await db()
      .collection('bureau_accounts')
      .findOne({ userId: oid(opened) }))!.phoneKey;
    expect(await db().collection('bureau_accounts').countDocuments({ phoneKey, status: 'open' })).toBe(1);
  });

  test('four opens for the same user at once → one account', async () => {
    const u = await stack.login('aa-sameuser');
    const results = await Promise.all(
      [0, 1, 2, 3].map(() => req('POST', '/admin/bureau-accounts', { token: bureauA.token, body: person(u.userId) })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(
      await db()
        .collection('bureau_accounts')
        .countDocuments({ userId: oid(u.userId) }),
    ).toBe(1);
  });

  test('a closed account’s phone is free again, and its reopen competes fairly with a new open of that phone', async () => {
    const [x, y] = await stack.loginMany('aa-reuse', 2);
    const phone = nextPhone();
    await openAccount(bureauA, x, { phone });
    expect((await req('POST', `/admin/bureau-accounts/${x.userId}/close`, { token: bureauA.token, body: { reason: '离岗' } })).status).toBe(
      200,
    );
    const [reopen, fresh] = await Promise.all([
      req('POST', '/admin/bureau-accounts', { token: bureauA.token, body: person(x.userId, { phone }) }),
      req('POST', '/admin/bureau-accounts', { token: bureauA.token, body: person(y.userId, { phone }) }),
    ]);
    expect([reopen.status, fresh.status].sort()).toEqual([201, 409]);
    const loser = reopen.status === 409 ? reopen : fresh;
    expect(loser.body.error.code).toBe('BUREAU_PHONE_IN_USE');
  });

  test('a reopen landing inside a close (between its mark and its end) does not leave an open account with its phone freed', async () => {
    const [x, other] = await stack.loginMany('aa-inside', 2);
    const phone = nextPhone();
    await openAccount(bureauA, x, { phone });
    // deterministic interleaving: the close's read of the closer's own account lets a reopen run first
    const findOne = BureauAccountModel.findOne.bind(BureauAccountModel);
    let reopened: Promise<unknown> | null = null;
    const spy = jest.spyOn(BureauAccountModel, 'findOne').mockImplementation(((filter: { userId?: unknown }, ...rest: unknown[]) => {
      if (!reopened && String(filter?.userId) === bureauA.userId) {
        reopened = stack.cloud.services.identity.bureau.open(root.userId, person(x.userId, { phone }) as never).catch((e: unknown) => e);
        const q = findOne(filter as never, ...(rest as []));
        return { lean: async () => (await reopened, q.lean()) } as never;
      }
      return findOne(filter as never, ...(rest as []));
    }) as never);
    try {
      await req('POST', `/admin/bureau-accounts/${x.userId}/close`, { token: bureauA.token, body: { reason: '并发' } });
    } finally {
      spy.mockRestore();
    }
    expect(reopened).not.toBeNull();
    const acct = (await db()
      .collection('bureau_accounts')
      .findOne({ userId: oid(x.userId) }))!;
    const taken = await req('POST', '/admin/bureau-accounts', { token: bureauA.token, body: person(other.userId, { phone }) });
    // the interleaving is forced: the reopen ran inside the close, and it stands — the phone stays
    // its own, and the account has its role
    expect(acct.status).toBe('open');
    expect([taken.status, taken.body.error?.code]).toEqual([409, 'BUREAU_PHONE_IN_USE']);
    expect(await grantsOf(x.userId)).toContain('analyst');
    expect(await db().collection('bureau_accounts').countDocuments({ phoneKey: acct.phoneKey, status: 'open' })).toBe(1);
  });

  test('the role route never writes an open account’s role: a grant racing a close cannot put it back', async () => {
    const y = await stack.login('aa-regrant');
    await openAccount(bureauA, y, { role: 'admin' });
    // the state a close leaves when it pulls the role between the route's account read and its write
    await db()
      .collection('users')
      .updateOne({ _id: oid(y.userId) }, { $pull: { grants: { role: 'admin' } } } as never);
    const res = await req('POST', '/admin/roles', { token: bureauA.token, body: { userId: y.userId, role: 'admin' } });
    expect(res.status).toBe(200);
    expect(await grantsOf(y.userId)).toEqual([]);
  });

  test('a close landing between an open and its grant: the opened role is taken back, the open answers closed', async () => {
    const z = await stack.login('aa-open-close');
    const updateOne = mongoose.model('User').updateOne.bind(mongoose.model('User'));
    let closed: Promise<unknown> | null = null;
    const spy = jest.spyOn(mongoose.model('User'), 'updateOne').mockImplementation(((
      filter: { _id?: unknown },
      update: any,
      ...rest: unknown[]
    ) => {
      if (!closed && String(filter?._id) === z.userId && update?.$addToSet?.grants) {
        closed = stack.cloud.services.identity.bureau.close(bureauA.userId, z.userId, '并发').catch((e: unknown) => e);
        return {
          then: (ok: any, ko: any) => closed!.then(() => updateOne(filter as never, update, ...(rest as []))).then(ok, ko),
        } as never;
      }
      return updateOne(filter as never, update, ...(rest as []));
    }) as never);
    let opened;
    try {
      opened = await req('POST', '/admin/bureau-accounts', { token: bureauA.token, body: person(z.userId, { role: 'admin' }) });
    } finally {
      spy.mockRestore();
    }
    expect(closed).not.toBeNull();
    expect([opened.status, opened.body.error?.code]).toEqual([409, 'BUREAU_ACCOUNT_CLOSED']);
    expect(
      (await db()
        .collection('bureau_accounts')
        .findOne({ userId: oid(z.userId) }))!.status,
    ).toBe('closed');
    expect(await grantsOf(z.userId)).toEqual([]);
  });

  test('a close cut short after its mark is finished by asking again: role gone, sessions ended, phone free', async () => {
    const [w, heir] = await stack.loginMany('aa-cut-close', 2);
    const phone = nextPhone();
    await openAccount(bureauA, w, { role: 'admin', phone });
    clock.advance(1000);
    const live = await stack.login('aa-cut-close-0'); // a session of the open account
    clock.advance(1000);
    // the process died right after the close's mark: closed on paper, everything else still held
    await db()
      .collection('bureau_accounts')
      .updateOne(
        { userId: oid(w.userId) },
        { $set: { status: 'closed', closedAt: clock.now(), closedBy: oid(bureauA.userId), closeReason: '中断' } },
      );
    expect(await grantsOf(w.userId)).toEqual(['admin']);
    const again = await req('POST', `/admin/bureau-accounts/${w.userId}/close`, { token: bureauA.token, body: { reason: '再次' } });
    expect([again.status, again.body.error?.code]).toEqual([409, 'BUREAU_ACCOUNT_CLOSED']);
    expect(await grantsOf(w.userId)).toEqual([]);
    const old = await req('GET', '/me', { token: live.token });
    expect([old.status, old.body.error?.code]).toEqual([401, 'SESSION_ENDED']);
    expect((await req('POST', '/admin/bureau-accounts', { token: bureauA.token, body: person(heir.userId, { phone }) })).status).toBe(201);
  });

  test('two admins closing each other at the same moment: one of them stays an admin (never none)', async () => {
    let noneLeft = 0;
    for (let i = 0; i < 4; i++) {
      const [p, q] = await stack.loginMany(`aa-mutual-${i}`, 2);
      await openAccount(root, p, { role: 'admin' });
      await openAccount(root, q, { role: 'admin' });
      clock.advance(1000);
      const [tp, tq] = [await stack.login(`aa-mutual-${i}-0`), await stack.login(`aa-mutual-${i}-1`)];
      const [r1, r2] = await Promise.all([
        req('POST', `/admin/bureau-accounts/${q.userId}/close`, { token: tp.token, body: { reason: '互相注销' } }),
        req('POST', `/admin/bureau-accounts/${p.userId}/close`, { token: tq.token, body: { reason: '互相注销' } }),
      ]);
      for (const r of [r1, r2]) expect(r.status < 500).toBe(true);
      const open = await db()
        .collection('bureau_accounts')
        .countDocuments({ userId: { $in: [oid(p.userId), oid(q.userId)] }, status: 'open' });
      const admins = (await grantsOf(p.userId)).includes('admin') || (await grantsOf(q.userId)).includes('admin');
      if (open === 0 || !admins) noneLeft++;
      clock.advance(1000);
    }
    expect(noneLeft).toBe(0);
  });
});

describe('closing ends every session', () => {
  test('a token from before the account was opened is refused after the close, and stays powerless after a reopen', async () => {
    const early = await stack.login('aa-early'); // a citizen's session, before the account
    await openAccount(bureauA, early, { role: 'admin' });
    // the current grants make that session an admin's (role checks read the grants)
    expect((await req('GET', '/admin/bureau-accounts', { token: early.token })).status).toBe(200);
    clock.advance(1000);
    expect(
      (await req('POST', `/admin/bureau-accounts/${early.userId}/close`, { token: bureauA.token, body: { reason: '账号外借' } })).status,
    ).toBe(200);
    for (const path of ['/me', '/admin/bureau-accounts', '/bookings/mine']) {
      const r = await req('GET', path, { token: early.token });
      expect([path, r.status, r.body.error?.code]).toEqual([path, 401, 'SESSION_ENDED']);
    }
    clock.advance(1000);
    await openAccount(bureauA, early, { role: 'admin' });
    const replay = await req('POST', '/admin/roles', { token: early.token, body: { userId: citizen.userId, role: 'organiser' } });
    expect([replay.status, replay.body.error?.code]).toEqual([401, 'SESSION_ENDED']);
    expect(await grantsOf(citizen.userId)).toEqual([]);
    clock.advance(1000);
    const fresh = await stack.login('aa-early');
    expect((await req('GET', '/admin/bureau-accounts', { token: fresh.token })).status).toBe(200);
  });

  test('the closed account’s old token is refused on every route of the app (401 SESSION_ENDED), whatever the method', async () => {
    const gone = await stack.login('aa-gone');
    await openAccount(bureauA, gone, { role: 'analyst' });
    clock.advance(1000);
    const old = await stack.login('aa-gone'); // carries analyst
    clock.advance(1000);
    expect(
      (await req('POST', `/admin/bureau-accounts/${gone.userId}/close`, { token: bureauA.token, body: { reason: '离职' } })).status,
    ).toBe(200);
    const fill = (p: string) => p.replace(/^\/api\/v1/, '').replace(/:(\w+)/g, '0123456789abcdef01234567');
    const wrong: string[] = [];
    for (const r of stack.cloud.routes) {
      const res = await stack.request(r.method, fill(r.path), { token: old.token, body: r.method === 'GET' ? undefined : {} });
      if (res.status !== 401 || res.body?.error?.code !== 'SESSION_ENDED') wrong.push(`${r.method} ${r.path} ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('the sealed phone never leaves unmasked', () => {
  test('not in any answer, log line, audit entry or outbox event', async () => {
    // the reads that show accounts, the audit and the feed
    await req('GET', '/admin/bureau-accounts?status=all', { token: bureauA.token });
    await req('GET', '/admin/audit?limit=100', { token: bureauA.token });
    await req('GET', '/me', { token: analyst.token });
    const audit = JSON.stringify(await db().collection('audit_log').find().toArray());
    const outbox = JSON.stringify(await db().collection('outbox').find().toArray());
    const accounts = JSON.stringify(await db().collection('bureau_accounts').find().toArray());
    const users = JSON.stringify(await db().collection('users').find().toArray());
    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    const leaks = PHONES.filter((p) =>
      [seen.join('\n'), audit, outbox, accounts, users, logs].some((hay) => hay.includes(p) || hay.includes(p.slice(3))),
    );
    expect(leaks).toEqual([]);
    // and the masked form is what the list shows
    expect(seen.join('\n')).toMatch(/136\*\*\*\*\d{4}/);
  });
});

describe('personal-data reads are audited once, naming the reader', () => {
  test('GET /admin/bureau-accounts: one personal.read per read naming name and unit; refused or invalid reads write none', async () => {
    const m = await auditCount();
    for (let i = 0; i < 3; i++) expect((await req('GET', '/admin/bureau-accounts', { token: bureauA.token })).status).toBe(200);
    const entries = (await auditAfter(m)).filter((e) => e.action === 'personal.read');
    expect(entries).toHaveLength(3);
    for (const e of entries) {
      expect(e.actorId).toBe(bureauA.userId);
      expect(e.actor).toMatchObject({ name: '赵一', unit: '市体育局办公室' });
      expect(e.details.route).toBe('GET /admin/bureau-accounts');
    }
    const m2 = await auditCount();
    expect((await req('GET', '/admin/bureau-accounts', { token: analyst.token })).status).toBe(403);
    expect((await req('GET', '/admin/bureau-accounts?status=nope', { token: bureauA.token })).status).toBe(400);
    expect((await req('HEAD', '/admin/bureau-accounts', { token: citizen.token })).status).toBe(403);
    expect(await auditCount()).toBe(m2);
  });

  test('the same read through another spelling of the path (case, trailing slash, encoded) is audited too', async () => {
    for (const path of [
      '/ADMIN/bureau-accounts',
      '/admin/bureau-accounts/',
      '/admin/Bureau-Accounts?status=all',
      '/admin/bureau%2Daccounts',
    ]) {
      const m = await auditCount();
      const res = await req('GET', path, { token: bureauA.token });
      const entries = (await auditAfter(m)).filter((e) => e.action === 'personal.read');
      expect([path, res.status === 200 ? entries.length : 'not answered']).toEqual([path, res.status === 200 ? 1 : 'not answered']);
      if (res.status === 200) expect(entries[0].actor?.name).toBe('赵一');
      else expect(res.status).toBe(404);
    }
  });

  test('exports: the feed NDJSON and the dispatch xlsx each leave exactly one data.export naming the reader', async () => {
    const m = await auditCount();
    const feed = await stack.request('GET', '/admin/feed/export?day=2027-04-19', { token: bureauA.token });
    expect(feed.status).toBe(200);
    const xlsx = await stack.request('GET', '/admin/reports/dispatch?month=2027-03&format=xlsx', { token: analyst.token });
    expect(xlsx.status).toBe(200);
    const json = await stack.request('GET', '/admin/reports/dispatch?month=2027-03', { token: analyst.token });
    expect(json.status).toBe(200);
    const exports = (await auditAfter(m)).filter((e) => e.action === 'data.export');
    expect(exports.map((e) => [e.details.route, e.actorId, e.actor?.name, e.actor?.unit]).reverse()).toEqual([
      ['GET /admin/feed/export', bureauA.userId, '赵一', '市体育局办公室'],
      ['GET /admin/reports/dispatch', analyst.userId, '钱二', '市体育局群众体育处'],
    ]);
  });

  test('a staff read of one citizen’s feedback (it names the sender) is audited like the lists; the sender’s own read is not', async () => {
    const author = await stack.login('aa-fb-author');
    const sent = await req('POST', '/feedback', {
      token: author.token,
      body: { target: { kind: 'venue', id: venueId }, category: 'facility', text: '淋浴间的热水时有时无，请检查。' },
    });
    expect(sent.status).toBe(201);
    const id = sent.body.feedback.id as string;
    const m = await auditCount();
    const own = await req('GET', `/feedback/${id}`, { token: author.token });
    expect(own.status).toBe(200);
    expect(own.body.feedback.sender).toBeUndefined();
    expect(await auditCount()).toBe(m);
    const read = await req('GET', `/feedback/${id}`, { token: manager.token });
    expect(read.status).toBe(200);
    expect(typeof read.body.feedback.sender).toBe('string');
    const entries = (await auditAfter(m)).filter((e) => e.action === 'personal.read');
    expect(entries.map((e) => [e.actorId, e.details.route])).toEqual([[manager.userId, 'GET /feedback/:feedbackId']]);
  });
});

describe('aggregation plans', () => {
  const body = (over: Record<string, unknown> = {}) => ({
    year: 2027,
    department: '青少年体育处',
    line: '赛事活动',
    items: [{ eventType: 'booking.used', perMonth: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }],
    ...over,
  });
  const plans = () => db().collection('datacentre_plans');

  test('bad input on create and update → 4xx with a code, nothing written, never 500', async () => {
    const made = await req('POST', '/admin/aggregation-plans', { token: bureauA.token, body: body({ department: '坏输入处' }) });
    expect(made.status).toBe(201);
    const planId = made.body.plan.id as string;
    const snapshot = await plans().find().sort({ _id: 1 }).toArray();
    const cases: [string, string][] = [
      ['negative volume', JSON.stringify(body({ items: [{ eventType: 'booking.used', perYear: -1 }] }))],
      ['huge volume', JSON.stringify(body({ items: [{ eventType: 'booking.used', perYear: 1e300 }] }))],
      ['fractional volume', JSON.stringify(body({ items: [{ eventType: 'booking.used', perYear: 1.5 }] }))],
      ['string volume', JSON.stringify(body({ items: [{ eventType: 'booking.used', perYear: '12' }] }))],
      ['11 months', JSON.stringify(body({ items: [{ eventType: 'booking.used', perMonth: Array(11).fill(1) }] }))],
      [
        'both perMonth and perYear',
        JSON.stringify(body({ items: [{ eventType: 'booking.used', perYear: 1, perMonth: Array(12).fill(1) }] })),
      ],
      ['neither', JSON.stringify(body({ items: [{ eventType: 'booking.used' }] }))],
      ['unknown event type', JSON.stringify(body({ items: [{ eventType: 'user.phone', perYear: 1 }] }))],
      ['__proto__ event type', JSON.stringify(body({ items: [{ eventType: '__proto__', perYear: 1 }] }))],
      ['constructor event type', JSON.stringify(body({ items: [{ eventType: 'constructor', perYear: 1 }] }))],
      ['$ event type', JSON.stringify(body({ items: [{ eventType: { $ne: null }, perYear: 1 }] }))],
      ['$ department', JSON.stringify(body({ department: { $gt: '' } }))],
      ['$ year', JSON.stringify(body({ year: { $gt: 2000 } }))],
      ['string year', JSON.stringify(body({ year: '2027' }))],
      ['year 1e9', JSON.stringify(body({ year: 1e9 }))],
      ['huge department', JSON.stringify(body({ department: '处'.repeat(5000) }))],
      ['empty department', JSON.stringify(body({ department: '  ' }))],
      ['missing line', JSON.stringify({ ...body(), line: undefined })],
      ['no items', JSON.stringify(body({ items: [] }))],
      ['61 items', JSON.stringify(body({ items: Array.from({ length: 61 }, () => ({ eventType: 'booking.used', perYear: 1 })) }))],
      ['duplicate types', JSON.stringify(body({ items: [0, 1].map(() => ({ eventType: 'booking.used', perYear: 1 })) }))],
      ['extra field', JSON.stringify(body({ updatedBy: root.userId }))],
      ['__proto__ key', JSON.stringify(body()).replace(/}$/, ',"__proto__":{"department":"办公室"}}')],
      ['__proto__ in an item', JSON.stringify(body()).replace('"perMonth"', '"__proto__":{"perYear":5},"perMonth"')],
      ['array body', JSON.stringify([body()])],
      ['null body', 'null'],
      ['broken JSON', '{"year":'],
    ];
    for (const [label, rawBody] of cases) {
      for (const [method, path] of [
        ['POST', '/admin/aggregation-plans'],
        ['PUT', `/admin/aggregation-plans/${planId}`],
      ]) {
        const res = await req(method, path, { token: bureauA.token, rawBody });
        const code = /__proto__"?:\{|^\{"year":$|^null$/.test(rawBody) ? 'BAD_JSON' : 'VALIDATION_FAILED';
        expect([label, method, res.status, res.body.error?.code]).toEqual([label, method, 400, code]);
      }
    }
    for (const id of ['nope', encodeURIComponent('{"$ne":null}'), 'a'.repeat(3000), '__proto__', '0123456789abcdef0123456z']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await req(method, `/admin/aggregation-plans/${id}`, { token: bureauA.token, body: body() });
        expect([id.slice(0, 30), method, res.status, res.body.error?.code]).toEqual([id.slice(0, 30), method, 400, 'VALIDATION_FAILED']);
      }
    }
    for (const q of ['year=abc', 'year[$gt]=2000', 'year=1e9', 'year=2027&year=2028', '__proto__=1', 'year=']) {
      const list = await req('GET', `/admin/aggregation-plans?${q}`, { token: analyst.token });
      expect([q, list.status < 500, list.status === 200 || list.body.error?.code === 'VALIDATION_FAILED']).toEqual([q, true, true]);
      const dash = await req('GET', `/admin/dashboard/aggregation?${q}`, { token: analyst.token });
      expect([q, dash.status, dash.body.error?.code]).toEqual([q, 400, 'VALIDATION_FAILED']);
    }
    expect(await plans().find().sort({ _id: 1 }).toArray()).toEqual(snapshot);
  });

  test('unknown ids → 404; an update onto another department’s year → 409 and both plans unchanged', async () => {
    const a = await req('POST', '/admin/aggregation-plans', { token: bureauA.token, body: body({ department: '甲处' }) });
    const b = await req('POST', '/admin/aggregation-plans', { token: bureauA.token, body: body({ department: '乙处' }) });
    expect([a.status, b.status]).toEqual([201, 201]);
    const snapshot = await plans().find().sort({ _id: 1 }).toArray();
    const clash = await req('PUT', `/admin/aggregation-plans/${b.body.plan.id}`, {
      token: bureauA.token,
      body: body({ department: '甲处' }),
    });
    expect([clash.status, clash.body.error?.code]).toEqual([409, 'AGGREGATION_PLAN_EXISTS']);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const r = await req(method, '/admin/aggregation-plans/0123456789abcdef01234567', { token: bureauA.token, body: body() });
      expect([method, r.status, r.body.error?.code]).toEqual([method, 404, 'AGGREGATION_PLAN_NOT_FOUND']);
    }
    expect(await plans().find().sort({ _id: 1 }).toArray()).toEqual(snapshot);
    expect((await req('DELETE', `/admin/aggregation-plans/${a.body.plan.id}`, { token: bureauA.token })).status).toBe(200);
    const again = await req('DELETE', `/admin/aggregation-plans/${a.body.plan.id}`, { token: bureauA.token });
    expect([again.status, again.body.error?.code]).toEqual([404, 'AGGREGATION_PLAN_NOT_FOUND']);
  });

  test('the maximum volumes are accepted and summed exactly', async () => {
    const max = await req('POST', '/admin/aggregation-plans', {
      token: bureauA.token,
      body: body({
        year: 2026,
        department: '上限处',
        items: Array.from({ length: 60 }, (_, i) => ({
          eventType: i % 2 ? 'booking.used' : 'user.registered',
          perYear: 1_000_000_000,
        })).slice(0, 2),
      }),
    });
    expect(max.status).toBe(201);
    const dash = await req('GET', '/admin/dashboard/aggregation?year=2026', { token: analyst.token });
    const mine = dash.body.plans.find((p: { planId: string }) => p.planId === max.body.plan.id);
    expect(mine.items.map((i: { expectedTotal: number }) => i.expectedTotal)).toEqual([1_000_000_000, 1_000_000_000]);
    expect(mine.expected.reduce((x: number, y: number) => x + y, 0)).toBe(2_000_000_000);
  });

  test('control run: without the unique index, concurrent creates for one department and year make duplicates', async () => {
    await AggregationPlanModel.init();
    await plans().dropIndex('year_1_department_1');
    try {
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          req('POST', '/admin/aggregation-plans', { token: bureauA.token, body: body({ department: '对照处' }) }),
        ),
      );
      expect(results.filter((r) => r.status === 201).length).toBeGreaterThan(1);
    } finally {
      await plans().deleteMany({ department: '对照处' });
      await AggregationPlanModel.syncIndexes();
    }
  });

  test('concurrent creates for one department and year → exactly one plan, the others 409', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        req('POST', '/admin/aggregation-plans', { token: bureauA.token, body: body({ department: '并发处' }) }),
      ),
    );
    expect(results.map((r) => `${r.status} ${r.body.error?.code ?? ''}`.trim()).sort()).toEqual([
      '201',
      ...Array(7).fill('409 AGGREGATION_PLAN_EXISTS'),
    ]);
    expect(await plans().countDocuments({ year: 2027, department: '并发处' })).toBe(1);
  });

  test('delivered against plan: a month’s known deliveries, counted by the Shanghai month of delivery', async () => {
    const made = await req('POST', '/admin/aggregation-plans', {
      token: bureauA.token,
      body: body({ year: 2025, department: '交付处', items: [{ eventType: 'voucher.used', perYear: 120 }] }),
    });
    expect(made.status).toBe(201);
    const at = (iso: string, n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => ({
        eventId: `attack-plan:${tag}:${i}`,
        type: 'voucher.used',
        schemaVersion: 1,
        occurredAt: new Date(iso),
        payload: {},
        deliveredAt: new Date(iso),
        attempts: 1,
        quarantinedAt: null,
        lastError: null,
        rolledUpAt: null,
      }));
    await db()
      .collection('outbox')
      .insertMany([
        ...at('2025-02-28T15:59:59Z', 3, 'feb'), // 23:59:59 on 28 Feb in Shanghai
        ...at('2025-02-28T16:00:00Z', 7, 'mar'), // 00:00 on 1 March in Shanghai
        ...at('2025-03-31T15:59:59Z', 2, 'mar2'),
        ...at('2026-01-01T01:00:00Z', 4, 'next-year'), // 09:00 on 1 January 2026: not 2025
        ...at('2024-12-31T16:00:00Z', 5, 'jan'), // 00:00 on 1 January 2025
      ]);
    await db()
      .collection('outbox')
      .insertOne({ ...at('2025-03-10T00:00:00Z', 1, 'pending')[0], deliveredAt: null });
    const dash = await req('GET', '/admin/dashboard/aggregation?year=2025', { token: analyst.token });
    expect(dash.status).toBe(200);
    const mine = dash.body.plans.find((p: { planId: string }) => p.planId === made.body.plan.id);
    expect(mine.items[0].delivered).toEqual([5, 3, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(mine.items[0].deliveredTotal).toBe(17);
    expect(mine.percent).toBe(Math.round((17 / 120) * 1000) / 10);
  });
});
