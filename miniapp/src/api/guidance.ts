import { z } from 'zod';
import {
  ActivityResponseSchema,
  AdminInstructorListSchema,
  CheckInResponseSchema,
  CreateGuidanceSessionSchema,
  GuidanceSessionDetailSchema,
  GuidanceSessionListSchema,
  InstructorMineSchema,
  InstructorProfileInputSchema,
  InstructorSessionListSchema,
  MySignupListSchema,
  RatingInputSchema,
  SessionLogSchema,
  SignupResponseSchema,
  type CreateGuidanceSession,
  type GuidanceSport,
  type InstructorProfileInput,
} from '@citysport/shared';
import { request } from './client';

const seg = encodeURIComponent;
const Any = z.object({}).passthrough();

/** Fitness guidance endpoints (API.md, "Fitness guidance"); shared by the guidance and instructor packages. */
export const guidanceApi = {
  sessions: (q: { sport?: GuidanceSport; district?: string; date?: string; lat?: number; lng?: number }) =>
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
  log: (id: string, body: { content: string; durationMinutes: number }) =>
    request({ method: 'POST', path: `/instructor/sessions/${seg(id)}/log`, data: SessionLogSchema.parse(body), schema: Any }),
  pending: () => request({ path: '/admin/instructors', query: { status: 'pending' }, schema: AdminInstructorListSchema }),
  review: (id: string, approved: boolean, reason?: string) =>
    request({
      method: 'POST',
      path: `/admin/instructors/${seg(id)}/review`,
      data: { approved, ...(reason ? { reason } : {}) },
      schema: Any,
    }),
  activity: (q: { year?: number; district?: string }) =>
    request({ path: '/admin/instructors/activity', query: q, schema: ActivityResponseSchema }),
};
