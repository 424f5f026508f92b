import Router from '@koa/router';
import { SubscriptionConsentSchema } from '@citysport/shared';
import { currentUser, requireUser, type AuthState } from '../../platform/auth';
import { parse } from '../../platform/validate';
import type { NotificationService } from './notification.service';

export function notificationRoutes(service: NotificationService) {
  const router = new Router<AuthState>();
  router.post('/notifications/subscriptions', requireUser, async (ctx) => {
    const body = parse(SubscriptionConsentSchema, ctx.request.body);
    await service.recordConsent(currentUser(ctx).userId, body.templateIds, body.accepted);
    ctx.status = 204;
  });
  return router;
}
