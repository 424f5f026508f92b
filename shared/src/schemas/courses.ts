import { z } from 'zod';
import { IdSchema, text } from './common';
import { DISTRICTS } from './venues';
import { ClubSportSchema, CLUB_SPORT_LABELS_ZH, type ClubSport } from './clubs';

/**
 * Training courses (报名培训, issue 15). A provider (a venue's manager or an approved training
 * organisation) publishes a course with a schedule of lessons; citizens enrol themselves or a
 * child and pay through the unified flow (order kind `course`); each lesson is a ticket
 * (source `course_lesson`). The refund rule and the certificate rule are data on the course.
 */
export const CourseSportSchema = ClubSportSchema;
export type CourseSport = ClubSport;
export const COURSE_SPORT_LABELS_ZH = CLUB_SPORT_LABELS_ZH;
export const COURSE_LEVELS = ['beginner', 'intermediate', 'advanced'] as const;
export const CourseLevelSchema = z.enum(COURSE_LEVELS);
export type CourseLevel = z.infer<typeof CourseLevelSchema>;
export const COURSE_LEVEL_LABELS_ZH: Record<CourseLevel, string> = { beginner: '入门', intermediate: '提高', advanced: '进阶' };
export const COURSE_STATUSES = ['open', 'cancelled'] as const;
export type CourseStatus = (typeof COURSE_STATUSES)[number];

/** 18 and over at the first lesson enrol without a guardian. */
export const COURSE_ADULT_AGE = 18;
export const MAX_LESSONS = 60;

const nonEmpty = (max: number) => text(max).pipe(z.string().min(1, 'required'));
const Iso = z.iso.datetime({ offset: true });

/**
 * The refund rule, as data (issue 15): before the first lesson `beforeStart`; once lessons have
 * been held, `afterStart` (pro rata refunds the share of lessons not yet held); from
 * `noRefundFromLesson` lessons held on, nothing (e.g. 4 of 8 = "none after half").
 */
export const RefundRuleSchema = z
  .object({
    beforeStart: z.enum(['full', 'none']),
    afterStart: z.enum(['pro_rata', 'none']),
    noRefundFromLesson: z.number().int().min(1).max(MAX_LESSONS),
  })
  .strict();
export type RefundRule = z.infer<typeof RefundRuleSchema>;

export const CoursePlaceSchema = z.union([
  z.object({ venueId: IdSchema }).strict(),
  z.object({ address: nonEmpty(100), district: z.enum(DISTRICTS) }).strict(),
]);
export const CourseTeacherSchema = z.union([z.object({ instructorId: IdSchema }).strict(), z.object({ name: nonEmpty(30) }).strict()]);
export const LessonInputSchema = z.object({ startAt: Iso, endAt: Iso }).strict();

export const CourseProviderRefSchema = z.union([z.object({ venueId: IdSchema }).strict(), z.object({ organisationId: IdSchema }).strict()]);

export const PublishCourseSchema = z
  .object({
    provider: CourseProviderRefSchema,
    title: nonEmpty(40),
    description: text(2000).default(''),
    sport: CourseSportSchema,
    level: CourseLevelSchema,
    minAge: z.number().int().min(0).max(100),
    maxAge: z.number().int().min(0).max(100),
    place: CoursePlaceSchema,
    lessons: z.array(LessonInputSchema).min(1).max(MAX_LESSONS),
    capacity: z.number().int().min(1).max(500),
    priceFen: z.number().int().min(0).max(10_000_000),
    enrolOpensAt: Iso,
    enrolClosesAt: Iso,
    refundRule: RefundRuleSchema,
    /** lessons attended for the certificate (e.g. 6 of 8) */
    certificateMinLessons: z.number().int().min(1).max(MAX_LESSONS),
    teacher: CourseTeacherSchema,
  })
  .strict();
export type PublishCourse = z.infer<typeof PublishCourseSchema>;

/** What a provider may change after publishing (the lessons and the price stay as sold). */
export const UpdateCourseSchema = z
  .object({
    title: nonEmpty(40).optional(),
    description: text(2000).optional(),
    enrolClosesAt: Iso.optional(),
    teacher: CourseTeacherSchema.optional(),
  })
  .strict();
export type UpdateCourse = z.infer<typeof UpdateCourseSchema>;

