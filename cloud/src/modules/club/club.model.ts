import mongoose, { Schema, type Types } from 'mongoose';
import type { ClubRole, ClubSport, ClubStatus } from '@citysport/shared';

/**
 * Clubs (issue 14). Uniqueness uses the "lock key" pattern instead of partial indexes (which
 * mongo-java-server lacks): a live record carries a fixed key (`live`, or the normalised name),
 * an ended one its own id, so a unique index holds only among live records.
 */
export interface ClubDoc {
  _id: Types.ObjectId;
  name: string;
  /** normalised name (NFKC, no spaces, lower case) */
  nameKey: string;
  /** nameKey while pending/approved/suspended; `<nameKey>#<id>` once rejected or dissolved (frees the name) */
  nameLock: string;
  sport: ClubSport;
  district: string;
  purpose: string;
  charter: string;
  contactName: string;
  contactPhoneSealed: string;
  registrationNo: string | null;
  founderId: Types.ObjectId;
  status: ClubStatus;
  reviewReason: string | null;
  statusReason: string | null;
  memberLimit: number;
  /** member places left: the kernel's capacity counter (kind `club_member`) */
  remaining: number;
  applied: string[];
  openJoin: boolean;
  duesFen: number;
  duesPolicy: 'none' | 'prorata';
  createdAt: Date;
  approvedAt: Date | null;
  pending?: string[];
  pendingSince?: Date | null;
}

const ClubSchema = new Schema<ClubDoc>(
  {
    name: { type: String, required: true },
    nameKey: { type: String, required: true },
    nameLock: { type: String, required: true },
    sport: { type: String, required: true },
    district: { type: String, required: true },
    purpose: String,
    charter: String,
    contactName: String,
    contactPhoneSealed: String,
    registrationNo: { type: String, default: null },
    founderId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, required: true },
    reviewReason: { type: String, default: null },
    statusReason: { type: String, default: null },
    memberLimit: Number,
    remaining: Number,
    applied: { type: [String], default: [] },
    openJoin: Boolean,
    duesFen: Number,
    duesPolicy: String,
    createdAt: Date,
    approvedAt: { type: Date, default: null },
    pending: { type: [String], default: undefined },
    pendingSince: { type: Date, default: null },
  },
  { collection: 'clubs', versionKey: false },
);
// names are unique per district among live clubs
ClubSchema.index({ district: 1, nameLock: 1 }, { unique: true });
ClubSchema.index({ status: 1, sport: 1, district: 1 });
export const Club = mongoose.model<ClubDoc>('Club', ClubSchema);

/** `joining`: approved, taking a member place (a crash leaves it for the sweeper to roll back) */
export type MemberStatus = 'requested' | 'joining' | 'member' | 'rejected' | 'left' | 'removed';
export interface MemberDoc {
  _id: Types.ObjectId;
  clubId: Types.ObjectId;
  userId: Types.ObjectId;
  /** `live` while requested/member; the record's id once it ended (so one live record per user and club) */
  liveKey: string;
  status: MemberStatus;
  role: ClubRole;
  message: string | null;
  phoneSealed: string | null;
  notifyOptIn: boolean;
  /** holds a member place (capacity) since approval */
  placeTaken: boolean;
  paidUntil: Date | null;
  /** the paidUntil a reminder was last sent for */
  remindedFor: Date | null;
  createdAt: Date;
  joinedAt: Date | null;
  endedAt: Date | null;
  /** the capacity holder of the current approval attempt (`<memberId>:<attempt>`) */
  placeHolder: string | null;
  endedBy: 'self' | 'club' | 'dissolved' | null;
  /** set on the old president by a handover, until the heir is made president (kernel.effects) */
  handoverTo?: Types.ObjectId | null;
  pending?: string[];
  pendingSince?: Date | null;
}
const MemberSchema = new Schema<MemberDoc>(
  {
    clubId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    liveKey: { type: String, required: true },
    status: { type: String, required: true },
    role: { type: String, required: true },
    message: { type: String, default: null },
    phoneSealed: { type: String, default: null },
    notifyOptIn: { type: Boolean, default: false },
    placeTaken: { type: Boolean, default: false },
    paidUntil: { type: Date, default: null },
    remindedFor: { type: Date, default: null },
    createdAt: Date,
    joinedAt: { type: Date, default: null },
    endedAt: { type: Date, default: null },
    placeHolder: { type: String, default: null },
    endedBy: { type: String, default: null },
    handoverTo: { type: Schema.Types.ObjectId, default: null },
    pending: { type: [String], default: undefined },
    pendingSince: { type: Date, default: null },
  },
  { collection: 'club_members', versionKey: false },
);
MemberSchema.index({ clubId: 1, userId: 1, liveKey: 1 }, { unique: true });
MemberSchema.index({ userId: 1, status: 1 });
MemberSchema.index({ status: 1, paidUntil: 1 });
MemberSchema.index({ pendingSince: 1 });
export const ClubMember = mongoose.model<MemberDoc>('ClubMember', MemberSchema);

