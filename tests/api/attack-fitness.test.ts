/**
 * An attacker against the physical-fitness test (issue 13): admins racing to add overlapping slots to
 * one station (control run without the kernel's guard first, then 200 callers against the guard), a
 * crash while an admin holds the station's slot claim, an entry key reused for another person's or
 * another station's ticket, other users' reports and share cards, and what the responses disclose.
 */
import mongoose from 'mongoose';
import { FITNESS_CONSENT_VERSION, shanghaiTime } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { MEASUREMENTS_A, createTestStation, dayAhead, idNumberFor } from '../support/fitness-fixture';

const clock = new ManualClock(new Date());
const crashes = new CrashSwitch();
let stack: TestStack;
let control: TestStack;
let crashy: TestStack;
let day: string;
let st: Awaited<ReturnType<typeof createTestStation>>;
let other: Awaited<ReturnType<typeof createTestStation>>;
let staff: { token: string; userId: string };
let citizenA: { token: string; userId: string };
let citizenB: { token: string; userId: string };
let admins: { token: string; userId: string }[];
const consent = { healthData: true, version: FITNESS_CONSENT_VERSION };
const measurements = MEASUREMENTS_A;
const N = 200;
let serial = 10;
const people: { name: string; idNumber: string }[] = [];

beforeAll(async () => {
  stack = await startTestStack('attack-fitness', { clock });
  control = await startTestStack('attack-fitness-control', { clock, reuseConnection: true, appDeps: { controlRunWithoutGuards: true } });
  crashy = await startTestStack('attack-fitness-crash', { clock, reuseConnection: true, appDeps: { crashes } });
  day = dayAhead(clock, 2);
  st = await createTestStation(stack, { name: '攻击测试站', day, capacity: 50, times: ['09:00'] });
  other = await createTestStation(stack, { name: '另一测试站', district: '吴中区', day, capacity: 50, times: ['09:00'] });
  staff = await stack.login('atk-fit-staff');
  // one person on staff at both stations: the key reused across stations
  await grant(stack, staff.userId, 'fitness_staff', st.station.id);
  await grant(stack, staff.userId, 'fitness_staff', other.station.id);
  citizenA = await stack.login('atk-fit-a');
  citizenB = await stack.login('atk-fit-b');
  admins = [];
  for (let i = 0; i < 4; i++) {
    const a = await stack.login(`atk-fit-admin-${i}`);
    await grant(stack, a.userId, 'admin');
    admins.push(a);
  }
}, 120_000);
afterAll(async () => {
  await crashy.stop();
  await control.stop();
  await stack.stop();
});

// ---------- slots: read-then-insert ----------

const addSlot = (s: TestStack, i: number, stationId: string, startAt: Date, minutes = 60) =>
  s.request('POST', `/admin/fitness-tests/stations/${stationId}/slots`, {
    token: admins[i % admins.length].token,
    body: { slots: [{ startAt: startAt.toISOString(), endAt: new Date(startAt.getTime() + minutes * 60_000).toISOString(), capacity: 5 }] },
  });
async function newStation(name: string) {
  const res = await stack.request('POST', '/admin/fitness-tests/stations', {
    token: admins[0].token,
    body: { name, district: '姑苏区', address: '苏州市姑苏区测试路9号', hours: '9:00–16:00', ageBands: ['20-39', '40-59'] },
  });
  expect(res.status).toBe(201);
  return res.body.station.id as string;
}
/** pairs of open slots of the station whose times overlap */
async function overlapsAt(stationId: string) {
  const rows = await mongoose.connection
    .collection('fitness_slots')
    .find({ stationId: new mongoose.Types.ObjectId(stationId), status: 'open' })
    .sort({ startAt: 1 })
    .toArray();
  let n = 0;
  for (let i = 0; i < rows.length; i++)
    for (let j = i + 1; j < rows.length; j++) if (rows[j].startAt < rows[i].endAt && rows[j].endAt > rows[i].startAt) n++;
  return { slots: rows.length, overlaps: n };
}
/** N callers each adding one hour starting a minute after the previous caller's: every two of them within an hour overlap */
async function rushSlots(s: TestStack, stationId: string) {
  const base = shanghaiTime(dayAhead(clock, 6), '09:00');
  const results = await Promise.all(Array.from({ length: N }, (_, i) => addSlot(s, i, stationId, new Date(base.getTime() + i * 60_000))));
  return {
    created: results.filter((r) => r.status === 201).length,
    refused: results.filter((r) => r.status === 422 && r.body.error.code === 'FITNESS_SLOT_INVALID').length,
    busy: results.filter((r) => r.status === 409 && r.body.error.code === 'CONFLICT').length,
    fivexx: results.filter((r) => r.status >= 500).length,
  };
}

