import {
  MAX_PLACES_PER_BOOKING,
  MAX_SLOTS_PER_BOOKING,
  SPORT_LABELS_ZH,
  type Resource,
  type Slot,
  type Sport,
  type VenueDetail,
  type VenueRules,
} from '@citysport/shared';

export function sportLabel(sport: Sport): string {
  return SPORT_LABELS_ZH[sport] ?? sport;
}

/** '2小时' / '90分钟' */
export function minutesText(minutes: number): string {
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60}小时`;
  return `${minutes}分钟`;
}

/** The booking rules of a venue in plain Chinese, one sentence per line. */
export function rulesSummary(rules: VenueRules): string[] {
  const lines = [
    rules.advanceDays > 0 ? `可提前${rules.advanceDays}天预订` : '仅可预订当天场地',
    `每日${rules.releaseTime}放号`,
    rules.cancelCutoffMinutes > 0 ? `开场前${minutesText(rules.cancelCutoffMinutes)}可免费取消` : '开场前均可免费取消',
    `未支付订单保留${rules.holdMinutes}分钟`,
    `每人每天最多${rules.maxActivePerDay}个预订，每周最多${rules.maxActivePerWeek}个`,
    `累计爽约${rules.noShowLimit}次将暂停预订${rules.banDays}天`,
  ];
  return lines;
}

export type SlotStateKey = 'open' | 'few' | 'sold_out' | 'closed' | 'past' | 'not_released';

/** few places left: at most 20 % of the capacity, for slots with more than one place */
export function isFewLeft(slot: Pick<Slot, 'capacity' | 'remaining'>): boolean {
  return slot.capacity > 1 && slot.remaining > 0 && slot.remaining <= slot.capacity * 0.2;
}

/** What a grid cell says at a glance. */
export function slotState(slot: Slot): { key: SlotStateKey; label: string } {
  switch (slot.status) {
    case 'open':
      if (slot.remaining <= 0) return { key: 'sold_out', label: '已满' };
      return isFewLeft(slot) ? { key: 'few', label: `仅剩${slot.remaining}` } : { key: 'open', label: '可订' };
    case 'sold_out':
      return { key: 'sold_out', label: '已满' };
    case 'closed':
      return { key: 'closed', label: '已关闭' };
    case 'past':
      return { key: 'past', label: '已结束' };
    case 'not_released':
      return { key: 'not_released', label: '未开放' };
    default:
      return { key: 'closed', label: '不可订' };
  }
}

/** The toast for tapping a slot that cannot be booked. */
export const UNBOOKABLE_HINT: Record<Exclude<SlotStateKey, 'open' | 'few'>, string> = {
  sold_out: '该时段已被订满',
  closed: '该时段已关闭',
  past: '该时段已结束',
  not_released: '该时段尚未开放预订',
};

// one source of truth with POST /bookings (shared/src/schemas/journey.ts)
export const MAX_ADJACENT = MAX_SLOTS_PER_BOOKING;
export const MAX_PLACES = MAX_PLACES_PER_BOOKING;

export interface SelectResult {
  next: Slot[];
  /** a toast when the tap was refused or changed the selection in a surprising way */
  message?: string;
}

/**
 * Tapping `slot` with `current` selected (adjacent slots of one resource, sorted by start):
 * - a selected slot at either end is removed; one in the middle drops it and everything after it;
 * - a slot of the same resource right before or after the selection extends it (at most `max`);
 * - anything else starts a new selection.
 */
export function toggleSlot(current: Slot[], slot: Slot, max = MAX_ADJACENT): SelectResult {
  const i = current.findIndex((s) => s.id === slot.id);
  if (i >= 0) {
    if (i === 0) return { next: current.slice(1) };
    return { next: current.slice(0, i) };
  }
  if (current.length === 0 || current[0].resourceId !== slot.resourceId) return { next: [slot] };
  const first = current[0];
  const last = current[current.length - 1];
  const touches = slot.endAt === first.startAt || slot.startAt === last.endAt;
  if (!touches) return { next: [slot] };
  if (current.length >= max) return { next: current, message: `最多可连续选择${max}个时段` };
  return { next: slot.endAt === first.startAt ? [slot, ...current] : [...current, slot] };
}

/** sessions (group classes, swimming) are booked by places; courts by the whole slot */
export function isSessionResource(resource: Pick<Resource, 'kind'> | undefined, slot?: Pick<Slot, 'capacity'>): boolean {
  if (resource) return resource.kind === 'session';
  return (slot?.capacity ?? 1) > 1;
}

/** A short random key for `Idempotency-Key` (8–64 of [A-Za-z0-9_-]). */
export function newIdempotencyKey(prefix = 'bk'): string {
  const rand = () => Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return `${prefix}-${Date.now().toString(36)}-${rand()}${rand()}`;
}

/** sports in the order the venue lists them, then any a resource adds */
export function venueSports(venue: Pick<VenueDetail, 'sports' | 'resources'>): Sport[] {
  const out: Sport[] = [...venue.sports];
  for (const r of venue.resources) if (!out.includes(r.sport)) out.push(r.sport);
  return out;
}
