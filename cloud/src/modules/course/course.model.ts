import mongoose, { Schema, type Types } from 'mongoose';
import type { CourseLevel, CourseSport, CourseStatus, EnrolmentStatus, RefundRule } from '@citysport/shared';

/** An approved training organisation (培训机构): created by a bureau admin (audited); `course_provider` is scoped to it. */
export interface TrainingOrgDoc {
  _id: Types.ObjectId;
  name: string;
  district: string;
  creditCode: string;
  contactName: string;
  status: 'approved' | 'suspended';
  createdBy: Types.ObjectId;
  createdAt: Date;
}
const TrainingOrgSchema = new Schema<TrainingOrgDoc>(
  {
    name: { type: String, required: true },
    district: String,
    creditCode: { type: String, required: true, unique: true },
    contactName: String,
    status: { type: String, required: true },
    createdBy: Schema.Types.ObjectId,
    createdAt: Date,
  },
  { collection: 'training_orgs', versionKey: false },
);
export const TrainingOrg = mongoose.model<TrainingOrgDoc>('TrainingOrg', TrainingOrgSchema);

export interface LessonDoc {
  index: number;
  startAt: Date;
  endAt: Date;
}

export interface CourseDoc {
  _id: Types.ObjectId;
  provider: { kind: 'venue' | 'organisation'; id: string; name: string };
  title: string;
  description: string;
  sport: CourseSport;
  level: CourseLevel;
  minAge: number;
  maxAge: number;
  venueId: Types.ObjectId | null;
  placeName: string;
  address: string;
  district: string;
  lessons: LessonDoc[];
  firstLessonAt: Date;
  lastLessonAt: Date;
  capacity: number;
  /** places left: the kernel's capacity counter (kind `course`) */
  remaining: number;
  applied: string[];
  priceFen: number;
  enrolOpensAt: Date;
  enrolClosesAt: Date;
  refundRule: RefundRule;
  certificateMinLessons: number;
  teacher: { name: string; instructorId: string | null };
  status: CourseStatus;
  cancelReason: string | null;
  createdBy: Types.ObjectId;
  createdAt: Date;
  pending?: string[];
  pendingSince?: Date | null;
}
const CourseSchema = new Schema<CourseDoc>(
  {
    provider: { kind: String, id: String, name: String },
    title: { type: String, required: true },
    description: String,
    sport: { type: String, required: true },
    level: String,
    minAge: Number,
    maxAge: Number,
    venueId: { type: Schema.Types.ObjectId, default: null },
    placeName: String,
    address: String,
    district: String,
    lessons: [{ _id: false, index: Number, startAt: Date, endAt: Date }],
    firstLessonAt: Date,
    lastLessonAt: Date,
    capacity: Number,
    remaining: Number,
    applied: { type: [String], default: [] },
    priceFen: Number,
    enrolOpensAt: Date,
    enrolClosesAt: Date,
    refundRule: { beforeStart: String, afterStart: String, noRefundFromLesson: Number },
    certificateMinLessons: Number,
    teacher: { name: String, instructorId: { type: String, default: null } },
    status: { type: String, required: true },
    cancelReason: { type: String, default: null },
    createdBy: Schema.Types.ObjectId,
    createdAt: Date,
    pending: { type: [String], default: undefined },
    pendingSince: { type: Date, default: null },
  },
  { collection: 'courses', versionKey: false },
);
CourseSchema.index({ status: 1, sport: 1, district: 1, firstLessonAt: 1 });
CourseSchema.index({ 'provider.kind': 1, 'provider.id': 1 });
CourseSchema.index({ pendingSince: 1 });
export const Course = mongoose.model<CourseDoc>('Course', CourseSchema);

/**
 * One enrolment = one participant on one course. `personKey` is a keyed hash of the ID number;
 * `liveKey` is `live` while the enrolment is alive and its own id once it ended, so the unique
 * index (courseId, personKey, liveKey) allows one live enrolment per person per course (the lock
 * key pattern: mongo-java-server has no partial indexes).
 */
export interface EnrolmentDoc {
  _id: Types.ObjectId;
  courseId: Types.ObjectId;
  userId: Types.ObjectId;
  personKey: string;
  liveKey: string;
  status: EnrolmentStatus;
  /** AES-GCM sealed `{name, idNumber, guardian}` */
  sealed: string;
  masked: { name: string; idNumber: string };
  ageAtStart: number;
  minor: boolean;
  amountFen: number;
  orderId: string | null;
  payDeadline: Date | null;
  /** lesson indices (1-based) attended */
  attended: number[];
  lessonsHeldAtEnd: number | null;
  refundFen: number;
  endedBy: 'self' | 'provider' | 'admin' | null;
  endReason: string | null;
  createdAt: Date;
  enrolledAt: Date | null;
  endedAt: Date | null;
  pending?: string[];
  pendingSince?: Date | null;
}
const EnrolmentSchema = new Schema<EnrolmentDoc>(
  {
    courseId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    personKey: { type: String, required: true },
    liveKey: { type: String, required: true },
    status: { type: String, required: true },
    sealed: String,
    masked: { name: String, idNumber: String },
    ageAtStart: Number,
    minor: Boolean,
    amountFen: Number,
    orderId: { type: String, default: null },
    payDeadline: { type: Date, default: null },
    attended: { type: [Number], default: [] },
    lessonsHeldAtEnd: { type: Number, default: null },
    refundFen: { type: Number, default: 0 },
    endedBy: { type: String, default: null },
    endReason: { type: String, default: null },
    createdAt: Date,
    enrolledAt: { type: Date, default: null },
    endedAt: { type: Date, default: null },
    pending: { type: [String], default: undefined },
    pendingSince: { type: Date, default: null },
  },
  { collection: 'course_enrolments', versionKey: false },
);
// one live enrolment per person (ID number) per course; the shard key would be courseId
EnrolmentSchema.index({ courseId: 1, personKey: 1, liveKey: 1 }, { unique: true });
EnrolmentSchema.index({ courseId: 1, status: 1, _id: 1 });
EnrolmentSchema.index({ userId: 1, createdAt: -1 });
EnrolmentSchema.index({ status: 1, payDeadline: 1 });
EnrolmentSchema.index({ pendingSince: 1 });
export const Enrolment = mongoose.model<EnrolmentDoc>('CourseEnrolment', EnrolmentSchema);
