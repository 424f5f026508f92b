import mongoose from 'mongoose';
import { SlotListResponseSchema, VenueDetailResponseSchema, VenueListResponseSchema, businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { DEMO_VENUES } from '../../mock/src/seed/fixtures';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
// Saturday 2026-11-21 07:00 in Shanghai: before the 08:00 release
const clock = new ManualClock(new Date('2026-11-20T23:00:00Z'));
let seeded: Awaited<ReturnType<typeof seedDemoData>>;

beforeAll(async () => {
  stack = await startTestStack('venues', { clock });
  seeded = await seedDemoData(stack.cloud.services);
});
afterAll(() => stack.stop());

test('the demo data has at least 6 venues with capacity-1 courts and sessions of 20 or more, free and paid', async () => {
  const { items } = VenueListResponseSchema.parse((await stack.request('GET', '/venues')).body);
  expect(items.length).toBeGreaterThanOrEqual(6);
  expect(new Set(items.map((v) => v.district)).size).toBeGreaterThanOrEqual(5);
  const slots = mongoose.connection.db!.collection('slots');
  expect(await slots.countDocuments({ capacity: 1, sport: { $in: ['badminton', 'tennis'] } })).toBeGreaterThan(0);
  expect(await slots.countDocuments({ capacity: { $gte: 20 }, sport: { $in: ['swimming', 'fitness'] } })).toBeGreaterThan(0);
  expect(await slots.countDocuments({ priceFen: 0 })).toBeGreaterThan(0);
  expect(await slots.countDocuments({ priceFen: { $gt: 0 } })).toBeGreaterThan(0);
  expect(items.some((v) => v.freeOrLowFee)).toBe(true);
});

test('seeding twice or re-running the materialiser never duplicates slots or resets counters', async () => {
  const slots = mongoose.connection.db!.collection('slots');
  const venueId = seeded.venueIds[0];
  const before = await slots.countDocuments({ venueId: new mongoose.Types.ObjectId(venueId) });
  const one = await slots.findOne({ venueId: new mongoose.Types.ObjectId(venueId) });
  await slots.updateOne({ _id: one!._id }, { $set: { remaining: 0 } });
  const results = await Promise.all([1, 2, 3].map(() => stack.cloud.services.venues.materialiseSlots(venueId)));
  expect(results).toEqual([0, 0, 0]);
  expect(await slots.countDocuments({ venueId: new mongoose.Types.ObjectId(venueId) })).toBe(before);
  expect((await slots.findOne({ _id: one!._id }))!.remaining).toBe(0);
});

test('filters by sport and district and sorts by distance when a location is given', async () => {
  const badminton = VenueListResponseSchema.parse((await stack.request('GET', '/venues?sport=badminton')).body).items;
  expect(badminton.length).toBeGreaterThan(0);
  expect(badminton.every((v) => v.sports.includes('badminton'))).toBe(true);
  const gusu = VenueListResponseSchema.parse((await stack.request('GET', `/venues?district=${encodeURIComponent('姑苏区')}`)).body).items;
  expect(gusu.length).toBe(DEMO_VENUES.filter((f) => f.venue.district === '姑苏区').length);
  // standing at Suzhou railway station: the nearest first
  const near = VenueListResponseSchema.parse((await stack.request('GET', '/venues?lat=31.33&lng=120.61')).body).items;
  const distances = near.map((v) => v.distanceKm!);
  expect(distances.every((d) => typeof d === 'number')).toBe(true);
  expect([...distances].sort((a, b) => a - b)).toEqual(distances);
});

test('venue detail carries resources and booking rules', async () => {
  const res = await stack.request('GET', `/venues/${seeded.venueIds[0]}`);
  expect(res.status).toBe(200);
  const { venue } = VenueDetailResponseSchema.parse(res.body);
  expect(venue.name).toBe(DEMO_VENUES[0].venue.name);
  expect(venue.resources.length).toBe(DEMO_VENUES[0].resources.length);
  expect(venue.rules).toMatchObject({ advanceDays: 7, releaseTime: '08:00', holdMinutes: 10 });
});

test('slots of a day show released and not-yet-released states by the venue clock', async () => {
  const venueId = seeded.venueIds[0];
  const today = businessDay(clock.now());
  const inSevenDays = '2026-11-28';
  const todays = SlotListResponseSchema.parse((await stack.request('GET', `/venues/${venueId}/slots?date=${today}`)).body).items;
  expect(todays.length).toBeGreaterThan(0);
  // released a week ago (one was sold out by the test above)
  expect(todays.every((s) => ['open', 'sold_out', 'past'].includes(s.status))).toBe(true);
  expect(todays.some((s) => s.status === 'open')).toBe(true);
  const later = SlotListResponseSchema.parse(
    (await stack.request('GET', `/venues/${venueId}/slots?date=${inSevenDays}&sport=badminton`)).body,
  ).items;
  expect(later.length).toBeGreaterThan(0);
  expect(later.every((s) => s.status === 'not_released' && s.sport === 'badminton')).toBe(true);
  expect(new Date(later[0].releaseAt).toISOString()).toBe('2026-11-21T00:00:00.000Z'); // 08:00 Shanghai today
  clock.set('2026-11-21T00:00:01Z');
  const released = SlotListResponseSchema.parse(
    (await stack.request('GET', `/venues/${venueId}/slots?date=${inSevenDays}&sport=badminton`)).body,
  ).items;
  expect(released.every((s) => s.status === 'open')).toBe(true);
});

test.each([
  ['/venues?sport=curling', 400, 'VALIDATION_FAILED'],
  ['/venues?lat=abc&lng=120', 400, 'VALIDATION_FAILED'],
  ['/venues?lat=91&lng=120', 400, 'VALIDATION_FAILED'],
  [`/venues?district=${'区'.repeat(500)}`, 400, 'VALIDATION_FAILED'],
  ['/venues/not-an-id', 400, 'VALIDATION_FAILED'],
  ['/venues/%7B%22%24gt%22%3A%22%22%7D', 400, 'VALIDATION_FAILED'],
  ['/venues/0123456789abcdef01234567', 404, 'VENUE_NOT_FOUND'],
  ['/venues/0123456789abcdef01234567/slots?date=2026-11-21', 404, 'VENUE_NOT_FOUND'],
  ['/venues/__VENUE__/slots', 400, 'VALIDATION_FAILED'],
  ['/venues/__VENUE__/slots?date=21-11-2026', 400, 'VALIDATION_FAILED'],
  ['/venues/__VENUE__/slots?date=2026-11-21&sport=%24ne', 400, 'VALIDATION_FAILED'],
])('bad input %s answers %i %s', async (path, status, code) => {
  const res = await stack.request('GET', path.replace('__VENUE__', seeded.venueIds[0]));
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBe(code);
});
