import { z } from 'zod';
import {
  ActivityResponseSchema,
  AdminInstructorListSchema,
  CheckInResponseSchema,
  CreateGuidanceSessionSchema,
  GuidanceSessionDetailSchema,
  GuidanceSessionListSchema,
  GuidanceSessionSchema,
  InstructorPublicSchema,
  RequestSuggestionSchema,
  InstructorMineSchema,
  InstructorProfileInputSchema,
  InstructorSessionListSchema,
  MySignupListSchema,
  InstructorRequestInputSchema,
  RatingInputSchema,
  RatingReplySchema,
  AssignInstructorSchema,
  SessionCodeCheckInSchema,
  SessionCodeSchema,
  SessionLogSchema,
  SignupResponseSchema,
  type CreateGuidanceSession,
  type GuidanceSport,
  type InstructorProfileInput,
  type InstructorRequestInput,
} from '@citysport/shared';
import { request, upload, type UploadSource } from './client';

const seg = encodeURIComponent;
const Any = z.object({}).passthrough();

const PhotoSchema = z.object({ photo: z.object({ id: z.string(), mime: z.string(), size: z.number() }) });

const PlaceOut = z.object({ name: z.string(), address: z.string(), location: z.object({ lat: z.number(), lng: z.number() }) });
export const RequestOutSchema = z.object({
  id: z.string(),
  organisation: z.object({ name: z.string(), kind: z.enum(['community', 'school', 'enterprise']) }),
  sport: z.string(),
  district: z.string(),
  place: PlaceOut,
  startAt: z.string(),
  endAt: z.string(),
  groupSize: z.number(),
  note: z.string(),
  status: z.enum(['open', 'assigned']),
  instructorId: z.string().nullable(),
  sessionId: z.string().nullable(),
  assignedBy: z.enum(['instructor', 'bureau']).nullable(),
  createdAt: z.string(),
  /** on the organisation's own reads */
  instructor: z
    .object({ id: z.string(), name: z.string(), level: z.enum(['national', 'first', 'second', 'third']) })
    .nullable()
    .optional(),
  sessionStatus: z.enum(['published', 'delivered', 'not_delivered', 'cancelled']).nullable().optional(),
  rating: z.object({ stars: z.number(), comment: z.string(), reply: z.string().nullable() }).nullable().optional(),
});
export type RequestOut = z.infer<typeof RequestOutSchema>;
const SuggestionSchema = z.object({ id: z.string(), name: z.string(), level: z.string(), district: z.string() }).passthrough();
const RequestDetailSchema = z.object({ request: RequestOutSchema, suggestions: z.array(SuggestionSchema) });
export const BureauRequestSchema = RequestOutSchema.extend({ suggestions: z.array(RequestSuggestionSchema) });
export type BureauRequest = z.infer<typeof BureauRequestSchema>;
const RatingRowSchema = z.object({
  id: z.string(),
  stars: z.number(),
  comment: z.string(),
  reply: z.string().nullable(),
  kind: z.enum(['citizen', 'organisation']),
  createdAt: z.string(),
});
export const InstructorRatingSchema = RatingRowSchema.extend({
  sessionId: z.string(),
  sessionTitle: z.string(),
  sessionStartAt: z.string().nullable(),
});
export type InstructorRating = z.infer<typeof InstructorRatingSchema>;
export const InstructorProfileSchema = z.object({
  instructor: InstructorPublicSchema,
  upcoming: z.array(GuidanceSessionSchema),
  ratings: z.array(RatingRowSchema),
});

