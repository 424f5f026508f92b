import { z } from 'zod';
import {
  CreateFitnessBookingSchema,
  FitnessBookingSchema,
  FitnessReportSchema,
  FitnessSlotSchema,
  FitnessStationSchema,
  IdempotencyKeySchema,
  SubmitFitnessResultSchema,
  TicketSchema,
  type CreateFitnessBooking,
  type Measurements,
} from '@citysport/shared';
import { request } from './client';
import type { CallOptions } from './endpoints';

const HistoryItemSchema = z.object({
  id: z.string(),
  testDate: z.string(),
  stationName: z.string(),
  standard: z.string(),
  ageGroup: z.string(),
  total: z.number(),
  maxTotal: z.number(),
  grade: z.string().nullable(),
  items: z.array(z.object({ item: z.string(), score: z.number().nullable() })),
});
export type FitnessHistoryItem = z.infer<typeof HistoryItemSchema>;

/** 体质测试 endpoints (imported only by the fitness-test subpackage). */
export const fitnessApi = {
  stations: (o: CallOptions = {}) =>
    request({ path: '/fitness-tests/stations', schema: z.object({ items: z.array(FitnessStationSchema) }), auth: false, toast: o.toast }),
  slots: (stationId: string, date: string, o: CallOptions = {}) =>
    request({
      path: `/fitness-tests/stations/${encodeURIComponent(stationId)}/slots`,
      query: { date },
      schema: z.object({ items: z.array(FitnessSlotSchema) }),
      auth: false,
      toast: o.toast,
    }),
  book: (body: CreateFitnessBooking, idempotencyKey: string, o: CallOptions = {}) =>
    request({
      method: 'POST',
      path: '/fitness-tests/bookings',
      data: CreateFitnessBookingSchema.parse(body),
      header: { 'Idempotency-Key': IdempotencyKeySchema.parse(idempotencyKey) },
      schema: z.object({ booking: FitnessBookingSchema, ticket: TicketSchema.nullable() }),
      toast: o.toast,
    }),
  myBookings: (o: CallOptions = {}) =>
    request({ path: '/fitness-tests/bookings/mine', schema: z.object({ items: z.array(FitnessBookingSchema) }), toast: o.toast }),
  reportsMine: (o: CallOptions = {}) =>
    request({ path: '/fitness-tests/reports/mine', schema: z.object({ items: z.array(HistoryItemSchema) }), toast: o.toast }),
  report: (id: string, o: CallOptions = {}) =>
    request({
      path: `/fitness-tests/reports/${encodeURIComponent(id)}`,
      schema: z.object({ report: FitnessReportSchema }),
      toast: o.toast,
    }),
  /** a station's entry; the key (kept with a queued entry) makes resubmitting it safe */
  submit: (
    body: { stationId: string; ticketCode?: string; bookingId?: string; measurements: Measurements },
    idempotencyKey: string,
    o: CallOptions = {},
  ) =>
    request({
      method: 'POST',
      path: '/fitness-tests/results',
      data: SubmitFitnessResultSchema.parse(body),
      header: { 'Idempotency-Key': IdempotencyKeySchema.parse(idempotencyKey) },
      schema: z.object({ report: FitnessReportSchema }),
      toast: o.toast,
    }),
  /** the shareable card (no name, ID or birth date) as an SVG data URL */
  shareImage: (id: string, o: CallOptions = {}) =>
    request({
      path: `/fitness-tests/reports/${encodeURIComponent(id)}/share?format=json`,
      schema: z.object({ image: z.string().startsWith('data:image/svg+xml;base64,') }),
      toast: o.toast,
    }),
};
