import Taro from '@tarojs/taro';
import { IS_H5 } from '../api/config';
import { KEYS, readString, write } from './storage';
import { createStore, useStore } from './store';
import { fontScaleFor, initialElderState, normaliseFontScale, type ElderState } from './elder-rules';

/**
 * 关怀模式 (elderly mode) to the 工信部 适老化 rules: larger text and tap targets, stronger contrast,
 * no interrupting pop-ups. Pages wrap their content in <Screen>, which adds the `elder` class;
 * app.scss swaps the design tokens under it.
 *
 * It also follows WeChat's own font setting: when WeChat's 关怀模式 (or its font size) raises
 * `fontSizeScaleFactor`, our type scales with it and elderly mode turns on unless the user has
 * said otherwise. Stored answer: '1' on, '0' off, nothing = not asked yet (the first-launch offer).
 */

/** WeChat's font scale; 1 on h5 and on base libraries without getAppBaseInfo (< 2.20.1). */
export function wechatFontScale(): number {
  if (IS_H5) return 1;
  try {
    const getInfo = (Taro as unknown as { getAppBaseInfo?: () => { fontSizeScaleFactor?: unknown } }).getAppBaseInfo;
    if (typeof getInfo !== 'function') return 1;
    return normaliseFontScale(getInfo().fontSizeScaleFactor);
  } catch {
    return 1;
  }
}

export const elderStore = createStore<ElderState>(initialElderState(readString(KEYS.elder), wechatFontScale()));

function applyRootClass(on: boolean): void {
  // h5 only: lets global chrome outside the pages (the tab bar) follow the switch too
  if (IS_H5 && typeof document !== 'undefined') {
    document.documentElement.classList.toggle('cs-elder', on);
  }
}

applyRootClass(elderStore.get().on);

export function setElderMode(on: boolean): void {
  write(KEYS.elder, on ? '1' : '0');
  elderStore.set((s) => ({ ...s, on, answered: true }));
  applyRootClass(on);
  if (!on) noticeStore.set([]);
}

export function useElderMode(): boolean {
  return useStore(elderStore, (s) => s.on);
}

/** Whether the first-launch offer still waits for an answer. */
export function useElderOfferOpen(): boolean {
  return useStore(elderStore, (s) => !s.answered);
}

/** Whether elderly mode was turned on by WeChat's font setting (the offer says so). */
export function useElderFromWechat(): boolean {
  return useStore(elderStore, (s) => s.wechatScale > 1);
}

/**
 * The factor our type is multiplied by (`--cs-font-scale`): WeChat's own, on top of the elderly
 * scale only where WeChat asks for more than it already gives.
 */
export function useFontScale(): number {
  return useStore(elderStore, fontScaleFor);
}

/* ---- no interrupting pop-ups in elderly mode --------------------------------------------------
 * A toast vanishes after a second or two, too soon to read for many elderly users. `notify` is the
 * page's way to tell the user something: a toast in normal mode; in elderly mode an inline notice
 * that <Screen> shows at the top of the page until it is dismissed or the next one comes. (Taro's
 * h5 build compiles `Taro.showToast` to a direct import, so it cannot be rerouted in one place:
 * pages call `notify` instead.) Confirm dialogs that the user opened themselves stay as they are.
 */
export interface Notice {
  id: number;
  text: string;
}

export const noticeStore = createStore<Notice[]>([]);
let nextNoticeId = 1;

export function dismissNotice(id: number): void {
  noticeStore.set((list) => list.filter((n) => n.id !== id));
}

export function useNotices(): Notice[] {
  return useStore(noticeStore, (s) => s);
}

/** Tells the user something without interrupting: inline in elderly mode, else a toast. */
export function notify(text: string, durationMs = 2000): void {
  if (elderStore.get().on) noticeStore.set([{ id: nextNoticeId++, text }]);
  else void Taro.showToast({ title: text, icon: 'none', duration: durationMs });
}
