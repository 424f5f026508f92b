import mongoose from 'mongoose';
import { businessDay, inShanghai, type OutboxEventMap, type OutboxEventType } from '@citysport/shared';
import type { Kernel } from '../../platform/kernel';
import { OutboxEvent, type OutboxDoc } from '../../platform/outbox';

/**
 * Rollups for analysis (issue 17, item 4), kept up to date from the same outbox events the feed
 * delivers. Two layers:
 * - facts: one document per booking / order / participation, written with `$set`/`$addToSet`
 *   only, so applying an event twice (a replay, a crash before `rolledUpAt`) changes nothing;
 * - cells: venue × day × hour, district × sport × month, domain × district × month — each cell
 *   recomputed from its facts whenever an event touches it (deterministic, so idempotent too).
 * `rebuild()` drops both and folds every outbox event again; `rebuildCells()` recomputes the cells
 * from the facts (what `npm run seed:history` uses after its bulk inserts).
 *
 * PARTICIPATION of other domains (events, guidance, fitness, clubs, courses, gates): one entry per
 * event type in `PARTICIPATION` below — the domain it counts for and where it happened.
 */
type Payload<T extends OutboxEventType> = OutboxEventMap[T];
export interface ParticipationRule<T extends OutboxEventType = OutboxEventType> {
  domain: string;
  /** the venue it happened at (its district from the venue's data), or the district directly */
  place: (p: Payload<T>) => { venueId: string } | { district: string };
  /** counts only the events this accepts (default: all) */
  when?: (p: Payload<T>) => boolean;
}
const rule = <T extends OutboxEventType>(r: ParticipationRule<T>) => r as unknown as ParticipationRule;
export const PARTICIPATION: Partial<Record<OutboxEventType, ParticipationRule>> = {
  'booking.used': rule<'booking.used'>({ domain: 'venue', place: (p) => ({ venueId: p.venueId }) }),
  'ticket.admitted': rule<'ticket.admitted'>({ domain: 'gate', place: (p) => ({ venueId: p.venueId }) }),
  'event.checked_in': rule<'event.checked_in'>({ domain: 'events', place: (p) => ({ district: p.district }) }),
  'guidance.attended': rule<'guidance.attended'>({ domain: 'guidance', place: (p) => ({ district: p.district }) }),
  // one test, one count: a corrected report (revision 2, 3, …) is the same test
  'fitness.report_issued': rule<'fitness.report_issued'>({
    domain: 'fitness',
    place: (p) => ({ district: p.district }),
    when: (p) => p.revision === 1,
  }),
};
export const PARTICIPATION_DOMAINS_ZH: Record<string, string> = {
  venue: '场馆预订到场',
  gate: '闸机入场',
  events: '赛事活动',
  guidance: '健身指导',
  fitness: '体质测试',
  clubs: '俱乐部活动',
  courses: '培训课程',
};

export interface BookingFact {
  _id: string;
  venueId: string;
  district: string;
  sport: string;
  day: string;
  hour: number;
  /** 0 = Monday … 6 = Sunday */
  weekday: number;
  month: string;
  quantity: number;
  amountFen: number;
  confirmed: boolean;
  cancelled: boolean;
  expired: boolean;
  used: boolean;
  noShow: boolean;
  orderId?: string;
  paidFen?: number;
  subsidyFen?: number;
  refundFen?: number;
}
/** what the cells read of a booking fact (the rebuild streams only these) */
const BOOKING_FACT_FIELDS = [
  'venueId',
  'district',
  'day',
  'hour',
  'weekday',
  'month',
  'quantity',
  'confirmed',
  'cancelled',
  'used',
  'noShow',
  'paidFen',
  'subsidyFen',
  'refundFen',
] as const;
export interface OrderFact {
  _id: string;
  kind: string;
  refId: string | null;
  paid: boolean;
  amountFen: number;
  payableFen: number;
  month: string;
  district: string;
  sport: string;
  vouchers: string[];
  refunds: Record<string, number>;
}
const ORDER_FACT_FIELDS = ['district', 'sport', 'month', 'paid', 'amountFen', 'payableFen', 'vouchers', 'refunds'] as const;
export interface ParticipationFact {
  _id: string;
  domain: string;
  district: string;
  month: string;
}

