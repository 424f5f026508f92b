import { z } from 'zod';
import { DaySchema } from './venues';
import { IdSchema } from './common';

/** Queries of the bureau dashboards and the dispatch report (API.md, "Data centre"). */
const District = z.string().min(1).max(32);
export const DashboardRangeSchema = z.strictObject({
  from: DaySchema,
  to: DaySchema,
  district: District.optional(),
  venueId: IdSchema.optional(),
});
export type DashboardRange = z.infer<typeof DashboardRangeSchema>;
export const ConsumptionQuerySchema = DashboardRangeSchema.omit({ venueId: true }).extend({
  groupBy: z.enum(['district', 'sport', 'month']).default('district'),
});
export const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be 'YYYY-MM'");
export const DispatchQuerySchema = z.strictObject({ month: MonthSchema, format: z.enum(['json', 'xlsx']).default('json') });
export const FeedEventIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:-]+$/, 'not an event id');
export const ExportDaySchema = z.strictObject({ day: DaySchema });

/** Free or low fee: at most this price per hour (fen). 《公共体育场馆基本公共服务规范》: ≥ 35 h a week, ≥ 330 days a year. */
export const LOW_FEE_MAX_FEN_PER_HOUR = 1000;
export const PUBLIC_SERVICE_NORM = { hoursPerWeek: 35, daysPerYear: 330 } as const;

export interface HeatmapResponse {
  from: string;
  to: string;
  /** 7 × 24: [weekday 0 = Monday][hour] places booked */
  total: number[][];
  venues: { venueId: string; name: string; district: string; places: number; hours: number[] }[];
  max: number;
}
export interface ConsumptionRow {
  key: string;
  orders: number;
  amountFen: number;
  spendFen: number;
  subsidyFen: number;
  vouchersUsed: number;
  refundFen: number;
  /** consumption / subsidy (null without subsidy) */
  leverage: number | null;
}
export interface PublicServiceRow {
  venueId: string;
  name: string;
  district: string;
  freeOrLowFee: boolean;
  lowFeeHoursPerWeek: number;
  openDays: number;
  daysPerYear: number;
  meetsWeekly: boolean;
  meetsYearly: boolean;
}
export interface DispatchLine {
  district: string;
  line: string;
  metric: string;
  value: number;
  previous: number;
  lastYear: number;
  /** month on month, % (null when the previous month is 0) */
  mom: number | null;
  yoy: number | null;
}
export interface DispatchReport {
  month: string;
  generatedAt: string;
  lines: DispatchLine[];
}
