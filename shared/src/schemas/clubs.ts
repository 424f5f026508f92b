import { z } from 'zod';
import { IdSchema, PageQuerySchema, text } from './common';
import { DISTRICTS } from './venues';
import { isValidMobile } from '../personal';

/** Clubs (体育社团, issue 14). Texts are stored as typed (HTML is text) and shown escaped. */
export const CLUB_SPORTS = [
  'running',
  'badminton',
  'taichi',
  'cycling',
  'swimming',
  'tennis',
  'table_tennis',
  'basketball',
  'football',
  'fitness',
  'yoga',
  'other',
] as const;
export const ClubSportSchema = z.enum(CLUB_SPORTS);
export type ClubSport = z.infer<typeof ClubSportSchema>;
export const CLUB_SPORT_LABELS_ZH: Record<ClubSport, string> = {
  running: '跑步',
  badminton: '羽毛球',
  taichi: '太极拳',
  cycling: '骑行',
  swimming: '游泳',
  tennis: '网球',
  table_tennis: '乒乓球',
  basketball: '篮球',
  football: '足球',
  fitness: '健身',
  yoga: '瑜伽',
  other: '其他',
};

export const ClubDistrictSchema = z.enum(DISTRICTS);
export const CLUB_STATUSES = ['pending', 'approved', 'rejected', 'suspended', 'dissolved'] as const;
export type ClubStatus = (typeof CLUB_STATUSES)[number];
/** Roles inside a club: 会长 / 副会长 / 管理员 / 会员 (the first three hold `club_admin` for the club). */
export const CLUB_ROLES = ['president', 'vice_president', 'admin', 'member'] as const;
export const ClubRoleSchema = z.enum(CLUB_ROLES);
export type ClubRole = z.infer<typeof ClubRoleSchema>;
export const CLUB_ROLE_LABELS_ZH: Record<ClubRole, string> = {
  president: '会长',
  vice_president: '副会长',
  admin: '管理员',
  member: '会员',
};
export const CLUB_ADMIN_ROLES: readonly ClubRole[] = ['president', 'vice_president', 'admin'];
/** What happens to paid dues when a member leaves, is removed, or the club is dissolved. */
export const DUES_POLICIES = ['none', 'prorata'] as const;
export const DUES_POLICY_LABELS_ZH: Record<(typeof DUES_POLICIES)[number], string> = { none: '会费不退', prorata: '按剩余月份退还' };

const name = text(40).pipe(z.string().min(2, 'at least 2 characters'));
const phone = z.string().refine(isValidMobile, 'not a mainland mobile number');
/** A 社会组织 unified social credit code (18 characters). */
const regNo = z.string().regex(/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/, 'not a unified social credit code');

export const ClubApplicationSchema = z
  .object({
    name,
    sport: ClubSportSchema,
    district: ClubDistrictSchema,
    purpose: text(500).pipe(z.string().min(1)),
    charter: text(5000).pipe(z.string().min(1)),
    contactName: text(20).pipe(z.string().min(1)),
    contactPhone: phone,
    registrationNo: regNo.optional(),
    memberLimit: z.number().int().min(5).max(5000).default(200),
    openJoin: z.boolean().default(false),
    duesFen: z.number().int().min(0).max(1_000_000).default(0),
    duesPolicy: z.enum(DUES_POLICIES).default('none'),
  })
  .strict();
export type ClubApplication = z.infer<typeof ClubApplicationSchema>;

export const ClubSettingsSchema = z
  .object({
    purpose: text(500).pipe(z.string().min(1)).optional(),
    openJoin: z.boolean().optional(),
    duesFen: z.number().int().min(0).max(1_000_000).optional(),
    duesPolicy: z.enum(DUES_POLICIES).optional(),
  })
  .strict();

export const ClubListQuerySchema = PageQuerySchema.extend({
  sport: ClubSportSchema.optional(),
  district: ClubDistrictSchema.optional(),
  q: text(40).optional(),
});
export const AdminClubListQuerySchema = PageQuerySchema.extend({ status: z.enum(CLUB_STATUSES).default('pending') });

export const ClubReviewSchema = z.object({ approved: z.boolean(), reason: text(200).pipe(z.string().min(1)) }).strict();
export const ClubReasonSchema = z.object({ reason: text(200).pipe(z.string().min(1)) }).strict();

export const JoinClubSchema = z
  .object({ message: text(200).optional(), phone: phone.optional(), notifyOptIn: z.boolean().default(false) })
  .strict();
export const MemberDecisionSchema = z.object({ reason: text(200).optional() }).strict();
export const MemberRoleSchema = z.object({ role: ClubRoleSchema }).strict();
export const MemberListQuerySchema = PageQuerySchema.extend({ status: z.enum(['requested', 'member']).default('member') });

/**
 * A court for the activity, through the booking module (issue 14): a booking the club admin already
 * holds, or the venue slots to book now (as the admin, by the venue's rules). It must cover the
 * activity's time.
 */
export const ClubActivityBookingInputSchema = z.union([
  z.object({ bookingId: IdSchema }).strict(),
  z.object({ slotIds: z.array(IdSchema).min(1).max(8) }).strict(),
]);
export type ClubActivityBookingInput = z.infer<typeof ClubActivityBookingInputSchema>;

