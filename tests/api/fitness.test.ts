/** Physical-fitness tests: booking with consent, ticket check-in, measuring, reports, corrections, analysis. */
import mongoose from 'mongoose';
import { FITNESS_CONSENT_VERSION, FitnessReportSchema, shanghaiTime } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { snapshotDatabase } from '../support/db';
import { grant, type TestStack } from '../support/stack';
import { MEASUREMENTS_A, createTestStation, idNumberFor, startFitnessStack } from '../support/fitness-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;
let day: string;
let st: Awaited<ReturnType<typeof createTestStation>>;
let staff: { token: string; userId: string };
let otherStaff: { token: string; userId: string };
let citizen: { token: string; userId: string };
let stranger: { token: string; userId: string };

const consent = { healthData: true, version: FITNESS_CONSENT_VERSION };
const manA = { name: '王小明', idNumber: '' };
// worked example A of tests/unit/fitness-engine.test.ts: man 22 → 32 points, 二级
const measurementsA = MEASUREMENTS_A;

beforeAll(async () => {
  ({
    stack,
    day,
    stations: [st], // and a second station, 吴中, with its own staff
    staff: [staff, otherStaff],
    users: [citizen, stranger],
  } = await startFitnessStack('fitness', {
    clock,
    stations: [
      { name: '姑苏体质测试站', capacity: 5, times: ['09:00', '10:00'] },
      { name: '吴中体质测试站', district: '吴中区' },
    ],
    staff: [
      ['fit-staff', 0],
      ['fit-staff-other', 1],
    ],
    users: ['fit-citizen', 'fit-stranger'],
  }));
  // 22 on the test day
  const birthYear = Number(day.slice(0, 4)) - 22;
  manA.idNumber = idNumberFor(`${birthYear}-01-01`, true);
}, 60_000);
afterAll(() => stack.stop());

const book = (token: string, body: unknown, key?: string) =>
  stack.request('POST', '/fitness-tests/bookings', { token, body, ...(key ? { headers: { 'Idempotency-Key': key } } : {}) });

test('stations and slots with remaining places', async () => {
  const res = await stack.request('GET', '/fitness-tests/stations');
  expect(res.status).toBe(200);
  expect(res.body.items.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['姑苏体质测试站', '吴中体质测试站']));
  const slots = await stack.request('GET', `/fitness-tests/stations/${st.station.id}/slots?date=${day}`);
  expect(slots.status).toBe(200);
  expect(slots.body.items).toHaveLength(2);
  expect(slots.body.items[0]).toMatchObject({ capacity: 5, remaining: 5 });
  expect((await stack.request('GET', `/fitness-tests/stations/${'0'.repeat(24)}/slots?date=${day}`)).body.error.code).toBe(
    'FITNESS_STATION_NOT_FOUND',
  );
});

test('health-data consent missing, false or of another text version → 422 CONSENT_REQUIRED, nothing written', async () => {
  const before = await snapshotDatabase();
  for (const c of [undefined, { healthData: false, version: FITNESS_CONSENT_VERSION }, { healthData: true, version: 'old-text' }]) {
    const res = await book(citizen.token, { slotId: st.slotIds[0], participant: manA, ...(c ? { consent: c } : {}) });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CONSENT_REQUIRED');
    expect(res.body.error.details).toMatchObject({ consent: 'health_data', version: FITNESS_CONSENT_VERSION });
  }
  expect(await snapshotDatabase()).toBe(before);
});

