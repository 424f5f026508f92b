export { createNotificationService, type NotificationService } from './notification.service';
export { notificationRoutes } from './notification.routes';
export { notificationModule } from './notification.module';
