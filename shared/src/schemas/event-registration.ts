import { z } from 'zod';
import { IdSchema, text } from './common';
import { SPORTS, SPORT_LABELS_ZH } from './venues';

/**
 * Event registration (赛事报名): races and leagues, real-name entry, first come or a verifiable
 * lottery, teams, bibs, results. (`shared/src/events.ts` is the outbox event map, not this.)
 */
export const EVENT_KINDS = ['road_race', 'league', 'tournament', 'activity'] as const;
export const EventKindSchema = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof EventKindSchema>;
export const EVENT_KIND_LABELS_ZH: Record<EventKind, string> = {
  road_race: '路跑',
  league: '联赛',
  tournament: '锦标赛',
  activity: '全民健身活动',
};

export const EVENT_SPORTS = [...SPORTS, 'running', 'cycling', 'triathlon'] as const;
export const EventSportSchema = z.enum(EVENT_SPORTS);
export type EventSport = z.infer<typeof EventSportSchema>;
export const EVENT_SPORT_LABELS_ZH: Record<EventSport, string> = {
  ...SPORT_LABELS_ZH,
  running: '跑步',
  cycling: '骑行',
  triathlon: '铁人三项',
};

/** draft → published → registration_open → closed → drawn (lottery) → finished */
export const EVENT_STATUSES = ['draft', 'published', 'registration_open', 'closed', 'drawn', 'finished'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
export const EVENT_STATUS_LABELS_ZH: Record<EventStatus, string> = {
  draft: '草稿',
  published: '即将开放报名',
  registration_open: '报名中',
  closed: '报名截止',
  drawn: '已抽签',
  finished: '已结束',
};

export const REGISTRATION_MODES = ['first_come', 'lottery'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

/**
 * first come: taking → held → confirmed (or → confirmed when free); lottery: entered → won → confirmed,
 * or → waitlisted → offered → confirmed, or lost; won/offered unpaid by the deadline → lapsed;
 * any active → cancelled. `taking` and `failed` are internal (a registration in flight / rolled back).
 */
export const REGISTRATION_STATUSES = [
  'taking',
  'held',
  'confirmed',
  'entered',
  'won',
  'lost',
  'waitlisted',
  'offered',
  'lapsed',
  'expired',
  'cancelled',
  'failed',
] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];
export const REGISTRATION_STATUS_LABELS_ZH: Record<RegistrationStatus, string> = {
  taking: '处理中',
  held: '待支付',
  confirmed: '报名成功',
  entered: '已参加抽签',
  won: '中签待支付',
  lost: '未中签',
  waitlisted: '候补中',
  offered: '候补递补待支付',
  lapsed: '逾期未支付',
  expired: '已过期',
  cancelled: '已取消',
  failed: '未成功',
};

const isoDate = z.string().datetime({ offset: true }).max(40);
const nonEmpty = (max: number) => text(max).pipe(z.string().min(1));

export const GenderSchema = z.enum(['M', 'F']);
export type Gender = z.infer<typeof GenderSchema>;

export const EligibilitySchema = z
  .object({
    /** age on race day (not on the registration day) */
    minAge: z.number().int().min(0).max(120).optional(),
    maxAge: z.number().int().min(0).max(120).optional(),
    gender: GenderSchema.optional(),
    /** a qualifying result the runner must state (checked by the organiser, e.g. '全马 4:30 以内') */
    qualifying: text(60).optional(),
  })
  .strict();

export const GroupInputSchema = z
  .object({
    name: nonEmpty(30),
    distanceKm: z.number().min(0).max(1000).optional(),
    capacity: z.number().int().min(1).max(1_000_000),
    feeFen: z.number().int().min(0).max(10_000_000),
    eligibility: EligibilitySchema.default({}),
    /** team entries: a captain makes a team, members join with its invite code */
    team: z
      .object({ minSize: z.number().int().min(1).max(50), maxSize: z.number().int().min(1).max(50) })
      .strict()
      .optional(),
    /** bib numbers: prefix + a running number from `bibStart` */
    bibPrefix: z
      .string()
      .regex(/^[A-Z0-9]{0,4}$/)
      .default(''),
    bibStart: z.number().int().min(0).max(9_999_999).default(1),
    /** lottery: how many drawn after the places make the waitlist (default: as many as the places) */
    waitlistSize: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict()
  .refine((g) => !g.team || g.team.minSize <= g.team.maxSize, { message: 'team minSize must not exceed maxSize', path: ['team'] })
  .refine((g) => g.eligibility.minAge === undefined || g.eligibility.maxAge === undefined || g.eligibility.minAge <= g.eligibility.maxAge, {
    message: 'minAge must not exceed maxAge',
    path: ['eligibility'],
  });
export type GroupInput = z.infer<typeof GroupInputSchema>;

export const RefundTierSchema = z
  .object({ daysBefore: z.number().int().min(0).max(365), percent: z.number().int().min(0).max(100) })
  .strict();

export const EventInputSchema = z
  .object({
    name: nonEmpty(60),
    kind: EventKindSchema,
    sport: EventSportSchema,
    district: nonEmpty(20),
    place: nonEmpty(80),
    startAt: isoDate,
    description: text(2000).default(''),
    registration: z
      .object({
        mode: z.enum(REGISTRATION_MODES),
        opensAt: isoDate,
        closesAt: isoDate,
        /** first come: how long an unpaid place is held */
        holdMinutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(15),
        /** lottery: winners pay by this time */
        paymentDeadline: isoDate.optional(),
        /** lottery: how long a waitlist offer stays open */
        offerHours: z
          .number()
          .int()
          .min(1)
          .max(14 * 24)
          .default(48),
      })
      .strict(),
    /** refund tiers: cancelling at least `daysBefore` days before the start refunds `percent` of the fee */
    refundPolicy: z
      .object({ tiers: z.array(RefundTierSchema).max(10).default([]) })
      .strict()
      .default({ tiers: [] }),
    /** 名额转让: off unless allowed; once per entry, before `deadline` (default: the registration close) */
    transfer: z
      .object({ allowed: z.boolean().default(false), deadline: isoDate.optional() })
      .strict()
      .default({ allowed: false }),
    pledge: z.object({ text: nonEmpty(4000), version: z.string().regex(/^[A-Za-z0-9._-]{1,20}$/) }).strict(),
    groups: z.array(GroupInputSchema).min(1).max(20),
  })
  .strict()
  .refine((e) => Date.parse(e.registration.opensAt) < Date.parse(e.registration.closesAt), {
    message: 'registration must open before it closes',
    path: ['registration', 'closesAt'],
  })
  .refine((e) => Date.parse(e.registration.closesAt) <= Date.parse(e.startAt), {
    message: 'registration must close before the start',
    path: ['registration', 'closesAt'],
  })
  .refine((e) => e.registration.mode !== 'lottery' || e.registration.paymentDeadline !== undefined, {
    message: 'a lottery needs a payment deadline for winners',
    path: ['registration', 'paymentDeadline'],
  })
  .refine((e) => e.transfer.deadline === undefined || Date.parse(e.transfer.deadline) <= Date.parse(e.startAt), {
    message: 'transfers must end before the start',
    path: ['transfer', 'deadline'],
  });
export type EventInput = z.infer<typeof EventInputSchema>;

export const EventListQuerySchema = z
  .object({
    sport: EventSportSchema.optional(),
    district: text(20).optional(),
    status: z.enum(EVENT_STATUSES).optional(),
    /** YYYY-MM: events starting in that month (Asia/Shanghai) */
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
      .optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type EventListQuery = z.infer<typeof EventListQuerySchema>;

const PhoneSchema = z.string().regex(/^1[3-9]\d{9}$/, 'must be a mainland mobile number');

export const ParticipantSchema = z
  .object({
    name: nonEmpty(30),
    /** checked by the service (GB 11643 checksum) so a bad number answers ID_NUMBER_INVALID */
    idNumber: z.string().trim().min(1).max(32),
    phone: PhoneSchema,
    emergencyContact: z.object({ name: nonEmpty(30), phone: PhoneSchema }).strict(),
  })
  .strict();

export const CreateRegistrationSchema = z
  .object({
    groupId: IdSchema,
    participant: ParticipantSchema,
    healthPledge: z.boolean(),
    /** the pledge text's version the runner saw; a stale version is refused */
    pledgeVersion: z.string().max(20).optional(),
    guardianConsent: z
      .object({ name: nonEmpty(30), phone: PhoneSchema, accepted: z.literal(true) })
      .strict()
      .optional(),
    teamCode: z
      .string()
      .regex(/^[A-Z0-9]{8}$/)
      .optional(),
    /** a qualifying result, when the group asks for one */
    qualifying: text(60).optional(),
  })
  .strict();
export type CreateRegistration = z.infer<typeof CreateRegistrationSchema>;

/** If-Match on an organiser's event edit: the `rev` the page read ("3", "\"3\"" or W/"3"). */
export const IfMatchRevSchema = z
  .string()
  .max(20)
  .regex(/^(W\/)?"?\d{1,9}"?$/)
  .transform((v) => Number(v.replace(/\D/g, '')))
  .optional();

/** 名额转让: the entry passes to a new real-name participant (the same checks as entering) */
export const TransferRegistrationSchema = z
  .object({
    participant: ParticipantSchema,
    healthPledge: z.boolean(),
    pledgeVersion: z.string().max(20).optional(),
    guardianConsent: z
      .object({ name: nonEmpty(30), phone: PhoneSchema, accepted: z.literal(true) })
      .strict()
      .optional(),
    qualifying: text(60).optional(),
  })
  .strict();
export type TransferRegistration = z.infer<typeof TransferRegistrationSchema>;

/** a results certificate's public verification code (10 characters, no 0/O/1/I) */
export const CertificateCodeSchema = z.string().regex(/^[A-HJ-NP-Z2-9]{10}$/);

export const CertificateQuerySchema = z.object({ format: z.enum(['svg', 'json']).default('svg') }).strict();

export interface CertificateDto {
  code: string;
  eventName: string;
  eventDay: string;
  groupName: string;
  name: string;
  bib: string;
  gunTime: string;
  chipTime: string;
  rankOverall: number;
  rankGroup: number;
  rankGender: number;
  gender: Gender;
}

export const CancelRegistrationSchema = z.object({ reason: text(200).optional() }).strict();
export const CreateTeamSchema = z.object({ groupId: IdSchema, name: nonEmpty(30) }).strict();

export const DrawEntriesQuerySchema = z
  .object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(5000).default(1000) })
  .strict();
export const ResultsQuerySchema = z.object({ q: text(30).optional(), groupId: IdSchema.optional() }).strict();
export const OrganiserRegistrationsQuerySchema = z
  .object({
    format: z.enum(['json', 'xlsx']).default('json'),
    groupId: IdSchema.optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export const ResultsImportSchema = z.object({ csv: z.string().min(1).max(2_000_000) }).strict();
export const MyRegistrationsQuerySchema = z
  .object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(100).default(20) })
  .strict();

// ---------- responses ----------
export interface EventGroupDto {
  id: string;
  name: string;
  distanceKm: number | null;
  capacity: number;
  remaining: number;
  feeFen: number;
  eligibility: z.infer<typeof EligibilitySchema>;
  team: { minSize: number; maxSize: number } | null;
  /** bib rules and the lottery's waitlist size: shown to the organiser's form so an edit keeps them */
  bibPrefix: string;
  bibStart: number;
  waitlistSize: number;
}

export interface EventSummaryDto {
  id: string;
  name: string;
  sport: EventSport;
  kind: EventKind;
  startAt: string;
  district: string;
  place: string;
  status: EventStatus;
  registration: { mode: RegistrationMode; opensAt: string; closesAt: string };
  groups: EventGroupDto[];
}

export interface EventDetailDto extends EventSummaryDto {
  description: string;
  registration: EventSummaryDto['registration'] & { holdMinutes: number; paymentDeadline: string | null; offerHours: number };
  refundPolicy: { tiers: { daysBefore: number; percent: number }[] };
  transfer: { allowed: boolean; deadline: string | null };
  pledge: { text: string; version: string };
  draw: { seedCommitment: string | null; entriesDigest: string | null };
  /** the edit version: an organiser's PUT sends it back as If-Match, so an edit made on a stale page is refused */
  rev: number;
}

export interface RegistrationDto {
  id: string;
  eventId: string;
  eventName: string;
  groupId: string;
  groupName: string;
  status: RegistrationStatus;
  participant: { name: string; idNumber: string; phone: string };
  feeFen: number;
  orderId: string | null;
  holdExpiresAt: string | null;
  payDeadline: string | null;
  entryRef: string;
  drawRank: number | null;
  bib: string | null;
  teamId: string | null;
  startAt: string;
  createdAt: string;
  /** when the entry was transferred to its present participant (once only) */
  transferredAt: string | null;
  /** 名额转让 is open to this entry until then (null: the event forbids it, it was transferred, or it is not a confirmed, unchecked entry) */
  transferUntil: string | null;
  /** a result is in: the runner may fetch the certificate */
  hasResult: boolean;
}

/** The published draw rule, stated in the data so a verifier needs nothing else. */
export const DRAW_ALGORITHM =
  'per group: rank entries by HMAC-SHA256(key = seed as UTF-8 hex string, message = entryRef), hex ascending; the first `capacity` win, the next `waitlistSize` are the waitlist in that order; seedCommitment = SHA-256(seed) hex; entriesDigest = SHA-256 of lines "<entryRef> <groupId>\\n" sorted by entryRef';

/** 18 and over on race day need no guardian. */
export const ADULT_AGE = 18;

/** From a valid GB 11643 number: birth date (YYYY-MM-DD) and gender (17th digit odd = M). */
export function idFacts(idNumber: string): { birthDate: string; gender: Gender } {
  const b = idNumber.slice(6, 14);
  return { birthDate: `${b.slice(0, 4)}-${b.slice(4, 6)}-${b.slice(6, 8)}`, gender: Number(idNumber[16]) % 2 === 1 ? 'M' : 'F' };
}

/** Full years between a birth date and a day (both YYYY-MM-DD): the age on that day. */
export function ageOnDay(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = day.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** Why a participant does not fit a group (null when they do). */
export function eligibilityProblem(
  e: { minAge?: number; maxAge?: number; gender?: Gender },
  p: { age: number; gender: Gender },
): string | null {
  if (e.minAge !== undefined && p.age < e.minAge) return `须年满${e.minAge}周岁（以比赛日计）`;
  if (e.maxAge !== undefined && p.age > e.maxAge) return `限${e.maxAge}周岁及以下（以比赛日计）`;
  if (e.gender && e.gender !== p.gender) return e.gender === 'M' ? '限男子' : '限女子';
  return null;
}