export const COLL = {
  bookingFacts: 'dc_booking_facts',
  orderFacts: 'dc_order_facts',
  participationFacts: 'dc_participation_facts',
  venueHour: 'dc_venue_hour',
  venueMonth: 'dc_venue_month',
  districtSportMonth: 'dc_district_sport_month',
  participation: 'dc_participation_month',
} as const;
const outbox = () => OutboxEvent.collection as unknown as mongoose.mongo.Collection<OutboxDoc>;
const coll = <T extends { _id: string }>(name: string) => mongoose.connection.collection<T>(name);

let indexed: Promise<unknown> | null = null;
/** The indexes the incremental recompute and the dashboards read by (created once per process, idempotent). */
export function ensureRollupIndexes(): Promise<unknown> {
  indexed ??= Promise.all([
    coll(COLL.bookingFacts).createIndex({ venueId: 1, day: 1, hour: 1 }),
    coll(COLL.orderFacts).createIndex({ district: 1, sport: 1, month: 1 }),
    coll(COLL.orderFacts).createIndex({ refId: 1 }),
    coll(COLL.participationFacts).createIndex({ domain: 1, district: 1, month: 1 }),
    coll(COLL.venueHour).createIndex({ day: 1 }),
    coll(COLL.venueHour).createIndex({ venueId: 1, day: 1 }),
    coll(COLL.venueHour).createIndex({ district: 1, day: 1 }),
    coll(COLL.venueHour).createIndex({ month: 1 }),
    coll(COLL.venueMonth).createIndex({ month: 1 }),
    coll(COLL.venueMonth).createIndex({ venueId: 1, month: 1 }),
    coll(COLL.districtSportMonth).createIndex({ month: 1 }),
    coll(COLL.participation).createIndex({ month: 1 }),
  ]).catch((err) => {
    indexed = null;
    throw err;
  });
  return indexed;
}

export function slotPlace(startAtIso: string) {
  const local = inShanghai(startAtIso);
  return { hour: local.hour(), weekday: (local.day() + 6) % 7 };
}
const monthOf = (day: string) => day.slice(0, 7);

// ---- cells: the one definition of each figure, used by the incremental path and the rebuild ----
export interface VenueHourCell {
  _id: string;
  venueId: string;
  district: string;
  day: string;
  hour: number;
  weekday: number;
  month: string;
  bookings: number;
  places: number;
  used: number;
  noShows: number;
  cancelled: number;
  revenueFen: number;
  subsidyFen: number;
}
export function venueHourKey(f: Pick<BookingFact, 'venueId' | 'day' | 'hour'>) {
  return `${f.venueId}|${f.day}|${f.hour}`;
}
export function addToVenueHour(cell: VenueHourCell | undefined, f: BookingFact): VenueHourCell {
  const c = cell ?? {
    _id: venueHourKey(f),
    venueId: f.venueId,
    district: f.district,
    day: f.day,
    hour: f.hour,
    weekday: f.weekday,
    month: f.month,
    bookings: 0,
    places: 0,
    used: 0,
    noShows: 0,
    cancelled: 0,
    revenueFen: 0,
    subsidyFen: 0,
  };
  if (!f.confirmed) return c; // holds that expired unpaid are no bookings
  if (f.cancelled) {
    c.cancelled++;
  } else {
    c.bookings++;
    c.places += f.quantity;
    if (f.used) c.used++;
    if (f.noShow) c.noShows++;
  }
  c.revenueFen += (f.paidFen ?? 0) - (f.refundFen ?? 0);
  c.subsidyFen += f.cancelled ? 0 : (f.subsidyFen ?? 0);
  return c;
}