test('under 14: a guardian must consent too; ages the station does not serve are refused', async () => {
  const y = Number(day.slice(0, 4));
  const child = { name: '王小宝', idNumber: idNumberFor(`${y - 10}-05-05`, true) };
  const before = await snapshotDatabase();
  const noGuardian = await book(citizen.token, { slotId: st.slotIds[0], participant: child, consent });
  expect(noGuardian.status).toBe(422);
  expect(noGuardian.body.error).toMatchObject({ code: 'CONSENT_REQUIRED', details: { consent: 'guardian' } });
  const withGuardian = await book(citizen.token, {
    slotId: st.slotIds[0],
    participant: child,
    consent,
    guardianConsent: { given: true, guardianName: '王大明', relation: 'parent', version: FITNESS_CONSENT_VERSION },
  });
  // the consent is accepted; only adult tables exist, so no station serves a 10-year-old yet
  expect(withGuardian.status).toBe(422);
  expect(withGuardian.body.error.code).toBe('FITNESS_AGE_NOT_SERVED');
  const senior = { name: '王老', idNumber: idNumberFor(`${y - 65}-05-05`, true) };
  expect((await book(citizen.token, { slotId: st.slotIds[0], participant: senior, consent })).body.error.code).toBe(
    'FITNESS_AGE_NOT_SERVED',
  );
  expect(await snapshotDatabase()).toBe(before);
});

let bookingId: string;
let ticketId: string;

test('a booking with consent: 201 with a fitness_test ticket; a retry replays; the same person twice → 409', async () => {
  const res = await book(citizen.token, { slotId: st.slotIds[0], participant: manA, consent }, 'fit-key-0001');
  expect(res.status).toBe(201);
  expect(res.body.booking).toMatchObject({
    status: 'booked',
    sex: 'M',
    ageOnTestDay: 22,
    participantName: '王**',
    consentVersion: FITNESS_CONSENT_VERSION,
  });
  expect(res.body.ticket.source).toEqual({ kind: 'fitness_test', id: res.body.booking.id });
  bookingId = res.body.booking.id;
  ticketId = res.body.ticket.id;
  const replay = await book(citizen.token, { slotId: st.slotIds[0], participant: manA, consent }, 'fit-key-0001');
  expect(replay.status).toBe(200);
  expect(replay.body.booking.id).toBe(bookingId);
  const twice = await book(citizen.token, { slotId: st.slotIds[0], participant: manA, consent }, 'fit-key-0002');
  expect(twice.status).toBe(409);
  expect(twice.body.error.code).toBe('FITNESS_ALREADY_BOOKED');
  const slots = await stack.request('GET', `/fitness-tests/stations/${st.station.id}/slots?date=${day}`);
  expect(slots.body.items[0].remaining).toBe(4);
  // the consent and its text version are stored with the booking; the ID only sealed
  const raw = await mongoose.connection.collection('fitness_bookings').findOne({ _id: new mongoose.Types.ObjectId(bookingId) });
  expect(raw!.consent).toMatchObject({ healthData: true, version: FITNESS_CONSENT_VERSION });
  expect(JSON.stringify(raw)).not.toContain(manA.idNumber);
  expect(JSON.stringify(raw)).not.toContain('王小明');
  const mine = await stack.request('GET', '/fitness-tests/bookings/mine', { token: citizen.token });
  expect(mine.body.items.map((b: { id: string }) => b.id)).toContain(bookingId);
});

let reportId: string;

