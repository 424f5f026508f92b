import mongoose, { Types } from 'mongoose';
import { ORDER_TAB_STATUSES, type OrderTab } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import type { NewOrder, OrderMoney } from './payment.port';
import { Order, type OrderDoc } from './payment.model';
import { orderDto, QUERY_AFTER_MS, type PaymentContext } from './payment.context';

/** Orders: creating, paying (the amount locked before WeChat is asked), vouchers, closing, reading. */
export function createOrders(ctx: PaymentContext) {
  const { deps } = ctx;
  const { clock, wechatPay, kernel } = deps;

  async function createOrder(input: NewOrder) {
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
      lockedFen: null,
      lockedAt: null,
      prepayId: null,
      transactionId: null,
      closeRequestedAt: null,
      amountMismatch: null,
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
  }

  async function findOwned(userId: string, orderId: string): Promise<OrderDoc> {
    const o = await Order.findOne({ _id: orderId, ownerId: userId }).lean<OrderDoc>();
    if (!o) throw new AppError('NOT_FOUND', 'no such order');
    return o;
  }

  const lockedError = () => new AppError('ORDER_LOCKED', 'this order was sent to WeChat Pay: its vouchers can no longer change');

  /** Why a guarded voucher change did not match: the lock (409 ORDER_LOCKED) or another change. */
  async function changeRefused(orderId: Types.ObjectId): Promise<AppError> {
    const now = await Order.findById(orderId).lean<OrderDoc>();
    if (now && now.lockedFen !== null) return lockedError();
    return new AppError('ORDER_NOT_PAYABLE', 'the order changed meanwhile');
  }

  /** Locks a voucher to the order and lowers what WeChat will be asked for; only before the amount is locked. */
  async function applyVoucher(userId: string, o: OrderDoc, voucherId: string): Promise<OrderDoc> {
    if (o.voucherId && String(o.voucherId) === voucherId) return o;
    if (o.lockedFen !== null) throw lockedError();
    const discount = await deps.vouchers.lockFor(userId, voucherId, {
      id: String(o._id),
      amountFen: o.amountFen,
      sport: o.tags?.sport,
      venueId: o.tags?.venueId,
    });
    const updated = await Order.findOneAndUpdate(
      { _id: o._id, status: 'pending', lockedFen: null, voucherId: o.voucherId },
      { $set: { voucherId: new Types.ObjectId(voucherId), discountFen: discount, payableFen: o.amountFen - discount } },
      { new: true },
    ).lean<OrderDoc>();
    if (!updated) {
      await deps.vouchers.release(String(o._id), voucherId);
      throw await changeRefused(o._id);
    }
    if (o.voucherId) await deps.vouchers.release(String(o._id), String(o.voucherId));
    return updated;
  }

  /** `voucherIds: []` takes a voucher off an order whose amount is not locked yet. */
  async function removeVoucher(o: OrderDoc): Promise<OrderDoc> {
    if (!o.voucherId) return o;
    if (o.lockedFen !== null) throw lockedError();
    const updated = await Order.findOneAndUpdate(
      { _id: o._id, status: 'pending', lockedFen: null, voucherId: o.voucherId },
      { $set: { voucherId: null, discountFen: 0, payableFen: o.amountFen } },
      { new: true },
    ).lean<OrderDoc>();
    if (!updated) throw await changeRefused(o._id);
    await deps.vouchers.release(String(o._id), String(o.voucherId));
    return updated;
  }

  /**
   * Fixes what WeChat will be asked for with one guarded update, before any WeChat call. Every
   * later pay of the order sends exactly these parameters, so WeChat answers the same prepay.
   */
  async function lockAmount(o: OrderDoc, wantedVoucher: string | null | undefined): Promise<OrderDoc> {
    if (o.lockedFen === null) {
      const locked = await Order.findOneAndUpdate(
        { _id: o._id, status: 'pending', closeRequestedAt: null, lockedFen: null, voucherId: o.voucherId, payableFen: o.payableFen },
        { $set: { lockedFen: o.payableFen, lockedAt: clock.now() } },
        { new: true },
      ).lean<OrderDoc>();
      if (locked) return locked;
      o = (await Order.findById(o._id).lean<OrderDoc>())!;
      if (o.status !== 'pending' || o.closeRequestedAt) throw new AppError('ORDER_NOT_PAYABLE', `a ${o.status} order cannot be paid`);
      if (o.lockedFen === null) throw new AppError('ORDER_NOT_PAYABLE', 'the order changed meanwhile');
    }
    // locked by this call's twin: fine when it locked what this call asked for
    const current = o.voucherId ? String(o.voucherId) : null;
    if (wantedVoucher !== undefined && wantedVoucher !== current) throw lockedError();
    return o;
  }

  async function pay(userId: string, orderId: string, voucherIds?: string[]) {
    let o = await findOwned(userId, orderId);
    const now = clock.now();
    if (o.status !== 'pending' || o.closeRequestedAt) throw new AppError('ORDER_NOT_PAYABLE', `a ${o.status} order cannot be paid`);
    if (o.expiresAt <= now) throw new AppError('ORDER_EXPIRED', 'the order has expired');
    if (voucherIds?.length) o = await applyVoucher(userId, o, voucherIds[0]);
    else if (voucherIds) o = await removeVoucher(o);
    o = await lockAmount(o, voucherIds === undefined ? undefined : (voucherIds[0] ?? null));
    if (o.lockedFen === 0) {
      await ctx.applyPaid(o, null, 'voucher');
      return { order: orderDto((await Order.findById(o._id).lean<OrderDoc>())!) };
    }
    const openid = await deps.openidOf(userId);
    if (!openid) throw new AppError('USER_NOT_FOUND', 'no WeChat identity for this user');
    const { prepayId, payParams } = await wechatPay.jsapi({
      description: o.description,
      outTradeNo: o.outTradeNo,
      timeExpire: o.expiresAt,
      notifyUrl: `${deps.notifyBase}/payments/wechat/notify`,
      totalFen: o.lockedFen!,
      openid,
    });
    await Order.updateOne({ _id: o._id, status: 'pending' }, { $set: { prepayId } });
    const { appId: _appId, ...params } = payParams;
    return { payParams: params, prepayId };
  }

  /** WeChat Pay Native (a kiosk): the order's amount locked, the code_url to show; no voucher, no payer identity. */
  async function payNative(orderId: string) {
    let o = await Order.findById(orderId).lean<OrderDoc>();
    if (!o) throw new AppError('NOT_FOUND', 'no such order');
    if (o.status !== 'pending' || o.closeRequestedAt) throw new AppError('ORDER_NOT_PAYABLE', `a ${o.status} order cannot be paid`);
    if (o.expiresAt <= clock.now()) throw new AppError('ORDER_EXPIRED', 'the order has expired');
    o = await lockAmount(o, null);
    const { codeUrl } = await wechatPay.native({
      description: o.description,
      outTradeNo: o.outTradeNo,
      timeExpire: o.expiresAt,
      notifyUrl: `${deps.notifyBase}/payments/wechat/notify`,
      totalFen: o.lockedFen!,
    });
    // the stand-in's and WeChat's prepay id is the code's `pr`; kept so the pending job knows WeChat has the order
    const prepayId = new URL(codeUrl).searchParams.get('pr') ?? codeUrl;
    await Order.updateOne({ _id: o._id, status: 'pending' }, { $set: { prepayId } });
    return { codeUrl, expiresAt: o.expiresAt.toISOString() };
  }

  // ---------- closing ----------
  /** The guarded pending → closed, then what a close owes: the voucher back, the domain told, the event. */
  async function markClosed(o: OrderDoc, reason: string): Promise<boolean> {
    const won = await Order.updateOne(
      { _id: o._id, status: 'pending' },
      { $set: { status: 'closed', closedAt: clock.now(), closeReason: o.closeReason ?? reason } },
    );
    if (won.modifiedCount !== 1) return false;
    await deps.vouchers.release(String(o._id));
    await ctx.handlers.get(o.kind)?.onClosed?.({ orderId: String(o._id), refId: o.refId });
    await emit(
      'order.closed',
      { subject: deps.pseudonym(String(o.ownerId)), orderId: String(o._id), kind: o.kind, amountFen: o.amountFen },
      { eventId: `order.closed:${o._id}` },
    );
    return true;
  }

  /**
   * The port's close: a local write, never a WeChat call (a slow WeChat must not hold up a domain's
   * sweeper). An order WeChat never saw closes at once; one WeChat knows is marked, and the
   * pending-order job closes it there.
   */
  async function requestClose(orderId: string, reason: string) {
    if (!Types.ObjectId.isValid(orderId)) return;
    const local = await Order.findOneAndUpdate(
      { _id: orderId, status: 'pending', lockedFen: null },
      { $set: { closeRequestedAt: clock.now(), closeReason: reason } },
      { new: true },
    ).lean<OrderDoc>();
    if (local) {
      await markClosed(local, reason);
      return;
    }
    await Order.updateOne(
      { _id: orderId, status: 'pending', closeRequestedAt: null },
      { $set: { closeRequestedAt: clock.now(), closeReason: reason, nextQueryAt: clock.now() } },
    );
  }

  /** The job's close: WeChat first (its own timeout); a payment that beat the close is applied instead. */
  async function closeAtWechat(o: OrderDoc, reason: string) {
    if (o.prepayId || o.lockedFen) {
      const closed = await wechatPay.close(o.outTradeNo);
      if (!closed) {
        const tx = await wechatPay.query(o.outTradeNo);
        if (tx?.trade_state === 'SUCCESS') await ctx.applyPaid(o, tx, 'close');
        return;
      }
    }
    await markClosed(o, reason);
  }

  async function getOrder(userId: string, orderId: string) {
    return orderDto(await findOwned(userId, orderId));
  }

  async function listMine(userId: string, q: { cursor?: string; limit: number; status?: OrderTab }) {
    const statuses = ORDER_TAB_STATUSES[q.status ?? 'all'];
    const filter = { ownerId: new Types.ObjectId(userId), ...(statuses ? { status: mongoose.trusted({ $in: statuses }) } : {}) };
    return kernel.cursorPage<OrderDoc, ReturnType<typeof orderDto>>(Order, filter, q, orderDto);
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

  /** the money of one order, for the domain that sold it (cancel quotes, pro-rata part refunds) */
  async function orderMoney(orderId: string): Promise<OrderMoney | null> {
    if (!Types.ObjectId.isValid(orderId)) return null;
    const o = await Order.findById(orderId).lean<OrderDoc>();
    if (!o) return null;
    return {
      status: o.status,
      amountFen: o.amountFen,
      payableFen: o.payableFen,
      refundedFen: o.refundedFen,
      voucherUsed: o.voucherId !== null,
    };
  }

  return { createOrder, orderMoney, findOwned, pay, payNative, requestClose, closeAtWechat, markClosed, getOrder, listMine, subsidyReport };
}
