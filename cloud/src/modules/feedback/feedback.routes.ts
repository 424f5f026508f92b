import Router from '@koa/router';
import type { Middleware } from 'koa';
import {
  AdminFeedbackListQuerySchema,
  AnswerFeedbackSchema,
  CreateFeedbackSchema,
  FEEDBACK_PER_HOUR,
  FeedbackListQuerySchema,
  IdSchema,
} from '@citysport/shared';
import { currentUser, requireRole, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { AppError } from '../../platform/errors';
import { rateLimit } from '../../platform/ratelimit';
import { parse } from '../../platform/validate';
import type { FeedbackService } from './feedback.service';

type FeedbackState = AuthState & { body?: unknown; venueId?: string };

export function feedbackRoutes(service: FeedbackService, deps: { grantsOf: GrantLookup; venueExists: (id: string) => Promise<boolean> }) {
  const router = new Router<FeedbackState>();
  const me = (ctx: Parameters<typeof currentUser>[0]) => currentUser(ctx).userId;
  const admin = requireRole(deps.grantsOf, ['admin']) as Middleware<FeedbackState>;
  const managerOf = requireRole(
    deps.grantsOf,
    ['venue_manager'],
    (ctx) => (ctx.state as FeedbackState).venueId,
  ) as Middleware<FeedbackState>;

  // validated first, so a malformed request spends nothing of the citizen's hourly budget
  const validBody: Middleware<FeedbackState> = async (ctx, next) => {
    ctx.state.body = parse(CreateFeedbackSchema, ctx.request.body);
    await next();
  };
  // kernel ratelimit (in the database: every API instance counts against one window)
  const perHour = rateLimit({ max: FEEDBACK_PER_HOUR, durationMs: 3_600_000, key: (ctx) => `feedback:${currentUser(ctx).userId}` });

  router.post('/feedback', requireUser, validBody, perHour as Middleware<FeedbackState>, async (ctx) => {
    ctx.status = 201;
    ctx.body = { feedback: await service.create(me(ctx), ctx.state.body as ReturnType<typeof CreateFeedbackSchema.parse>) };
  });
  router.get('/feedback/mine', requireUser, async (ctx) => {
    ctx.body = await service.mine(me(ctx), parse(FeedbackListQuerySchema, ctx.query));
  });
  router.get('/feedback/:feedbackId', requireUser, async (ctx) => {
    ctx.body = { feedback: await service.get(me(ctx), parse(IdSchema, ctx.params.feedbackId)) };
  });
  router.post('/feedback/:feedbackId/close', requireUser, async (ctx) => {
    ctx.body = { feedback: await service.close(me(ctx), parse(IdSchema, ctx.params.feedbackId)) };
  });
  router.get('/feedback/:feedbackId/photos/:photoId', requireUser, async (ctx) => {
    const photo = await service.openPhoto(me(ctx), parse(IdSchema, ctx.params.feedbackId), parse(IdSchema, ctx.params.photoId));
    ctx.set('Content-Type', photo.mime);
    ctx.set('Cache-Control', 'private, max-age=300');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = photo.stream;
  });

  // ---------- staff: a venue's managers, the bureau ----------
  const venueFromPath: Middleware<FeedbackState> = async (ctx, next) => {
    const venueId = parse(IdSchema, ctx.params.venueId);
    if (!(await deps.venueExists(venueId))) throw new AppError('VENUE_NOT_FOUND', 'no such venue');
    ctx.state.venueId = venueId;
    await next();
  };
  router.get('/manage/venues/:venueId/feedback', requireUser, venueFromPath, managerOf, async (ctx) => {
    ctx.body = await service.forVenue(ctx.state.venueId!, parse(FeedbackListQuerySchema, ctx.query));
  });
  // who may answer is decided per feedback (its venue, or the bureau for feedback to the bureau)
  router.post('/manage/feedback/:feedbackId/answer', requireUser, async (ctx) => {
    const feedbackId = parse(IdSchema, ctx.params.feedbackId);
    const { text } = parse(AnswerFeedbackSchema, ctx.request.body);
    ctx.body = { feedback: await service.answer(me(ctx), feedbackId, text) };
  });
  router.post('/manage/feedback/:feedbackId/close', requireUser, async (ctx) => {
    ctx.body = { feedback: await service.close(me(ctx), parse(IdSchema, ctx.params.feedbackId)) };
  });
  router.get('/admin/feedback', requireUser, admin, async (ctx) => {
    ctx.body = await service.all(parse(AdminFeedbackListQuerySchema, ctx.query));
  });

  return router;
}
