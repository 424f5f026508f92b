/**
 * Bad input over every guidance endpoint: wrong types, missing fields, huge strings, coordinates
 * out of range, $-operators, prototype keys, and other instructors' / organisations' ids. Each
 * answers a 4xx with a stable code, never a 500, and the database is exactly as before.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { snapshotDatabase } from '../support/db';
import { startTestStack, type TestStack } from '../support/stack';
import { PLACE, adminUser, profileBody, publish, sessionBody, verifiedInstructor } from '../support/guidance-fixture';

const T0 = new Date('2026-11-23T01:00:00Z');
const clock = new ManualClock(T0);
let stack: TestStack;
type U = { token: string; userId: string };
const who: Record<'admin' | 'coach' | 'other' | 'citizen' | 'org', U> = {} as never;
let session: { id: string };
let othersSession: { id: string };
let requestId: string;
let ratingId: string;
let coachPhoto: string;

const start = new Date(T0.getTime() + 24 * 3600_000);
const huge = (n: number) => '长'.repeat(n);

beforeAll(async () => {
  stack = await startTestStack('guidancesweep', { clock });
  who.admin = await adminUser(stack);
  who.coach = await verifiedInstructor(stack, 'sweep-coach', who.admin);
  who.other = await verifiedInstructor(stack, 'sweep-other', who.admin, { name: '李四' });
  who.citizen = await stack.login('sweep-citizen');
  who.org = await stack.login('sweep-org');
  session = await publish(stack, who.coach, start);
  othersSession = await publish(stack, who.other, new Date(T0.getTime() + 30 * 60_000));
  const req = await stack.request('POST', '/guidance/requests', {
    token: who.org.token,
    body: {
      organisation: { name: '某某科技有限公司', kind: 'enterprise' },
      sport: 'taichi',
      district: '姑苏区',
      place: { name: '公司活动室', address: '工业园区星湖街', location: PLACE },
      startAt: start.toISOString(),
      endAt: new Date(start.getTime() + 3600_000).toISOString(),
      groupSize: 10,
    },
  });
  requestId = req.body.request.id;
  // a delivered session of the other instructor with one rating, for the reply cases
  const c = await stack.login('sweep-rater');
  await stack.request('POST', `/guidance/sessions/${othersSession.id}/signups`, { token: c.token });
  clock.set(new Date(T0.getTime() + 25 * 60_000));
  await stack.request('POST', `/instructor/sessions/${othersSession.id}/check-in`, {
    token: who.other.token,
    body: { ...PLACE, accuracyM: 5 },
  });
  const t = (await stack.request('GET', '/tickets/mine', { token: c.token })).body.items[0];
  const code = (await stack.request('GET', `/tickets/${t.id}/code`, { token: c.token })).body.code;
  await stack.request('POST', `/instructor/sessions/${othersSession.id}/attendance`, { token: who.other.token, body: { code } });
  await stack.request('POST', `/instructor/sessions/${othersSession.id}/log`, {
    token: who.other.token,
    body: { content: '今日练习二十四式太极拳。', durationMinutes: 60 },
  });
  ratingId = (await stack.request('POST', `/guidance/sessions/${othersSession.id}/rating`, { token: c.token, body: { stars: 5 } })).body
    .rating.id;
  clock.set(T0);
  const form = new FormData();
  form.append(
    'file',
    new Blob([Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')]),
    'p.png',
  );
  const up = await fetch(`${stack.url}/api/v1/guidance/photos`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${who.coach.token}` },
  });
  coachPhoto = ((await up.json()) as { photo: { id: string } }).photo.id;
  if (!requestId || !ratingId || !coachPhoto) throw new Error('sweep setup failed');
}, 90_000);
afterAll(() => stack.stop());

type Case = [
  name: string,
  method: string,
  path: () => string,
  body: (() => unknown) | undefined,
  status: number,
  code: string,
  as: keyof typeof who | 'anon',
];
const S = () => `/instructor/sessions/${session.id}`;
const O = () => `/instructor/sessions/${othersSession.id}`;
const G = () => `/guidance/sessions/${session.id}`;
const body = (over: Record<string, unknown>) => () => ({ ...sessionBody(start), ...over });
const place = (location: unknown) => ({ name: '公园', address: '某路1号', location });
const cases: Case[] = [
  // applications and review
  ['profile: missing fields', 'PUT', () => '/instructor/profile', () => ({}), 400, 'VALIDATION_FAILED', 'citizen'],
  ['profile: wrong level type', 'PUT', () => '/instructor/profile', () => profileBody({ level: 3 }), 400, 'VALIDATION_FAILED', 'citizen'],
  ['profile: huge bio', 'PUT', () => '/instructor/profile', () => profileBody({ bio: huge(5000) }), 400, 'VALIDATION_FAILED', 'citizen'],
  [
    'profile: $-operator district',
    'PUT',
    () => '/instructor/profile',
    () => profileBody({ district: { $ne: null } }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'profile: prototype key',
    'PUT',
    () => '/instructor/profile',
    () => JSON.parse(`{"__proto__":{"admin":true},${JSON.stringify(profileBody()).slice(1)}`),
    400,
    'BAD_JSON',
    'citizen',
  ],
  [
    'profile: bad certificate',
    'PUT',
    () => '/instructor/profile',
    () => profileBody({ certificateNo: '<script>' }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    "profile: another's photo",
    'PUT',
    () => '/instructor/profile',
    () => profileBody({ photoId: coachPhoto }),
    404,
    'PHOTO_NOT_FOUND',
    'citizen',
  ],
  ['profile: anonymous', 'PUT', () => '/instructor/profile', () => profileBody(), 401, 'UNAUTHENTICATED', 'anon'],
  [
    'review: not an admin',
    'POST',
    () => `/admin/instructors/${who.other.userId}/review`,
    () => ({ approved: false, reason: '不通过' }),
    403,
    'FORBIDDEN',
    'coach',
  ],
  ['review: bad id', 'POST', () => '/admin/instructors/abc/review', () => ({ approved: true }), 400, 'VALIDATION_FAILED', 'admin'],
  [
    'review: wrong type',
    'POST',
    () => `/admin/instructors/${who.other.userId}/review`,
    () => ({ approved: 'yes' }),
    400,
    'VALIDATION_FAILED',
    'admin',
  ],
  [
    'review: unknown',
    'POST',
    () => `/admin/instructors/${new mongoose.Types.ObjectId()}/review`,
    () => ({ approved: true }),
    404,
    'INSTRUCTOR_NOT_FOUND',
    'admin',
  ],
  [
    'review: already reviewed',
    'POST',
    () => `/admin/instructors/${who.other.userId}/review`,
    () => ({ approved: false, reason: '重审' }),
    409,
    'INSTRUCTOR_NOT_PENDING',
    'admin',
  ],
  [
    'instructors: $-operator sport',
    'GET',
    () => `/instructors?sport=${encodeURIComponent('{"$ne":"x"}')}`,
    undefined,
    400,
    'VALIDATION_FAILED',
    'anon',
  ],
  ['instructor profile: bad id', 'GET', () => '/instructors/%7B%22$gt%22%3A%22%22%7D', undefined, 400, 'VALIDATION_FAILED', 'anon'],
  // sessions
  [
    'publish: latitude out of range',
    'POST',
    () => '/instructor/sessions',
    body({ place: place({ lat: 91, lng: 120 }) }),
    400,
    'VALIDATION_FAILED',
    'coach',
  ],
  [
    'publish: longitude out of range',
    'POST',
    () => '/instructor/sessions',
    body({ place: place({ lat: 31, lng: -181 }) }),
    400,
    'VALIDATION_FAILED',
    'coach',
  ],
  [
    'publish: coordinates as strings',
    'POST',
    () => '/instructor/sessions',
    body({ place: place({ lat: '31', lng: '120' }) }),
    400,
    'VALIDATION_FAILED',
    'coach',
  ],
  ['publish: capacity 0', 'POST', () => '/instructor/sessions', body({ capacity: 0 }), 400, 'VALIDATION_FAILED', 'coach'],
  ['publish: capacity huge', 'POST', () => '/instructor/sessions', body({ capacity: 1e9 }), 400, 'VALIDATION_FAILED', 'coach'],
  [
    'publish: ends before it starts',
    'POST',
    () => '/instructor/sessions',
    body({ endAt: new Date(start.getTime() - 1).toISOString() }),
    400,
    'VALIDATION_FAILED',
    'coach',
  ],
  [
    'publish: in the past',
    'POST',
    () => '/instructor/sessions',
    () => sessionBody(new Date(T0.getTime() - 3600_000)),
    400,
    'VALIDATION_FAILED',
    'coach',
  ],
  ['publish: huge title', 'POST', () => '/instructor/sessions', body({ title: huge(1000) }), 400, 'VALIDATION_FAILED', 'coach'],
  ['publish: $-operator sport', 'POST', () => '/instructor/sessions', body({ sport: { $gt: '' } }), 400, 'VALIDATION_FAILED', 'coach'],
  ['publish: 100 weeks', 'POST', () => '/instructor/sessions', body({ repeatWeeks: 100 }), 400, 'VALIDATION_FAILED', 'coach'],
  [
    'publish: extra key',
    'POST',
    () => '/instructor/sessions',
    () => ({ ...sessionBody(start), instructorId: who.other.userId }),
    400,
    'VALIDATION_FAILED',
    'coach',
  ],
  ['publish: not an instructor', 'POST', () => '/instructor/sessions', body({}), 403, 'FORBIDDEN', 'citizen'],
  ['sessions: latitude not a number', 'GET', () => '/guidance/sessions?lat=abc&lng=120', undefined, 400, 'VALIDATION_FAILED', 'anon'],
  ['sessions: latitude out of range', 'GET', () => '/guidance/sessions?lat=100&lng=120', undefined, 400, 'VALIDATION_FAILED', 'anon'],
  ['sessions: bad date', 'GET', () => '/guidance/sessions?date=tomorrow', undefined, 400, 'VALIDATION_FAILED', 'anon'],
  [
    'session: unknown',
    'GET',
    () => `/guidance/sessions/${new mongoose.Types.ObjectId()}`,
    undefined,
    404,
    'GUIDANCE_SESSION_NOT_FOUND',
    'anon',
  ],
  // sign-ups
  ['sign-up: bad id', 'POST', () => '/guidance/sessions/x/signups', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  [
    'sign-up: unknown session',
    'POST',
    () => `/guidance/sessions/${new mongoose.Types.ObjectId()}/signups`,
    undefined,
    404,
    'GUIDANCE_SESSION_NOT_FOUND',
    'citizen',
  ],
  ['sign-up: anonymous', 'POST', () => `${G()}/signups`, undefined, 401, 'UNAUTHENTICATED', 'anon'],
  ['cancel: not signed up', 'POST', () => `${G()}/signups/cancel`, undefined, 404, 'GUIDANCE_SIGNUP_NOT_FOUND', 'citizen'],
  // check-in, attendance, log
  [
    'check-in: latitude out of range',
    'POST',
    () => `${S()}/check-in`,
    () => ({ lat: 200, lng: 120, accuracyM: 5 }),
    400,
    'VALIDATION_FAILED',
    'coach',
  ],
  ['check-in: negative accuracy', 'POST', () => `${S()}/check-in`, () => ({ ...PLACE, accuracyM: -1 }), 400, 'VALIDATION_FAILED', 'coach'],
  [
    'check-in: strings',
    'POST',
    () => `${S()}/check-in`,
    () => ({ lat: '31.3', lng: '120.6', accuracyM: '5' }),
    400,
    'VALIDATION_FAILED',
    'coach',
  ],
  ['check-in: missing accuracy', 'POST', () => `${S()}/check-in`, () => ({ ...PLACE }), 400, 'VALIDATION_FAILED', 'coach'],
  [
    "check-in: another instructor's session",
    'POST',
    () => `${S()}/check-in`,
    () => ({ ...PLACE, accuracyM: 5 }),
    403,
    'FORBIDDEN',
    'other',
  ],
  ['check-in: a citizen', 'POST', () => `${S()}/check-in`, () => ({ ...PLACE, accuracyM: 5 }), 403, 'FORBIDDEN', 'citizen'],
  [
    'check-in: outside the window',
    'POST',
    () => `${S()}/check-in`,
    () => ({ ...PLACE, accuracyM: 5 }),
    422,
    'CHECKIN_WINDOW_CLOSED',
    'coach',
  ],
  ['attendance: $-operator code', 'POST', () => `${S()}/attendance`, () => ({ code: { $gt: '' } }), 400, 'VALIDATION_FAILED', 'coach'],
  ['attendance: not a ticket code', 'POST', () => `${S()}/attendance`, () => ({ code: huge(300) }), 400, 'VALIDATION_FAILED', 'coach'],
  [
    "attendance: another instructor's session",
    'POST',
    () => `${O()}/attendance`,
    () => ({ code: `CS1.${'a'.repeat(20)}.${'b'.repeat(20)}` }),
    403,
    'FORBIDDEN',
    'coach',
  ],
  [
    'log: huge content',
    'POST',
    () => `${S()}/log`,
    () => ({ content: huge(5000), durationMinutes: 60 }),
    400,
    'VALIDATION_FAILED',
    'coach',
  ],
  [
    'log: duration huge',
    'POST',
    () => `${S()}/log`,
    () => ({ content: '今日练习二十四式太极拳。', durationMinutes: 100000 }),
    400,
    'VALIDATION_FAILED',
    'coach',
  ],
  [
    'log: bad photo id',
    'POST',
    () => `${S()}/log`,
    () => ({ content: '今日练习二十四式太极拳。', durationMinutes: 60, photoIds: ['x'] }),
    400,
    'VALIDATION_FAILED',
    'coach',
  ],
  [
    'log: too many photos',
    'POST',
    () => `${S()}/log`,
    () => ({ content: '今日练习二十四式太极拳。', durationMinutes: 60, photoIds: Array(20).fill(coachPhoto) }),
    400,
    'VALIDATION_FAILED',
    'coach',
  ],
  [
    'log: not checked in',
    'POST',
    () => `${S()}/log`,
    () => ({ content: '今日练习二十四式太极拳。', durationMinutes: 60 }),
    409,
    'GUIDANCE_NOT_CHECKED_IN',
    'coach',
  ],
  [
    "log: another instructor's session",
    'POST',
    () => `${O()}/log`,
    () => ({ content: '冒名写的一段日志内容。', durationMinutes: 60 }),
    403,
    'FORBIDDEN',
    'coach',
  ],
  // ratings
  ['rating: 6 stars', 'POST', () => `${G()}/rating`, () => ({ stars: 6 }), 400, 'VALIDATION_FAILED', 'citizen'],
  ['rating: stars as a string', 'POST', () => `${G()}/rating`, () => ({ stars: '5' }), 400, 'VALIDATION_FAILED', 'citizen'],
  ['rating: huge comment', 'POST', () => `${G()}/rating`, () => ({ stars: 5, comment: huge(1000) }), 400, 'VALIDATION_FAILED', 'citizen'],
  [
    'rating: not admitted',
    'POST',
    () => `/guidance/sessions/${othersSession.id}/rating`,
    () => ({ stars: 5 }),
    403,
    'RATING_NOT_ALLOWED',
    'citizen',
  ],
  [
    "reply: another instructor's rating",
    'POST',
    () => `/instructor/ratings/${ratingId}/reply`,
    () => ({ reply: '谢谢' }),
    403,
    'FORBIDDEN',
    'coach',
  ],
  [
    'reply: unknown rating',
    'POST',
    () => `/instructor/ratings/${new mongoose.Types.ObjectId()}/reply`,
    () => ({ reply: '谢谢' }),
    404,
    'RATING_NOT_FOUND',
    'coach',
  ],
  ['reply: huge', 'POST', () => `/instructor/ratings/${ratingId}/reply`, () => ({ reply: huge(1000) }), 400, 'VALIDATION_FAILED', 'other'],
  // photos
  ['photo: bad id', 'GET', () => '/guidance/photos/nope', undefined, 400, 'VALIDATION_FAILED', 'anon'],
  ["photo: another's unattached photo", 'GET', () => `/guidance/photos/${coachPhoto}`, undefined, 404, 'PHOTO_NOT_FOUND', 'citizen'],
  [
    'photo upload: JSON body',
    'POST',
    () => '/guidance/photos',
    () => ({ file: 'data:image/png;base64,AAAA' }),
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'coach',
  ],
  // evaluation
  ['activity: bad year', 'GET', () => '/admin/instructors/activity?year=abc', undefined, 400, 'VALIDATION_FAILED', 'admin'],
  ['activity: bad format', 'GET', () => '/admin/instructors/activity?format=pdf', undefined, 400, 'VALIDATION_FAILED', 'admin'],
  ['activity: not an admin', 'GET', () => '/admin/instructors/activity', undefined, 403, 'FORBIDDEN', 'coach'],
  // organisations' requests
  [
    'request: group of 0',
    'POST',
    () => '/guidance/requests',
    () => ({ organisation: { name: '社区', kind: 'community' }, groupSize: 0 }),
    400,
    'VALIDATION_FAILED',
    'org',
  ],
  [
    'request: coordinates out of range',
    'POST',
    () => '/guidance/requests',
    () => ({
      organisation: { name: '某社区居委会', kind: 'community' },
      sport: 'taichi',
      district: '姑苏区',
      place: place({ lat: -95, lng: 500 }),
      startAt: start.toISOString(),
      endAt: new Date(start.getTime() + 3600_000).toISOString(),
      groupSize: 10,
    }),
    400,
    'VALIDATION_FAILED',
    'org',
  ],
  [
    'request: bad kind',
    'POST',
    () => '/guidance/requests',
    () => ({ organisation: { name: '某社区居委会', kind: 'government' } }),
    400,
    'VALIDATION_FAILED',
    'org',
  ],
  ["request: another organisation's", 'GET', () => `/guidance/requests/${requestId}`, undefined, 403, 'FORBIDDEN', 'citizen'],
  [
    "request rating: another organisation's",
    'POST',
    () => `/guidance/requests/${requestId}/rating`,
    () => ({ stars: 5 }),
    403,
    'FORBIDDEN',
    'citizen',
  ],
  [
    'assign: not an admin',
    'POST',
    () => `/admin/guidance/requests/${requestId}/assign`,
    () => ({ instructorId: who.coach.userId }),
    403,
    'FORBIDDEN',
    'coach',
  ],
  [
    'assign: unknown instructor',
    'POST',
    () => `/admin/guidance/requests/${requestId}/assign`,
    () => ({ instructorId: who.citizen.userId }),
    404,
    'INSTRUCTOR_NOT_FOUND',
    'admin',
  ],
  [
    'assign: $-operator id',
    'POST',
    () => `/admin/guidance/requests/${requestId}/assign`,
    () => ({ instructorId: { $ne: null } }),
    400,
    'VALIDATION_FAILED',
    'admin',
  ],
  ['accept: a citizen', 'POST', () => `/instructor/requests/${requestId}/accept`, undefined, 403, 'FORBIDDEN', 'citizen'],
  [
    'accept: unknown request',
    'POST',
    () => `/instructor/requests/${new mongoose.Types.ObjectId()}/accept`,
    undefined,
    404,
    'GUIDANCE_REQUEST_NOT_FOUND',
    'coach',
  ],
];

test.each(cases)('%s → %i %s, nothing written', async (_name, method, path, makeBody, status, code, as) => {
  const before = await snapshotDatabase();
  const res = await stack.request(method, path(), { token: as === 'anon' ? undefined : who[as].token, body: makeBody?.() });
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(await snapshotDatabase()).toBe(before);
});

test('the sweep covers every guidance route', () => {
  const layers = (stack.cloud.app as unknown as { middleware: unknown[] }).middleware;
  expect(layers.length).toBeGreaterThan(0);
  const routes = new Set<string>();
  for (const [, m, p] of cases)
    routes.add(
      `${m} ${p()
        .replace(/[0-9a-f]{24}/g, ':id')
        .replace(/\?.*$/, '')
        .replace(/\/(x|abc|nope|%7B.*)(\/|$)/, '/:id$2')}`,
    );
  const expected = [
    'PUT /instructor/profile',
    'POST /admin/instructors/:id/review',
    'GET /instructors',
    'GET /instructors/:id',
    'POST /instructor/sessions',
    'GET /guidance/sessions',
    'GET /guidance/sessions/:id',
    'POST /guidance/sessions/:id/signups',
    'POST /guidance/sessions/:id/signups/cancel',
    'POST /instructor/sessions/:id/check-in',
    'POST /instructor/sessions/:id/attendance',
    'POST /instructor/sessions/:id/log',
    'POST /guidance/sessions/:id/rating',
    'POST /instructor/ratings/:id/reply',
    'GET /guidance/photos/:id',
    'POST /guidance/photos',
    'GET /admin/instructors/activity',
    'POST /guidance/requests',
    'GET /guidance/requests/:id',
    'POST /guidance/requests/:id/rating',
    'POST /admin/guidance/requests/:id/assign',
    'POST /instructor/requests/:id/accept',
  ];
  for (const r of expected) expect([...routes]).toContain(r);
});
