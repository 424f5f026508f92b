/**
 * Issue 17 item 7: the audit log names the person (name and unit, not just an id) for every read
 * of others' personal data and every export (Chongqing 第十八条: 专人专号, each account one person).
 *
 * The personal-data routes are declared in the module descriptors (`personalData`) and audited by
 * one middleware (platform/audit personalDataAudit). This test enumerates them: the declared list
 * is the reviewed one below, every staff-side read route is either declared or exempted here with
 * its reason, and each declared route, called for real by a named bureau admin, leaves an audit
 * entry naming that admin.
 */
import mongoose from 'mongoose';
import { AuditPageSchema, type AuditEntry } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { eventInput, idNumber, openEvent, participant } from '../support/event-fixture';
import { createTestStation, dayAhead } from '../support/fitness-fixture';
import { verifiedInstructor } from '../support/guidance-fixture';
import { grant, startTestStack, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead } from '../support/venue-fixture';
import { application } from './clubs-support';
import { courseBody, publish, trainingOrg } from './courses-support';

jest.setTimeout(120_000);
const clock = new ManualClock(new Date('2027-01-10T02:00:00Z'));
type U = { token: string; userId: string };
let stack: TestStack;
let root: U; // the system's first admin (no personal account)
let bureau: U; // a named bureau admin
let instructor: U; // a verified instructor (the open requests are theirs to read)
const real: Record<string, string> = {};

/** the reviewed list: routes that hand out others' personal data, or exports */
const DECLARED = [
  'GET /admin/bureau-accounts',
  'GET /admin/clubs',
  'GET /admin/credit',
  'GET /admin/feed/export',
  'GET /admin/feedback',
  'GET /admin/guidance/requests',
  'GET /admin/instructors',
  'GET /admin/instructors/activity',
  'GET /admin/payments/flagged',
  'GET /admin/reports/dispatch',
  'GET /admin/reviews/pending',
  'GET /clubs/:clubId/dues/ledger',
  'GET /clubs/:clubId/dues/ledger.xlsx',
  'GET /clubs/:clubId/members',
  'GET /feedback/:feedbackId',
  'GET /fitness-tests/stations/:stationId/entries',
  'GET /instructor/requests',
  'GET /manage/venues/:venueId/bans',
  'GET /manage/venues/:venueId/bookings',
  'GET /manage/venues/:venueId/feedback',
  'GET /organiser/events/:eventId/registrations',
  'GET /provider/courses/:courseId/attendance',
  'GET /verifications/offline-pack',
  'GET /verifications/today',
];

/** staff-side reads that are not others' personal data, and why */
const EXEMPT: Record<string, string> = {
  'POST /verifications': 'each scan is its own record in verifications (staff, ticket, venue, time): the audit of who saw the holder',
  'GET /admin/audit': 'the audit log itself (admins only): a logged read would add to what the next read returns',
  'GET /admin/aggregation-plans': 'departments’ plans, no persons',
  'GET /admin/aggregation-plans/:planId': 'a department’s plan, no persons',
  'GET /admin/dashboard/activity': 'rollup counts by district and month',
  'GET /admin/dashboard/aggregation': 'counts of delivered events',
  'GET /admin/dashboard/consumption': 'rollup sums by district, sport, month',
  'GET /admin/dashboard/public-service': 'venue opening hours',
  'GET /admin/dashboard/utilisation': 'rollup counts per venue and hour',
  'GET /admin/feed/quarantine': 'de-identified events (pseudonyms only)',
  'GET /admin/feed/status': 'feed counters',
  'GET /admin/fitness-tests/analysis': 'grade distributions, no persons',
  'GET /admin/reconciliation/:date': 'payment totals against the merchant statement',
  'GET /admin/reports/subsidy': 'subsidy totals per batch',
  'GET /admin/training-orgs': 'organisations (public register)',
  'GET /instructor/profile': 'the instructor’s own profile',
  'GET /instructor/ratings': 'ratings of the instructor, raters not named',
  'GET /instructor/sessions': 'the instructor’s own sessions',
  'GET /instructor/sessions/:sessionId/code': 'a check-in code',
  'GET /manage/venues': 'venues the manager runs',
  'GET /manage/venues/:venueId/devices': 'gate devices',
  'GET /manage/venues/:venueId/occupancy': 'head counts',
  'GET /organiser/events': 'the organiser’s events',
  'GET /organiser/events/:eventId': 'an event, no entrants',
  'GET /provider/courses': 'the provider’s courses',
  'GET /provider/courses/:courseId': 'a course, no learners',
};
/** which routes count as staff-side: the sweep below fails on a new one that is neither declared nor exempt */
const STAFF_SIDE =
  /^GET \/(admin|manage|organiser|provider|instructor|verifications)\b|^GET \/clubs\/:clubId\/(members|dues)|^GET \/fitness-tests\/stations\/:stationId\/entries|export|\.xlsx/;