describe(`${N} admin calls adding overlapping slots to one station at once`, () => {
  test('control: without the guard, overlapping slots are stored', async () => {
    const stationId = await newStation('对照加时段站');
    const r = await rushSlots(control, stationId);
    const o = await overlapsAt(stationId);
    process.stdout.write(`[fitness slots race] control: ${r.created} created, ${o.overlaps} overlapping pairs\n`);
    expect(o.overlaps).toBeGreaterThan(0);
  }, 120_000);

  test('with the guard: no two open slots overlap; every other caller FITNESS_SLOT_INVALID (or CONFLICT), no 5xx', async () => {
    const stationId = await newStation('并发加时段站');
    const r = await rushSlots(stack, stationId);
    const o = await overlapsAt(stationId);
    process.stdout.write(`[fitness slots race] guarded: ${JSON.stringify(r)}, stored ${o.slots}\n`);
    expect(r.fivexx).toBe(0);
    expect(r.created + r.refused + r.busy).toBe(N);
    expect(r.created).toBeGreaterThanOrEqual(1);
    expect(o.overlaps).toBe(0);
    expect(o.slots).toBe(r.created);
    // the claim is let go: a later non-overlapping slot is added at once
    const later = await addSlot(stack, 0, stationId, shanghaiTime(dayAhead(clock, 7), '09:00'));
    expect(later.status).toBe(201);
  }, 120_000);

  test('two admins adding slots that do not overlap at once both succeed', async () => {
    const stationId = await newStation('并发不重叠站');
    const base = shanghaiTime(dayAhead(clock, 6), '09:00');
    const res = await Promise.all(
      Array.from({ length: 8 }, (_, i) => addSlot(stack, i, stationId, new Date(base.getTime() + i * 3600_000))),
    );
    expect(res.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(await overlapsAt(stationId)).toEqual({ slots: 8, overlaps: 0 });
  });

  test('a crash while holding the station’s slot claim blocks other admins only until its lease passes', async () => {
    const stationId = await newStation('崩溃加时段站');
    const base = shanghaiTime(dayAhead(clock, 6), '09:00');
    crashes.arm('fitness.slots:after-claim');
    expect((await addSlot(crashy, 0, stationId, base)).status).toBe(500);
    expect(await overlapsAt(stationId)).toEqual({ slots: 0, overlaps: 0 });
    // claim held by the crashed attempt: another admin waits, then CONFLICT; nothing written
    const blocked = await addSlot(stack, 1, stationId, new Date(base.getTime() + 3 * 3600_000));
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('CONFLICT');
    expect(await overlapsAt(stationId)).toEqual({ slots: 0, overlaps: 0 });
    clock.advance(31_000);
    expect((await addSlot(stack, 1, stationId, base)).status).toBe(201);
    expect((await addSlot(stack, 2, stationId, new Date(base.getTime() + 30 * 60_000))).body.error.code).toBe('FITNESS_SLOT_INVALID');
    expect(await overlapsAt(stationId)).toEqual({ slots: 1, overlaps: 0 });
  }, 60_000);
});

// ---------- entries, reports, share cards ----------

/** a booked, not yet scanned man of 22 at a station, with his ticket code */
async function booked(citizen: { token: string }, slotId: string) {
  const birthYear = Number(day.slice(0, 4)) - 22;
  const participant = {
    name: `钱${'一二三四五六七八九十'[serial % 10]}明`,
    idNumber: idNumberFor(`${birthYear}-03-0${1 + (serial % 9)}`, true, String(serial++).padStart(2, '0')),
  };
  people.push(participant);
  const b = await stack.request('POST', '/fitness-tests/bookings', { token: citizen.token, body: { slotId, participant, consent } });
  expect(b.status).toBe(201);
  const code = (await stack.request('GET', `/tickets/${b.body.ticket.id}/code`, { token: citizen.token })).body.code as string;
  return { bookingId: b.body.booking.id as string, code, participant };
}
const submit = (token: string, body: unknown, key?: string) =>
  stack.request('POST', '/fitness-tests/results', { token, body, ...(key ? { headers: { 'Idempotency-Key': key } } : {}) });
const reportOfBooking = (bookingId: string) =>
  mongoose.connection.collection('fitness_reports').findOne({ bookingId: new mongoose.Types.ObjectId(bookingId) });
// a woman's item for a man: refused by the scoring, which runs after the ticket is scanned
const missingPushUps = { ...measurements, sitUpsPerMin: 30 };

describe('an entry key reused after a failed first attempt', () => {
  beforeAll(() => clock.set(new Date(shanghaiTime(day, '09:00').getTime() - 10 * 60_000)));

  test('for another person’s ticket: never stored on the first person’s booking', async () => {
    const a = await booked(citizenA, st.slotIds[0]);
    const b = await booked(citizenB, st.slotIds[0]);
    // first attempt: A's ticket scanned, then refused (a woman's item entered for a man); the key is let go
    const first = await submit(
      staff.token,
      { stationId: st.station.id, ticketCode: a.code, measurements: missingPushUps },
      'reuse-key-0001',
    );
    expect(first.status).toBe(422);
    expect(first.body.error.code).toBe('FITNESS_MEASUREMENT_INVALID');
    // the same key, B's ticket and B's measurements
    const second = await submit(staff.token, { stationId: st.station.id, ticketCode: b.code, measurements }, 'reuse-key-0001');
    const onA = await reportOfBooking(a.bookingId);
    expect(onA).toBeNull(); // B's values never become A's report
    expect(second.status).toBe(201);
    const onB = await reportOfBooking(b.bookingId);
    expect(String(onB!.userId)).toBe(citizenB.userId);
    expect(second.body.report.id).toBe(String(onB!._id));
    // A is still measurable with a fresh entry
    const forA = await submit(staff.token, { stationId: st.station.id, bookingId: a.bookingId, measurements }, 'fresh-key-0002');
    expect(forA.status).toBe(201);
    expect(String((await reportOfBooking(a.bookingId))!.userId)).toBe(citizenA.userId);
    // once an entry succeeded under a key, the key for anything else is refused (nothing mapped)
    const c = await booked(citizenB, st.slotIds[0]);
    const reused = await submit(staff.token, { stationId: st.station.id, ticketCode: c.code, measurements }, 'reuse-key-0001');
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await reportOfBooking(c.bookingId)).toBeNull();
  });

  test('at another station: the second station’s ticket is scanned and measured, not answered with the first ticket', async () => {
    const a = await booked(citizenA, st.slotIds[0]);
    const y = await booked(citizenB, other.slotIds[0]);
    const first = await submit(
      staff.token,
      { stationId: st.station.id, ticketCode: a.code, measurements: missingPushUps },
      'reuse-key-0003',
    );
    expect(first.status).toBe(422);
    const second = await submit(staff.token, { stationId: other.station.id, ticketCode: y.code, measurements }, 'reuse-key-0003');
    expect(second.status).toBe(201);
    expect(String((await reportOfBooking(y.bookingId))!.userId)).toBe(citizenB.userId);
    expect(await reportOfBooking(a.bookingId)).toBeNull();
  });

  test('staff of one station cannot enter, list or correct at a station they are not on', async () => {
    const outsider = await stack.login('atk-fit-outsider');
    await grant(stack, outsider.userId, 'fitness_staff', other.station.id);
    const a = await booked(citizenA, st.slotIds[0]);
    const res = await submit(outsider.token, { stationId: st.station.id, ticketCode: a.code, measurements }, 'outsider-0001');
    expect(res.status).toBe(403);
    // naming their own station with a ticket of the other station: the ticket is not valid here
    const mis = await submit(outsider.token, { stationId: other.station.id, ticketCode: a.code, measurements }, 'outsider-0002');
    expect(mis.status).toBeGreaterThanOrEqual(400);
    expect(mis.status).toBeLessThan(500);
    expect(await reportOfBooking(a.bookingId)).toBeNull();
    const stReport = (await mongoose.connection
      .collection('fitness_reports')
      .findOne({ stationId: new mongoose.Types.ObjectId(st.station.id) }))!;
    const corr = await stack.request('POST', `/fitness-tests/reports/${stReport._id}/corrections`, {
      token: outsider.token,
      body: { measurements: { gripKg: 50 }, reason: '复核' },
    });
    expect(corr.status).toBe(403);
    expect(
      (await stack.request('GET', `/fitness-tests/stations/${st.station.id}/entries?date=${day}`, { token: outsider.token })).status,
    ).toBe(403);
  });
});

