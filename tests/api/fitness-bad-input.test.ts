/**
 * Bad input on every fitness-test endpoint: wrong types, missing fields, huge strings, $-operators,
 * prototype keys, other users' / stations' ids → a 4xx with a stable code, nothing written, never 500.
 */
import { FITNESS_CONSENT_VERSION } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { snapshotDatabase } from '../support/db';
import { grant, type TestStack } from '../support/stack';
import { createTestStation, idNumberFor, startFitnessStack } from '../support/fitness-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;
let st: Awaited<ReturnType<typeof createTestStation>>;
let other: Awaited<ReturnType<typeof createTestStation>>;
let staff: { token: string; userId: string };
let citizen: { token: string; userId: string };
let owner: { token: string; userId: string };
let ownersReportId: string;
let ownersBookingId: string;
const consent = { healthData: true, version: FITNESS_CONSENT_VERSION };
let participant: { name: string; idNumber: string };
const HUGE = 'x'.repeat(200_000);

beforeAll(async () => {
  let day: string;
  ({
    stack,
    day,
    stations: [st, other],
    staff: [staff],
    users: [citizen, owner],
  } = await startFitnessStack('fitness-sweep', {
    clock,
    stations: [{ name: '校验站' }, { name: '别的站' }],
    staff: [['fit-sweep-staff', 0]],
    users: ['fit-sweep-citizen', 'fit-sweep-owner'],
  }));
  participant = { name: '张三', idNumber: idNumberFor(`${Number(day.slice(0, 4)) - 30}-03-03`, true) };
  // the owner's booking and report (for the "another user's id" cases)
  const b = await stack.request('POST', '/fitness-tests/bookings', {
    token: owner.token,
    body: { slotId: st.slotIds[0], participant, consent },
  });
  expect(b.status).toBe(201);
  ownersBookingId = b.body.booking.id;
  await (stack.cloud.modules.get('fitness') as { markCheckedIn(id: string): Promise<void> }).markCheckedIn(ownersBookingId);
  const r = await stack.request('POST', '/fitness-tests/results', {
    token: staff.token,
    body: { stationId: st.station.id, bookingId: ownersBookingId, measurements: { vitalCapacityMl: 3000 } },
  });
  expect(r.status).toBe(201);
  ownersReportId = r.body.report.id;
}, 60_000);
afterAll(() => stack.stop());

