import { z } from 'zod';
import { IdSchema, PageQuerySchema, pageOf, text } from './common';
import { DaySchema, SlotTemplateSchema, SportSchema, VenueRulesSchema } from './venues';
import { MAX_PLACES_PER_BOOKING, MAX_SLOTS_PER_BOOKING } from './journey';
import { SubscribeTemplateSchema } from '../subscribe-templates';

export const BOOKING_STATUSES = ['held', 'confirmed', 'used', 'cancelled', 'expired', 'no_show'] as const;
export const BookingStatusSchema = z.enum(BOOKING_STATUSES);
export type BookingStatus = z.infer<typeof BookingStatusSchema>;

export const BOOKING_STATUS_LABELS_ZH: Record<BookingStatus, string> = {
  held: '待支付',
  confirmed: '已预订',
  used: '已使用',
  cancelled: '已取消',
  expired: '已过期',
  no_show: '未到场',
};

/** `Idempotency-Key` header: a retried request with the same key returns the same booking. */
export const IdempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 characters of A-Z a-z 0-9 _ -');

export const CompanionSchema = z.object({ name: text(20).pipe(z.string().min(1)) }).strict();

export const CreateBookingSchema = z
  .object({
    /** one or several adjacent slots of one resource */
    slotIds: z.array(IdSchema).min(1).max(MAX_SLOTS_PER_BOOKING),
    /** places per slot (sessions); courts take 1 */
    quantity: z.number().int().min(1).max(MAX_PLACES_PER_BOOKING).default(1),
    companions: z.array(CompanionSchema).max(10).default([]),
  })
  .strict();
export type CreateBooking = z.infer<typeof CreateBookingSchema>;

export const BookingSchema = z.object({
  id: IdSchema,
  status: BookingStatusSchema,
  venueId: IdSchema,
  venueName: z.string(),
  resourceId: IdSchema,
  resourceName: z.string(),
  sport: SportSchema,
  day: DaySchema,
  slotIds: z.array(IdSchema),
  startAt: z.string(),
  endAt: z.string(),
  quantity: z.number().int().positive(),
  companions: z.array(z.object({ name: z.string() })),
  /** the list price of what was booked */
  amountFen: z.number().int().nonnegative(),
  /** what the citizen paid (after a voucher) once paid; null before payment and for free bookings */
  paidFen: z.number().int().nonnegative().nullable(),
  holdExpiresAt: z.string().nullable(),
  orderId: IdSchema.nullable(),
  /** free cancellation until this instant (cut-off before start) */
  cancelDeadline: z.string(),
  createdAt: z.string(),
  cancelledAt: z.string().nullable(),
  cancelReason: z.string().nullable(),
});
export type Booking = z.infer<typeof BookingSchema>;
export const BookingResponseSchema = z.object({ booking: BookingSchema });
export const BookingPageSchema = pageOf(BookingSchema);
export const MyBookingsQuerySchema = z.object({
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  status: z.enum(['active', 'past', 'all']).default('all'),
});

export const CancelBookingSchema = z
  .object({
    reason: text(100).optional(),
    /** a subset of the booking's slots (from its start or its end) cancels that part only */
    slotIds: z.array(IdSchema).min(1).max(MAX_SLOTS_PER_BOOKING).optional(),
  })
  .strict();

// --- venue manager tools ---
/**
 * A rules patch changes only the fields it names: built from the rules' inner types WITHOUT their
 * defaults (`VenueRulesSchema.partial()` would fill every unnamed field with its default).
 */
export const UpdateRulesSchema = z
  .object(
    Object.fromEntries(Object.entries(VenueRulesSchema.shape).map(([key, field]) => [key, field.unwrap().optional()])) as {
      [K in keyof typeof VenueRulesSchema.shape]: z.ZodOptional<ReturnType<(typeof VenueRulesSchema.shape)[K]['unwrap']>>;
    },
  )
  .strict();
export type UpdateRules = z.infer<typeof UpdateRulesSchema>;
export const UpdateTemplatesSchema = z.object({ templates: z.array(SlotTemplateSchema).max(200) }).strict();
export const ManageReasonSchema = z.object({ reason: text(200).pipe(z.string().min(2)) }).strict();
export const CloseDaySchema = z.object({ date: DaySchema, reason: text(200).pipe(z.string().min(2)) }).strict();
export const DayQuerySchema = z.object({ date: DaySchema });

export const ManagedBookingSchema = BookingSchema.extend({
  /** masked, for the desk: 王** */
  holderName: z.string(),
});
export const DayBookingsResponseSchema = z.object({ items: z.array(ManagedBookingSchema) });

export const BanSchema = z.object({
  id: z.string(),
  userId: IdSchema,
  venueId: IdSchema,
  since: z.string(),
  until: z.string(),
  noShowCount: z.number().int(),
  liftedAt: z.string().nullable(),
  liftReason: z.string().nullable(),
});
export type Ban = z.infer<typeof BanSchema>;
export const BanListResponseSchema = z.object({ items: z.array(BanSchema) });

export const CloseResultSchema = z.object({ closedSlots: z.number().int(), cancelledBookings: z.number().int() });

// --- subscribe messages (booking reminders) ---
export const SubscriptionConsentSchema = z
  .object({
    // our template names (the register in subscribe-templates.ts); WeChat asks for 3 at most at a time
    templateIds: z.array(SubscribeTemplateSchema).min(1).max(3),
    accepted: z.boolean(),
  })
  .strict();

// --- 爽约记录 (issue 10): the citizen's own no-shows and the booking bans they earned ---
export const MyNoShowsQuerySchema = PageQuerySchema.strict();
export const MyNoShowSchema = z.object({
  bookingId: IdSchema,
  venueId: IdSchema,
  venueName: z.string(),
  resourceName: z.string(),
  sport: z.string(),
  startAt: z.string(),
  endAt: z.string(),
  /** when the booking was marked 爽约 (its check-in window had passed) */
  noShowAt: z.string(),
});
export type MyNoShow = z.infer<typeof MyNoShowSchema>;
export const MyBanSchema = z.object({
  id: z.string(),
  venueId: IdSchema,
  venueName: z.string(),
  since: z.string(),
  until: z.string(),
  noShowCount: z.number().int(),
  /** in force now: not lifted and `until` in the future */
  active: z.boolean(),
  liftedAt: z.string().nullable(),
});
export type MyBan = z.infer<typeof MyBanSchema>;
export const MyNoShowsResponseSchema = z.object({
  items: z.array(MyNoShowSchema),
  nextCursor: z.string().nullable(),
  /** bans in force first, then the last ended or lifted ones (at most 20) */
  bans: z.array(MyBanSchema),
});
