/**
 * Issue 18, item 6: a fuzz and authorization matrix over every route of the router.
 *
 * The routes come from the app itself (`cloud.routes`), so a route added later is walked without
 * editing this file. Each is called as every kind of caller with bogus path ids, `$`-operator ids,
 * huge ids and prototype keys; with bodies built from the key names of every shared schema (wrong
 * types, `$` operators, huge strings), malformed JSON and prototype pollution; and with junk query
 * strings. Every answer is < 500 and every refusal carries a stable code; a route all of whose
 * answers were refusals wrote nothing; nothing injected reached the database or Object.prototype.
 *
 * The BOLA matrix (resource × role × owner) puts the real id of someone else's thing into every
 * route that takes it, as every role that does not own it: none succeeds and nothing changes, and
 * the owner reads it (so the ids are real). The table is the one in docs/security.md: run with
 * UPDATE_DOCS=1 to rewrite it after a route change.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as shared from '@citysport/shared';
import { ERRORS } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { snapshotDatabase } from '../support/db';
import { eventInput, idNumber, openEvent, participant } from '../support/event-fixture';
import { createTestStation, dayAhead } from '../support/fitness-fixture';
import { PLACE, verifiedInstructor } from '../support/guidance-fixture';
import { payAndConfirm } from '../support/pay';
import { grant, startTestStack, type ApiResponse, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';
import { application } from './clubs-support';

jest.setTimeout(600_000);

const clock = new ManualClock(new Date('2027-01-10T02:00:00Z'));
type User = { token: string; userId: string };
let stack: TestStack;
let owner: User; // every scoped role on the first venue, club and station; organiser of the event
let citizenA: User; // owns the private things
let citizenB: User;
let admin: User;
const others: Record<string, User> = {};
const real: Record<string, string> = {};
const DOC = path.resolve(__dirname, '../../docs/security.md');

beforeAll(async () => {
  stack = await startTestStack('fuzz', { clock, wechatPay: { signMode: 'public_key' } });
  [owner, citizenA, citizenB, admin] = await Promise.all(
    ['fz-owner', 'fz-citizen-a', 'fz-citizen-b', 'fz-admin'].map((o) => stack.login(o)),
  );
  await grant(stack, admin.userId, 'admin');

  const v1 = await createTestVenue(stack, { name: '模糊测试甲馆', courtPriceFen: 3000 });
  const v2 = await createTestVenue(stack, { name: '模糊测试乙馆' });
  const day = daysAhead(clock, 2);
  const st1 = await createTestStation(stack, { name: '模糊测试甲站', day: dayAhead(clock, 3) });
  const st2 = await createTestStation(stack, { name: '模糊测试乙站', day: dayAhead(clock, 3) });
  for (const role of ['staff', 'venue_manager'] as const) await grant(stack, owner.userId, role, v1.venueId);
  await grant(stack, owner.userId, 'fitness_staff', st1.station.id);
  await grant(stack, owner.userId, 'organiser');

  const applyClub = async (founder: User) => {
    const applied = await stack.request('POST', '/clubs', { token: founder.token, body: application() });
    const id = applied.body.club.id as string;
    const reviewed = await stack.request('POST', `/admin/clubs/${id}/review`, {
      token: admin.token,
      body: { approved: true, reason: '材料齐全' },
    });
    if (reviewed.status !== 200) throw new Error(`club review ${reviewed.status}`);
    return id;
  };
  const clubId = await applyClub(owner);

  // the other roles: each holds its role somewhere else
  for (const o of ['staff', 'manager', 'organiser', 'club', 'fitness']) others[o] = await stack.login(`fz-other-${o}`);
  await grant(stack, others.staff.userId, 'staff', v2.venueId);
  await grant(stack, others.manager.userId, 'venue_manager', v2.venueId);
  await grant(stack, others.organiser.userId, 'organiser');
  await grant(stack, others.fitness.userId, 'fitness_staff', st2.station.id);
  await applyClub(others.club);
  others.instructor = await verifiedInstructor(stack, 'fz-instructor', admin);

  // citizen A's private things: a paid booking (order, ticket), an event registration, a guidance request, a club membership
  const [slot] = await slotsOf(v1.courtId, day);
  const booked = await stack.request('POST', '/bookings', { token: citizenA.token, body: { slotIds: [slot.id] } });
  if (booked.status !== 201) throw new Error(`booking ${booked.status} ${JSON.stringify(booked.body)}`);
  await payAndConfirm(stack, citizenA.token, booked.body.booking.orderId);
  const tickets = await stack.request('GET', '/tickets/mine', { token: citizenA.token });
  const ev = await openEvent(
    stack,
    owner,
    eventInput({}, [{ name: '5公里', distanceKm: 5, capacity: 50, feeFen: 0, eligibility: { minAge: 18 } }]),
  );
  const reg = await stack.request('POST', `/events/${ev.id}/registrations`, {
    token: citizenA.token,
    body: { groupId: ev.groups[0].id, participant: participant(idNumber('1990-01-01', 7)), healthPledge: true, pledgeVersion: 'v1' },
  });
  if (reg.status !== 201) throw new Error(`registration ${reg.status} ${JSON.stringify(reg.body)}`);
  const start = new Date(clock.now().getTime() + 5 * 86_400_000);
  const request = await stack.request('POST', '/guidance/requests', {
    token: citizenA.token,
    body: {
      organisation: { name: '沧浪街道双塔社区', kind: 'community' },
      sport: 'taichi',
      district: '姑苏区',
      place: { name: '双塔社区活动中心', address: '姑苏区定慧寺巷28号', location: PLACE },
      startAt: start.toISOString(),
      endAt: new Date(start.getTime() + 3600_000).toISOString(),
      groupSize: 20,
    },
  });
  if (request.status !== 201) throw new Error(`guidance request ${request.status} ${JSON.stringify(request.body)}`);
  const joined = await stack.request('POST', `/clubs/${clubId}/join`, { token: citizenA.token, body: {} });
  if (joined.status !== 201) throw new Error(`join ${joined.status} ${JSON.stringify(joined.body)}`);

  Object.assign(real, {
    venueId: v1.venueId,
    resourceId: v1.courtId,
    slotId: (await slotsOf(v1.courtId, day))[1].id,
    stationId: st1.station.id,
    clubId,
    eventId: ev.id,
    bookingId: booked.body.booking.id,
    orderId: booked.body.booking.orderId,
    ticketId: tickets.body.items[0].id,
    registrationId: reg.body.registration.id,
    requestId: request.body.request.id,
    userId: citizenA.userId,
    instructorId: others.instructor.userId,
    date: day,
  });
}, 300_000);
afterAll(() => stack?.stop());

const BOGUS_ID = '0123456789abcdef01234567';
/** what goes into a path parameter: a well-formed id of nothing, an operator, a huge one, a prototype key */
const PATH_VARIANTS = [BOGUS_ID, encodeURIComponent('{"$ne":null}'), '%24where', 'a'.repeat(3000), '__proto__', 'constructor'];
const QUERY_VARIANTS = [
  `?limit=-1&cursor=${encodeURIComponent('{"$gt":""}')}&date=2026-02-30&status=%24ne&q=${'字'.repeat(500)}&lat=abc&lng=999&format=exe&from=x&to=y`,
  '?limit=100000000&status=a&status=b&date[$ne]=1&cursor=%00&sport[]=x&page=NaN',
];

