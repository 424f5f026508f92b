import { z } from 'zod';
import { EVENT_SPORT_LABELS_ZH, type EventSport } from './event-registration';

/**
 * 为你推荐 (issue 15, part 4): GET /me/recommendations and the citizen's 个性化推荐 switch.
 * With personalisation off (PIPL art. 24) the list is based on no personal characteristic: the same
 * for every citizen.
 */

/** kinds the mini-program knows how to show; a module adds its kind here when it adds a source (courses: 'course') */
export const RECOMMENDATION_KINDS = ['venue', 'guidance', 'event', 'course'] as const;
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number];
export const RECOMMENDATION_KIND_LABELS_ZH: Record<RecommendationKind, string> = {
  venue: '场馆',
  guidance: '健身指导',
  event: '赛事活动',
  course: '培训课程',
};

/** at most this many items in one answer */
export const RECOMMENDATION_LIMIT = 10;

const coordinate = (min: number, max: number) =>
  z
    .string()
    .max(20)
    .regex(/^-?\d{1,3}(\.\d{1,10})?$/, 'must be a decimal number')
    .transform(Number)
    .pipe(z.number().min(min).max(max));

/** `?lat=&lng=` from Taro.getLocation when the citizen allowed it: both or neither */
export const RecommendationQuerySchema = z
  .object({ lat: coordinate(-90, 90).optional(), lng: coordinate(-180, 180).optional() })
  .strict()
  .refine((q) => (q.lat === undefined) === (q.lng === undefined), { message: 'lat and lng go together', path: ['lng'] });
export type RecommendationQuery = z.infer<typeof RecommendationQuerySchema>;

export const RecommendationItemSchema = z.object({
  kind: z.enum(RECOMMENDATION_KINDS),
  id: z.string(),
  title: z.string(),
  /** place and time, e.g. 苏州市体育中心 · 姑苏区 */
  subtitle: z.string(),
  /** why it was picked, e.g. 你常打羽毛球 · 距你 1.2 km · 明天 19:00 有空场 */
  reason: z.string().min(1),
  /** metres from the client's location when it sent one (and personalisation is on) */
  distanceM: z.number().int().nonnegative().optional(),
  /** ISO instant of the slot / session / event start */
  startsAt: z.string().optional(),
  /** the mini-program page that shows it */
  path: z.string(),
});
export type RecommendationItem = z.infer<typeof RecommendationItemSchema>;

export const RecommendationsResponseSchema = z.object({
  items: z.array(RecommendationItemSchema),
  personalised: z.boolean(),
});
export type RecommendationsResponse = z.infer<typeof RecommendationsResponseSchema>;

export const PreferencesSchema = z.object({ personalisation: z.boolean() }).strict();
export type Preferences = z.infer<typeof PreferencesSchema>;
export const DEFAULT_PREFERENCES: Preferences = { personalisation: true };

// ---- reason phrases: one wording for every source ----

const DAY_MS = 86_400_000;
const WEEKDAYS_ZH = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
/** Shanghai wall clock of an instant (fixed +08:00, no DST) */
function shanghaiParts(t: Date) {
  const d = new Date(t.getTime() + 8 * 3_600_000);
  return {
    day: Math.floor(d.getTime() / DAY_MS),
    weekday: d.getUTCDay(),
    month: d.getUTCMonth() + 1,
    date: d.getUTCDate(),
    hhmm: `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`,
  };
}

/** 今天 19:00 · 明天 19:00 · 后天 09:00 · 本周六 09:00 · 12月10日 09:00 */
export function whenPhraseZh(at: Date, now: Date): string {
  const a = shanghaiParts(at);
  const n = shanghaiParts(now);
  const diff = a.day - n.day;
  if (diff === 0) return `今天 ${a.hhmm}`;
  if (diff === 1) return `明天 ${a.hhmm}`;
  if (diff === 2) return `后天 ${a.hhmm}`;
  // later in the same (Monday-based) week
  if (diff > 0 && ((n.weekday + 6) % 7) + diff <= 6) return `本${WEEKDAYS_ZH[a.weekday]} ${a.hhmm}`;
  return `${a.month}月${a.date}日 ${a.hhmm}`;
}

/** 12月10日 (a Shanghai calendar date) */
export function dateZh(at: Date): string {
  const a = shanghaiParts(at);
  return `${a.month}月${a.date}日`;
}

/** 距你 800 m · 距你 1.2 km */
export function distancePhraseZh(metres: number): string {
  return metres < 1000 ? `距你 ${Math.max(10, Math.round(metres / 10) * 10)} m` : `距你 ${(metres / 1000).toFixed(1)} km`;
}

/** 你常打羽毛球 · 你常去游泳 · 你常上健身课 · 你常练瑜伽 · 你常跑步 (a venue or event sport) */
export function playsPhraseZh(sport: string): string {
  const label = EVENT_SPORT_LABELS_ZH[sport as EventSport] ?? sport;
  if (sport === 'swimming') return '你常去游泳';
  if (sport === 'fitness') return `你常上${label}`;
  if (sport === 'yoga') return `你常练${label}`;
  if (sport === 'running' || sport === 'cycling' || sport === 'triathlon') return `你常参加${label}`;
  return `你常打${label}`;
}
