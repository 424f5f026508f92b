import mongoose, { Types } from 'mongoose';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import type { WechatRefund } from '../../platform/wechatpay';
import { Order, Refund, type OrderDoc, type RefundDoc, type RefundOwed } from './payment.model';
import { MAX_REFUNDS_PER_ORDER, QUERY_AFTER_MS, REFUND_WINDOW_MS, type PaymentContext } from './payment.context';

/** The effects owner of an order's refund reservation (kernel effects: recorded in the reserving update). */
export const REFUND_EFFECTS = 'payment.order';

/**
 * Refunds: a guarded reservation on the order records what it owes (`refundsOwed`, `pending:
 * ['refunds']`, one update); the refund record is then created and sent to WeChat; the kernel's
 * sweeper finishes a reservation a crash left. Whole refunds of a domain's order go through the
 * domain (onRefundRequested), which ends what was bought and calls back through the port.
 */
export function createRefunds(
  ctx: PaymentContext,
  findOwned: (userId: string, orderId: string) => Promise<OrderDoc>,
  /** an invoice of the order is reversed (红冲) after a refund; the order's invoiceCheck flag makes it crash-safe */
  afterRefund: (orderId: Types.ObjectId) => Promise<void>,
) {
  const { deps } = ctx;
  const { clock, wechatPay, kernel } = deps;

  kernel.effects.define<OrderDoc & { refundsOwed?: RefundOwed[] }>(REFUND_EFFECTS, {
    collection: 'orders',
    steps: {
      refunds: async (doc) => {
        for (const owed of doc.refundsOwed ?? []) {
          await createRecord(doc, owed);
          kernel.crashPoint('payment.refund:created');
          await send(doc, owed);
          await Order.collection.updateOne({ _id: doc._id }, { $pull: { refundsOwed: { refundId: owed.refundId } } } as never);
        }
        // a refund reserved meanwhile is owed too: keep the step pending (its own call or the sweeper makes it),
        // or a crash of that call would leave it owed with nothing pending
        if (await Order.collection.countDocuments({ _id: doc._id, 'refundsOwed.0': { $exists: true } } as never))
          throw new Error('refunds were reserved meanwhile; the sweeper finishes them');
      },
    },
  });

  async function createRecord(o: OrderDoc, owed: RefundOwed) {
    const refund: RefundDoc = {
      _id: owed.refundId,
      orderId: o._id,
      amountFen: owed.amountFen,
      reason: owed.reason,
      status: 'processing',
      wechatRefundId: null,
      requestedBy: owed.requestedBy,
      createdAt: owed.at,
      successAt: null,
      nextQueryAt: new Date(owed.at.getTime() + QUERY_AFTER_MS),
      queryCount: 0,
    };
    try {
      await Refund.collection.insertOne(refund as never);
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err; // made before a crash: the sweeper goes on from here
    }
  }

  /** Asks WeChat for the refund (the same out_refund_no on every retry) and stores what it answers. */
  async function requestAtWechat(o: OrderDoc, refundId: string, reason: string, amountFen: number) {
    const r = await wechatPay.refund({
      outTradeNo: o.outTradeNo,
      outRefundNo: refundId,
      reason,
      notifyUrl: `${deps.notifyBase}/payments/wechat/refund-notify`,
      refundFen: amountFen,
      totalFen: o.payableFen,
    });
    await applyRefundState(refundId, r.status, r.refund_id, r.success_time);
  }

  async function send(o: OrderDoc, owed: RefundOwed) {
    if (o.payableFen === 0 || o.transactionId === null) {
      await applyRefundState(owed.refundId, 'SUCCESS', null, clock.now().toISOString()); // nothing went through WeChat
      return;
    }
    try {
      await requestAtWechat(o, owed.refundId, owed.reason, owed.amountFen);
    } catch (err) {
      if (kernel.isInjectedCrash(err)) throw err;
      // the refund stays processing; the refund query job asks WeChat again (out_refund_no is idempotent there)
      deps.logger.warn({ err, refundId: owed.refundId }, 'refund request failed; will retry');
    }
  }

  /** An order vouchers paid in full has no money to return: the voucher goes back instead. */
  async function refundFullyCovered(o: OrderDoc, reason: string, requestedBy: string): Promise<RefundDoc> {
    const now = clock.now();
    const refund: RefundDoc = {
      _id: `RF${new Types.ObjectId().toHexString()}`,
      orderId: o._id,
      amountFen: 0,
      reason,
      status: 'success',
      wechatRefundId: null,
      requestedBy,
      createdAt: now,
      successAt: now,
      nextQueryAt: now,
      queryCount: 0,
    };
    const won = await Order.updateOne({ _id: o._id, status: 'paid' }, { $set: { status: 'refunded' }, $inc: { refundCount: 1 } });
    if (won.modifiedCount !== 1) throw new AppError('REFUND_NOT_ALLOWED', 'refunded already');
    await Refund.create(refund);
    await deps.vouchers.restore(String(o._id));
    await emit(
      'order.refunded',
      { subject: deps.pseudonym(String(o.ownerId)), orderId: String(o._id), kind: o.kind, refundFen: 0 },
      { eventId: `order.refunded:${refund._id}`, occurredAt: now },
    );
    return refund;
  }

  /** Thrown by a part refund that would now complete the order (a concurrent refund moved `refundedFen`). */
  class WouldCompleteOrder extends Error {}

  async function startRefund(
    orderId: string,
    amountFen: number | undefined,
    reason: string,
    requestedBy: string,
    opts: { partOnly?: boolean; refundId?: string } = {},
  ): Promise<RefundDoc> {
    if (opts.refundId) {
      // a retry of a refund made before a crash (its id comes from the Idempotency-Key): that refund, not another
      const made = await Refund.findById(opts.refundId).lean<RefundDoc>();
      if (made) return made;
      const owing = await Order.collection.findOne({ _id: new Types.ObjectId(orderId), 'refundsOwed.refundId': opts.refundId } as never);
      if (owing) {
        await kernel.effects.finish(REFUND_EFFECTS, owing as unknown as OrderDoc & { _id: unknown; pending?: string[] });
        const finished = await Refund.findById(opts.refundId).lean<RefundDoc>();
        if (finished) return finished;
        throw new AppError('CONFLICT', 'this refund is still being made; please try again');
      }
    }
    const o = await Order.findById(orderId).lean<OrderDoc>();
    if (!o) throw new AppError('NOT_FOUND', 'no such order');
    const now = clock.now();
    if (!['paid', 'refunding', 'partially_refunded'].includes(o.status))
      throw new AppError('REFUND_NOT_ALLOWED', `a ${o.status} order cannot be refunded`);
    if (o.payableFen === 0 && amountFen === undefined) return refundFullyCovered(o, reason, requestedBy);
    const amount = amountFen ?? o.payableFen - o.refundedFen;
    if (amount <= 0 || amount > o.payableFen - o.refundedFen)
      throw new AppError('REFUND_NOT_ALLOWED', 'refund exceeds what is left to refund');
    if (o.refundCount >= MAX_REFUNDS_PER_ORDER) throw new AppError('REFUND_NOT_ALLOWED', 'WeChat allows at most 50 refunds per order');
    if (o.paidAt && now.getTime() - o.paidAt.getTime() > REFUND_WINDOW_MS)
      throw new AppError('REFUND_NOT_ALLOWED', 'WeChat refunds only within a year of payment');
    const refundId = opts.refundId ?? `RF${new Types.ObjectId().toHexString()}`;
    const owed: RefundOwed = { refundId, amountFen: amount, reason, requestedBy, at: now };
    // one guarded update reserves the amount and records what it owes, so concurrent refunds never
    // exceed the payment and a crash before the refund exists leaves a trace the sweeper finishes
    // a part refund must leave something: one that would complete the order is a whole refund,
    // and those of a domain's order go through the domain (checked here, in the guard, not on a read)
    const reserved = await Order.collection.findOneAndUpdate(
      {
        _id: o._id,
        status: { $in: ['paid', 'refunding', 'partially_refunded'] },
        refundedFen: opts.partOnly ? { $lt: o.payableFen - amount } : { $lte: o.payableFen - amount },
        refundCount: { $lt: MAX_REFUNDS_PER_ORDER },
        'refundsOwed.refundId': { $ne: refundId },
      },
      {
        $inc: { refundedFen: amount, refundCount: 1 },
        $set: { status: 'refunding', pendingSince: now, invoiceCheck: true },
        $addToSet: { pending: 'refunds' },
        $push: { refundsOwed: owed },
      } as never,
      { returnDocument: 'after' },
    );
    if (!reserved) {
      if (opts.partOnly && (await Order.exists({ _id: o._id, refundedFen: o.payableFen - amount }))) throw new WouldCompleteOrder();
      throw new AppError('REFUND_NOT_ALLOWED', 'refund exceeds what is left to refund');
    }
    kernel.crashPoint('payment.refund:reserved');
    await kernel.effects.finish(REFUND_EFFECTS, reserved as unknown as OrderDoc & { _id: unknown; pending?: string[] });
    await afterRefund(o._id);
    const made = await Refund.findById(owed.refundId).lean<RefundDoc>();
    if (made) return made;
    // the record could not be written now (the sweeper makes it): answer what is owed
    return {
      ...owed,
      _id: owed.refundId,
      orderId: o._id,
      status: 'processing',
      wechatRefundId: null,
      createdAt: now,
      successAt: null,
      nextQueryAt: now,
      queryCount: 0,
    };
  }

  /** A domain's part refund (a cancelled part of a booking): refused, never turned whole, when it would complete the order. */
  async function startPartRefund(orderId: string, amountFen: number, reason: string, requestedBy: string, refundId?: string) {
    try {
      return await startRefund(orderId, amountFen, reason, requestedBy, { partOnly: true, refundId });
    } catch (err) {
      if (err instanceof WouldCompleteOrder)
        throw new AppError('REFUND_NOT_ALLOWED', 'a part refund would refund the whole order; that is the whole cancel');
      throw err;
    }
  }

  async function applyRefundState(
    outRefundNo: string,
    status: WechatRefund['status'],
    wechatRefundId: string | null,
    successTime?: string,
  ) {
    const now = clock.now();
    const to = ({ SUCCESS: 'success', CLOSED: 'closed', ABNORMAL: 'abnormal', PROCESSING: 'processing' } as const)[status];
    if (!to || to === 'processing') return;
    const won = await Refund.findOneAndUpdate(
      { _id: outRefundNo, status: mongoose.trusted({ $in: ['processing', 'abnormal'] }) },
      { $set: { status: to, wechatRefundId, successAt: to === 'success' ? (successTime ? new Date(successTime) : now) : null } },
      { new: true },
    ).lean<RefundDoc>();
    if (!won) return;
    if (to === 'closed') {
      // WeChat gave up on it: the amount is refundable again
      await Order.updateOne({ _id: won.orderId }, { $inc: { refundedFen: -won.amountFen } });
    }
    await settleOrderRefundState(won.orderId);
    if (to === 'success') {
      const o = (await Order.findById(won.orderId).lean<OrderDoc>())!;
      await emit(
        'order.refunded',
        { subject: deps.pseudonym(String(o.ownerId)), orderId: String(o._id), kind: o.kind, refundFen: won.amountFen },
        { eventId: `order.refunded:${won._id}`, occurredAt: now },
      );
    }
  }

  async function settleOrderRefundState(orderId: Types.ObjectId) {
    const o = await Order.findById(orderId).lean<OrderDoc>();
    if (!o) return;
    const open = await Refund.countDocuments({ orderId, status: mongoose.trusted({ $in: ['processing', 'abnormal'] }) });
    const status = open > 0 ? 'refunding' : o.refundedFen >= o.payableFen ? 'refunded' : o.refundedFen > 0 ? 'partially_refunded' : 'paid';
    const moved = await Order.updateOne(
      { _id: orderId, status: mongoose.trusted({ $in: ['paid', 'refunding', 'partially_refunded', 'refunded'] }) },
      { $set: { status } },
    );
    // the rule the pay page states: a full refund gives the voucher back (a partial one does not)
    if (moved.matchedCount === 1 && status === 'refunded') await deps.vouchers.restore(String(orderId));
  }

  /** Refunds WeChat has not settled (PROCESSING, ABNORMAL) are asked about again; CLOSED frees the amount. */
  async function reconcileRefunds(): Promise<number> {
    const now = clock.now();
    const due = await Refund.find({
      status: mongoose.trusted({ $in: ['processing', 'abnormal'] }),
      nextQueryAt: mongoose.trusted({ $lte: now }),
    })
      .limit(200)
      .lean<RefundDoc[]>();
    for (const r of due) {
      await Refund.updateOne({ _id: r._id }, { $set: { nextQueryAt: ctx.backoff(r.queryCount + 1) }, $inc: { queryCount: 1 } });
      try {
        const remote = await wechatPay.queryRefund(r._id);
        if (!remote) {
          const o = await Order.findById(r.orderId).lean<OrderDoc>();
          if (o) {
            await requestAtWechat(o, r._id, r.reason, r.amountFen);
          }
        } else await applyRefundState(r._id, remote.status, remote.refund_id, remote.success_time);
      } catch (err) {
        deps.logger.warn({ err, refundId: r._id }, 'refund query failed; will retry');
      }
    }
    return due.length;
  }

  async function latestRefund(orderId: string) {
    return Refund.findOne({ orderId }).sort({ createdAt: -1 }).lean<RefundDoc>();
  }

  /**
   * A refund asked for over HTTP. A whole refund of an order a domain sold goes through the domain
   * (owner or admin: the booking is cancelled, its tickets revoked); admins alone refund parts.
   */
  async function requestRefund(
    actor: { userId: string; isAdmin: boolean },
    orderId: string,
    input: { amountFen?: number; reason: string },
    opts: { refundId?: string } = {},
  ) {
    for (let attempt = 0; ; attempt++) {
      const o = actor.isAdmin ? await Order.findById(orderId).lean<OrderDoc>() : await findOwned(actor.userId, orderId);
      if (!o) throw new AppError('NOT_FOUND', 'no such order');
      const whole = input.amountFen === undefined || input.amountFen === o.payableFen - o.refundedFen;
      const handler = ctx.handlers.get(o.kind);
      if (whole && handler)
        await handler.onRefundRequested({
          orderId,
          refId: o.refId,
          ownerId: String(o.ownerId),
          actorId: actor.userId,
          byAdmin: actor.isAdmin,
          reason: input.reason,
        });
      else if (actor.isAdmin) {
        try {
          await startRefund(orderId, input.amountFen, input.reason, actor.userId, { partOnly: !!handler, refundId: opts.refundId });
        } catch (err) {
          // a concurrent part refund made this one the last: it is a whole refund now, through the domain
          if (err instanceof WouldCompleteOrder && attempt < 3) continue;
          if (err instanceof WouldCompleteOrder) throw new AppError('CONFLICT', 'the order changed meanwhile; please try again');
          throw err;
        }
      } else throw new AppError('REFUND_NOT_ALLOWED', 'this order is refunded by cancelling what it paid for');
      break;
    }
    const r = await latestRefund(orderId);
    return { refund: r ? { id: r._id, status: r.status, amountFen: r.amountFen } : null };
  }

  return { startRefund, startPartRefund, applyRefundState, reconcileRefunds, latestRefund, requestRefund };
}
