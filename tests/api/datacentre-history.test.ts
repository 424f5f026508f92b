/**
 * The seeded history (`npm run seed:history`, `bench:datacentre`) folds its cells in process as it
 * generates the facts, instead of reading a million facts back: those cells must be exactly the
 * ones recomputed from the facts it wrote (`rollups.rebuildCells`), and the heat map over them the
 * same whatever the range's edges.
 */
import mongoose from 'mongoose';
import type { DatacentreService } from '../../cloud/src/modules/datacentre';
import type { BookingFact, OrderFact, ParticipationFact } from '../../cloud/src/modules/datacentre/rollups';
import { seedBookingHistory } from '../../mock/src/seed/datacentre-history';
import { grant, startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let dc: DatacentreService;
const db = () => mongoose.connection.db!;
const CELLS = ['dc_venue_hour', 'dc_venue_month', 'dc_district_sport_month', 'dc_participation_month'];
async function snapshot() {
  const out: Record<string, unknown[]> = {};
  for (const c of CELLS) out[c] = await db().collection(c).find({}).sort({ _id: 1 }).toArray();
  return out;
}

beforeAll(async () => {
  stack = await startTestStack('dchist');
  dc = stack.cloud.modules.get('datacentre') as DatacentreService;
}, 120_000);
afterAll(async () => stack.stop());

test('cells folded while the history is generated equal the cells rebuilt from its facts; the heat map is the same for whole and partial months', async () => {
  const venues = [];
  for (const [i, district] of ['姑苏区', '工业园区', '吴中区'].entries()) {
    const id = await stack.cloud.services.venues.createVenue({
      name: `历史场馆${i + 1}`,
      district,
      address: `${district}历史路${i + 1}号`,
      location: { lat: 31.3, lng: 120.6 },
      openHours: { open: '08:00', close: '22:00' },
    });
    venues.push({ id, district, sports: ['badminton', 'swimming'] });
  }
  const builder = dc.rollups.cellBuilder();
  const r = await seedBookingHistory({
    venues,
    bookings: 4000,
    lastDay: '2026-11-20',
    batch: 1500,
    onFacts: (f) => {
      for (const b of f.bookings) builder.booking(b as BookingFact);
      for (const o of f.orders) builder.order(o as OrderFact);
      for (const p of f.participation) builder.participation(p as ParticipationFact);
    },
  });
  expect(await db().collection('dc_booking_facts').countDocuments()).toBe(4000);
  expect(await db().collection('dc_order_facts').countDocuments()).toBe(r.orders);
  const counts = await dc.rollups.writeCells(builder);
  const folded = await snapshot();
  expect(counts.venueHour).toBeGreaterThan(1000);
  expect(counts.venueMonth).toBe(3 * 13); // 3 venues, 2025-11-21 … 2026-11-20 touches 13 months

  await dc.rollups.rebuildCells();
  expect(await snapshot()).toEqual(folded);

  // the heat map from the coarse cells against a sum of the fine cells, for a year with partial edges and whole months
  const u = await stack.login('hist-admin');
  await grant(stack, u.userId, 'admin');
  const fine = folded.dc_venue_hour as unknown as { day: string; weekday: number; hour: number; places: number }[];
  for (const [from, to] of [
    ['2025-11-21', '2026-11-20'],
    ['2025-12-01', '2026-10-31'],
    ['2026-02-10', '2026-03-05'],
  ]) {
    const want = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
    for (const c of fine) if (c.day >= from && c.day <= to) want[c.weekday][c.hour] += c.places;
    const heat = await stack.request('GET', `/admin/dashboard/utilisation?from=${from}&to=${to}`, { token: u.token });
    expect([from, to, heat.status, heat.body.total]).toEqual([from, to, 200, want]);
  }
}, 180_000);
