import mongoose from 'mongoose';
import {
  LOW_FEE_MAX_FEN_PER_HOUR,
  PUBLIC_SERVICE_NORM,
  SPORT_LABELS_ZH,
  type ConsumptionRow,
  type DashboardRange,
  type DispatchLine,
  type DispatchReport,
  type HeatmapResponse,
  type PublicServiceRow,
  type Sport,
} from '@citysport/shared';
import { AppError } from '../../platform/errors';
import type { Kernel } from '../../platform/kernel';
import {
  COLL,
  ensureRollupIndexes,
  PARTICIPATION_DOMAINS_ZH,
  type DistrictSportMonthCell,
  type ParticipationCell,
  type VenueMonthCell,
} from './rollups';

/**
 * The bureau's dashboards and the monthly dispatch report (调度报表), read from the rollup cells
 * only (never raw scans): a query reads at most venues × days × hours cells.
 */
export interface VenueInfo {
  id: string;
  name: string;
  district: string;
  freeOrLowFee: boolean;
}
export interface DashboardDeps {
  kernel: Kernel;
  venues: () => Promise<VenueInfo[]>;
  supplyByDay: (
    fromDay: string,
    toDay: string,
    lowFeeFen: number,
  ) => Promise<{ venueId: string; day: string; hours: number; lowFeeHours: number }[]>;
}

const cells = <T extends { _id: string }>(name: string) => mongoose.connection.collection<T>(name);
const dayMs = 86_400_000;
function daysBetween(from: string, to: string) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs) + 1;
}
function checkRange(q: { from: string; to: string }) {
  void ensureRollupIndexes().catch(() => {}); // built on first use; a query before it finishes still answers
  const n = daysBetween(q.from, q.to);
  if (n < 1) throw new AppError('VALIDATION_FAILED', 'from must not be after to', { fields: { to: 'must not be before from' } });
  if (n > 400) throw new AppError('DATA_CENTRE_RANGE_TOO_LONG', 'at most 400 days');
  return n;
}
const pct = (v: number, base: number) => (base === 0 ? null : Math.round(((v - base) / base) * 1000) / 10);
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
/** the months a day range covers whole, and the day ranges of the months it covers only in part */
export function splitByMonth(from: string, to: string): { whole: string[]; partial: [string, string][] } {
  const whole: string[] = [];
  const partial: [string, string][] = [];
  let [y, m] = from.split('-').map(Number);
  for (;;) {
    const first = isoDay(Date.UTC(y, m - 1, 1));
    if (first > to) break;
    const last = isoDay(Date.UTC(y, m, 0));
    if (from <= first && to >= last) whole.push(first.slice(0, 7));
    else partial.push([from > first ? from : first, to < last ? to : last]);
    if (++m > 12) [y, m] = [y + 1, 1];
  }
  return { whole, partial };
}
const monthShift = (month: string, by: number) => {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};