/** every top-level key of every object schema exported by the shared package */
function schemaKeys(): string[] {
  const keys = new Set<string>();
  const walk = (s: any, depth: number) => {
    const def = s?._zod?.def;
    if (!def || depth > 4) return;
    if (def.type === 'object') for (const k of Object.keys(def.shape)) keys.add(k);
    for (const inner of [def.innerType, def.in, def.out, def.left, def.right]) walk(inner, depth + 1);
    for (const o of def.options ?? []) walk(o, depth + 1);
  };
  for (const value of Object.values(shared)) walk(value, 0);
  return [...keys].sort();
}

function bodyVariants(): { name: string; raw: string }[] {
  const keys = schemaKeys();
  const every = (v: unknown) => JSON.stringify(Object.fromEntries(keys.map((k) => [k, v])));
  return [
    { name: 'missing fields', raw: '{}' },
    { name: 'array', raw: '[]' },
    { name: 'string', raw: '"字符串"' },
    { name: 'null', raw: 'null' },
    { name: 'malformed', raw: '{"a":' },
    { name: 'operators', raw: every({ $ne: null }) },
    { name: '$where', raw: '{"$where":"sleep(1000)","$gt":"","$set":{"role":"admin"}}' },
    { name: 'wrong type: number', raw: every(123456.5) },
    { name: 'wrong type: boolean', raw: every(true) },
    { name: 'wrong type: array', raw: every([{ $gt: '' }]) },
    { name: 'huge strings', raw: every('x'.repeat(2000)) },
    { name: 'one huge string', raw: JSON.stringify({ reason: 'x'.repeat(3_000_000) }) },
    {
      name: 'prototype keys',
      raw: '{"__proto__":{"polluted":true,"roles":["admin"],"isAdmin":true},"constructor":{"prototype":{"polluted":true}}}',
    },
  ];
}

