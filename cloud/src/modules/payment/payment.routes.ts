import Router from '@koa/router';
import { IdSchema } from '@citysport/shared';
import { z } from 'zod';
import { currentUser, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { AppError } from '../../platform/errors';
import { parse } from '../../platform/validate';
import type { SignedMessage } from '../../platform/wechatpay';
import type { PaymentService } from './payment.service';
import type { OrderKind } from './payment.port';
import type { ParameterizedContext } from 'koa';

const PayOrderSchema = z.object({ voucherIds: z.array(IdSchema).max(3).optional() }).strict();
const RefundOrderSchema = z
  .object({ reason: z.string().trim().min(2).max(80), amountFen: z.number().int().positive().max(100_000_00).optional() })
  .strict();

function signedMessage(ctx: ParameterizedContext): SignedMessage {
  const raw = (ctx.request as unknown as { rawBody?: string }).rawBody;
  if (typeof raw !== 'string' || raw.length === 0) throw new AppError('VALIDATION_FAILED', 'empty notification');
  return {
    timestamp: ctx.get('wechatpay-timestamp'),
    nonce: ctx.get('wechatpay-nonce'),
    serial: ctx.get('wechatpay-serial'),
    signature: ctx.get('wechatpay-signature'),
    body: raw,
  };
}

/**
 * `refundRequested` lets the owning domain apply its own rules to an owner's refund (a booking
 * refund is a cancellation, inside the cancel window); admins refund directly.
 */
export function paymentRoutes(
  service: PaymentService,
  deps: {
    grantsOf: GrantLookup;
    refundRequested: Partial<Record<OrderKind, (userId: string, refId: string, reason: string) => Promise<void>>>;
  },
) {
  const router = new Router<AuthState>();

  router.get('/orders/:orderId', requireUser, async (ctx) => {
    ctx.body = { order: await service.getOrder(currentUser(ctx).userId, parse(IdSchema, ctx.params.orderId)) };
  });

  router.post('/orders/:orderId/pay', requireUser, async (ctx) => {
    const orderId = parse(IdSchema, ctx.params.orderId);
    const body = parse(PayOrderSchema, ctx.request.body ?? {});
    if (body.voucherIds?.length) throw new AppError('VOUCHER_NOT_APPLICABLE', 'consumption vouchers are not available yet');
    const result = await service.pay(currentUser(ctx).userId, orderId);
    ctx.body = 'payParams' in result ? { payParams: result.payParams } : result;
  });

  router.post('/orders/:orderId/refund', requireUser, async (ctx) => {
    const orderId = parse(IdSchema, ctx.params.orderId);
    const { reason, amountFen } = parse(RefundOrderSchema, ctx.request.body);
    const userId = currentUser(ctx).userId;
    const isAdmin = (await deps.grantsOf(userId)).some((g) => g.role === 'admin');
    if (isAdmin) {
      const refund = await service.startRefund(orderId, amountFen, reason, userId);
      ctx.body = { refund: { id: refund._id, status: refund.status, amountFen: refund.amountFen } };
      return;
    }
    const order = await service.getOrderForOwner(userId, orderId);
    const domain = deps.refundRequested[order.kind];
    if (!domain || amountFen !== undefined)
      throw new AppError('REFUND_NOT_ALLOWED', 'this order is refunded by cancelling what it paid for');
    await domain(userId, order.refId, reason);
    const refund = await service.latestRefund(orderId);
    ctx.body = { refund: refund ? { id: refund._id, status: refund.status, amountFen: refund.amountFen } : null };
  });

  // WeChat Pay's notifications: verified over the raw body; 204 only once the state is stored.
  router.post('/payments/wechat/notify', async (ctx) => {
    await service.handlePaymentNotification(signedMessage(ctx as never), ctx.state.log);
    ctx.status = 204;
  });

  router.post('/payments/wechat/refund-notify', async (ctx) => {
    await service.handleRefundNotification(signedMessage(ctx as never), ctx.state.log);
    ctx.status = 204;
  });

  return router;
}
