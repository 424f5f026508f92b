/**
 * The engine unreachable → 503 SERVICE_UNAVAILABLE with Retry-After, not a 500 (issue 18, faults).
 * tests/faults/engine-restart.test.ts stops a real engine; here the driver's own errors are thrown
 * from one write, so the mapping is checked on every run of the API suite.
 */
import { MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { MongooseError } from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { isEngineUnavailable, toErrorResponse } from '../../cloud/src/platform/errors';
import { Booking } from '../../cloud/src/modules/booking/booking.model';
import { startTestStack, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack('engineaway', { clock });
}, 60_000);
afterEach(() => jest.restoreAllMocks());
afterAll(() => stack.stop());

const away = () => [
  new MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:27017', { type: 'Unknown', servers: new Map() } as never),
  new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed'),
  new MongooseError('Operation `bookings.insertOne()` buffering timed out after 10000ms'),
  // the driver rethrows a broken socket's error unwrapped when it was waiting for 'drain'
  Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' }),
];

test('the driver\'s "engine away" errors are 503 SERVICE_UNAVAILABLE; others are not', () => {
  for (const err of away())
    expect([isEngineUnavailable(err), toErrorResponse(err).status, toErrorResponse(err).code]).toEqual([true, 503, 'SERVICE_UNAVAILABLE']);
  expect(isEngineUnavailable(new Error('boom'))).toBe(false);
  expect(isEngineUnavailable(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(false);
  expect(toErrorResponse(new MongooseError('Model.find() no longer accepts a callback')).status).toBe(500);
});

test.each(away().map((e) => [(e as { code?: string }).code ?? e.name, e] as const))(
  'a request whose write meets %s answers 503 with Retry-After',
  async (_name, err) => {
    const v = await createTestVenue(stack, { name: `断库馆-${_name}` });
    const user = await stack.login(`away-${_name}`);
    const [slot] = await slotsOf(v.courtId, daysAhead(clock, 1));
    jest.spyOn(Booking.collection, 'insertOne').mockRejectedValueOnce(err);
    const res = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } });
    expect([res.status, res.body.error.code, res.headers.get('retry-after')]).toEqual([503, 'SERVICE_UNAVAILABLE', '5']);
    expect(JSON.stringify(res.body)).not.toMatch(/27017|ECONNREFUSED|buffering/); // nothing of the engine's address or state
    // the engine is back: the same citizen books
    const again = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } });
    expect(again.status).toBe(201);
  },
);
