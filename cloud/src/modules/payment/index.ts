export {
  paymentsUnavailable,
  type PaymentPort,
  type NewOrder,
  type OrderKind,
  type PaidEvent,
  type PaidOutcome,
  type OrderKindHandlers,
  type RefundRequest,
} from './payment.port';
export { createPaymentService, type PaymentService } from './payment.service';
export { paymentJobs, type PaymentJob } from './payment.jobs';
export { paymentRoutes } from './payment.routes';
export { createVoucherService, type VoucherService } from './voucher.service';
export { createReconciliation, parseTradeBill, type Reconciliation } from './reconciliation';
export { paymentModule, type PaymentParts } from './payment.module';