describe('one person booked 50 times at once (by 50 accounts)', () => {
  test('one booking, one place taken, one ticket; the rest FITNESS_ALREADY_BOOKED; no 5xx', async () => {
    const { slotIds } = await createTestStation(stack, { name: '同人并发站', day, capacity: 20, times: ['10:00'] });
    const accounts = await stack.loginMany('atk-fit-same', 50);
    const birthYear = Number(day.slice(0, 4)) - 30;
    const participant = { name: '孙同一', idNumber: idNumberFor(`${birthYear}-06-15`, false, '77') };
    const res = await Promise.all(
      accounts.map((u) =>
        stack.request('POST', '/fitness-tests/bookings', { token: u.token, body: { slotId: slotIds[0], participant, consent } }),
      ),
    );
    expect(res.filter((r) => r.status >= 500)).toEqual([]);
    expect(res.filter((r) => r.status === 201)).toHaveLength(1);
    expect(res.filter((r) => r.status === 409 && r.body.error.code === 'FITNESS_ALREADY_BOOKED')).toHaveLength(49);
    const slot = await mongoose.connection.collection('fitness_slots').findOne({ _id: new mongoose.Types.ObjectId(slotIds[0]) });
    expect(slot!.remaining).toBe(19);
    const booked = await mongoose.connection
      .collection('fitness_bookings')
      .find({ slotId: new mongoose.Types.ObjectId(slotIds[0]), status: 'booked' })
      .toArray();
    expect(booked).toHaveLength(1);
    expect(
      await mongoose.connection.collection('tickets').countDocuments({ 'source.kind': 'fitness_test', 'source.id': String(booked[0]._id) }),
    ).toBe(1);
  }, 60_000);
});

