/**
 * Rollups and dashboards (issue 17, items 4–6): on a small seeded history of raw records, the
 * rollup cells equal a recomputation straight from those records; replaying every event, a crash
 * between the facts and the cells, and the rebuild command all leave the cells unchanged. The
 * dashboards read the cells; the dispatch report opens as a workbook with its sheets.
 */
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import { EVENT_CONTRACTS, shanghaiTime } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { emit } from '../../cloud/src/platform/outbox';
import { createPseudonymizer } from '../../cloud/src/platform/pseudonym';
import type { DatacentreService } from '../../cloud/src/modules/datacentre';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue } from '../support/venue-fixture';

const clock = new ManualClock(new Date('2026-12-01T04:00:00Z'));
const crashes = new CrashSwitch();
let stack: TestStack;
let dc: DatacentreService;
let admin: { token: string };
const pseudo = createPseudonymizer('p'.repeat(32));
const db = () => mongoose.connection.db!;

// a deterministic generator (no Math.random: the seed is the same on every run)
let state = 17;
const rnd = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];

interface RawBooking {
  id: string;
  venueId: string;
  district: string;
  sport: 'badminton' | 'swimming';
  day: string;
  hour: number;
  quantity: number;
  amountFen: number;
  fate: 'expired' | 'confirmed' | 'used' | 'no_show' | 'cancelled';
  order?: { id: string; payableFen: number; vouchers: string[]; paidAt: Date; refundFen: number };
}
const raw: RawBooking[] = [];
const hex = (n: number, prefix: string) => prefix + n.toString(16).padStart(24 - prefix.length, '0');
const DAYS = ['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02', '2026-11-15', '2026-11-30'];

async function seedHistory(venues: { id: string; district: string }[], n: number) {
  for (let i = 0; i < n; i++) {
    const v = pick(venues);
    const amountFen = pick([0, 2000, 3000]);
    const fate =
      amountFen === 0
        ? pick(['confirmed', 'used', 'no_show', 'cancelled'] as const)
        : pick(['expired', 'confirmed', 'used', 'no_show', 'cancelled'] as const);
    const day = pick(DAYS);
    const b: RawBooking = {
      id: hex(raw.length + 1, 'b'),
      venueId: v.id,
      district: v.district,
      sport: pick(['badminton', 'swimming'] as const),
      day,
      hour: 8 + Math.floor(rnd() * 14),
      quantity: 1 + Math.floor(rnd() * 2),
      amountFen,
      fate,
    };
    if (amountFen > 0 && fate !== 'expired') {
      const vouchers = rnd() < 0.5 ? [hex(raw.length + 1, 'c')] : [];
      const payableFen = vouchers.length ? amountFen - 1000 : amountFen;
      b.order = {
        id: hex(raw.length + 1, 'd'),
        payableFen,
        vouchers,
        paidAt: new Date(shanghaiTime(day, '07:00').getTime() - 86_400_000 * 2),
        refundFen: fate === 'cancelled' ? payableFen : 0,
      };
    }
    raw.push(b);
    await emitRaw(b);
  }
}

