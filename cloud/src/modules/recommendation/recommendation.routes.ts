import Router from '@koa/router';
import { RecommendationQuerySchema } from '@citysport/shared';
import { currentUser, requireUser, type AuthState } from '../../platform/auth';
import { parse } from '../../platform/validate';
import type { RecommendationService } from './recommendation.service';

export function recommendationRoutes(service: RecommendationService) {
  const router = new Router<AuthState>();
  router.get('/me/recommendations', requireUser, async (ctx) => {
    const q = parse(RecommendationQuerySchema, ctx.query);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = await service.recommend(currentUser(ctx).userId, q);
  });
  return router;
}
