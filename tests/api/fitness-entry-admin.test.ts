/**
 * Physical-fitness tests, part 2: a station device's queued (offline) entry resubmitted is idempotent
 * (one report, however often and however concurrently it arrives; a crash between the report and the
 * claim is healed by the resubmission); another entry for a measured booking is a conflict naming the
 * report; the shareable image carries no personal identifier; the admin's stations and slots (audited,
 * the scoped station-staff role granted through /admin/roles) and their bad input.
 */
import mongoose from 'mongoose';
import { FITNESS_CONSENT_VERSION, shanghaiTime } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { snapshotDatabase } from '../support/db';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { MEASUREMENTS_A, createTestStation, dayAhead, idNumberFor, startFitnessStack } from '../support/fitness-fixture';

const clock = new ManualClock(new Date());
const crashes = new CrashSwitch();
let stack: TestStack;
let crashy: TestStack;
let day: string;
let st: Awaited<ReturnType<typeof createTestStation>>;
let staff: { token: string; userId: string };
let staff2: { token: string; userId: string };
let citizen: { token: string; userId: string };
let stranger: { token: string; userId: string };
let admin: { token: string; userId: string };
const consent = { healthData: true, version: FITNESS_CONSENT_VERSION };
const measurements = MEASUREMENTS_A;
const HUGE = 'x'.repeat(200_000);
let serial = 10;

beforeAll(async () => {
  ({
    stack,
    day,
    stations: [st],
    staff: [staff, staff2],
    users: [citizen, stranger, admin],
  } = await startFitnessStack('fitness-entry', {
    clock,
    stations: [{ name: '离线录入站', capacity: 50, times: ['09:00'] }],
    staff: [
      ['fit-entry-staff', 0],
      ['fit-entry-staff2', 0],
    ],
    users: ['fit-entry-citizen', 'fit-entry-stranger', 'fit-entry-admin'],
  }));
  crashy = await startTestStack('fitness-entry-crash', { clock, reuseConnection: true, appDeps: { crashes } });
  await grant(stack, admin.userId, 'admin');
  clock.set(new Date(shanghaiTime(day, '09:00').getTime() - 10 * 60_000));
}, 60_000);
afterAll(async () => {
  await crashy.stop();
  await stack.stop();
});

/** a booked, not yet scanned participant (22, man) and their ticket code */
async function bookedPerson(): Promise<{ bookingId: string; code: string; ticketId: string }> {
  const birthYear = Number(day.slice(0, 4)) - 22;
  const participant = { name: '赵一', idNumber: idNumberFor(`${birthYear}-01-01`, true, String(serial++).padStart(2, '0')) };
  const b = await stack.request('POST', '/fitness-tests/bookings', {
    token: citizen.token,
    body: { slotId: st.slotIds[0], participant, consent },
  });
  expect(b.status).toBe(201);
  const code = (await stack.request('GET', `/tickets/${b.body.ticket.id}/code`, { token: citizen.token })).body.code as string;
  return { bookingId: b.body.booking.id, code, ticketId: b.body.ticket.id };
}
const reportsOf = (bookingId: string) =>
  mongoose.connection.collection('fitness_reports').countDocuments({ bookingId: new mongoose.Types.ObjectId(bookingId) });
const submit = (s: TestStack, token: string, body: unknown, key?: string) =>
  s.request('POST', '/fitness-tests/results', { token, body, ...(key ? { headers: { 'Idempotency-Key': key } } : {}) });