async function emitRaw(b: RawBooking) {
  const startAt = shanghaiTime(b.day, `${String(b.hour).padStart(2, '0')}:00`);
  const facts = {
    subject: pseudo(b.id),
    bookingId: b.id,
    venueId: b.venueId,
    resourceId: 'e'.repeat(24),
    sport: b.sport,
    day: b.day,
    startAt: startAt.toISOString(),
    quantity: b.quantity,
    amountFen: b.amountFen,
  };
  const t0 = b.order ? b.order.paidAt.getTime() - 60_000 : startAt.getTime() - 86_400_000;
  const at = (m: number) => ({ occurredAt: new Date(t0 + m * 1000) });
  await emit(
    'booking.booked',
    { ...facts, status: b.amountFen > 0 ? 'held' : 'confirmed' },
    { eventId: `booking.booked:${b.id}`, ...at(0) },
  );
  if (b.fate === 'expired') return emit('booking.expired', facts, { eventId: `booking.expired:${b.id}`, ...at(900) });
  if (b.order) {
    const o = b.order;
    for (const v of o.vouchers)
      await emit(
        'voucher.used',
        { subject: facts.subject, batchId: 'f'.repeat(24), voucherId: v, orderId: o.id },
        { eventId: `voucher.used:${v}`, ...at(59) },
      );
    await emit(
      'order.paid',
      { subject: facts.subject, orderId: o.id, kind: 'booking', refId: b.id, amountFen: b.amountFen, payableFen: o.payableFen },
      { eventId: `order.paid:${o.id}`, ...at(60) },
    );
  }
  await emit('booking.confirmed', facts, { eventId: `booking.confirmed:${b.id}`, ...at(61) });
  if (b.fate === 'used') {
    await emit(
      'ticket.admitted',
      {
        subject: facts.subject,
        ticketId: hex(raw.indexOf(b) + 1, 'a'),
        source: { kind: 'booking', id: b.id },
        venueId: b.venueId,
        startAt: facts.startAt,
        offline: false,
      },
      { eventId: `ticket.admitted:${b.id}`, occurredAt: startAt },
    );
    await emit('booking.used', facts, { eventId: `booking.used:${b.id}`, occurredAt: startAt });
  }
  if (b.fate === 'no_show')
    await emit('booking.no_show', facts, { eventId: `booking.no_show:${b.id}`, occurredAt: new Date(startAt.getTime() + 3_600_000) });
  if (b.fate === 'cancelled') {
    await emit(
      'booking.cancelled',
      { ...facts, by: 'user', refundStarted: Boolean(b.order) },
      { eventId: `booking.cancelled:${b.id}`, ...at(120) },
    );
    if (b.order)
      await emit(
        'order.refunded',
        { subject: facts.subject, orderId: b.order.id, kind: 'booking', refundFen: b.order.refundFen },
        { eventId: `order.refunded:${b.order.id}`, ...at(180) },
      );
  }
}

/** The expected figures, straight from the raw records (independent of the rollup code). */
function expected() {
  const vh = new Map<
    string,
    { bookings: number; places: number; used: number; noShows: number; cancelled: number; revenueFen: number; subsidyFen: number }
  >();
  const dsm = new Map<
    string,
    { orders: number; amountFen: number; spendFen: number; subsidyFen: number; vouchersUsed: number; refundFen: number }
  >();
  const part = new Map<string, number>();
  for (const b of raw) {
    if (b.fate === 'expired') continue;
    const k = `${b.venueId}|${b.day}|${b.hour}`;
    const c = vh.get(k) ?? { bookings: 0, places: 0, used: 0, noShows: 0, cancelled: 0, revenueFen: 0, subsidyFen: 0 };
    if (b.fate === 'cancelled') c.cancelled++;
    else {
      c.bookings++;
      c.places += b.quantity;
      if (b.fate === 'used') c.used++;
      if (b.fate === 'no_show') c.noShows++;
      c.subsidyFen += b.order ? b.amountFen - b.order.payableFen : 0;
    }
    c.revenueFen += b.order ? b.order.payableFen - b.order.refundFen : 0;
    vh.set(k, c);
    if (b.order) {
      const paidMonth = new Date(b.order.paidAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 7);
      const dk = `${b.district}|${b.sport}|${paidMonth}`;
      const d = dsm.get(dk) ?? { orders: 0, amountFen: 0, spendFen: 0, subsidyFen: 0, vouchersUsed: 0, refundFen: 0 };
      d.orders++;
      d.amountFen += b.amountFen;
      d.spendFen += b.order.payableFen;
      d.subsidyFen += b.amountFen - b.order.payableFen;
      d.vouchersUsed += b.order.vouchers.length;
      d.refundFen += b.order.refundFen;
      dsm.set(dk, d);
    }
    if (b.fate === 'used') {
      const month = b.day.slice(0, 7);
      for (const domain of ['venue', 'gate'])
        part.set(`${domain}|${b.district}|${month}`, (part.get(`${domain}|${b.district}|${month}`) ?? 0) + 1);
    }
  }
  return { vh, dsm, part };
}

