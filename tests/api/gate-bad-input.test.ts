/**
 * Bad input over the device and kiosk endpoints (issue 16): wrong types, missing fields, huge
 * strings, $-operators, prototype keys, other venues' ids — each a 4xx with a stable code, nothing
 * written (a signed device request with a bad body claims no nonce either).
 */
import { ManualClock } from '../../cloud/src/platform/clock';
import { GateDevice } from '../../cloud/src/modules/gate/client/device-client';
import { snapshotDatabase } from '../support/db';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue } from '../support/venue-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;
let manager: { token: string; userId: string };
let citizen: { token: string; userId: string };
let venue: Awaited<ReturnType<typeof createTestVenue>>;
let other: Awaited<ReturnType<typeof createTestVenue>>;
let device: GateDevice;
let otherDeviceId: string;
let otherProductId: string;

beforeAll(async () => {
  stack = await startTestStack('gate-sweep', { clock, wechatPay: { signMode: 'public_key' } });
  venue = await createTestVenue(stack, { name: '闸机校验馆' });
  other = await createTestVenue(stack, { name: '另一馆' });
  manager = await stack.login('gate-sweep-manager');
  citizen = await stack.login('gate-sweep-citizen');
  await grant(stack, manager.userId, 'venue_manager', venue.venueId);
  const otherManager = await stack.login('gate-sweep-other');
  await grant(stack, otherManager.userId, 'venue_manager', other.venueId);
  const reg = await stack.request('POST', `/manage/venues/${venue.venueId}/devices`, {
    token: manager.token,
    body: { name: '1号', gate: '东门', direction: 'in' },
  });
  device = await GateDevice.pair(`${stack.url}/api/v1`, reg.body.pairingCode, { now: () => clock.now() });
  const foreign = await stack.request('POST', `/manage/venues/${other.venueId}/devices`, {
    token: otherManager.token,
    body: { name: '2号', gate: '西门', direction: 'in' },
  });
  otherDeviceId = foreign.body.device.id;
  const p = await stack.request('POST', `/manage/venues/${other.venueId}/walk-up-products`, {
    token: otherManager.token,
    body: { name: '游泳', sport: 'swimming', durationMinutes: 120, priceFen: 1500, dailyCapacity: 5 },
  });
  otherProductId = p.body.product.id;
}, 90_000);
afterAll(() => stack.stop());

