import { z } from 'zod';
import { IdSchema, text } from './common';
import { DISTRICTS, DaySchema, LocationSchema } from './venues';
import { CodeStringSchema } from './tickets';

/** Fitness guidance (健身指导): social sports instructors, their free sessions, logs, ratings. */

export const GUIDANCE_SPORTS = ['square_dance', 'taichi', 'baduanjin', 'walking', 'badminton_basics', 'yoga', 'fitness'] as const;
export const GuidanceSportSchema = z.enum(GUIDANCE_SPORTS);
export type GuidanceSport = z.infer<typeof GuidanceSportSchema>;
export const GUIDANCE_SPORT_LABELS_ZH: Record<GuidanceSport, string> = {
  square_dance: '广场舞',
  taichi: '太极拳',
  baduanjin: '八段锦',
  walking: '健步走',
  badminton_basics: '羽毛球基础',
  yoga: '瑜伽',
  fitness: '健身操',
};

export const INSTRUCTOR_LEVELS = ['national', 'first', 'second', 'third'] as const;
export const InstructorLevelSchema = z.enum(INSTRUCTOR_LEVELS);
export type InstructorLevel = z.infer<typeof InstructorLevelSchema>;
export const INSTRUCTOR_LEVEL_LABELS_ZH: Record<InstructorLevel, string> = {
  national: '国家级',
  first: '一级',
  second: '二级',
  third: '三级',
};
/**
 * What each level's threshold is (the activity evaluation's "threshold met"), in this one table.
 * SOURCE: issue 12 only ("Promotion to 三级 needs at least 30 volunteer sessions in the past year;
 * 二级 two years of registered service after 三级; 一级 three after 二级"). The bureau documents in
 * the context folder (江苏省/苏州 智慧体育 plan: "评价公益体育指导员活跃程度"; 重庆体育大数据中心管理暂行办法)
 * ask for instructors' activity to be evaluated but give NO figure for any level; the issue gives
 * none for 国家级, so 国家级 has no threshold here (the evaluation answers "无依据", not an invented one).
 * - `sessions`: delivered sessions in the evaluated 12 months ≥ `sessions`
 * - `service`: years registered at the level below (`after`) before this level was registered
 *   (both dates from the platform's review history; unknown → not decidable, `null`)
 */
export type InstructorLevelRule =
  | { kind: 'sessions'; sessions: number; months: 12; source: string; labelZh: string }
  | { kind: 'service'; years: number; after: InstructorLevel; source: string; labelZh: string }
  | { kind: 'none'; source: string; labelZh: string };
export const INSTRUCTOR_LEVEL_RULES: Record<InstructorLevel, InstructorLevelRule> = {
  third: { kind: 'sessions', sessions: 30, months: 12, source: 'issue 12', labelZh: '近12个月完成30场' },
  second: { kind: 'service', years: 2, after: 'third', source: 'issue 12', labelZh: '三级注册满2年' },
  first: { kind: 'service', years: 3, after: 'second', source: 'issue 12', labelZh: '二级注册满3年' },
  national: { kind: 'none', source: 'none: neither issue 12 nor the bureau documents give one', labelZh: '暂无标准' },
};

export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export const DIFFICULTY_LABELS_ZH: Record<(typeof DIFFICULTIES)[number], string> = { easy: '入门', medium: '进阶', hard: '挑战' };

/** Check-in rules (defaults; a session may narrow or widen its geofence within bounds). */
export const GUIDANCE_GEOFENCE_DEFAULT_M = 200;
/** GPS accuracy up to this is trusted; a larger claimed accuracy cannot place anyone anywhere */
export const GUIDANCE_MAX_ACCURACY_M = 100;
/** how much of the reported accuracy widens the fence */
export const GUIDANCE_ACCURACY_ALLOWANCE_M = 50;
export const GUIDANCE_CHECKIN_OPENS_MIN = 30;
export const GUIDANCE_CHECKIN_CLOSES_MIN = 15;
export const GUIDANCE_CANCEL_CUTOFF_MIN = 120;
export const GUIDANCE_RATING_DAYS = 7;
export const GUIDANCE_PHOTO_MAX_BYTES = 2 * 1024 * 1024;
export const GUIDANCE_PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

const isoInstant = z.iso.datetime({ offset: true });

