import { z } from 'zod';
import type { AggregationPlanInput, BureauAccountOpen } from '@citysport/shared';
import { request } from './client';

/** Bureau accounts (专人专号) and aggregation plans (数据汇聚计划): API.md, "Data centre". */
const Account = z.object({
  userId: z.string(),
  role: z.enum(['admin', 'analyst']),
  name: z.string(),
  unit: z.string(),
  position: z.string(),
  phone: z.string(),
  status: z.enum(['open', 'closed']),
  openedAt: z.string(),
  openedBy: z.string().nullable(),
  closedAt: z.string().nullable(),
  closedBy: z.string().nullable(),
  closeReason: z.string().nullable(),
});
const Plan = z.object({
  id: z.string(),
  year: z.number(),
  department: z.string(),
  line: z.string(),
  items: z.array(z.object({ eventType: z.string(), perMonth: z.array(z.number()) })),
  note: z.string().nullable(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});
const Progress = z.object({
  year: z.number(),
  plans: z.array(
    z.object({
      planId: z.string(),
      department: z.string(),
      line: z.string(),
      items: z.array(
        z.object({
          eventType: z.string(),
          expected: z.array(z.number()),
          delivered: z.array(z.number()),
          expectedTotal: z.number(),
          deliveredTotal: z.number(),
        }),
      ),
      expected: z.array(z.number()),
      delivered: z.array(z.number()),
      percent: z.number().nullable(),
    }),
  ),
});
export type BureauAccountItem = z.infer<typeof Account>;
export type PlanItem = z.infer<typeof Plan>;
export type ProgressData = z.infer<typeof Progress>;

const seg = encodeURIComponent;
export const bureauApi = {
  accounts: (status: 'open' | 'closed') =>
    request({ path: '/admin/bureau-accounts', query: { status }, schema: z.object({ items: z.array(Account) }), toast: false }),
  open: (body: BureauAccountOpen) =>
    request({ method: 'POST', path: '/admin/bureau-accounts', data: body, schema: z.object({ account: Account }) }),
  close: (userId: string, reason: string) =>
    request({
      method: 'POST',
      path: `/admin/bureau-accounts/${seg(userId)}/close`,
      data: { reason },
      schema: z.object({ account: Account }),
    }),
  plans: (year: number) =>
    request({ path: '/admin/aggregation-plans', query: { year }, schema: z.object({ items: z.array(Plan) }), toast: false }),
  createPlan: (body: AggregationPlanInput) =>
    request({ method: 'POST', path: '/admin/aggregation-plans', data: body, schema: z.object({ plan: Plan }) }),
  deletePlan: (id: string) =>
    request({ method: 'DELETE', path: `/admin/aggregation-plans/${seg(id)}`, schema: z.object({ deleted: z.boolean() }) }),
  progress: (year: number) => request({ path: '/admin/dashboard/aggregation', query: { year }, schema: Progress, toast: false }),
};