describe('a queued entry resubmitted', () => {
  test('the same entry (key) twice, and 20 at once: one report, the ticket scanned once; replays answer 200 with the same report', async () => {
    const p = await bookedPerson();
    const body = { stationId: st.station.id, ticketCode: p.code, measurements };
    const first = await submit(stack, staff.token, body, 'entry-0001-aaaa');
    expect(first.status).toBe(201);
    const again = await submit(stack, staff.token, body, 'entry-0001-aaaa');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.report.id).toBe(first.body.report.id);
    const burst = await Promise.all(Array.from({ length: 20 }, () => submit(stack, staff.token, body, 'entry-0001-aaaa')));
    expect(burst.every((r) => r.status === 200 && r.body.report.id === first.body.report.id)).toBe(true);
    expect(await reportsOf(p.bookingId)).toBe(1);
    const scans = await mongoose.connection
      .collection('verifications')
      .countDocuments({ result: 'admitted', ticketId: new mongoose.Types.ObjectId(p.ticketId) });
    expect(scans).toBe(1);
    // the same key for another request is refused, nothing written
    const before = await snapshotDatabase();
    const reused = await submit(stack, staff.token, { ...body, measurements: { ...measurements, gripKg: 50 } }, 'entry-0001-aaaa');
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await snapshotDatabase()).toBe(before);
  });

  test('20 different queued entries (two devices) for one person at once: one report, the rest FITNESS_ALREADY_MEASURED naming it', async () => {
    const q = await bookedPerson();
    const res = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        submit(
          stack,
          i % 2 ? staff2.token : staff.token,
          { stationId: st.station.id, ticketCode: q.code, measurements: { ...measurements, gripKg: 40 + i } },
          `entry-race-${String(i).padStart(4, '0')}`,
        ),
      ),
    );
    const won = res.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    expect(await reportsOf(q.bookingId)).toBe(1);
    const lost = res.filter((r) => r.status !== 201);
    // a loser either reached the report (FITNESS_ALREADY_MEASURED with its id) or the ticket already used
    for (const r of lost) expect(['FITNESS_ALREADY_MEASURED', 'TICKET_ALREADY_USED']).toContain(r.body.error.code);
    const measured = lost.filter((r) => r.body.error.code === 'FITNESS_ALREADY_MEASURED');
    for (const r of measured) expect(r.body.error.details.reportId).toBe(won[0].body.report.id);
    // by booking id (the ticket already scanned): a second device's entry is a conflict naming the report
    const late = await submit(stack, staff2.token, { stationId: st.station.id, bookingId: q.bookingId, measurements }, 'entry-late-0001');
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({
      code: 'FITNESS_ALREADY_MEASURED',
      details: { reportId: won[0].body.report.id, revision: 1 },
    });
  });

  test('a crash after the ticket is scanned, before the booking is checked in: the resubmission replays the scan (same nonce) and stores the report', async () => {
    const p = await bookedPerson();
    const body = { stationId: st.station.id, ticketCode: p.code, measurements };
    crashes.arm('fitness.result:after-scan');
    expect((await submit(crashy, staff.token, body, 'entry-scan-crash-1')).status).toBe(500);
    expect(await reportsOf(p.bookingId)).toBe(0);
    // control: the ticket is used now, so the same entry under ANOTHER key (a new scan) is refused
    const other = await submit(stack, staff.token, body, 'entry-scan-crash-2');
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('TICKET_ALREADY_USED');
    clock.advance(61_000);
    const again = await submit(crashy, staff.token, body, 'entry-scan-crash-1');
    expect(again.status).toBe(201);
    expect(await reportsOf(p.bookingId)).toBe(1);
    const scans = await mongoose.connection
      .collection('verifications')
      .countDocuments({ result: 'admitted', ticketId: new mongoose.Types.ObjectId(p.ticketId) });
    expect(scans).toBe(1);
  });

  test('a crash after the report is stored, before the claim ends: the resubmission (lease passed) finds the same report', async () => {
    const p = await bookedPerson();
    const body = { stationId: st.station.id, ticketCode: p.code, measurements };
    crashes.arm('fitness.result:after-insert');
    expect((await submit(crashy, staff.token, body, 'entry-crash-0001')).status).toBe(500);
    expect(await reportsOf(p.bookingId)).toBe(1);
    clock.advance(61_000); // the claim's lease passes
    const again = await submit(crashy, staff.token, body, 'entry-crash-0001');
    expect(again.status).toBe(201);
    expect(await reportsOf(p.bookingId)).toBe(1);
    const stored = await mongoose.connection.collection('fitness_reports').findOne({ bookingId: new mongoose.Types.ObjectId(p.bookingId) });
    expect(String(stored!._id)).toBe(again.body.report.id);
    // the sweeper finishes what the crash left (the booking learns its report; the event is emitted once)
    await (crashy.cloud.modules.get('fitness') as { heal(): Promise<unknown> }).heal();
    const booking = await mongoose.connection.collection('fitness_bookings').findOne({ _id: new mongoose.Types.ObjectId(p.bookingId) });
    expect(booking!.status).toBe('measured');
    expect(
      await mongoose.connection
        .collection('outbox')
        .countDocuments({ type: 'fitness.report_issued', 'payload.reportId': again.body.report.id }),
    ).toBe(1);
  });
});

