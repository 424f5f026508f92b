import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import {
  CreateVoucherBatchSchema,
  IdSchema,
  IdempotencyKeySchema,
  MyOrdersQuerySchema,
  PayOrderSchema,
  RefundOrderSchema,
  RequestInvoiceSchema,
} from '@citysport/shared';
import { z } from 'zod';
import { currentUser, requireRole, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { AppError } from '../../platform/errors';
import { parse } from '../../platform/validate';
import type { SignedMessage } from '../../platform/wechatpay';
import type { PaymentService } from './payment.service';
import type { VoucherService } from './voucher.service';
import type { ClaimOnce } from '../../platform/idempotency';
import type { Reconciliation } from './reconciliation';
import { DaySchema } from '@citysport/shared';

const InvoicePdfQuerySchema = z.object({ exp: z.coerce.number().int().positive().max(1e11), sig: z.string().min(10).max(100) });

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
 * Whole refunds of a domain's order go through that domain (its registered onRefundRequested);
 * `Idempotency-Key` on a refund answers a retry with the first refund (the kernel's claimOnce).
 */
export function paymentRoutes(
  service: PaymentService,
  vouchers: VoucherService,
  reconciliation: Reconciliation,
  deps: { grantsOf: GrantLookup; claimOnce: ClaimOnce },
) {
  const router = new Router<AuthState>();
  const admin = requireRole(deps.grantsOf, ['admin']);

  router.get('/orders/mine', requireUser, async (ctx) => {
    ctx.body = await service.listMine(currentUser(ctx).userId, parse(MyOrdersQuerySchema, ctx.query));
  });

  router.get('/orders/:orderId', requireUser, async (ctx) => {
    ctx.body = { order: await service.getOrder(currentUser(ctx).userId, parse(IdSchema, ctx.params.orderId)) };
  });

  router.post('/orders/:orderId/pay', requireUser, async (ctx) => {
    const orderId = parse(IdSchema, ctx.params.orderId);
    const body = parse(PayOrderSchema, ctx.request.body ?? {});
    const result = await service.pay(currentUser(ctx).userId, orderId, body.voucherIds);
    ctx.body = 'payParams' in result ? { payParams: result.payParams } : result;
  });

  router.post('/orders/:orderId/refund', requireUser, async (ctx) => {
    const orderId = parse(IdSchema, ctx.params.orderId);
    const input = parse(RefundOrderSchema, ctx.request.body);
    const header = ctx.get('idempotency-key');
    const key = header ? parse(IdempotencyKeySchema, header) : undefined;
    const userId = currentUser(ctx).userId;
    const isAdmin = (await deps.grantsOf(userId)).some((g) => g.role === 'admin');
    if (!key) {
      ctx.body = await service.requestRefund({ userId, isAdmin }, orderId, input);
      return;
    }
    // the refund's id comes from the key, so a retry after a crash finds the refund the first attempt made
    const refundId = `RF${createHash('sha256').update(`${userId}:${orderId}:${key}`).digest('hex').slice(0, 30)}`;
    const run = () => service.requestRefund({ userId, isAdmin }, orderId, input, { refundId });
    const hash = createHash('sha256')
      .update(JSON.stringify([orderId, input.reason, input.amountFen ?? null]))
      .digest('hex');
    const { result, replayed } = await deps.claimOnce('order.refund', userId, key, hash, run);
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.body = result;
  });

  // 电子发票: one per order, its owner only; an Idempotency-Key answers a retry with the first result
  router.post('/orders/:orderId/invoice', requireUser, async (ctx) => {
    const orderId = parse(IdSchema, ctx.params.orderId);
    const input = parse(RequestInvoiceSchema, ctx.request.body);
    const header = ctx.get('idempotency-key');
    const key = header ? parse(IdempotencyKeySchema, header) : undefined;
    const userId = currentUser(ctx).userId;
    const run = async () => ({ invoice: await service.invoices.request(userId, orderId, input) });
    if (!key) {
      ctx.status = 201;
      ctx.body = await run();
      return;
    }
    const { result, replayed } = await deps.claimOnce('order.invoice', userId, key, service.invoices.requestHash(orderId, input), run);
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.status = 201;
    ctx.body = result;
  });

  router.get('/orders/:orderId/invoice', requireUser, async (ctx) => {
    ctx.body = { invoice: await service.invoices.forOrder(currentUser(ctx).userId, parse(IdSchema, ctx.params.orderId)) };
  });

  // the PDF behind the owner's short-lived signed link (no bearer: Taro.downloadFile and a browser tab open it)
  router.get('/invoices/:invoiceId/pdf', async (ctx) => {
    const q = parse(InvoicePdfQuerySchema, ctx.query);
    const file = await service.invoices.pdf(parse(IdSchema, ctx.params.invoiceId), q.exp, q.sig);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.set('Content-Disposition', `inline; filename="${file.name}"`);
    ctx.type = 'application/pdf';
    ctx.body = file.bytes;
  });

  router.get('/vouchers/mine', requireUser, async (ctx) => {
    ctx.body = { items: await vouchers.mine(currentUser(ctx).userId) };
  });

  router.get('/vouchers/batches', async (ctx) => {
    ctx.body = { items: await vouchers.openBatches() };
  });

  router.post('/vouchers/batches/:batchId/claim', requireUser, async (ctx) => {
    const batchId = parse(IdSchema, ctx.params.batchId);
    const voucher = await vouchers.claim(currentUser(ctx).userId, batchId);
    ctx.status = 201;
    ctx.body = { voucher };
  });

  router.post('/admin/voucher-batches', requireUser, admin, async (ctx) => {
    const batch = await vouchers.createBatch(currentUser(ctx).userId, parse(CreateVoucherBatchSchema, ctx.request.body));
    ctx.status = 201;
    ctx.body = { batch };
  });

  router.get('/admin/reports/subsidy', requireUser, admin, async (ctx) => {
    ctx.body = { items: await service.subsidyReport() };
  });

  router.get('/admin/payments/flagged', requireUser, admin, async (ctx) => {
    ctx.body = { items: await service.flagged() };
  });

  router.get('/admin/reconciliation/:date', requireUser, admin, async (ctx) => {
    const report = await reconciliation.get(parse(DaySchema, ctx.params.date));
    if (!report) throw new AppError('NOT_FOUND', 'no reconciliation for that day yet');
    ctx.body = { report };
  });

  router.post('/admin/reconciliation/:date/run', requireUser, admin, async (ctx) => {
    const report = await reconciliation.run(parse(DaySchema, ctx.params.date));
    ctx.body = { report: { ...report, checkedAt: report.checkedAt.toISOString() } };
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
