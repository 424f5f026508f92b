/**
 * Bad input on every club endpoint: wrong types, missing fields, huge strings, $-operators,
 * prototype keys, other clubs' ids → a 4xx with a stable code, and nothing written (the whole
 * database compared before and after each case).
 */
import { ManualClock } from '../../cloud/src/platform/clock';
import { snapshotDatabase } from '../support/db';
import { startTestStack, type TestStack } from '../support/stack';
import { activityBody, application, approvedClub, bureauAdmin, memberOf, type User } from './clubs-support';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
let stack: TestStack;
let admin: User;
let fa: User;
let fb: User;
let member: User;
let citizen: User;
let A: string;
let B: string;
let activity: string;
const huge = 'x'.repeat(20_000);
const missing = '0123456789abcdef01234567';

beforeAll(async () => {
  stack = await startTestStack('clubsweep', { clock });
  admin = await bureauAdmin(stack);
  fa = await stack.login('sweep-fa');
  fb = await stack.login('sweep-fb');
  member = await stack.login('sweep-member');
  citizen = await stack.login('sweep-citizen');
  A = await approvedClub(stack, fa, admin, { name: '校验社A' });
  B = await approvedClub(stack, fb, admin, { name: '校验社B' });
  await memberOf(stack, A, fa, member);
  activity = (await stack.request('POST', `/clubs/${A}/activities`, { token: fa.token, body: activityBody(clock) })).body.activity.id;
}, 60_000);
afterAll(() => stack.stop());

