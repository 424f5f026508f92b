export { createNotificationService, type NotificationService, TEMPLATE_IDS } from './notification.service';
export { notificationRoutes } from './notification.routes';
export { notificationModule } from './notification.module';