beforeAll(async () => {
  stack = await startTestStack('pdaudit', { clock, wechatPay: { signMode: 'public_key' } });
  root = await stack.login('pd-root');
  await grant(stack, root.userId, 'admin');
  bureau = await stack.login('pd-bureau');
  const opened = await stack.request('POST', '/admin/bureau-accounts', {
    token: root.token,
    body: { userId: bureau.userId, role: 'admin', name: '周敏', unit: '市体育局办公室', position: '一级主任科员', phone: '13812340001' },
  });
  if (opened.status !== 201) throw new Error(`open ${opened.status} ${JSON.stringify(opened.body)}`);
  bureau = await stack.login('pd-bureau');

  const owner = await stack.login('pd-owner');
  const citizen = await stack.login('pd-citizen');
  const venue = await createTestVenue(stack, { name: '审计测试馆' });
  await grant(stack, owner.userId, 'organiser');
  const st = await createTestStation(stack, { name: '审计测试站', day: dayAhead(clock, 3) });
  const ev = await openEvent(
    stack,
    owner,
    eventInput({}, [{ name: '5公里', distanceKm: 5, capacity: 50, feeFen: 0, eligibility: { minAge: 18 } }]),
  );
  const reg = await stack.request('POST', `/events/${ev.id}/registrations`, {
    token: citizen.token,
    body: { groupId: ev.groups[0].id, participant: participant(idNumber('1990-01-01', 7)), healthPledge: true, pledgeVersion: 'v1' },
  });
  if (reg.status !== 201) throw new Error(`registration ${reg.status} ${JSON.stringify(reg.body)}`);
  const fb = await stack.request('POST', '/feedback', {
    token: citizen.token,
    body: { target: { kind: 'venue', id: venue.venueId }, category: 'facility', text: '更衣室的柜子锁坏了，请尽快修理。' },
  });
  if (fb.status !== 201) throw new Error(`feedback ${fb.status} ${JSON.stringify(fb.body)}`);
  const applied = await stack.request('POST', '/clubs', { token: owner.token, body: application() });
  const clubId = applied.body.club.id as string;
  await stack.request('POST', `/admin/clubs/${clubId}/review`, { token: root.token, body: { approved: true, reason: '材料齐全' } });
  const orgId = await trainingOrg(stack, root, owner);
  const courseId = await publish(stack, owner, courseBody(clock.now(), orgId));
  instructor = await verifiedInstructor(stack, 'pd-instructor', root);
  Object.assign(real, {
    venueId: venue.venueId,
    stationId: st.station.id,
    stationDay: dayAhead(clock, 3),
    eventId: ev.id,
    clubId,
    courseId,
    feedbackId: fb.body.feedback.id,
    date: daysAhead(clock, 0),
  });
}, 120_000);
afterAll(() => stack?.stop());

const routes = () => stack.cloud.routes.map((r) => `${r.method} ${r.path.replace(/^\/api\/v1/, '')}`);
const fill = (p: string) => p.replace(/:(\w+)/g, (_, n: string) => real[n] ?? '0123456789abcdef01234567');
const QUERY: Record<string, () => string> = {
  'GET /verifications/today': () => `?venueId=${real.venueId}`,
  'GET /verifications/offline-pack': () => `?venueId=${real.venueId}`,
  'GET /fitness-tests/stations/:stationId/entries': () => `?date=${real.stationDay}`,
  'GET /manage/venues/:venueId/bookings': () => `?date=${daysAhead(clock, 0)}`,
  'GET /admin/feed/export': () => `?day=${daysAhead(clock, -1)}`,
  'GET /admin/reports/dispatch': () => '?month=2026-12&format=xlsx',
  'GET /admin/credit': () => '?format=xlsx',
  'GET /organiser/events/:eventId/registrations': () => '?format=xlsx',
  'GET /admin/instructors/activity': () => '?format=xlsx',
};

