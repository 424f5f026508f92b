import Router from '@koa/router';
import multer from '@koa/multer';
import {
  ActivityQuerySchema,
  AdminRequestListQuerySchema,
  AssignInstructorSchema,
  AttendanceSchema,
  CheckInSchema,
  CreateGuidanceSessionSchema,
  GUIDANCE_PHOTO_MAX_BYTES,
  GuidanceSessionListQuerySchema,
  IdSchema,
  IdempotencyKeySchema,
  InstructorListQuerySchema,
  InstructorProfileInputSchema,
  InstructorRequestInputSchema,
  InstructorReviewSchema,
  RatingInputSchema,
  RatingReplySchema,
  SESSION_SHORT_CODE_RE,
  SHORT_CODE_TRIES_PER_MIN,
  SessionCodeCheckInSchema,
  SessionLogSchema,
} from '@citysport/shared';
import { currentUser, requireRole, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { AppError } from '../../platform/errors';
import { parse } from '../../platform/validate';
import { rateLimit } from '../../platform/ratelimit';
import type { GuidanceService } from './guidance.service';
import type { GuidanceActivity } from './guidance.activity';
import type { GuidancePhotos } from './guidance.photos';
import type { GuidanceRequests } from './guidance.requests';

export interface GuidanceParts {
  guidance: GuidanceService;
  activity: GuidanceActivity;
  photos: GuidancePhotos;
  requests: GuidanceRequests;
}

// the limit is one byte over the allowed size, so "too large" is told apart from "exactly the limit"
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: GUIDANCE_PHOTO_MAX_BYTES + 1, files: 1, fields: 5, parts: 6 },
});
const receiveFile = upload.single('file');