/** a cell of only unpaid holds that expired says nothing: not kept */
export const isEmptyVenueHour = (c: VenueHourCell) => c.bookings === 0 && c.cancelled === 0 && c.revenueFen === 0;

/**
 * The coarse heat-map cell: one venue × month, holding its 168 hour-of-week cells (index
 * `weekday * 24 + hour`) as arrays, each slot the sum of that month's venue × day × hour cells on that
 * weekday and hour. A year-wide heat map reads venues × 12 of these instead of venues × 365 × hours
 * fine cells. `byDay` keeps the places per day of the month and hour-of-week slot (`"DD|slot"`,
 * non-zero only), so a range that covers a month in part (its edges) is read from the same few
 * cells: on an engine without secondary indexes (mongo-java-server) a day-range read of the fine
 * cells scans all of them. Keyed with the district too: the fine cells carry the district they were counted in.
 */
export const VENUE_MONTH_FIGURES = ['bookings', 'places', 'used', 'noShows', 'cancelled', 'revenueFen', 'subsidyFen'] as const;
export type VenueMonthCell = { _id: string; venueId: string; district: string; month: string } & Record<
  (typeof VENUE_MONTH_FIGURES)[number],
  number[]
> & { byDay: Record<string, number> };
export const venueMonthKey = (c: Pick<VenueHourCell, 'venueId' | 'month' | 'district'>) => `${c.venueId}|${c.month}|${c.district}`;
export function addToVenueMonth(cell: VenueMonthCell | undefined, c: VenueHourCell): VenueMonthCell {
  const m =
    cell ??
    ({
      _id: venueMonthKey(c),
      venueId: c.venueId,
      district: c.district,
      month: c.month,
      ...Object.fromEntries(VENUE_MONTH_FIGURES.map((f) => [f, Array<number>(168).fill(0)])),
      byDay: {},
    } as VenueMonthCell);
  const i = c.weekday * 24 + c.hour;
  for (const f of VENUE_MONTH_FIGURES) m[f][i] += c[f];
  if (c.places) {
    const k = `${c.day.slice(8, 10)}|${i}`;
    m.byDay[k] = (m.byDay[k] ?? 0) + c.places;
  }
  return m;
}
/** the ids of every venue × day × hour cell a venue can hold from one day to another (read by `_id`: served by the primary key on any engine) */
export function venueHourKeysOfDays(venueId: string, fromDay: string, toDay: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${fromDay}T00:00:00Z`), end = Date.parse(`${toDay}T00:00:00Z`); t <= end; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    for (let h = 0; h < 24; h++) out.push(`${venueId}|${day}|${h}`);
  }
  return out;
}
export function venueHourKeysOfMonth(venueId: string, month: string): string[] {
  const [y, m] = month.split('-').map(Number);
  return venueHourKeysOfDays(venueId, `${month}-01`, new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10));
}

export interface DistrictSportMonthCell {
  _id: string;
  district: string;
  sport: string;
  month: string;
  orders: number;
  /** consumption: what was bought, vouchers included */
  amountFen: number;
  /** paid by citizens */
  spendFen: number;
  subsidyFen: number;
  vouchersUsed: number;
  refundFen: number;
}
export const dsmKey = (f: Pick<OrderFact, 'district' | 'sport' | 'month'>) => `${f.district}|${f.sport}|${f.month}`;
export function addToDistrictSportMonth(cell: DistrictSportMonthCell | undefined, f: OrderFact): DistrictSportMonthCell {
  const c = cell ?? {
    _id: dsmKey(f),
    district: f.district,
    sport: f.sport,
    month: f.month,
    orders: 0,
    amountFen: 0,
    spendFen: 0,
    subsidyFen: 0,
    vouchersUsed: 0,
    refundFen: 0,
  };
  if (!f.paid) return c;
  c.orders++;
  c.amountFen += f.amountFen;
  c.spendFen += f.payableFen;
  c.subsidyFen += f.amountFen - f.payableFen;
  c.vouchersUsed += f.vouchers.length;
  c.refundFen += Object.values(f.refunds ?? {}).reduce((a, b) => a + b, 0);
  return c;
}

export interface ParticipationCell {
  _id: string;
  domain: string;
  district: string;
  month: string;
  count: number;
}
export const partKey = (f: Pick<ParticipationFact, 'domain' | 'district' | 'month'>) => `${f.domain}|${f.district}|${f.month}`;

export interface CellCounts {
  venueHour: number;
  venueMonth: number;
  dsm: number;
  participation: number;
}
/** Every cell folded in process from facts, by the same `addTo…` definitions as the incremental path. */
export function createCellBuilder() {
  const vh = new Map<string, VenueHourCell>();
  const dsm = new Map<string, DistrictSportMonthCell>();
  const part = new Map<string, ParticipationCell>();
  return {
    booking(f: BookingFact) {
      const k = venueHourKey(f);
      vh.set(k, addToVenueHour(vh.get(k), f));
    },
    order(f: OrderFact) {
      const k = dsmKey(f);
      dsm.set(k, addToDistrictSportMonth(dsm.get(k), f));
    },
    participation(f: Pick<ParticipationFact, 'domain' | 'district' | 'month'>, count = 1) {
      const k = partKey(f);
      const c = part.get(k) ?? { _id: k, domain: f.domain, district: f.district, month: f.month, count: 0 };
      c.count += count;
      part.set(k, c);
    },
    cells() {
      const venueHour = [...vh.values()].filter((c) => !isEmptyVenueHour(c));
      const vm = new Map<string, VenueMonthCell>();
      for (const c of venueHour) vm.set(venueMonthKey(c), addToVenueMonth(vm.get(venueMonthKey(c)), c));
      return {
        venueHour,
        venueMonth: [...vm.values()],
        dsm: [...dsm.values()].filter((c) => c.orders > 0),
        participation: [...part.values()],
      };
    },
  };
}
export type CellBuilder = ReturnType<typeof createCellBuilder>;

export interface RollupDeps {
  kernel: Kernel;
  /** the district of a venue (through the venue module's service) */
  districtsOf: (venueIds: string[]) => Promise<Map<string, string>>;
  batchSize?: number;
}

export function createRollups(deps: RollupDeps) {
  const districtCache = new Map<string, string>();
  async function districts(venueIds: string[]) {
    const missing = [...new Set(venueIds)].filter((id) => !districtCache.has(id));
    if (missing.length) for (const [id, d] of await deps.districtsOf(missing)) districtCache.set(id, d);
    return (id: string) => districtCache.get(id) ?? '未知';
  }

  /** Folds one event into the facts; returns the cells it touched. Only $set / $addToSet: idempotent. */
  async function apply(e: OutboxDoc, districtOf: (venueId: string) => string, touched: Touched) {
    const bookings = coll<BookingFact>(COLL.bookingFacts);
    const orders = coll<OrderFact>(COLL.orderFacts);
    const p = e.payload as Record<string, any>;
    const month = businessDay(e.occurredAt).slice(0, 7);
    if (e.type.startsWith('booking.')) {
      const b = p as Payload<'booking.booked'>;
      const place = slotPlace(b.startAt);
      const base = {
        venueId: b.venueId,
        district: districtOf(b.venueId),
        sport: b.sport,
        day: b.day,
        hour: place.hour,
        weekday: place.weekday,
        month: monthOf(b.day),
        quantity: b.quantity,
        amountFen: b.amountFen,
      };
      const flag: Partial<BookingFact> =
        e.type === 'booking.booked'
          ? b.status === 'confirmed'
            ? { confirmed: true }
            : {}
          : e.type === 'booking.confirmed'
            ? { confirmed: true }
            : e.type === 'booking.cancelled'
              ? { cancelled: true }
              : e.type === 'booking.expired'
                ? { expired: true }
                : e.type === 'booking.used'
                  ? { used: true }
                  : e.type === 'booking.no_show'
                    ? { noShow: true }
                    : {};
      const defaults = { confirmed: false, cancelled: false, expired: false, used: false, noShow: false, refundFen: 0 };
      for (const k of Object.keys(flag)) delete (defaults as Record<string, unknown>)[k];
      await bookings.updateOne({ _id: b.bookingId }, { $set: { ...base, ...flag }, $setOnInsert: defaults }, { upsert: true });
      touched.venueHour.add(venueHourKey(base));
      // an order paid before its booking fact arrived learns its place now
      const o = await orders.findOne({ refId: b.bookingId, kind: 'booking' });
      if (o && (o.district !== base.district || o.sport !== base.sport || o.month === '')) {
        touched.dsm.add(dsmKey(o));
        await orders.updateOne({ _id: o._id }, { $set: { district: base.district, sport: base.sport } });
        touched.dsm.add(dsmKey({ ...o, district: base.district, sport: base.sport }));
      }
    } else if (e.type === 'order.paid') {
      const o = p as Payload<'order.paid'>;
      const booking = o.kind === 'booking' && o.refId ? await bookings.findOne({ _id: o.refId }) : null;
      const fact = {
        kind: o.kind,
        refId: o.refId ?? null,
        paid: true,
        amountFen: o.amountFen,
        payableFen: o.payableFen,
        month,
        district: booking?.district ?? '未知',
        sport: booking?.sport ?? o.kind,
      };
      await orders.updateOne({ _id: o.orderId }, { $set: fact, $setOnInsert: { vouchers: [], refunds: {} } }, { upsert: true });
      touched.dsm.add(dsmKey(fact));
      if (booking) {
        await bookings.updateOne(
          { _id: booking._id },
          { $set: { orderId: o.orderId, paidFen: o.payableFen, subsidyFen: o.amountFen - o.payableFen } },
        );
        touched.venueHour.add(venueHourKey(booking));
      }
    } else if (e.type === 'order.refunded' || e.type === 'voucher.used') {
      const orderId = (p as { orderId: string }).orderId;
      const update =
        e.type === 'order.refunded'
          ? { $set: { [`refunds.${e.eventId.replace(/[.$]/g, '_')}`]: (p as Payload<'order.refunded'>).refundFen } }
          : { $addToSet: { vouchers: (p as Payload<'voucher.used'>).voucherId } };
      await orders.updateOne({ _id: orderId }, update as never);
      const o = await orders.findOne({ _id: orderId });
      if (o) {
        touched.dsm.add(dsmKey(o));
        if (o.kind === 'booking' && o.refId) {
          const refundFen = Object.values(o.refunds ?? {}).reduce((a, b) => a + b, 0);
          const b = await bookings.findOneAndUpdate({ _id: o.refId }, { $set: { refundFen } });
          if (b) touched.venueHour.add(venueHourKey(b));
        }
      } else {
        // the order's paid event comes later (occurrence ties): keep what we know, the paid event fills the rest
        await orders.updateOne(
          { _id: orderId },
          {
            $setOnInsert: {
              kind: 'booking',
              refId: null,
              paid: false,
              amountFen: 0,
              payableFen: 0,
              month,
              district: '未知',
              sport: '',
              ...(e.type === 'voucher.used' ? { refunds: {} } : { vouchers: [] }),
            },
            ...(update as object),
          } as never,
          { upsert: true },
        );
      }
    }
    const rule = PARTICIPATION[e.type];
    if (rule && (!rule.when || rule.when(e.payload as never))) {
      const where = rule.place(e.payload as never);
      const district = 'district' in where ? where.district : districtOf(where.venueId);
      const fact: ParticipationFact = { _id: e.eventId, domain: rule.domain, district, month };
      await coll<ParticipationFact>(COLL.participationFacts).updateOne({ _id: fact._id }, { $set: fact }, { upsert: true });
      touched.participation.add(partKey(fact));
    }
  }

  interface Touched {
    venueHour: Set<string>;
    dsm: Set<string>;
    participation: Set<string>;
  }

  async function recompute(t: Touched) {
    for (const key of t.venueHour) {
      const [venueId, day, hour] = key.split('|');
      const facts = await coll<BookingFact>(COLL.bookingFacts)
        .find({ venueId, day, hour: Number(hour) })
        .toArray();
      let cell: VenueHourCell | undefined;
      for (const f of facts) cell = addToVenueHour(cell, f);
      if (cell && !isEmptyVenueHour(cell))
        await coll<VenueHourCell>(COLL.venueHour).replaceOne({ _id: key }, cell as never, { upsert: true });
      else await coll(COLL.venueHour).deleteOne({ _id: key });
    }
    // the coarse cells of the venue × months touched, from their fine cells (after those are written)
    const venueMonths = new Set(
      [...t.venueHour].map((key) => {
        const [venueId, day] = key.split('|');
        return `${venueId}|${monthOf(day)}`;
      }),
    );
    for (const vm of venueMonths) {
      const [venueId, month] = vm.split('|');
      const fine = await coll<VenueHourCell>(COLL.venueHour)
        .find({ _id: { $in: venueHourKeysOfMonth(venueId, month) } })
        .toArray();
      const coarse = new Map<string, VenueMonthCell>();
      for (const c of fine) coarse.set(venueMonthKey(c), addToVenueMonth(coarse.get(venueMonthKey(c)), c));
      for (const c of coarse.values()) await coll<VenueMonthCell>(COLL.venueMonth).replaceOne({ _id: c._id }, c as never, { upsert: true });
      await coll(COLL.venueMonth).deleteMany({ venueId, month, _id: { $nin: [...coarse.keys()] } });
    }
    for (const key of t.dsm) {
      const [district, sport, month] = key.split('|');
      const facts = await coll<OrderFact>(COLL.orderFacts).find({ district, sport, month }).toArray();
      let cell: DistrictSportMonthCell | undefined;
      for (const f of facts) cell = addToDistrictSportMonth(cell, f);
      if (cell && cell.orders > 0)
        await coll<DistrictSportMonthCell>(COLL.districtSportMonth).replaceOne({ _id: key }, cell as never, { upsert: true });
      else await coll(COLL.districtSportMonth).deleteOne({ _id: key });
    }
    for (const key of t.participation) {
      const [domain, district, month] = key.split('|');
      const count = await coll(COLL.participationFacts).countDocuments({ domain, district, month });
      await coll<ParticipationCell>(COLL.participation).replaceOne({ _id: key }, { domain, district, month, count } as never, {
        upsert: true,
      });
    }
  }

  /** One job run: folds the events not rolled up yet, oldest first, in batches. */
  async function run(maxBatches = 20): Promise<{ applied: number }> {
    await ensureRollupIndexes();
    let applied = 0;
    for (let i = 0; i < maxBatches; i++) {
      const events = await outbox()
        .find({ rolledUpAt: null })
        .sort({ occurredAt: 1, _id: 1 })
        .limit(deps.batchSize ?? 500)
        .toArray();
      if (!events.length) break;
      const venueIds = events.flatMap((e) => {
        const v = (e.payload as { venueId?: unknown }).venueId;
        return typeof v === 'string' ? [v] : [];
      });
      const districtOf = await districts(venueIds);
      const touched: Touched = { venueHour: new Set(), dsm: new Set(), participation: new Set() };
      for (const e of events) await apply(e, districtOf, touched);
      deps.kernel.crashPoint('datacentre:rollups:before-cells');
      await recompute(touched);
      await outbox().updateMany({ eventId: { $in: events.map((e) => e.eventId) } }, { $set: { rolledUpAt: deps.kernel.clock.now() } });
      applied += events.length;
    }
    return { applied };
  }

  /**
   * Recomputes every cell from the facts: each fact collection streamed once (only the fields a
   * cell reads), folded in process by the same `addTo…` definitions as the incremental path, and the
   * cells written by bulk inserts (unordered, in chunks, the collections in parallel) into
   * collections dropped first, so their indexes are built once after the load rather than kept up
   * per insert (on mongod; mongo-java-server keeps no secondary indexes, so there it changes nothing).
   */
  async function rebuildCells(): Promise<CellCounts> {
    const stream = <T extends { _id: string }>(name: string, fields: readonly string[]) =>
      coll<T>(name).find({}, { projection: Object.fromEntries(fields.map((f) => [f, 1])), batchSize: 20_000 });
    const b = createCellBuilder();
    await Promise.all([
      (async () => {
        for await (const f of stream<BookingFact>(COLL.bookingFacts, BOOKING_FACT_FIELDS)) b.booking(f);
      })(),
      (async () => {
        for await (const f of stream<OrderFact>(COLL.orderFacts, ORDER_FACT_FIELDS)) b.order(f);
      })(),
      (async () => {
        // a count per cell: grouped by the engine, no fact crosses the wire
        const rows = coll<ParticipationFact>(COLL.participationFacts).aggregate<{
          _id: { domain: string; district: string; month: string };
          count: number;
        }>([{ $group: { _id: { domain: '$domain', district: '$district', month: '$month' }, count: { $sum: 1 } } }]);
        for await (const r of rows) b.participation(r._id, r.count);
      })(),
    ]);
    return writeCells(b);
  }

  /**
   * Replaces every cell by the builder's (dropped collections refilled by unordered bulk inserts
   * in chunks, the collections in parallel, their indexes built after the load). The builder must
   * have seen every fact: `rebuildCells`, or `seed:history` on empty fact collections, which folds
   * its facts as it generates them rather than reading a million back.
   */
  async function writeCells(b: CellBuilder): Promise<CellCounts> {
    const db = mongoose.connection;
    const { venueHour, venueMonth, dsm, participation } = b.cells();
    const write = async <T extends { _id: string }>(name: string, cells: T[]) => {
      await db
        .collection(name)
        .drop()
        .catch(() => {}); // a collection never created: nothing to drop
      for (let i = 0; i < cells.length; i += 10_000)
        await db.collection<T>(name).insertMany(cells.slice(i, i + 10_000) as never, { ordered: false });
    };
    await Promise.all([
      write(COLL.venueHour, venueHour),
      write(COLL.venueMonth, venueMonth),
      write(COLL.districtSportMonth, dsm),
      write(COLL.participation, participation),
    ]);
    indexed = null; // the dropped collections lost their indexes: built again now
    await ensureRollupIndexes();
    return { venueHour: venueHour.length, venueMonth: venueMonth.length, dsm: dsm.length, participation: participation.length };
  }

  /** The rebuild command: drop facts and cells, fold every outbox event again. */
  async function rebuild(): Promise<{ applied: number }> {
    for (const name of Object.values(COLL)) await mongoose.connection.collection(name).deleteMany({});
    await outbox().updateMany({}, { $set: { rolledUpAt: null } });
    let applied = 0;
    for (;;) {
      const r = await run(50);
      applied += r.applied;
      if (r.applied === 0) break;
    }
    return { applied };
  }

  /**
   * 为你推荐 (not personalised): confirmed bookings per venue since `fromDay`, from the venue × hour
   * cells (one aggregation by the `venueId, day` index).
   */
  async function venueBookings(venueIds: string[], fromDay: string): Promise<Map<string, number>> {
    if (!venueIds.length) return new Map();
    const rows = await coll<VenueHourCell>(COLL.venueHour)
      .aggregate<{ _id: string; n: number }>([
        { $match: { venueId: { $in: venueIds }, day: { $gte: fromDay } } },
        { $group: { _id: '$venueId', n: { $sum: '$bookings' } } },
      ])
      .toArray();
    return new Map(rows.map((r) => [r._id, r.n]));
  }

  return { run, rebuild, rebuildCells, writeCells, cellBuilder: createCellBuilder, venueBookings };
}
export type Rollups = ReturnType<typeof createRollups>;
