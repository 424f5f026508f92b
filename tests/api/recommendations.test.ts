/**
 * 为你推荐 (issue 15, part 4) on the seeded demo: two citizens with different histories get
 * different lists, each item's reason says why it was picked and is true of the item; booked, past
 * and full things are left out; with personalisation off both get the identical list; the
 * preferences endpoint and a bad-input sweep.
 */
import mongoose, { Types } from 'mongoose';
import type { RecommendationService } from '../../cloud/src/modules/recommendation';
import { ManualClock } from '../../cloud/src/platform/clock';
import type { DatacentreService } from '../../cloud/src/modules/datacentre';
import { seedDemoData } from '../../mock/src/seed/seed';
import { startTestStack, type TestStack } from '../support/stack';

interface Item {
  kind: string;
  id: string;
  title: string;
  subtitle: string;
  reason: string;
  startsAt?: string;
  distanceM?: number;
  path: string;
}
const clock = new ManualClock(new Date());
let stack: TestStack;
let a: { token: string; userId: string }; // 王小明: badminton in 姑苏区, weak flexibility
let b: { token: string; userId: string }; // 李晓红: 健身课 in 吴中区, weak heart and lungs
const recs = async (token: string, query = '') => {
  const res = await stack.request('GET', `/me/recommendations${query}`, { token });
  expect(res.status).toBe(200);
  return res.body as { items: Item[]; personalised: boolean };
};
const shanghaiDay = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(iso));

beforeAll(async () => {
  stack = await startTestStack('recommendations', { clock });
  await seedDemoData(stack.cloud.services);
  // other citizens' bookings of a free class, rolled up by the data centre: what "近期热门" counts
  const wuzhong = (await stack.request('GET', '/venues?district=吴中区')).body.items[0].id;
  const now = clock.now().getTime();
  let slot: { id: string } | undefined;
  for (let d = 1; d <= 3 && !slot; d++)
    slot = (
      await stack.request('GET', `/venues/${wuzhong}/slots?date=${shanghaiDay(new Date(now + d * 86_400_000).toISOString())}&sport=fitness`)
    ).body.items.find(
      (x: { priceFen: number; status: string; remaining: number }) => x.priceFen === 0 && x.status === 'open' && x.remaining > 3,
    );
  for (const u of await stack.loginMany('rec-other', 3))
    expect((await stack.request('POST', '/bookings', { token: u.token, body: { slotIds: [slot!.id] } })).status).toBe(201);
  const dc = stack.cloud.modules.get('datacentre') as DatacentreService;
  for (let i = 0; i < 20; i++) if ((await dc.rollups.run()).applied === 0) break;
  a = await stack.login('demo-citizen');
  b = await stack.login('demo-citizen-2');
}, 90_000);
afterAll(() => stack.stop());

