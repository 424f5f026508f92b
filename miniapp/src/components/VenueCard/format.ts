import { SPORT_LABELS_ZH, formatPrice, type Sport } from '@citysport/shared';

export function sportLabel(sport: Sport): string {
  return SPORT_LABELS_ZH[sport] ?? sport;
}

/** '免费' or '¥20.00起' */
export function priceText(minPriceFen: number): string {
  return minPriceFen === 0 ? formatPrice(0) : `${formatPrice(minPriceFen)}起`;
}

/** '850m' under a kilometre, else '3.2km' */
export function distanceText(km: number): string {
  if (km < 1) return `${Math.max(1, Math.round(km * 1000))}m`;
  return `${km < 10 ? km.toFixed(1) : Math.round(km)}km`;
}