async function actual() {
  const strip = (rows: Record<string, unknown>[], fields: string[]) =>
    new Map(rows.map((r) => [String(r._id), Object.fromEntries(fields.map((f) => [f, r[f]]))]));
  return {
    vh: strip(await db().collection('dc_venue_hour').find({}).toArray(), [
      'bookings',
      'places',
      'used',
      'noShows',
      'cancelled',
      'revenueFen',
      'subsidyFen',
    ]),
    dsm: strip(await db().collection('dc_district_sport_month').find({}).toArray(), [
      'orders',
      'amountFen',
      'spendFen',
      'subsidyFen',
      'vouchersUsed',
      'refundFen',
    ]),
    part: new Map((await db().collection('dc_participation_month').find({}).toArray()).map((r) => [String(r._id), r.count as number])),
  };
}
async function cellSnapshot() {
  const out: Record<string, unknown> = {};
  for (const c of [
    'dc_venue_hour',
    'dc_venue_month',
    'dc_district_sport_month',
    'dc_participation_month',
    'dc_booking_facts',
    'dc_order_facts',
    'dc_participation_facts',
  ])
    out[c] = await db().collection(c).find({}).sort({ _id: 1 }).toArray();
  return JSON.stringify(out);
}
async function rollUpAll() {
  for (let i = 0; i < 50; i++) if ((await dc.rollups.run()).applied === 0) return;
}

let venues: { id: string; district: string; name: string }[];
beforeAll(async () => {
  stack = await startTestStack('dcroll', { clock, appDeps: { crashes } });
  dc = stack.cloud.modules.get('datacentre') as DatacentreService;
  const a = await createTestVenue(stack, { name: '姑苏体育馆' });
  const b = await stack.cloud.services.venues.createVenue({
    name: '渝中全民健身中心',
    district: '渝中区',
    address: '中山一路1号',
    location: { lat: 29.5, lng: 106.5 },
    openHours: { open: '08:00', close: '22:00' },
    freeOrLowFee: true,
  });
  venues = [
    { id: a.venueId, district: '姑苏区', name: '姑苏体育馆' },
    { id: b, district: '渝中区', name: '渝中全民健身中心' },
  ];
  const u = await stack.login('roll-admin');
  await grant(stack, u.userId, 'admin');
  admin = u;
  await seedHistory(venues, 150);
}, 180_000);
afterAll(async () => stack.stop());

test('the rollup cells equal a recomputation from the raw records', async () => {
  await rollUpAll();
  const want = expected();
  const got = await actual();
  expect(got.vh.size).toBeGreaterThan(20);
  expect(Object.fromEntries(got.vh)).toEqual(Object.fromEntries(want.vh));
  expect(Object.fromEntries(got.dsm)).toEqual(Object.fromEntries(want.dsm));
  expect(Object.fromEntries(got.part)).toEqual(Object.fromEntries(want.part));
  expect([...want.dsm.keys()].some((k) => k.startsWith('渝中区'))).toBe(true);
});

