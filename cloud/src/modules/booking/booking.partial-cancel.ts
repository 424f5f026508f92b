import { Types } from 'mongoose';
import type { CancelQuote } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { withTimeout } from '../../platform/jobs';
import { SLOT_CAPACITY } from '../venue';
import type { BookingDoc, PartialCancel } from './booking.model';
import type { BookingDeps, BookingStep } from './booking.context';

/**
 * One cancel flow (issue 10): the quote the page shows before cancelling (refund after vouchers,
 * the voucher's fate, when the money arrives) and cancelling part of a multi-slot booking (the
 * slots at its start or its end). A part's places go back through the kernel's exactly-once
 * give-back (the booking is the holder), its refund goes through the payment module with an id
 * of its own, and refunds are pro rata of what was paid, cumulated so that every part refund
 * and the final one add up to the payment exactly, to the fen.
 */
export const REFUND_ARRIVES_ZH = '1–3 个工作日内原路退回（微信零钱即时到账，银行卡以银行为准）';

/** cumulated refund after `cancelledListFen` of `listFen` was cancelled: floor of the pro-rata share */
export const proRata = (paidFen: number, cancelledListFen: number, listFen: number) =>
  listFen === 0 ? 0 : Math.floor((paidFen * cancelledListFen) / listFen);

export function partialCancelSteps(
  deps: BookingDeps,
): Record<'partial.capacity' | 'partial.refund' | 'partial.tickets', (b: BookingDoc) => Promise<void>> {
  const { kernel, payments } = deps;
  return {
    // every part's places, each exactly once per (slot, booking): repeating is harmless
    'partial.capacity': async (b) => {
      for (const p of b.partials ?? [])
        await kernel.capacity.giveBackAll(
          p.slotIds.map((id) => ({ kind: SLOT_CAPACITY, id, n: b.quantity })),
          { holder: String(b._id) },
        );
    },
    'partial.refund': async (b) => {
      if (!b.orderId) return;
      for (const p of b.partials ?? []) {
        if (p.refundFen <= 0) continue;
        try {
          // a part refund: never the order's last fen (that is the whole cancel's, through the domain)
          await withTimeout(
            payments.refundOrder(b.orderId, { amountFen: p.refundFen, reason: '取消部分时段', refundId: p.refundId, partOnly: true }),
            10_000,
            'part refund',
          );
        } catch (err) {
          // another refund (an admin's, racing this part) took what was left for it: nothing to start, and
          // retrying for ever cannot change that; the whole cancel refunds whatever is left, to the fen
          if (err instanceof AppError && err.code === 'REFUND_NOT_ALLOWED') {
            deps.kernel.logger.warn({ bookingId: String(b._id), refundId: p.refundId }, 'part refund refused: refunded meanwhile');
            continue;
          }
          throw err;
        }
      }
    },
    'partial.tickets': (b) => deps.tickets.retime({ kind: 'booking', id: String(b._id) }, b.startAt, b.endAt),
  };
}

