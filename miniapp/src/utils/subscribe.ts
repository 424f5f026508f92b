import { useEffect } from 'react';
import Taro from '@tarojs/taro';
import type { SubscribeTemplate } from '@citysport/shared';
import { api } from '../api/endpoints';
import { IS_H5 } from '../api/config';

/** our template name → this mini-program's WeChat template id, from the server's register */
const wechatIds = new Map<SubscribeTemplate, string>();

/** Fetches WeChat's ids for these templates ahead of the tap (never throws). */
export async function preloadSubscribe(names: SubscribeTemplate[]): Promise<void> {
  const missing = names.filter((n) => !wechatIds.has(n)).slice(0, 3);
  if (IS_H5 || missing.length === 0) return;
  try {
    const { items } = await api.subscribeTemplates(missing, { toast: false });
    for (const t of items) wechatIds.set(t.name, t.templateId);
  } catch {
    /* offline: the tap simply asks for nothing */
  }
}

/** A page that will ask for subscribe messages loads their ids when it opens. */
export function useSubscribeTemplates(names: SubscribeTemplate[]): void {
  const key = names.join(',');
  useEffect(() => {
    void preloadSubscribe(key.split(',') as SubscribeTemplate[]);
  }, [key]);
}

/**
 * Asks the user for subscribe messages (订阅消息) and records what they allowed. WeChat shows its
 * sheet only straight from a tap (no network wait before it), for at most 3 templates, by the
 * mini-program's own ids — loaded beforehand by useSubscribeTemplates — and the answers are mapped
 * back to our names. Never throws: declined, unsupported or offline, the flow goes on without
 * messages. Returns the names allowed (h5 has no subscribe messages: none).
 */
export async function askSubscribe(names: SubscribeTemplate[]): Promise<SubscribeTemplate[]> {
  const known = names.slice(0, 3).flatMap((name) => (wechatIds.has(name) ? [{ name, id: wechatIds.get(name)! }] : []));
  if (IS_H5 || known.length === 0) return [];
  try {
    const res = (await Taro.requestSubscribeMessage({
      tmplIds: known.map((t) => t.id),
    } as Taro.requestSubscribeMessage.Option)) as unknown as Record<string, string>;
    const allowed = known.filter((t) => res[t.id] === 'accept').map((t) => t.name);
    if (allowed.length) await api.subscriptionConsent(allowed, true, { toast: false });
    return allowed;
  } catch {
    return [];
  }
}