test('replaying every event, re-emitting, a crash between facts and cells, and both rebuilds change nothing', async () => {
  await rollUpAll();
  const before = await cellSnapshot();
  const strip = (s: string) => JSON.parse(s) as Record<string, unknown[]>;
  // replay: every event folded again
  await db()
    .collection('outbox')
    .updateMany({}, { $set: { rolledUpAt: null } });
  await rollUpAll();
  expect(strip(await cellSnapshot())).toEqual(strip(before));
  // the same events emitted again (a retried emit): one event each, nothing new
  const n = await db().collection('outbox').countDocuments();
  for (const b of raw.slice(0, 10)) await emitRaw(b);
  expect(await db().collection('outbox').countDocuments()).toBe(n);
  // a crash after the facts, before the cells and the rolledUpAt marks: the next run finishes exactly
  await db()
    .collection('outbox')
    .updateMany({ 'payload.bookingId': { $in: raw.slice(0, 30).map((b) => b.id) } }, { $set: { rolledUpAt: null } });
  crashes.arm('datacentre:rollups:before-cells');
  await expect(dc.rollups.run()).rejects.toThrow(/injected crash/);
  await rollUpAll();
  expect(strip(await cellSnapshot())).toEqual(strip(before));
  // rebuild command: drop and fold again; and cells from facts
  await dc.rollups.rebuild();
  expect(strip(await cellSnapshot())).toEqual(strip(before));
  await dc.rollups.rebuildCells();
  expect(strip(await cellSnapshot())).toEqual(strip(before));
}, 240_000);

test('dashboards: heat map by hour of week, consumption by district with leverage, activity, public-service hours', async () => {
  await rollUpAll();
  const want = expected();
  const q = 'from=2026-10-01&to=2026-11-30';
  const heat = await stack.request('GET', `/admin/dashboard/utilisation?${q}`, { token: admin.token });
  expect(heat.status).toBe(200);
  const totalPlaces = [...want.vh.values()].reduce((a, c) => a + c.places, 0);
  expect(heat.body.total.flat().reduce((a: number, b: number) => a + b, 0)).toBe(totalPlaces);
  expect(heat.body.venues.map((v: { name: string }) => v.name).sort()).toEqual(venues.map((v) => v.name).sort());
  const sat = raw
    .filter((b) => b.day === '2026-10-31' && b.fate !== 'expired' && b.fate !== 'cancelled' && b.hour === 10)
    .reduce((a, b) => a + b.quantity, 0);
  expect(heat.body.total[5][10]).toBe(sat); // 2026-10-31 is a Saturday

  const byDistrict = await stack.request('GET', `/admin/dashboard/consumption?${q}&groupBy=district`, { token: admin.token });
  expect(byDistrict.status).toBe(200);
  for (const d of ['姑苏区', '渝中区']) {
    const rows = [...want.dsm.entries()].filter(([k]) => k.startsWith(`${d}|`)).map(([, v]) => v);
    const row = byDistrict.body.items.find((r: { key: string }) => r.key === d);
    expect(row).toMatchObject({ orders: rows.reduce((a, r) => a + r.orders, 0), subsidyFen: rows.reduce((a, r) => a + r.subsidyFen, 0) });
    if (row.subsidyFen > 0) expect(row.leverage).toBeCloseTo(row.amountFen / row.subsidyFen, 2);
  }
  const filtered = await stack.request('GET', `/admin/dashboard/consumption?${q}&groupBy=month&district=${encodeURIComponent('渝中区')}`, {
    token: admin.token,
  });
  expect(filtered.body.total.orders).toBe(byDistrict.body.items.find((r: { key: string }) => r.key === '渝中区').orders);

  const act = await stack.request('GET', `/admin/dashboard/activity?${q}`, { token: admin.token });
  expect(act.body.items.reduce((a: number, r: { count: number }) => a + r.count, 0)).toBe(
    [...want.part.values()].reduce((a, b) => a + b, 0),
  );

  const ps = await stack.request('GET', `/admin/dashboard/public-service?from=2026-12-01&to=2026-12-07`, { token: admin.token });
  expect(ps.status).toBe(200);
  expect(ps.body.norm).toEqual({ hoursPerWeek: 35, daysPerYear: 330 });
  const gusu = ps.body.items.find((r: { name: string }) => r.name === '姑苏体育馆');
  // the fixture's courts are free 08–22 every day: 14 h a day = 98 h a week, open every day
  expect(gusu).toMatchObject({ lowFeeHoursPerWeek: 98, meetsWeekly: true });
}, 180_000);

