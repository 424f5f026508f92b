import mongoose from 'mongoose';
import type { Sport, VenueRules } from '@citysport/shared';
import { weekOf } from '../../platform/limits';
import { Booking, type BookingDoc } from './booking.model';
import { ACTIVE } from './booking.dto';

/**
 * The citizen's standing against each booking limit at a venue, before they choose (issue 10):
 * 今日已约 2/2 · 本周已约 3/6 · 羽毛球本周 2/4, and which of the day's slots are their own (我的).
 * Counted from their active bookings, the same ones the limit counters hold (booking.limits.ts).
 */
export interface Standing {
  limits: { rule: 'day' | 'week' | 'sport_week'; label: string; used: number; max: number }[];
  mySlotIds: string[];
}

export async function standingOf(
  userId: string,
  venueId: string,
  day: string,
  sport: Sport | undefined,
  rules: VenueRules,
  sportZh: string | null,
): Promise<Standing> {
  const week = weekOf(day);
  const active = await Booking.find({ userId, venueId, status: mongoose.trusted({ $in: ACTIVE }) }, { day: 1, sport: 1, slotIds: 1 })
    .limit(200)
    .lean<Pick<BookingDoc, 'day' | 'sport' | 'slotIds'>[]>();
  const inWeek = active.filter((b) => weekOf(b.day) === week);
  const limits: Standing['limits'] = [
    { rule: 'day', label: '当日已约', used: inWeek.filter((b) => b.day === day).length, max: rules.maxActivePerDay },
    { rule: 'week', label: '本周已约', used: inWeek.length, max: rules.maxActivePerWeek },
  ];
  if (sport && sportZh)
    limits.push({
      rule: 'sport_week',
      label: `${sportZh}本周`,
      used: inWeek.filter((b) => b.sport === sport).length,
      max: rules.maxActivePerSportPerWeek,
    });
  return { limits, mySlotIds: active.filter((b) => b.day === day).flatMap((b) => b.slotIds.map(String)) };
}
