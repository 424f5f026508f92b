import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import mongoose from 'mongoose';
import { LoginResponseSchema, MeResponseSchema, AuditPageSchema, HealthSchema } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { createLogger } from '../../cloud/src/platform/logger';
import { startTestStack, grant, type TestStack } from '../support/stack';

let stack: TestStack;
const clock = new ManualClock(new Date('2026-11-21T08:00:00Z'));

beforeAll(async () => {
  stack = await startTestStack('identity', { clock });
});
afterAll(() => stack.stop());

describe('health', () => {
  test('reports the engine name and version', async () => {
    const res = await stack.request('GET', '/health');
    expect(res.status).toBe(200);
    const health = HealthSchema.parse(res.body);
    expect(health.ok).toBe(true);
    expect(health.engine.name).toBe(process.env.TEST_ENGINE_NAME);
    expect(health.engine.version).toMatch(/^\d+\.\d+/);
  });
});

describe('login', () => {
  test('mock:demo-citizen gets a token; the same openid logs in as the same user', async () => {
    const a = await stack.request('POST', '/auth/login', { body: { code: 'mock:demo-citizen' } });
    expect(a.status).toBe(200);
    const first = LoginResponseSchema.parse(a.body);
    expect(first.user.roles).toEqual(['citizen']);
    expect(JSON.stringify(a.body)).not.toMatch(/session_?key/i);
    const b = LoginResponseSchema.parse((await stack.request('POST', '/auth/login', { body: { code: 'mock:demo-citizen' } })).body);
    expect(b.user.id).toBe(first.user.id);
  });

  test('a first login emits one de-identified user.registered event', async () => {
    const { userId } = await stack.login('fresh-user-1');
    await stack.login('fresh-user-1');
    const events = await mongoose.connection
      .db!.collection('outbox')
      .find({ type: 'user.registered', eventId: `user.registered:${userId}` })
      .toArray();
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0].payload)).not.toContain(userId);
    expect(JSON.stringify(events[0].payload)).not.toContain('fresh-user-1');
  });

  test('a code WeChat refuses answers 401 LOGIN_CODE_INVALID', async () => {
    for (const code of ['not-a-mock-code', 'mock:', 'mock:bad openid!']) {
      const res = await stack.request('POST', '/auth/login', { body: { code } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('LOGIN_CODE_INVALID');
    }
  });

  test.each([
    ['missing code', {}],
    ['number', { code: 12345 }],
    ['empty', { code: '' }],
    ['huge string', { code: 'x'.repeat(10_000) }],
    ['$-operator', { code: { $gt: '' } }],
    ['array', { code: ['mock:demo-citizen'] }],
    ['array body', [{ code: 'mock:demo-citizen' }]],
  ])('bad input (%s) answers 400 VALIDATION_FAILED naming the field', async (_label, body) => {
    const res = await stack.request('POST', '/auth/login', { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  test('malformed JSON answers 400 BAD_JSON and an oversized body 413', async () => {
    for (const rawBody of ['{"code": "mock:x"', 'null', '"mock:x"', '{code: 1}']) {
      const bad = await stack.request('POST', '/auth/login', { rawBody });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('BAD_JSON');
    }
    const big = await stack.request('POST', '/auth/login', { rawBody: JSON.stringify({ code: 'a'.repeat(200_000) }) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('concurrent first logins of one openid create exactly one user', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => stack.request('POST', '/auth/login', { body: { code: 'mock:racing-openid' } })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.user.id)).size).toBe(1);
    expect(await mongoose.connection.db!.collection('users').countDocuments({ openid: 'racing-openid' })).toBe(1);
  });
  // the login limit per IP (shared by every instance) is tested in ratelimit.test.ts
});

describe('when WeChat fails', () => {
  test("the client gets 502 UPSTREAM_UNAVAILABLE with a fixed message; WeChat's own error goes to the log only", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logged = await startTestStack('wechat-busy', { clock, reuseConnection: true, appDeps: { logger: createLogger('info', sink) } });
    try {
      const res = await logged.request('POST', '/auth/login', { body: { code: 'busy:any' } });
      expect(res.status).toBe(502);
      expect(res.body).toEqual({
        error: {
          code: 'UPSTREAM_UNAVAILABLE',
          message: '微信服务暂时不可用，请稍后再试 (a service we depend on (WeChat) is unavailable, retry later)',
        },
      });
      const log = lines.join('');
      const rid = /system error rid: ([0-9a-f]{24})/.exec(log);
      expect(rid).not.toBeNull();
      expect(JSON.stringify(res.body)).not.toContain(rid![1]);
      expect(log).toContain(res.headers.get('x-request-id')!);
    } finally {
      await logged.stop();
    }
  });
});

describe('tokens', () => {
  test('GET /me needs a token and returns the profile with phone and ID number masked', async () => {
    expect((await stack.request('GET', '/me')).body.error.code).toBe('UNAUTHENTICATED');
    const { token, userId } = await stack.login('masked-user');
    await stack.cloud.services.identity.setPersonalFields(userId, { phone: '13812345678', idNumber: '320502199001011234' });
    const res = await stack.request('GET', '/me', { token });
    expect(res.status).toBe(200);
    const { user } = MeResponseSchema.parse(res.body);
    expect(user.phone).toBe('138****5678');
    expect(user.idNumber).toBe('320502********1234');
    const stored = await mongoose.connection.db!.collection('users').findOne({ openid: 'masked-user' });
    expect(JSON.stringify(stored)).not.toContain('13812345678');
    expect(JSON.stringify(stored)).not.toContain('320502199001011234');
  });

  test('a tampered token answers 401 TOKEN_INVALID', async () => {
    const { token } = await stack.login('tamper-user');
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.roles = ['citizen', 'admin'];
    const forged = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    for (const t of [forged, token.slice(0, -3) + 'abc', 'not-a-jwt-at-all']) {
      const res = await stack.request('GET', '/me', { token: t });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('TOKEN_INVALID');
    }
    const wrongKey = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(payload.sub)
      .setIssuer('citysport')
      .setAudience('citysport-miniapp')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another'));
    expect((await stack.request('GET', '/me', { token: wrongKey })).body.error.code).toBe('TOKEN_INVALID');
    const res = await stack.request('GET', '/me', { headers: { authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
  });

  test('an expired token answers 401 TOKEN_EXPIRED', async () => {
    const { token } = await stack.login('expiring-user');
    expect((await stack.request('GET', '/me', { token })).status).toBe(200);
    clock.advance((stack.config.JWT_TTL_SECONDS + 60) * 1000);
    try {
      const res = await stack.request('GET', '/me', { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('TOKEN_EXPIRED');
    } finally {
      clock.advance(-(stack.config.JWT_TTL_SECONDS + 60) * 1000);
    }
  });
});

describe('admin roles', () => {
  let admin: { token: string; userId: string };
  let citizen: { token: string; userId: string };
  let venueId: string;

  beforeAll(async () => {
    admin = await stack.login('role-admin');
    await grant(stack, admin.userId, 'admin');
    citizen = await stack.login('role-citizen');
    venueId = await stack.cloud.services.venues.createVenue({
      name: '测试场馆',
      district: '姑苏区',
      address: '测试路1号',
      location: { lat: 31.3, lng: 120.6 },
      openHours: { open: '08:00', close: '22:00' },
    });
  });

  test('a citizen calling an admin route gets 403 FORBIDDEN', async () => {
    for (const [method, path] of [
      ['GET', '/admin/audit'],
      ['POST', '/admin/roles'],
      ['DELETE', '/admin/roles'],
    ] as const) {
      const res = await stack.request(method, path, {
        token: citizen.token,
        body: method === 'GET' ? undefined : { userId: citizen.userId, role: 'admin' },
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect((await stack.request('GET', '/admin/audit')).status).toBe(401);
  });

  test('grant and revoke a scoped role; each is audited with who, when and what', async () => {
    const body = { userId: citizen.userId, role: 'staff', scope: venueId, reason: '新入职核验员' };
    const granted = await stack.request('POST', '/admin/roles', { token: admin.token, body });
    expect(granted.status).toBe(200);
    expect(granted.body).toEqual({
      changed: true,
      user: { id: citizen.userId, roles: ['citizen', 'staff'], grants: [{ role: 'staff', scope: venueId }] },
    });
    const again = await stack.request('POST', '/admin/roles', { token: admin.token, body });
    expect(again.body.changed).toBe(false);
    const revoked = await stack.request('DELETE', '/admin/roles', { token: admin.token, body });
    expect(revoked.status).toBe(200);
    expect(revoked.body.user.roles).toEqual(['citizen']);

    const audit = AuditPageSchema.parse((await stack.request('GET', '/admin/audit?limit=3', { token: admin.token })).body);
    expect(audit.items.map((e) => [e.action, e.actorId, e.targetUserId, e.details.changed])).toEqual([
      ['role.revoke', admin.userId, citizen.userId, true],
      ['role.grant', admin.userId, citizen.userId, false],
      ['role.grant', admin.userId, citizen.userId, true],
    ]);
    expect(audit.items[2].details).toMatchObject({ role: 'staff', scope: venueId, reason: '新入职核验员' });
    expect(audit.nextCursor).not.toBeNull();
    const next = AuditPageSchema.parse(
      (await stack.request('GET', `/admin/audit?limit=3&cursor=${audit.nextCursor}`, { token: admin.token })).body,
    );
    expect(next.items.every((e) => !audit.items.some((a) => a.id === e.id))).toBe(true);
  });

  test('a revoked role stops working at once, even with the token issued while it was held', async () => {
    // admin is a personal bureau account (专人专号): opened with the person's details, closed (not revoked)
    const other = await stack.login('temp-admin');
    const person = { userId: other.userId, role: 'admin', name: '赵临时', unit: '市体育局办公室', position: '科员', phone: '13600001111' };
    expect((await stack.request('POST', '/admin/bureau-accounts', { token: admin.token, body: person })).status).toBe(201);
    expect((await stack.request('GET', '/admin/audit', { token: other.token })).status).toBe(200);
    await stack.request('POST', `/admin/bureau-accounts/${other.userId}/close`, { token: admin.token, body: { reason: '借调结束' } });
    // closing ends the session itself, also one issued before the account was opened (claims: citizen)
    const ended = await stack.request('GET', '/admin/audit', { token: other.token });
    expect([ended.status, ended.body.error?.code]).toEqual([401, 'SESSION_ENDED']);
    clock.advance(1000);
    const again = await stack.login('temp-admin');
    expect((await stack.request('GET', '/admin/audit', { token: again.token })).status).toBe(403);
    // a scoped role through the role route: revoked, it stops at once too
    other.token = again.token;
    const manager = { userId: other.userId, role: 'venue_manager', scope: venueId };
    const bookings = `/manage/venues/${venueId}/bookings?date=2026-11-22`;
    await stack.request('POST', '/admin/roles', { token: admin.token, body: manager });
    expect((await stack.request('GET', bookings, { token: other.token })).status).toBe(200);
    await stack.request('DELETE', '/admin/roles', { token: admin.token, body: manager });
    expect((await stack.request('GET', bookings, { token: other.token })).status).toBe(403);
  });

  test('the audit log refuses updates and deletes', async () => {
    const { AuditEntry } = await import('../../cloud/src/platform/audit');
    await expect(AuditEntry.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(AuditEntry.updateOne({}, { $set: { action: 'x' } })).rejects.toThrow(/append-only/);
  });

  test.each([
    ['unknown user', () => ({ userId: '0123456789abcdef01234567', role: 'instructor' }), 404, 'USER_NOT_FOUND'],
    ['id as $-operator', () => ({ userId: { $gt: '' }, role: 'admin' }), 400, 'VALIDATION_FAILED'],
    ['id of wrong type', () => ({ userId: 42, role: 'admin' }), 400, 'VALIDATION_FAILED'],
    ['missing role', () => ({ userId: citizen.userId }), 400, 'VALIDATION_FAILED'],
    ['unknown role', () => ({ userId: citizen.userId, role: 'superuser' }), 400, 'VALIDATION_FAILED'],
    ['scoped role without scope', () => ({ userId: citizen.userId, role: 'staff' }), 400, 'VALIDATION_FAILED'],
    ['global role with scope', () => ({ userId: citizen.userId, role: 'admin', scope: venueId }), 400, 'VALIDATION_FAILED'],
    ['scope that does not exist', () => ({ userId: citizen.userId, role: 'staff', scope: '0123456789abcdef01234567' }), 404, 'NOT_FOUND'],
    ['citizen is implicit', () => ({ userId: citizen.userId, role: 'citizen' }), 400, 'VALIDATION_FAILED'],
    ['huge reason', () => ({ userId: citizen.userId, role: 'instructor', reason: '长'.repeat(5000) }), 400, 'VALIDATION_FAILED'],
    ['extra field', () => ({ userId: citizen.userId, role: 'instructor', $where: '1' }), 400, 'VALIDATION_FAILED'],
  ])('bad grant (%s) is refused and writes nothing', async (_label, body, status, code) => {
    const countBefore = await mongoose.connection.db!.collection('audit_log').countDocuments();
    const userBefore = await mongoose.connection.db!.collection('users').findOne({ openid: 'role-citizen' });
    const res = await stack.request('POST', '/admin/roles', { token: admin.token, body: body() });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(await mongoose.connection.db!.collection('audit_log').countDocuments()).toBe(countBefore);
    expect(await mongoose.connection.db!.collection('users').findOne({ openid: 'role-citizen' })).toEqual(userBefore);
  });

  test('bad audit cursors and limits answer 400', async () => {
    for (const q of ['?cursor=nope', '?limit=0', '?limit=1000', '?limit=abc', `?cursor=${'f'.repeat(500)}`]) {
      const res = await stack.request('GET', `/admin/audit${q}`, { token: admin.token });
      expect([q, res.status, res.body.error?.code]).toEqual([q, 400, 'VALIDATION_FAILED']);
    }
    // query strings are not parsed into objects, so an operator-looking key is just an unknown key
    const first = await stack.request('GET', '/admin/audit?limit=2', { token: admin.token });
    const injected = await stack.request('GET', '/admin/audit?limit=2&cursor[$gt]=a', { token: admin.token });
    expect(injected.status).toBe(200);
    expect(injected.body.items).toEqual(first.body.items);
  });
});

describe('unknown routes and methods', () => {
  test.each([
    ['GET', '/nope'],
    ['POST', '/nope/deeper'],
    ['GET', '/me/extra'],
    ['DELETE', '/venues/0123456789abcdef01234567/unknown'],
  ])('%s %s (no such path) answers 404 NOT_FOUND with the error body', async (method, path) => {
    const res = await stack.request(method, path);
    expect([res.status, res.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect(res.headers.get('allow')).toBeNull();
  });

  test.each([
    ['PUT', '/me', ['GET', 'HEAD']],
    ['DELETE', '/auth/login', ['POST']],
    ['PATCH', '/admin/roles', ['DELETE', 'POST']],
    ['POST', '/health', ['GET', 'HEAD']],
  ])('%s %s (a path that exists, a method it does not serve) answers 405 with Allow', async (method, path, allowed) => {
    const { token } = await stack.login('method-user');
    const res = await stack.request(method, path, { token, body: {} });
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(typeof res.body.error.message).toBe('string');
    const allow = (res.headers.get('allow') ?? '').split(/,\s*/).sort();
    expect(allow).toEqual(allowed);
  });
});
