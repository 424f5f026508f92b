import mongoose, { Schema, type Types } from 'mongoose';
import type { BookingStatus, Sport } from '@citysport/shared';

/**
 * Stored states: the public ones, plus `taking` (inserted before capacity is taken, so a crash
 * leaves a trace the sweeper rolls back) and `failed` (rolled back; never shown to users).
 */
export type StoredBookingStatus = BookingStatus | 'taking' | 'failed';

export interface PartialCancel {
  /** RF + 24 hex: the refund's id, so a retried step makes the same refund */
  refundId: string;
  slotIds: Types.ObjectId[];
  /** list price of the part (what it cost before vouchers) */
  listFen: number;
  refundFen: number;
  at: Date;
}

export interface BookingDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  venueId: Types.ObjectId;
  venueName: string;
  resourceId: Types.ObjectId;
  resourceName: string;
  sport: Sport;
  day: string;
  /** in start order: the order capacity is taken in */
  slotIds: Types.ObjectId[];
  slotCapacities: number[];
  startAt: Date;
  endAt: Date;
  quantity: number;
  companions: { name: string }[];
  amountFen: number;
  /** what was paid (after a voucher), set when payment confirms; absent on free and unpaid bookings */
  paidFen?: number | null;
  status: StoredBookingStatus;
  holdExpiresAt: Date | null;
  orderId: string | null;
  cancelDeadline: Date;
  checkInDeadline: Date;
  /** per-user limit counters this booking holds while active (kernel.limits keys; given back when it ends in any way) */
  limitKeys: string[];
  /** effects the last transition still owes (kernel.effects): done by the code, or by the sweeper after a crash */
  pending: string[];
  pendingSince: Date | null;
  /** what a cancellation tells payment (the refund's or the close's reason) */
  refundReason: string | null;
  refundStarted: boolean;
  failedAt: Date | null;
  createdAt: Date;
  confirmedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  cancelledBy: 'user' | 'venue' | null;
  usedAt: Date | null;
  noShowAt: Date | null;
  reminderSentAt: Date | null;
  /** parts cancelled (issue 10, booking.partial-cancel.ts): their places went back, each refunded pro rata */
  partials?: PartialCancel[];
  /** the list price before any part was cancelled (the base of every pro-rata refund) */
  originalAmountFen?: number;
  /** the Idempotency-Key it was placed with: a retry after a crash finds it instead of booking again */
  requestKey?: string;
  /** set by a slot or day close on a booking still `taking`: its placement then rolls back instead of becoming active */
  slotClosed?: boolean;
}

const BookingSchemaDef = new Schema<BookingDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    venueId: { type: Schema.Types.ObjectId, required: true },
    venueName: { type: String, required: true },
    resourceId: { type: Schema.Types.ObjectId, required: true },
    resourceName: { type: String, required: true },
    sport: { type: String, required: true },
    day: { type: String, required: true },
    slotIds: { type: [Schema.Types.ObjectId], required: true },
    slotCapacities: { type: [Number], required: true },
    startAt: { type: Date, required: true },
    endAt: { type: Date, required: true },
    quantity: { type: Number, required: true },
    companions: { type: [{ name: String, _id: false }], default: [] },
    amountFen: { type: Number, required: true },
    paidFen: { type: Number, default: null },
    status: { type: String, required: true },
    holdExpiresAt: { type: Date, default: null },
    orderId: { type: String, default: null },
    cancelDeadline: { type: Date, required: true },
    checkInDeadline: { type: Date, required: true },
    limitKeys: { type: [String], default: [] },
    pending: { type: [String], default: [] },
    pendingSince: { type: Date, default: null },
    refundReason: { type: String, default: null },
    refundStarted: { type: Boolean, default: false },
    slotClosed: { type: Boolean },
    failedAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
    confirmedAt: { type: Date, default: null },
    cancelledAt: { type: Date, default: null },
    cancelReason: { type: String, default: null },
    cancelledBy: { type: String, default: null },
    usedAt: { type: Date, default: null },
    noShowAt: { type: Date, default: null },
    reminderSentAt: { type: Date, default: null },
    requestKey: { type: String },
    partials: { type: [Schema.Types.Mixed], default: undefined },
    originalAmountFen: { type: Number },
  },
  { collection: 'bookings', versionKey: false },
);
BookingSchemaDef.index({ userId: 1, _id: -1 });
BookingSchemaDef.index({ status: 1, holdExpiresAt: 1 });
BookingSchemaDef.index({ status: 1, checkInDeadline: 1 });
BookingSchemaDef.index({ venueId: 1, day: 1 });
BookingSchemaDef.index({ slotIds: 1 });
BookingSchemaDef.index({ orderId: 1 });
BookingSchemaDef.index({ pendingSince: 1 });
BookingSchemaDef.index({ status: 1, createdAt: 1 });
export const Booking = mongoose.model<BookingDoc>('Booking', BookingSchemaDef);

export interface BanDoc {
  /** `<userId>:<venueId>:<the no-show booking that earned it>`: two job runs over one no-show make one ban */
  _id: string;
  userId: Types.ObjectId;
  venueId: Types.ObjectId;
  since: Date;
  until: Date;
  noShowCount: number;
  liftedAt: Date | null;
  liftedBy: Types.ObjectId | null;
  liftReason: string | null;
}
const BanSchemaDef = new Schema<BanDoc>(
  {
    _id: String,
    userId: { type: Schema.Types.ObjectId, required: true },
    venueId: { type: Schema.Types.ObjectId, required: true },
    since: { type: Date, required: true },
    until: { type: Date, required: true },
    noShowCount: { type: Number, required: true },
    liftedAt: { type: Date, default: null },
    liftedBy: { type: Schema.Types.ObjectId, default: null },
    liftReason: { type: String, default: null },
  },
  { collection: 'booking_bans', versionKey: false },
);
BanSchemaDef.index({ userId: 1, venueId: 1, until: -1 });
export const Ban = mongoose.model<BanDoc>('BookingBan', BanSchemaDef);
