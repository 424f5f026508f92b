import type { ORDER_KINDS } from '@citysport/shared';
import { AppError } from '../../platform/errors';

/** Order kinds are registered by the domain modules that sell them (payment knows no domain). */
// the one list lives in shared, where the mini-program parses orders with it
export type OrderKind = (typeof ORDER_KINDS)[number];

export interface NewOrder {
  kind: OrderKind;
  ownerId: string;
  /** the domain's id for what is bought (a booking id, …) */
  refId: string;
  description: string;
  items: { name: string; quantity: number; unitFen: number }[];
  amountFen: number;
  expiresAt: Date;
  /** what vouchers and reports look at */
  tags?: { venueId?: string; sport?: string };
}

export interface PaidEvent {
  orderId: string;
  refId: string;
  /** what the citizen paid (the order's amount less any voucher): what the domain shows as 实付 */
  paidFen: number;
}

/** What a domain answers when told an order was paid: `rejected` makes payment refund it. */
export type PaidOutcome = 'applied' | 'rejected';

/** A full refund asked for from outside the domain: by the owner in 我的订单, or by an admin. */
export interface RefundRequest {
  orderId: string;
  refId: string;
  ownerId: string;
  /** who asked: the owner's id, or an admin's */
  actorId: string;
  byAdmin: boolean;
  reason: string;
}

/**
 * What a domain registers for each order kind it sells. Payment calls these; it never reads or
 * changes a domain's documents itself.
 */
export interface OrderKindHandlers {
  /** the order was paid: apply it, or answer `rejected` (payment then refunds it) */
  onPaid(e: PaidEvent): Promise<PaidOutcome>;
  /**
   * A whole-order refund was asked for: the domain ends what was bought by its own rules (tickets
   * revoked, capacity given back) and starts the refund through `refundOrder`. It throws an
   * AppError to refuse (e.g. CANCEL_WINDOW_CLOSED for an owner; admins may override windows).
   */
  onRefundRequested(e: RefundRequest): Promise<void>;
  /** the order closed unpaid (expired, closed at WeChat): release what the hold kept, idempotently */
  onClosed?(e: { orderId: string; refId: string }): Promise<void>;
}

export interface OrderMoney {
  status: string;
  amountFen: number;
  /** what the payer was charged, after vouchers */
  payableFen: number;
  refundedFen: number;
  voucherUsed: boolean;
}

/**
 * The one interface domains use for money (ARCHITECTURE.md): create an order, close an unpaid
 * one, refund a paid one, and learn of payment through a handler registered per kind. Domains
 * never read payment collections.
 */
export interface PaymentPort {
  createOrder(order: NewOrder): Promise<{ orderId: string }>;
  closeOrder(orderId: string, reason: string): Promise<void>;
  /**
   * `refundId` (RF + 24 hex) makes a retried part refund the same refund, never a second one;
   * `partOnly` refuses (REFUND_NOT_ALLOWED) a part refund that would now refund the whole order
   */
  refundOrder(orderId: string, input: { amountFen?: number; reason: string; refundId?: string; partOnly?: boolean }): Promise<void>;
  /** what an order took and gave back (issue 10: cancel quotes and pro-rata part refunds); null when unknown */
  orderMoney?(orderId: string): Promise<OrderMoney | null>;
  registerKind(kind: OrderKind, handlers: OrderKindHandlers): void;
  /** WeChat Pay Native for a kiosk screen: the `code_url` to show as a QR code (absent where WeChat Pay is not configured) */
  payNative?(orderId: string): Promise<{ codeUrl: string; expiresAt: string }>;
}

/**
 * The port when no WeChat Pay merchant is configured (a development database tool, a test of
 * another module): free things still work, anything that needs money says so.
 */
export function paymentsUnavailable(): PaymentPort {
  const refuse = async (): Promise<never> => {
    throw new AppError('UPSTREAM_UNAVAILABLE', 'WeChat Pay is not configured on this server');
  };
  return { createOrder: refuse, closeOrder: async () => {}, refundOrder: refuse, registerKind: () => {} };
}
