import { Types } from 'mongoose';
import mongoose from 'mongoose';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { Pseudonymizer } from '../../platform/pseudonym';
import {
  WechatPaySignatureError,
  type SignedMessage,
  type WechatPay,
  type WechatRefund,
  type WechatTransaction,
} from '../../platform/wechatpay';
import type { NewOrder, OrderKind, OrderKindHandlers, PaymentPort } from './payment.port';
import { Order, Refund, SeenNotification, WechatTransactionClaim, type OrderDoc, type RefundDoc } from './payment.model';
import type { VoucherService } from './voucher.service';

export interface PaymentDeps {
  clock: Clock;
  logger: Logger;
  wechatPay: WechatPay;
  pseudonym: Pseudonymizer;
  openidOf: (userId: string) => Promise<string | null>;
  /** public base of this API, for notify_url (e.g. https://api.example.com/api/v1) */
  notifyBase: string;
  notify: (userId: string, templateId: string, data: Record<string, string>) => Promise<void>;
  vouchers: VoucherService;
  venueNames: (venueIds: string[]) => Promise<Map<string, string>>;
}

const MAX_REFUNDS_PER_ORDER = 50; // WeChat's limit
const REFUND_WINDOW_MS = 365 * 24 * 3600_000; // WeChat refunds within one year of payment
const QUERY_AFTER_MS = 60_000;

export function orderDto(o: OrderDoc) {
  return {
    id: String(o._id),
    kind: o.kind,
    amountFen: o.amountFen,
    payableFen: o.payableFen,
    discountFen: o.discountFen ?? 0,
    voucherId: o.voucherId ? String(o.voucherId) : null,
    status: o.status,
    items: o.items,
    description: o.description,
    expiresAt: o.expiresAt.toISOString(),
    paidAt: o.paidAt ? o.paidAt.toISOString() : null,
    refundedFen: o.refundedFen,
    note: o.note,
    createdAt: o.createdAt.toISOString(),
  };
}