export function createPartialCancel(
  deps: BookingDeps,
  core: {
    findOwned: (userId: string, bookingId: string) => Promise<BookingDoc>;
    transition: (filter: Record<string, unknown>, set: Record<string, unknown>, steps: BookingStep[]) => Promise<BookingDoc | null>;
  },
) {
  const { kernel, venues, payments } = deps;

  /** the slots kept and cancelled, or why not: a part is a run at the start or the end, and something stays */
  async function split(b: BookingDoc, slotIds: string[]) {
    const ids = b.slotIds.map(String);
    const wanted = new Set(slotIds);
    if (wanted.size !== slotIds.length || slotIds.some((id) => !ids.includes(id)))
      throw new AppError('PARTIAL_CANCEL_INVALID', 'name slots of this booking, once each', { slotIds });
    if (wanted.size >= ids.length) return null; // all of it: the whole cancel
    const mask = ids.map((id) => wanted.has(id));
    const prefix = mask.every((m, i) => m === i < wanted.size);
    const suffix = mask.every((m, i) => m === i >= ids.length - wanted.size);
    if (!prefix && !suffix) throw new AppError('PARTIAL_CANCEL_INVALID', 'a part must be at the start or the end of the booking');
    const { slots } = await venues.slotsForBooking(ids);
    const byId = new Map(slots.map((s) => [s.id, s]));
    const kept = ids.filter((id) => !wanted.has(id)).map((id) => byId.get(id)!);
    const cut = ids.filter((id) => wanted.has(id)).map((id) => byId.get(id)!);
    if (kept.some((s) => !s) || cut.some((s) => !s)) throw new AppError('SLOT_NOT_FOUND', 'a slot of this booking is gone');
    return { kept, cut, listFen: cut.reduce((sum, s) => sum + s.priceFen, 0) * b.quantity };
  }

  async function money(b: BookingDoc) {
    const m = b.orderId && payments.orderMoney ? await payments.orderMoney(b.orderId) : null;
    return { paidFen: m?.payableFen ?? 0, refundedFen: m?.refundedFen ?? 0, voucherUsed: m?.voucherUsed ?? false };
  }

  /** What cancelling (all, or the named slots) gives back, before the user confirms. */
  async function quote(userId: string, bookingId: string, slotIds?: string[]): Promise<CancelQuote> {
    const b = await core.findOwned(userId, bookingId);
    const m = await money(b);
    const paid = b.status === 'confirmed' && b.orderId !== null;
    const part = slotIds ? await split(b, slotIds) : null;
    if (!part) {
      return {
        refundFen: paid ? m.paidFen - m.refundedFen : 0,
        paidFen: paid ? m.paidFen : 0,
        voucher: m.voucherUsed ? 'returned' : 'none',
        arrives: paid ? REFUND_ARRIVES_ZH : b.status === 'held' ? '订单未支付，无需退款' : '免费预订，无需退款',
        partial: false,
      };
    }
    const base = b.originalAmountFen ?? b.amountFen;
    const before = (b.partials ?? []).reduce((sum, p) => sum + p.listFen, 0);
    const share = proRata(m.paidFen, before + part.listFen, base) - proRata(m.paidFen, before, base);
    // never more than is left less the pro-rata share of what stays booked (at least a fen): a part
    // refund must leave the order something, or an earlier refund (an admin's part refund) would make
    // the parts add up beyond the payment: refused at WeChat's side of the ledger, the step stuck for ever
    const kept = Math.max(1, m.paidFen - proRata(m.paidFen, before + part.listFen, base));
    const refundFen = paid ? Math.max(0, Math.min(share, m.paidFen - m.refundedFen - kept)) : 0;
    return {
      refundFen,
      paidFen: paid ? m.paidFen : 0,
      voucher: m.voucherUsed ? 'kept_used' : 'none',
      arrives: paid && refundFen > 0 ? REFUND_ARRIVES_ZH : '无需退款',
      partial: true,
    };
  }

  /**
   * Cancels the named slots of a confirmed booking; null when they are all of it (the caller
   * cancels the whole booking). One guarded transition on the booking's exact current slots
   * records the part and what it owes; the steps then give the places back, refund and retime.
   */
  async function cancelPart(userId: string, bookingId: string, slotIds: string[]): Promise<BookingDoc | null> {
    const b = await core.findOwned(userId, bookingId);
    if (b.status !== 'confirmed')
      throw new AppError(
        'PARTIAL_CANCEL_INVALID',
        b.status === 'held' ? 'pay or cancel the whole booking first' : `a ${b.status} booking cannot be changed`,
      );
    const now = kernel.clock.now();
    if (now > b.cancelDeadline)
      throw new AppError('CANCEL_WINDOW_CLOSED', 'free cancellation has ended', { cancelDeadline: b.cancelDeadline.toISOString() });
    const part = await split(b, slotIds);
    if (!part) return null;
    const q = await quote(userId, bookingId, slotIds);
    const entry: PartialCancel = {
      refundId: `RF${new Types.ObjectId().toHexString()}`,
      slotIds: part.cut.map((s) => new Types.ObjectId(s.id)),
      listFen: part.listFen,
      refundFen: q.refundFen,
      at: now,
    };
    const first = part.kept[0];
    const last = part.kept[part.kept.length - 1];
    const won = await core.transition(
      { _id: b._id, status: 'confirmed', slotIds: b.slotIds },
      {
        slotIds: part.kept.map((s) => new Types.ObjectId(s.id)),
        slotCapacities: part.kept.map((s) => s.capacity),
        startAt: first.startAt,
        endAt: last.endAt,
        checkInDeadline: new Date(first.startAt.getTime() + (b.checkInDeadline.getTime() - b.startAt.getTime())),
        amountFen: b.amountFen - part.listFen,
        originalAmountFen: b.originalAmountFen ?? b.amountFen,
        partials: [...(b.partials ?? []), entry],
      },
      ['partial.capacity', 'partial.refund', 'partial.tickets'],
    );
    if (!won) throw new AppError('CONFLICT', 'the booking changed meanwhile; please look again');
    return won;
  }

  return { quote, cancelPart };
}
