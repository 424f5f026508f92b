import mongoose, { Schema, type Types } from 'mongoose';
import type { Sport } from '@citysport/shared';

export interface TicketDoc {
  _id: Types.ObjectId;
  bookingId: Types.ObjectId;
  userId: Types.ObjectId;
  venueId: Types.ObjectId;
  venueName: string;
  resourceName: string;
  sport: Sport;
  startAt: Date;
  endAt: Date;
  seat: number;
  holderName: string;
  /** valid → used by one guarded update: two gates racing admit one person */
  status: 'valid' | 'used' | 'revoked';
  usedAt: Date | null;
  usedBy: Types.ObjectId | null;
  usedDeviceId: string | null;
  createdAt: Date;
}

const TicketSchemaDef = new Schema<TicketDoc>(
  {
    bookingId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    venueId: { type: Schema.Types.ObjectId, required: true },
    venueName: String,
    resourceName: String,
    sport: String,
    startAt: Date,
    endAt: Date,
    seat: Number,
    holderName: String,
    status: { type: String, required: true },
    usedAt: { type: Date, default: null },
    usedBy: { type: Schema.Types.ObjectId, default: null },
    usedDeviceId: { type: String, default: null },
    createdAt: Date,
  },
  { collection: 'tickets', versionKey: false },
);
// issuing twice (a retried confirmation) cannot make a second ticket for the same person
TicketSchemaDef.index({ bookingId: 1, seat: 1 }, { unique: true });
TicketSchemaDef.index({ userId: 1, startAt: -1 });
TicketSchemaDef.index({ venueId: 1, status: 1, startAt: 1 });
export const Ticket = mongoose.model<TicketDoc>('Ticket', TicketSchemaDef);

export interface VerificationDoc {
  /** `<staffId>:<nonce>` when the device sent a nonce: a retried upload finds its first answer */
  _id: string;
  staffId: Types.ObjectId;
  venueId: Types.ObjectId;
  ticketId: Types.ObjectId | null;
  result: string;
  errorCode: string | null;
  errorDetails: unknown;
  at: Date;
  scannedAt: Date;
  deviceId: string | null;
  offline: boolean;
  duplicate: boolean;
}
const VerificationSchemaDef = new Schema<VerificationDoc>(
  {
    _id: String,
    staffId: Schema.Types.ObjectId,
    venueId: Schema.Types.ObjectId,
    ticketId: { type: Schema.Types.ObjectId, default: null },
    result: String,
    errorCode: { type: String, default: null },
    errorDetails: { type: Schema.Types.Mixed, default: null },
    at: Date,
    scannedAt: Date,
    deviceId: { type: String, default: null },
    offline: Boolean,
    duplicate: Boolean,
  },
  { collection: 'verifications', versionKey: false, minimize: false },
);
VerificationSchemaDef.index({ venueId: 1, at: -1 });
export const Verification = mongoose.model<VerificationDoc>('Verification', VerificationSchemaDef);
