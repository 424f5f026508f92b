import {
  BanListResponseSchema,
  BanSchema,
  BookingPageSchema,
  BookingResponseSchema,
  CancelBookingSchema,
  CancelQuoteSchema,
  CloseDaySchema,
  CloseResultSchema,
  CreateBookingSchema,
  DayBookingsResponseSchema,
  HealthSchema,
  IdempotencyKeySchema,
  InvoiceResponseSchema,
  RequestInvoiceSchema,
  type OrderTab,
  type RequestInvoice,
  LoginRequestSchema,
  LoginResponseSchema,
  ManageReasonSchema,
  OrderPageSchema,
  OrderResponseSchema,
  PayOrderSchema,
  PayResponseSchema,
  RefundOrderSchema,
  RefundResponseSchema,
  VoucherBatchListSchema,
  VoucherClaimResponseSchema,
  VoucherListSchema,
  ResourceSchema,
  MeResponseSchema,
  MyNoShowsResponseSchema,
  SlotListResponseSchema,
  StandingResponseSchema,
  SubscribeTemplateSchema,
  WaitlistEntryResponseSchema,
  ReleaseReminderResponseSchema,
  ReleaseReminderListSchema,
  ReleaseReminderInputSchema,
  SubscriptionConsentSchema,
  UpdateRulesSchema,
  UpdateTemplatesSchema,
  VenueDetailResponseSchema,
  VenueListResponseSchema,
  type Sport,
  type SubscribeTemplate,
} from '@citysport/shared';
import { z } from 'zod';
import { request } from './client';

export interface VenueFilter {
  sport?: Sport;
  district?: string;
  lat?: number;
  lng?: number;
  /** venue name or sport (羽毛球) */
  q?: string;
}

export interface CallOptions {
  toast?: boolean;
}

export type CreateBookingInput = z.input<typeof CreateBookingSchema>;
export type UpdateRulesInput = z.input<typeof UpdateRulesSchema>;
export type UpdateTemplatesInput = z.input<typeof UpdateTemplatesSchema>;
export type BookingListStatus = 'active' | 'past' | 'all';

/** 204 No Content: the client hands the schema `undefined` */
const NoContentSchema = z.undefined();
/** POST /manage/bans/:banId/lift answers {ban} (shared has no response schema for it) */
const BanResponseSchema = z.object({ ban: BanSchema });
/** GET /notifications/templates answers {items: [{name, templateId, title}]} */
const SubscribeTemplatesResponseSchema = z.object({
  items: z.array(z.object({ name: SubscribeTemplateSchema, templateId: z.string(), title: z.string() })),
});
/** PUT /manage/resources/:resourceId/templates answers {resource} (idem) */
const ResourceResponseSchema = z.object({ resource: ResourceSchema });

const seg = (id: string) => encodeURIComponent(id);