test('staff of the station scan the ticket and submit: the report is computed with the standard; other staff are refused', async () => {
  clock.set(new Date(shanghaiTime(day, '09:00').getTime() - 10 * 60_000));
  const code = (await stack.request('GET', `/tickets/${ticketId}/code`, { token: citizen.token })).body.code as string;
  expect(typeof code).toBe('string');
  const body = { stationId: st.station.id, ticketCode: code, measurements: measurementsA };
  const before = await snapshotDatabase();
  expect((await stack.request('POST', '/fitness-tests/results', { token: citizen.token, body })).status).toBe(403);
  expect((await stack.request('POST', '/fitness-tests/results', { token: otherStaff.token, body })).status).toBe(403);
  expect(await snapshotDatabase()).toBe(before);
  // a value out of range: refused with its field, ticket not consumed
  const bad = await stack.request('POST', '/fitness-tests/results', {
    token: staff.token,
    body: { ...body, measurements: { ...measurementsA, vitalCapacityMl: 12000 } },
  });
  expect(bad.status).toBe(422);
  expect(bad.body.error).toMatchObject({
    code: 'FITNESS_MEASUREMENT_INVALID',
    details: { field: 'vitalCapacityMl', reason: 'out_of_range' },
  });
  expect(await snapshotDatabase()).toBe(before);

  const res = await stack.request('POST', '/fitness-tests/results', { token: staff.token, body });
  expect(res.status).toBe(201);
  const report = FitnessReportSchema.parse(res.body.report);
  expect(report).toMatchObject({ standard: 'GTB2003-adult', ageGroup: '20-24', total: 32, maxTotal: 45, grade: 'good', revision: 1 });
  expect(report.standardTitle).toContain('2003');
  reportId = report.id;
  const booking = await mongoose.connection.collection('fitness_bookings').findOne({ _id: new mongoose.Types.ObjectId(bookingId) });
  expect(booking).toMatchObject({ status: 'measured', reportId: new mongoose.Types.ObjectId(reportId) });
  // the same ticket again: already used
  const again = await stack.request('POST', '/fitness-tests/results', { token: staff.token, body });
  expect(again.status).toBe(409);
  const entries = await stack.request('GET', `/fitness-tests/stations/${st.station.id}/entries?date=${day}`, { token: staff.token });
  expect(entries.body.items).toEqual([expect.objectContaining({ reportId, total: 32 })]);
  expect(
    (await stack.request('GET', `/fitness-tests/stations/${st.station.id}/entries?date=${day}`, { token: otherStaff.token })).status,
  ).toBe(403);
});

test('the owner reads the report with meanings and advice; another user gets 404', async () => {
  const res = await stack.request('GET', `/fitness-tests/reports/${reportId}`, { token: citizen.token });
  expect(res.status).toBe(200);
  const r = FitnessReportSchema.parse(res.body.report);
  expect(r.items.find((i) => i.item === 'heightWeight')).toMatchObject({ score: 5, band: 'normal', heightCm: 175.3, value: 70 });
  expect(r.items.every((i) => i.meaningZh.length > 0)).toBe(true);
  expect(r.advice).toEqual([]); // no item scored 2 or less
  const nope = await stack.request('GET', `/fitness-tests/reports/${reportId}`, { token: stranger.token });
  expect(nope.status).toBe(404);
  expect(nope.body.error.code).toBe('FITNESS_REPORT_NOT_FOUND');
  expect((await stack.request('GET', '/fitness-tests/reports/mine', { token: stranger.token })).body.items).toEqual([]);
  const mine = await stack.request('GET', '/fitness-tests/reports/mine', { token: citizen.token });
  expect(mine.body.items).toEqual([expect.objectContaining({ id: reportId, total: 32, grade: 'good' })]);
});

test('a correction by station staff is audited and recomputes (new revision, new event); weak items get advice', async () => {
  const res = await stack.request('POST', `/fitness-tests/reports/${reportId}/corrections`, {
    token: staff.token,
    body: { measurements: { gripKg: 30.0, reactionTimeS: 0.7 }, reason: '握力计读数录错' },
  });
  expect(res.status).toBe(200);
  // 握力 30.0 (≥29.6) → 1 instead of 3; 反应时 0.70 (>0.69) → 0 instead of 3: 32 − 2 − 3 = 27, no grade
  expect(res.body.report).toMatchObject({ revision: 2, total: 27, grade: null, gradeWithheld: 'item_scored_zero' });
  expect(res.body.report.advice.map((a: { item: string }) => a.item)).toEqual(['reactionTimeS', 'gripKg']);
  expect(res.body.report.advice[0].links.length).toBeGreaterThan(0);
  const audit = await mongoose.connection.collection('audit_log').findOne({ action: 'fitness.result.correct' });
  expect(audit).toMatchObject({
    details: expect.objectContaining({ reportId, totalBefore: 32, totalAfter: 27, fields: ['gripKg', 'reactionTimeS'] }),
  });
  expect(
    (
      await stack.request('POST', `/fitness-tests/reports/${reportId}/corrections`, {
        token: otherStaff.token,
        body: { measurements: { gripKg: 50 }, reason: 'x' },
      })
    ).status,
  ).toBe(403);
  const events = await mongoose.connection.collection('outbox').find({ type: 'fitness.report_issued' }).sort({ occurredAt: 1 }).toArray();
  expect(events.map((e) => e.payload.revision)).toEqual([1, 2]);
  for (const e of events) {
    expect(Object.keys(e.payload).sort()).toEqual([
      'ageGroup',
      'district',
      'grade',
      'items',
      'reportId',
      'revision',
      'sex',
      'standard',
      'testMonth',
      'total',
    ]);
    expect(JSON.stringify(e.payload)).not.toMatch(/王|3205|userId|birth/);
  }
  expect(events[1].payload).toMatchObject({ ageGroup: '20-24', sex: 'M', district: '姑苏区', total: 27, grade: null });
});