type Who = 'admin' | 'fa' | 'fb' | 'member' | 'citizen' | 'anon';
type Case = {
  name: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  raw?: () => string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  who: Who;
};
const app = (over: Record<string, unknown>) => () => application(over);
const cases: Case[] = [
  // founding
  {
    name: 'apply: name too short',
    method: 'POST',
    path: () => '/clubs',
    body: app({ name: '跑' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'apply: huge name',
    method: 'POST',
    path: () => '/clubs',
    body: app({ name: huge }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'apply: name as $-operator',
    method: 'POST',
    path: () => '/clubs',
    body: app({ name: { $gt: '' } }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'apply: unknown sport',
    method: 'POST',
    path: () => '/clubs',
    body: app({ sport: 'chess' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'apply: district outside Suzhou',
    method: 'POST',
    path: () => '/clubs',
    body: app({ district: '朝阳区' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'apply: bad phone',
    method: 'POST',
    path: () => '/clubs',
    body: app({ contactPhone: '12345' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'apply: bad registration number',
    method: 'POST',
    path: () => '/clubs',
    body: app({ registrationNo: 'ABC' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'apply: memberLimit as string',
    method: 'POST',
    path: () => '/clubs',
    body: app({ memberLimit: '50' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'apply: huge charter',
    method: 'POST',
    path: () => '/clubs',
    body: app({ charter: huge }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'apply: missing purpose',
    method: 'POST',
    path: () => '/clubs',
    body: app({ purpose: undefined }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    // the body parser refuses a __proto__ key outright
    name: 'apply: __proto__ key',
    method: 'POST',
    path: () => '/clubs',
    raw: () => JSON.stringify(application()).replace(/^\{/, '{"__proto__":{"status":"approved"},'),
    status: 400,
    code: 'BAD_JSON',
    who: 'citizen',
  },
  {
    name: 'apply: constructor key',
    method: 'POST',
    path: () => '/clubs',
    raw: () => JSON.stringify(application()).replace(/^\{/, '{"constructor":{"prototype":{"status":"approved"}},'),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'apply: status smuggled in',
    method: 'POST',
    path: () => '/clubs',
    body: app({ status: 'approved' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'apply: taken name in district',
    method: 'POST',
    path: () => '/clubs',
    body: app({ name: '校验社A' }),
    status: 409,
    code: 'CLUB_NAME_TAKEN',
    who: 'citizen',
  },
  { name: 'apply: anonymous', method: 'POST', path: () => '/clubs', body: app({}), status: 401, code: 'UNAUTHENTICATED', who: 'anon' },
  // review and bureau actions
  {
    name: 'review: by a club admin',
    method: 'POST',
    path: () => `/admin/clubs/${A}/review`,
    body: () => ({ approved: true, reason: 'x' }),
    status: 403,
    code: 'FORBIDDEN',
    who: 'fa',
  },
  {
    name: 'review: approved as string',
    method: 'POST',
    path: () => `/admin/clubs/${A}/review`,
    body: () => ({ approved: 'true', reason: 'x' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'admin',
  },
  {
    name: 'review: no reason',
    method: 'POST',
    path: () => `/admin/clubs/${A}/review`,
    body: () => ({ approved: false }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'admin',
  },
  {
    name: 'review: already approved',
    method: 'POST',
    path: () => `/admin/clubs/${A}/review`,
    body: () => ({ approved: false, reason: 'x' }),
    status: 409,
    code: 'CLUB_NOT_PENDING',
    who: 'admin',
  },
  {
    name: 'review: id as operator',
    method: 'POST',
    path: () => '/admin/clubs/%7B%22%24ne%22%3A1%7D/review',
    body: () => ({ approved: true, reason: 'x' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'admin',
  },
  {
    name: 'review: no such club',
    method: 'POST',
    path: () => `/admin/clubs/${missing}/review`,
    body: () => ({ approved: true, reason: 'x' }),
    status: 404,
    code: 'CLUB_NOT_FOUND',
    who: 'admin',
  },
  {
    name: 'suspend: no reason',
    method: 'POST',
    path: () => `/admin/clubs/${B}/suspend`,
    body: () => ({}),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'admin',
  },
  {
    name: 'dissolve: by a club admin',
    method: 'POST',
    path: () => `/admin/clubs/${B}/dissolve`,
    body: () => ({ reason: 'x' }),
    status: 403,
    code: 'FORBIDDEN',
    who: 'fb',
  },
  {
    name: 'reinstate: an approved club',
    method: 'POST',
    path: () => `/admin/clubs/${B}/reinstate`,
    body: () => ({ reason: 'x' }),
    status: 409,
    code: 'CLUB_NOT_ACTIVE',
    who: 'admin',
  },
  // settings
  {
    name: 'settings: negative dues',
    method: 'PATCH',
    path: () => `/clubs/${A}`,
    body: () => ({ duesFen: -5 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'settings: unknown field',
    method: 'PATCH',
    path: () => `/clubs/${A}`,
    body: () => ({ remaining: 9999 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'settings: other club',
    method: 'PATCH',
    path: () => `/clubs/${A}`,
    body: () => ({ openJoin: true }),
    status: 403,
    code: 'FORBIDDEN',
    who: 'fb',
  },
  // joining and members
  {
    name: 'join: huge message',
    method: 'POST',
    path: () => `/clubs/${B}/join`,
    body: () => ({ message: huge }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'join: bad phone',
    method: 'POST',
    path: () => `/clubs/${B}/join`,
    body: () => ({ phone: '1380013800' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'join: $-operator body',
    method: 'POST',
    path: () => `/clubs/${B}/join`,
    body: () => ({ $set: { role: 'president' } }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'citizen',
  },
  {
    name: 'join: no such club',
    method: 'POST',
    path: () => `/clubs/${missing}/join`,
    body: () => ({}),
    status: 404,
    code: 'CLUB_NOT_FOUND',
    who: 'citizen',
  },
  {
    name: 'join: twice',
    method: 'POST',
    path: () => `/clubs/${A}/join`,
    body: () => ({}),
    status: 409,
    code: 'CLUB_ALREADY_MEMBER',
    who: 'member',
  },
  {
    name: 'approve: admin of another club',
    method: 'POST',
    path: () => `/clubs/${A}/members/${member.userId}/approve`,
    body: () => ({}),
    status: 403,
    code: 'FORBIDDEN',
    who: 'fb',
  },
  {
    name: 'approve: user id as operator',
    method: 'POST',
    path: () => `/clubs/${A}/members/%7B%22%24gt%22%3A%22%22%7D/approve`,
    body: () => ({}),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'approve: not a request',
    method: 'POST',
    path: () => `/clubs/${A}/members/${citizen.userId}/approve`,
    body: () => ({}),
    status: 404,
    code: 'CLUB_MEMBER_NOT_FOUND',
    who: 'fa',
  },
  {
    name: 'remove: by a member',
    method: 'POST',
    path: () => `/clubs/${A}/members/${fa.userId}/remove`,
    body: () => ({}),
    status: 403,
    code: 'FORBIDDEN',
    who: 'member',
  },
  {
    name: 'remove: the president',
    method: 'POST',
    path: () => `/clubs/${A}/members/${fa.userId}/remove`,
    body: () => ({}),
    status: 403,
    code: 'FORBIDDEN',
    who: 'admin',
  },
  {
    name: 'role: unknown role',
    method: 'POST',
    path: () => `/clubs/${A}/members/${member.userId}/role`,
    body: () => ({ role: 'king' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'role: other club',
    method: 'POST',
    path: () => `/clubs/${A}/members/${member.userId}/role`,
    body: () => ({ role: 'admin' }),
    status: 403,
    code: 'FORBIDDEN',
    who: 'fb',
  },
  {
    name: 'leave: not a member',
    method: 'POST',
    path: () => `/clubs/${B}/leave`,
    body: () => ({}),
    status: 404,
    code: 'CLUB_MEMBER_NOT_FOUND',
    who: 'member',
  },
  {
    name: 'leave: the president',
    method: 'POST',
    path: () => `/clubs/${A}/leave`,
    body: () => ({}),
    status: 422,
    code: 'CLUB_PRESIDENT_CANNOT_LEAVE',
    who: 'fa',
  },
  { name: 'roster: other club', method: 'GET', path: () => `/clubs/${A}/members`, status: 403, code: 'FORBIDDEN', who: 'fb' },
  {
    name: 'roster: bad status',
    method: 'GET',
    path: () => `/clubs/${A}/members?status=left`,
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  // activities
  {
    name: 'activity: other club',
    method: 'POST',
    path: () => `/clubs/${A}/activities`,
    body: () => activityBody(clock),
    status: 403,
    code: 'FORBIDDEN',
    who: 'fb',
  },
  {
    name: 'activity: ends before start',
    method: 'POST',
    path: () => `/clubs/${A}/activities`,
    body: () => activityBody(clock, { endAt: new Date(clock.now().getTime()).toISOString() }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'activity: zero places',
    method: 'POST',
    path: () => `/clubs/${A}/activities`,
    body: () => activityBody(clock, { capacity: 0 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'activity: negative fee',
    method: 'POST',
    path: () => `/clubs/${A}/activities`,
    body: () => activityBody(clock, { feeFen: -1 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'activity: in the past',
    method: 'POST',
    path: () => `/clubs/${A}/activities`,
    body: () => activityBody(clock, { startAt: '2020-01-01T00:00:00Z', endAt: '2020-01-01T01:00:00Z' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'activity: huge title',
    method: 'POST',
    path: () => `/clubs/${A}/activities`,
    body: () => activityBody(clock, { title: huge }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'activity: capacity as operator',
    method: 'POST',
    path: () => `/clubs/${A}/activities`,
    body: () => activityBody(clock, { capacity: { $gt: 0 } }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  // a court for an activity (booking module)
  {
    name: 'activity: booking id as $-operator',
    method: 'POST',
    path: () => `/clubs/${A}/activities`,
    body: () => activityBody(clock, { booking: { bookingId: { $gt: '' } } }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'activity: booking with both a booking and slots',
    method: 'POST',
    path: () => `/clubs/${A}/activities`,
    body: () => activityBody(clock, { booking: { bookingId: missing, slotIds: [missing] } }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'activity: someone’s (or no) booking looks absent',
    method: 'POST',
    path: () => `/clubs/${A}/activities`,
    body: () => activityBody(clock, { booking: { bookingId: missing } }),
    status: 404,
    code: 'BOOKING_NOT_FOUND',
    who: 'fa',
  },
  {
    name: 'attach booking: too many slots',
    method: 'POST',
    path: () => `/clubs/${A}/activities/${activity}/booking`,
    body: () => ({ slotIds: Array.from({ length: 9 }, () => missing) }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'attach booking: other club’s admin',
    method: 'POST',
    path: () => `/clubs/${A}/activities/${activity}/booking`,
    body: () => ({ bookingId: missing }),
    status: 403,
    code: 'FORBIDDEN',
    who: 'fb',
  },
  {
    name: 'attach booking: an activity of another club',
    method: 'POST',
    path: () => `/clubs/${B}/activities/${activity}/booking`,
    body: () => ({ bookingId: missing }),
    status: 404,
    code: 'CLUB_ACTIVITY_NOT_FOUND',
    who: 'fb',
  },
  {
    name: 'attach booking: unknown slots',
    method: 'POST',
    path: () => `/clubs/${A}/activities/${activity}/booking`,
    body: () => ({ slotIds: [missing] }),
    status: 404,
    code: 'SLOT_NOT_FOUND',
    who: 'fa',
  },
  {
    name: 'cancel activity: no reason',
    method: 'POST',
    path: () => `/clubs/${A}/activities/${activity}/cancel`,
    body: () => ({}),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'cancel activity: huge reason, keepBooking as text',
    method: 'POST',
    path: () => `/clubs/${A}/activities/${activity}/cancel`,
    body: () => ({ reason: huge, keepBooking: 'yes' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'cancel activity: a member is not a club admin',
    method: 'POST',
    path: () => `/clubs/${A}/activities/${activity}/cancel`,
    body: () => ({ reason: '取消' }),
    status: 403,
    code: 'FORBIDDEN',
    who: 'member',
  },
  {
    name: 'sign-up: bad id',
    method: 'POST',
    path: () => '/club-activities/nope/signups',
    body: () => ({}),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'member',
  },
  {
    name: 'sign-up: no such activity',
    method: 'POST',
    path: () => `/club-activities/${missing}/signups`,
    body: () => ({}),
    status: 404,
    code: 'CLUB_ACTIVITY_NOT_FOUND',
    who: 'member',
  },
  {
    name: 'sign-up: members only',
    method: 'POST',
    path: () => `/club-activities/${activity}/signups`,
    body: () => ({}),
    status: 403,
    code: 'CLUB_NOT_MEMBER',
    who: 'citizen',
  },
  {
    name: 'check-in: other club',
    method: 'POST',
    path: () => `/clubs/${A}/checkins`,
    body: () => ({ code: 'x'.repeat(40) }),
    status: 403,
    code: 'FORBIDDEN',
    who: 'fb',
  },
  {
    name: 'check-in: code too short',
    method: 'POST',
    path: () => `/clubs/${A}/checkins`,
    body: () => ({ code: 'x' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'check-in: code as operator',
    method: 'POST',
    path: () => `/clubs/${A}/checkins`,
    body: () => ({ code: { $ne: '' } }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  // dues
  {
    name: 'dues: not a member',
    method: 'POST',
    path: () => `/clubs/${B}/dues/pay`,
    body: () => ({}),
    status: 403,
    code: 'CLUB_NOT_MEMBER',
    who: 'member',
  },
  {
    name: 'dues: none set',
    method: 'POST',
    path: () => `/clubs/${A}/dues/pay`,
    body: () => ({}),
    status: 422,
    code: 'CLUB_DUES_NOT_SET',
    who: 'member',
  },
  {
    name: 'dues: bad idempotency key',
    method: 'POST',
    path: () => `/clubs/${A}/dues/pay`,
    body: () => ({}),
    headers: { 'idempotency-key': '{"$gt":""}' },
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'member',
  },
  { name: 'ledger: a member', method: 'GET', path: () => `/clubs/${A}/dues/ledger`, status: 403, code: 'FORBIDDEN', who: 'member' },
  { name: 'ledger xlsx: other club', method: 'GET', path: () => `/clubs/${A}/dues/ledger.xlsx`, status: 403, code: 'FORBIDDEN', who: 'fb' },
  // announcements
  {
    name: 'announce: huge body',
    method: 'POST',
    path: () => `/clubs/${A}/announcements`,
    body: () => ({ title: 't', body: huge }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'announce: pinned as string',
    method: 'POST',
    path: () => `/clubs/${A}/announcements`,
    body: () => ({ title: 't', body: 'b', pinned: 'yes' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'fa',
  },
  {
    name: 'announce: by a member',
    method: 'POST',
    path: () => `/clubs/${A}/announcements`,
    body: () => ({ title: 't', body: 'b' }),
    status: 403,
    code: 'FORBIDDEN',
    who: 'member',
  },
  {
    name: 'announce: other club',
    method: 'POST',
    path: () => `/clubs/${A}/announcements`,
    body: () => ({ title: 't', body: 'b' }),
    status: 403,
    code: 'FORBIDDEN',
    who: 'fb',
  },
  {
    name: 'announcements: not a member',
    method: 'GET',
    path: () => `/clubs/${A}/announcements`,
    status: 403,
    code: 'CLUB_NOT_MEMBER',
    who: 'citizen',
  },
  {
    name: 'pin: other club',
    method: 'POST',
    path: () => `/clubs/${A}/announcements/${missing}/pin`,
    body: () => ({ pinned: true }),
    status: 403,
    code: 'FORBIDDEN',
    who: 'fb',
  },
  {
    name: 'pin: no such post',
    method: 'POST',
    path: () => `/clubs/${A}/announcements/${missing}/pin`,
    body: () => ({ pinned: true }),
    status: 404,
    code: 'NOT_FOUND',
    who: 'fa',
  },
  // directory and ranking
  {
    name: 'directory: sport as operator',
    method: 'GET',
    path: () => '/clubs?sport=%24ne',
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'anon',
  },
  {
    name: 'directory: huge query',
    method: 'GET',
    path: () => `/clubs?q=${'跑'.repeat(500)}`,
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'anon',
  },
  {
    name: 'directory: limit too large',
    method: 'GET',
    path: () => '/clubs?limit=1000',
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'anon',
  },
  { name: 'directory: bad cursor', method: 'GET', path: () => '/clubs?cursor=abc', status: 400, code: 'VALIDATION_FAILED', who: 'anon' },
  {
    name: 'ranking: bad dates',
    method: 'GET',
    path: () => '/clubs/ranking?from=x&to=y',
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'anon',
  },
  {
    name: 'ranking: reversed period',
    method: 'GET',
    path: () => '/clubs/ranking?from=2026-12-01&to=2026-11-01',
    status: 400,
    code: 'VALIDATION_FAILED',
    who: 'anon',
  },
  { name: 'club page: no such club', method: 'GET', path: () => `/clubs/${missing}`, status: 404, code: 'CLUB_NOT_FOUND', who: 'anon' },
  { name: 'admin list: citizen', method: 'GET', path: () => '/admin/clubs', status: 403, code: 'FORBIDDEN', who: 'citizen' },
];

test.each(cases.map((c) => [c.name, c] as const))('%s → 4xx with a code, nothing written', async (_name, c) => {
  const users: Record<Who, User | null> = { admin, fa, fb, member, citizen, anon: null };
  const token = users[c.who]?.token;
  const before = await snapshotDatabase();
  const res = await stack.request(c.method, c.path(), {
    token,
    ...(c.raw
      ? { rawBody: c.raw(), headers: { 'content-type': 'application/json', ...c.headers } }
      : { body: c.body?.(), headers: c.headers }),
  });
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: c.status, code: c.code });
  expect(await snapshotDatabase()).toBe(before);
});

test('a name with HTML is stored as text, exactly as typed', async () => {
  const name = '<b>跑团</b><script>alert(1)</script>';
  const res = await stack.request('POST', '/clubs', { token: citizen.token, body: application({ name: name.slice(0, 40) }) });
  expect(res.status).toBe(201);
  expect(res.body.club.name).toBe(name.slice(0, 40));
});
