import { AppError } from '../../platform/errors';

export type OrderKind = 'booking' | 'event' | 'fitness_test' | 'club_dues';

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
}

/** What a domain answers when told an order was paid: `rejected` makes payment refund it. */
export type PaidOutcome = 'applied' | 'rejected';

/**
 * The one interface domains use for money (ARCHITECTURE.md): create an order, close an unpaid
 * one, refund a paid one, and learn of payment through a handler registered per kind. Domains
 * never read payment collections.
 */
export interface PaymentPort {
  createOrder(order: NewOrder): Promise<{ orderId: string }>;
  closeOrder(orderId: string, reason: string): Promise<void>;
  refundOrder(orderId: string, input: { amountFen?: number; reason: string }): Promise<void>;
  onPaid(kind: OrderKind, handler: (e: PaidEvent) => Promise<PaidOutcome>): void;
}

/**
 * The port when no WeChat Pay merchant is configured (a development database tool, a test of
 * another module): free things still work, anything that needs money says so.
 */
export function paymentsUnavailable(): PaymentPort {
  const refuse = async (): Promise<never> => {
    throw new AppError('UPSTREAM_UNAVAILABLE', 'WeChat Pay is not configured on this server');
  };
  return { createOrder: refuse, closeOrder: async () => {}, refundOrder: refuse, onPaid: () => {} };
}
