import { z } from 'zod';
import { BUREAU_ROLES } from '../roles';
import { isValidMobile } from '../personal';
import { EVENT_CONTRACTS } from '../datacentre/contracts';
import type { OutboxEventType } from '../events';
import { IdSchema, text } from './common';

/**
 * Bureau accounts (专人专号, Chongqing 第十八条) and the departments' yearly data aggregation plans
 * (数据汇聚计划, 第二十三条). Paths: API.md, "Data centre" (bureau accounts, aggregation plans).
 */
/**
 * A name (person, unit, position, department, line): no invisible format characters (zero-width,
 * bidi controls, BOM) — a look-alike of another person in the audit log, or a second plan for a
 * department that looks the same.
 */
const required = (max: number) =>
  text(max)
    .pipe(z.string().min(1, 'required'))
    .refine((s) => !/\p{Cf}/u.test(s), 'contains invisible characters');

export const BureauRoleSchema = z.enum(BUREAU_ROLES);

export const BureauAccountOpenSchema = z.strictObject({
  userId: IdSchema,
  role: BureauRoleSchema,
  /** 姓名 of the one person who uses the account */
  name: required(30),
  /** 单位（处室） */
  unit: required(60),
  /** 职务 */
  position: required(40),
  /** 联系电话 (mobile); sealed at rest, shown masked */
  phone: z.string().max(20).refine(isValidMobile, 'must be a mainland mobile number'),
  reason: text(200).optional(),
});
export type BureauAccountOpen = z.infer<typeof BureauAccountOpenSchema>;

export const BureauAccountCloseSchema = z.strictObject({ reason: required(200) });
export const BureauAccountQuerySchema = z.strictObject({ status: z.enum(['open', 'closed', 'all']).default('open') });

export interface BureauAccount {
  userId: string;
  role: (typeof BUREAU_ROLES)[number];
  name: string;
  unit: string;
  position: string;
  /** masked: 138****5678 */
  phone: string;
  status: 'open' | 'closed';
  openedAt: string;
  openedBy: string | null;
  closedAt: string | null;
  closedBy: string | null;
  closeReason: string | null;
}

/** The outbox event types (the data centre's data types) a plan can name. */
export const PLAN_EVENT_TYPES = Object.keys(EVENT_CONTRACTS) as OutboxEventType[];
const EventTypeSchema = z.string().refine((t) => (PLAN_EVENT_TYPES as string[]).includes(t), 'not an event type of the feed');
const Volume = z.number().int().min(0).max(1_000_000_000);

export const AggregationPlanItemSchema = z
  .strictObject({
    eventType: EventTypeSchema,
    /** expected events per month (12 numbers, January first) … */
    perMonth: z.array(Volume).length(12).optional(),
    /** … or per year (spread evenly over the months) */
    perYear: Volume.optional(),
  })
  .refine((i) => (i.perMonth === undefined) !== (i.perYear === undefined), {
    message: 'give either perMonth (12 numbers) or perYear',
    path: ['perMonth'],
  });

export const AggregationPlanInputSchema = z
  .strictObject({
    year: z.number().int().min(2020).max(2100),
    /** 处室, e.g. 群众体育处 */
    department: required(40),
    /** 条线, e.g. 场馆服务、赛事活动 */
    line: required(40),
    items: z.array(AggregationPlanItemSchema).min(1).max(60),
    note: text(500).optional(),
  })
  .refine((p) => new Set(p.items.map((i) => i.eventType)).size === p.items.length, {
    message: 'each event type once',
    path: ['items'],
  });
export type AggregationPlanInput = z.infer<typeof AggregationPlanInputSchema>;
export const AggregationPlanQuerySchema = z.strictObject({ year: z.coerce.number().int().min(2020).max(2100).optional() });
export const AggregationDashboardQuerySchema = z.strictObject({ year: z.coerce.number().int().min(2020).max(2100) });

export interface AggregationPlan {
  id: string;
  year: number;
  department: string;
  line: string;
  items: { eventType: string; perMonth: number[] }[];
  note: string | null;
  updatedAt: string;
  updatedBy: string | null;
}

/** delivered against plan, per plan, event type and month */
export interface AggregationProgress {
  year: number;
  plans: {
    planId: string;
    department: string;
    line: string;
    items: { eventType: string; expected: number[]; delivered: number[]; expectedTotal: number; deliveredTotal: number }[];
    expected: number[];
    delivered: number[];
    /** delivered / expected over the months so far, % (null when nothing was expected) */
    percent: number | null;
  }[];
}

/** perYear spread over 12 months: the remainder goes to the first months */
export function monthlyVolumes(item: { perMonth?: number[]; perYear?: number }): number[] {
  if (item.perMonth) return item.perMonth;
  const y = item.perYear ?? 0;
  const base = Math.floor(y / 12);
  return Array.from({ length: 12 }, (_, m) => base + (m < y % 12 ? 1 : 0));
}
