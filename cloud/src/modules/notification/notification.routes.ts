import Router from '@koa/router';
import { SubscribeTemplatesQuerySchema, SubscriptionConsentSchema } from '@citysport/shared';
import { currentUser, requireUser, type AuthState } from '../../platform/auth';
import { parse } from '../../platform/validate';
import type { NotificationService } from './notification.service';

export function notificationRoutes(service: NotificationService) {
  const router = new Router<AuthState>();
  // what wx.requestSubscribeMessage needs: WeChat's template ids for our names (public: the ids are the mini-program's, not secrets)
  router.get('/notifications/templates', async (ctx) => {
    const { names } = parse(SubscribeTemplatesQuerySchema, ctx.query);
    ctx.body = { items: service.templates(names) };
  });
  router.post('/notifications/subscriptions', requireUser, async (ctx) => {
    const body = parse(SubscriptionConsentSchema, ctx.request.body);
    await service.recordConsent(currentUser(ctx).userId, body.templateIds, body.accepted);
    ctx.status = 204;
  });
  return router;
}