export const api = {
  /** POST /auth/login {code} — code from Taro.login, or `mock:<openid>` with the WeChat stand-in */
  login: (code: string, o: CallOptions = {}) =>
    request({
      method: 'POST',
      path: '/auth/login',
      data: LoginRequestSchema.parse({ code }),
      schema: LoginResponseSchema,
      auth: false,
      toast: o.toast,
    }),

  /** GET /me — the signed-in user's profile (phone and ID number masked) */
  me: (o: CallOptions = {}) => request({ path: '/me', schema: MeResponseSchema, toast: o.toast }),

  /** GET /me/no-shows → 爽约记录: my no-shows (paged) and the bans they earned */
  noShows: (cursor: string | null, limit = 20) =>
    request({ path: '/me/no-shows', query: { limit, ...(cursor ? { cursor } : {}) }, schema: MyNoShowsResponseSchema, toast: false }),

  /** GET /venues?sport=&district=&lat=&lng=&q= */
  venues: (filter: VenueFilter = {}, o: CallOptions = {}) =>
    request({
      path: '/venues',
      query: { sport: filter.sport, district: filter.district, lat: filter.lat, lng: filter.lng, q: filter.q || undefined },
      schema: VenueListResponseSchema,
      toast: o.toast,
    }),

  /** GET /venues/:venueId — detail with rules and resources */
  venue: (venueId: string, o: CallOptions = {}) =>
    request({ path: `/venues/${seg(venueId)}`, schema: VenueDetailResponseSchema, toast: o.toast }),

  /** GET /venues/:venueId/slots?date=YYYY-MM-DD&sport= */
  slots: (venueId: string, q: { date: string; sport?: Sport }, o: CallOptions = {}) =>
    request({
      path: `/venues/${seg(venueId)}/slots`,
      query: { date: q.date, sport: q.sport },
      schema: SlotListResponseSchema,
      toast: o.toast,
    }),

  /** POST /bookings — 201 {booking}; the same Idempotency-Key returns the same booking on a retry */
  createBooking: (body: CreateBookingInput, idempotencyKey: string, o: CallOptions = {}) =>
    request({
      method: 'POST',
      path: '/bookings',
      data: CreateBookingSchema.parse(body),
      header: { 'Idempotency-Key': IdempotencyKeySchema.parse(idempotencyKey) },
      schema: BookingResponseSchema,
      toast: o.toast,
    }),

  /** GET /bookings/mine?status=&cursor=&limit= */
  myBookings: (q: { status?: BookingListStatus; cursor?: string | null; limit?: number } = {}, o: CallOptions = {}) =>
    request({
      path: '/bookings/mine',
      query: { status: q.status, cursor: q.cursor, limit: q.limit },
      schema: BookingPageSchema,
      toast: o.toast,
    }),

  /** GET /bookings/:bookingId */
  booking: (bookingId: string, o: CallOptions = {}) =>
    request({ path: `/bookings/${seg(bookingId)}`, schema: BookingResponseSchema, toast: o.toast }),

  /** GET /venues/:venueId/standing?date=&sport= → {standing}: my limits and own slots there (issue 10) */
  standing: (venueId: string, q: { date: string; sport?: Sport }, o: CallOptions = {}) =>
    request({
      path: `/venues/${seg(venueId)}/standing`,
      query: { date: q.date, sport: q.sport },
      schema: StandingResponseSchema,
      toast: o.toast,
    }),

  /** GET /bookings/:bookingId/cancel-quote?slotIds= → {quote}: refund after vouchers, voucher fate, when (issue 10) */
  cancelQuote: (bookingId: string, o: CallOptions & { slotIds?: string[] } = {}) =>
    request({
      path: `/bookings/${seg(bookingId)}/cancel-quote`,
      query: { slotIds: o.slotIds?.join(',') },
      schema: z.object({ quote: CancelQuoteSchema }),
      toast: o.toast,
    }),

  /** POST /bookings/:bookingId/cancel {reason?} */
  cancelBooking: (bookingId: string, reason?: string, o: CallOptions & { slotIds?: string[] } = {}) =>
    request({
      method: 'POST',
      path: `/bookings/${seg(bookingId)}/cancel`,
      data: CancelBookingSchema.parse({ ...(reason ? { reason } : {}), ...(o.slotIds ? { slotIds: o.slotIds } : {}) }),
      schema: BookingResponseSchema,
      toast: o.toast,
    }),

  /** 候补: POST/GET/DELETE /slots/:slotId/waitlist → {entry} (an offer arrives as a held booking) */
  waitlist: {
    join: (slotId: string, o: CallOptions = {}) =>
      request({ method: 'POST', path: `/slots/${seg(slotId)}/waitlist`, data: {}, schema: WaitlistEntryResponseSchema, toast: o.toast }),
    mine: (slotId: string, o: CallOptions = {}) =>
      request({ path: `/slots/${seg(slotId)}/waitlist`, schema: WaitlistEntryResponseSchema, toast: o.toast }),
    leave: (slotId: string, o: CallOptions = {}) =>
      request({ method: 'DELETE', path: `/slots/${seg(slotId)}/waitlist`, schema: WaitlistEntryResponseSchema, toast: o.toast }),
  },

  /** 放号提醒: POST /release-reminders {venueId, sport?, date} → {reminder} */
  releaseReminder: (input: { venueId: string; sport?: Sport; date: string }, o: CallOptions = {}) =>
    request({
      method: 'POST',
      path: '/release-reminders',
      data: ReleaseReminderInputSchema.parse(input),
      schema: ReleaseReminderResponseSchema,
      toast: o.toast,
    }),

  /** the caller's 放号提醒 for a venue's day: GET /release-reminders?venueId=&date= → {items} */
  releaseReminders: (venueId: string, date: string, o: CallOptions = {}) =>
    request({ path: '/release-reminders', query: { venueId, date }, schema: ReleaseReminderListSchema, toast: o.toast }),

  /** GET /notifications/templates?names= — WeChat's template ids for our names (what requestSubscribeMessage takes) */
  subscribeTemplates: (names: SubscribeTemplate[], o: CallOptions = {}) =>
    request({
      path: `/notifications/templates?names=${names.map(encodeURIComponent).join(',')}`,
      schema: SubscribeTemplatesResponseSchema,
      toast: o.toast,
    }),

  /** POST /notifications/subscriptions — the user's answer to Taro.requestSubscribeMessage (204) */
  subscriptionConsent: (templateIds: SubscribeTemplate[], accepted: boolean, o: CallOptions = {}) =>
    request({
      method: 'POST',
      path: '/notifications/subscriptions',
      data: SubscriptionConsentSchema.parse({ templateIds, accepted }),
      schema: NoContentSchema,
      toast: o.toast,
    }),

  manage: {
    /** GET /manage/venues — venues the user manages (all of them for an admin) */
    venues: (o: CallOptions = {}) => request({ path: '/manage/venues', schema: VenueListResponseSchema, toast: o.toast }),

    /** GET /manage/venues/:venueId/bookings?date= — the day's bookings, holder names masked */
    dayBookings: (venueId: string, date: string, o: CallOptions = {}) =>
      request({ path: `/manage/venues/${seg(venueId)}/bookings`, query: { date }, schema: DayBookingsResponseSchema, toast: o.toast }),

    /** PUT /manage/venues/:venueId/rules (partial) → {venue} */
    updateRules: (venueId: string, rules: UpdateRulesInput, o: CallOptions = {}) =>
      request({
        method: 'PUT',
        path: `/manage/venues/${seg(venueId)}/rules`,
        data: UpdateRulesSchema.parse(rules),
        schema: VenueDetailResponseSchema,
        toast: o.toast,
      }),

    /** POST /manage/slots/:slotId/close {reason} — cancels and refunds the slot's bookings */
    closeSlot: (slotId: string, reason: string, o: CallOptions = {}) =>
      request({
        method: 'POST',
        path: `/manage/slots/${seg(slotId)}/close`,
        data: ManageReasonSchema.parse({ reason }),
        schema: CloseResultSchema,
        toast: o.toast,
      }),

    /** POST /manage/venues/:venueId/close-day {date, reason} */
    closeDay: (venueId: string, date: string, reason: string, o: CallOptions = {}) =>
      request({
        method: 'POST',
        path: `/manage/venues/${seg(venueId)}/close-day`,
        data: CloseDaySchema.parse({ date, reason }),
        schema: CloseResultSchema,
        toast: o.toast,
      }),

    /** PUT /manage/resources/:resourceId/templates {templates} → {resource} (no page uses it yet) */
    updateTemplates: (resourceId: string, body: UpdateTemplatesInput, o: CallOptions = {}) =>
      request({
        method: 'PUT',
        path: `/manage/resources/${seg(resourceId)}/templates`,
        data: UpdateTemplatesSchema.parse(body),
        schema: ResourceResponseSchema,
        toast: o.toast,
      }),

    /** GET /manage/venues/:venueId/bans */
    bans: (venueId: string, o: CallOptions = {}) =>
      request({ path: `/manage/venues/${seg(venueId)}/bans`, schema: BanListResponseSchema, toast: o.toast }),

    /** POST /manage/bans/:banId/lift {reason} → {ban} */
    liftBan: (banId: string, reason: string, o: CallOptions = {}) =>
      request({
        method: 'POST',
        path: `/manage/bans/${seg(banId)}/lift`,
        data: ManageReasonSchema.parse({ reason }),
        schema: BanResponseSchema,
        toast: o.toast,
      }),
  },

  pay: {
    /** GET /orders/:orderId → {order} */
    order: (orderId: string, o: CallOptions = {}) =>
      request({ path: `/orders/${seg(orderId)}`, schema: OrderResponseSchema, toast: o.toast }),

    /** GET /orders/mine?cursor=&limit= → {items, nextCursor} */
    myOrders: (q: { cursor?: string | null; limit?: number; status?: OrderTab } = {}, o: CallOptions = {}) =>
      request({
        path: '/orders/mine',
        query: { cursor: q.cursor, limit: q.limit, status: q.status && q.status !== 'all' ? q.status : undefined },
        schema: OrderPageSchema,
        toast: o.toast,
      }),

    /** GET /orders/:orderId/invoice → {invoice | null} (电子发票, owner only) */
    invoice: (orderId: string, o: CallOptions = {}) =>
      request({ path: `/orders/${seg(orderId)}/invoice`, schema: InvoiceResponseSchema, toast: o.toast }),

    /** POST /orders/:orderId/invoice {buyerType, title, taxId?, email} + Idempotency-Key → 201 {invoice} */
    requestInvoice: (orderId: string, body: RequestInvoice, idempotencyKey: string, o: CallOptions = {}) =>
      request({
        method: 'POST',
        path: `/orders/${seg(orderId)}/invoice`,
        data: RequestInvoiceSchema.parse(body),
        header: { 'Idempotency-Key': IdempotencyKeySchema.parse(idempotencyKey) },
        schema: InvoiceResponseSchema,
        toast: o.toast,
      }),

    /** POST /orders/:orderId/pay {voucherIds?} → {payParams} (to hand to requestPayment) or {order} (nothing left to pay) */
    payOrder: (orderId: string, voucherIds: string[] | undefined, o: CallOptions = {}) =>
      request({
        method: 'POST',
        path: `/orders/${seg(orderId)}/pay`,
        data: PayOrderSchema.parse(voucherIds === undefined ? {} : { voucherIds }),
        schema: PayResponseSchema,
        toast: o.toast,
      }),

    /** POST /orders/:orderId/refund {reason} → {refund}; for a booking order this cancels the booking */
    refundOrder: (orderId: string, reason: string, o: CallOptions = {}) =>
      request({
        method: 'POST',
        path: `/orders/${seg(orderId)}/refund`,
        data: RefundOrderSchema.parse({ reason }),
        schema: RefundResponseSchema,
        toast: o.toast,
      }),

    /** GET /vouchers/mine → {items} (every status) */
    myVouchers: (o: CallOptions = {}) => request({ path: '/vouchers/mine', schema: VoucherListSchema, toast: o.toast }),

    /** GET /vouchers/batches → {items}: the claim centre, batches open now */
    voucherBatches: (o: CallOptions = {}) => request({ path: '/vouchers/batches', schema: VoucherBatchListSchema, toast: o.toast }),

    /** POST /vouchers/batches/:batchId/claim → 201 {voucher} */
    claimVoucher: (batchId: string, o: CallOptions = {}) =>
      request({
        method: 'POST',
        path: `/vouchers/batches/${seg(batchId)}/claim`,
        data: {},
        schema: VoucherClaimResponseSchema,
        toast: o.toast,
      }),
  },

  /** GET /health */
  health: (o: CallOptions = {}) => request({ path: '/health', schema: HealthSchema, auth: false, toast: o.toast }),
};
