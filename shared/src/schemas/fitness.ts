import { z } from 'zod';
import { IdSchema, text } from './common';
import { CodeStringSchema } from './tickets';
import { isValidIdCard } from '../personal';
import { ADULT_AGE_GROUPS, FITNESS_GRADES, FITNESS_ITEMS, FITNESS_STANDARDS, MEASUREMENT_KEYS } from '../fitness/engine';

/** The health-data consent text version the mini-program shows; bookings store the version agreed to. */
export const FITNESS_CONSENT_VERSION = 'fitness-health-2026-12';
export const FITNESS_CONSENT_TEXT_ZH =
  '体质测试将收集您的身高、体重、肺活量、握力、平衡与反应等健康生理信息。根据《个人信息保护法》第二十八、二十九条，此类信息属于敏感个人信息，' +
  '仅用于生成您的体质测试报告和运动建议；向体育大数据中心报送时只包含年龄段、性别、区县和得分，不含姓名、身份证号或出生日期。' +
  '您可以随时在“我的报告”中查看。未满14周岁的，须由监护人同意。';

export const FitnessStandardSchema = z.enum(FITNESS_STANDARDS);
export const FitnessSexSchema = z.enum(['M', 'F']);
export const FitnessGradeSchema = z.enum(FITNESS_GRADES);
export const FitnessAgeGroupSchema = z.enum(ADULT_AGE_GROUPS);
/** what a station serves: the two adult bands of the 2003 standard */
export const FitnessBandSchema = z.enum(['20-39', '40-59']);

/** numbers only, known keys only (ranges are the engine's: FITNESS_MEASUREMENT_INVALID names the field) */
export const MeasurementsSchema = z
  .object(
    Object.fromEntries(MEASUREMENT_KEYS.map((k) => [k, z.number().finite().optional()])) as Record<
      (typeof MEASUREMENT_KEYS)[number],
      z.ZodOptional<z.ZodNumber>
    >,
  )
  .strict();

export const FitnessScoreRequestSchema = z
  .object({
    standard: FitnessStandardSchema,
    sex: FitnessSexSchema,
    age: z.number().int().min(0).max(130),
    measurements: MeasurementsSchema,
  })
  .strict();

export const ScoredItemSchema = z.object({
  item: z.enum(FITNESS_ITEMS),
  labelZh: z.string(),
  value: z.number().nullable(),
  heightCm: z.number().optional(),
  unit: z.string(),
  score: z.number().int().min(0).max(5).nullable(),
  band: z.string().optional(),
  meaningZh: z.string(),
  note: z.string().optional(),
  noteZh: z.string().optional(),
});

export const FitnessScoreResponseSchema = z.object({
  standard: FitnessStandardSchema,
  ageGroup: FitnessAgeGroupSchema,
  items: z.array(ScoredItemSchema),
  total: z.number().int(),
  maxTotal: z.number().int(),
  grade: FitnessGradeSchema.nullable(),
  gradeWithheld: z.string().optional(),
});

export const FitnessStationSchema = z.object({
  id: IdSchema,
  name: z.string(),
  district: z.string(),
  address: z.string(),
  hours: z.string(),
  ageBands: z.array(FitnessBandSchema),
  items: z.array(z.enum(FITNESS_ITEMS)),
});
export type FitnessStation = z.infer<typeof FitnessStationSchema>;

export const FitnessSlotSchema = z.object({
  id: IdSchema,
  stationId: IdSchema,
  date: z.string(),
  startAt: z.string(),
  endAt: z.string(),
  capacity: z.number().int(),
  remaining: z.number().int(),
});
export type FitnessSlot = z.infer<typeof FitnessSlotSchema>;

export const FitnessSlotsQuerySchema = z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }).strict();

export const HealthConsentSchema = z.object({ healthData: z.boolean(), version: z.string().max(60) }).strict();
export const GuardianConsentSchema = z
  .object({
    given: z.boolean(),
    guardianName: text(40).pipe(z.string().min(1)),
    relation: z.enum(['parent', 'guardian']),
    version: z.string().max(60),
  })
  .strict();

export const FitnessParticipantSchema = z
  .object({
    name: text(40).pipe(z.string().min(1)),
    idNumber: z.string().max(18).refine(isValidIdCard, 'not a valid resident ID number'),
  })
  .strict();

