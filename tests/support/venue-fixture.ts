import mongoose from 'mongoose';
import { businessDay, type SlotTemplate, type VenueRules } from '@citysport/shared';
import type { Clock } from '../../cloud/src/platform/clock';
import type { TestStack } from './stack';

const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];

/** A venue with one court (hourly capacity-1 slots) and one session resource, materialised by the real service. */
export async function createTestVenue(
  stack: TestStack,
  opts: { name?: string; courtPriceFen?: number; sessionPriceFen?: number; sessionCapacity?: number; rules?: Partial<VenueRules> } = {},
) {
  const { venues } = stack.cloud.services;
  const venueId = await venues.createVenue({
    name: opts.name ?? '测试体育馆',
    district: '姑苏区',
    address: '测试路1号',
    location: { lat: 31.3, lng: 120.6 },
    openHours: { open: '08:00', close: '22:00' },
    rules: opts.rules,
  });
  const hours: SlotTemplate[] = [];
  for (let h = 8; h < 22; h++)
    hours.push({
      weekdays: ALL_DAYS,
      start: `${String(h).padStart(2, '0')}:00`,
      end: `${String(h + 1).padStart(2, '0')}:00`,
      priceFen: opts.courtPriceFen ?? 0,
      capacity: 1,
    });
  const courtId = await venues.addResource(venueId, { name: '羽毛球1号场', sport: 'badminton', kind: 'court', templates: hours });
  const sessionId = await venues.addResource(venueId, {
    name: '游泳场次',
    sport: 'swimming',
    kind: 'session',
    templates: [
      { weekdays: ALL_DAYS, start: '18:00', end: '20:00', priceFen: opts.sessionPriceFen ?? 0, capacity: opts.sessionCapacity ?? 50 },
    ],
  });
  await venues.materialiseSlots(venueId);
  return { venueId, courtId, sessionId };
}

/** Slot ids of a resource on a day, in start order. */
export async function slotsOf(
  resourceId: string,
  day: string,
): Promise<{ id: string; startAt: Date; remaining: number; capacity: number }[]> {
  const rows = await mongoose.connection
    .db!.collection('slots')
    .find({ resourceId: new mongoose.Types.ObjectId(resourceId), day })
    .sort({ startAt: 1 })
    .toArray();
  return rows.map((r) => ({ id: String(r._id), startAt: r.startAt, remaining: r.remaining, capacity: r.capacity }));
}

export async function remainingOf(slotId: string): Promise<number> {
  const s = await mongoose.connection.db!.collection('slots').findOne({ _id: new mongoose.Types.ObjectId(slotId) });
  return s!.remaining;
}

export async function counts() {
  const db = mongoose.connection.db!;
  const [bookings, quotas, claims, remaining] = await Promise.all([
    db.collection('bookings').countDocuments(),
    db
      .collection('limit_counters')
      .aggregate([{ $group: { _id: null, n: { $sum: '$total' } } }])
      .toArray(),
    db.collection('idempotency_claims').countDocuments(),
    db
      .collection('slots')
      .aggregate([{ $group: { _id: null, n: { $sum: '$remaining' } } }])
      .toArray(),
  ]);
  return { bookings, quotaTotal: quotas[0]?.n ?? 0, claims, remainingTotal: remaining[0]?.n ?? 0 };
}

/** The Shanghai business day `n` days after the clock's now. */
export function daysAhead(clock: Clock, n: number): string {
  return businessDay(new Date(clock.now().getTime() + n * 86_400_000));
}
