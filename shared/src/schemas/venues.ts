import { z } from 'zod';
import { IdSchema, text } from './common';

export const SPORTS = ['badminton', 'tennis', 'table_tennis', 'basketball', 'football', 'swimming', 'fitness', 'yoga'] as const;
export const SportSchema = z.enum(SPORTS);
export type Sport = z.infer<typeof SportSchema>;

export const SPORT_LABELS_ZH: Record<Sport, string> = {
  badminton: '羽毛球',
  tennis: '网球',
  table_tennis: '乒乓球',
  basketball: '篮球',
  football: '足球',
  swimming: '游泳',
  fitness: '健身课',
  yoga: '瑜伽',
};

/** Suzhou's districts and county-level cities (demo data; a deployment sets its own list). */
export const DISTRICTS = ['姑苏区', '工业园区', '高新区', '吴中区', '相城区', '吴江区', '昆山市', '常熟市', '张家港市', '太仓市'] as const;

export const LocationSchema = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});

export const OpenHoursSchema = z.object({
  /** 'HH:mm' in Asia/Shanghai */
  open: z.string().regex(/^\d{2}:\d{2}$/),
  close: z.string().regex(/^\d{2}:\d{2}$/),
  note: z.string().optional(),
});

export const VenueListQuerySchema = z.object({
  sport: SportSchema.optional(),
  district: text(20).optional(),
  /** search by venue name or sport (羽毛球, badminton) */
  q: text(30).optional(),
  lat: z.coerce.number().min(-90).max(90).optional(),
  lng: z.coerce.number().min(-180).max(180).optional(),
});
export type VenueListQuery = z.infer<typeof VenueListQuerySchema>;

// true prices (issue 10): each sport's range from its templates, and its free hours
export const SportPriceSchema = z.object({
  sport: SportSchema,
  /** per hour (a session: per place for its whole length, shown as 每场) */
  minFen: z.number().int().nonnegative(),
  maxFen: z.number().int().nonnegative(),
  unit: z.enum(['hour', 'session']),
  /** '工作日 8–10 点免费' — null when the sport has no free hours */
  freeHours: z.string().nullable(),
});
export type SportPrice = z.infer<typeof SportPriceSchema>;
export const FEE_BADGES = ['free', 'low_fee'] as const;
export const FeeBadgeSchema = z.enum(FEE_BADGES).nullable();
export type FeeBadge = z.infer<typeof FeeBadgeSchema>;
export const FEE_BADGE_LABELS_ZH = { free: '免费', low_fee: '低收费' } as const;

export const VenueSummarySchema = z.object({
  id: IdSchema,
  name: z.string(),
  district: z.string(),
  address: z.string(),
  sports: z.array(SportSchema),
  location: LocationSchema,
  openHours: OpenHoursSchema,
  photos: z.array(z.string()),
  /** public venue with free or low-fee hours (公共体育场馆免费或低收费开放) */
  freeOrLowFee: z.boolean(),
  minPriceFen: z.number().int().nonnegative(),
  /** each sport's real price range and free hours (issue 10) */
  prices: z.array(SportPriceSchema),
  /** 免费/低收费 only where FREE_LOW_FEE_RULE is met (computed from the templates, not a stored flag) */
  feeBadge: FeeBadgeSchema,
  distanceKm: z.number().nonnegative().optional(),
});
export type VenueSummary = z.infer<typeof VenueSummarySchema>;
export const VenueListResponseSchema = z.object({ items: z.array(VenueSummarySchema) });

export const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be 'HH:mm'");
/** A real calendar day 'YYYY-MM-DD' (2026-13-45 and 2026-02-30 are refused, not rolled over). */
export const DaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be 'YYYY-MM-DD'")
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number);
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }, 'not a calendar day');

/** Booking rules of a venue; its manager edits them (issue 3), these are the defaults. */
export const VenueRulesSchema = z.object({
  advanceDays: z.number().int().min(0).max(30).default(7),
  /** slots of day D become bookable at this time, advanceDays before D (Asia/Shanghai) */
  releaseTime: HHMM.default('08:00'),
  maxActivePerDay: z.number().int().min(1).max(20).default(2),
  maxActivePerSportPerWeek: z.number().int().min(1).max(50).default(4),
  maxActivePerWeek: z.number().int().min(1).max(100).default(6),
  maxCompanions: z.number().int().min(0).max(10).default(3),
  companionRealName: z.boolean().default(false),
  holdMinutes: z.number().int().min(1).max(60).default(10),
  cancelCutoffMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(120),
  checkInGraceMinutes: z.number().int().min(0).max(120).default(15),
  noShowLimit: z.number().int().min(1).max(20).default(3),
  noShowWindowDays: z.number().int().min(1).max(365).default(30),
  banDays: z.number().int().min(1).max(365).default(30),
});
export type VenueRules = z.infer<typeof VenueRulesSchema>;
export const DEFAULT_VENUE_RULES: VenueRules = VenueRulesSchema.parse({});

export const RESOURCE_KINDS = ['court', 'lane', 'room', 'session'] as const;
export const ResourceKindSchema = z.enum(RESOURCE_KINDS);

export const SlotTemplateSchema = z.object({
  /** ISO weekdays 1 (Monday) … 7 (Sunday) */
  weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  start: HHMM,
  end: HHMM,
  priceFen: z.number().int().min(0).max(10_000_00),
  capacity: z.number().int().min(1).max(1000),
});
export type SlotTemplate = z.infer<typeof SlotTemplateSchema>;

export const ResourceSchema = z.object({
  id: IdSchema,
  name: z.string(),
  sport: SportSchema,
  kind: ResourceKindSchema,
  templates: z.array(SlotTemplateSchema),
});
export type Resource = z.infer<typeof ResourceSchema>;

export const VenueDetailSchema = VenueSummarySchema.extend({
  facilities: z.array(z.string()),
  contactPhone: z.string(),
  intro: z.string(),
  freeHoursNote: z.string(),
  rules: VenueRulesSchema,
  resources: z.array(ResourceSchema),
});
export type VenueDetail = z.infer<typeof VenueDetailSchema>;
export const VenueDetailResponseSchema = z.object({ venue: VenueDetailSchema });

export const SLOT_STATUSES = ['open', 'sold_out', 'closed', 'not_released', 'past'] as const;
export const SlotStatusSchema = z.enum(SLOT_STATUSES);

export const SlotSchema = z.object({
  id: IdSchema,
  venueId: IdSchema,
  resourceId: IdSchema,
  resourceName: z.string(),
  sport: SportSchema,
  startAt: z.string(),
  endAt: z.string(),
  priceFen: z.number().int().nonnegative(),
  capacity: z.number().int().positive(),
  remaining: z.number().int().nonnegative(),
  status: SlotStatusSchema,
  releaseAt: z.string(),
});
export type Slot = z.infer<typeof SlotSchema>;
export const SlotListQuerySchema = z.object({ date: DaySchema, sport: SportSchema.optional() });
export const SlotListResponseSchema = z.object({ items: z.array(SlotSchema) });
