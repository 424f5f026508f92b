import mongoose from 'mongoose';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { WechatClient } from '../../platform/wechat';
import { Consent } from './notification.model';

/** Our template names → WeChat template ids (configured per mini-program; the stand-in accepts these). */
export const TEMPLATE_IDS = ['booking_reminder', 'booking_cancelled'] as const;

export function createNotificationService(deps: {
  clock: Clock;
  wechat: WechatClient;
  logger: Logger;
  openidOf: (userId: string) => Promise<string | null>;
}) {
  async function recordConsent(userId: string, templateIds: string[], accepted: boolean) {
    if (!accepted) return;
    await Promise.all(
      templateIds.map((templateId) =>
        Consent.updateOne(
          { _id: `${userId}:${templateId}` },
          { $inc: { credits: 1 }, $set: { updatedAt: deps.clock.now() }, $setOnInsert: { userId, templateId } },
          { upsert: true },
        ),
      ),
    );
  }

  /** Sends when the user has a consent credit left; failures are logged, never thrown into the caller's flow. */
  async function notify(userId: string, templateId: string, data: Record<string, string>): Promise<void> {
    const credit = await Consent.updateOne(
      { _id: `${userId}:${templateId}`, credits: mongoose.trusted({ $gte: 1 }) },
      { $inc: { credits: -1 } },
    );
    if (credit.modifiedCount !== 1) return;
    try {
      const openid = await deps.openidOf(userId);
      if (!openid) return;
      await deps.wechat.sendSubscribeMessage(openid, templateId, data);
    } catch (err) {
      deps.logger.warn({ err, templateId }, 'subscribe message not sent');
    }
  }

  return { recordConsent, notify };
}
export type NotificationService = ReturnType<typeof createNotificationService>;