test('the calculator scores without storing; bad values name the field', async () => {
  const before = await snapshotDatabase();
  const ok = await stack.request('POST', '/fitness-tests/score', {
    body: { standard: 'GTB2003-adult', sex: 'M', age: 22, measurements: measurementsA },
  });
  expect(ok.status).toBe(200);
  expect(ok.body).toMatchObject({ total: 32, grade: 'good', ageGroup: '20-24' });
  const bad = await stack.request('POST', '/fitness-tests/score', {
    body: { standard: 'GTB2003-adult', sex: 'F', age: 30, measurements: { gripKg: 120 } },
  });
  expect(bad.status).toBe(422);
  expect(bad.body.error.details.field).toBe('gripKg');
  expect(
    (await stack.request('POST', '/fitness-tests/score', { body: { standard: 'GTB2023', sex: 'M', age: 22, measurements: {} } })).status,
  ).toBe(400);
  expect(await snapshotDatabase()).toBe(before);
});

test('bureau analysis: by district, sex and age group; groups under 10 suppressed; admins only', async () => {
  const base = (await mongoose.connection.collection('fitness_reports').findOne({}))!;
  const docs = [];
  for (let i = 0; i < 14; i++)
    docs.push({
      ...base,
      _id: new mongoose.Types.ObjectId(),
      bookingId: new mongoose.Types.ObjectId(),
      district: '相城区',
      sex: 'F',
      ageGroup: '40-44',
      grade: i < 11 ? 'good' : 'pass',
      items: [{ item: 'gripKg', score: i % 2 ? 4 : 2 }],
    });
  for (let i = 0; i < 3; i++)
    docs.push({
      ...base,
      _id: new mongoose.Types.ObjectId(),
      bookingId: new mongoose.Types.ObjectId(),
      district: '吴江区',
      sex: 'M',
      ageGroup: '50-54',
    });
  await mongoose.connection.collection('fitness_reports').insertMany(docs);
  expect((await stack.request('GET', '/admin/fitness-tests/analysis', { token: citizen.token })).status).toBe(403);
  const admin = await stack.login('fit-admin');
  await grant(stack, admin.userId, 'admin');
  const res = await stack.request('GET', '/admin/fitness-tests/analysis', { token: admin.token });
  expect(res.status).toBe(200);
  const g = (d: string) => res.body.groups.find((x: { district: string }) => x.district === d);
  expect(g('相城区')).toMatchObject({
    count: 14,
    suppressed: false,
    grades: { good: 11, pass: null, excellent: null },
    itemMeans: { gripKg: 3 },
  });
  expect(g('吴江区')).toMatchObject({ count: null, suppressed: true, grades: null });
  expect(g('姑苏区')).toMatchObject({ suppressed: true });
  const filtered = await stack.request('GET', '/admin/fitness-tests/analysis?district=相城区&ageGroup=40-44', { token: admin.token });
  expect(filtered.body.groups).toHaveLength(1);
});
