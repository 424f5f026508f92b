import { z } from 'zod';
import { IdSchema } from './common';
import { DaySchema, SportSchema, type Sport, type SportPrice } from './venues';

/**
 * The venue-booking journey (issue 10): true prices, the 候补 waitlist, release reminders,
 * partial cancel, ticket passing and short gate codes.
 */

// ---------- one booking's size: the one source of truth for the schema and the pages ----------
/** adjacent slots one booking may hold (the slot grid and POST /bookings alike) */
export const MAX_SLOTS_PER_BOOKING = 4;
/** places one booking may take on a session slot (the stepper and POST /bookings alike) */
export const MAX_PLACES_PER_BOOKING = 5;

// ---------- true prices ----------
/**
 * The 免费/低收费 badge. The text of 《公共体育场馆基本公共服务规范》 was not in the project's
 * context folder; these are the thresholds this product applies, named so an operator can
 * change them in one place: a venue is 低收费 when it opens at least `minWeeklyHours` court- or
 * session-hours a week at no charge or at most `lowFeeMaxFen` an hour; 免费 when every hour it
 * sells is free.
 */
export const FREE_LOW_FEE_RULE = { lowFeeMaxFen: 1000, minWeeklyHours: 35 } as const;

const yuan = (fen: number) => (fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2).replace(/0$/, ''));
const SPORT_ZH: Record<Sport, string> = {
  badminton: '羽毛球',
  tennis: '网球',
  table_tennis: '乒乓球',
  basketball: '篮球',
  football: '足球',
  swimming: '游泳',
  fitness: '健身课',
  yoga: '瑜伽',
};
/** '羽毛球 ¥20–40/小时 · 工作日 8–10 点免费' */
export function priceLine(p: SportPrice): string {
  const unit = p.unit === 'hour' ? '/小时' : '/场';
  const range =
    p.maxFen === 0 ? '免费' : p.minFen === p.maxFen ? `¥${yuan(p.minFen)}${unit}` : `¥${yuan(p.minFen)}–${yuan(p.maxFen)}${unit}`;
  const free = p.freeHours && p.maxFen > 0 ? ` · ${p.freeHours}` : '';
  return `${SPORT_ZH[p.sport]} ${range}${free}`;
}

// ---------- waitlist (候补) ----------
export const WAITLIST_STATUSES = ['waiting', 'offered', 'booked', 'passed', 'left'] as const;
export const WaitlistEntrySchema = z.object({
  id: IdSchema,
  slotId: IdSchema,
  /** 1 = first in line (among those still waiting) */
  position: z.number().int().positive().nullable(),
  status: z.enum(WAITLIST_STATUSES),
  /** the held booking offered, when an offer was made */
  bookingId: IdSchema.nullable(),
  offerExpiresAt: z.string().nullable(),
});
export type WaitlistEntry = z.infer<typeof WaitlistEntrySchema>;
export const WaitlistEntryResponseSchema = z.object({ entry: WaitlistEntrySchema });
export const JoinWaitlistSchema = z.object({}).strict();

// ---------- release reminders (放号提醒) ----------
export const ReleaseReminderInputSchema = z.object({ venueId: IdSchema, sport: SportSchema.optional(), date: DaySchema }).strict();
export type ReleaseReminderInput = z.infer<typeof ReleaseReminderInputSchema>;
export const ReleaseReminderSchema = z.object({
  id: z.string(),
  venueId: IdSchema,
  sport: SportSchema.nullable(),
  date: DaySchema,
  remindAt: z.string(),
  sentAt: z.string().nullable(),
});
export const ReleaseReminderResponseSchema = z.object({ reminder: ReleaseReminderSchema });
/** GET /release-reminders?venueId=&date=: the caller's own reminders for that venue's day (the slot page after a reload) */
export const ReleaseReminderQuerySchema = z.object({ venueId: IdSchema, date: DaySchema }).strict();
export const ReleaseReminderListSchema = z.object({ items: z.array(ReleaseReminderSchema) });

// ---------- cancel (one flow, partial too) ----------
export const CancelQuoteSchema = z.object({
  /** what goes back to the payer (after vouchers), in fen */
  refundFen: z.number().int().nonnegative(),
  paidFen: z.number().int().nonnegative(),
  /** what happens to a voucher used on the order */
  voucher: z.enum(['none', 'returned', 'kept_used']),
  /** '1–3 个工作日原路退回' */
  arrives: z.string(),
  partial: z.boolean(),
});
export type CancelQuote = z.infer<typeof CancelQuoteSchema>;
export const CancelQuoteQuerySchema = z.object({ slotIds: z.string().max(300).optional() });

// ---------- ticket passing and short codes ----------
export const TransferResponseSchema = z.object({ claimToken: z.string(), expiresAt: z.string() });
export const ClaimTicketSchema = z.object({ claimToken: z.string().regex(/^[A-Za-z0-9_-]{20,64}$/, 'not a claim token') }).strict();
/** the digits under the QR: 8 digits, rotating with it */
export const SHORT_CODE_DIGITS = 8;
export const ShortCodeSchema = z.string().regex(/^\d{6,8}$/);
export const isShortCode = (code: string) => /^\d{6,8}$/.test(code);
/** short-code attempts one staff account may make per minute (a guess costs one) */
export const SHORT_CODE_TRIES_PER_MIN = 20;

// ---------- standing against the limits, before choosing ----------
export const StandingSchema = z.object({
  limits: z.array(
    z.object({ rule: z.enum(['day', 'week', 'sport_week']), label: z.string(), used: z.number().int(), max: z.number().int() }),
  ),
  mySlotIds: z.array(IdSchema),
});
export type Standing = z.infer<typeof StandingSchema>;
export const StandingResponseSchema = z.object({ standing: StandingSchema });