export function guidanceRoutes(parts: GuidanceParts, deps: { grantsOf: GrantLookup }) {
  const { guidance, activity, photos, requests } = parts;
  const router = new Router<AuthState>();
  const instructor = requireRole(deps.grantsOf, ['instructor']);
  const admin = requireRole(deps.grantsOf, ['admin']);
  const me = (ctx: Parameters<typeof currentUser>[0]) => currentUser(ctx).userId;
  const sessionIdOf = (ctx: { params: Record<string, string> }) => parse(IdSchema, ctx.params.sessionId);
  // typed 8-digit session codes count against the citizen (kernel ratelimit, in the database), as the gate's short codes
  const codeTries = rateLimit({
    max: SHORT_CODE_TRIES_PER_MIN,
    durationMs: 60_000,
    key: (ctx) => {
      const code = (ctx.request.body as { code?: unknown } | undefined)?.code;
      return typeof code === 'string' && SESSION_SHORT_CODE_RE.test(code) ? `session-code:${currentUser(ctx).userId}` : false;
    },
  });

  // ---- instructors: public profiles, applications, review ----
  router.get('/instructors', async (ctx) => {
    ctx.body = { items: await guidance.listInstructors(parse(InstructorListQuerySchema, ctx.query)) };
  });
  router.get('/instructors/:instructorId', async (ctx) => {
    ctx.body = await guidance.instructorProfile(parse(IdSchema, ctx.params.instructorId));
  });
  router.get('/instructor/profile', requireUser, async (ctx) => {
    ctx.body = { profile: await guidance.myProfile(me(ctx)) };
  });
  router.put('/instructor/profile', requireUser, async (ctx) => {
    ctx.body = { profile: await guidance.applyProfile(me(ctx), parse(InstructorProfileInputSchema, ctx.request.body)) };
  });
  router.get('/admin/instructors/activity', requireUser, admin, async (ctx) => {
    const q = parse(ActivityQuerySchema, ctx.query);
    if (q.format === 'xlsx') {
      ctx.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      ctx.set('Content-Disposition', `attachment; filename="instructor-activity-${q.year ?? 'last12m'}.xlsx"`);
      ctx.body = await activity.xlsx(q);
      return;
    }
    ctx.body = await activity.evaluate(q);
  });
  router.get('/admin/instructors', requireUser, admin, async (ctx) => {
    const q = parse(InstructorListQuerySchema, ctx.query);
    ctx.body = { items: await guidance.listInstructors({ ...q, status: q.status ?? 'pending' }, { admin: true }) };
  });
  router.post('/admin/instructors/:instructorId/review', requireUser, admin, async (ctx) => {
    const id = parse(IdSchema, ctx.params.instructorId);
    ctx.body = { profile: await guidance.review(me(ctx), id, parse(InstructorReviewSchema, ctx.request.body)) };
  });

  // ---- sessions ----
  router.get('/guidance/sessions', async (ctx) => {
    ctx.body = await guidance.listSessions(parse(GuidanceSessionListQuerySchema, ctx.query));
  });
  router.get('/guidance/sessions/:sessionId', async (ctx) => {
    ctx.body = await guidance.getSession(sessionIdOf(ctx), ctx.state.user?.userId);
  });
  router.post('/instructor/sessions', requireUser, instructor, async (ctx) => {
    ctx.status = 201;
    ctx.body = { items: await guidance.createSessions(me(ctx), parse(CreateGuidanceSessionSchema, ctx.request.body)) };
  });
  router.get('/instructor/sessions', requireUser, instructor, async (ctx) => {
    ctx.body = await guidance.instructorSessions(me(ctx));
  });
  router.post('/guidance/sessions/:sessionId/signups', requireUser, async (ctx) => {
    const sessionId = sessionIdOf(ctx);
    const header = ctx.get('idempotency-key');
    const key = header ? parse(IdempotencyKeySchema, header) : undefined;
    const { signup, ticket, replayed } = await guidance.signUp(me(ctx), sessionId, key);
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.status = replayed ? 200 : 201;
    ctx.body = { signup, ticket };
  });
  router.post('/guidance/sessions/:sessionId/signups/cancel', requireUser, async (ctx) => {
    ctx.body = await guidance.cancelSignup(me(ctx), sessionIdOf(ctx));
  });
  router.get('/guidance/signups/mine', requireUser, async (ctx) => {
    ctx.body = await guidance.mySignups(me(ctx));
  });
  router.post('/instructor/sessions/:sessionId/check-in', requireUser, instructor, async (ctx) => {
    const sessionId = sessionIdOf(ctx);
    ctx.body = await guidance.checkIn(me(ctx), sessionId, parse(CheckInSchema, ctx.request.body));
  });
  router.post('/instructor/sessions/:sessionId/attendance', requireUser, instructor, async (ctx) => {
    const sessionId = sessionIdOf(ctx);
    const { code } = parse(AttendanceSchema, ctx.request.body);
    ctx.body = await guidance.attendance(me(ctx), sessionId, code);
  });
  // the rotating session code citizens scan (a new one every 30 s; never cached)
  router.get('/instructor/sessions/:sessionId/code', requireUser, instructor, async (ctx) => {
    const sessionId = sessionIdOf(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await guidance.sessionCode(me(ctx), sessionId);
  });
  router.post('/guidance/sessions/:sessionId/check-in', requireUser, codeTries, async (ctx) => {
    const sessionId = sessionIdOf(ctx);
    ctx.body = await guidance.checkInByCode(me(ctx), sessionId, parse(SessionCodeCheckInSchema, ctx.request.body));
  });
  router.post('/instructor/sessions/:sessionId/log', requireUser, instructor, async (ctx) => {
    const sessionId = sessionIdOf(ctx);
    ctx.body = await guidance.writeLog(me(ctx), sessionId, parse(SessionLogSchema, ctx.request.body));
  });

  // ---- ratings ----
  router.post('/guidance/sessions/:sessionId/rating', requireUser, async (ctx) => {
    const sessionId = sessionIdOf(ctx);
    ctx.status = 201;
    ctx.body = await guidance.rate(me(ctx), sessionId, parse(RatingInputSchema, ctx.request.body));
  });
  router.get('/instructor/ratings', requireUser, instructor, async (ctx) => {
    ctx.body = await guidance.myRatings(me(ctx));
  });
  router.post('/instructor/ratings/:ratingId/reply', requireUser, instructor, async (ctx) => {
    const ratingId = parse(IdSchema, ctx.params.ratingId);
    ctx.body = await guidance.reply(me(ctx), ratingId, parse(RatingReplySchema, ctx.request.body).reply);
  });

  // ---- photos (multipart, field `file`) ----
  router.post('/guidance/photos', requireUser, async (ctx) => {
    if (!ctx.is('multipart/form-data')) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with a `file` field');
    try {
      await receiveFile(ctx, async () => {});
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE') throw new AppError('PHOTO_TOO_LARGE', `at most ${GUIDANCE_PHOTO_MAX_BYTES} bytes`);
      throw new AppError('VALIDATION_FAILED', 'not a valid upload', [{ path: 'file', message: code ?? 'malformed multipart body' }]);
    }
    const file = (ctx as unknown as { file?: { buffer: Buffer } }).file;
    if (!file?.buffer) throw new AppError('VALIDATION_FAILED', 'a `file` field is required', [{ path: 'file', message: 'required' }]);
    ctx.status = 201;
    ctx.body = { photo: await photos.upload(me(ctx), file.buffer) };
  });
  router.get('/guidance/photos/:photoId', async (ctx) => {
    const photoId = parse(IdSchema, ctx.params.photoId);
    const user = ctx.state.user;
    const isAdmin = user ? (await deps.grantsOf(user.userId)).some((g) => g.role === 'admin') : false;
    if (!(await guidance.canSeePhoto(photoId, user ? { userId: user.userId, admin: isAdmin } : null)))
      throw new AppError('PHOTO_NOT_FOUND', 'no such photo, or not yours to see');
    const meta = (await photos.metaOf(photoId))!;
    ctx.set('Content-Type', meta.mime);
    ctx.set('Cache-Control', 'private, max-age=300');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = photos.open(photoId);
  });

  // ---- instructor requests from organisations ----
  router.post('/guidance/requests', requireUser, async (ctx) => {
    ctx.status = 201;
    ctx.body = await requests.create(me(ctx), parse(InstructorRequestInputSchema, ctx.request.body));
  });
  router.get('/guidance/requests/mine', requireUser, async (ctx) => {
    ctx.body = await requests.mine(me(ctx));
  });
  router.get('/guidance/requests/:requestId', requireUser, async (ctx) => {
    ctx.body = await requests.forOrganisation(me(ctx), parse(IdSchema, ctx.params.requestId));
  });
  router.post('/guidance/requests/:requestId/rating', requireUser, async (ctx) => {
    const requestId = parse(IdSchema, ctx.params.requestId);
    ctx.status = 201;
    ctx.body = await requests.rate(me(ctx), requestId, parse(RatingInputSchema, ctx.request.body));
  });
  router.get('/instructor/requests', requireUser, instructor, async (ctx) => {
    ctx.body = await requests.openFor(me(ctx));
  });
  router.post('/instructor/requests/:requestId/accept', requireUser, instructor, async (ctx) => {
    const requestId = parse(IdSchema, ctx.params.requestId);
    ctx.body = await requests.assign(requestId, me(ctx), 'instructor', me(ctx));
  });
  router.get('/admin/guidance/requests', requireUser, admin, async (ctx) => {
    ctx.body = await requests.openForBureau(parse(AdminRequestListQuerySchema, ctx.query));
  });
  router.post('/admin/guidance/requests/:requestId/assign', requireUser, admin, async (ctx) => {
    const requestId = parse(IdSchema, ctx.params.requestId);
    const { instructorId, reason } = parse(AssignInstructorSchema, ctx.request.body);
    ctx.body = await requests.assign(requestId, instructorId, 'bureau', me(ctx), reason);
  });

  return router;
}
