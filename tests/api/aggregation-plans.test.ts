/**
 * Issue 17 item 7: each department's yearly data aggregation plan (数据汇聚计划, Chongqing 第二十三条)
 * — CRUD by bureau admins, validated — and the dashboard's delivered against plan per month, where
 * delivered counts the events the feed actually delivered to the data-centre stand-in.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { createJobRunner, type JobSpec } from '../../cloud/src/platform/jobs';
import { createLogger } from '../../cloud/src/platform/logger';
import { emit } from '../../cloud/src/platform/outbox';
import { createPseudonymizer } from '../../cloud/src/platform/pseudonym';
import { startDataCentreReceiver } from '../../mock/src/datacentre/receiver';
import { startTestStack, grant, type TestStack } from '../support/stack';

const clock = new ManualClock(new Date('2027-02-10T02:00:00Z'));
const SECRET = 'test-datacentre-secret-0123456789abcdef';
let stack: TestStack;
let dc: Awaited<ReturnType<typeof startDataCentreReceiver>>;
let feedJob: JobSpec;
type U = { token: string; userId: string };
let admin: U;
let citizen: U;
const runner = createJobRunner({ clock, logger: createLogger('silent') });
const pseudo = createPseudonymizer('p'.repeat(32));
const plans = () => mongoose.connection.db!.collection('datacentre_plans');

const plan = (over: Record<string, unknown> = {}) => ({
  year: 2027,
  department: '群众体育处',
  line: '场馆服务',
  items: [
    { eventType: 'booking.used', perMonth: [40, 30, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40] },
    { eventType: 'user.registered', perYear: 1202 },
  ],
  note: '年初报送',
  ...over,
});

beforeAll(async () => {
  dc = await startDataCentreReceiver({ secret: SECRET });
  stack = await startTestStack('aggplans', {
    clock,
    env: { DATA_CENTRE_URL: dc.url, DATA_CENTRE_SECRET: SECRET, DATA_CENTRE_BATCH_SIZE: '50' },
  });
  feedJob = stack.cloud.jobs.find((j) => j.name === 'datacentre-feed')!;
  admin = await stack.login('ap-admin');
  await grant(stack, admin.userId, 'admin');
  citizen = await stack.login('ap-citizen');
}, 120_000);
afterAll(async () => {
  await stack.stop();
  await dc.stop();
});

let seq = 0;
async function emitUsed(n: number) {
  for (let i = 0; i < n; i++) {
    const bookingId = (++seq).toString(16).padStart(24, '0');
    await emit(
      'booking.used',
      {
        subject: pseudo(`u${seq}`),
        bookingId,
        venueId: 'a'.repeat(24),
        resourceId: 'b'.repeat(24),
        sport: 'badminton',
        day: '2027-01-20',
        startAt: '2027-01-20T10:00:00.000Z',
        quantity: 1,
        amountFen: 0,
      },
      { eventId: `booking.used:${bookingId}` },
    );
  }
}
async function deliverAll() {
  for (let i = 0; i < 20; i++) {
    await runner.runOnce(feedJob);
    const pending = await mongoose.connection.db!.collection('outbox').countDocuments({ deliveredAt: null });
    if (pending === 0) return;
  }
  throw new Error('feed did not deliver');
}

describe('CRUD', () => {
  let planId: string;

  test('an admin records a plan: perYear spread over the months; the write is audited', async () => {
    const res = await stack.request('POST', '/admin/aggregation-plans', { token: admin.token, body: plan() });
    expect(res.status).toBe(201);
    planId = res.body.plan.id;
    expect(res.body.plan).toMatchObject({ year: 2027, department: '群众体育处', line: '场馆服务', note: '年初报送' });
    const perYear = res.body.plan.items[1].perMonth as number[];
    expect(perYear).toHaveLength(12);
    expect(perYear.reduce((a, b) => a + b, 0)).toBe(1202);
    expect(perYear.slice(0, 3)).toEqual([101, 101, 100]);
    const audit = await stack.request('GET', '/admin/audit?limit=5', { token: admin.token });
    expect(audit.body.items.find((e: { action: string }) => e.action === 'datacentre.plan.create')).toMatchObject({
      actorId: admin.userId,
    });
  });

  test('one plan per department and year; list, read, update, delete', async () => {
    const dup = await stack.request('POST', '/admin/aggregation-plans', { token: admin.token, body: plan({ line: '另一条线' }) });
    expect([dup.status, dup.body.error?.code]).toEqual([409, 'AGGREGATION_PLAN_EXISTS']);
    const other = await stack.request('POST', '/admin/aggregation-plans', {
      token: admin.token,
      body: plan({ department: '青少年体育处', line: '培训', items: [{ eventType: 'course.enrolled', perYear: 120 }] }),
    });
    expect(other.status).toBe(201);
    const list = await stack.request('GET', '/admin/aggregation-plans?year=2027', { token: admin.token });
    expect(list.body.items.map((p: { department: string }) => p.department).sort()).toEqual(['群众体育处', '青少年体育处']);
    expect((await stack.request('GET', '/admin/aggregation-plans?year=2026', { token: admin.token })).body.items).toEqual([]);

    const got = await stack.request('GET', `/admin/aggregation-plans/${planId}`, { token: admin.token });
    expect(got.body.plan.id).toBe(planId);
    const renamed = await stack.request('PUT', `/admin/aggregation-plans/${planId}`, {
      token: admin.token,
      body: plan({ line: '场馆服务与全民健身' }),
    });
    expect([renamed.status, renamed.body.plan.line]).toEqual([200, '场馆服务与全民健身']);
    const clash = await stack.request('PUT', `/admin/aggregation-plans/${planId}`, {
      token: admin.token,
      body: plan({ department: '青少年体育处' }),
    });
    expect([clash.status, clash.body.error?.code]).toEqual([409, 'AGGREGATION_PLAN_EXISTS']);

    const del = await stack.request('DELETE', `/admin/aggregation-plans/${other.body.plan.id}`, { token: admin.token });
    expect(del.status).toBe(200);
    const gone = await stack.request('GET', `/admin/aggregation-plans/${other.body.plan.id}`, { token: admin.token });
    expect([gone.status, gone.body.error?.code]).toEqual([404, 'AGGREGATION_PLAN_NOT_FOUND']);
    const again = await stack.request('DELETE', `/admin/aggregation-plans/${other.body.plan.id}`, { token: admin.token });
    expect([again.status, again.body.error?.code]).toEqual([404, 'AGGREGATION_PLAN_NOT_FOUND']);
  });

  test('delivered against plan per month counts what the feed actually delivered, by month of delivery', async () => {
    // January: 12 used bookings emitted and delivered (the logins above registered 2 users, delivered too)
    clock.set(new Date('2027-01-15T02:00:00Z'));
    await emitUsed(12);
    await deliverAll();
    // February: 5 more, only 3 of them delivered so far
    clock.set(new Date('2027-02-10T02:00:00Z'));
    await emitUsed(5);
    const outbox = mongoose.connection.db!.collection('outbox');
    const held = await outbox.find({ deliveredAt: null }).sort({ occurredAt: -1 }).limit(2).toArray();
    await outbox.updateMany({ _id: { $in: held.map((e) => e._id) } }, { $set: { quarantinedAt: new Date() } });
    await runner.runOnce(feedJob);

    const res = await stack.request('GET', '/admin/dashboard/aggregation?year=2027', { token: admin.token });
    expect(res.status).toBe(200);
    const mine = res.body.plans.find((p: { planId: string }) => p.planId === planId);
    const used = mine.items.find((i: { eventType: string }) => i.eventType === 'booking.used');
    expect(used.delivered.slice(0, 3)).toEqual([12, 3, 0]);
    expect(used.expected.slice(0, 2)).toEqual([40, 30]);
    expect(used.deliveredTotal).toBe(15);
    const registered = mine.items.find((i: { eventType: string }) => i.eventType === 'user.registered');
    // the receiver holds what was delivered: the dashboard agrees with it
    const atReceiver = dc.receiver.events();
    expect(used.deliveredTotal).toBe(atReceiver.filter((e) => e.type === 'booking.used').length);
    expect(registered.deliveredTotal).toBe(atReceiver.filter((e) => e.type === 'user.registered').length);
    expect(mine.delivered[0]).toBe(12 + registered.delivered[0]);
    // two months so far: (12 + 3 + registrations) against (40 + 30 + 101 + 101)
    expect(mine.percent).toBe(Math.round(((15 + registered.deliveredTotal) / 272) * 1000) / 10);
  });
});

describe('bad input and wrong callers', () => {
  const base = plan();
  test.each([
    ['missing year', { ...base, year: undefined }],
    ['year as string', { ...base, year: '2027' }],
    ['year out of range', { ...base, year: 1999 }],
    ['missing department', { ...base, department: undefined }],
    ['empty line', { ...base, line: ' ' }],
    ['huge department', { ...base, department: '处'.repeat(5000) }],
    ['huge note', { ...base, note: 'x'.repeat(3000) }],
    ['no items', { ...base, items: [] }],
    ['unknown event type', { ...base, items: [{ eventType: 'user.phone', perYear: 1 }] }],
    ['both perMonth and perYear', { ...base, items: [{ eventType: 'booking.used', perYear: 1, perMonth: Array(12).fill(1) }] }],
    ['neither perMonth nor perYear', { ...base, items: [{ eventType: 'booking.used' }] }],
    ['eleven months', { ...base, items: [{ eventType: 'booking.used', perMonth: Array(11).fill(1) }] }],
    ['negative volume', { ...base, items: [{ eventType: 'booking.used', perYear: -5 }] }],
    ['fractional volume', { ...base, items: [{ eventType: 'booking.used', perYear: 1.5 }] }],
    ['volume as string', { ...base, items: [{ eventType: 'booking.used', perYear: '100' }] }],
    [
      'duplicate event type',
      {
        ...base,
        items: [
          { eventType: 'booking.used', perYear: 1 },
          { eventType: 'booking.used', perYear: 2 },
        ],
      },
    ],
    ['$-operator department', { ...base, department: { $ne: null } }],
    ['$-operator event type', { ...base, items: [{ eventType: { $gt: '' }, perYear: 1 }] }],
    ['extra field', { ...base, updatedBy: 'x' }],
    ['array body', [base]],
  ])('create with %s → 400 VALIDATION_FAILED, nothing written', async (_label, body) => {
    const before = await plans().countDocuments();
    const res = await stack.request('POST', '/admin/aggregation-plans', { token: admin.token, body });
    expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await plans().countDocuments()).toBe(before);
  });

  test('bad ids, bad years, unknown plans', async () => {
    for (const id of ['nope', encodeURIComponent('{"$ne":null}'), 'a'.repeat(3000), '__proto__']) {
      const r = await stack.request('GET', `/admin/aggregation-plans/${id}`, { token: admin.token });
      expect([id.slice(0, 10), r.status, r.body.error?.code]).toEqual([id.slice(0, 10), 400, 'VALIDATION_FAILED']);
    }
    const unknown = await stack.request('PUT', '/admin/aggregation-plans/0123456789abcdef01234567', {
      token: admin.token,
      body: plan({ department: '竞技体育处' }),
    });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'AGGREGATION_PLAN_NOT_FOUND']);
    for (const q of ['', '?year=abc', '?year=1999', '?year[$gt]=1', '?year=2027&x=1']) {
      const r = await stack.request('GET', `/admin/dashboard/aggregation${q}`, { token: admin.token });
      expect([q, r.status, r.body.error?.code]).toEqual([q, 400, 'VALIDATION_FAILED']);
    }
  });

  test('non-admin callers are refused and write nothing', async () => {
    const [planId] = (await plans().find().toArray()).map((p) => String(p._id));
    const before = await plans().find().toArray();
    for (const [token, status, code] of [
      [undefined, 401, 'UNAUTHENTICATED'],
      [citizen.token, 403, 'FORBIDDEN'],
    ] as const) {
      for (const [method, path, body] of [
        ['GET', '/admin/aggregation-plans', undefined],
        ['POST', '/admin/aggregation-plans', plan({ department: '越权处' })],
        ['GET', `/admin/aggregation-plans/${planId}`, undefined],
        ['PUT', `/admin/aggregation-plans/${planId}`, plan({ department: '越权处' })],
        ['DELETE', `/admin/aggregation-plans/${planId}`, undefined],
        ['GET', '/admin/dashboard/aggregation?year=2027', undefined],
      ] as const) {
        const r = await stack.request(method, path, { token, body });
        expect([method, path, r.status, r.body.error?.code]).toEqual([method, path, status, code]);
      }
    }
    expect(await plans().find().toArray()).toEqual(before);
  });
});