describe('other users’ reports, share cards and what is disclosed', () => {
  test('B cannot read A’s report or share card (404, both formats); the owner’s answers carry no ID number, birth date or full name', async () => {
    const mine = await stack.request('GET', '/fitness-tests/reports/mine', { token: citizenA.token });
    expect(mine.body.items.length).toBeGreaterThan(0);
    const reportId = mine.body.items[0].id as string;
    for (const path of [
      `/fitness-tests/reports/${reportId}`,
      `/fitness-tests/reports/${reportId}/share`,
      `/fitness-tests/reports/${reportId}/share?format=json`,
    ]) {
      const r = await stack.request('GET', path, { token: citizenB.token });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('FITNESS_REPORT_NOT_FOUND');
    }
    expect((await stack.request('GET', `/fitness-tests/reports/${reportId}`)).status).toBe(401);
    const answers = [
      await stack.request('GET', `/fitness-tests/reports/${reportId}`, { token: citizenA.token }),
      await stack.request('GET', `/fitness-tests/reports/${reportId}/share`, { token: citizenA.token }),
      await stack.request('GET', `/fitness-tests/reports/${reportId}/share?format=json`, { token: citizenA.token }),
      mine,
      await stack.request('GET', '/fitness-tests/bookings/mine', { token: citizenA.token }),
      await stack.request('GET', `/fitness-tests/stations/${st.station.id}/entries?date=${day}`, { token: staff.token }),
    ];
    for (const a of answers) expect(a.status).toBe(200);
    const text = answers
      .map((a) => (typeof a.body === 'string' ? a.body : JSON.stringify(a.body)))
      .map((t) => (t.includes('base64,') ? Buffer.from(t.split('base64,')[1].split('"')[0], 'base64').toString('utf8') : t))
      .join('\n');
    for (const p of people) {
      expect(text).not.toContain(p.idNumber);
      expect(text).not.toContain(p.idNumber.slice(6, 14)); // the birth date
      expect(text).not.toContain(p.name);
    }
    // B's list does not hold A's
    const bMine = await stack.request('GET', '/fitness-tests/reports/mine', { token: citizenB.token });
    expect(bMine.body.items.map((x: { id: string }) => x.id)).not.toContain(reportId);
    const bBookings = await stack.request('GET', '/fitness-tests/bookings/mine', { token: citizenB.token });
    const aBookings = await stack.request('GET', '/fitness-tests/bookings/mine', { token: citizenA.token });
    const aIds = new Set(aBookings.body.items.map((x: { id: string }) => x.id));
    expect(bBookings.body.items.some((x: { id: string }) => aIds.has(x.id))).toBe(false);
  });
});
