/**
 * Bad input on the endpoints whose own suites test their flows: wrong types, missing fields,
 * huge strings, $-operators and other users' ids each answer a 4xx with a stable code and change nothing.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { COUNTS_EVERY_REQUEST, snapshotDatabase } from '../support/db';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue } from '../support/venue-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;
let manager: { token: string; userId: string };
let citizen: { token: string; userId: string };
let venue: Awaited<ReturnType<typeof createTestVenue>>;

beforeAll(async () => {
  stack = await startTestStack('sweep', { clock, wechatPay: { signMode: 'public_key' } });
  venue = await createTestVenue(stack, { name: '输入校验馆' });
  manager = await stack.login('sweep-manager');
  await grant(stack, manager.userId, 'venue_manager', venue.venueId);
  await grant(stack, manager.userId, 'staff', venue.venueId);
  citizen = await stack.login('sweep-citizen');
}, 60_000);
afterAll(() => stack.stop());

const snapshot = snapshotDatabase;

test('the snapshot covers every collection, including resources, verifications and bans', async () => {
  const names = (await mongoose.connection.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  expect(names).toEqual(expect.arrayContaining(['venues', 'resources', 'slots', 'verifications', 'booking_bans', 'audit_log']));
  const snap = JSON.parse(await snapshot()) as Record<string, unknown[]>;
  // every collection but the one named as counting every request (the shared rate-limit budget)
  expect([...COUNTS_EVERY_REQUEST]).toEqual(Array.from({ length: 64 }, (_, i) => `rate_limits_${String(i).padStart(2, '0')}`));
  expect(Object.keys(snap).sort()).toEqual(names.filter((n) => !n.startsWith('system.') && !COUNTS_EVERY_REQUEST.has(n)).sort());
});

type Case = [string, string, () => string, (() => unknown) | undefined, number, string, 'manager' | 'citizen'];
const cases: Case[] = [
  [
    'rules: wrong type',
    'PUT',
    () => `/manage/venues/${venue.venueId}/rules`,
    () => ({ holdMinutes: '10' }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'rules: out of range',
    'PUT',
    () => `/manage/venues/${venue.venueId}/rules`,
    () => ({ advanceDays: 400 }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'rules: $-operator',
    'PUT',
    () => `/manage/venues/${venue.venueId}/rules`,
    () => ({ releaseTime: { $gt: '' } }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'rules: unknown field',
    'PUT',
    () => `/manage/venues/${venue.venueId}/rules`,
    () => ({ minPriceFen: 0 }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'rules: venue id as operator',
    'PUT',
    () => '/manage/venues/%7B%22%24ne%22%3A1%7D/rules',
    () => ({ holdMinutes: 5 }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'rules: unknown venue',
    'PUT',
    () => '/manage/venues/0123456789abcdef01234567/rules',
    () => ({ holdMinutes: 5 }),
    404,
    'VENUE_NOT_FOUND',
    'manager',
  ],
  [
    'close day: bad date',
    'POST',
    () => `/manage/venues/${venue.venueId}/close-day`,
    () => ({ date: '2026/12/01', reason: '检修' }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'close day: missing reason',
    'POST',
    () => `/manage/venues/${venue.venueId}/close-day`,
    () => ({ date: '2026-12-01' }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'close day: huge reason',
    'POST',
    () => `/manage/venues/${venue.venueId}/close-day`,
    () => ({ date: '2026-12-01', reason: '修'.repeat(5000) }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'close slot: unknown slot',
    'POST',
    () => '/manage/slots/0123456789abcdef01234567/close',
    () => ({ reason: '检修' }),
    404,
    'SLOT_NOT_FOUND',
    'manager',
  ],
  ['close slot: bad id', 'POST', () => '/manage/slots/abc/close', () => ({ reason: '检修' }), 400, 'VALIDATION_FAILED', 'manager'],
  [
    'templates: bad weekday',
    'PUT',
    () => `/manage/resources/${venue.courtId}/templates`,
    () => ({ templates: [{ weekdays: [8], start: '08:00', end: '09:00', priceFen: 0, capacity: 1 }] }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'templates: negative price',
    'PUT',
    () => `/manage/resources/${venue.courtId}/templates`,
    () => ({ templates: [{ weekdays: [1], start: '08:00', end: '09:00', priceFen: -1, capacity: 1 }] }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'day bookings: bad date',
    'GET',
    () => `/manage/venues/${venue.venueId}/bookings?date=tomorrow`,
    undefined,
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  ['ban lift: bad ban id', 'POST', () => '/manage/bans/%24where/lift', () => ({ reason: '解除' }), 400, 'VALIDATION_FAILED', 'manager'],
  [
    'ban lift: unknown ban',
    'POST',
    () => `/manage/bans/${'0'.repeat(24)}:${venue.venueId}:2026-11-01/lift`,
    () => ({ reason: '解除' }),
    404,
    'BAN_NOT_FOUND',
    'manager',
  ],
  [
    'subscriptions: missing accepted',
    'POST',
    () => '/notifications/subscriptions',
    () => ({ templateIds: ['booking_reminder'] }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'subscriptions: template id as operator',
    'POST',
    () => '/notifications/subscriptions',
    () => ({ templateIds: [{ $gt: '' }], accepted: true }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'subscriptions: too many',
    'POST',
    () => '/notifications/subscriptions',
    () => ({ templateIds: ['a', 'b', 'c', 'd'], accepted: true }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'subscriptions: huge id',
    'POST',
    () => '/notifications/subscriptions',
    () => ({ templateIds: ['x'.repeat(1000)], accepted: true }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  ['orders: bad cursor', 'GET', () => '/orders/mine?cursor=zzz', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['orders: bad limit', 'GET', () => '/orders/mine?limit=-1', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['subsidy report: not an admin', 'GET', () => '/admin/reports/subsidy', undefined, 403, 'FORBIDDEN', 'citizen'],
  ['ticket code: bad id', 'GET', () => '/tickets/%7B%22%24gt%22%3A%22%22%7D/code', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['ticket code: unknown', 'GET', () => '/tickets/0123456789abcdef01234567/code', undefined, 404, 'TICKET_NOT_FOUND', 'citizen'],
  [
    'sync: no scans',
    'POST',
    () => '/verifications/sync',
    () => ({ venueId: venue.venueId, scans: [] }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'sync: bad time',
    'POST',
    () => '/verifications/sync',
    () => ({ venueId: venue.venueId, scans: [{ code: 'x', nonce: 'abcdefgh1', scannedAt: 'now' }] }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'sync: 501 scans',
    'POST',
    () => '/verifications/sync',
    () => ({
      venueId: venue.venueId,
      scans: Array.from({ length: 501 }, (_, i) => ({
        code: 'x',
        nonce: `nonce-${String(i).padStart(4, '0')}`,
        scannedAt: new Date().toISOString(),
      })),
    }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'sync: a citizen',
    'POST',
    () => '/verifications/sync',
    () => ({ venueId: venue.venueId, scans: [{ code: 'x', nonce: 'abcdefgh1', scannedAt: new Date().toISOString() }] }),
    403,
    'FORBIDDEN',
    'citizen',
  ],
  ['today: bad venue', 'GET', () => '/verifications/today?venueId=%24ne', undefined, 400, 'VALIDATION_FAILED', 'manager'],
  ['today: a citizen', 'GET', () => `/verifications/today?venueId=${venue.venueId}`, undefined, 403, 'FORBIDDEN', 'citizen'],
];

test.each(cases)('%s', async (_label, method, path, body, status, code, who) => {
  const before = await snapshot();
  const res = await stack.request(method, path(), { token: (who === 'manager' ? manager : citizen).token, body: body?.() });
  expect([res.status, res.body.error?.code]).toEqual([status, code]);
  expect(await snapshot()).toEqual(before);
});