export const CourseListQuerySchema = z
  .object({
    sport: CourseSportSchema.optional(),
    district: z.enum(DISTRICTS).optional(),
    age: z.coerce.number().int().min(0).max(100).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type CourseListQuery = z.infer<typeof CourseListQuerySchema>;

export const EnrolSchema = z
  .object({
    participant: z
      .object({
        name: nonEmpty(30),
        /** checked by the service (GB 11643 checksum), so a bad number answers ID_NUMBER_INVALID */
        idNumber: z.string().trim().min(1).max(32),
      })
      .strict(),
    /** the account holder consents as the minor's parent or guardian */
    guardianConsent: z
      .object({ name: nonEmpty(30), relation: z.enum(['parent', 'guardian']), accepted: z.literal(true) })
      .strict()
      .optional(),
  })
  .strict();
export type Enrol = z.infer<typeof EnrolSchema>;

export const CancelEnrolmentSchema = z.object({ reason: text(200).optional() }).strict();
export const CancelCourseSchema = z.object({ reason: nonEmpty(200) }).strict();
export const CourseCheckinSchema = z
  .object({
    code: z.string().min(1).max(400),
    nonce: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/)
      .optional(),
  })
  .strict();

export const CreateTrainingOrgSchema = z
  .object({
    name: nonEmpty(60),
    district: z.enum(DISTRICTS),
    /** 统一社会信用代码 */
    creditCode: z.string().regex(/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/, 'not a unified social credit code'),
    contactName: nonEmpty(20),
    /** the account that manages the organisation's courses (gets `course_provider` for it) */
    managerUserId: IdSchema,
  })
  .strict();
export type CreateTrainingOrg = z.infer<typeof CreateTrainingOrgSchema>;

export const ENROLMENT_STATUSES = [
  'taking',
  'held',
  'waitlisted',
  'offered',
  'enrolled',
  'cancelled',
  'lapsed',
  'expired',
  'failed',
] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];
export const ENROLMENT_STATUS_LABELS_ZH: Record<EnrolmentStatus, string> = {
  taking: '处理中',
  held: '待支付',
  waitlisted: '候补中',
  offered: '候补到位·待支付',
  enrolled: '已报名',
  cancelled: '已取消',
  lapsed: '候补已过期',
  expired: '已过期',
  failed: '未成功',
};

export interface LessonDto {
  index: number;
  startAt: string;
  endAt: string;
}
export interface CourseSummaryDto {
  id: string;
  title: string;
  sport: CourseSport;
  level: CourseLevel;
  minAge: number;
  maxAge: number;
  district: string;
  placeName: string;
  priceFen: number;
  capacity: number;
  placesLeft: number;
  lessonCount: number;
  firstLessonAt: string;
  lastLessonAt: string;
  /** e.g. 每周六 09:00 · 共8节 */
  scheduleSummary: string;
  enrolOpensAt: string;
  enrolClosesAt: string;
  status: CourseStatus;
  providerName: string;
  teacherName: string;
  /** filled by reviews later (issue 15 part 2) */
  rating: number | null;
}
export interface CourseDetailDto extends CourseSummaryDto {
  description: string;
  venueId: string | null;
  address: string;
  lessons: LessonDto[];
  teacher: { name: string; instructorId: string | null; verified: boolean };
  refundRule: RefundRule;
  refundRuleText: string;
  certificateMinLessons: number;
  waitlisted: number;
}

/** The refund rule in words (the course page shows it). */
export function refundRuleText(rule: RefundRule, lessonCount: number): string {
  const parts = [rule.beforeStart === 'full' ? '首节课开始前取消全额退款' : '首节课开始前取消不退款'];
  if (rule.afterStart === 'pro_rata' && rule.noRefundFromLesson > 1)
    parts.push(`开课后按未上课时比例退款`, `已上满${rule.noRefundFromLesson}节（共${lessonCount}节）后不予退款`);
  else parts.push('开课后不予退款');
  return parts.join('；');
}

/**
 * What a cancellation refunds under the rule, after `held` of `total` lessons have been held:
 * integer fen, rounded down (the provider keeps the odd fen).
 */
export function courseRefundFen(rule: RefundRule, paidFen: number, held: number, total: number): number {
  if (held <= 0) return rule.beforeStart === 'full' ? paidFen : 0;
  if (rule.afterStart !== 'pro_rata' || held >= rule.noRefundFromLesson || held >= total) return 0;
  return Math.floor((paidFen * (total - held)) / total);
}

export interface EnrolmentLessonDto {
  index: number;
  startAt: string;
  endAt: string;
  ticketId: string | null;
  ticketStatus: 'valid' | 'used' | 'revoked' | null;
  attended: boolean;
}
export interface EnrolmentDto {
  id: string;
  courseId: string;
  courseTitle: string;
  status: EnrolmentStatus;
  participant: { name: string; idNumber: string };
  minor: boolean;
  orderId: string | null;
  payDeadline: string | null;
  waitlistPosition: number | null;
  amountFen: number;
  refundFen: number;
  lessons: EnrolmentLessonDto[];
  attendedCount: number;
  certificateMinLessons: number;
  certificateEarned: boolean;
  createdAt: string;
}

export interface CourseCertificateDto {
  certificateNo: string;
  courseId: string;
  courseTitle: string;
  providerName: string;
  participantName: string;
  lessonsAttended: number;
  lessonsTotal: number;
  issuedAt: string;
  /** hex HMAC-SHA256 over `certificateNo|courseId|lessonsAttended|issuedAt`; GET /course-certificates/:no?sig= verifies */
  signature: string;
}
