import { FREE_LOW_FEE_RULE, type FeeBadge, type SlotTemplate, type Sport, type SportPrice } from '@citysport/shared';
import type { ResourceDoc } from './venue.model';

/**
 * True prices (issue 10): each sport's range read from its resources' templates (the slots are
 * materialised from them), its free hours in words, and the 免费/低收费 badge only where
 * FREE_LOW_FEE_RULE is met — computed, never a stored flag a venue sets for itself.
 */
type PricedResource = Pick<ResourceDoc, 'sport' | 'kind' | 'templates'>;

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const lengthMin = (t: SlotTemplate) => Math.max(1, minutesOf(t.end) - minutesOf(t.start));
/** what an hour costs on a court template (a session's price is per place for the session) */
const perHourFen = (t: SlotTemplate) => Math.round((t.priceFen * 60) / lengthMin(t));

function weekdaysLabel(days: number[]): string {
  const key = [...days].sort().join('');
  if (key === '1234567') return '每天';
  if (key === '12345') return '工作日';
  if (key === '67') return '周末';
  const zh = ['', '一', '二', '三', '四', '五', '六', '日'];
  return [...days]
    .sort()
    .map((d) => `周${zh[d]}`)
    .join('、');
}

function clock(min: number, wholeHours: boolean): string {
  const h = Math.floor(min / 60);
  const m = min % 60;
  return wholeHours ? String(h) : `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** '工作日 8–10 点免费' from the free templates of one sport (contiguous hours merged, per weekday set). */
export function freeHoursOf(templates: SlotTemplate[]): string | null {
  const free = templates.filter((t) => t.priceFen === 0);
  if (free.length === 0) return null;
  const groups = new Map<string, [number, number][]>();
  for (const t of free) {
    const key = [...t.weekdays].sort().join(',');
    const list = groups.get(key) ?? [];
    list.push([minutesOf(t.start), minutesOf(t.end)]);
    groups.set(key, list);
  }
  const parts: string[] = [];
  for (const [key, spans] of groups) {
    spans.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const s of spans) {
      const last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
      else merged.push([...s]);
    }
    const whole = merged.every(([a, b]) => a % 60 === 0 && b % 60 === 0);
    const hours = merged.map(([a, b]) => `${clock(a, whole)}–${clock(b, whole)}`).join('、');
    parts.push(`${weekdaysLabel(key.split(',').map(Number))} ${hours}${whole ? ' 点' : ''}免费`);
  }
  return parts.join('；');
}

export function pricesOf(resources: PricedResource[]): SportPrice[] {
  const bySport = new Map<Sport, PricedResource[]>();
  for (const r of resources) bySport.set(r.sport, [...(bySport.get(r.sport) ?? []), r]);
  const out: SportPrice[] = [];
  for (const [sport, rs] of bySport) {
    const templates = rs.flatMap((r) => r.templates);
    if (templates.length === 0) continue;
    const session = rs.every((r) => r.kind === 'session');
    // the range is what paid hours cost; free hours are named on their own ('工作日 8–10 点免费')
    const all = templates.map((t) => (session ? t.priceFen : perHourFen(t)));
    const paid = all.filter((f) => f > 0);
    const fen = paid.length ? paid : [0];
    // the distinct templates once (four identical courts have one set of hours)
    const distinct = Array.from(new Map(templates.map((t) => [`${t.weekdays.join(',')}|${t.start}|${t.end}|${t.priceFen}`, t])).values());
    out.push({
      sport,
      minFen: Math.min(...fen),
      maxFen: Math.max(...fen),
      unit: session ? 'session' : 'hour',
      freeHours: freeHoursOf(distinct),
    });
  }
  return out.sort((a, b) => a.sport.localeCompare(b.sport));
}

/** 免费: every hour sold is free; 低收费: at least minWeeklyHours a week free or at most lowFeeMaxFen an hour. */
export function feeBadgeOf(resources: PricedResource[]): FeeBadge {
  const templates = resources.flatMap((r) => r.templates);
  if (templates.length === 0) return null;
  if (templates.every((t) => t.priceFen === 0)) return 'free';
  const cheapMinutes = resources
    .flatMap((r) => r.templates.map((t) => ({ t, session: r.kind === 'session' })))
    .filter(({ t, session }) => (session ? t.priceFen : perHourFen(t)) <= FREE_LOW_FEE_RULE.lowFeeMaxFen)
    .reduce((sum, { t }) => sum + lengthMin(t) * t.weekdays.length, 0);
  return cheapMinutes >= FREE_LOW_FEE_RULE.minWeeklyHours * 60 ? 'low_fee' : null;
}
