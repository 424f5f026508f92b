import { Types } from 'mongoose';

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
 * STUB until the unified payment issue lands: orders live in process memory, nothing talks to
 * WeChat Pay, and `settle` plays a payment arriving. It exists so the booking flow has its real
 * seam; the payment module replaces it behind the same interface.
 */
export function createStubPayments() {
  const orders = new Map<string, NewOrder & { status: 'pending' | 'paid' | 'closed' | 'refunding' }>();
  const handlers = new Map<OrderKind, (e: PaidEvent) => Promise<PaidOutcome>>();
  const calls: { op: 'create' | 'close' | 'refund'; orderId: string; amountFen?: number; reason?: string }[] = [];
  const port: PaymentPort & {
    calls: typeof calls;
    settle(orderId: string): Promise<PaidOutcome>;
    failNextCreate: boolean;
  } = {
    calls,
    failNextCreate: false,
    async createOrder(order) {
      if (port.failNextCreate) {
        port.failNextCreate = false;
        throw new Error('payment stub: createOrder failed (test)');
      }
      const orderId = new Types.ObjectId().toHexString();
      orders.set(orderId, { ...order, status: 'pending' });
      calls.push({ op: 'create', orderId, amountFen: order.amountFen });
      return { orderId };
    },
    async closeOrder(orderId, reason) {
      const o = orders.get(orderId);
      if (o && o.status === 'pending') o.status = 'closed';
      calls.push({ op: 'close', orderId, reason });
    },
    async refundOrder(orderId, input) {
      const o = orders.get(orderId);
      if (o) o.status = 'refunding';
      calls.push({ op: 'refund', orderId, amountFen: input.amountFen ?? o?.amountFen, reason: input.reason });
    },
    onPaid(kind, handler) {
      handlers.set(kind, handler);
    },
    async settle(orderId) {
      const o = orders.get(orderId);
      if (!o) throw new Error(`payment stub: no order ${orderId}`);
      o.status = 'paid';
      const outcome = await handlers.get(o.kind)!({ orderId, refId: o.refId });
      if (outcome === 'rejected') await port.refundOrder(orderId, { reason: 'paid after the hold ended' });
      return outcome;
    },
  };
  return port;
}
export type StubPayments = ReturnType<typeof createStubPayments>;
