import { randomUUID } from 'node:crypto';
import type { Clock } from '../../platform/clock';
import type { Kernel } from '../../platform/kernel';
import type { Logger } from '../../platform/logger';
import { WechatSendError, type WechatClient } from '../../platform/wechat';
import { Consent } from './notification.model';

/** Our template names → WeChat template ids (configured per mini-program; the stand-in accepts these). */
export const TEMPLATE_IDS = ['booking_reminder', 'booking_cancelled'] as const;
/** WeChat's "user refuse to accept the msg": no consent left on WeChat's side */
const CONSENT_GONE_AT_WECHAT = 43101;

const CONSENT_CREDIT = 'subscribe_consent';

export function createNotificationService(deps: {
  clock: Clock;
  kernel: Pick<Kernel, 'capacity'>;
  wechat: WechatClient;
  logger: Logger;
  openidOf: (userId: string) => Promise<string | null>;
}) {
  deps.kernel.capacity.define(CONSENT_CREDIT, { collection: 'subscribe_consents' });

  /** Each "allow" adds one credit: a grant with no upper bound, so a plain upsert (nothing to guard). */
  async function recordConsent(userId: string, templateIds: string[], accepted: boolean) {
    if (!accepted) return;
    await Promise.all(
      templateIds.map((templateId) =>
        Consent.updateOne(
          { _id: `${userId}:${templateId}` },
          { $inc: { remaining: 1 }, $set: { updatedAt: deps.clock.now() }, $setOnInsert: { userId, templateId } },
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
      const holder = `send:${randomUUID()}`;
      if (!(await deps.kernel.capacity.take(CONSENT_CREDIT, consentId, 1, { holder }))) return;
      try {
        await deps.wechat.sendSubscribeMessage(openid, templateId, data);
      } catch (err) {
        if (!(err instanceof WechatSendError && err.errcode === CONSENT_GONE_AT_WECHAT))
          await deps.kernel.capacity.giveBack(CONSENT_CREDIT, consentId, 1, { holder });
        throw err;
      }
    } catch (err) {
      deps.logger.warn({ err, templateId }, 'subscribe message not sent');
    }
  }

  return { recordConsent, notify };
}
export type NotificationService = ReturnType<typeof createNotificationService>;
