/**
 * Bad input on every course endpoint: wrong types, missing fields, huge strings, $-operators and
 * other users' ids each answer a 4xx with a stable code and change nothing (the whole database is
 * compared before and after each request).
 */
import { ManualClock } from '../../cloud/src/platform/clock';
import mongoose from 'mongoose';
import { COUNTS_EVERY_REQUEST } from '../support/db';
import { startTestStack, type TestStack } from '../support/stack';
import { adult, bureauAdmin, child, courseBody, publish, trainingOrg, type User } from './courses-support';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
let stack: TestStack;
let admin: User;
let provider: User;
let otherProvider: User;
let citizen: User;
let owner: User;
let orgId: string;
let courseId: string;
let enrolmentId: string;

beforeAll(async () => {
  stack = await startTestStack('coursesweep', { clock, wechatPay: { signMode: 'public_key' } });
  admin = await bureauAdmin(stack, 'sweep-course-admin');
  provider = await stack.login('sweep-course-provider');
  otherProvider = await stack.login('sweep-course-other');
  citizen = await stack.login('sweep-course-citizen');
  owner = await stack.login('sweep-course-owner');
  orgId = await trainingOrg(stack, admin, provider);
  await trainingOrg(stack, admin, otherProvider, '别家机构');
  courseId = await publish(stack, provider, courseBody(clock.now(), orgId, { minAge: 6, maxAge: 60 }));
  const e = await stack.request('POST', `/courses/${courseId}/enrolments`, { token: owner.token, body: adult('周周', '19900303') });
  enrolmentId = e.body.enrolment.id;
}, 60_000);
afterAll(() => stack.stop());

/**
 * What a course request could write, in full, and how many documents every other collection holds
 * (the whole dump per request would cost the suite a minute); a failing diff names the collection.
 */
const WATCHED = [
  'courses',
  'course_enrolments',
  'training_orgs',
  'audit_log',
  'outbox',
  'tickets',
  'orders',
  'idempotency_claims',
  'users',
];
async function snapshotDatabase(): Promise<Record<string, string>> {
  const db = mongoose.connection.db!;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((n) => !n.startsWith('system.') && !COUNTS_EVERY_REQUEST.has(n));
  const rows = await Promise.all(
    names.map(
      async (n) =>
        [
          n,
          WATCHED.includes(n)
            ? JSON.stringify(await db.collection(n).find({}).sort({ _id: 1 }).toArray())
            : String(await db.collection(n).countDocuments()),
        ] as const,
    ),
  );
  return Object.fromEntries(rows);
}
function changed(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
}
const OP = '%7B%22%24ne%22%3A1%7D';
const huge = 'x'.repeat(20_000);
const who = { admin: () => admin, provider: () => provider, other: () => otherProvider, citizen: () => citizen, owner: () => owner };
type Case = [string, string, () => string, (() => unknown) | undefined, number, string, keyof typeof who, Record<string, string>?];
const body = (over: Record<string, unknown> = {}) => courseBody(clock.now(), orgId, over);

