import mongoose, { Schema, type Types } from 'mongoose';
import type { GuidanceSport, InstructorLevel } from '@citysport/shared';

/** One document per applicant; `_id` is the user's id, so the instructor id is the user id. */
export interface InstructorDoc {
  _id: Types.ObjectId;
  name: string;
  level: InstructorLevel;
  /** AES-GCM sealed (platform/crypto-field); shown masked */
  certificateNoSealed: string;
  certificateNoMasked: string;
  specialities: GuidanceSport[];
  district: string;
  bio: string;
  photoId: Types.ObjectId | null;
  status: 'pending' | 'verified' | 'rejected';
  reason: string | null;
  appliedAt: Date;
  reviewedAt: Date | null;
  reviewedBy: Types.ObjectId | null;
  ratingSum: number;
  ratingCount: number;
  /** each level the bureau verified, first time only (the service rules of INSTRUCTOR_LEVEL_RULES read it) */
  levelHistory?: { level: InstructorLevel; at: Date }[];
  pending?: string[];
  pendingSince?: Date;
}

const InstructorSchema = new Schema<InstructorDoc>(
  {
    _id: Schema.Types.ObjectId,
    name: String,
    level: String,
    certificateNoSealed: String,
    certificateNoMasked: String,
    specialities: [String],
    district: String,
    bio: String,
    photoId: { type: Schema.Types.ObjectId, default: null },
    status: { type: String, required: true },
    reason: { type: String, default: null },
    appliedAt: Date,
    reviewedAt: { type: Date, default: null },
    reviewedBy: { type: Schema.Types.ObjectId, default: null },
    ratingSum: { type: Number, default: 0 },
    ratingCount: { type: Number, default: 0 },
    levelHistory: { type: [{ _id: false, level: String, at: Date }], default: undefined },
    pending: { type: [String], default: undefined },
    pendingSince: Date,
  },
  { collection: 'guidance_instructors', versionKey: false },
);
InstructorSchema.index({ status: 1, district: 1 });
export const Instructor = mongoose.model<InstructorDoc>('GuidanceInstructor', InstructorSchema);

export type SessionStatus = 'published' | 'delivered' | 'not_delivered' | 'cancelled';

export interface SessionDoc {
  _id: Types.ObjectId;
  instructorId: Types.ObjectId;
  title: string;
  sport: GuidanceSport;
  district: string;
  place: { name: string; address: string; location: { lat: number; lng: number } };
  startAt: Date;
  endAt: Date;
  capacity: number;
  /** the kernel's capacity counter (kind `guidance_session`) */
  remaining: number;
  applied: string[];
  difficulty: 'easy' | 'medium' | 'hard';
  bring: string;
  geofenceM: number;
  status: SessionStatus;
  checkedInAt: Date | null;
  checkIn: { lat: number; lng: number; accuracyM: number; distanceM: number } | null;
  log: { content: string; durationMinutes: number; photoIds: Types.ObjectId[]; at: Date } | null;
  /** no check-in or log by then → not delivered (the `guidance-not-delivered` job) */
  logDueAt: Date;
  attended: number;
  seriesId: Types.ObjectId | null;
  requestId: Types.ObjectId | null;
  createdAt: Date;
  pending?: string[];
  pendingSince?: Date;
}

const SessionSchema = new Schema<SessionDoc>(
  {
    instructorId: { type: Schema.Types.ObjectId, required: true },
    title: String,
    sport: String,
    district: String,
    place: { name: String, address: String, location: { lat: Number, lng: Number } },
    startAt: { type: Date, required: true },
    endAt: { type: Date, required: true },
    capacity: Number,
    remaining: Number,
    applied: { type: [String], default: [] },
    difficulty: String,
    bring: { type: String, default: '' },
    geofenceM: Number,
    status: { type: String, required: true },
    checkedInAt: { type: Date, default: null },
    checkIn: { type: Schema.Types.Mixed, default: null },
    log: { type: Schema.Types.Mixed, default: null },
    logDueAt: Date,
    attended: { type: Number, default: 0 },
    seriesId: { type: Schema.Types.ObjectId, default: null },
    requestId: { type: Schema.Types.ObjectId, default: null },
    createdAt: Date,
    pending: { type: [String], default: undefined },
    pendingSince: Date,
  },
  { collection: 'guidance_sessions', versionKey: false },
);
SessionSchema.index({ status: 1, startAt: 1 });
SessionSchema.index({ instructorId: 1, startAt: 1 });
SessionSchema.index({ pendingSince: 1 });
export const GuidanceSession = mongoose.model<SessionDoc>('GuidanceSession', SessionSchema);

