import mongoose, { Schema, Types } from 'mongoose';
import {
  businessDay,
  monthlyVolumes,
  shanghaiTime,
  type AggregationPlan,
  type AggregationPlanInput,
  type AggregationProgress,
} from '@citysport/shared';
import { AppError } from '../../platform/errors';
import type { Kernel } from '../../platform/kernel';
import { OutboxEvent } from '../../platform/outbox';

/**
 * Each department's yearly data aggregation plan (数据汇聚计划, Chongqing 第二十三条): the event
 * types (data types) it delivers and the expected volumes per month. The bureau's assessment
 * compares them with what the feed actually delivered to the data centre (outbox events with
 * `deliveredAt`, counted per type and month of delivery, Asia/Shanghai).
 */
interface PlanDoc {
  _id: Types.ObjectId;
  year: number;
  department: string;
  line: string;
  items: { eventType: string; perMonth: number[] }[];
  note: string | null;
  updatedAt: Date;
  updatedBy: Types.ObjectId | null;
}
const PlanSchema = new Schema<PlanDoc>(
  {
    year: { type: Number, required: true },
    department: { type: String, required: true },
    line: { type: String, required: true },
    items: { type: [{ _id: false, eventType: String, perMonth: [Number] }], default: [] },
    note: { type: String, default: null },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: Schema.Types.ObjectId, default: null },
  },
  { collection: 'datacentre_plans', versionKey: false },
);
PlanSchema.index({ year: 1, department: 1 }, { unique: true });
export const AggregationPlanModel = mongoose.model<PlanDoc>('AggregationPlan', PlanSchema);

const out = (d: PlanDoc): AggregationPlan => ({
  id: String(d._id),
  year: d.year,
  department: d.department,
  line: d.line,
  items: d.items.map((i) => ({ eventType: i.eventType, perMonth: [...i.perMonth] })),
  note: d.note,
  updatedAt: d.updatedAt.toISOString(),
  updatedBy: d.updatedBy ? String(d.updatedBy) : null,
});

const monthStart = (year: number, month0: number) =>
  shanghaiTime(`${year + Math.floor(month0 / 12)}-${String((month0 % 12) + 1).padStart(2, '0')}-01`);

export function createPlans(kernel: Kernel) {
  const fields = (actorId: string | 'system', input: AggregationPlanInput) => ({
    year: input.year,
    department: input.department,
    line: input.line,
    items: input.items.map((i) => ({ eventType: i.eventType, perMonth: monthlyVolumes(i) })),
    note: input.note ?? null,
    updatedAt: kernel.clock.now(),
    updatedBy: actorId === 'system' ? null : new Types.ObjectId(actorId),
  });
  const duplicate = (err: unknown) =>
    (err as { code?: number }).code === 11000
      ? new AppError('AGGREGATION_PLAN_EXISTS', 'this department already has a plan for this year')
      : err;

  async function create(actorId: string | 'system', input: AggregationPlanInput): Promise<AggregationPlan> {
    let doc: PlanDoc;
    try {
      doc = (await AggregationPlanModel.create(fields(actorId, input))).toObject();
    } catch (err) {
      throw duplicate(err);
    }
    await kernel.audit(actorId, 'datacentre.plan.create', null, { planId: String(doc._id), year: doc.year, department: doc.department });
    return out(doc);
  }

  async function update(actorId: string, planId: string, input: AggregationPlanInput): Promise<AggregationPlan> {
    let doc: PlanDoc | null;
    try {
      doc = await AggregationPlanModel.findOneAndUpdate(
        { _id: new Types.ObjectId(planId) },
        { $set: fields(actorId, input) },
        { new: true },
      ).lean<PlanDoc>();
    } catch (err) {
      throw duplicate(err);
    }
    if (!doc) throw new AppError('AGGREGATION_PLAN_NOT_FOUND', 'no such plan');
    await kernel.audit(actorId, 'datacentre.plan.update', null, { planId, year: doc.year, department: doc.department });
    return out(doc);
  }

  async function remove(actorId: string, planId: string): Promise<void> {
    const doc = await AggregationPlanModel.findOneAndDelete({ _id: new Types.ObjectId(planId) }).lean<PlanDoc>();
    if (!doc) throw new AppError('AGGREGATION_PLAN_NOT_FOUND', 'no such plan');
    await kernel.audit(actorId, 'datacentre.plan.delete', null, { planId, year: doc.year, department: doc.department });
  }

  async function get(planId: string): Promise<AggregationPlan> {
    const doc = await AggregationPlanModel.findById(planId).lean<PlanDoc>();
    if (!doc) throw new AppError('AGGREGATION_PLAN_NOT_FOUND', 'no such plan');
    return out(doc);
  }

  async function list(year?: number): Promise<AggregationPlan[]> {
    const docs = await AggregationPlanModel.find(year === undefined ? {} : { year })
      .sort({ year: -1, department: 1 })
      .limit(500)
      .lean<PlanDoc[]>();
    return docs.map(out);
  }

  /** Events delivered per type and month of delivery: one grouped count per month, over the plans' types only. */
  async function delivered(year: number, types: string[]): Promise<Map<string, number[]>> {
    const byType = new Map(types.map((t) => [t, Array.from({ length: 12 }, () => 0)]));
    if (types.length === 0) return byType;
    const today = businessDay(kernel.clock.now());
    for (let m = 0; m < 12; m++) {
      const from = monthStart(year, m);
      if (businessDay(from) > today) break;
      const rows = await OutboxEvent.aggregate<{ _id: string; n: number }>([
        { $match: { deliveredAt: { $gte: from, $lt: monthStart(year, m + 1) }, type: { $in: types } } },
        { $group: { _id: '$type', n: { $sum: 1 } } },
      ]);
      for (const r of rows) byType.get(r._id)![m] = r.n;
    }
    return byType;
  }

  async function progress(year: number): Promise<AggregationProgress> {
    const plans = await list(year);
    const counts = await delivered(year, [...new Set(plans.flatMap((p) => p.items.map((i) => i.eventType)))]);
    const today = businessDay(kernel.clock.now());
    // the months so far (all twelve for a past year, none for a future one)
    const monthsSoFar = Array.from({ length: 12 }, (_, m) => businessDay(monthStart(year, m)) <= today).filter(Boolean).length;
    const sum = (xs: number[], n = 12) => xs.slice(0, n).reduce((a, b) => a + b, 0);
    return {
      year,
      plans: plans.map((p) => {
        const items = p.items.map((i) => {
          const got = counts.get(i.eventType) ?? Array.from({ length: 12 }, () => 0);
          return { eventType: i.eventType, expected: i.perMonth, delivered: got, expectedTotal: sum(i.perMonth), deliveredTotal: sum(got) };
        });
        const expected = Array.from({ length: 12 }, (_, m) => items.reduce((a, i) => a + i.expected[m], 0));
        const deliveredM = Array.from({ length: 12 }, (_, m) => items.reduce((a, i) => a + i.delivered[m], 0));
        const due = sum(expected, monthsSoFar);
        return {
          planId: p.id,
          department: p.department,
          line: p.line,
          items,
          expected,
          delivered: deliveredM,
          percent: due === 0 ? null : Math.round((sum(deliveredM, monthsSoFar) / due) * 1000) / 10,
        };
      }),
    };
  }

  return { create, update, remove, get, list, progress };
}
export type Plans = ReturnType<typeof createPlans>;
