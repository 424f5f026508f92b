import mongoose, { Schema, type Types } from 'mongoose';
import type { Sport } from '@citysport/shared';

export interface VoucherBatchDoc {
  _id: Types.ObjectId;
  name: string;
  kind: 'amount' | 'percent';
  faceFen: number;
  percentOff: number;
  maxDiscountFen: number;
  minSpendFen: number;
  sports: Sport[];
  venueIds: string[];
  validFrom: Date;
  validTo: Date;
  perPersonLimit: number;
  total: number;
  /** vouchers left to claim: taken with one guarded decrement per claim */
  remaining: number;
  createdBy: Types.ObjectId;
  createdAt: Date;
}
const BatchSchema = new Schema<VoucherBatchDoc>(
  {
    name: String,
    kind: String,
    faceFen: Number,
    percentOff: Number,
    maxDiscountFen: Number,
    minSpendFen: Number,
    sports: [String],
    venueIds: [String],
    validFrom: Date,
    validTo: Date,
    perPersonLimit: Number,
    total: Number,
    remaining: Number,
    createdBy: Schema.Types.ObjectId,
    createdAt: Date,
  },
  { collection: 'voucher_batches', versionKey: false },
);
export const VoucherBatch = mongoose.model<VoucherBatchDoc>('VoucherBatch', BatchSchema);

export interface VoucherDoc {
  _id: Types.ObjectId;
  batchId: Types.ObjectId;
  userId: Types.ObjectId;
  status: 'available' | 'locked' | 'used';
  orderId: Types.ObjectId | null;
  claimedAt: Date;
  usedAt: Date | null;
}
const VoucherSchemaDef = new Schema<VoucherDoc>(
  {
    batchId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, required: true },
    orderId: { type: Schema.Types.ObjectId, default: null },
    claimedAt: Date,
    usedAt: { type: Date, default: null },
  },
  { collection: 'vouchers', versionKey: false },
);
VoucherSchemaDef.index({ userId: 1, claimedAt: -1 });
VoucherSchemaDef.index({ orderId: 1 });
export const Voucher = mongoose.model<VoucherDoc>('Voucher', VoucherSchemaDef);