export function createDashboards(deps: DashboardDeps) {
  /**
   * The heat map (venue × hour of week), from the coarse venue × month cells only: the months the
   * range covers whole by their 168 hour-of-week slots, the days of a month it covers in part (its
   * edges, or a range shorter than a month) by the cell's places per day (`byDay`). At most
   * venues × 14 cells for the longest range, against venues × days × hours fine cells.
   */
  async function utilisation(q: DashboardRange): Promise<HeatmapResponse> {
    checkRange(q);
    const { whole, partial } = splitByMonth(q.from, q.to);
    const where: Record<string, unknown> = {};
    if (q.district) where.district = q.district;
    if (q.venueId) where.venueId = q.venueId;
    const total = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
    const byVenue = new Map<string, { district: string; hours: number[]; places: number }>();
    const add = (venueId: string, district: string, slot: number, places: number) => {
      total[Math.floor(slot / 24)][slot % 24] += places;
      let v = byVenue.get(venueId);
      if (!v) byVenue.set(venueId, (v = { district, hours: Array<number>(168).fill(0), places: 0 }));
      v.hours[slot] += places;
      v.places += places;
    };
    // streamed, not toArray: a driver's toArray of one very large batch overflows the call stack
    if (whole.length)
      for await (const r of cells<VenueMonthCell>(COLL.venueMonth).find(
        { ...where, month: whole.length === 1 ? whole[0] : { $in: whole } },
        { projection: { venueId: 1, district: 1, places: 1 } },
      ))
        for (let i = 0; i < 168; i++) if (r.places[i]) add(r.venueId, r.district, i, r.places[i]);
    // the months covered in part: the same coarse cells, their places per day of the month
    for (const [from, to] of partial) {
      const month = from.slice(0, 7);
      const [fromDd, toDd] = [from.slice(8, 10), to.slice(8, 10)];
      for await (const r of cells<VenueMonthCell>(COLL.venueMonth).find(
        { ...where, month },
        { projection: { venueId: 1, district: 1, byDay: 1 } },
      ))
        for (const [k, places] of Object.entries(r.byDay)) {
          const dd = k.slice(0, 2);
          if (dd >= fromDd && dd <= toDd) add(r.venueId, r.district, Number(k.slice(3)), places);
        }
    }
    const names = new Map((await deps.venues()).map((v) => [v.id, v.name]));
    const venues = [...byVenue.entries()]
      .map(([venueId, v]) => ({ venueId, name: names.get(venueId) ?? venueId, district: v.district, places: v.places, hours: v.hours }))
      .sort((a, b) => b.places - a.places || a.venueId.localeCompare(b.venueId));
    return { from: q.from, to: q.to, total, venues, max: Math.max(0, ...total.flat()) };
  }

  async function consumption(
    q: Omit<DashboardRange, 'venueId'> & { groupBy: 'district' | 'sport' | 'month' },
  ): Promise<{ items: ConsumptionRow[]; total: ConsumptionRow }> {
    checkRange(q);
    const filter: Record<string, unknown> = { month: { $gte: q.from.slice(0, 7), $lte: q.to.slice(0, 7) } };
    if (q.district) filter.district = q.district;
    const rows = await cells<DistrictSportMonthCell>(COLL.districtSportMonth).find(filter).toArray();
    const empty = (key: string): ConsumptionRow => ({
      key,
      orders: 0,
      amountFen: 0,
      spendFen: 0,
      subsidyFen: 0,
      vouchersUsed: 0,
      refundFen: 0,
      leverage: null,
    });
    const groups = new Map<string, ConsumptionRow>();
    const total = empty('total');
    for (const r of rows) {
      const key = q.groupBy === 'sport' ? (SPORT_LABELS_ZH[r.sport as Sport] ?? r.sport) : r[q.groupBy];
      const g = groups.get(key) ?? empty(key);
      for (const t of [g, total]) {
        t.orders += r.orders;
        t.amountFen += r.amountFen;
        t.spendFen += r.spendFen;
        t.subsidyFen += r.subsidyFen;
        t.vouchersUsed += r.vouchersUsed;
        t.refundFen += r.refundFen;
      }
      groups.set(key, g);
    }
    const lev = (r: ConsumptionRow) => ({ ...r, leverage: r.subsidyFen > 0 ? Math.round((r.amountFen / r.subsidyFen) * 100) / 100 : null });
    return { items: [...groups.values()].map(lev).sort((a, b) => a.key.localeCompare(b.key, 'zh')), total: lev(total) };
  }

  async function activity(q: Omit<DashboardRange, 'venueId'>) {
    checkRange(q);
    const filter: Record<string, unknown> = { month: { $gte: q.from.slice(0, 7), $lte: q.to.slice(0, 7) } };
    if (q.district) filter.district = q.district;
    const rows = await cells<ParticipationCell>(COLL.participation).find(filter).sort({ month: 1, district: 1 }).toArray();
    return {
      items: rows.map((r) => ({
        domain: r.domain,
        domainZh: PARTICIPATION_DOMAINS_ZH[r.domain] ?? r.domain,
        district: r.district,
        month: r.month,
        count: r.count,
      })),
    };
  }

  /** Free/low-fee hours delivered per venue against 《公共体育场馆基本公共服务规范》 (≥ 35 h/week, ≥ 330 days/year). */
  async function publicService(
    q: Omit<DashboardRange, 'venueId'>,
  ): Promise<{ items: PublicServiceRow[]; norm: typeof PUBLIC_SERVICE_NORM }> {
    const days = checkRange(q);
    const venues = (await deps.venues()).filter((v) => !q.district || v.district === q.district);
    const supply = await deps.supplyByDay(q.from, q.to, LOW_FEE_MAX_FEN_PER_HOUR);
    const items = venues.map((v) => {
      const mine = supply.filter((s) => s.venueId === v.id);
      const lowFeeHours = mine.reduce((a, s) => a + s.lowFeeHours, 0);
      const openDays = mine.filter((s) => s.hours > 0).length;
      const lowFeeHoursPerWeek = Math.round((lowFeeHours / days) * 7 * 10) / 10;
      const daysPerYear = Math.round((openDays / days) * 365);
      return {
        venueId: v.id,
        name: v.name,
        district: v.district,
        freeOrLowFee: v.freeOrLowFee,
        lowFeeHoursPerWeek,
        openDays,
        daysPerYear,
        meetsWeekly: lowFeeHoursPerWeek >= PUBLIC_SERVICE_NORM.hoursPerWeek,
        meetsYearly: daysPerYear >= PUBLIC_SERVICE_NORM.daysPerYear,
      };
    });
    return { items, norm: PUBLIC_SERVICE_NORM };
  }

  /** The month's figures per district and department line, with month-on-month and year-on-year change. */
  async function dispatch(month: string): Promise<DispatchReport> {
    const months = [month, monthShift(month, -1), monthShift(month, -12)];
    type Fig = Map<string, number>; // `${district}|${line}|${metric}` → value
    const figs: Fig[] = months.map(() => new Map());
    const add = (f: Fig, district: string, line: string, metric: string, v: number) => {
      for (const d of [district, '全市']) f.set(`${d}|${line}|${metric}`, (f.get(`${d}|${line}|${metric}`) ?? 0) + v);
    };
    for (const [i, m] of months.entries()) {
      // a whole month: the coarse venue × month cells (each the sum of its venue × day × hour cells)
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      for await (const r of cells<VenueMonthCell>(COLL.venueMonth).find(
        { month: m },
        { projection: { district: 1, bookings: 1, places: 1, used: 1, noShows: 1 } },
      )) {
        add(figs[i], r.district, '场馆预订', '预订数', sum(r.bookings));
        add(figs[i], r.district, '场馆预订', '预订人次', sum(r.places));
        add(figs[i], r.district, '场馆预订', '到场数', sum(r.used));
        add(figs[i], r.district, '场馆预订', '爽约数', sum(r.noShows));
      }
      for (const r of await cells<DistrictSportMonthCell>(COLL.districtSportMonth).find({ month: m }).toArray()) {
        add(figs[i], r.district, '体育消费', '订单数', r.orders);
        add(figs[i], r.district, '体育消费', '消费额(元)', r.amountFen / 100);
        add(figs[i], r.district, '体育消费', '补贴额(元)', r.subsidyFen / 100);
        add(figs[i], r.district, '体育消费', '用券数', r.vouchersUsed);
      }
      for (const r of await cells<ParticipationCell>(COLL.participation).find({ month: m }).toArray()) {
        add(figs[i], r.district, PARTICIPATION_DOMAINS_ZH[r.domain] ?? r.domain, '参与人次', r.count);
      }
    }
    const keys = new Set([...figs[0].keys(), ...figs[1].keys(), ...figs[2].keys()]);
    const lines: DispatchLine[] = [...keys]
      .map((k) => {
        const [district, line, metric] = k.split('|');
        const value = Math.round((figs[0].get(k) ?? 0) * 100) / 100;
        const previous = Math.round((figs[1].get(k) ?? 0) * 100) / 100;
        const lastYear = Math.round((figs[2].get(k) ?? 0) * 100) / 100;
        return { district, line, metric, value, previous, lastYear, mom: pct(value, previous), yoy: pct(value, lastYear) };
      })
      .sort(
        (a, b) =>
          (a.district === b.district
            ? 0
            : a.district === '全市'
              ? -1
              : b.district === '全市'
                ? 1
                : a.district.localeCompare(b.district, 'zh')) ||
          a.line.localeCompare(b.line, 'zh') ||
          a.metric.localeCompare(b.metric, 'zh'),
      );
    return { month, generatedAt: deps.kernel.clock.now().toISOString(), lines };
  }

  return { utilisation, consumption, activity, publicService, dispatch };
}
export type Dashboards = ReturnType<typeof createDashboards>;
