import mongoose from 'mongoose';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { WechatSendError, type WechatClient } from '../../platform/wechat';
import { Consent } from './notification.model';

/** Our template names → WeChat template ids (configured per mini-program; the stand-in accepts these). */
export const TEMPLATE_IDS = ['booking_reminder', 'booking_cancelled'] as const;
/** WeChat's "user refuse to accept the msg": no consent left on WeChat's side */
const CONSENT_GONE_AT_WECHAT = 43101;

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

  /**
   * Sends when the user has a consent credit left; failures are logged, never thrown into the
   * caller's flow. The credit is taken with a guarded update before sending (two concurrent sends
   * cannot both use the last one) and given back when the message did not go out, so only a
   * delivered message spends it. WeChat's 43101 (the user's consent is gone there) keeps it spent.
   */
  async function notify(userId: string, templateId: string, data: Record<string, string>): Promise<void> {
    const consentId = `${userId}:${templateId}`;
    try {
      const openid = await deps.openidOf(userId);
      if (!openid) return;
      const taken = await Consent.updateOne(
        { _id: consentId, credits: mongoose.trusted({ $gte: 1 }) },
        { $inc: { credits: -1 }, $set: { updatedAt: deps.clock.now() } },
      );
      if (taken.modifiedCount !== 1) return;
      try {
        await deps.wechat.sendSubscribeMessage(openid, templateId, data);
      } catch (err) {
        if (!(err instanceof WechatSendError && err.errcode === CONSENT_GONE_AT_WECHAT))
          await Consent.updateOne({ _id: consentId }, { $inc: { credits: 1 }, $set: { updatedAt: deps.clock.now() } });
        throw err;
      }
    } catch (err) {
      deps.logger.warn({ err, templateId }, 'subscribe message not sent');
    }
  }

  return { recordConsent, notify };
}
export type NotificationService = ReturnType<typeof createNotificationService>;
