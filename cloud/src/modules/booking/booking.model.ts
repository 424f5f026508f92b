import mongoose, { Schema, type Types } from 'mongoose';
import type { BookingStatus, Sport } from '@citysport/shared';

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
  status: BookingStatus;
  holdExpiresAt: Date | null;
  orderId: string | null;
  cancelDeadline: Date;
  checkInDeadline: Date;
  /** per-user limit counters this booking holds while active (given back when it ends in any way) */
  quotaKeys: string[];
  createdAt: Date;
  confirmedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  cancelledBy: 'user' | 'venue' | null;
  usedAt: Date | null;
  noShowAt: Date | null;
  reminderSentAt: Date | null;
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
    status: { type: String, required: true },
    holdExpiresAt: { type: Date, default: null },
    orderId: { type: String, default: null },
    cancelDeadline: { type: Date, required: true },
    checkInDeadline: { type: Date, required: true },
    quotaKeys: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    confirmedAt: { type: Date, default: null },
    cancelledAt: { type: Date, default: null },
    cancelReason: { type: String, default: null },
    cancelledBy: { type: String, default: null },
    usedAt: { type: Date, default: null },
    noShowAt: { type: Date, default: null },
    reminderSentAt: { type: Date, default: null },
  },
  { collection: 'bookings', versionKey: false },
);
BookingSchemaDef.index({ userId: 1, _id: -1 });
BookingSchemaDef.index({ status: 1, holdExpiresAt: 1 });
BookingSchemaDef.index({ status: 1, checkInDeadline: 1 });
BookingSchemaDef.index({ venueId: 1, day: 1 });
BookingSchemaDef.index({ slotIds: 1 });
BookingSchemaDef.index({ orderId: 1 });
export const Booking = mongoose.model<BookingDoc>('Booking', BookingSchemaDef);

/** `Idempotency-Key` claims: `_id` is `<userId>:<key>`, so a key is claimed once per user. */
export interface IdempotencyDoc {
  _id: string;
  requestHash: string;
  bookingId: Types.ObjectId | null;
  createdAt: Date;
}
const IdempotencySchema = new Schema<IdempotencyDoc>(
  { _id: String, requestHash: String, bookingId: { type: Schema.Types.ObjectId, default: null }, createdAt: Date },
  { collection: 'booking_idempotency', versionKey: false },
);
export const IdempotencyClaim = mongoose.model<IdempotencyDoc>('BookingIdempotency', IdempotencySchema);

/** Per-user limit counters: `_id` is `<venueId>:<userId>:<Monday of the week>`, taken with one guarded upsert. */
export interface QuotaDoc {
  _id: string;
  total: number;
  days: Record<string, number>;
  sports: Record<string, number>;
}
export const Quota = mongoose.model<QuotaDoc>(
  'BookingQuota',
  new Schema<QuotaDoc>(
    { _id: String, total: Number, days: Schema.Types.Mixed, sports: Schema.Types.Mixed },
    { collection: 'booking_quotas', versionKey: false },
  ),
);

export interface BanDoc {
  /** `<userId>:<venueId>:<first day>`: two jobs banning on the same day make one ban */
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
