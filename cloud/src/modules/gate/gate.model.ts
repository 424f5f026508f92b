import mongoose, { Schema, type Types } from 'mongoose';
import type { GateDirection, Sport } from '@citysport/shared';

/** A turnstile or gate controller of a venue, paired once with its own Ed25519 key. */
export interface GateDeviceDoc {
  _id: Types.ObjectId;
  venueId: Types.ObjectId;
  name: string;
  gate: string;
  direction: GateDirection;
  /** pairing → active (paired) → revoked; each by one guarded update */
  status: 'pairing' | 'active' | 'revoked';
  /** sha256 of the one-time pairing code, removed when paired */
  pairingHash?: string;
  pairingExpiresAt?: Date;
  /** standard base64 of the device's raw 32-byte Ed25519 public key */
  publicKey: string | null;
  createdBy: Types.ObjectId;
  createdAt: Date;
  pairedAt: Date | null;
  revokedAt: Date | null;
  /** the last signed request of any kind */
  lastSeenAt: Date | null;
  lastHeartbeatAt: Date | null;
  pendingUploads: number;
  doubleAdmissions: number;
  /** when the manager was told the gate is offline (cleared when it is heard from again) */
  offlineAlertedAt: Date | null;
  /** double admissions already told to the manager */
  doubleAlerted: number;
}

const GateDeviceSchema = new Schema<GateDeviceDoc>(
  {
    venueId: { type: Schema.Types.ObjectId, required: true },
    name: String,
    gate: String,
    direction: String,
    status: String,
    pairingHash: String,
    pairingExpiresAt: Date,
    publicKey: { type: String, default: null },
    createdBy: Schema.Types.ObjectId,
    createdAt: Date,
    pairedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    lastSeenAt: { type: Date, default: null },
    lastHeartbeatAt: { type: Date, default: null },
    pendingUploads: { type: Number, default: 0 },
    doubleAdmissions: { type: Number, default: 0 },
    offlineAlertedAt: { type: Date, default: null },
    doubleAlerted: { type: Number, default: 0 },
  },
  { collection: 'gate_devices', versionKey: false, minimize: false },
);
GateDeviceSchema.index({ venueId: 1, createdAt: -1 });
// not unique: the engine's partial indexes are not relied on (TOOLCHAIN.md); 10 random characters do not collide in practice
GateDeviceSchema.index({ pairingHash: 1 });
export const GateDevice = mongoose.model<GateDeviceDoc>('GateDevice', GateDeviceSchema);

/**
 * Nonces of signed device requests: `<deviceId>:<nonce>`, a unique `_id` shared by every API
 * instance, removed by the TTL index once the request would be refused for its age anyway.
 */
export interface GateNonceDoc {
  _id: string;
  expiresAt: Date;
}
const GateNonceSchema = new Schema<GateNonceDoc>(
  { _id: String, expiresAt: Date },
  { collection: 'gate_request_nonces', versionKey: false },
);
GateNonceSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
export const GateNonce = mongoose.model<GateNonceDoc>('GateNonce', GateNonceSchema);

/**
 * One person through one gate: `<deviceId>:<scan nonce>`, so an upload retried stores nothing
 * twice. An entry holds one place of the venue's occupancy counter (`holder` = its `_id`) until
 * an exit scan of the same ticket closes it (`exitedAt`, a guarded transition).
 */
export interface GatePassageDoc {
  _id: string;
  venueId: Types.ObjectId;
  deviceId: Types.ObjectId;
  direction: GateDirection;
  ticketId: Types.ObjectId;
  at: Date;
  offline: boolean;
  /** an entry on a ticket another gate had already admitted (found at upload) */
  duplicate: boolean;
  /** the entry took a place of the occupancy counter */
  counted: boolean;
  exitedAt: Date | null;
  /**
   * An online entry is written first as `entering` (before its place is taken and its ticket
   * checked), so a crash between those writes leaves a record the heal job finishes or rolls back.
   */
  entering?: boolean;
  enteringSince?: Date;
  /** an exit: the entry it closed (claimed by one guarded update, so one exit closes one entry) */
  closedEntry?: string | null;
  /** an entry: the exit that closed it */
  exitId?: string;
  /** kernel effects of the entry's close (its place back) */
  pending?: string[];
  pendingSince?: Date;
}
const GatePassageSchema = new Schema<GatePassageDoc>(
  {
    _id: String,
    venueId: Schema.Types.ObjectId,
    deviceId: Schema.Types.ObjectId,
    direction: String,
    ticketId: Schema.Types.ObjectId,
    at: Date,
    offline: Boolean,
    duplicate: Boolean,
    counted: Boolean,
    exitedAt: { type: Date, default: null },
    entering: Boolean,
    enteringSince: Date,
    closedEntry: String,
    exitId: String,
    pending: [String],
    pendingSince: Date,
  },
  { collection: 'gate_passages', versionKey: false, minimize: false },
);
GatePassageSchema.index({ ticketId: 1, direction: 1, exitedAt: 1 });
GatePassageSchema.index({ venueId: 1, at: -1 });
GatePassageSchema.index({ entering: 1, enteringSince: 1 });
GatePassageSchema.index({ pendingSince: 1 });
export const GatePassage = mongoose.model<GatePassageDoc>('GatePassage', GatePassageSchema);

