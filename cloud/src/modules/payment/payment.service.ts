import type { OrderKind, OrderKindHandlers, PaymentPort } from './payment.port';
import type { PaymentContext, PaymentDeps } from './payment.context';
import { createPaid } from './payment.paid';
import { createOrders } from './payment.orders';
import { createNotify } from './payment.notify';
import { createRefunds, REFUND_EFFECTS } from './payment.refunds';
import { createPending } from './payment.pending';
import { createInvoices } from './invoice.service';

export type { PaymentDeps } from './payment.context';
export { orderDto } from './payment.context';

/**
 * The payment module's service, composed of cohesive parts: orders (pay, vouchers, close),
 * paid (the one path that marks an order paid), notify, refunds, pending (the query/close job).
 */
export function createPaymentService(deps: PaymentDeps) {
  const { clock } = deps;
  const handlers = new Map<OrderKind, OrderKindHandlers>();
  // the calls that cross parts, bound below once every part exists
  const ctx: PaymentContext = {
    deps,
    handlers,
    backoff: (count) => new Date(clock.now().getTime() + Math.min(2 ** count * 60_000, 30 * 60_000)),
    applyPaid: (...a) => paid.applyPaid(...a),
    startRefund: (...a) => refunds.startRefund(...a),
    tellDomain: (...a) => paid.tellDomain(...a),
  };
  const paid = createPaid(ctx);
  const orders = createOrders(ctx);
  const invoices = createInvoices({
    clock,
    logger: deps.logger,
    kernel: deps.kernel,
    wechatPay: deps.wechatPay,
    cipher: deps.cipher,
    linkSecret: deps.invoiceLinkSecret,
  });
  const refunds = createRefunds(ctx, orders.findOwned, invoices.afterRefund);
  const notify = createNotify(ctx, refunds.applyRefundState);
  const pending = createPending(ctx, orders.closeAtWechat);

  /** The port domains use. */
  const port: PaymentPort = {
    createOrder: orders.createOrder,
    closeOrder: orders.requestClose,
    async refundOrder(orderId, input) {
      if (input.partOnly && input.amountFen !== undefined)
        await refunds.startPartRefund(orderId, input.amountFen, input.reason, 'domain', input.refundId);
      else await refunds.startRefund(orderId, input.amountFen, input.reason, 'domain', input.refundId ? { refundId: input.refundId } : {});
    },
    orderMoney: (orderId) => orders.orderMoney(orderId),
    registerKind(kind, h) {
      handlers.set(kind, h);
    },
    payNative: orders.payNative,
  };

  return {
    port,
    pay: orders.pay,
    getOrder: orders.getOrder,
    listMine: orders.listMine,
    subsidyReport: orders.subsidyReport,
    flagged: paid.flagged,
    applyPaidByQuery: paid.applyPaidByQuery,
    handlePaymentNotification: notify.handlePaymentNotification,
    handleRefundNotification: notify.handleRefundNotification,
    reconcilePending: pending.reconcilePending,
    reconcileRefunds: refunds.reconcileRefunds,
    /** the kernel's sweeper over refund reservations a crash left unfinished */
    sweepEffects: () => deps.kernel.effects.sweep(REFUND_EFFECTS),
    requestRefund: refunds.requestRefund,
    startRefund: refunds.startRefund,
    latestRefund: refunds.latestRefund,
    /** 电子发票 */
    invoices,
  };
}

export type PaymentService = ReturnType<typeof createPaymentService>;
