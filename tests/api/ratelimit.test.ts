import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, type TestStack } from '../support/stack';
import { rateLimitCollectionOf, reserveSize } from '../../cloud/src/platform/ratelimit';

/**
 * Rate limits are kept in the database: two API instances on one engine count against the same
 * window (an in-process limiter would give each instance its own budget).
 */
const clock = new ManualClock(new Date('2026-11-21T08:00:00Z'));
let first: TestStack;

beforeAll(async () => {
  first = await startTestStack('ratelimit', { clock, env: { LOGIN_RATE_PER_IP_PER_MIN: '5' } });
});
afterAll(() => first.stop());

function expectLimited(res: { status: number; body: any; headers: Headers }) {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

test('the login limit per IP is one budget across two instances', async () => {
  const second = await startTestStack('ratelimit-2', { clock, reuseConnection: true, env: { LOGIN_RATE_PER_IP_PER_MIN: '5' } });
  try {
    const login = (stack: TestStack, i: number) => stack.request('POST', '/auth/login', { body: { code: `mock:rl-login-${i}` } });
    const statuses = [];
    for (const [stack, i] of [
      [first, 0],
      [second, 1],
      [first, 2],
      [second, 3],
      [first, 4],
    ] as const)
      statuses.push((await login(stack, i)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    // the sixth login is refused on either instance, though the second has served only two
    expectLimited(await login(second, 5));
    expectLimited(await login(first, 6));
    const stored = await mongoose.connection
      .db!.collection(rateLimitCollectionOf('login:127.0.0.1'))
      .findOne({ key: 'rl:login:127.0.0.1' });
    expect(stored?.points).toBe(7);
  } finally {
    await second.stop();
  }
});

describe('per-user limit', () => {
  let a: TestStack;
  let b: TestStack;
  let gate: TestStack;
  beforeAll(async () => {
    const env = { LOGIN_RATE_PER_IP_PER_MIN: '100000', USER_RATE_PER_MIN: '6' };
    a = await startTestStack('ratelimit-user-a', { clock, reuseConnection: true, env });
    b = await startTestStack('ratelimit-user-b', { clock, reuseConnection: true, env });
    gate = await startTestStack('ratelimit-user-gate', { clock, reuseConnection: true });
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await gate.stop();
  });

  test('requests of one user on two instances share one budget; other users keep theirs', async () => {
    // logins go through a stack with the default (large) budgets: on a and b anonymous requests share the small per-IP one
    const user = await gate.login('rl-user-1');
    const other = await gate.login('rl-user-2');
    const me = (stack: TestStack, token: string) => stack.request('GET', '/me', { token });
    const statuses = [];
    for (const stack of [a, b, a, b, a, b]) statuses.push((await me(stack, user.token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expectLimited(await me(a, user.token));
    expectLimited(await me(b, user.token));
    expect((await me(a, other.token)).status).toBe(200);
  });

  test('a burst split over two instances never gets more than the limit through', async () => {
    const user = await gate.login('rl-user-burst');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).request('GET', '/me', { token: user.token })));
    const ok = results.filter((r) => r.status === 200).length;
    for (const r of results.filter((r) => r.status !== 200)) expectLimited(r);
    // the engine's concurrent upserts can lose one grant (TOOLCHAIN.md), never add one
    expect(ok).toBeLessThanOrEqual(6);
    expect(ok).toBeGreaterThanOrEqual(5);
  });
});

describe('batched per-user limit (reserves a share of the shared window per round trip)', () => {
  let a: TestStack;
  let b: TestStack;
  let gate: TestStack;
  beforeAll(async () => {
    // 100 per minute: each round trip reserves 2 points (reserveSize), so 100 requests cost 50 writes
    const env = { LOGIN_RATE_PER_IP_PER_MIN: '100000', USER_RATE_PER_MIN: '100' };
    a = await startTestStack('ratelimit-batch-a', { clock, reuseConnection: true, env });
    b = await startTestStack('ratelimit-batch-b', { clock, reuseConnection: true, env });
    gate = await startTestStack('ratelimit-batch-gate', { clock, reuseConnection: true });
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await gate.stop();
  });

  test('two instances together let exactly the budget through, with one write per reservation', async () => {
    expect(reserveSize(100, true)).toBe(2);
    const user = await gate.login('rl-batch-1');
    const statuses: number[] = [];
    for (let i = 0; i < 130; i++) statuses.push((await (i % 2 ? b : a).request('GET', '/me', { token: user.token })).status);
    expect(statuses.slice(0, 100).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(100).every((s) => s === 429)).toBe(true);
    expectLimited(await a.request('GET', '/me', { token: user.token }));
    // 50 reservations of 2 served the 100; one more per instance found the window used up, then
    // both refused in memory: 104 points counted, so 52 writes for 131 requests
    const stored = await mongoose.connection
      .db!.collection(rateLimitCollectionOf(`user:${user.userId}`))
      .findOne({ key: `rl:user:${user.userId}` });
    expect(stored?.points).toBe(104);
  });

  test('a concurrent burst on two instances never gets more than the budget through', async () => {
    const user = await gate.login('rl-batch-burst');
    const results = await Promise.all(Array.from({ length: 160 }, (_, i) => (i % 2 ? a : b).request('GET', '/me', { token: user.token })));
    const ok = results.filter((r) => r.status === 200).length;
    for (const r of results.filter((r) => r.status !== 200)) expectLimited(r);
    expect(ok).toBeLessThanOrEqual(100);
    // reserved and unspent points are lost for the window: at most instances × (reserve − 1); the
    // engine's concurrent upserts can lose a grant too (TOOLCHAIN.md)
    expect(ok).toBeGreaterThanOrEqual(96);
  });
});

describe('anonymous requests', () => {
  let c: TestStack;
  let d: TestStack;
  beforeAll(async () => {
    // behind a proxy: the client address comes from X-Forwarded-For, so the test can play several IPs
    const trustProxy = process.env.TRUST_PROXY;
    process.env.TRUST_PROXY = 'true';
    try {
      const env = { USER_RATE_PER_MIN: '4' };
      c = await startTestStack('ratelimit-ip-c', { clock, reuseConnection: true, env });
      d = await startTestStack('ratelimit-ip-d', { clock, reuseConnection: true, env });
    } finally {
      if (trustProxy === undefined) delete process.env.TRUST_PROXY;
      else process.env.TRUST_PROXY = trustProxy;
    }
  });
  afterAll(async () => {
    await c.stop();
    await d.stop();
  });
  const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

  test('count per IP across instances; another IP keeps its budget; WeChat Pay callbacks are not limited', async () => {
    const statuses = [];
    for (const stack of [c, d, c, d]) statuses.push((await stack.request('GET', '/health', from('203.0.113.7'))).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    expectLimited(await c.request('GET', '/health', from('203.0.113.7')));
    expectLimited(await d.request('GET', '/venues', from('203.0.113.7')));
    expect((await d.request('GET', '/health', from('203.0.113.8'))).status).toBe(200);
    // this stack has no WeChat Pay, so the callback route is absent: 404, not 429
    const callback = await c.request('POST', '/payments/wechat/notify', { ...from('203.0.113.7'), body: {} });
    expect([callback.status, callback.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });
});