test('dispatch report: JSON with month-on-month and year-on-year, and an xlsx whose sheets open', async () => {
  await rollUpAll();
  const r = await stack.request('GET', '/admin/reports/dispatch?month=2026-11', { token: admin.token });
  expect(r.status).toBe(200);
  const lines = r.body.report.lines as {
    district: string;
    line: string;
    metric: string;
    value: number;
    previous: number;
    mom: number | null;
  }[];
  const cityBookings = lines.find((l) => l.district === '全市' && l.line === '场馆预订' && l.metric === '预订数')!;
  const nov = raw.filter((b) => b.day.startsWith('2026-11') && b.fate !== 'expired' && b.fate !== 'cancelled').length;
  const oct = raw.filter((b) => b.day.startsWith('2026-10') && b.fate !== 'expired' && b.fate !== 'cancelled').length;
  expect(cityBookings).toMatchObject({ value: nov, previous: oct, lastYear: 0, yoy: null });
  expect(cityBookings.mom).toBeCloseTo(((nov - oct) / oct) * 100, 0);
  expect(lines.some((l) => l.district === '渝中区')).toBe(true);

  const x = await fetch(`${stack.url}/api/v1/admin/reports/dispatch?month=2026-11&format=xlsx`, {
    headers: { authorization: `Bearer ${admin.token}` },
  });
  expect(x.status).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await x.arrayBuffer()) as never);
  expect(wb.worksheets.map((w) => w.name)).toEqual(['调度报表', '全市汇总', '说明']);
  const sheet = wb.getWorksheet('调度报表')!;
  expect(sheet.getRow(1).getCell(1).value).toBe('区县');
  expect(sheet.rowCount).toBe(lines.length + 1);
  const city = wb.getWorksheet('全市汇总')!;
  const row = city.getRows(2, city.rowCount - 1)!.find((rw) => rw.getCell(3).value === '预订数')!;
  expect(row.getCell(4).value).toBe(nov);
  expect(await db().collection('audit_log').countDocuments({ action: 'datacentre.export.dispatch' })).toBe(1);

  // the monthly job on the 1st: last month's report, once
  expect(await dc.reports.monthly()).toEqual({ generated: null }); // 2026-11 was generated on demand above
  clock.set('2027-01-01T01:00:00Z');
  expect(await dc.reports.monthly()).toEqual({ generated: '2026-12' });
  expect(await dc.reports.monthly()).toEqual({ generated: null });
  clock.set('2026-12-01T04:00:00Z');
});

