import mongoose, { Schema, type Types } from 'mongoose';
import type { InvoiceStatus } from '@citysport/shared';

/**
 * An invoice (电子发票) asked for on an order. `claiming` → (the order's one invoice slot taken)
 * `requested` → (WeChat accepted) `issuing` → `issued`; a refund → `reversing` → `reversed` (红冲).
 * `void`: lost the order's slot to another request (never shown). Personal fields are sealed
 * (crypto-field) with masked copies for display; none of them leaves the payment module.
 */
export type InvoiceDocStatus = InvoiceStatus | 'claiming' | 'void';

export interface InvoiceDoc {
  _id: Types.ObjectId;
  orderId: Types.ObjectId;
  ownerId: Types.ObjectId;
  status: InvoiceDocStatus;
  /** fapiao_apply_id / fapiao_id at WeChat */
  applyId: string;
  fapiaoId: string;
  buyerType: 'person' | 'company';
  titleSealed: string;
  titleMasked: string;
  taxIdSealed: string | null;
  taxIdMasked: string | null;
  emailSealed: string;
  emailMasked: string;
  amountFen: number;
  /** the order's refundedFen when the invoice was claimed: a refund after it reverses the invoice */
  basisRefundedFen: number;
  items: { name: string; quantity: number; totalFen: number }[];
  fapiaoCode: string | null;
  fapiaoNumber: string | null;
  issuedAt: Date | null;
  reverseReason: string | null;
  reversedAt: Date | null;
  failure: string | null;
  nextQueryAt: Date;
  queryCount: number;
  createdAt: Date;
  /** kernel effects: claim, apply, reverse */
  pending?: string[];
  pendingSince?: Date;
}

const InvoiceSchema = new Schema<InvoiceDoc>(
  {
    orderId: { type: Schema.Types.ObjectId, required: true },
    ownerId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, required: true },
    applyId: { type: String, required: true, unique: true },
    fapiaoId: { type: String, required: true },
    buyerType: { type: String, required: true },
    titleSealed: { type: String, required: true },
    titleMasked: { type: String, required: true },
    taxIdSealed: { type: String, default: null },
    taxIdMasked: { type: String, default: null },
    emailSealed: { type: String, required: true },
    emailMasked: { type: String, required: true },
    amountFen: { type: Number, required: true },
    basisRefundedFen: { type: Number, required: true },
    items: { type: [{ name: String, quantity: Number, totalFen: Number, _id: false }], default: [] },
    fapiaoCode: { type: String, default: null },
    fapiaoNumber: { type: String, default: null },
    issuedAt: { type: Date, default: null },
    reverseReason: { type: String, default: null },
    reversedAt: { type: Date, default: null },
    failure: { type: String, default: null },
    nextQueryAt: { type: Date, required: true },
    queryCount: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
    pending: { type: [String], default: undefined },
    pendingSince: Date,
  },
  { collection: 'invoices', versionKey: false },
);
InvoiceSchema.index({ orderId: 1, _id: -1 });
InvoiceSchema.index({ status: 1, nextQueryAt: 1 });
export const Invoice = mongoose.model<InvoiceDoc>('Invoice', InvoiceSchema);
