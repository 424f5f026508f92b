import mongoose, { type Types } from 'mongoose';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import type { WechatTransaction } from '../../platform/wechatpay';
import { Order, WechatTransactionClaim, type OrderDoc } from './payment.model';
import { expectedFen, type PaidResult, type PaidSource, type PaymentContext } from './payment.context';

/** Marking orders paid: the one place every path (notification, query job, reconciliation, close) goes through. */
export function createPaid(ctx: PaymentContext) {
  const { deps } = ctx;
  const { clock } = deps;

  /**
   * A payment of another amount than the one WeChat was asked for is never applied: it is stored
   * on the order (admins see it at /admin/payments/flagged) and logged, once per order.
   */
  async function flagMismatch(o: OrderDoc, tx: WechatTransaction, source: PaidSource): Promise<'mismatch'> {
    const flag = {
      wechatFen: tx.amount?.total ?? -1,
      expectedFen: expectedFen(o),
      transactionId: tx.transaction_id ?? null,
      source,
      at: clock.now(),
    };
    await Order.updateOne({ _id: o._id, amountMismatch: null }, { $set: { amountMismatch: flag } });
    deps.logger.error({ orderId: String(o._id), ...flag }, 'WeChat payment amount does not match the order; flagged, not applied');
    return 'mismatch';
  }

  /**
   * Applies a payment once: checks the amount, claims the transaction id, moves the order to paid
   * with a guarded transition, then tells the domain. A payment for an order already closed (its
   * place given away) is applied too — the money arrived — and refunded when the domain refuses it.
   */
  async function applyPaid(o: OrderDoc, tx: WechatTransaction | null, source: PaidSource): Promise<PaidResult> {
    const now = clock.now();
    if (tx && tx.amount?.total !== expectedFen(o)) return flagMismatch(o, tx, source);
    if (tx?.transaction_id) {
      try {
        await WechatTransactionClaim.create({ _id: tx.transaction_id, orderId: o._id, at: now });
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        const claim = await WechatTransactionClaim.findById(tx.transaction_id).lean();
        if (String(claim?.orderId) !== String(o._id)) throw new AppError('CONFLICT', 'transaction already paid another order');
      }
    }
    const won = await Order.findOneAndUpdate(
      { _id: o._id, status: mongoose.trusted({ $in: ['pending', 'closed'] }) },
      { $set: { status: 'paid', paidAt: tx?.success_time ? new Date(tx.success_time) : now, transactionId: tx?.transaction_id ?? null } },
      { new: true },
    ).lean<OrderDoc>();
    if (!won) {
      await tellDomain(o._id); // a redelivery after a crash still reaches the domain once
      return 'duplicate';
    }
    // an order without a voucher has none to spend: skip the read (issue 18, round trips)
    if (won.voucherId) await deps.vouchers.consume(String(won._id));
    await emit(
      'order.paid',
      {
        subject: deps.pseudonym(String(won.ownerId)),
        orderId: String(won._id),
        kind: won.kind,
        refId: String(won.refId),
        amountFen: won.amountFen,
        payableFen: won.payableFen,
      },
      { eventId: `order.paid:${won._id}`, occurredAt: now },
    );
    await tellDomain(won._id, won); // the guarded update returned the order as it is now: no second read
    return 'applied';
  }

  async function tellDomain(orderId: Types.ObjectId, current?: OrderDoc) {
    const o = current ?? (await Order.findById(orderId).lean<OrderDoc>());
    if (!o || o.domainNotifiedAt || o.status === 'pending' || o.status === 'closed') return;
    const handler = ctx.handlers.get(o.kind);
    const outcome = handler ? await handler.onPaid({ orderId: String(o._id), refId: o.refId, paidFen: o.payableFen }) : 'rejected';
    const marked = await Order.updateOne({ _id: o._id, domainNotifiedAt: null }, { $set: { domainNotifiedAt: clock.now() } });
    if (marked.modifiedCount === 1 && outcome === 'rejected') {
      await Order.updateOne({ _id: o._id }, { $set: { note: '订单已超时关闭，款项将原路退回' } });
      await ctx.startRefund(String(o._id), undefined, '订单已超时关闭，款项原路退回', 'system');
      await deps.notify(String(o.ownerId), 'payment_refunded', {
        thing1: o.description.slice(0, 20),
        thing2: '订单超时关闭，款项原路退回',
      });
    }
  }

  /** For reconciliation: ask WeChat about an order and apply its payment if WeChat has it (amount checked). */
  async function applyPaidByQuery(o: OrderDoc): Promise<PaidResult | 'not_paid'> {
    const tx = await deps.wechatPay.query(o.outTradeNo);
    if (tx?.trade_state !== 'SUCCESS' && tx?.trade_state !== 'REFUND') return 'not_paid';
    return applyPaid(o, tx, 'reconciliation');
  }

  /** Orders whose payment amount did not match, newest first (admins resolve them by hand). */
  async function flagged(limit = 100) {
    const rows = await Order.find({ amountMismatch: mongoose.trusted({ $ne: null }) })
      .sort({ 'amountMismatch.at': -1 })
      .limit(limit)
      .lean<OrderDoc[]>();
    return rows.map((o) => ({
      orderId: String(o._id),
      outTradeNo: o.outTradeNo,
      status: o.status,
      wechatFen: o.amountMismatch!.wechatFen,
      expectedFen: o.amountMismatch!.expectedFen,
      transactionId: o.amountMismatch!.transactionId,
      source: o.amountMismatch!.source,
      at: o.amountMismatch!.at.toISOString(),
    }));
  }

  return { applyPaid, tellDomain, applyPaidByQuery, flagged };
}
