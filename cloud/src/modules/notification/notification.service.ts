import { randomUUID } from 'node:crypto';
import {
  SUBSCRIBE_TEMPLATES,
  SUBSCRIBE_TEMPLATE_NAMES,
  fitSubscribeData,
  subscribeDataProblem,
  type SubscribeTemplate,
  type SubscribeTemplateDto,
} from '@citysport/shared';
import type { Clock } from '../../platform/clock';
import type { Kernel } from '../../platform/kernel';
import type { Logger } from '../../platform/logger';
import { WechatSendError, type WechatClient } from '../../platform/wechat';
import { Consent } from './notification.model';

/** WeChat's "user refuse to accept the msg": no consent left on WeChat's side */
const CONSENT_GONE_AT_WECHAT = 43101;

const CONSENT_CREDIT = 'subscribe_consent';

export function createNotificationService(deps: {
  clock: Clock;
  kernel: Pick<Kernel, 'capacity'>;
  wechat: WechatClient;
  /** our template names → WeChat template ids; 'names': the names themselves (the stand-ins) */
  templateIds: Partial<Record<SubscribeTemplate, string>> | 'names';
  logger: Logger;
  openidOf: (userId: string) => Promise<string | null>;
}) {
  deps.kernel.capacity.define(CONSENT_CREDIT, { collection: 'subscribe_consents' });
  const wechatIdOf = (name: SubscribeTemplate) => (deps.templateIds === 'names' ? name : deps.templateIds[name]);

  /** The templates a page may ask consent for, with WeChat's ids (a template not configured is left out). */
  function templates(names?: SubscribeTemplate[]): SubscribeTemplateDto[] {
    return (names ?? SUBSCRIBE_TEMPLATE_NAMES).flatMap((name) => {
      const templateId = wechatIdOf(name);
      return templateId ? [{ name, templateId, title: SUBSCRIBE_TEMPLATES[name].title }] : [];
    });
  }

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
  async function notify(userId: string, templateId: string, given: Record<string, string>): Promise<void> {
    const consentId = `${userId}:${templateId}`;
    const data = fitSubscribeData(given);
    // WeChat refuses a value that breaks its keyword's rule (47003): a defect of the sender, never spend a consent on it
    const problem = subscribeDataProblem(templateId, data);
    if (problem) {
      deps.logger.error({ templateId, problem }, 'subscribe message does not fit its template; not sent');
      return;
    }
    const name = templateId as SubscribeTemplate;
    const wechatId = wechatIdOf(name);
    if (!wechatId) return; // not configured for this mini-program: never asked for, so never sent
    try {
      const openid = await deps.openidOf(userId);
      if (!openid) return;
      const holder = `send:${randomUUID()}`;
      if (!(await deps.kernel.capacity.take(CONSENT_CREDIT, consentId, 1, { holder }))) return;
      try {
        await deps.wechat.sendSubscribeMessage(openid, wechatId, data, SUBSCRIBE_TEMPLATES[name].page);
      } catch (err) {
        if (!(err instanceof WechatSendError && err.errcode === CONSENT_GONE_AT_WECHAT))
          await deps.kernel.capacity.giveBack(CONSENT_CREDIT, consentId, 1, { holder });
        throw err;
      }
    } catch (err) {
      deps.logger.warn({ err, templateId }, 'subscribe message not sent');
    }
  }

  return { recordConsent, notify, templates };
}
export type NotificationService = ReturnType<typeof createNotificationService>;
