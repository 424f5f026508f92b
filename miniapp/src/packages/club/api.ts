import {
  ClubActivitySchema,
  ClubAnnouncementSchema,
  ClubDetailSchema,
  ClubMemberSchema,
  ClubMembershipSchema,
  ClubSummarySchema,
  ClubScoreSchema,
  DuesLedgerRowSchema,
  pageOf,
  type ClubApplication,
} from '@citysport/shared';
import { z } from 'zod';
import { request } from '../../api/client';

/** The club package's calls (API.md, "Clubs"); responses checked against the shared schemas. */
const Signup = z.object({ signupId: z.string(), activityId: z.string().optional(), status: z.string(), orderId: z.string().nullable() });
const Detail = ClubDetailSchema.extend({ signups: z.array(Signup).default([]) });
export type ClubDetailView = z.infer<typeof Detail>;
const Mine = z.object({
  items: z.array(z.object({ club: ClubSummarySchema, membership: ClubMembershipSchema })),
  applications: z.array(ClubSummarySchema.extend({ reviewReason: z.string().nullable() })),
});
const AdminItem = ClubSummarySchema.extend({ contactName: z.string(), charter: z.string(), registrationNo: z.string().nullable() });
export type AdminClubItem = z.infer<typeof AdminItem>;
const quiet = { toast: false };

export const clubApi = {
  directory: (q: { q?: string; sport?: string; district?: string; cursor?: string | null; limit: number }) =>
    request({
      path: '/clubs',
      query: {
        ...(q.q ? { q: q.q } : {}),
        ...(q.sport ? { sport: q.sport } : {}),
        ...(q.district ? { district: q.district } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        limit: q.limit,
      },
      schema: pageOf(ClubSummarySchema),
      auth: false,
      ...quiet,
    }),
  detail: (clubId: string) => request({ path: `/clubs/${clubId}`, schema: Detail, ...quiet }),
  mine: () => request({ path: '/clubs/mine', schema: Mine, ...quiet }),
  apply: (input: Partial<ClubApplication>) =>
    request({ method: 'POST', path: '/clubs', data: input, schema: z.object({ club: ClubSummarySchema }) }),
  join: (clubId: string, body: { message?: string; phone?: string; notifyOptIn: boolean }) =>
    request({ method: 'POST', path: `/clubs/${clubId}/join`, data: body, schema: z.object({ membership: ClubMembershipSchema }) }),
  leave: (clubId: string) =>
    request({ method: 'POST', path: `/clubs/${clubId}/leave`, data: {}, schema: z.object({ status: z.string() }) }),
  signUp: (activityId: string) =>
    request({ method: 'POST', path: `/club-activities/${activityId}/signups`, data: {}, schema: z.object({ signup: Signup }) }),
  payDues: (clubId: string, key: string) =>
    request({
      method: 'POST',
      path: `/clubs/${clubId}/dues/pay`,
      data: {},
      header: { 'Idempotency-Key': key },
      schema: z.object({ orderId: z.string(), duesId: z.string() }),
    }),
  members: (clubId: string, status: 'requested' | 'member', cursor: string | null, limit: number) =>
    request({
      path: `/clubs/${clubId}/members`,
      query: { status, limit, ...(cursor ? { cursor } : {}) },
      schema: pageOf(ClubMemberSchema),
      ...quiet,
    }),
  decide: (clubId: string, userId: string, action: 'approve' | 'reject' | 'remove') =>
    request({ method: 'POST', path: `/clubs/${clubId}/members/${userId}/${action}`, data: {}, schema: z.unknown() }),
  setRole: (clubId: string, userId: string, role: string) =>
    request({ method: 'POST', path: `/clubs/${clubId}/members/${userId}/role`, data: { role }, schema: z.unknown() }),
  createActivity: (clubId: string, body: Record<string, unknown>) =>
    request({ method: 'POST', path: `/clubs/${clubId}/activities`, data: body, schema: z.object({ activity: ClubActivitySchema }) }),
  /** a court for an activity (booking module): a booking I hold */
  attachBooking: (clubId: string, activityId: string, bookingId: string) =>
    request({
      method: 'POST',
      path: `/clubs/${clubId}/activities/${activityId}/booking`,
      data: { bookingId },
      schema: z.object({ activity: ClubActivitySchema }),
    }),
  cancelActivity: (clubId: string, activityId: string, body: { reason: string; keepBooking: boolean }) =>
    request({
      method: 'POST',
      path: `/clubs/${clubId}/activities/${activityId}/cancel`,
      data: body,
      schema: z.object({ activity: ClubActivitySchema }),
    }),
  ledger: (clubId: string) =>
    request({ path: `/clubs/${clubId}/dues/ledger`, schema: z.object({ items: z.array(DuesLedgerRowSchema) }), ...quiet }),
  announce: (clubId: string, body: { title: string; body: string; pinned: boolean }) =>
    request({
      method: 'POST',
      path: `/clubs/${clubId}/announcements`,
      data: body,
      schema: z.object({ announcement: ClubAnnouncementSchema, notified: z.number() }),
    }),
  ranking: (from: string, to: string) =>
    request({ path: '/clubs/ranking', query: { from, to }, schema: z.object({ items: z.array(ClubScoreSchema) }), auth: false, ...quiet }),
  adminList: (status: string) => request({ path: '/admin/clubs', query: { status, limit: 50 }, schema: pageOf(AdminItem), ...quiet }),
  review: (clubId: string, approved: boolean, reason: string) =>
    request({
      method: 'POST',
      path: `/admin/clubs/${clubId}/review`,
      data: { approved, reason },
      schema: z.object({ club: ClubSummarySchema }),
    }),
};