/** Haversine distance in metres (mean Earth radius 6,371,008.8 m). */
export function haversineMetres(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const R = 6_371_008.8;
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

export const InstructorProfileInputSchema = z
  .object({
    name: text(20).pipe(z.string().min(2)),
    level: InstructorLevelSchema,
    certificateNo: z.string().regex(/^[A-Za-z0-9-]{4,40}$/, 'certificate number: 4–40 letters, digits or -'),
    specialities: z.array(GuidanceSportSchema).min(1).max(6),
    district: z.enum(DISTRICTS),
    bio: text(500),
    photoId: IdSchema.optional(),
  })
  .strict();
export type InstructorProfileInput = z.infer<typeof InstructorProfileInputSchema>;

export const InstructorReviewSchema = z
  .object({ approved: z.boolean(), reason: text(200).optional() })
  .strict()
  .refine((v) => v.approved || (v.reason ?? '').length >= 2, { message: 'a rejection needs a reason', path: ['reason'] });

export const InstructorListQuerySchema = z.object({
  sport: GuidanceSportSchema.optional(),
  district: z.enum(DISTRICTS).optional(),
  status: z.enum(['pending', 'verified', 'rejected']).optional(),
});

export const InstructorPublicSchema = z.object({
  id: IdSchema,
  name: z.string(),
  level: InstructorLevelSchema,
  specialities: z.array(GuidanceSportSchema),
  district: z.string(),
  bio: z.string(),
  photoId: IdSchema.nullable(),
  rating: z.number().nullable(),
  ratingCount: z.number().int(),
  sessionsThisYear: z.number().int(),
});
export type InstructorPublic = z.infer<typeof InstructorPublicSchema>;

export const PlaceSchema = z
  .object({ name: text(60).pipe(z.string().min(2)), address: text(120).pipe(z.string().min(2)), location: LocationSchema.strict() })
  .strict();

export const CreateGuidanceSessionSchema = z
  .object({
    title: text(60).pipe(z.string().min(2)),
    sport: GuidanceSportSchema,
    district: z.enum(DISTRICTS),
    place: PlaceSchema,
    startAt: isoInstant,
    endAt: isoInstant,
    capacity: z.number().int().min(1).max(500),
    difficulty: z.enum(DIFFICULTIES),
    bring: text(200).optional(),
    geofenceM: z.number().int().min(50).max(1000).optional(),
    /** weekly recurrence: this many more sessions, one a week after the first */
    repeatWeeks: z.number().int().min(0).max(12).optional(),
  })
  .strict()
  .refine((v) => new Date(v.endAt).getTime() > new Date(v.startAt).getTime(), { message: 'must end after it starts', path: ['endAt'] })
  .refine((v) => new Date(v.endAt).getTime() - new Date(v.startAt).getTime() <= 8 * 3600_000, {
    message: 'at most 8 hours',
    path: ['endAt'],
  });
export type CreateGuidanceSession = z.infer<typeof CreateGuidanceSessionSchema>;

const coord = (min: number, max: number) => z.coerce.number().min(min).max(max);
export const GuidanceSessionListQuerySchema = z.object({
  sport: GuidanceSportSchema.optional(),
  district: z.enum(DISTRICTS).optional(),
  date: DaySchema.optional(),
  lat: coord(-90, 90).optional(),
  lng: coord(-180, 180).optional(),
  /** the last item of the previous page (time order only; a distance-sorted list is one page) */
  cursor: IdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const GuidanceSessionSchema = z.object({
  id: IdSchema,
  title: z.string(),
  sport: GuidanceSportSchema,
  district: z.string(),
  place: z.object({ name: z.string(), address: z.string(), location: LocationSchema }),
  startAt: z.string(),
  endAt: z.string(),
  capacity: z.number().int(),
  remaining: z.number().int(),
  difficulty: z.enum(DIFFICULTIES),
  bring: z.string(),
  geofenceM: z.number().int(),
  status: z.enum(['published', 'delivered', 'not_delivered', 'cancelled']),
  checkedInAt: z.string().nullable(),
  instructor: z.object({ id: IdSchema, name: z.string(), level: InstructorLevelSchema }),
  distanceM: z.number().optional(),
  requestId: IdSchema.nullable(),
});
export type GuidanceSessionDto = z.infer<typeof GuidanceSessionSchema>;

export const CheckInSchema = z
  .object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180), accuracyM: z.number().min(0).max(100_000) })
  .strict();

/** a citizen's ticket code (the ticket module's format), scanned by the instructor */
export const AttendanceSchema = z.object({ code: CodeStringSchema }).strict();

/** the 8 digits under a session's rotating check-in code (the ticket module's short codes) */
export const SESSION_SHORT_CODE_RE = /^\d{8}$/;

/**
 * A citizen checking in with the session's rotating code (scanned, or its 8 digits typed) from
 * where they stand: the same place check (fence, accuracy) as the instructor's check-in.
 */
export const SessionCodeCheckInSchema = z
  .object({
    code: z.union([CodeStringSchema, z.string().regex(SESSION_SHORT_CODE_RE, '8 digits')]),
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
    accuracyM: z.number().min(0).max(100_000),
  })
  .strict();

export const SessionCodeSchema = z.object({
  code: z.string(),
  shortCode: z.string(),
  expiresAt: z.string(),
  stepSeconds: z.number().int(),
});

export const SessionLogSchema = z
  .object({
    content: text(2000).pipe(z.string().min(10)),
    durationMinutes: z.number().int().min(10).max(480),
    photoIds: z.array(IdSchema).max(9).optional(),
  })
  .strict();

export const RatingInputSchema = z.object({ stars: z.number().int().min(1).max(5), comment: text(200).optional() }).strict();
export const RatingReplySchema = z.object({ reply: text(200).pipe(z.string().min(1)) }).strict();

export const ActivityQuerySchema = z.object({
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  district: z.enum(DISTRICTS).optional(),
  format: z.enum(['json', 'xlsx']).default('json'),
});

