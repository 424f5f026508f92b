import { z } from 'zod';
import { request } from '../../api/client';

/** The bureau dashboards' endpoints (API.md, "Data centre"); shapes as the cloud returns them. */
const Heatmap = z.object({
  from: z.string(),
  to: z.string(),
  total: z.array(z.array(z.number())),
  venues: z.array(
    z.object({ venueId: z.string(), name: z.string(), district: z.string(), places: z.number(), hours: z.array(z.number()) }),
  ),
  max: z.number(),
});
const Row = z.object({
  key: z.string(),
  orders: z.number(),
  amountFen: z.number(),
  spendFen: z.number(),
  subsidyFen: z.number(),
  vouchersUsed: z.number(),
  refundFen: z.number(),
  leverage: z.number().nullable(),
});
const Consumption = z.object({ items: z.array(Row), total: Row });
const Line = z.object({
  district: z.string(),
  line: z.string(),
  metric: z.string(),
  value: z.number(),
  previous: z.number(),
  lastYear: z.number(),
  mom: z.number().nullable(),
  yoy: z.number().nullable(),
});
const Dispatch = z.object({ report: z.object({ month: z.string(), generatedAt: z.string(), lines: z.array(Line) }) });
const PublicService = z.object({
  items: z.array(
    z.object({
      venueId: z.string(),
      name: z.string(),
      district: z.string(),
      lowFeeHoursPerWeek: z.number(),
      daysPerYear: z.number(),
      meetsWeekly: z.boolean(),
      meetsYearly: z.boolean(),
    }),
  ),
});
export type HeatmapData = z.infer<typeof Heatmap>;
export type ConsumptionData = z.infer<typeof Consumption>;
export type DispatchData = z.infer<typeof Dispatch>['report'];
export type PublicServiceData = z.infer<typeof PublicService>;

export interface Range {
  from: string;
  to: string;
  district?: string;
}

export const dashboardApi = {
  utilisation: (q: Range) => request({ path: '/admin/dashboard/utilisation', query: { ...q }, schema: Heatmap, toast: false }),
  consumption: (q: Range & { groupBy: 'district' | 'sport' | 'month' }) =>
    request({ path: '/admin/dashboard/consumption', query: { ...q }, schema: Consumption, toast: false }),
  publicService: (q: Range) => request({ path: '/admin/dashboard/public-service', query: { ...q }, schema: PublicService, toast: false }),
  dispatch: (month: string) => request({ path: '/admin/reports/dispatch', query: { month }, schema: Dispatch, toast: false }),
};