export function createPaymentService(deps: PaymentDeps) {
  const { clock, wechatPay } = deps;
  const handlers = new Map<OrderKind, OrderKindHandlers>();

  function backoff(count: number): Date {
    return new Date(clock.now().getTime() + Math.min(2 ** count * 60_000, 30 * 60_000));
  }

  // ---------- the port domains use ----------
  const port: PaymentPort = {
    async createOrder(input: NewOrder) {
      const _id = new Types.ObjectId();
      const now = clock.now();
      const doc: OrderDoc = {
        _id,
        kind: input.kind,
        ownerId: new Types.ObjectId(input.ownerId),
        refId: input.refId,
        description: input.description.slice(0, 120),
        items: input.items,
        amountFen: input.amountFen,
        payableFen: input.amountFen,
        discountFen: 0,
        voucherId: null,
        tags: input.tags ?? {},
        status: 'pending',
        outTradeNo: `CS${_id.toHexString()}`,
        prepayId: null,
        transactionId: null,
        expiresAt: input.expiresAt,
        createdAt: now,
        paidAt: null,
        closedAt: null,
        closeReason: null,
        domainNotifiedAt: null,
        refundedFen: 0,
        refundCount: 0,
        nextQueryAt: new Date(now.getTime() + QUERY_AFTER_MS),
        queryCount: 0,
        note: null,
      };
      await Order.collection.insertOne(doc); // built and typed above: orders are made on the booking hot path
      return { orderId: String(_id) };
    },
    async closeOrder(orderId, reason) {
      await closeOrder(orderId, reason);
    },
    async refundOrder(orderId, input) {
      await startRefund(orderId, input.amountFen, input.reason, 'domain');
    },
    registerKind(kind, h) {
      handlers.set(kind, h);
    },
  };

  async function findOwned(userId: string, orderId: string): Promise<OrderDoc> {
    const o = await Order.findOne({ _id: orderId, ownerId: userId }).lean<OrderDoc>();
    if (!o) throw new AppError('NOT_FOUND', 'no such order');
    return o;
  }

  // ---------- paying ----------
  /** Locks a voucher to the order and lowers what WeChat will be asked for; not once WeChat has the order. */
  async function applyVoucher(userId: string, o: OrderDoc, voucherId: string): Promise<OrderDoc> {
    if (o.voucherId && String(o.voucherId) === voucherId) return o;
    if (o.prepayId) throw new AppError('VOUCHER_NOT_APPLICABLE', 'this order was already sent to WeChat Pay without that voucher');
    if (o.voucherId) await deps.vouchers.release(String(o._id));
    const discount = await deps.vouchers.lockFor(userId, voucherId, {
      id: String(o._id),
      amountFen: o.amountFen,
      sport: o.tags?.sport,
      venueId: o.tags?.venueId,
    });
    const updated = await Order.findOneAndUpdate(
      { _id: o._id, status: 'pending', prepayId: null },
      { $set: { voucherId: new Types.ObjectId(voucherId), discountFen: discount, payableFen: o.amountFen - discount } },
      { new: true },
    ).lean<OrderDoc>();
    if (!updated) {
      await deps.vouchers.release(String(o._id));
      throw new AppError('ORDER_NOT_PAYABLE', 'the order changed meanwhile');
    }
    return updated;
  }

  /** `voucherIds: []` takes a voucher off an order not yet sent to WeChat. */
  async function removeVoucher(o: OrderDoc): Promise<OrderDoc> {
    if (!o.voucherId) return o;
    if (o.prepayId) throw new AppError('VOUCHER_NOT_APPLICABLE', 'this order was already sent to WeChat Pay with its voucher');
    const updated = await Order.findOneAndUpdate(
      { _id: o._id, status: 'pending', prepayId: null, voucherId: o.voucherId },
      { $set: { voucherId: null, discountFen: 0, payableFen: o.amountFen } },
      { new: true },
    ).lean<OrderDoc>();
    if (!updated) throw new AppError('ORDER_NOT_PAYABLE', 'the order changed meanwhile');
    await deps.vouchers.release(String(o._id));
    return updated;
  }

  async function pay(userId: string, orderId: string, voucherIds?: string[]) {
    let o = await findOwned(userId, orderId);
    const now = clock.now();
    if (o.status !== 'pending') throw new AppError('ORDER_NOT_PAYABLE', `a ${o.status} order cannot be paid`);
    if (o.expiresAt <= now) throw new AppError('ORDER_EXPIRED', 'the order has expired');
    if (voucherIds?.length) o = await applyVoucher(userId, o, voucherIds[0]);
    else if (voucherIds) o = await removeVoucher(o);
    if (o.payableFen === 0) {
      await applyPaid(o, null);
      return { order: orderDto((await Order.findById(o._id).lean<OrderDoc>())!) };
    }
    const openid = await deps.openidOf(userId);
    if (!openid) throw new AppError('USER_NOT_FOUND', 'no WeChat identity for this user');
    const { prepayId, payParams } = await wechatPay.jsapi({
      description: o.description,
      outTradeNo: o.outTradeNo,
      timeExpire: o.expiresAt,
      notifyUrl: `${deps.notifyBase}/payments/wechat/notify`,
      totalFen: o.payableFen,
      openid,
    });
    await Order.updateOne({ _id: o._id, status: 'pending' }, { $set: { prepayId } });
    const { appId: _appId, ...params } = payParams;
    return { payParams: params, prepayId };
  }

  /**
   * Applies a payment once: claims the transaction id, moves the order to paid with a guarded
   * transition, then tells the domain. A payment for an order already closed (its place given
   * away) is applied too — the money arrived — and refunded at once when the domain refuses it.
   */
  async function applyPaid(o: OrderDoc, tx: WechatTransaction | null): Promise<'applied' | 'duplicate'> {
    const now = clock.now();
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
    await deps.vouchers.consume(String(won._id));
    await emit(
      'order.paid',
      {
        subject: deps.pseudonym(String(won.ownerId)),
        orderId: String(won._id),
        kind: won.kind,
        amountFen: won.amountFen,
        payableFen: won.payableFen,
      },
      { eventId: `order.paid:${won._id}`, occurredAt: now },
    );
    await tellDomain(won._id);
    return 'applied';
  }

  async function tellDomain(orderId: Types.ObjectId) {
    const o = await Order.findById(orderId).lean<OrderDoc>();
    if (!o || o.domainNotifiedAt || o.status === 'pending' || o.status === 'closed') return;
    const handler = handlers.get(o.kind);
    const outcome = handler ? await handler.onPaid({ orderId: String(o._id), refId: o.refId }) : 'rejected';
    const marked = await Order.updateOne({ _id: o._id, domainNotifiedAt: null }, { $set: { domainNotifiedAt: clock.now() } });
    if (marked.modifiedCount === 1 && outcome === 'rejected') {
      await Order.updateOne({ _id: o._id }, { $set: { note: '订单已超时关闭，款项将原路退回' } });
      await startRefund(String(o._id), undefined, '订单已超时关闭，款项原路退回', 'system');
      await deps.notify(String(o.ownerId), 'payment_refunded', {
        thing1: o.description.slice(0, 20),
        thing2: '订单超时关闭，款项原路退回',
      });
    }
  }

  // ---------- notifications ----------
  async function openVerified<T>(msg: SignedMessage, log: Logger) {
    try {
      const opened = await wechatPay.openNotification<T>(msg);
      try {
        await SeenNotification.create({ _id: `nonce:${msg.nonce}:${msg.timestamp}`, at: clock.now() });
      } catch (err) {
        if ((err as { code?: number }).code === 11000) throw new WechatPaySignatureError('replayed nonce');
        throw err;
      }
      return opened;
    } catch (err) {
      if (err instanceof WechatPaySignatureError) {
        log.warn({ reason: err.message, serial: msg.serial }, 'WeChat Pay notification rejected');
        throw new AppError('UNAUTHENTICATED', `notification rejected: ${err.message}`);
      }
      throw err;
    }
  }

  async function handlePaymentNotification(msg: SignedMessage, log: Logger) {
    const { resource: tx } = await openVerified<WechatTransaction>(msg, log);
    const creds = wechatPay.credentials;
    if (tx.mchid !== creds.mchid || tx.appid !== creds.appid) {
      log.warn({ mchid: tx.mchid, appid: tx.appid }, 'notification for another merchant or app');
      throw new AppError('FORBIDDEN', 'notification for another merchant');
    }
    const o = await Order.findOne({ outTradeNo: tx.out_trade_no }).lean<OrderDoc>();
    if (!o) {
      log.warn({ outTradeNo: tx.out_trade_no }, 'notification for an unknown order');
      throw new AppError('NOT_FOUND', 'unknown order');
    }
    if (tx.amount?.total !== o.payableFen) {
      log.error({ orderId: String(o._id), expected: o.payableFen, got: tx.amount?.total }, 'notification amount does not match the order');
      throw new AppError('VALIDATION_FAILED', 'amount does not match the order');
    }
    if (tx.trade_state !== 'SUCCESS') return; // other states carry no money: acknowledge, change nothing
    await applyPaid(o, tx);
  }

  async function handleRefundNotification(msg: SignedMessage, log: Logger) {
    const { resource } = await openVerified<WechatRefund & { refund_status?: string; mchid?: string }>(msg, log);
    if (resource.mchid && resource.mchid !== wechatPay.credentials.mchid)
      throw new AppError('FORBIDDEN', 'notification for another merchant');
    const status = (resource.refund_status ?? resource.status) as WechatRefund['status'];
    await applyRefundState(resource.out_refund_no, status, resource.refund_id, resource.success_time);
  }

  // ---------- closing ----------
  async function closeOrder(orderId: string, reason: string) {
    const o = await Order.findById(orderId).lean<OrderDoc>();
    if (!o || o.status !== 'pending') return;
    if (o.prepayId) {
      const closed = await wechatPay.close(o.outTradeNo);
      if (!closed) {
        // paid meanwhile: apply it (the domain then decides; a refusal refunds)
        const tx = await wechatPay.query(o.outTradeNo);
        if (tx?.trade_state === 'SUCCESS') await applyPaid(o, tx);
        return;
      }
    }
    const won = await Order.updateOne(
      { _id: o._id, status: 'pending' },
      { $set: { status: 'closed', closedAt: clock.now(), closeReason: reason } },
    );
    if (won.modifiedCount === 1)
      await emit(
        'order.closed',
        { subject: deps.pseudonym(String(o.ownerId)), orderId: String(o._id), kind: o.kind, amountFen: o.amountFen },
        { eventId: `order.closed:${o._id}` },
      );
  }

  /** The no-notification job: query pending orders (backing off), close the expired ones. */
  async function reconcilePending(): Promise<{ paid: number; closed: number }> {
    const now = clock.now();
    const due = await Order.find({ status: 'pending', nextQueryAt: mongoose.trusted({ $lte: now }) })
      .limit(200)
      .lean<OrderDoc[]>();
    let paid = 0;
    let closed = 0;
    for (const o of due) {
      await Order.updateOne({ _id: o._id }, { $set: { nextQueryAt: backoff(o.queryCount + 1) }, $inc: { queryCount: 1 } });
      try {
        if (o.prepayId) {
          const tx = await wechatPay.query(o.outTradeNo);
          if (tx?.trade_state === 'SUCCESS') {
            await applyPaid(o, tx);
            paid++;
            continue;
          }
        }
        if (o.expiresAt <= now) {
          await closeOrder(String(o._id), 'expired');
          closed++;
        }
      } catch (err) {
        deps.logger.warn({ err, orderId: String(o._id) }, 'pending order check failed; will retry');
      }
    }
    // paid orders whose domain was not told (a crash between the two): tell it now
    const untold = await Order.find({
      status: 'paid',
      domainNotifiedAt: null,
      paidAt: mongoose.trusted({ $lte: new Date(now.getTime() - 30_000) }),
    })
      .limit(200)
      .lean<OrderDoc[]>();
    for (const o of untold) await tellDomain(o._id);
    return { paid, closed };
  }

  // ---------- refunds ----------
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

  async function startRefund(orderId: string, amountFen: number | undefined, reason: string, requestedBy: string): Promise<RefundDoc> {
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
    // one guarded update reserves the amount, so concurrent refunds can never exceed the payment
    const reserved = await Order.findOneAndUpdate(
      {
        _id: o._id,
        status: mongoose.trusted({ $in: ['paid', 'refunding', 'partially_refunded'] }),
        refundedFen: mongoose.trusted({ $lte: o.payableFen - amount }),
        refundCount: mongoose.trusted({ $lt: MAX_REFUNDS_PER_ORDER }),
      },
      { $inc: { refundedFen: amount, refundCount: 1 }, $set: { status: 'refunding' } },
      { new: true },
    ).lean<OrderDoc>();
    if (!reserved) throw new AppError('REFUND_NOT_ALLOWED', 'refund exceeds what is left to refund');
    const refund: RefundDoc = {
      _id: `RF${new Types.ObjectId().toHexString()}`,
      orderId: o._id,
      amountFen: amount,
      reason,
      status: 'processing',
      wechatRefundId: null,
      requestedBy,
      createdAt: now,
      successAt: null,
      nextQueryAt: new Date(now.getTime() + QUERY_AFTER_MS),
      queryCount: 0,
    };
    await Refund.create(refund);
    if (o.payableFen > 0 && o.transactionId !== null) {
      try {
        const r = await wechatPay.refund({
          outTradeNo: o.outTradeNo,
          outRefundNo: refund._id,
          reason,
          notifyUrl: `${deps.notifyBase}/payments/wechat/refund-notify`,
          refundFen: amount,
          totalFen: o.payableFen,
        });
        await applyRefundState(refund._id, r.status, r.refund_id, r.success_time);
      } catch (err) {
        // the refund stays processing; the refund query job asks WeChat again (out_refund_no is idempotent there)
        deps.logger.warn({ err, refundId: refund._id }, 'refund request failed; will retry');
      }
    } else {
      await applyRefundState(refund._id, 'SUCCESS', null, now.toISOString()); // nothing went through WeChat (fully covered)
    }
    return (await Refund.findById(refund._id).lean<RefundDoc>())!;
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
    await Order.updateOne(
      { _id: orderId, status: mongoose.trusted({ $in: ['paid', 'refunding', 'partially_refunded', 'refunded'] }) },
      { $set: { status } },
    );
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
      await Refund.updateOne({ _id: r._id }, { $set: { nextQueryAt: backoff(r.queryCount + 1) }, $inc: { queryCount: 1 } });
      try {
        const remote = await wechatPay.queryRefund(r._id);
        if (!remote) {
          const o = await Order.findById(r.orderId).lean<OrderDoc>();
          if (o) {
            const again = await wechatPay.refund({
              outTradeNo: o.outTradeNo,
              outRefundNo: r._id,
              reason: r.reason,
              notifyUrl: `${deps.notifyBase}/payments/wechat/refund-notify`,
              refundFen: r.amountFen,
              totalFen: o.payableFen,
            });
            await applyRefundState(r._id, again.status, again.refund_id, again.success_time);
          }
        } else await applyRefundState(r._id, remote.status, remote.refund_id, remote.success_time);
      } catch (err) {
        deps.logger.warn({ err, refundId: r._id }, 'refund query failed; will retry');
      }
    }
    return due.length;
  }

  async function getOrder(userId: string, orderId: string) {
    return orderDto(await findOwned(userId, orderId));
  }

  async function getOrderForOwner(userId: string, orderId: string) {
    const o = await findOwned(userId, orderId);
    return { kind: o.kind, refId: o.refId };
  }

  async function listMine(userId: string, q: { cursor?: string; limit: number }) {
    if (q.cursor !== undefined && !Types.ObjectId.isValid(q.cursor))
      throw new AppError('VALIDATION_FAILED', 'bad cursor', [{ path: 'cursor', message: 'invalid' }]);
    const filter: Record<string, unknown> = { ownerId: userId };
    if (q.cursor) filter._id = mongoose.trusted({ $lt: new Types.ObjectId(q.cursor) });
    const rows = await Order.find(filter)
      .sort({ _id: -1 })
      .limit(q.limit + 1)
      .lean<OrderDoc[]>();
    const items = rows.slice(0, q.limit).map(orderDto);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null };
  }

  /** The bureau's subsidy per venue: what vouchers paid and what citizens paid, on orders that were paid. */
  async function subsidyReport() {
    const rows = await Order.aggregate<{ _id: string | null; orders: number; subsidisedFen: number; paidFen: number }>([
      { $match: { discountFen: { $gt: 0 }, status: { $in: ['paid', 'refunding', 'partially_refunded'] } } },
      { $group: { _id: '$tags.venueId', orders: { $sum: 1 }, subsidisedFen: { $sum: '$discountFen' }, paidFen: { $sum: '$payableFen' } } },
      { $sort: { subsidisedFen: -1 } },
    ]);
    const names = await deps.venueNames(rows.map((r) => r._id).filter((id): id is string => !!id && Types.ObjectId.isValid(id)));
    return rows.map((r) => ({
      venueId: r._id ?? '',
      venueName: (r._id && names.get(r._id)) || '其他',
      orders: r.orders,
      subsidisedFen: r.subsidisedFen,
      paidFen: r.paidFen,
    }));
  }

  async function latestRefund(orderId: string) {
    return Refund.findOne({ orderId }).sort({ createdAt: -1 }).lean<RefundDoc>();
  }

  /** For reconciliation: ask WeChat about an order and apply its payment if WeChat has it. */
  async function applyPaidByQuery(o: OrderDoc): Promise<boolean> {
    const tx = await wechatPay.query(o.outTradeNo);
    if (tx?.trade_state !== 'SUCCESS' && tx?.trade_state !== 'REFUND') return false;
    await applyPaid(o, tx);
    return true;
  }

  return {
    applyPaidByQuery,
    port,
    pay,
    getOrder,
    listMine,
    subsidyReport,
    getOrderForOwner,
    latestRefund,
    handlePaymentNotification,
    handleRefundNotification,
    reconcilePending,
    reconcileRefunds,
    startRefund,
    closeOrder,
  };
}

export type PaymentService = ReturnType<typeof createPaymentService>;