/** `consent` may be absent at the schema level so that missing consent answers CONSENT_REQUIRED (422), not 400 */
export const CreateFitnessBookingSchema = z
  .object({
    slotId: IdSchema,
    participant: FitnessParticipantSchema,
    consent: HealthConsentSchema.optional(),
    guardianConsent: GuardianConsentSchema.optional(),
  })
  .strict();
export type CreateFitnessBooking = z.infer<typeof CreateFitnessBookingSchema>;

export const FitnessBookingSchema = z.object({
  id: IdSchema,
  stationId: IdSchema,
  stationName: z.string(),
  slotId: IdSchema,
  startAt: z.string(),
  endAt: z.string(),
  status: z.enum(['booked', 'checked_in', 'measured']),
  participantName: z.string(),
  sex: FitnessSexSchema,
  ageOnTestDay: z.number().int(),
  consentVersion: z.string(),
  reportId: IdSchema.nullable(),
});
export type FitnessBooking = z.infer<typeof FitnessBookingSchema>;

export const SubmitFitnessResultSchema = z
  .object({
    stationId: IdSchema,
    ticketCode: CodeStringSchema.optional(),
    bookingId: IdSchema.optional(),
    measurements: MeasurementsSchema,
  })
  .strict()
  .refine((b) => (b.ticketCode === undefined) !== (b.bookingId === undefined), 'give exactly one of ticketCode or bookingId');

export const CorrectFitnessResultSchema = z
  .object({ measurements: MeasurementsSchema, reason: text(200).pipe(z.string().min(1)) })
  .strict();

export const FitnessAdviceSchema = z.object({
  item: z.enum(FITNESS_ITEMS),
  textZh: z.string(),
  links: z.array(z.object({ label: z.string(), path: z.string() })),
});

export const FitnessReportSchema = z.object({
  id: IdSchema,
  standard: FitnessStandardSchema,
  standardTitle: z.string(),
  stationName: z.string(),
  testDate: z.string(),
  sex: FitnessSexSchema,
  age: z.number().int(),
  ageGroup: FitnessAgeGroupSchema,
  participantName: z.string(),
  items: z.array(ScoredItemSchema),
  total: z.number().int(),
  maxTotal: z.number().int(),
  grade: FitnessGradeSchema.nullable(),
  gradeWithheld: z.string().optional(),
  advice: z.array(FitnessAdviceSchema),
  revision: z.number().int(),
});
export type FitnessReport = z.infer<typeof FitnessReportSchema>;

export const FitnessAnalysisQuerySchema = z
  .object({
    district: text(40).optional(),
    ageGroup: FitnessAgeGroupSchema.optional(),
    sex: FitnessSexSchema.optional(),
    from: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
    to: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  })
  .strict();

/** counts below this are suppressed in the bureau analysis */
export const FITNESS_MIN_CELL = 10;

// ---------- admin: stations and their slots ----------

const stationFields = {
  name: text(60).pipe(z.string().min(1)),
  district: text(40).pipe(z.string().min(1)),
  address: text(200).pipe(z.string().min(1)),
  hours: text(100).pipe(z.string().min(1)),
  /** the age groups served (the two adult bands of the standard) */
  ageBands: z.array(FitnessBandSchema).min(1).max(2),
  /** items measured; left out → every item the served bands take */
  items: z.array(z.enum(FITNESS_ITEMS)).min(1).max(FITNESS_ITEMS.length).optional(),
};
export const AdminCreateFitnessStationSchema = z.object(stationFields).strict();
export type AdminCreateFitnessStation = z.infer<typeof AdminCreateFitnessStationSchema>;
export const AdminUpdateFitnessStationSchema = z
  .object(stationFields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one field');
export type AdminUpdateFitnessStation = z.infer<typeof AdminUpdateFitnessStationSchema>;

const IsoInstant = z.string().max(40).datetime({ offset: true });
export const AdminCreateFitnessSlotsSchema = z
  .object({
    slots: z
      .array(z.object({ startAt: IsoInstant, endAt: IsoInstant, capacity: z.number().int().min(1).max(500) }).strict())
      .min(1)
      .max(200),
  })
  .strict();
