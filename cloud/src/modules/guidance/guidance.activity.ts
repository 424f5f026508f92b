import { xlsxOf } from '../../platform/xlsx';
import mongoose, { Types } from 'mongoose';
import {
  INSTRUCTOR_LEVEL_LABELS_ZH,
  INSTRUCTOR_LEVEL_RULES,
  businessDay,
  formatShanghai,
  type InstructorActivity,
} from '@citysport/shared';
import type { Clock } from '../../platform/clock';
import { GuidanceRating, GuidanceSession, GuidanceSignup, Instructor, type InstructorDoc } from './guidance.model';
import { yearStart } from './guidance.service';

/**
 * Activity evaluation (指导员活跃度) per instructor over a period: a calendar year (`?year=`, Shanghai)
 * or, without one, the 12 months ending now. Sessions are counted by their start time.
 * - delivered: sessions checked in and logged; hours: the logged durations
 * - peopleServed: distinct citizens admitted (ticket scanned) to those delivered sessions
 * - rating: the mean of citizens' stars on the period's sessions (organisations' ratings apart)
 * - notDelivered: sessions the job marked (no check-in or no log by the end of the next day)
 * - thresholdMet: the level's rule (INSTRUCTOR_LEVEL_RULES, the one table; see there for sources):
 *   三级 delivered ≥ 30 in the period; 二级/一级 registered ≥ 2/3 years at the level below before
 *   this one (the review history); null when the platform cannot decide (国家级: no rule given;
 *   a level below never registered here)
 * Ranked within each district by delivered, then hours.
 */
export function thresholdOf(
  i: Pick<InstructorDoc, 'level' | 'levelHistory'>,
  delivered: number,
): { threshold: number | null; thresholdRule: string; thresholdMet: boolean | null } {
  const rule = INSTRUCTOR_LEVEL_RULES[i.level];
  if (rule.kind === 'sessions') return { threshold: rule.sessions, thresholdRule: rule.labelZh, thresholdMet: delivered >= rule.sessions };
  if (rule.kind === 'none') return { threshold: null, thresholdRule: rule.labelZh, thresholdMet: null };
  const at = (level: string) => i.levelHistory?.find((h) => h.level === level)?.at;
  const below = at(rule.after);
  const here = at(i.level);
  if (!below || !here) return { threshold: null, thresholdRule: rule.labelZh, thresholdMet: null };
  const due = new Date(below.getTime());
  due.setUTCFullYear(due.getUTCFullYear() + rule.years);
  return { threshold: null, thresholdRule: rule.labelZh, thresholdMet: here.getTime() >= due.getTime() };
}