const huge = 'x'.repeat(5_000);
type Who = 'manager' | 'citizen' | 'device' | 'anyone';
type Case = [string, string, () => string, (() => unknown) | undefined, number, string, Who];
const cases: Case[] = [
  [
    'register: direction not in/out',
    'POST',
    () => `/manage/venues/${venue.venueId}/devices`,
    () => ({ name: 'a', gate: 'b', direction: 'up' }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'register: missing name',
    'POST',
    () => `/manage/venues/${venue.venueId}/devices`,
    () => ({ gate: 'b', direction: 'in' }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'register: empty name',
    'POST',
    () => `/manage/venues/${venue.venueId}/devices`,
    () => ({ name: '  ', gate: 'b', direction: 'in' }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'register: huge name',
    'POST',
    () => `/manage/venues/${venue.venueId}/devices`,
    () => ({ name: huge, gate: 'b', direction: 'in' }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'register: $-operator',
    'POST',
    () => `/manage/venues/${venue.venueId}/devices`,
    () => ({ name: { $gt: '' }, gate: 'b', direction: 'in' }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'register: prototype key',
    'POST',
    () => `/manage/venues/${venue.venueId}/devices`,
    () => JSON.parse('{"name":"a","gate":"b","direction":"in","__proto__":{"admin":true}}'),
    400,
    'BAD_JSON',
    'manager',
  ],
  [
    'register: another venue',
    'POST',
    () => `/manage/venues/${other.venueId}/devices`,
    () => ({ name: 'a', gate: 'b', direction: 'in' }),
    403,
    'FORBIDDEN',
    'manager',
  ],
  [
    'register: a citizen',
    'POST',
    () => `/manage/venues/${venue.venueId}/devices`,
    () => ({ name: 'a', gate: 'b', direction: 'in' }),
    403,
    'FORBIDDEN',
    'citizen',
  ],
  [
    'register: bad venue id',
    'POST',
    () => '/manage/venues/%24ne/devices',
    () => ({ name: 'a', gate: 'b', direction: 'in' }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'revoke: another venue’s device',
    'DELETE',
    () => `/manage/venues/${venue.venueId}/devices/${otherDeviceId}`,
    undefined,
    404,
    'DEVICE_NOT_FOUND',
    'manager',
  ],
  ['revoke: bad device id', 'DELETE', () => `/manage/venues/${venue.venueId}/devices/zz`, undefined, 400, 'VALIDATION_FAILED', 'manager'],
  [
    'capacity: zero',
    'PUT',
    () => `/manage/venues/${venue.venueId}/occupancy`,
    () => ({ capacity: 0 }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'capacity: string',
    'PUT',
    () => `/manage/venues/${venue.venueId}/occupancy`,
    () => ({ capacity: '10' }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'capacity: another venue',
    'PUT',
    () => `/manage/venues/${other.venueId}/occupancy`,
    () => ({ capacity: 10 }),
    403,
    'FORBIDDEN',
    'manager',
  ],
  ['occupancy: bad venue id', 'GET', () => '/venues/%7B%24ne%7D/occupancy', undefined, 400, 'VALIDATION_FAILED', 'anyone'],
  ['occupancy: no such venue', 'GET', () => '/venues/0123456789abcdef01234567/occupancy', undefined, 404, 'VENUE_NOT_FOUND', 'anyone'],
  [
    'pair: malformed code',
    'POST',
    () => '/devices/pair',
    () => ({ pairingCode: 'abc', publicKey: 'A'.repeat(43) + '=' }),
    400,
    'VALIDATION_FAILED',
    'anyone',
  ],
  [
    'pair: $-operator code',
    'POST',
    () => '/devices/pair',
    () => ({ pairingCode: { $ne: null }, publicKey: 'A'.repeat(43) + '=' }),
    400,
    'VALIDATION_FAILED',
    'anyone',
  ],
  ['pair: missing key', 'POST', () => '/devices/pair', () => ({ pairingCode: 'ABCDEFGHJK' }), 400, 'VALIDATION_FAILED', 'anyone'],
  [
    'pair: unknown code',
    'POST',
    () => '/devices/pair',
    () => ({ pairingCode: 'ABCDEFGHJK', publicKey: 'A'.repeat(43) + '=' }),
    401,
    'PAIRING_CODE_INVALID',
    'anyone',
  ],
  [
    'verify: unsigned',
    'POST',
    () => '/devices/verify',
    () => ({ code: 'CS1.x.y', nonce: 'abcdefgh1' }),
    401,
    'DEVICE_UNAUTHENTICATED',
    'anyone',
  ],
  [
    'verify: a citizen token is not a device',
    'POST',
    () => '/devices/verify',
    () => ({ code: 'CS1.x.y', nonce: 'abcdefgh1' }),
    401,
    'DEVICE_UNAUTHENTICATED',
    'citizen',
  ],
  ['verify: missing nonce', 'POST', () => '/devices/verify', () => ({ code: 'CS1.x.y' }), 400, 'VALIDATION_FAILED', 'device'],
  ['verify: huge code', 'POST', () => '/devices/verify', () => ({ code: huge, nonce: 'abcdefgh1' }), 400, 'VALIDATION_FAILED', 'device'],
  [
    'verify: $-operator code',
    'POST',
    () => '/devices/verify',
    () => ({ code: { $ne: '' }, nonce: 'abcdefgh1' }),
    400,
    'VALIDATION_FAILED',
    'device',
  ],
  [
    'verify: extra field',
    'POST',
    () => '/devices/verify',
    () => ({ code: 'CS1.x.y', nonce: 'abcdefgh1', venueId: other.venueId }),
    400,
    'VALIDATION_FAILED',
    'device',
  ],
  [
    'verify: prototype key',
    'POST',
    () => '/devices/verify',
    () => JSON.parse('{"code":"CS1.x.y","nonce":"abcdefgh1","__proto__":{"x":1}}'),
    400,
    'BAD_JSON',
    'device',
  ],
  [
    'heartbeat: negative',
    'POST',
    () => '/devices/heartbeat',
    () => ({ pendingUploads: -1, offlineSince: null }),
    400,
    'VALIDATION_FAILED',
    'device',
  ],
  [
    'heartbeat: string',
    'POST',
    () => '/devices/heartbeat',
    () => ({ pendingUploads: '3', offlineSince: null }),
    400,
    'VALIDATION_FAILED',
    'device',
  ],
  ['sync: no scans', 'POST', () => '/devices/sync', () => ({ scans: [] }), 400, 'VALIDATION_FAILED', 'device'],
  [
    'sync: 501 scans',
    'POST',
    () => '/devices/sync',
    () => ({
      scans: Array.from({ length: 501 }, (_, i) => ({
        code: 'x',
        nonce: `nonce-${String(i).padStart(4, '0')}`,
        scannedAt: new Date().toISOString(),
      })),
    }),
    400,
    'VALIDATION_FAILED',
    'device',
  ],
  [
    'sync: bad time',
    'POST',
    () => '/devices/sync',
    () => ({ scans: [{ code: 'x', nonce: 'abcdefgh1', scannedAt: 'now' }] }),
    400,
    'VALIDATION_FAILED',
    'device',
  ],
  [
    'sync: $-operator nonce',
    'POST',
    () => '/devices/sync',
    () => ({ scans: [{ code: 'x', nonce: { $gt: '' }, scannedAt: new Date().toISOString() }] }),
    400,
    'VALIDATION_FAILED',
    'device',
  ],
  ['walk-up: missing product', 'POST', () => `/venues/${venue.venueId}/walk-up`, () => ({}), 400, 'VALIDATION_FAILED', 'citizen'],
  [
    'walk-up: $-operator product',
    'POST',
    () => `/venues/${venue.venueId}/walk-up`,
    () => ({ productId: { $ne: null } }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'walk-up: huge product',
    'POST',
    () => `/venues/${venue.venueId}/walk-up`,
    () => ({ productId: huge }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'walk-up: another venue’s product',
    'POST',
    () => `/venues/${venue.venueId}/walk-up`,
    () => ({ productId: otherProductId }),
    404,
    'WALKUP_PRODUCT_NOT_FOUND',
    'citizen',
  ],
  [
    'walk-up: native=2',
    'POST',
    () => `/venues/${other.venueId}/walk-up?native=2`,
    () => ({ productId: otherProductId }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'walk-up: not logged in',
    'POST',
    () => `/venues/${other.venueId}/walk-up`,
    () => ({ productId: otherProductId }),
    401,
    'UNAUTHENTICATED',
    'anyone',
  ],
  [
    'walk-up: bad venue id',
    'POST',
    () => '/venues/abc/walk-up',
    () => ({ productId: otherProductId }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'walk-up product: negative price',
    'POST',
    () => `/manage/venues/${venue.venueId}/walk-up-products`,
    () => ({ name: '游泳', sport: 'swimming', durationMinutes: 120, priceFen: -1, dailyCapacity: 5 }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'walk-up product: unknown sport',
    'POST',
    () => `/manage/venues/${venue.venueId}/walk-up-products`,
    () => ({ name: '游泳', sport: 'quidditch', durationMinutes: 120, priceFen: 100, dailyCapacity: 5 }),
    400,
    'VALIDATION_FAILED',
    'manager',
  ],
  [
    'walk-up product: a citizen',
    'POST',
    () => `/manage/venues/${venue.venueId}/walk-up-products`,
    () => ({ name: '游泳', sport: 'swimming', durationMinutes: 120, priceFen: 100, dailyCapacity: 5 }),
    403,
    'FORBIDDEN',
    'citizen',
  ],
];

test.each(cases)('%s', async (_label, method, path, body, status, code, who) => {
  const before = await snapshotDatabase();
  const raw = body === undefined ? undefined : JSON.stringify(body());
  const headers = who === 'device' ? device.signedHeaders(method, `/api/v1${path()}`, raw ?? '') : undefined;
  const token = who === 'manager' ? manager.token : who === 'citizen' ? citizen.token : undefined;
  const res = await stack.request(method, path(), { token, rawBody: raw, headers });
  expect([res.status, res.body.error?.code]).toEqual([status, code]);
  expect(await snapshotDatabase()).toEqual(before);
});
