import mongoose, { Schema, type Types } from 'mongoose';
import type { Sport } from '@citysport/shared';

/** What a ticket admits to: the issuing module's kind and its id (ARCHITECTURE.md, "Module descriptors"). */
export interface TicketSource {
  kind: string;
  id: string;
}

export interface TicketDoc {
  _id: Types.ObjectId;
  source: TicketSource;
  /** tickets issued before sources existed carry only this (read as source {kind: 'booking'}) */
  bookingId?: Types.ObjectId;
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
  /** the admitting scan (staff:nonce of an offline upload), so a racing copy of that upload knows it was itself */
  usedScan?: string | null;
  createdAt: Date;
  /** effects still owed by the last transition (the source told of the admission) */
  pending?: string[];
  pendingSince?: Date;
}

const TicketSchemaDef = new Schema<TicketDoc>(
  {
    source: { kind: { type: String, required: true }, id: { type: String, required: true } },
    bookingId: { type: Schema.Types.ObjectId },
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
    usedScan: { type: String, default: null },
    createdAt: Date,
    pending: { type: [String], default: undefined },
    pendingSince: Date,
  },
  { collection: 'tickets', versionKey: false },
);
// issuing twice (a retried confirmation) cannot make a second ticket for the same person
TicketSchemaDef.index({ 'source.kind': 1, 'source.id': 1, seat: 1 }, { unique: true });
TicketSchemaDef.index({ pendingSince: 1 });
// the gate heal's question for a scan whose record a crash lost: which ticket did it admit?
TicketSchemaDef.index({ usedScan: 1 });
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
  /** what was scanned under this nonce (sha-256 of venue and code): the same nonce with another code is not a retry */
  scanHash?: string | null;
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
    scanHash: { type: String, default: null },
  },
  { collection: 'verifications', versionKey: false, minimize: false },
);
VerificationSchemaDef.index({ venueId: 1, at: -1 });
export const Verification = mongoose.model<VerificationDoc>('Verification', VerificationSchemaDef);
