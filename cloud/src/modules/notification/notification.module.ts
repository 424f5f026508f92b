import type { SubscribeTemplate } from '@citysport/shared';
import type { ModuleDescriptor } from '../../platform/module';
import type { WechatClient } from '../../platform/wechat';
import type { IdentityService } from '../identity';
import { createNotificationService, type NotificationService } from './notification.service';
import { notificationRoutes } from './notification.routes';

/** Subscribe-message consents and sends, through the app's WeChat client. */
export function notificationModule(p: {
  wechat: WechatClient;
  /** our template names → WeChat template ids; 'names': the names themselves (the stand-ins) */
  templateIds: Partial<Record<SubscribeTemplate, string>> | 'names';
}): ModuleDescriptor<NotificationService> {
  return {
    name: 'notification',
    create: ({ kernel, use }) =>
      createNotificationService({
        clock: kernel.clock,
        kernel,
        wechat: p.wechat,
        templateIds: p.templateIds,
        logger: kernel.logger,
        openidOf: (id) => use<IdentityService>('identity').openidOf(id),
      }),
    routes: (notifications) => [notificationRoutes(notifications)],
  };
}
