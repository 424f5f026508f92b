import { z } from 'zod';
import type { CourseCertificateDto, CourseDetailDto, CourseSummaryDto, EnrolmentDto } from '@citysport/shared';
import { request } from '../../api/client';

/** The course package's calls (API.md, "Training courses"). */
const obj = <T>() => z.custom<T>((v) => typeof v === 'object' && v !== null);
const page = <T>() => z.object({ items: z.array(obj<T>()), nextCursor: z.string().nullable() });
const quiet = { toast: false };
export interface AttendanceView {
  course: CourseSummaryDto;
  lessons: { index: number; startAt: string; endAt: string; attended: number; enrolled: number }[];
  participants: { enrolmentId: string; name: string; status: string; attended: number[]; certificateEarned: boolean }[];
  waitlisted: number;
}
const Enrolled = z.object({
  enrolment: z.object({
    id: z.string(),
    status: z.string(),
    orderId: z.string().nullable(),
    waitlistPosition: z.number().nullable().optional(),
  }),
});

export const courseApi = {
  list: (q: { sport?: string; district?: string; age?: number; cursor?: string | null; limit: number }) =>
    request({
      path: '/courses',
      query: {
        ...(q.sport ? { sport: q.sport } : {}),
        ...(q.district ? { district: q.district } : {}),
        ...(q.age !== undefined ? { age: q.age } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        limit: q.limit,
      },
      schema: page<CourseSummaryDto>(),
      auth: false,
      ...quiet,
    }),
  detail: (id: string) => request({ path: `/courses/${id}`, schema: z.object({ course: obj<CourseDetailDto>() }), auth: false, ...quiet }),
  enrol: (id: string, body: unknown, key: string) =>
    request({ method: 'POST', path: `/courses/${id}/enrolments`, data: body, header: { 'Idempotency-Key': key }, schema: Enrolled }),
  mine: () => request({ path: '/me/enrolments', schema: z.object({ items: z.array(obj<EnrolmentDto>()) }), ...quiet }),
  cancel: (id: string) =>
    request({ method: 'POST', path: `/enrolments/${id}/cancel`, data: {}, schema: z.object({ enrolment: obj<EnrolmentDto>() }) }),
  certificate: (id: string) =>
    request({ path: `/me/enrolments/${id}/certificate`, schema: z.object({ certificate: obj<CourseCertificateDto>() }) }),
  providerList: () =>
    request({
      path: '/provider/courses',
      schema: z.object({
        items: z.array(obj<CourseSummaryDto>()),
        providers: z.array(z.object({ kind: z.enum(['venue', 'organisation']), id: z.string(), name: z.string() })),
      }),
      ...quiet,
    }),
  publish: (body: unknown) =>
    request({ method: 'POST', path: '/provider/courses', data: body, schema: z.object({ course: obj<CourseDetailDto>() }) }),
  attendance: (id: string) => request({ path: `/provider/courses/${id}/attendance`, schema: obj<AttendanceView>(), ...quiet }),
  checkin: (id: string, code: string) =>
    request({ method: 'POST', path: `/provider/courses/${id}/checkins`, data: { code }, schema: z.object({ result: z.string() }) }),
};
