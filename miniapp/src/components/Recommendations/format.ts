import { RECOMMENDATION_KIND_LABELS_ZH, type RecommendationItem } from '@citysport/shared';

/** 12月3日 in Shanghai time (a fixed +08:00: no DST, and dayjs tz is wrong on Android WeChat) */
export function dateZh(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/** 800 m · 1.2 km */
export function distanceZh(m: number): string {
  return m < 1000 ? `${Math.max(10, Math.round(m / 10) * 10)} m` : `${(m / 1000).toFixed(1)} km`;
}

/**
 * The card's last line: place, the event's day (a slot's or session's time is in the reason
 * already; an event's reason names its deadline), the distance.
 */
export function metaOf(item: RecommendationItem): string[] {
  return [
    item.subtitle,
    item.kind === 'event' && item.startsAt ? `${dateZh(item.startsAt)}开赛` : '',
    item.distanceM !== undefined ? distanceZh(item.distanceM) : '',
  ].filter(Boolean);
}

export const kindLabel = (kind: RecommendationItem['kind']) => RECOMMENDATION_KIND_LABELS_ZH[kind] ?? '推荐';
