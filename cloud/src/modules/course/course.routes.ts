import Router from '@koa/router';
import { z } from 'zod';
import {
  CancelCourseSchema,
  CancelEnrolmentSchema,
  CourseCheckinSchema,
  CourseListQuerySchema,
  CreateTrainingOrgSchema,
  EnrolSchema,
  IdSchema,
  IdempotencyKeySchema,
  PublishCourseSchema,
  SHORT_CODE_TRIES_PER_MIN,
  UpdateCourseSchema,
  isShortCode,
  type Role,
} from '@citysport/shared';
import { currentUser, requireRole, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { AppError } from '../../platform/errors';
import type { Kernel } from '../../platform/kernel';
import { parse } from '../../platform/validate';
import { rateLimit } from '../../platform/ratelimit';
import type { CourseService } from './course.service';
import type { CourseDoc } from './course.model';

const SignatureQuerySchema = z.object({ sig: z.string().regex(/^[0-9a-f]{64}$/, 'a hex signature') }).strict();

/** Who may act for a course's provider: the venue's manager, or the organisation's `course_provider`; admins always. */
export function providerGuard(grantsOf: GrantLookup) {
  return async (userId: string, provider: { venueId: string } | { organisationId: string } | CourseDoc['provider']) => {
    const { role, scope } =
      'kind' in provider
        ? { role: (provider.kind === 'venue' ? 'venue_manager' : 'course_provider') as Role, scope: provider.id }
        : 'venueId' in provider
          ? { role: 'venue_manager' as Role, scope: provider.venueId }
          : { role: 'course_provider' as Role, scope: provider.organisationId };
    const grants = await grantsOf(userId);
    if (!grants.some((g) => g.role === 'admin' || (g.role === role && g.scope === scope)))
      throw new AppError('FORBIDDEN', `requires role ${role} for ${scope}`);
  };
}

export function courseRoutes(service: CourseService, deps: { grantsOf: GrantLookup; kernel: Kernel }) {
  const router = new Router<AuthState>();
  const me = (ctx: Parameters<typeof currentUser>[0]) => currentUser(ctx).userId;
  const mayProvide = providerGuard(deps.grantsOf);
  const bureau = requireRole(deps.grantsOf, ['admin']);
  /** the course in the path, after the caller was shown to act for its provider (or, where `teacher`, to teach it) */
  async function providedCourse(
    ctx: Parameters<typeof currentUser>[0] & { params: Record<string, string> },
    opts: { teacher?: boolean } = {},
  ) {
    const c = await service.loadCourse(parse(IdSchema, ctx.params.courseId));
    if (opts.teacher && (await service.isTeacher(me(ctx), c))) return c;
    await mayProvide(me(ctx), c.provider);
    return c;
  }
  // typed lesson digits: each try counts against the scanning account, as at a gate (ticket routes)
  const shortCodeTries = rateLimit({
    max: SHORT_CODE_TRIES_PER_MIN,
    durationMs: 60_000,
    key: (ctx) => {
      const code = (ctx.request.body as { code?: unknown } | undefined)?.code;
      return typeof code === 'string' && isShortCode(code) && ctx.state.user ? `short-code:${ctx.state.user.userId}` : false;
    },
  });

  // ---------- citizens ----------
  router.get('/courses', async (ctx) => {
    ctx.body = await service.list(parse(CourseListQuerySchema, ctx.query));
  });
  router.get('/courses/:courseId', async (ctx) => {
    ctx.body = { course: await service.detail(parse(IdSchema, ctx.params.courseId)) };
  });
  router.post('/courses/:courseId/enrolments', requireUser, async (ctx) => {
    const courseId = parse(IdSchema, ctx.params.courseId);
    const header = ctx.get('idempotency-key');
    const key = header ? parse(IdempotencyKeySchema, header) : undefined;
    const input = parse(EnrolSchema, ctx.request.body);
    const userId = me(ctx);
    if (!key) {
      ctx.status = 201;
      ctx.body = { enrolment: await service.enrol(userId, courseId, input) };
      return;
    }
    // keyed (the person key's secret): a plain hash of a name and an ID number is open to a dictionary
    const hash = service.enrolRequestHash(courseId, input);
    const { result, replayed } = await deps.kernel.claimOnce('course-enrolment', userId, key, hash, () =>
      service.enrol(userId, courseId, input),
    );
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    const now = (await service.myEnrolment(userId, result.id)).enrolment;
    ctx.status = replayed ? 200 : 201;
    ctx.body = { enrolment: { id: now.id, status: now.status, orderId: now.orderId, waitlistPosition: now.waitlistPosition } };
  });
  router.post('/enrolments/:enrolmentId/cancel', requireUser, async (ctx) => {
    const { reason } = parse(CancelEnrolmentSchema, ctx.request.body ?? {});
    ctx.body = await service.cancel(me(ctx), parse(IdSchema, ctx.params.enrolmentId), reason);
  });
  router.get('/me/enrolments', requireUser, async (ctx) => {
    ctx.body = await service.myEnrolments(me(ctx));
  });
  router.get('/me/enrolments/:enrolmentId', requireUser, async (ctx) => {
    ctx.body = await service.myEnrolment(me(ctx), parse(IdSchema, ctx.params.enrolmentId));
  });
  router.get('/me/enrolments/:enrolmentId/certificate', requireUser, async (ctx) => {
    ctx.body = await service.certificate(me(ctx), parse(IdSchema, ctx.params.enrolmentId));
  });
  router.get('/course-certificates/:certificateNo', async (ctx) => {
    const { sig } = parse(SignatureQuerySchema, ctx.query);
    ctx.body = await service.verifyCertificate(parse(IdSchema, ctx.params.certificateNo), sig);
  });

  // ---------- providers ----------
  router.post('/provider/courses', requireUser, async (ctx) => {
    const input = parse(PublishCourseSchema, ctx.request.body);
    await mayProvide(me(ctx), input.provider);
    // holding a course at a venue lends it that venue's gate (its lesson tickets open it) and name: the
    // venue's to decide, for another venue and for an organisation alike (its manager, or the bureau)
    // (an unknown venue is the service's 404, as for any caller)
    const at = 'venueId' in input.place ? input.place.venueId : null;
    const own = 'venueId' in input.provider ? input.provider.venueId : null;
    if (at && at !== own && (await service.venueKnown(at))) await mayProvide(me(ctx), { venueId: at });
    ctx.status = 201;
    ctx.body = { course: await service.publish(me(ctx), input) };
  });
  router.get('/provider/courses', requireUser, async (ctx) => {
    const grants = await deps.grantsOf(me(ctx));
    ctx.body = await service.providerCourses(
      grants.some((g) => g.role === 'admin')
        ? 'all'
        : {
            venues: grants.filter((g) => g.role === 'venue_manager' && g.scope).map((g) => g.scope!),
            orgs: grants.filter((g) => g.role === 'course_provider' && g.scope).map((g) => g.scope!),
          },
    );
  });
  router.get('/provider/courses/:courseId', requireUser, async (ctx) => {
    const c = await providedCourse(ctx);
    ctx.body = { course: await service.detail(String(c._id)) };
  });
  router.patch('/provider/courses/:courseId', requireUser, async (ctx) => {
    const c = await providedCourse(ctx);
    ctx.body = { course: await service.update(me(ctx), c, parse(UpdateCourseSchema, ctx.request.body)) };
  });
  router.get('/provider/courses/:courseId/attendance', requireUser, async (ctx) => {
    ctx.body = await service.attendance(await providedCourse(ctx, { teacher: true }));
  });
  router.post('/provider/courses/:courseId/checkins', requireUser, shortCodeTries, async (ctx) => {
    const c = await providedCourse(ctx, { teacher: true });
    ctx.body = await service.checkin(me(ctx), c, parse(CourseCheckinSchema, ctx.request.body));
  });
  router.post('/provider/courses/:courseId/cancel', requireUser, async (ctx) => {
    const c = await providedCourse(ctx);
    const { reason } = parse(CancelCourseSchema, ctx.request.body);
    ctx.body = { course: await service.cancelCourse(me(ctx), c, reason) };
  });

  // ---------- the bureau ----------
  router.post('/admin/training-orgs', requireUser, bureau, async (ctx) => {
    ctx.status = 201;
    ctx.body = { organisation: await service.createOrg(me(ctx), parse(CreateTrainingOrgSchema, ctx.request.body)) };
  });
  router.get('/admin/training-orgs', requireUser, bureau, async (ctx) => {
    ctx.body = { items: await service.listOrgs() };
  });

  return router;
}
