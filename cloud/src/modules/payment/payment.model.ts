import mongoose, { Schema, type Types } from 'mongoose';
import type { OrderKind } from './payment.port';

export type OrderStatus = 'pending' | 'paid' | 'refunding' | 'refunded' | 'partially_refunded' | 'closed';

export interface OrderDoc {
  _id: Types.ObjectId;
  kind: OrderKind;
  ownerId: Types.ObjectId;
  refId: string;
  description: string;
  items: { name: string; quantity: number; unitFen: number }[];
  amountFen: number;
  /** what WeChat is asked to charge (after vouchers) */
  payableFen: number;
  discountFen: number;
  voucherId: Types.ObjectId | null;
  tags: { venueId?: string; sport?: string };
  status: OrderStatus;
  /** `CS<order id>`: unique, 26 characters (WeChat allows 6–32) */
  outTradeNo: string;
  /**
   * What WeChat is (or will be) asked to charge, fixed by one guarded update before the first
   * JSAPI call; vouchers cannot change once it is set, and a payment of any other amount is flagged.
   */
  lockedFen: number | null;
  lockedAt: Date | null;
  prepayId: string | null;
  transactionId: string | null;
  /** the domain asked to close it; the pending-order job closes it at WeChat and then here */
  closeRequestedAt: Date | null;
  /** a payment whose amount differs from `lockedFen`: stored, never applied, shown to admins */
  amountMismatch: { wechatFen: number; expectedFen: number; transactionId: string | null; source: string; at: Date } | null;
  expiresAt: Date;
  createdAt: Date;
  paidAt: Date | null;
  closedAt: Date | null;
  closeReason: string | null;
  /** the owning domain has been told of the payment (re-driven by the query job if not) */
  domainNotifiedAt: Date | null;
  refundedFen: number;
  refundCount: number;
  /** query-job back-off */
  nextQueryAt: Date;
  queryCount: number;
  note: string | null;
  /** kernel effects: what a refund reservation still owes (see payment.refunds.ts) */
  pending?: string[];
  pendingSince?: Date;
  refundsOwed?: RefundOwed[];
  /** the order's one live invoice (电子发票), taken by a guarded claim (invoice.service.ts) */
  invoiceId?: Types.ObjectId | null;
  /** set by every refund reservation: the invoice job checks whether an invoice must be reversed */
  invoiceCheck?: boolean;
}

/** A refund reserved on the order (amount counted) whose record or WeChat request may still be owed. */
export interface RefundOwed {
  refundId: string;
  amountFen: number;
  reason: string;
  requestedBy: string;
  at: Date;
}

const OrderSchema = new Schema<OrderDoc>(
  {
    kind: { type: String, required: true },
    ownerId: { type: Schema.Types.ObjectId, required: true },
    refId: { type: String, required: true },
    description: { type: String, required: true },
    items: { type: [{ name: String, quantity: Number, unitFen: Number, _id: false }], default: [] },
    amountFen: { type: Number, required: true },
    payableFen: { type: Number, required: true },
    discountFen: { type: Number, default: 0 },
    voucherId: { type: Schema.Types.ObjectId, default: null },
    tags: { venueId: String, sport: String },
    status: { type: String, required: true },
    outTradeNo: { type: String, required: true, unique: true },
    lockedFen: { type: Number, default: null },
    lockedAt: { type: Date, default: null },
    prepayId: { type: String, default: null },
    transactionId: { type: String, default: null },
    closeRequestedAt: { type: Date, default: null },
    amountMismatch: {
      type: new Schema({ wechatFen: Number, expectedFen: Number, transactionId: String, source: String, at: Date }, { _id: false }),
      default: null,
    },
    expiresAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    paidAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    closeReason: { type: String, default: null },
    domainNotifiedAt: { type: Date, default: null },
    refundedFen: { type: Number, default: 0 },
    refundCount: { type: Number, default: 0 },
    nextQueryAt: { type: Date, required: true },
    queryCount: { type: Number, default: 0 },
    note: { type: String, default: null },
    pending: { type: [String], default: undefined },
    pendingSince: Date,
    invoiceId: { type: Schema.Types.ObjectId, default: undefined },
    invoiceCheck: { type: Boolean, default: undefined },
    refundsOwed: {
      type: [{ refundId: String, amountFen: Number, reason: String, requestedBy: String, at: Date, _id: false }],
      default: undefined,
    },
  },
  { collection: 'orders', versionKey: false },
);
OrderSchema.index({ status: 1, nextQueryAt: 1 });
OrderSchema.index({ ownerId: 1, _id: -1 });
OrderSchema.index({ kind: 1, refId: 1 });
OrderSchema.index({ 'amountMismatch.at': -1 }, { sparse: true });
OrderSchema.index({ invoiceCheck: 1 }, { sparse: true });
export const Order = mongoose.model<OrderDoc>('Order', OrderSchema);

/** One row per WeChat transaction_id (`_id`): a transaction can pay one order only, once. */
export const WechatTransactionClaim = mongoose.model<{ _id: string; orderId: Types.ObjectId; at: Date }>(
  'WechatTransactionClaim',
  new Schema(
    { _id: String, orderId: { type: Schema.Types.ObjectId, required: true }, at: Date },
    { collection: 'wechat_transactions', versionKey: false },
  ),
);

export type RefundStatus = 'processing' | 'success' | 'closed' | 'abnormal';

export interface RefundDoc {
  /** out_refund_no: `RF<object id>` */
  _id: string;
  orderId: Types.ObjectId;
  amountFen: number;
  reason: string;
  status: RefundStatus;
  wechatRefundId: string | null;
  requestedBy: string;
  createdAt: Date;
  successAt: Date | null;
  nextQueryAt: Date;
  queryCount: number;
}

const RefundSchema = new Schema<RefundDoc>(
  {
    _id: String,
    orderId: { type: Schema.Types.ObjectId, required: true, index: true },
    amountFen: { type: Number, required: true },
    reason: { type: String, required: true },
    status: { type: String, required: true },
    wechatRefundId: { type: String, default: null },
    requestedBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    successAt: { type: Date, default: null },
    nextQueryAt: { type: Date, required: true },
    queryCount: { type: Number, default: 0 },
  },
  { collection: 'refunds', versionKey: false },
);
RefundSchema.index({ status: 1, nextQueryAt: 1 });
export const Refund = mongoose.model<RefundDoc>('Refund', RefundSchema);

/** Notification ids already applied (WeChat redelivers; replays are ignored). */
export const SeenNotification = mongoose.model<{ _id: string; at: Date }>(
  'SeenWechatNotification',
  new Schema({ _id: String, at: Date }, { collection: 'wechat_notifications_seen', versionKey: false }),
);