export interface ActivityDoc {
  _id: Types.ObjectId;
  clubId: Types.ObjectId;
  title: string;
  description: string;
  place: string;
  startAt: Date;
  endAt: Date;
  capacity: number;
  /** places left: capacity kind `club_activity` */
  remaining: number;
  applied: string[];
  membersOnly: boolean;
  feeFen: number;
  status: 'open' | 'suspended' | 'cancelled';
  createdBy: Types.ObjectId;
  createdAt: Date;
  /** the court booked for it through the booking module's service (a copy of where and when; the booking is booking's) */
  booking?: ActivityBooking | null;
  cancelReason?: string | null;
  cancelledAt?: Date | null;
  /** kernel.effects: what a cancellation still owes (sign-ups ended, the booking settled) */
  pending?: string[];
  pendingSince?: Date | null;
}
export interface ActivityBooking {
  bookingId: string;
  /** the club admin who holds the booking (booking's owner) */
  bookedBy: Types.ObjectId;
  venueId: string;
  venueName: string;
  resourceName: string;
  startAt: Date;
  endAt: Date;
  status: string;
  orderId: string | null;
  /** set when the activity is cancelled: 'cancel' (default) or 'keep' */
  decision: 'cancel' | 'keep' | null;
  outcome: 'cancelled' | 'kept' | 'window_closed' | null;
}
const ActivitySchema = new Schema<ActivityDoc>(
  {
    clubId: { type: Schema.Types.ObjectId, required: true, index: true },
    title: String,
    description: String,
    place: String,
    startAt: Date,
    endAt: Date,
    capacity: Number,
    remaining: Number,
    applied: { type: [String], default: [] },
    membersOnly: Boolean,
    feeFen: Number,
    status: String,
    createdBy: Schema.Types.ObjectId,
    createdAt: Date,
    booking: { type: Schema.Types.Mixed, default: null },
    cancelReason: String,
    cancelledAt: Date,
    pending: [String],
    pendingSince: Date,
  },
  { collection: 'club_activities', versionKey: false },
);
ActivitySchema.index({ pendingSince: 1 });
export const ClubActivity = mongoose.model<ActivityDoc>('ClubActivity', ActivitySchema);

/** One booking serves one activity: a claim per booking (`_id` = the booking id, unique without any index), taken before the link. */
export interface CourtClaimDoc {
  _id: string;
  activityId: Types.ObjectId;
  at: Date;
}
const CourtClaimSchema = new Schema<CourtClaimDoc>(
  { _id: String, activityId: Schema.Types.ObjectId, at: Date },
  { collection: 'club_activity_courts', versionKey: false },
);
export const ClubCourtClaim = mongoose.model<CourtClaimDoc>('ClubCourtClaim', CourtClaimSchema);

