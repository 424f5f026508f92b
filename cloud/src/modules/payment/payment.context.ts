import type { Types } from 'mongoose';
import type { Clock } from '../../platform/clock';
import type { Kernel } from '../../platform/kernel';
import type { Logger } from '../../platform/logger';
import type { Pseudonymizer } from '../../platform/pseudonym';
import type { WechatPay } from '../../platform/wechatpay';
import type { OrderKind, OrderKindHandlers } from './payment.port';
import type { OrderDoc } from './payment.model';
import type { VoucherService } from './voucher.service';

export interface PaymentDeps {
  clock: Clock;
  logger: Logger;
  kernel: Kernel;
  wechatPay: WechatPay;
  pseudonym: Pseudonymizer;
  openidOf: (userId: string) => Promise<string | null>;
  /** public base of this API, for notify_url (e.g. https://api.example.com/api/v1) */
  notifyBase: string;
  notify: (userId: string, templateId: string, data: Record<string, string>) => Promise<void>;
  vouchers: VoucherService;
  venueNames: (venueIds: string[]) => Promise<Map<string, string>>;
  /** seals invoice titles, 税号 and e-mail addresses */
  cipher: import('../../platform/crypto-field').FieldCipher;
  /** signs the owner's short-lived invoice PDF links */
  invoiceLinkSecret: string;
}

export const MAX_REFUNDS_PER_ORDER = 50; // WeChat's limit
export const REFUND_WINDOW_MS = 365 * 24 * 3600_000; // WeChat refunds within one year of payment
export const QUERY_AFTER_MS = 60_000;

/** How a payment reached us: each path that can mark an order paid checks the amount. */
export type PaidSource = 'notification' | 'query' | 'reconciliation' | 'close' | 'voucher';
export type PaidResult = 'applied' | 'duplicate' | 'mismatch';

/**
 * What the payment files share: the deps, the kinds registered by domains, and the few calls
 * that cross files (bound once in payment.service.ts).
 */
export interface PaymentContext {
  deps: PaymentDeps;
  handlers: Map<OrderKind, OrderKindHandlers>;
  backoff(count: number): Date;
  applyPaid(o: OrderDoc, tx: import('../../platform/wechatpay').WechatTransaction | null, source: PaidSource): Promise<PaidResult>;
  startRefund(
    orderId: string,
    amountFen: number | undefined,
    reason: string,
    requestedBy: string,
  ): Promise<import('./payment.model').RefundDoc>;
  tellDomain(orderId: Types.ObjectId): Promise<void>;
}

/** The amount WeChat was asked for: the locked one (orders from before the lock carry only payableFen). */
export const expectedFen = (o: OrderDoc) => o.lockedFen ?? o.payableFen;

export function orderDto(o: OrderDoc) {
  return {
    id: String(o._id),
    kind: o.kind,
    /** the booking, registration, … the order pays for (the 评价 button of 我的订单 asks about it) */
    refId: o.refId,
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