/** The occupancy counter of a venue (kernel capacity kind `gate-occupancy`): inside = capacity − remaining. */
export interface GateOccupancyDoc {
  _id: Types.ObjectId;
  capacity: number;
  remaining: number;
  applied: string[];
  updatedAt: Date;
}
const GateOccupancySchema = new Schema<GateOccupancyDoc>(
  { _id: Schema.Types.ObjectId, capacity: Number, remaining: Number, applied: { type: [String], default: [] }, updatedAt: Date },
  { collection: 'gate_occupancy', versionKey: false },
);
export const GateOccupancy = mongoose.model<GateOccupancyDoc>('GateOccupancy', GateOccupancySchema);

/** A walk-up ticket type of a venue (游泳 2 小时): sold for now, at the entrance. */
export interface WalkupProductDoc {
  _id: Types.ObjectId;
  venueId: Types.ObjectId;
  venueName: string;
  name: string;
  sport: Sport;
  durationMinutes: number;
  priceFen: number;
  dailyCapacity: number;
  active: boolean;
  createdAt: Date;
}
const WalkupProductSchema = new Schema<WalkupProductDoc>(
  {
    venueId: { type: Schema.Types.ObjectId, required: true, index: true },
    venueName: String,
    name: String,
    sport: String,
    durationMinutes: Number,
    priceFen: Number,
    dailyCapacity: Number,
    active: { type: Boolean, default: true },
    createdAt: Date,
  },
  { collection: 'walkup_products', versionKey: false },
);
export const WalkupProduct = mongoose.model<WalkupProductDoc>('WalkupProduct', WalkupProductSchema);

/** The places of a product on one business day (kernel capacity kind `walkup-day`), `<productId>:<day>`. */
export interface WalkupDayDoc {
  _id: string;
  remaining: number;
  applied: string[];
}
const WalkupDaySchema = new Schema<WalkupDayDoc>(
  { _id: String, remaining: Number, applied: { type: [String], default: [] } },
  { collection: 'walkup_days', versionKey: false },
);
export const WalkupDay = mongoose.model<WalkupDayDoc>('WalkupDay', WalkupDaySchema);

/** A walk-up purchase: taking (inserted before the place is taken) → pending (order open) → paid | released. */
export interface WalkupPurchaseDoc {
  _id: Types.ObjectId;
  productId: Types.ObjectId;
  venueId: Types.ObjectId;
  userId: Types.ObjectId | null;
  dayId: string;
  status: 'taking' | 'pending' | 'paid' | 'released' | 'used';
  orderId: string | null;
  priceFen: number;
  createdAt: Date;
  expiresAt: Date;
  paidAt: Date | null;
  /** kernel effects of the release (its place back) */
  pending?: string[];
  pendingSince?: Date;
}
const WalkupPurchaseSchema = new Schema<WalkupPurchaseDoc>(
  {
    productId: Schema.Types.ObjectId,
    venueId: Schema.Types.ObjectId,
    userId: { type: Schema.Types.ObjectId, default: null },
    dayId: String,
    status: String,
    orderId: { type: String, default: null },
    priceFen: Number,
    createdAt: Date,
    expiresAt: Date,
    paidAt: { type: Date, default: null },
    pending: [String],
    pendingSince: Date,
  },
  { collection: 'walkup_purchases', versionKey: false, minimize: false },
);
WalkupPurchaseSchema.index({ status: 1, expiresAt: 1 });
export const WalkupPurchase = mongoose.model<WalkupPurchaseDoc>('WalkupPurchase', WalkupPurchaseSchema);