export type SignupStatus = 'taking' | 'held' | 'confirmed' | 'attended' | 'cancelled' | 'expired' | 'failed';
export interface SignupDoc {
  _id: Types.ObjectId;
  activityId: Types.ObjectId;
  clubId: Types.ObjectId;
  userId: Types.ObjectId;
  liveKey: string;
  status: SignupStatus;
  amountFen: number;
  orderId: string | null;
  createdAt: Date;
  attendedAt: Date | null;
  pending?: string[];
  pendingSince?: Date | null;
}
const SignupSchema = new Schema<SignupDoc>(
  {
    activityId: { type: Schema.Types.ObjectId, required: true },
    clubId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    liveKey: { type: String, required: true },
    status: { type: String, required: true },
    amountFen: Number,
    orderId: { type: String, default: null },
    createdAt: Date,
    attendedAt: { type: Date, default: null },
    pending: { type: [String], default: undefined },
    pendingSince: { type: Date, default: null },
  },
  { collection: 'club_signups', versionKey: false },
);
SignupSchema.index({ activityId: 1, userId: 1, liveKey: 1 }, { unique: true });
SignupSchema.index({ pendingSince: 1 });
SignupSchema.index({ status: 1, createdAt: 1 });
export const ClubSignup = mongoose.model<SignupDoc>('ClubSignup', SignupSchema);

export interface DuesDoc {
  _id: Types.ObjectId;
  clubId: Types.ObjectId;
  userId: Types.ObjectId;
  memberId: Types.ObjectId;
  /** `<memberId>:<periodStart ISO>` while held/paid; its own id once closed/refunded */
  liveKey: string;
  periodStart: Date;
  periodEnd: Date;
  amountFen: number;
  status: 'held' | 'paid' | 'refunded' | 'closed';
  orderId: string | null;
  paidAt: Date | null;
  refundedFen: number;
  refundReason: string | null;
  createdAt: Date;
  pending?: string[];
  pendingSince?: Date | null;
}
const DuesSchema = new Schema<DuesDoc>(
  {
    clubId: { type: Schema.Types.ObjectId, required: true, index: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    liveKey: { type: String, required: true, unique: true },
    periodStart: Date,
    periodEnd: Date,
    amountFen: Number,
    status: String,
    orderId: { type: String, default: null },
    paidAt: { type: Date, default: null },
    refundedFen: { type: Number, default: 0 },
    refundReason: { type: String, default: null },
    createdAt: Date,
    pending: { type: [String], default: undefined },
    pendingSince: { type: Date, default: null },
  },
  { collection: 'club_dues', versionKey: false },
);
export const ClubDues = mongoose.model<DuesDoc>('ClubDues', DuesSchema);

export interface AnnouncementDoc {
  _id: Types.ObjectId;
  clubId: Types.ObjectId;
  title: string;
  body: string;
  pinned: boolean;
  authorId: Types.ObjectId;
  createdAt: Date;
  /** kernel.effects: what the post still owes (the members' subscribe messages) */
  pending?: string[];
  pendingSince?: Date | null;
}
const AnnouncementSchema = new Schema<AnnouncementDoc>(
  {
    clubId: { type: Schema.Types.ObjectId, required: true, index: true },
    title: String,
    body: String,
    pinned: Boolean,
    authorId: Schema.Types.ObjectId,
    createdAt: Date,
    pending: [String],
    pendingSince: Date,
  },
  { collection: 'club_announcements', versionKey: false },
);
AnnouncementSchema.index({ pendingSince: 1 });
export const ClubAnnouncement = mongoose.model<AnnouncementDoc>('ClubAnnouncement', AnnouncementSchema);

/** One member's subscribe message for one announcement: `_id` = announcementId:userId, claimed before the send (at most once each). */
export interface AnnouncementDeliveryDoc {
  _id: string;
  announcementId: Types.ObjectId;
  userId: Types.ObjectId;
  status: 'sending' | 'sent';
  at: Date;
}
const AnnouncementDeliverySchema = new Schema<AnnouncementDeliveryDoc>(
  {
    _id: String,
    announcementId: { type: Schema.Types.ObjectId, required: true, index: true },
    userId: Schema.Types.ObjectId,
    status: String,
    at: Date,
  },
  { collection: 'club_announcement_deliveries', versionKey: false },
);
export const ClubAnnouncementDelivery = mongoose.model<AnnouncementDeliveryDoc>('ClubAnnouncementDelivery', AnnouncementDeliverySchema);