async function auditSince(id: string | null): Promise<AuditEntry[]> {
  const page = AuditPageSchema.parse((await stack.request('GET', '/admin/audit?limit=100', { token: root.token })).body);
  const i = id ? page.items.findIndex((e) => e.id === id) : -1;
  return i >= 0 ? page.items.slice(0, i) : page.items;
}
async function lastAuditId(): Promise<string | null> {
  return (await mongoose.connection.db!.collection('audit_log').find().sort({ _id: -1 }).limit(1).next())?._id.toString() ?? null;
}

test('the declared personal-data routes are the reviewed list, and each is a real route', () => {
  const declared = stack.cloud.personalDataRoutes.map((r) => r.route).sort();
  expect(declared).toEqual([...DECLARED].sort());
  const all = new Set(routes());
  expect(declared.filter((r) => !all.has(r))).toEqual([]);
});

test('every staff-side read route is declared or exempt with a reason (a new one must be classified)', () => {
  const declared = new Set(stack.cloud.personalDataRoutes.map((r) => r.route));
  const unclassified = routes().filter((r) => STAFF_SIDE.test(r) && !declared.has(r) && !EXEMPT[r]);
  expect(unclassified).toEqual([]);
  expect([...declared].filter((r) => EXEMPT[r])).toEqual([]);
});

test('each declared route, read by a named bureau admin, leaves an audit entry naming the person (name, unit)', async () => {
  const answered: string[] = [];
  const missing: string[] = [];
  for (const route of DECLARED) {
    const [method, path] = route.split(' ');
    const reader = route === 'GET /instructor/requests' ? instructor : bureau;
    const before = await lastAuditId();
    const res = await stack.request(method, fill(path) + (QUERY[route]?.() ?? ''), {
      token: reader.token,
      ...(method === 'POST' ? { body: { venueId: real.venueId, code: 'not-a-ticket-code' } } : {}),
    });
    if (res.status >= 300) {
      continue;
    }
    answered.push(route);
    const entries = (await auditSince(before)).filter(
      (e) => (e.action === 'personal.read' || e.action === 'data.export') && e.details.route === route,
    );
    const named = entries.find((e) =>
      reader === bureau
        ? e.actorId === bureau.userId && e.actor?.name === '周敏' && e.actor?.unit === '市体育局办公室'
        : e.actorId === reader.userId && /^市民/.test(e.actor?.name ?? ''),
    );
    if (!named) missing.push(`${route} → ${res.status}, entries ${JSON.stringify(entries)}`);
  }
  expect(missing).toEqual([]);
  // every declared GET answered (the ids are real)
  expect(answered.sort()).toEqual(DECLARED.filter((r) => r.startsWith('GET ')).sort());
});

test('exports are audited as data.export; a JSON read of an export-only route is not an export', async () => {
  let before = await lastAuditId();
  await stack.request('GET', `/organiser/events/${real.eventId}/registrations?format=xlsx`, { token: bureau.token });
  expect((await auditSince(before)).map((e) => e.action)).toContain('data.export');
  before = await lastAuditId();
  const json = await stack.request('GET', '/admin/reports/dispatch?month=2026-12', { token: bureau.token });
  expect(json.status).toBe(200);
  expect((await auditSince(before)).filter((e) => e.details.route === 'GET /admin/reports/dispatch')).toEqual([]);
});

test('a refused read leaves no personal-read entry; a reader without a bureau account is named by nickname', async () => {
  const citizen = await stack.login('pd-nosy');
  let before = await lastAuditId();
  const refused = await stack.request('GET', `/clubs/${real.clubId}/members`, { token: citizen.token });
  expect(refused.status).toBe(403);
  expect((await auditSince(before)).filter((e) => e.action === 'personal.read')).toEqual([]);

  before = await lastAuditId();
  const ok = await stack.request('GET', `/manage/venues/${real.venueId}/bookings?date=${real.date}`, { token: root.token });
  expect(ok.status).toBe(200);
  const entry = (await auditSince(before)).find((e) => e.action === 'personal.read')!;
  expect(entry.actorId).toBe(root.userId);
  expect(entry.actor).toEqual({ name: expect.stringMatching(/^市民/), unit: null, position: null });
});