test('two seeded citizens get different lists, each reason true of its item', async () => {
  const [la, lb] = [await recs(a.token), await recs(b.token)];
  expect(la.personalised).toBe(true);
  expect(lb.personalised).toBe(true);
  for (const l of [la, lb]) {
    expect(l.items.length).toBeGreaterThanOrEqual(4);
    expect(l.items.length).toBeLessThanOrEqual(10);
    expect(new Set(l.items.map((i) => i.kind)).size).toBeGreaterThanOrEqual(2); // mixed, not all one kind
    for (const i of l.items) {
      expect(i.reason.trim().length).toBeGreaterThan(0);
      expect(new Date(i.startsAt!).getTime()).toBeGreaterThan(clock.now().getTime()); // nothing past
    }
  }
  expect(la.items.map((i) => `${i.kind}:${i.id}`)).not.toEqual(lb.items.map((i) => `${i.kind}:${i.id}`));

  // his history is past, used bookings in 我的预订 (no slot or limit held today)
  const past = await stack.request('GET', '/bookings/mine?status=past&limit=50', { token: a.token });
  expect(past.status).toBe(200);
  expect(past.body.items.filter((x: { sport: string; status: string }) => x.sport === 'badminton' && x.status === 'used').length).toBe(8);
  expect((await stack.request('GET', '/bookings/mine?status=active', { token: a.token })).body.items).toEqual([]);

  // the badminton player: a venue for 羽毛球 with a free badminton slot at the time the reason names
  const venue = la.items.find((i) => i.kind === 'venue' && i.reason.includes('你常打羽毛球'))!;
  expect(venue).toBeDefined();
  expect(venue.subtitle).toContain('羽毛球');
  const slots = await stack.request('GET', `/venues/${venue.id}/slots?date=${shanghaiDay(venue.startsAt!)}`);
  const free = slots.body.items.filter(
    (s: { sport: string; startAt: string; remaining: number }) =>
      s.sport === 'badminton' && s.startAt === venue.startsAt && s.remaining > 0,
  );
  expect(free.length).toBeGreaterThan(0);
  expect(new Date(venue.startsAt!).getTime() - clock.now().getTime()).toBeLessThan(3 * 86_400_000);
  // his weak flexibility → a stretching-type session (太极拳/八段锦/瑜伽), said so
  const stretch = la.items.find((i) => i.kind === 'guidance' && i.reason.includes('柔韧性测试偏弱'));
  expect(stretch?.reason).toMatch(/太极拳|八段锦|瑜伽/);
  // his district (from his bookings) → the 姑苏区 run, with its deadline
  const run = la.items.find((i) => i.kind === 'event' && i.reason.startsWith('你所在的姑苏区'));
  expect(run?.subtitle).toContain('姑苏区');
  expect(run?.reason).toMatch(/报名截止 \d+月\d+日/);

  // 李晓红: nothing about badminton; her 健身课 venue and her heart-lung result
  expect(lb.items.some((i) => i.reason.includes('羽毛球'))).toBe(false);
  expect(lb.items.find((i) => i.kind === 'venue')?.reason).toContain('你常上健身课');
  const cardio = lb.items.find((i) => i.kind === 'guidance' && /心肺耐力|肺活量/.test(i.reason));
  expect(cardio?.reason).toMatch(/健步走|广场舞|健身操/);
  // courses open for enrolment: his sport or district or age range, never one past its enrolment window
  const course = [...la.items, ...lb.items].find((i) => i.kind === 'course');
  expect(course).toBeDefined();
  const detail = (await stack.request('GET', `/courses/${course!.id}`)).body.course;
  expect(new Date(detail.enrolClosesAt).getTime()).toBeGreaterThan(clock.now().getTime());
  expect(course!.reason).toMatch(/^(你常|在你所在的|符合报名年龄)/);
  // her age (from her fitness report: no ID on her account) is not claimed anywhere
  expect(lb.items.some((i) => i.reason.includes('岁'))).toBe(false);
});

test('a location gives distances; full things and sessions signed up for are left out', async () => {
  const near = await recs(a.token, '?lat=31.2988&lng=120.5862'); // at 苏州市体育中心
  const home = near.items.find((i) => i.title === '苏州市体育中心')!;
  expect(home.distanceM).toBeLessThan(100);
  expect(home.reason).toMatch(/距你 \d+ m/);

  // fill every badminton court at the recommended hour: the venue's item moves to a later free hour
  const day = shanghaiDay(home.startsAt!);
  const slots = await stack.request('GET', `/venues/${home.id}/slots?date=${day}`);
  for (const s of slots.body.items.filter(
    (x: { sport: string; startAt: string }) => x.sport === 'badminton' && x.startAt === home.startsAt,
  ))
    expect(await stack.cloud.kernel.capacity.take('slot', new Types.ObjectId(s.id), s.remaining, { holder: `test-fill-${s.id}` })).toBe(
      true,
    );
  const after = (await recs(a.token, '?lat=31.2988&lng=120.5862')).items.find((i) => i.id === home.id);
  if (after) expect(new Date(after.startsAt!).getTime()).toBeGreaterThan(new Date(home.startsAt!).getTime());

  // a full session disappears; a session she signed up for disappears
  const before = await recs(b.token);
  const [g1, g2] = before.items.filter((i) => i.kind === 'guidance');
  const session = (await stack.request('GET', `/guidance/sessions/${g1.id}`)).body.session;
  expect(
    await stack.cloud.kernel.capacity.take('guidance_session', new Types.ObjectId(g1.id), session.remaining, { holder: 'test-fill' }),
  ).toBe(true);
  const signed = await stack.request('POST', `/guidance/sessions/${g2.id}/signups`, { token: b.token, body: {} });
  expect(signed.status).toBeLessThan(300);
  const ids = (await recs(b.token)).items.map((i) => i.id);
  expect(ids).not.toContain(g1.id);
  expect(ids).not.toContain(g2.id);
});