const HAS_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const params = (p: string) => [...p.matchAll(/:(\w+)/g)].map((m) => m[1]);
const fill = (p: string, values: Record<string, string>) =>
  p.replace(/:(\w+)/g, (_, name: string) => values[name] ?? BOGUS_ID).replace(/^\/api\/v1/, '');

interface Outcome {
  method: string;
  path: string;
  caller: string;
  variant: string;
  res: ApiResponse;
}

function refusalProblem(o: Outcome): string | null {
  if (o.res.status >= 500) return `${o.res.status}`;
  if (o.res.status < 400) return null;
  const code = o.res.body?.error?.code;
  if (typeof code !== 'string' || !(code in ERRORS))
    return `${o.res.status} without a stable code: ${String(JSON.stringify(o.res.body)).slice(0, 120)}`;
  if (ERRORS[code as keyof typeof ERRORS] !== o.res.status) return `${code} answered ${o.res.status}`;
  return null;
}

// ---------------------------------------------------------------- BOLA matrix

/** who may hold a role but does not own the thing, in the table's order */
const ROLES_ZH: [string, () => User | undefined][] = [
  ['游客（未登录）', () => undefined],
  ['其他市民', () => citizenB],
  ['他馆工作人员', () => others.staff],
  ['他馆管理员', () => others.manager],
  ['其他主办方', () => others.organiser],
  ['其他社团负责人', () => others.club],
  ['其他体测站工作人员', () => others.fitness],
  ['体育指导员', () => others.instructor],
];

