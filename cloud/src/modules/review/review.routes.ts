import Router from '@koa/router';
import type { Middleware } from 'koa';
import {
  CreateReviewSchema,
  CreditQuerySchema,
  IdSchema,
  ModerateReviewSchema,
  ModerationQueueQuerySchema,
  PageQuerySchema,
  ReviewEligibilityQuerySchema,
  ReviewListQuerySchema,
  ReviewReplySchema,
  ReviewSummaryQuerySchema,
} from '@citysport/shared';
import { currentUser, requireRole, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { AppError } from '../../platform/errors';
import { parse } from '../../platform/validate';
import type { ReviewService } from './review.service';

/** `a,b,c` → at most 50 distinct ids, each checked */
function idList(raw: string): string[] {
  const ids = [...new Set(raw.split(',').filter(Boolean))];
  if (ids.length === 0 || ids.length > 50) throw new AppError('VALIDATION_FAILED', '1–50 ids', [{ path: 'ids', message: '1–50 ids' }]);
  return ids.map((id) => parse(IdSchema, id));
}

export function reviewRoutes(service: ReviewService, deps: { grantsOf: GrantLookup }) {
  const router = new Router<AuthState>();
  const admin = requireRole(deps.grantsOf, ['admin']) as Middleware<AuthState>;
  const me = (ctx: Parameters<typeof currentUser>[0]) => currentUser(ctx).userId;

  router.post('/reviews', requireUser, async (ctx) => {
    const input = parse(CreateReviewSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = await service.create(me(ctx), input);
  });
  router.get('/reviews', async (ctx) => {
    const q = parse(ReviewListQuerySchema, ctx.query);
    ctx.body = await service.list(q.targetKind, q.targetId, q);
  });
  router.get('/reviews/summary', async (ctx) => {
    const q = parse(ReviewSummaryQuerySchema, ctx.query);
    ctx.body = { items: [...(await service.summaryOf(q.targetKind, idList(q.ids))).values()] };
  });
  router.get('/reviews/eligibility', requireUser, async (ctx) => {
    const q = parse(ReviewEligibilityQuerySchema, ctx.query);
    ctx.body = await service.eligibility(me(ctx), q.sourceKind, idList(q.ids));
  });
  router.get('/reviews/mine', requireUser, async (ctx) => {
    ctx.body = await service.mine(me(ctx), parse(PageQuerySchema.strict(), ctx.query));
  });
  router.get('/reviews/:reviewId/photos/:photoId', async (ctx) => {
    const reviewId = parse(IdSchema, ctx.params.reviewId);
    const photoId = parse(IdSchema, ctx.params.photoId);
    const user = ctx.state.user;
    const isAdmin = user ? (await deps.grantsOf(user.userId)).some((g) => g.role === 'admin') : false;
    const photo = await service.openPhoto(reviewId, photoId, user ? { userId: user.userId, admin: isAdmin } : null);
    ctx.set('Content-Type', photo.mime);
    ctx.set('Cache-Control', 'private, max-age=300');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = photo.stream;
  });
  // the provider's one reply (who the provider is: the target's module says)
  router.post('/reviews/:reviewId/reply', requireUser, async (ctx) => {
    const reviewId = parse(IdSchema, ctx.params.reviewId);
    const { text } = parse(ReviewReplySchema, ctx.request.body);
    ctx.body = await service.reply(me(ctx), reviewId, text);
  });

  // ---------- the bureau ----------
  router.get('/admin/reviews/pending', requireUser, admin, async (ctx) => {
    ctx.body = await service.moderationQueue(parse(ModerationQueueQuerySchema, ctx.query));
  });
  router.post('/admin/reviews/:reviewId/moderate', requireUser, admin, async (ctx) => {
    const reviewId = parse(IdSchema, ctx.params.reviewId);
    ctx.body = await service.moderate(me(ctx), reviewId, parse(ModerateReviewSchema, ctx.request.body));
  });
  router.get('/admin/credit', requireUser, admin, async (ctx) => {
    const { format } = parse(CreditQuerySchema, ctx.query);
    if (format === 'xlsx') {
      ctx.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      ctx.set('Content-Disposition', 'attachment; filename="credit.xlsx"');
      ctx.body = await service.creditXlsx();
      return;
    }
    ctx.body = await service.credit();
  });

  return router;
}