test('personalisation off: the identical list for both, not based on them; audited; back on', async () => {
  for (const u of [a, b]) {
    const put = await stack.request('PUT', '/me/preferences', { token: u.token, body: { personalisation: false } });
    expect(put.status).toBe(200);
    expect(put.body.preferences).toEqual({ personalisation: false });
    expect((await stack.request('GET', '/me/preferences', { token: u.token })).body.preferences).toEqual({ personalisation: false });
  }
  const [la, lb, withLocation] = [await recs(a.token), await recs(b.token), await recs(a.token, '?lat=31.30&lng=120.59')];
  expect(la.personalised).toBe(false);
  expect(la).toEqual(lb);
  expect(withLocation).toEqual(la); // the location is a personal characteristic too
  expect(la.items.length).toBeGreaterThanOrEqual(3);
  for (const i of la.items) {
    expect(i.reason).not.toContain('你');
    expect(i.distanceM).toBeUndefined();
  }
  expect(la.items.some((i) => i.reason.startsWith('近期热门'))).toBe(true); // the data-centre rollup of the seeded bookings

  const admin = await stack.login('demo-admin');
  const audit = await stack.request('GET', '/admin/audit?limit=50', { token: admin.token });
  const rows = audit.body.items.filter((r: { action: string }) => r.action === 'preferences.update');
  expect(rows.length).toBe(2);

  await stack.request('PUT', '/me/preferences', { token: a.token, body: { personalisation: true } });
  expect((await recs(a.token)).personalised).toBe(true);
  await stack.request('PUT', '/me/preferences', { token: b.token, body: { personalisation: true } });
});

test('bad input → 400 with a stable code and nothing written; no token → 401', async () => {
  const admin = await stack.login('demo-admin');
  const auditCount = async () =>
    (await stack.request('GET', '/admin/audit?limit=100', { token: admin.token })).body.items.filter(
      (r: { action: string }) => r.action === 'preferences.update',
    ).length;
  const audits = await auditCount();
  const bodies: unknown[] = [
    {},
    { personalisation: 'false' },
    { personalisation: 0 },
    { personalisation: null },
    { personalisation: { $ne: true } },
    { $set: { personalisation: false } },
    { personalisation: false, extra: 'x' },
    { personalisation: false, nickname: 'x'.repeat(100_000) },
    [false],
    'false',
  ];
  for (const body of bodies) {
    const res = await stack.request('PUT', '/me/preferences', { token: a.token, body });
    expect([400, 413]).toContain(res.status);
    if (res.status === 400) expect(['VALIDATION_FAILED', 'BAD_JSON']).toContain(res.body.error.code); // a bare JSON string is no object
  }
  expect((await stack.request('GET', '/me/preferences', { token: a.token })).body.preferences).toEqual({ personalisation: true });
  expect(await auditCount()).toBe(audits);

  const queries = [
    '?lat=abc&lng=120.5',
    '?lat=91&lng=120.5',
    '?lat=31.3&lng=181',
    '?lat=31.3',
    '?lng=120.5',
    '?lat=&lng=',
    '?lat=31.3&lat=31.4&lng=120.5',
    '?lat[$gt]=0&lng=120.5',
    `?lat=${'1'.repeat(5000)}&lng=120.5`,
    '?lat=1e2&lng=1',
    '?personalised=false',
  ];
  for (const q of queries) {
    const res = await stack.request('GET', `/me/recommendations${q}`, { token: a.token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  }
  for (const [method, path] of [
    ['GET', '/me/recommendations'],
    ['GET', '/me/preferences'],
    ['PUT', '/me/preferences'],
  ] as const) {
    const res = await stack.request(method, path, method === 'PUT' ? { body: { personalisation: false } } : {});
    expect(res.status).toBe(401);
  }
});

test('one answer is a handful of batched queries, the same number for a long history as for none', async () => {
  const service = stack.cloud.modules.get('recommendation') as RecommendationService;
  const count = async (userId: string) => {
    let n = 0;
    mongoose.set('debug', () => void n++);
    try {
      await service.recommend(userId, { lat: 31.3, lng: 120.6 });
    } finally {
      mongoose.set('debug', false);
    }
    return n;
  };
  const fresh = await stack.login('rec-newcomer');
  const [forA, forNew] = [await count(a.userId), await count(fresh.userId)];
  expect(forA).toBeLessThanOrEqual(15);
  expect(forA).toBe(forNew); // no query per booking, slot, session or event
});