export const CreateClubActivitySchema = z
  .object({
    title: text(60).pipe(z.string().min(2)),
    description: text(2000).default(''),
    place: text(100).pipe(z.string().min(1)),
    startAt: z.string().datetime({ offset: true }),
    endAt: z.string().datetime({ offset: true }),
    capacity: z.number().int().min(1).max(2000),
    membersOnly: z.boolean().default(true),
    feeFen: z.number().int().min(0).max(100_000).default(0),
    booking: ClubActivityBookingInputSchema.optional(),
  })
  .strict()
  .refine((a) => new Date(a.endAt) > new Date(a.startAt), { path: ['endAt'], message: 'must be after startAt' });
export type CreateClubActivity = z.infer<typeof CreateClubActivitySchema>;

/**
 * Cancelling an activity: sign-ups end (tickets revoked, fees refunded). Its court booking is
 * cancelled through the booking module by the venue's rules unless `keepBooking` (the club still
 * plays there); a booking past its free-cancellation deadline stays with the admin who booked it.
 */
export const CancelClubActivitySchema = z
  .object({ reason: text(200).pipe(z.string().min(1)), keepBooking: z.boolean().default(false) })
  .strict();

export const ClubCheckinSchema = z
  .object({
    code: z.string().min(10).max(2000),
    nonce: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/)
      .optional(),
  })
  .strict();

export const CreateAnnouncementSchema = z
  .object({ title: text(60).pipe(z.string().min(1)), body: text(5000).pipe(z.string().min(1)), pinned: z.boolean().default(false) })
  .strict();

export const ScoreQuerySchema = z.object({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

// --- responses ---
export const ClubSummarySchema = z.object({
  id: IdSchema,
  name: z.string(),
  sport: ClubSportSchema,
  district: z.string(),
  purpose: z.string(),
  status: z.enum(CLUB_STATUSES),
  members: z.number().int(),
  memberLimit: z.number().int(),
  openJoin: z.boolean(),
  duesFen: z.number().int(),
  duesPolicy: z.enum(DUES_POLICIES),
});
export type ClubSummary = z.infer<typeof ClubSummarySchema>;

export const ClubActivitySchema = z.object({
  id: IdSchema,
  clubId: IdSchema,
  title: z.string(),
  description: z.string(),
  place: z.string(),
  startAt: z.string(),
  endAt: z.string(),
  capacity: z.number().int(),
  remaining: z.number().int(),
  membersOnly: z.boolean(),
  feeFen: z.number().int(),
  status: z.enum(['open', 'suspended', 'cancelled']),
  /** the court booked for it (booking module): where and when, and what became of it */
  booking: z
    .object({
      id: IdSchema,
      venueId: IdSchema,
      venueName: z.string(),
      resourceName: z.string(),
      startAt: z.string(),
      endAt: z.string(),
      status: z.string(),
      orderId: z.string().nullable(),
      /** after the activity was cancelled: the booking was cancelled (refund by the venue's rules), kept on purpose, or kept because free cancellation had ended */
      outcome: z.enum(['cancelled', 'kept', 'window_closed']).nullable(),
    })
    .nullable()
    .default(null),
});
export type ClubActivity = z.infer<typeof ClubActivitySchema>;

export const ClubAnnouncementSchema = z.object({
  id: IdSchema,
  clubId: IdSchema,
  title: z.string(),
  body: z.string(),
  pinned: z.boolean(),
  createdAt: z.string(),
});
export type ClubAnnouncement = z.infer<typeof ClubAnnouncementSchema>;

export const ClubMembershipSchema = z.object({
  status: z.enum(['requested', 'member', 'rejected', 'left', 'removed']),
  role: ClubRoleSchema,
  paidUntil: z.string().nullable(),
  joinedAt: z.string().nullable(),
});

export const ClubDetailSchema = z.object({
  club: ClubSummarySchema.extend({ charter: z.string().nullable(), registrationNo: z.string().nullable() }),
  activities: z.array(ClubActivitySchema),
  announcements: z.array(ClubAnnouncementSchema),
  membership: ClubMembershipSchema.nullable(),
  isClubAdmin: z.boolean(),
});
export type ClubDetail = z.infer<typeof ClubDetailSchema>;

export const ClubMemberSchema = z.object({
  userId: IdSchema,
  nickname: z.string(),
  /** 138****8000 — club admins only */
  phone: z.string().nullable(),
  role: ClubRoleSchema,
  status: z.enum(['requested', 'member']),
  message: z.string().nullable(),
  joinedAt: z.string().nullable(),
  paidUntil: z.string().nullable(),
});
export type ClubMember = z.infer<typeof ClubMemberSchema>;

export const DuesLedgerRowSchema = z.object({
  id: IdSchema,
  nickname: z.string(),
  amountFen: z.number().int(),
  periodStart: z.string(),
  periodEnd: z.string(),
  status: z.enum(['held', 'paid', 'refunded', 'closed']),
  paidAt: z.string().nullable(),
  refundedFen: z.number().int(),
});
export type DuesLedgerRow = z.infer<typeof DuesLedgerRowSchema>;

export const ClubScoreSchema = z.object({
  clubId: IdSchema,
  name: z.string(),
  sport: ClubSportSchema,
  district: z.string(),
  activitiesHeld: z.number().int(),
  attendance: z.number().int(),
  members: z.number().int(),
  growth: z.number().int(),
  score: z.number(),
});
export type ClubScore = z.infer<typeof ClubScoreSchema>;