/** `_id` is `<sessionId>:<userId>`: one sign-up per person and session; `round` counts re-sign-ups after a cancel. */
export interface SignupDoc {
  _id: string;
  sessionId: Types.ObjectId;
  userId: Types.ObjectId;
  status: 'taking' | 'confirmed' | 'attended' | 'cancelled' | 'failed';
  round: number;
  /** this round's ticket source id: random, so the data centre's ticket events never carry the user id */
  ref: string;
  takingSince: Date;
  confirmedAt: Date | null;
  attendedAt: Date | null;
  cancelledAt: Date | null;
  pending?: string[];
  pendingSince?: Date;
}

const SignupSchema = new Schema<SignupDoc>(
  {
    _id: String,
    sessionId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, required: true },
    round: { type: Number, default: 0 },
    ref: { type: String, required: true },
    takingSince: Date,
    confirmedAt: { type: Date, default: null },
    attendedAt: { type: Date, default: null },
    cancelledAt: { type: Date, default: null },
    pending: { type: [String], default: undefined },
    pendingSince: Date,
  },
  { collection: 'guidance_signups', versionKey: false },
);
SignupSchema.index({ ref: 1 }, { unique: true });
SignupSchema.index({ sessionId: 1, status: 1 });
SignupSchema.index({ userId: 1, status: 1 });
SignupSchema.index({ pendingSince: 1 });
export const GuidanceSignup = mongoose.model<SignupDoc>('GuidanceSignup', SignupSchema);

export interface RatingDoc {
  _id: Types.ObjectId;
  sessionId: Types.ObjectId;
  instructorId: Types.ObjectId;
  /** a citizen (kind `citizen`) or the organisation that requested the session (kind `organisation`) */
  userId: Types.ObjectId;
  kind: 'citizen' | 'organisation';
  stars: number;
  comment: string;
  reply: string | null;
  createdAt: Date;
  repliedAt: Date | null;
}

const RatingSchema = new Schema<RatingDoc>(
  {
    sessionId: { type: Schema.Types.ObjectId, required: true },
    instructorId: { type: Schema.Types.ObjectId, required: true, index: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, default: 'citizen' },
    stars: Number,
    comment: { type: String, default: '' },
    reply: { type: String, default: null },
    createdAt: Date,
    repliedAt: { type: Date, default: null },
  },
  { collection: 'guidance_ratings', versionKey: false },
);
// once per person and session: a second rating is E11000 → 409
RatingSchema.index({ sessionId: 1, userId: 1 }, { unique: true });
export const GuidanceRating = mongoose.model<RatingDoc>('GuidanceRating', RatingSchema);

export interface RequestDoc {
  _id: Types.ObjectId;
  orgUserId: Types.ObjectId;
  organisation: { name: string; kind: 'community' | 'school' | 'enterprise' };
  sport: GuidanceSport;
  district: string;
  place: { name: string; address: string; location: { lat: number; lng: number } };
  startAt: Date;
  endAt: Date;
  groupSize: number;
  note: string;
  status: 'open' | 'assigned';
  instructorId: Types.ObjectId | null;
  sessionId: Types.ObjectId | null;
  assignedBy: 'instructor' | 'bureau' | null;
  createdAt: Date;
}

const RequestSchema = new Schema<RequestDoc>(
  {
    orgUserId: { type: Schema.Types.ObjectId, required: true, index: true },
    organisation: { name: String, kind: String },
    sport: String,
    district: String,
    place: { name: String, address: String, location: { lat: Number, lng: Number } },
    startAt: Date,
    endAt: Date,
    groupSize: Number,
    note: { type: String, default: '' },
    status: { type: String, required: true },
    instructorId: { type: Schema.Types.ObjectId, default: null },
    sessionId: { type: Schema.Types.ObjectId, default: null },
    assignedBy: { type: String, default: null },
    createdAt: Date,
  },
  { collection: 'guidance_requests', versionKey: false },
);
export const GuidanceRequest = mongoose.model<RequestDoc>('GuidanceRequest', RequestSchema);