export const InstructorActivitySchema = z.object({
  instructorId: IdSchema,
  name: z.string(),
  level: InstructorLevelSchema,
  district: z.string(),
  delivered: z.number().int(),
  hours: z.number(),
  peopleServed: z.number().int(),
  rating: z.number().nullable(),
  notDelivered: z.number().int(),
  /** sessions required (a `sessions` rule), else null */
  threshold: z.number().int().nullable(),
  /** the level's rule (INSTRUCTOR_LEVEL_RULES), in Chinese */
  thresholdRule: z.string(),
  /** null: not decidable (no rule for the level, or a registration date the platform does not hold) */
  thresholdMet: z.boolean().nullable(),
  rankInDistrict: z.number().int(),
});
export type InstructorActivity = z.infer<typeof InstructorActivitySchema>;

export const ORGANISATION_KINDS = ['community', 'school', 'enterprise'] as const;
export const ORGANISATION_KIND_LABELS_ZH: Record<(typeof ORGANISATION_KINDS)[number], string> = {
  community: '社区',
  school: '学校',
  enterprise: '企事业单位',
};

export const InstructorRequestInputSchema = z
  .object({
    organisation: z.object({ name: text(60).pipe(z.string().min(2)), kind: z.enum(ORGANISATION_KINDS) }).strict(),
    sport: GuidanceSportSchema,
    district: z.enum(DISTRICTS),
    place: PlaceSchema,
    startAt: isoInstant,
    endAt: isoInstant,
    groupSize: z.number().int().min(1).max(500),
    note: text(300).optional(),
  })
  .strict()
  .refine((v) => new Date(v.endAt).getTime() > new Date(v.startAt).getTime(), { message: 'must end after it starts', path: ['endAt'] })
  .refine((v) => new Date(v.endAt).getTime() - new Date(v.startAt).getTime() <= 8 * 3600_000, {
    message: 'at most 8 hours',
    path: ['endAt'],
  });
export type InstructorRequestInput = z.infer<typeof InstructorRequestInputSchema>;

/** a suggested instructor for a request: matches the sport, free at that time; same district first */
export const RequestSuggestionSchema = z.object({
  id: IdSchema,
  name: z.string(),
  level: InstructorLevelSchema,
  district: z.string(),
  specialities: z.array(GuidanceSportSchema),
  sameDistrict: z.boolean(),
  sessionsThisYear: z.number().int(),
  rating: z.number().nullable(),
});
export type RequestSuggestion = z.infer<typeof RequestSuggestionSchema>;

export const AdminRequestListQuerySchema = z.object({
  district: z.enum(DISTRICTS).optional(),
  cursor: IdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export const AssignInstructorSchema = z.object({ instructorId: IdSchema, reason: text(200).optional() }).strict();

// ---- response bodies the mini-program checks ----
export const GuidanceSessionListSchema = z.object({ items: z.array(GuidanceSessionSchema), nextCursor: z.string().nullable() });
export const GuidanceSignupSchema = z.object({
  id: z.string(),
  sessionId: IdSchema,
  status: z.enum(['taking', 'confirmed', 'attended', 'cancelled', 'failed']),
  confirmedAt: z.string().nullable(),
  attendedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
});
export const GuidanceSessionDetailSchema = z.object({
  session: GuidanceSessionSchema,
  mySignup: GuidanceSignupSchema.nullable(),
  log: z.object({ content: z.string(), durationMinutes: z.number(), photoIds: z.array(IdSchema), at: z.string() }).nullable(),
});
export const SignupResponseSchema = z.object({ signup: GuidanceSignupSchema, ticket: z.object({ id: IdSchema }).passthrough().nullable() });
export const CheckInResponseSchema = z.object({ session: GuidanceSessionSchema, distanceM: z.number() });
export const InstructorSessionListSchema = z.object({
  items: z.array(GuidanceSessionSchema.extend({ signedUp: z.number().int(), attended: z.number().int() })),
});
export const ActivityResponseSchema = z.object({
  period: z.object({ from: z.string(), to: z.string(), label: z.string() }),
  items: z.array(InstructorActivitySchema),
});
export const MySignupListSchema = z.object({
  items: z.array(
    z.object({
      signup: GuidanceSignupSchema,
      session: GuidanceSessionSchema,
      rating: z.object({ stars: z.number(), comment: z.string(), reply: z.string().nullable() }).nullable(),
      canRate: z.boolean(),
    }),
  ),
});
export const InstructorMineSchema = z.object({
  profile: z
    .object({
      id: IdSchema,
      name: z.string(),
      level: InstructorLevelSchema,
      status: z.enum(['pending', 'verified', 'rejected']),
      reason: z.string().nullable(),
    })
    .passthrough()
    .nullable(),
});
export const AdminInstructorListSchema = z.object({
  items: z.array(
    z
      .object({
        id: IdSchema,
        name: z.string(),
        level: InstructorLevelSchema,
        certificateNo: z.string(),
        district: z.string(),
        specialities: z.array(GuidanceSportSchema),
        bio: z.string(),
        status: z.string(),
      })
      .passthrough(),
  ),
});
