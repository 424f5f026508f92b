/**
 * A year of booking history for the bureau dashboards (issue 17): written straight into the
 * rollup facts by bulk inserts (not through the booking API — a million bookings through the API
 * would take hours), then the cells are recomputed from the facts (`rollups.rebuildCells`).
 * Deterministic (a fixed-seed generator). Used by `npm run seed:history` and the dashboard e2e.
 */
import mongoose from 'mongoose';
import { SPORTS, businessDay } from '@citysport/shared';

export interface HistoryVenue {
  id: string;
  district: string;
  sports: readonly string[];
}

export async function seedBookingHistory(opts: {
  venues: HistoryVenue[];
  bookings: number;
  /** the last day of the history (Asia/Shanghai); the year before it is filled */
  lastDay: string;
  log?: (m: string) => void;
  batch?: number;
  /** each batch's facts as they are inserted (to fold the cells in process instead of reading them back) */
  onFacts?: (facts: { bookings: unknown[]; orders: unknown[]; participation: unknown[] }) => void;
}): Promise<{ bookings: number; orders: number; participation: number }> {
  // mulberry32: a fixed-seed generator with a long period (an LCG in doubles loses bits and cycles)
  let state = 20261201;
  const rnd = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const db = mongoose.connection.db!;
  const end = Date.parse(`${opts.lastDay}T00:00:00+08:00`);
  const batchSize = opts.batch ?? 10_000;
  let orders = 0;
  let participation = 0;
  // busier evenings and weekends, a summer peak: weights per hour of the day
  const hourWeights = [0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 4, 3, 2, 2, 3, 4, 5, 6, 9, 10, 9, 7, 4, 1];
  const hourPick = hourWeights.flatMap((w, h) => Array<number>(w).fill(h));
  // the 365 days, once (a Shanghai business day per booking cost a second per 200,000)
  const days = Array.from({ length: 365 }, (_, back) => {
    const noon = new Date(end - back * 86_400_000 + 12 * 3_600_000);
    return { day: businessDay(noon), weekday: (noon.getUTCDay() + 6) % 7 };
  });
  // one batch in flight while the next is generated; its three collections written in parallel,
  // unordered (no insert waits for the one before it)
  let inFlight: Promise<unknown> = Promise.resolve();
  for (let done = 0; done < opts.bookings; done += batchSize) {
    const n = Math.min(batchSize, opts.bookings - done);
    const bookings: Record<string, unknown>[] = [];
    const orderDocs: Record<string, unknown>[] = [];
    const parts: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const seq = done + i;
      const v = opts.venues[Math.floor(rnd() * opts.venues.length)];
      const { day, weekday } = days[Math.floor(rnd() * 365)];
      const hour = hourPick[Math.floor(rnd() * hourPick.length)];
      const sport = v.sports[Math.floor(rnd() * v.sports.length)] ?? SPORTS[0];
      const quantity = rnd() < 0.8 ? 1 : 2;
      const amountFen = rnd() < 0.3 ? 0 : [1500, 2000, 3000, 4000][Math.floor(rnd() * 4)] * quantity;
      const r = rnd();
      const cancelled = r < 0.08;
      const noShow = !cancelled && r < 0.13;
      const used = !cancelled && !noShow;
      const id = `h${seq.toString(16).padStart(23, '0')}`;
      const voucher = amountFen > 0 && rnd() < 0.25;
      const payableFen = voucher ? Math.max(0, amountFen - 1000) : amountFen;
      const refundFen = cancelled ? payableFen : 0;
      bookings.push({
        _id: id,
        venueId: v.id,
        district: v.district,
        sport,
        day,
        hour,
        weekday,
        month: day.slice(0, 7),
        quantity,
        amountFen,
        confirmed: true,
        cancelled,
        expired: false,
        used,
        noShow,
        refundFen,
        ...(amountFen > 0 ? { orderId: `o${id.slice(1)}`, paidFen: payableFen, subsidyFen: amountFen - payableFen } : {}),
      });
      if (amountFen > 0) {
        orders++;
        orderDocs.push({
          _id: `o${id.slice(1)}`,
          kind: 'booking',
          refId: id,
          paid: true,
          amountFen,
          payableFen,
          month: day.slice(0, 7),
          district: v.district,
          sport,
          vouchers: voucher ? [`v${id.slice(1)}`] : [],
          refunds: cancelled ? { [`order_refunded:o${id.slice(1)}`]: refundFen } : {},
        });
      }
      if (used) {
        participation += 2;
        parts.push({ _id: `booking.used:${id}`, domain: 'venue', district: v.district, month: day.slice(0, 7) });
        parts.push({ _id: `ticket.admitted:${id}`, domain: 'gate', district: v.district, month: day.slice(0, 7) });
      }
    }
    opts.onFacts?.({ bookings, orders: orderDocs, participation: parts });
    await inFlight;
    opts.log?.(`${done} / ${opts.bookings} bookings`);
    inFlight = Promise.all([
      db.collection('dc_booking_facts').insertMany(bookings as never[], { ordered: false }),
      orderDocs.length ? db.collection('dc_order_facts').insertMany(orderDocs as never[], { ordered: false }) : null,
      parts.length ? db.collection('dc_participation_facts').insertMany(parts as never[], { ordered: false }) : null,
    ]);
  }
  await inFlight;
  opts.log?.(`${opts.bookings} / ${opts.bookings} bookings`);
  return { bookings: opts.bookings, orders, participation };
}