export function createActivity(clock: Clock) {
  function periodOf(year?: number) {
    if (year) return { from: yearStart(year), to: yearStart(year + 1), label: `${year}` };
    const to = clock.now();
    const from = new Date(to.getTime());
    from.setUTCFullYear(from.getUTCFullYear() - 1);
    return { from, to, label: `${businessDay(from)}~${businessDay(to)}` };
  }

  async function evaluate(q: {
    year?: number;
    district?: string;
  }): Promise<{ period: { from: string; to: string; label: string }; items: InstructorActivity[] }> {
    const period = periodOf(q.year);
    const instructors = await Instructor.find({ status: 'verified', ...(q.district ? { district: q.district } : {}) })
      .limit(20_000)
      .lean<InstructorDoc[]>();
    const ids = instructors.map((i) => i._id);
    const inPeriod = { instructorId: { $in: ids }, startAt: { $gte: period.from, $lt: period.to } };
    const sessionRows = await GuidanceSession.aggregate<{ _id: { i: Types.ObjectId; st: string }; n: number; minutes: number }>([
      { $match: { ...inPeriod, status: { $in: ['delivered', 'not_delivered'] } } },
      {
        $group: { _id: { i: '$instructorId', st: '$status' }, n: { $sum: 1 }, minutes: { $sum: { $ifNull: ['$log.durationMinutes', 0] } } },
      },
    ]);
    // model queries sanitise filters (sanitizeFilter), so their operators are marked trusted
    const trustedPeriod = {
      instructorId: mongoose.trusted({ $in: ids }),
      startAt: mongoose.trusted({ $gte: period.from, $lt: period.to }),
    };
    const delivered = await GuidanceSession.find({ ...trustedPeriod, status: 'delivered' }, { _id: 1, instructorId: 1 }).lean<
      { _id: Types.ObjectId; instructorId: Types.ObjectId }[]
    >();
    const leaderOf = new Map(delivered.map((d) => [String(d._id), String(d.instructorId)]));
    const people = await GuidanceSignup.aggregate<{ _id: { s: Types.ObjectId; u: Types.ObjectId } }>([
      { $match: { sessionId: { $in: delivered.map((d) => d._id) }, status: 'attended' } },
      { $group: { _id: { s: '$sessionId', u: '$userId' } } },
    ]);
    const served = new Map<string, Set<string>>();
    for (const p of people) {
      const leader = leaderOf.get(String(p._id.s));
      if (!leader) continue;
      if (!served.has(leader)) served.set(leader, new Set());
      served.get(leader)!.add(String(p._id.u));
    }
    const periodSessions = await GuidanceSession.find(trustedPeriod, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
    const ratingRows = await GuidanceRating.aggregate<{ _id: Types.ObjectId; sum: number; n: number }>([
      { $match: { sessionId: { $in: periodSessions.map((s) => s._id) }, kind: 'citizen' } },
      { $group: { _id: '$instructorId', sum: { $sum: '$stars' }, n: { $sum: 1 } } },
    ]);
    const items = instructors.map((i) => {
      const id = String(i._id);
      const row = (st: string) => sessionRows.find((r) => String(r._id.i) === id && r._id.st === st);
      const d = row('delivered');
      const rating = ratingRows.find((r) => String(r._id) === id);
      const met = thresholdOf(i, d?.n ?? 0);
      return {
        instructorId: id,
        name: i.name,
        level: i.level,
        district: i.district,
        delivered: d?.n ?? 0,
        hours: Math.round(((d?.minutes ?? 0) / 60) * 100) / 100,
        peopleServed: served.get(id)?.size ?? 0,
        rating: rating && rating.n ? Math.round((rating.sum / rating.n) * 100) / 100 : null,
        notDelivered: row('not_delivered')?.n ?? 0,
        ...met,
        rankInDistrict: 0,
      };
    });
    items.sort(
      (a, b) =>
        a.district.localeCompare(b.district, 'zh') || b.delivered - a.delivered || b.hours - a.hours || a.name.localeCompare(b.name, 'zh'),
    );
    let district = '';
    let rank = 0;
    for (const it of items) {
      rank = it.district === district ? rank + 1 : 1;
      district = it.district;
      it.rankInDistrict = rank;
    }
    return { period: { from: period.from.toISOString(), to: period.to.toISOString(), label: period.label }, items };
  }

  async function xlsx(q: { year?: number; district?: string }): Promise<Buffer> {
    const { period, items } = await evaluate(q);
    return xlsxOf({
      name: '指导员活跃度',
      created: clock.now(),
      rows: items,
      columns: [
        { header: '区县', width: 12, value: (it) => it.district },
        { header: '区内排名', width: 10, value: (it) => it.rankInDistrict },
        { header: '姓名', width: 12, value: (it) => it.name },
        { header: '等级', width: 10, value: (it) => INSTRUCTOR_LEVEL_LABELS_ZH[it.level] },
        { header: '已完成场次', width: 12, value: (it) => it.delivered },
        { header: '指导时长（小时）', width: 16, value: (it) => it.hours },
        { header: '服务人数', width: 10, value: (it) => it.peopleServed },
        { header: '平均评分', width: 10, value: (it) => it.rating ?? '—' },
        { header: '未履约场次', width: 12, value: (it) => it.notDelivered },
        { header: '达标要求', width: 16, value: (it) => it.thresholdRule },
        { header: '是否达标', width: 10, value: (it) => (it.thresholdMet === null ? '无法判定' : it.thresholdMet ? '是' : '否') },
      ],
      notes: [
        `统计期间：${formatShanghai(period.from, 'YYYY-MM-DD')} 至 ${formatShanghai(new Date(new Date(period.to).getTime() - 1), 'YYYY-MM-DD')}`,
      ],
    });
  }

  return { evaluate, xlsx };
}
export type GuidanceActivity = ReturnType<typeof createActivity>;