test('the coarse heat-map cells (venue × month × hour of week) equal the sums of the fine cells, and the heat map reads them for whole months with the same figures', async () => {
  await rollUpAll();
  const fine = await db().collection('dc_venue_hour').find({}).toArray();
  const figures = ['bookings', 'places', 'used', 'noShows', 'cancelled', 'revenueFen', 'subsidyFen'];
  const want = new Map<string, Record<string, unknown>>();
  for (const c of fine) {
    const k = `${c.venueId}|${c.month}|${c.district}`;
    const m = want.get(k) ?? { ...Object.fromEntries(figures.map((f) => [f, Array<number>(168).fill(0)])), byDay: {} };
    for (const f of figures) (m[f] as number[])[c.weekday * 24 + c.hour] += c[f];
    const byDay = m.byDay as Record<string, number>;
    const d = `${c.day.slice(8)}|${c.weekday * 24 + c.hour}`; // places per day of the month and hour of week
    if (c.places) byDay[d] = (byDay[d] ?? 0) + c.places;
    want.set(k, m);
  }
  const coarse = await db().collection('dc_venue_month').find({}).toArray();
  expect(coarse.length).toBeGreaterThanOrEqual(4); // 2 venues × October and November
  expect(Object.fromEntries(coarse.map((c) => [String(c._id), Object.fromEntries([...figures, 'byDay'].map((f) => [f, c[f]]))]))).toEqual(
    Object.fromEntries(want),
  );

  /** the heat map straight from the venue × day × hour cells */
  const fromFine = (from: string, to: string, where: { district?: string; venueId?: string } = {}) => {
    const total = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
    const venues = new Map<string, number[]>();
    for (const c of fine) {
      if (c.day < from || c.day > to || (where.district && c.district !== where.district) || (where.venueId && c.venueId !== where.venueId))
        continue;
      if (!c.places) continue;
      total[c.weekday][c.hour] += c.places;
      const v = venues.get(c.venueId) ?? Array<number>(168).fill(0);
      v[c.weekday * 24 + c.hour] += c.places;
      venues.set(c.venueId, v);
    }
    return { total, venues: Object.fromEntries(venues) };
  };
  const ranges: [string, string, { district?: string; venueId?: string }][] = [
    ['2026-10-01', '2026-11-30', {}], // two whole months
    ['2026-10-31', '2026-11-30', {}], // a partial edge, a whole month
    ['2026-10-01', '2026-11-15', { district: '渝中区' }], // a whole month, a partial edge, one district
    ['2026-11-01', '2026-11-15', {}], // shorter than a month: the coarse cells' places per day
    ['2026-09-01', '2026-12-31', { venueId: venues[0].id }], // whole months around the history, one venue
  ];
  for (const [from, to, where] of ranges) {
    const qs = new URLSearchParams({ from, to, ...where }).toString();
    const r = await stack.request('GET', `/admin/dashboard/utilisation?${qs}`, { token: admin.token });
    expect(r.status).toBe(200);
    const got = {
      total: r.body.total,
      venues: Object.fromEntries(r.body.venues.map((v: { venueId: string; hours: number[] }) => [v.venueId, v.hours])),
    };
    expect([from, to, where, got]).toEqual([from, to, where, fromFine(from, to, where)]);
  }

  // whole months come from the coarse cells' hour-of-week slots: a slot changed there shows in a whole month only
  const one = coarse.find((c) => c.month === '2026-11' && (c.places as number[]).some((p) => p > 0))!;
  const slot = (one.places as number[]).findIndex((p) => p > 0);
  await db()
    .collection('dc_venue_month')
    .updateOne({ _id: one._id }, { $inc: { [`places.${slot}`]: 1000 } });
  const wholeNov = await stack.request('GET', '/admin/dashboard/utilisation?from=2026-11-01&to=2026-11-30', { token: admin.token });
  const partNov = await stack.request('GET', '/admin/dashboard/utilisation?from=2026-11-01&to=2026-11-29', { token: admin.token });
  await db()
    .collection('dc_venue_month')
    .updateOne({ _id: one._id }, { $inc: { [`places.${slot}`]: -1000 } });
  const h = fromFine('2026-11-01', '2026-11-30').total[Math.floor(slot / 24)][slot % 24];
  expect(wholeNov.body.total[Math.floor(slot / 24)][slot % 24]).toBe(h + 1000);
  expect(partNov.body.total[Math.floor(slot / 24)][slot % 24]).toBeLessThanOrEqual(h);
  // and the rebuild makes them again from the facts, the same
  await dc.rollups.rebuildCells();
  const again = await db().collection('dc_venue_month').find({}).sort({ _id: 1 }).toArray();
  expect(again).toEqual([...coarse].sort((a, b) => (String(a._id) < String(b._id) ? -1 : 1)));
});