describe('the shareable image', () => {
  test('an SVG card with grade, scores and age group, and no name, ID number or birth date; the owner only', async () => {
    const birth = `${Number(day.slice(0, 4)) - 22}-01-01`;
    const idNumber = idNumberFor(birth, true, '77');
    const b = await stack.request('POST', '/fitness-tests/bookings', {
      token: citizen.token,
      body: { slotId: st.slotIds[0], participant: { name: '欧阳分享', idNumber }, consent },
    });
    const code = (await stack.request('GET', `/tickets/${b.body.ticket.id}/code`, { token: citizen.token })).body.code as string;
    const r = await submit(stack, staff.token, { stationId: st.station.id, ticketCode: code, measurements }, 'entry-share-0001');
    expect(r.status).toBe(201);
    const id = r.body.report.id as string;
    const svg = await stack.request('GET', `/fitness-tests/reports/${id}/share`, { token: citizen.token });
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    const text = svg.body as string;
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('二级');
    expect(text).toContain('总分 32 / 45');
    expect(text).toContain('20-24 岁组');
    expect(text).toContain('GTB2003-adult');
    for (const forbidden of ['欧阳', '欧', '分享', idNumber, idNumber.slice(6, 14), birth, day, '**'])
      expect(text).not.toContain(forbidden);
    const json = await stack.request('GET', `/fitness-tests/reports/${id}/share?format=json`, { token: citizen.token });
    expect(json.body.image.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(Buffer.from(json.body.image.split(',')[1], 'base64').toString('utf8')).toBe(text);
    const nope = await stack.request('GET', `/fitness-tests/reports/${id}/share`, { token: stranger.token });
    expect(nope.status).toBe(404);
    expect(nope.body.error.code).toBe('FITNESS_REPORT_NOT_FOUND');
    expect((await stack.request('GET', `/fitness-tests/reports/${id}/share`, { token: staff.token })).status).toBe(404);
    expect((await stack.request('GET', `/fitness-tests/reports/${id}/share?format=png`, { token: citizen.token })).status).toBe(400);
  });
});

describe('admin: stations and slots', () => {
  const station = {
    name: '相城区体质测试站',
    district: '相城区',
    address: '苏州市相城区活力岛路1号',
    hours: '周二至周日 9:00–16:00',
    ageBands: ['40-59'],
  };
  let stationId: string;

  test('create a station (items derived from the groups served), edit it, add slots; every change audited', async () => {
    const res = await stack.request('POST', '/admin/fitness-tests/stations', { token: admin.token, body: station });
    expect(res.status).toBe(201);
    expect(res.body.station).toMatchObject({ name: '相城区体质测试站', ageBands: ['40-59'] });
    // 40–59 take seven items: no push-ups, sit-ups or vertical jump
    expect(res.body.station.items).toEqual([
      'heightWeight',
      'vitalCapacityMl',
      'stepIndex',
      'gripKg',
      'sitAndReachCm',
      'reactionTimeS',
      'oneLegStandEyesClosedS',
    ]);
    stationId = res.body.station.id;
    const listed = await stack.request('GET', '/fitness-tests/stations');
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(stationId);

    const edit = await stack.request('PATCH', `/admin/fitness-tests/stations/${stationId}`, {
      token: admin.token,
      body: { hours: '每天 8:30–17:00', ageBands: ['20-39', '40-59'] },
    });
    expect(edit.status).toBe(200);
    expect(edit.body.station).toMatchObject({ hours: '每天 8:30–17:00', ageBands: ['20-39', '40-59'] });
    expect(edit.body.station.items).toHaveLength(10);

    const start = shanghaiTime(dayAhead(clock, 5), '09:00');
    const slot = (h: number, cap = 8) => ({
      startAt: new Date(start.getTime() + h * 3600_000).toISOString(),
      endAt: new Date(start.getTime() + (h + 1) * 3600_000).toISOString(),
      capacity: cap,
    });
    const slots = await stack.request('POST', `/admin/fitness-tests/stations/${stationId}/slots`, {
      token: admin.token,
      body: { slots: [slot(0), slot(1), slot(2, 12)] },
    });
    expect(slots.status).toBe(201);
    expect(slots.body.items.map((s: { capacity: number; remaining: number }) => [s.capacity, s.remaining])).toEqual([
      [8, 8],
      [8, 8],
      [12, 12],
    ]);
    const audit = await mongoose.connection
      .collection('audit_log')
      .find({
        actorId: new mongoose.Types.ObjectId(admin.userId),
        action: { $in: ['fitness.station.create', 'fitness.station.update', 'fitness.slots.create'] },
      })
      .toArray();
    expect(audit.map((a) => a.action).sort()).toEqual(['fitness.slots.create', 'fitness.station.create', 'fitness.station.update']);
    const upd = audit.find((a) => a.action === 'fitness.station.update')!;
    expect(upd.details.changed.hours).toEqual({ before: '周二至周日 9:00–16:00', after: '每天 8:30–17:00' });

    // overlapping an existing slot, or each other, or in the past → FITNESS_SLOT_INVALID, nothing written
    const before = await snapshotDatabase();
    const half = {
      ...slot(1),
      startAt: new Date(start.getTime() + 1.5 * 3600_000).toISOString(),
      endAt: new Date(start.getTime() + 2.5 * 3600_000).toISOString(),
    };
    const past = { startAt: new Date(clock.now().getTime() - 3600_000).toISOString(), endAt: clock.now().toISOString(), capacity: 5 };
    const backwards = { startAt: slot(6).endAt, endAt: slot(6).startAt, capacity: 5 };
    const tooLong = { startAt: slot(6).startAt, endAt: new Date(start.getTime() + 20 * 3600_000).toISOString(), capacity: 5 };
    for (const bad of [[half], [slot(5), slot(5)], [past], [backwards], [tooLong]]) {
      const r = await stack.request('POST', `/admin/fitness-tests/stations/${stationId}/slots`, {
        token: admin.token,
        body: { slots: bad },
      });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('FITNESS_SLOT_INVALID');
    }
    // items that do not match the groups served
    for (const body of [{ items: ['gripKg'] }, { ageBands: ['40-59'], items: [...edit.body.station.items] }]) {
      const r = await stack.request('PATCH', `/admin/fitness-tests/stations/${stationId}`, { token: admin.token, body });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('FITNESS_STATION_INVALID');
    }
    expect(await snapshotDatabase()).toBe(before);
  });

  test('the scoped station-staff role is granted through /admin/roles (audited) and works at that station only', async () => {
    const worker = await stack.login('fit-entry-new-worker');
    const bad = await stack.request('POST', '/admin/roles', {
      token: admin.token,
      body: { userId: worker.userId, role: 'fitness_staff', scope: 'a'.repeat(24) },
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    const ok = await stack.request('POST', '/admin/roles', {
      token: admin.token,
      body: { userId: worker.userId, role: 'fitness_staff', scope: stationId, reason: '新站测试员' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.grants).toEqual(expect.arrayContaining([{ role: 'fitness_staff', scope: stationId }]));
    expect(
      await mongoose.connection
        .collection('audit_log')
        .countDocuments({ action: 'role.grant', targetUserId: new mongoose.Types.ObjectId(worker.userId) }),
    ).toBe(1);
    expect((await stack.request('GET', `/fitness-tests/stations/${stationId}/entries?date=${day}`, { token: worker.token })).status).toBe(
      200,
    );
    expect(
      (await stack.request('GET', `/fitness-tests/stations/${st.station.id}/entries?date=${day}`, { token: worker.token })).status,
    ).toBe(403);
  });

  type Case = [string, 'POST' | 'PATCH', () => string, unknown, number, string, 'admin' | 'staff' | 'citizen' | 'anon'];
  const S = () => stationId;
  const slotBody = (o: object) => ({
    slots: [{ startAt: '2099-01-01T09:00:00+08:00', endAt: '2099-01-01T10:00:00+08:00', capacity: 5, ...o }],
  });
  const cases: Case[] = [
    ['create: huge body', 'POST', () => '/admin/fitness-tests/stations', { ...station, address: HUGE }, 413, 'PAYLOAD_TOO_LARGE', 'admin'],
    ['create: anonymous', 'POST', () => '/admin/fitness-tests/stations', station, 401, 'UNAUTHENTICATED', 'anon'],
    ['create: citizen', 'POST', () => '/admin/fitness-tests/stations', station, 403, 'FORBIDDEN', 'citizen'],
    ['create: station staff', 'POST', () => '/admin/fitness-tests/stations', station, 403, 'FORBIDDEN', 'staff'],
    [
      'create: missing name',
      'POST',
      () => '/admin/fitness-tests/stations',
      { ...station, name: undefined },
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    ['create: empty name', 'POST', () => '/admin/fitness-tests/stations', { ...station, name: '  ' }, 400, 'VALIDATION_FAILED', 'admin'],
    [
      'create: huge address',
      'POST',
      () => '/admin/fitness-tests/stations',
      { ...station, address: 'x'.repeat(5000) },
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    ['create: name as number', 'POST', () => '/admin/fitness-tests/stations', { ...station, name: 42 }, 400, 'VALIDATION_FAILED', 'admin'],
    [
      'create: $-operator',
      'POST',
      () => '/admin/fitness-tests/stations',
      { ...station, district: { $ne: '' } },
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'create: no age groups',
      'POST',
      () => '/admin/fitness-tests/stations',
      { ...station, ageBands: [] },
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'create: age group 60-69',
      'POST',
      () => '/admin/fitness-tests/stations',
      { ...station, ageBands: ['60-69'] },
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'create: unknown item',
      'POST',
      () => '/admin/fitness-tests/stations',
      { ...station, items: ['bmi'] },
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'create: items not of the groups',
      'POST',
      () => '/admin/fitness-tests/stations',
      { ...station, items: ['pushUps'] },
      422,
      'FITNESS_STATION_INVALID',
      'admin',
    ],
    ['create: unknown key', 'POST', () => '/admin/fitness-tests/stations', { ...station, _id: 'x' }, 400, 'VALIDATION_FAILED', 'admin'],
    [
      'create: prototype key',
      'POST',
      () => '/admin/fitness-tests/stations',
      JSON.parse(`{"__proto__":{"admin":true},"name":"x"}`),
      400,
      'BAD_JSON',
      'admin',
    ],
    ['edit: empty body', 'PATCH', () => `/admin/fitness-tests/stations/${S()}`, {}, 400, 'VALIDATION_FAILED', 'admin'],
    ['edit: bad id', 'PATCH', () => '/admin/fitness-tests/stations/%24ne', { hours: 'x' }, 400, 'VALIDATION_FAILED', 'admin'],
    [
      'edit: unknown station',
      'PATCH',
      () => `/admin/fitness-tests/stations/${'b'.repeat(24)}`,
      { hours: 'x' },
      404,
      'FITNESS_STATION_NOT_FOUND',
      'admin',
    ],
    ['edit: hours as array', 'PATCH', () => `/admin/fitness-tests/stations/${S()}`, { hours: ['x'] }, 400, 'VALIDATION_FAILED', 'admin'],
    ['edit: citizen', 'PATCH', () => `/admin/fitness-tests/stations/${S()}`, { hours: 'x' }, 403, 'FORBIDDEN', 'citizen'],
    ['slots: citizen', 'POST', () => `/admin/fitness-tests/stations/${S()}/slots`, slotBody({}), 403, 'FORBIDDEN', 'citizen'],
    [
      'slots: unknown station',
      'POST',
      () => `/admin/fitness-tests/stations/${'b'.repeat(24)}/slots`,
      slotBody({}),
      404,
      'FITNESS_STATION_NOT_FOUND',
      'admin',
    ],
    ['slots: none', 'POST', () => `/admin/fitness-tests/stations/${S()}/slots`, { slots: [] }, 400, 'VALIDATION_FAILED', 'admin'],
    [
      'slots: capacity 0',
      'POST',
      () => `/admin/fitness-tests/stations/${S()}/slots`,
      slotBody({ capacity: 0 }),
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'slots: capacity as string',
      'POST',
      () => `/admin/fitness-tests/stations/${S()}/slots`,
      slotBody({ capacity: '5' }),
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'slots: capacity 1e9',
      'POST',
      () => `/admin/fitness-tests/stations/${S()}/slots`,
      slotBody({ capacity: 1e9 }),
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'slots: not a time',
      'POST',
      () => `/admin/fitness-tests/stations/${S()}/slots`,
      slotBody({ startAt: 'tomorrow' }),
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'slots: $-operator time',
      'POST',
      () => `/admin/fitness-tests/stations/${S()}/slots`,
      slotBody({ startAt: { $gt: '' } }),
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'slots: huge list',
      'POST',
      () => `/admin/fitness-tests/stations/${S()}/slots`,
      { slots: Array.from({ length: 201 }, () => slotBody({}).slots[0]) },
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'slots: extra key',
      'POST',
      () => `/admin/fitness-tests/stations/${S()}/slots`,
      slotBody({ remaining: 99 }),
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
  ];
  test.each(cases)('%s: 4xx, nothing written', async (_name, method, path, body, status, code, who) => {
    const token = { admin: admin.token, staff: staff.token, citizen: citizen.token, anon: undefined }[who];
    const before = await snapshotDatabase();
    const res = await stack.request(method, path(), { token, body });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(await snapshotDatabase()).toBe(before);
  });

  test('results: a bad Idempotency-Key is refused before anything is looked at', async () => {
    const before = await snapshotDatabase();
    const res = await submit(stack, staff.token, { stationId: st.station.id, bookingId: 'c'.repeat(24), measurements: {} }, '$bad key$');
    expect(res.status).toBe(400);
    expect(await snapshotDatabase()).toBe(before);
  });
});
