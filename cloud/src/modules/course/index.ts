import type { ModuleDescriptor } from '../../platform/module';
import type { GrantLookup } from '../../platform/auth';
import { createFieldCipher } from '../../platform/crypto-field';
import type { OrderKindHandlers, PaymentPort } from '../payment';
import type { TicketService, TicketSourceHandlers } from '../ticket';
import type { IdentityService } from '../identity';
import type { VenueService } from '../venue';
import type { GuidanceParts } from '../guidance';
import { keyedHasher, LESSON_SOURCE, signer } from './course.context';
import { createCourseService, type CourseService } from './course.service';
import { courseRoutes } from './course.routes';
import { createCourseReviewFacts } from './course.reviews';
import { courseRecommendations } from './course.recommend';

export { createCourseService, type CourseService } from './course.service';
export { COURSE_PLACES, LESSON_SOURCE } from './course.context';

/**
 * Training courses (报名培训, issue 15): sells the `course` order kind, is the `course_lesson`
 * ticket source, owns the scopes of `course_provider` (approved training organisations); jobs
 * offer freed places to the waitlist and heal crashes. Read methods for reviews and
 * recommendations: `hasAttended`, `courseExists`, `listOpenCourses`.
 */
export const courseModule: ModuleDescriptor<CourseService, OrderKindHandlers, TicketSourceHandlers> = {
  name: 'course',
  create: ({ kernel, config, pseudonym, use, find }) =>
    createCourseService({
      kernel,
      payments: use<{ port: PaymentPort }>('payment').port,
      tickets: use<TicketService>('ticket'),
      pseudonym,
      cipher: createFieldCipher(config.DATA_KEY),
      personKey: keyedHasher(config.DATA_KEY, 'person'),
      sign: signer(config.DATA_KEY),
      venueInfo: async (venueId) => {
        const venues = use<VenueService>('venue');
        if (!(await venues.venueExists(venueId))) return null;
        const v = await venues.getVenue(venueId);
        return { name: v.name, district: v.district, address: v.address };
      },
      instructorName: async (instructorId) => {
        const guidance = find<GuidanceParts>('guidance')?.guidance;
        if (!guidance) return null;
        try {
          return (await guidance.instructorProfile(instructorId)).instructor.name;
        } catch {
          return null;
        }
      },
      changeRole: (actor, change, action) => use<IdentityService>('identity').changeRole(actor, change, action),
    }),
  // reads of others' personal data and exports, audited naming the reader (platform/audit personalDataAudit)
  personalData: {
    'GET /provider/courses/:courseId/attendance': { what: "a course's enrolled learners and attendance" },
  },
  routes: (courses, { use, kernel }) => [
    courseRoutes(courses, { grantsOf: ((id: string) => use<IdentityService>('identity').grantsOf(id)) as GrantLookup, kernel }),
  ],
  roleScopes: (courses) => ({ course_provider: (id) => courses.orgExists(id) }),
  // 消费评价: an enrolment with an attended lesson lets its holder review the course; the provider replies
  reviewSources: (_courses, { use }) => ({
    enrolment: createCourseReviewFacts({ grantsOf: () => (id: string) => use<IdentityService>('identity').grantsOf(id) }).attendedEnrolment,
  }),
  reviewTargets: (_courses, { use }) => ({
    course: createCourseReviewFacts({ grantsOf: () => (id: string) => use<IdentityService>('identity').grantsOf(id) }).courseTarget,
  }),
  // 为你推荐: open courses for the citizen's age, sports and district
  recommendations: (_courses, { kernel }) => courseRecommendations(kernel.clock),
  jobs: (courses) => [
    // offers freed places to the waitlist in arrival order; lapsed offers pass the place on
    { name: 'course-waitlist', everyMs: 15_000, run: () => courses.runWaitlists() },
    // rolls back stale `taking` enrolments; finishes effects a crash left (refunds, tickets, course cancellation)
    { name: 'course-heal', everyMs: 30_000, run: () => courses.heal() },
  ],
  orderKinds: (courses) => ({
    course: {
      onPaid: ({ refId }) => courses.onPaid(refId),
      onRefundRequested: (e) => courses.onRefundRequested(e),
      onClosed: ({ refId }) => courses.onClosed(refId),
    },
  }),
  ticketSources: (courses) => ({ [LESSON_SOURCE]: { onAdmitted: (sourceId) => courses.onAdmitted(sourceId) } }),
};