test('dashboards: admins only, bad input is a 4xx with a code, never a 500', async () => {
  const citizen = await stack.login('roll-citizen');
  const paths = [
    '/admin/dashboard/utilisation?from=2026-11-01&to=2026-11-30',
    '/admin/dashboard/consumption?from=2026-11-01&to=2026-11-30',
    '/admin/reports/dispatch?month=2026-11',
  ];
  for (const p of paths) expect((await stack.request('GET', p, { token: citizen.token })).status).toBe(403);
  const bad = [
    '/admin/dashboard/utilisation?from=2026-11-01',
    '/admin/dashboard/utilisation?from=2026-11-31&to=2026-12-01',
    '/admin/dashboard/utilisation?from=2026-11-01&to=2026-11-30&venueId[$ne]=x',
    '/admin/dashboard/utilisation?from=2026-11-01&to=2026-11-30&venueId=nothex',
    `/admin/dashboard/consumption?from=2026-11-01&to=2026-11-30&district=${'x'.repeat(5000)}`,
    '/admin/dashboard/consumption?from=2026-11-01&to=2026-11-30&groupBy=__proto__',
    '/admin/reports/dispatch?month=2026-13',
    '/admin/reports/dispatch?month=2026-11&format=pdf',
    '/admin/dashboard/activity?from=2026-12-01&to=2026-11-01',
  ];
  for (const p of bad) {
    const r = await stack.request('GET', p, { token: admin.token });
    expect([p, r.status, r.body.error?.code]).toEqual([p, 400, 'VALIDATION_FAILED']);
  }
  const long = await stack.request('GET', '/admin/dashboard/utilisation?from=2024-01-01&to=2026-11-30', { token: admin.token });
  expect(long).toMatchObject({ status: 422, body: { error: { code: 'DATA_CENTRE_RANGE_TOO_LONG' } } });
});

test('reference snapshots: a venue change sends a new version, a removed resource a removed version, an unchanged one nothing', async () => {
  const first = await dc.reference.sync();
  expect(first.changed).toBeGreaterThanOrEqual(4); // 2 venues + the fixture's 2 resources
  expect(await dc.reference.sync()).toEqual({ changed: 0, removed: 0 });
  await db()
    .collection('venues')
    .updateOne({ _id: new mongoose.Types.ObjectId(venues[1].id) }, { $set: { freeOrLowFee: false } });
  expect(await dc.reference.sync()).toEqual({ changed: 1, removed: 0 });
  const v2 = await db()
    .collection('outbox')
    .findOne({ eventId: `ref.venue:${venues[1].id}:v2` });
  expect(v2!.payload).toMatchObject({ version: 2, removed: false, snapshot: { freeOrLowFee: false, district: '渝中区' } });
  const res = await db()
    .collection('resources')
    .findOne({ venueId: new mongoose.Types.ObjectId(venues[0].id) });
  await db().collection('resources').deleteOne({ _id: res!._id });
  expect(await dc.reference.sync()).toEqual({ changed: 0, removed: 1 });
  const gone = await db()
    .collection('outbox')
    .findOne({ eventId: `ref.resource:${res!._id}:v2` });
  expect(gone!.payload).toMatchObject({ removed: true, version: 2 });
});

test('participation from other domains: an event check-in, a guidance attendance and a fitness test count once each (a corrected report does not)', async () => {
  const at = { occurredAt: new Date('2026-09-15T02:00:00Z') }; // a month no booking touches
  const ex = <T extends 'event.checked_in' | 'guidance.attended' | 'fitness.report_issued'>(t: T) => EVENT_CONTRACTS[t].example;
  await emit('event.checked_in', ex('event.checked_in'), { eventId: 'roll-ev-1', ...at });
  await emit('guidance.attended', { ...ex('guidance.attended'), district: '姑苏区' }, { eventId: 'roll-gd-1', ...at });
  await emit('fitness.report_issued', ex('fitness.report_issued'), { eventId: 'roll-ft-1', ...at });
  await emit('fitness.report_issued', { ...ex('fitness.report_issued'), revision: 2 }, { eventId: 'roll-ft-2', ...at });
  await rollUpAll();
  const cells = (await db().collection('dc_participation_month').find({}).toArray()).filter((c) => String(c._id).endsWith('|2026-09'));
  expect(Object.fromEntries(cells.map((c) => [String(c._id), c.count]))).toEqual({
    'events|渝中区|2026-09': 1,
    'guidance|姑苏区|2026-09': 1,
    'fitness|渝中区|2026-09': 1,
  });
});