type Who = 'citizen' | 'staff' | 'anon';
type Case = [string, string, () => string, (() => unknown) | undefined, number, string, Who];
const slot = () => st.slotIds[0];
const cases: Case[] = [
  // stations / slots
  ['slots: bad station id', 'GET', () => `/fitness-tests/stations/nope/slots?date=2026-01-01`, undefined, 400, 'VALIDATION_FAILED', 'anon'],
  ['slots: missing date', 'GET', () => `/fitness-tests/stations/${st.station.id}/slots`, undefined, 400, 'VALIDATION_FAILED', 'anon'],
  [
    'slots: $-operator date',
    'GET',
    () => `/fitness-tests/stations/${st.station.id}/slots?date[$gt]=`,
    undefined,
    400,
    'VALIDATION_FAILED',
    'anon',
  ],
  [
    'slots: unknown station',
    'GET',
    () => `/fitness-tests/stations/${'a'.repeat(24)}/slots?date=2026-01-01`,
    undefined,
    404,
    'FITNESS_STATION_NOT_FOUND',
    'anon',
  ],
  // bookings
  [
    'book: anonymous',
    'POST',
    () => '/fitness-tests/bookings',
    () => ({ slotId: slot(), participant, consent }),
    401,
    'UNAUTHENTICATED',
    'anon',
  ],
  ['book: missing slot', 'POST', () => '/fitness-tests/bookings', () => ({ participant, consent }), 400, 'VALIDATION_FAILED', 'citizen'],
  [
    'book: missing participant',
    'POST',
    () => '/fitness-tests/bookings',
    () => ({ slotId: slot(), consent }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'book: slot as $-operator',
    'POST',
    () => '/fitness-tests/bookings',
    () => ({ slotId: { $gt: '' }, participant, consent }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'book: consent as string',
    'POST',
    () => '/fitness-tests/bookings',
    () => ({ slotId: slot(), participant, consent: 'yes' }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'book: healthData as string',
    'POST',
    () => '/fitness-tests/bookings',
    () => ({ slotId: slot(), participant, consent: { healthData: 'true', version: FITNESS_CONSENT_VERSION } }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'book: bad ID number',
    'POST',
    () => '/fitness-tests/bookings',
    () => ({ slotId: slot(), participant: { name: '李四', idNumber: '320508199001011234' }, consent }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'book: huge name',
    'POST',
    () => '/fitness-tests/bookings',
    () => ({ slotId: slot(), participant: { ...participant, name: 'x'.repeat(5000) }, consent }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'book: prototype key',
    'POST',
    () => '/fitness-tests/bookings',
    () =>
      JSON.parse(
        `{"slotId":"${slot()}","participant":${JSON.stringify(participant)},"consent":${JSON.stringify(consent)},"__proto__":{"admin":true}}`,
      ),
    400,
    'BAD_JSON',
    'citizen',
  ],
  [
    'book: unknown slot',
    'POST',
    () => '/fitness-tests/bookings',
    () => ({ slotId: 'b'.repeat(24), participant, consent }),
    404,
    'FITNESS_SLOT_NOT_FOUND',
    'citizen',
  ],
  [
    'book: bad idempotency key',
    'POST',
    () => '/fitness-tests/bookings',
    () => ({ slotId: slot(), participant, consent }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  // the calculator
  [
    'score: missing standard',
    'POST',
    () => '/fitness-tests/score',
    () => ({ sex: 'M', age: 30, measurements: {} }),
    400,
    'VALIDATION_FAILED',
    'anon',
  ],
  [
    'score: unknown standard',
    'POST',
    () => '/fitness-tests/score',
    () => ({ standard: 'GTB2023-adult', sex: 'M', age: 30, measurements: {} }),
    400,
    'VALIDATION_FAILED',
    'anon',
  ],
  [
    'score: sex as number',
    'POST',
    () => '/fitness-tests/score',
    () => ({ standard: 'GTB2003-adult', sex: 1, age: 30, measurements: {} }),
    400,
    'VALIDATION_FAILED',
    'anon',
  ],
  [
    'score: unknown measurement',
    'POST',
    () => '/fitness-tests/score',
    () => ({ standard: 'GTB2003-adult', sex: 'M', age: 30, measurements: { bmi: 22 } }),
    400,
    'VALIDATION_FAILED',
    'anon',
  ],
  [
    'score: measurement as string',
    'POST',
    () => '/fitness-tests/score',
    () => ({ standard: 'GTB2003-adult', sex: 'M', age: 30, measurements: { gripKg: '40' } }),
    400,
    'VALIDATION_FAILED',
    'anon',
  ],
  [
    'score: $-operator measurement',
    'POST',
    () => '/fitness-tests/score',
    () => ({ standard: 'GTB2003-adult', sex: 'M', age: 30, measurements: { gripKg: { $gt: 1 } } }),
    400,
    'VALIDATION_FAILED',
    'anon',
  ],
  [
    'score: age outside the standard',
    'POST',
    () => '/fitness-tests/score',
    () => ({ standard: 'GTB2003-adult', sex: 'M', age: 70, measurements: {} }),
    422,
    'FITNESS_AGE_NOT_SERVED',
    'anon',
  ],
  [
    'score: impossible vital capacity',
    'POST',
    () => '/fitness-tests/score',
    () => ({ standard: 'GTB2003-adult', sex: 'M', age: 30, measurements: { vitalCapacityMl: 99999 } }),
    422,
    'FITNESS_MEASUREMENT_INVALID',
    'anon',
  ],
  [
    'score: huge body',
    'POST',
    () => '/fitness-tests/score',
    () => ({ standard: 'GTB2003-adult', sex: 'M', age: 30, measurements: {}, pad: HUGE }),
    413,
    'PAYLOAD_TOO_LARGE',
    'anon',
  ],
  // staff results
  [
    'results: citizen',
    'POST',
    () => '/fitness-tests/results',
    () => ({ stationId: st.station.id, bookingId: ownersBookingId, measurements: {} }),
    403,
    'FORBIDDEN',
    'citizen',
  ],
  [
    'results: another station',
    'POST',
    () => '/fitness-tests/results',
    () => ({ stationId: other.station.id, bookingId: ownersBookingId, measurements: {} }),
    403,
    'FORBIDDEN',
    'staff',
  ],
  [
    'results: both code and booking',
    'POST',
    () => '/fitness-tests/results',
    () => ({ stationId: st.station.id, bookingId: ownersBookingId, ticketCode: 'CS1.a.b', measurements: {} }),
    400,
    'VALIDATION_FAILED',
    'staff',
  ],
  [
    'results: neither',
    'POST',
    () => '/fitness-tests/results',
    () => ({ stationId: st.station.id, measurements: {} }),
    400,
    'VALIDATION_FAILED',
    'staff',
  ],
  [
    'results: forged ticket code',
    'POST',
    () => '/fitness-tests/results',
    () => ({ stationId: st.station.id, ticketCode: 'CS1.AAAA.BBBB', measurements: {} }),
    400,
    'VALIDATION_FAILED',
    'staff',
  ],
  [
    'results: huge ticket code',
    'POST',
    () => '/fitness-tests/results',
    () => ({ stationId: st.station.id, ticketCode: HUGE.slice(0, 5000), measurements: {} }),
    400,
    'VALIDATION_FAILED',
    'staff',
  ],
  [
    'results: unknown booking',
    'POST',
    () => '/fitness-tests/results',
    () => ({ stationId: st.station.id, bookingId: 'c'.repeat(24), measurements: {} }),
    404,
    'FITNESS_BOOKING_NOT_FOUND',
    'staff',
  ],
  [
    'results: already measured',
    'POST',
    () => '/fitness-tests/results',
    () => ({ stationId: st.station.id, bookingId: ownersBookingId, measurements: {} }),
    409,
    'FITNESS_ALREADY_MEASURED',
    'staff',
  ],
  [
    'results: grip 150 kg',
    'POST',
    () => '/fitness-tests/results',
    () => ({ stationId: st.station.id, bookingId: ownersBookingId, measurements: { gripKg: 150 } }),
    422,
    'FITNESS_MEASUREMENT_INVALID',
    'staff',
  ],
  [
    'results: $-operator station',
    'POST',
    () => '/fitness-tests/results',
    () => ({ stationId: { $ne: null }, bookingId: ownersBookingId, measurements: {} }),
    400,
    'VALIDATION_FAILED',
    'staff',
  ],
  // corrections
  [
    'correct: citizen',
    'POST',
    () => `/fitness-tests/reports/${ownersReportId}/corrections`,
    () => ({ measurements: { gripKg: 40 }, reason: '改' }),
    403,
    'FORBIDDEN',
    'citizen',
  ],
  [
    'correct: missing reason',
    'POST',
    () => `/fitness-tests/reports/${ownersReportId}/corrections`,
    () => ({ measurements: { gripKg: 40 } }),
    400,
    'VALIDATION_FAILED',
    'staff',
  ],
  [
    'correct: item the group does not take',
    'POST',
    () => `/fitness-tests/reports/${ownersReportId}/corrections`,
    () => ({ measurements: { sitUpsPerMin: 20 }, reason: '改' }),
    422,
    'FITNESS_MEASUREMENT_INVALID',
    'staff',
  ],
  [
    'correct: unknown report',
    'POST',
    () => `/fitness-tests/reports/${'d'.repeat(24)}/corrections`,
    () => ({ measurements: {}, reason: '改' }),
    404,
    'FITNESS_REPORT_NOT_FOUND',
    'staff',
  ],
  [
    'correct: bad report id',
    'POST',
    () => `/fitness-tests/reports/zzz/corrections`,
    () => ({ measurements: {}, reason: '改' }),
    400,
    'VALIDATION_FAILED',
    'staff',
  ],
  // entries
  [
    'entries: citizen',
    'GET',
    () => `/fitness-tests/stations/${st.station.id}/entries?date=2026-01-01`,
    undefined,
    403,
    'FORBIDDEN',
    'citizen',
  ],
  [
    'entries: another station',
    'GET',
    () => `/fitness-tests/stations/${other.station.id}/entries?date=2026-01-01`,
    undefined,
    403,
    'FORBIDDEN',
    'staff',
  ],
  [
    'entries: bad date',
    'GET',
    () => `/fitness-tests/stations/${st.station.id}/entries?date=yesterday`,
    undefined,
    400,
    'VALIDATION_FAILED',
    'staff',
  ],
  // reports
  ['report: another user', 'GET', () => `/fitness-tests/reports/${ownersReportId}`, undefined, 404, 'FITNESS_REPORT_NOT_FOUND', 'citizen'],
  [
    'report: staff are not owners',
    'GET',
    () => `/fitness-tests/reports/${ownersReportId}`,
    undefined,
    404,
    'FITNESS_REPORT_NOT_FOUND',
    'staff',
  ],
  ['report: bad id', 'GET', () => `/fitness-tests/reports/%24gt`, undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['report: anonymous', 'GET', () => `/fitness-tests/reports/${ownersReportId}`, undefined, 401, 'UNAUTHENTICATED', 'anon'],
  ['mine: anonymous', 'GET', () => `/fitness-tests/reports/mine`, undefined, 401, 'UNAUTHENTICATED', 'anon'],
  ['bookings mine: anonymous', 'GET', () => `/fitness-tests/bookings/mine`, undefined, 401, 'UNAUTHENTICATED', 'anon'],
  // analysis
  ['analysis: citizen', 'GET', () => '/admin/fitness-tests/analysis', undefined, 403, 'FORBIDDEN', 'citizen'],
  ['analysis: station staff', 'GET', () => '/admin/fitness-tests/analysis', undefined, 403, 'FORBIDDEN', 'staff'],
];

test.each(cases)('%s → %i %s, nothing written', async (name, method, path, body, status, code, who) => {
  const token = who === 'citizen' ? citizen.token : who === 'staff' ? staff.token : undefined;
  const before = await snapshotDatabase();
  const headers = name === 'book: bad idempotency key' ? { 'Idempotency-Key': '$bad key$' } : undefined;
  const res = await stack.request(method, path(), { token, ...(body ? { body: body() } : {}), ...(headers ? { headers } : {}) });
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(await snapshotDatabase()).toBe(before);
});

test('analysis query: unknown keys and $-operators are refused (admin)', async () => {
  const admin = await stack.login('fit-sweep-admin');
  await grant(stack, admin.userId, 'admin');
  const before = await snapshotDatabase();
  for (const q of ['?district[$ne]=x', '?ageGroup=70-74', '?from=yesterday', `?district=${'区'.repeat(100)}`, '?groupBy=x']) {
    const res = await stack.request('GET', `/admin/fitness-tests/analysis${q}`, { token: admin.token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  }
  expect(await snapshotDatabase()).toBe(before);
});