/** resources, the parameter their id goes into, the routes that count, and who owns them */
const RESOURCES: { name: string; param: string; owner: () => User; routes?: RegExp }[] = [
  { name: '场地预订 booking', param: 'bookingId', owner: () => citizenA },
  { name: '订单 order', param: 'orderId', owner: () => citizenA },
  { name: '电子票 ticket', param: 'ticketId', owner: () => citizenA },
  { name: '赛事报名 registration', param: 'registrationId', owner: () => citizenA },
  { name: '指导需求 guidance request', param: 'requestId', owner: () => citizenA },
  { name: '社团成员 membership', param: 'userId', owner: () => owner, routes: /^\w+ \/clubs\/:clubId\/members\/:userId/ },
  { name: '场馆管理 venue', param: 'venueId', owner: () => owner, routes: /^\w+ \/manage\// },
  { name: '场地模板 resource', param: 'resourceId', owner: () => owner, routes: /^\w+ \/manage\// },
  { name: '时段 slot', param: 'slotId', owner: () => owner, routes: /^\w+ \/manage\// },
  { name: '赛事管理 event', param: 'eventId', owner: () => owner, routes: /^\w+ \/organiser\// },
  {
    name: '社团管理 club',
    param: 'clubId',
    owner: () => owner,
    routes:
      /^(GET|POST) \/clubs\/:clubId\/(members|dues\/ledger)|^POST \/clubs\/:clubId\/(activities|announcements|checkins)|^PATCH \/clubs\/:clubId$/,
  },
  { name: '体测站 station', param: 'stationId', owner: () => owner, routes: /^\w+ \/fitness-tests\/stations\/:stationId\/entries/ },
];

/** not someone else's thing by design: skipped, and listed under the table */
const BY_DESIGN: Record<string, string> = {
  '体育指导员 POST /instructor/requests/:requestId/accept': '接单：已认证的指导员可接受开放中的指导需求（指导员选配流程的一部分）',
};

test('BOLA: nobody but the owner (or the bureau) gets someone else’s thing by its id, and nothing changes', async () => {
  const routes = stack.cloud.routes.map((r) => ({ ...r, path: r.path.replace(/^\/api\/v1/, '') }));
  const before = await snapshotDatabase();
  const rows: { resource: (typeof RESOURCES)[number]; matching: { method: string; path: string }[]; cells: string[] }[] = [];
  const successes: string[] = [];
  let calls = 0;
  for (const resource of RESOURCES) {
    const matching = routes.filter(
      (r) => params(r.path).includes(resource.param) && (!resource.routes || resource.routes.test(`${r.method} ${r.path}`)),
    );
    expect([resource.name, matching.length > 0]).toEqual([resource.name, true]);
    const cells: string[] = [];
    for (const [roleZh, who] of ROLES_ZH) {
      const statuses = new Map<number, number>();
      for (const r of matching) {
        if (BY_DESIGN[`${roleZh} ${r.method} ${r.path}`]) {
          statuses.set(0, (statuses.get(0) ?? 0) + 1);
          continue;
        }
        const user = who();
        const res = await stack.request(r.method, fill(r.path, real) + (r.method === 'GET' ? `?date=${real.date}` : ''), {
          token: user?.token,
          ...(HAS_BODY.has(r.method) ? { body: { reason: '越权测试', approved: true, role: 'admin', date: real.date } } : {}),
        });
        calls++;
        if (res.status < 400) successes.push(`${roleZh} ${r.method} ${r.path} → ${res.status}`);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
      cells.push(
        [...statuses.entries()]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => (s === 0 ? `设计允许×${n}` : `${s}×${n}`))
          .join(' '),
      );
    }
    rows.push({ resource, matching, cells });
  }
  expect(successes).toEqual([]);
  expect(await snapshotDatabase()).toBe(before);

  // the owner reads it through the same routes: proves the ids are real (not a 404 for everybody)
  const lines: string[] = [];
  for (const { resource, matching, cells } of rows) {
    const reads = matching.filter((r) => r.method === 'GET');
    let read = 0;
    for (const r of reads) {
      const res = await stack.request('GET', `${fill(r.path, real)}?date=${real.date}`, { token: resource.owner().token });
      if (res.status === 200) read++;
    }
    if (reads.length > 0) expect([resource.name, read > 0]).toEqual([resource.name, true]);
    lines.push(
      `| ${resource.name} (\`:${resource.param}\`) | ${matching.length} | ${cells.join(' | ')} | ${reads.length ? `读 ${read}/${reads.length}` : '—'} |`,
    );
  }

  const table = [
    `| 资源 (path parameter) | routes | ${ROLES_ZH.map(([r]) => r).join(' | ')} | 所有者 owner |`,
    `|---|---|${ROLES_ZH.map(() => '---').join('|')}|---|`,
    ...lines,
    '',
    ...Object.entries(BY_DESIGN).map(([call, why]) => `设计允许 \`${call}\`: ${why}.`),
  ].join('\n');
  syncDocBlock('bola', `${table}\n\n${calls} requests by non-owners, 0 answered 2xx; the database is byte-identical afterwards.`);
});

// ---------------------------------------------------------------- fuzz

test('fuzz: every route, every caller, bad ids, bad bodies, bad queries: < 500, a stable code, nothing written', async () => {
  const routes = stack.cloud.routes.map((r) => ({ ...r, path: r.path.replace(/^\/api\/v1/, '') }));
  expect(routes.length).toBeGreaterThan(200);
  const bodies = bodyVariants();
  const callers: [string, User | undefined][] = [
    ['anonymous', undefined],
    ['citizen', citizenB],
    ['owner of the private things', citizenA],
    ['scoped owner', owner],
    ['admin', admin],
  ];
  const problems: string[] = [];
  const byStatus = new Map<number, number>();
  const silentWrites: string[] = [];
  let total = 0;
  let settle = false;
  for (const r of routes) {
    // what an accepted call set going (a refund's notification from the stand-in) lands before the next route is judged
    let before = await snapshotDatabase();
    while (settle) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const again = await snapshotDatabase();
      settle = again !== before;
      before = again;
    }
    const calls: Promise<Outcome>[] = [];
    const call = (caller: string, user: User | undefined, variant: string, url: string, raw?: string) =>
      stack
        .request(r.method, url, { token: user?.token, ...(raw !== undefined ? { rawBody: raw } : {}) })
        .then((res) => ({ method: r.method, path: r.path, caller, variant, res }));
    for (const [caller, user] of callers) {
      for (const p of params(r.path))
        for (const v of PATH_VARIANTS)
          calls.push(
            call(caller, user, `:${p}=${v.slice(0, 20)}`, fill(r.path, { ...real, [p]: v }), HAS_BODY.has(r.method) ? '{}' : undefined),
          );
      if (HAS_BODY.has(r.method)) for (const b of bodies) calls.push(call(caller, user, `body ${b.name}`, fill(r.path, real), b.raw));
      for (const q of QUERY_VARIANTS)
        calls.push(call(caller, user, `query ${q.slice(0, 30)}`, fill(r.path, real) + q, HAS_BODY.has(r.method) ? '{}' : undefined));
    }
    const outcomes = await Promise.all(calls);
    total += outcomes.length;
    for (const o of outcomes) {
      byStatus.set(o.res.status, (byStatus.get(o.res.status) ?? 0) + 1);
      const problem = refusalProblem(o);
      if (problem) problems.push(`${o.method} ${o.path} as ${o.caller}, ${o.variant}: ${problem}`);
    }
    if (outcomes.every((o) => o.res.status >= 400)) {
      if ((await snapshotDatabase()) !== before) silentWrites.push(`${r.method} ${r.path}`);
    } else settle = true;
  }
  console.log(`fuzz: ${routes.length} routes, ${total} requests, by status ${JSON.stringify(Object.fromEntries(byStatus))}`);
  expect(problems).toEqual([]);
  expect(silentWrites).toEqual([]);

  // nothing injected got in: no operator or prototype key and no 2,000-character junk stored anywhere
  const snap = await snapshotDatabase();
  expect(snap).not.toMatch(/"\$(ne|gt|where|set)"/);
  expect(snap).not.toMatch(/"(__proto__|polluted|isAdmin)"/);
  expect(snap).not.toContain('x'.repeat(2000));
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('isAdmin');

  syncDocBlock(
    'fuzz',
    `${routes.length} routes × 5 callers (anonymous, another citizen, the owner of the private things, a scoped owner, an admin), ` +
      `${PATH_VARIANTS.length} path-id variants per parameter, ${bodies.length} bodies, ${QUERY_VARIANTS.length} query strings: ` +
      `${total} requests, 0 answered 5xx, every refusal with a stable code whose status matches, no refused route wrote anything.`,
  );
});

/** docs/security.md holds the generated blocks between markers; UPDATE_DOCS=1 rewrites them */
function syncDocBlock(name: string, body: string) {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- /generated:${name} -->`;
  const doc = fs.readFileSync(DOC, 'utf8');
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  expect([name, i >= 0 && j > i]).toEqual([name, true]);
  const next = `${doc.slice(0, i + start.length)}\n${body}\n${doc.slice(j)}`;
  if (process.env.UPDATE_DOCS === '1') fs.writeFileSync(DOC, next);
  else expect(doc.slice(i, j + end.length)).toBe(next.slice(i, next.indexOf(end) + end.length));
}