/** Fitness guidance endpoints (API.md, "Fitness guidance"); shared by the guidance and instructor packages. */
export const guidanceApi = {
  sessions: (q: { sport?: GuidanceSport; district?: string; date?: string; lat?: number; lng?: number; cursor?: string; limit?: number }) =>
    request({ path: '/guidance/sessions', query: q, schema: GuidanceSessionListSchema, auth: false }),
  session: (id: string) => request({ path: `/guidance/sessions/${seg(id)}`, schema: GuidanceSessionDetailSchema }),
  signUp: (id: string, key: string) =>
    request({
      method: 'POST',
      path: `/guidance/sessions/${seg(id)}/signups`,
      header: { 'Idempotency-Key': key },
      schema: SignupResponseSchema,
    }),
  cancel: (id: string) => request({ method: 'POST', path: `/guidance/sessions/${seg(id)}/signups/cancel`, schema: Any }),
  rate: (id: string, body: { stars: number; comment?: string }) =>
    request({ method: 'POST', path: `/guidance/sessions/${seg(id)}/rating`, data: RatingInputSchema.parse(body), schema: Any }),
  mine: () => request({ path: '/guidance/signups/mine', schema: MySignupListSchema }),
  myProfile: () => request({ path: '/instructor/profile', schema: InstructorMineSchema }),
  apply: (p: InstructorProfileInput) =>
    request({ method: 'PUT', path: '/instructor/profile', data: InstructorProfileInputSchema.parse(p), schema: InstructorMineSchema }),
  mySessions: () => request({ path: '/instructor/sessions', schema: InstructorSessionListSchema }),
  publish: (s: CreateGuidanceSession) =>
    request({
      method: 'POST',
      path: '/instructor/sessions',
      data: CreateGuidanceSessionSchema.parse(s),
      schema: GuidanceSessionListSchema.pick({ items: true }),
    }),
  checkIn: (id: string, at: { lat: number; lng: number; accuracyM: number }) =>
    request({ method: 'POST', path: `/instructor/sessions/${seg(id)}/check-in`, data: at, schema: CheckInResponseSchema, toast: false }),
  attendance: (id: string, code: string) =>
    request({ method: 'POST', path: `/instructor/sessions/${seg(id)}/attendance`, data: { code }, schema: Any }),
  log: (id: string, body: { content: string; durationMinutes: number; photoIds?: string[] }) =>
    request({ method: 'POST', path: `/instructor/sessions/${seg(id)}/log`, data: SessionLogSchema.parse(body), schema: Any }),
  /** the rotating check-in code the instructor shows (a new one every 30 s) */
  sessionCode: (id: string) => request({ path: `/instructor/sessions/${seg(id)}/code`, schema: SessionCodeSchema, toast: false }),
  /** a citizen checking in with the session's code (scanned, or its 8 digits) from where they stand */
  checkInByCode: (id: string, body: { code: string; lat: number; lng: number; accuracyM: number }) =>
    request({
      method: 'POST',
      path: `/guidance/sessions/${seg(id)}/check-in`,
      data: SessionCodeCheckInSchema.parse(body),
      schema: Any,
      toast: false,
    }),
  uploadPhoto: (source: UploadSource) => upload({ path: '/guidance/photos', source, schema: PhotoSchema, toast: false }),
  createRequest: (body: InstructorRequestInput) =>
    request({ method: 'POST', path: '/guidance/requests', data: InstructorRequestInputSchema.parse(body), schema: RequestDetailSchema }),
  myRequests: () => request({ path: '/guidance/requests/mine', schema: z.object({ items: z.array(RequestOutSchema) }) }),
  request: (id: string) => request({ path: `/guidance/requests/${seg(id)}`, schema: RequestDetailSchema }),
  rateRequest: (id: string, body: { stars: number; comment?: string }) =>
    request({ method: 'POST', path: `/guidance/requests/${seg(id)}/rating`, data: RatingInputSchema.parse(body), schema: Any }),
  /** open requests in the instructor's specialities, and taking one (it becomes their session) */
  openRequests: () => request({ path: '/instructor/requests', schema: z.object({ items: z.array(RequestOutSchema) }) }),
  acceptRequest: (id: string) => request({ method: 'POST', path: `/instructor/requests/${seg(id)}/accept`, schema: Any }),
  pending: () => request({ path: '/admin/instructors', query: { status: 'pending' }, schema: AdminInstructorListSchema }),
  review: (id: string, approved: boolean, reason?: string) =>
    request({
      method: 'POST',
      path: `/admin/instructors/${seg(id)}/review`,
      data: { approved, ...(reason ? { reason } : {}) },
      schema: Any,
    }),
  /** a verified instructor's public profile: level, rating, upcoming sessions, ratings with replies */
  instructor: (id: string) => request({ path: `/instructors/${seg(id)}`, schema: InstructorProfileSchema, auth: false }),
  myRatings: () => request({ path: '/instructor/ratings', schema: z.object({ items: z.array(InstructorRatingSchema) }) }),
  reply: (ratingId: string, reply: string) =>
    request({
      method: 'POST',
      path: `/instructor/ratings/${seg(ratingId)}/reply`,
      data: RatingReplySchema.parse({ reply }),
      schema: Any,
    }),
  /** the bureau's 指导员选配: open requests with suggested instructors, and 指派 (audited) */
  bureauRequests: (cursor: string | null, limit: number) =>
    request({
      path: '/admin/guidance/requests',
      query: { ...(cursor ? { cursor } : {}), limit },
      schema: z.object({ items: z.array(BureauRequestSchema), nextCursor: z.string().nullable() }),
    }),
  assign: (requestId: string, instructorId: string, reason?: string) =>
    request({
      method: 'POST',
      path: `/admin/guidance/requests/${seg(requestId)}/assign`,
      data: AssignInstructorSchema.parse({ instructorId, ...(reason ? { reason } : {}) }),
      schema: Any,
    }),
  activity: (q: { year?: number; district?: string }) =>
    request({ path: '/admin/instructors/activity', query: q, schema: ActivityResponseSchema }),
};
