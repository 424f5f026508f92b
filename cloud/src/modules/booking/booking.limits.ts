import type { VenueRules } from '@citysport/shared';
import type { LimitSpec, Limits } from '../../platform/limits';
import { weekOf } from '../../platform/limits';
import type { BookableSlot } from '../venue';

/**
 * A user's booking limits at a venue (kernel.limits): one counter per user, venue and ISO week
 * holds the week's total, each day's count and each sport's; a booking takes all three with
 * one guarded upsert and gives them back, exactly once, when it ends in any way.
 */
export function bookingLimitsOf(limits: Limits, userId: string, venueId: string, slot: BookableSlot, rules: VenueRules): LimitSpec {
  return {
    counter: limits.counterId('booking', [venueId, userId], 'week', weekOf(slot.day)),
    checks: [
      { field: 'total', max: rules.maxActivePerWeek, label: 'per week' },
      { field: `days.${slot.day}`, max: rules.maxActivePerDay, label: 'per day' },
      { field: `sports.${slot.sport}`, max: rules.maxActivePerSportPerWeek, label: 'per sport per week' },
    ],
  };
}