const cases: Case[] = [
  // publishing
  ['publish: capacity as string', 'POST', () => '/provider/courses', () => body({ capacity: '20' }), 400, 'VALIDATION_FAILED', 'provider'],
  [
    'publish: missing lessons',
    'POST',
    () => '/provider/courses',
    () => ({ ...body(), lessons: undefined }),
    400,
    'VALIDATION_FAILED',
    'provider',
  ],
  ['publish: no lessons', 'POST', () => '/provider/courses', () => body({ lessons: [] }), 400, 'VALIDATION_FAILED', 'provider'],
  ['publish: huge title', 'POST', () => '/provider/courses', () => body({ title: huge }), 400, 'VALIDATION_FAILED', 'provider'],
  ['publish: $ in sport', 'POST', () => '/provider/courses', () => body({ sport: { $ne: 'x' } }), 400, 'VALIDATION_FAILED', 'provider'],
  [
    'publish: $ in provider id',
    'POST',
    () => '/provider/courses',
    () => body({ provider: { organisationId: { $gt: '' } } }),
    400,
    'VALIDATION_FAILED',
    'provider',
  ],
  ['publish: negative price', 'POST', () => '/provider/courses', () => body({ priceFen: -1 }), 400, 'VALIDATION_FAILED', 'provider'],
  ['publish: fractional price', 'POST', () => '/provider/courses', () => body({ priceFen: 10.5 }), 400, 'VALIDATION_FAILED', 'provider'],
  ['publish: unknown field', 'POST', () => '/provider/courses', () => body({ remaining: 999 }), 400, 'VALIDATION_FAILED', 'provider'],
  [
    'publish: bad refund rule',
    'POST',
    () => '/provider/courses',
    () => body({ refundRule: { beforeStart: 'half' } }),
    400,
    'VALIDATION_FAILED',
    'provider',
  ],
  [
    'publish: ages reversed',
    'POST',
    () => '/provider/courses',
    () => body({ minAge: 12, maxAge: 6 }),
    422,
    'COURSE_INVALID_SCHEDULE',
    'provider',
  ],
  [
    'publish: lesson ends before it starts',
    'POST',
    () => '/provider/courses',
    () =>
      body({
        lessons: [{ startAt: '2026-12-20T02:00:00Z', endAt: '2026-12-20T01:00:00Z' }],
        certificateMinLessons: 1,
        refundRule: { beforeStart: 'full', afterStart: 'none', noRefundFromLesson: 1 },
      }),
    422,
    'COURSE_INVALID_SCHEDULE',
    'provider',
  ],
  [
    'publish: unknown venue',
    'POST',
    () => '/provider/courses',
    () => body({ place: { venueId: '0123456789abcdef01234567' } }),
    404,
    'VENUE_NOT_FOUND',
    'provider',
  ],
  [
    'publish: unknown instructor',
    'POST',
    () => '/provider/courses',
    () => body({ teacher: { instructorId: '0123456789abcdef01234567' } }),
    404,
    'INSTRUCTOR_NOT_FOUND',
    'provider',
  ],
  ['publish: for another organisation', 'POST', () => '/provider/courses', () => body(), 403, 'FORBIDDEN', 'other'],
  ['publish: a citizen', 'POST', () => '/provider/courses', () => body(), 403, 'FORBIDDEN', 'citizen'],
  // listing and detail
  ['list: bad sport', 'GET', () => '/courses?sport=curling', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['list: age as text', 'GET', () => '/courses?age=ten', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['list: $ in district', 'GET', () => '/courses?district[$ne]=x', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['list: bad cursor', 'GET', () => '/courses?cursor=zzz', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['detail: operator id', 'GET', () => `/courses/${OP}`, undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['detail: unknown', 'GET', () => '/courses/0123456789abcdef01234567', undefined, 404, 'COURSE_NOT_FOUND', 'citizen'],
  // enrolling
  ['enrol: no participant', 'POST', () => `/courses/${courseId}/enrolments`, () => ({}), 400, 'VALIDATION_FAILED', 'citizen'],
  [
    'enrol: id number as number',
    'POST',
    () => `/courses/${courseId}/enrolments`,
    () => ({ participant: { name: '甲', idNumber: 320508 } }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'enrol: huge name',
    'POST',
    () => `/courses/${courseId}/enrolments`,
    () => ({ participant: { name: huge, idNumber: '1' } }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'enrol: $ in id number',
    'POST',
    () => `/courses/${courseId}/enrolments`,
    () => ({ participant: { name: '甲', idNumber: { $gt: '' } } }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'enrol: bad checksum',
    'POST',
    () => `/courses/${courseId}/enrolments`,
    () => ({ participant: { name: '甲', idNumber: '320508199001011230' } }),
    400,
    'ID_NUMBER_INVALID',
    'citizen',
  ],
  [
    'enrol: consent not accepted',
    'POST',
    () => `/courses/${courseId}/enrolments`,
    () => ({ ...child(), guardianConsent: { name: '王', relation: 'parent', accepted: false } }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'enrol: minor without consent',
    'POST',
    () => `/courses/${courseId}/enrolments`,
    () => ({ participant: child().participant }),
    422,
    'GUARDIAN_CONSENT_REQUIRED',
    'citizen',
  ],
  [
    'enrol: too old',
    'POST',
    () => `/courses/${courseId}/enrolments`,
    () => adult('老李', '19400101'),
    422,
    'COURSE_AGE_OUT_OF_RANGE',
    'citizen',
  ],
  [
    'enrol: bad idempotency key',
    'POST',
    () => `/courses/${courseId}/enrolments`,
    () => adult(),
    400,
    'VALIDATION_FAILED',
    'citizen',
    { 'Idempotency-Key': '$ne' },
  ],
  [
    'enrol: unknown course',
    'POST',
    () => '/courses/0123456789abcdef01234567/enrolments',
    () => adult(),
    404,
    'COURSE_NOT_FOUND',
    'citizen',
  ],
  ['enrol: operator course id', 'POST', () => `/courses/${OP}/enrolments`, () => adult(), 400, 'VALIDATION_FAILED', 'citizen'],
  // cancelling, my enrolments, certificates
  [
    "cancel: someone else's enrolment",
    'POST',
    () => `/enrolments/${enrolmentId}/cancel`,
    () => ({}),
    404,
    'ENROLMENT_NOT_FOUND',
    'citizen',
  ],
  ['cancel: operator id', 'POST', () => `/enrolments/${OP}/cancel`, () => ({}), 400, 'VALIDATION_FAILED', 'owner'],
  ['cancel: huge reason', 'POST', () => `/enrolments/${enrolmentId}/cancel`, () => ({ reason: huge }), 400, 'VALIDATION_FAILED', 'owner'],
  [
    'cancel: reason as object',
    'POST',
    () => `/enrolments/${enrolmentId}/cancel`,
    () => ({ reason: { $set: 1 } }),
    400,
    'VALIDATION_FAILED',
    'owner',
  ],
  ["my enrolment: someone else's", 'GET', () => `/me/enrolments/${enrolmentId}`, undefined, 404, 'ENROLMENT_NOT_FOUND', 'citizen'],
  [
    "certificate: someone else's",
    'GET',
    () => `/me/enrolments/${enrolmentId}/certificate`,
    undefined,
    404,
    'ENROLMENT_NOT_FOUND',
    'citizen',
  ],
  ['certificate: not earned', 'GET', () => `/me/enrolments/${enrolmentId}/certificate`, undefined, 422, 'CERTIFICATE_NOT_EARNED', 'owner'],
  [
    'verify certificate: bad signature',
    'GET',
    () => `/course-certificates/${enrolmentId}?sig=$ne`,
    undefined,
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  // provider pages
  [
    "provider: another organisation's course",
    'GET',
    () => `/provider/courses/${courseId}/attendance`,
    undefined,
    403,
    'FORBIDDEN',
    'other',
  ],
  ['provider: a citizen edits', 'PATCH', () => `/provider/courses/${courseId}`, () => ({ title: '改名' }), 403, 'FORBIDDEN', 'citizen'],
  [
    'provider: edit price (not editable)',
    'PATCH',
    () => `/provider/courses/${courseId}`,
    () => ({ priceFen: 1 }),
    400,
    'VALIDATION_FAILED',
    'provider',
  ],
  [
    'provider: edit huge title',
    'PATCH',
    () => `/provider/courses/${courseId}`,
    () => ({ title: huge }),
    400,
    'VALIDATION_FAILED',
    'provider',
  ],
  [
    'provider: check-in without code',
    'POST',
    () => `/provider/courses/${courseId}/checkins`,
    () => ({}),
    400,
    'VALIDATION_FAILED',
    'provider',
  ],
  [
    'provider: cancel without reason',
    'POST',
    () => `/provider/courses/${courseId}/cancel`,
    () => ({}),
    400,
    'VALIDATION_FAILED',
    'provider',
  ],
  [
    'provider: another organisation cancels',
    'POST',
    () => `/provider/courses/${courseId}/cancel`,
    () => ({ reason: '不办了' }),
    403,
    'FORBIDDEN',
    'other',
  ],
  [
    'provider: unknown course',
    'GET',
    () => '/provider/courses/0123456789abcdef01234567/attendance',
    undefined,
    404,
    'COURSE_NOT_FOUND',
    'provider',
  ],
  // the bureau
  ['org: a citizen', 'POST', () => '/admin/training-orgs', () => ({}), 403, 'FORBIDDEN', 'provider'],
  [
    'org: bad credit code',
    'POST',
    () => '/admin/training-orgs',
    () => ({ name: '机构', district: '姑苏区', creditCode: '123', contactName: '王', managerUserId: citizen.userId }),
    400,
    'VALIDATION_FAILED',
    'admin',
  ],
  [
    'org: $ in manager',
    'POST',
    () => '/admin/training-orgs',
    () => ({ name: '机构', district: '姑苏区', creditCode: '52320500000000999X', contactName: '王', managerUserId: { $ne: '' } }),
    400,
    'VALIDATION_FAILED',
    'admin',
  ],
  [
    'org: unknown manager',
    'POST',
    () => '/admin/training-orgs',
    () => ({
      name: '机构',
      district: '姑苏区',
      creditCode: '52320500000000998X',
      contactName: '王',
      managerUserId: '0123456789abcdef01234567',
    }),
    404,
    'USER_NOT_FOUND',
    'admin',
  ],
];

// a rest parameter: jest would take an eighth named parameter for its `done` callback
// nothing is ever written, so every case is compared with the state after setup
let baseline: Record<string, string>;
beforeAll(async () => {
  baseline = await snapshotDatabase();
});
test.each(cases)('%s', async (...[, method, path, payload, status, code, as, headers]: Case) => {
  const before = baseline;
  const res = await stack.request(method, path(), { token: who[as]().token, body: payload?.(), headers });
  expect([res.status, res.body.error?.code]).toEqual([status, code]);
  expect(changed(before, await snapshotDatabase())).toEqual([]);
});

test('a forged code at check-in is refused (the denied scan is logged, nothing else changes)', async () => {
  const before = await snapshotDatabase();
  const res = await stack.request('POST', `/provider/courses/${courseId}/checkins`, { token: provider.token, body: { code: 'forged' } });
  expect([res.status, res.body.error.code]).toEqual([400, 'TICKET_INVALID']);
  expect(changed(before, await snapshotDatabase()).filter((c) => c !== 'verifications')).toEqual([]);
});

test('not logged in: enrol, cancel, my enrolments and provider pages answer 401', async () => {
  for (const [method, path] of [
    ['POST', `/courses/${courseId}/enrolments`],
    ['POST', `/enrolments/${enrolmentId}/cancel`],
    ['GET', '/me/enrolments'],
    ['POST', '/provider/courses'],
  ] as const)
    expect((await stack.request(method, path, { body: {} })).status).toBe(401);
});
