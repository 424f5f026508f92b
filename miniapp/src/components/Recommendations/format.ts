import { RECOMMENDATION_KIND_LABELS_ZH, type RecommendationItem } from '@citysport/shared';

/** 12月3日 19:00 in Shanghai time (a fixed +08:00: no DST, and dayjs tz is wrong on Android WeChat) */
export function startsAtZh(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${hh}:${mm}`;
}

/** 800 m · 1.2 km */
export function distanceZh(m: number): string {
  return m < 1000 ? `${Math.max(10, Math.round(m / 10) * 10)} m` : `${(m / 1000).toFixed(1)} km`;
}

/** the card's second line: place, then time and distance */
export function metaOf(item: RecommendationItem): string[] {
  return [
    item.subtitle,
    item.startsAt ? startsAtZh(item.startsAt) : '',
    item.distanceM !== undefined ? distanceZh(item.distanceM) : '',
  ].filter(Boolean);
}

export const kindLabel = (kind: RecommendationItem['kind']) => RECOMMENDATION_KIND_LABELS_ZH[kind] ?? '推荐';
