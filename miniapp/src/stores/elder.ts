import Taro from '@tarojs/taro';
import { IS_H5 } from '../api/config';
import { KEYS, readString, write } from './storage';
import { createStore, useStore } from './store';

/**
 * 关怀模式 (elderly mode) to the 工信部 适老化 rules: larger text and tap targets, stronger contrast,
 * no interrupting pop-ups. Pages wrap their content in <Screen>, which adds the `elder` class;
 * app.scss swaps the design tokens under it.
 *
 * It also follows WeChat's own font setting: when WeChat's 关怀模式 (or its font size) raises
 * `fontSizeScaleFactor`, our type scales with it and elderly mode turns on unless the user has
 * said otherwise. Stored answer: '1' on, '0' off, nothing = not asked yet (the first-launch offer).
 */

/** How much our elderly type scale already enlarges the normal one (38 / 28 for body text). */
const ELDER_STEP = 38 / 28;
const MAX_SCALE = 2;

/** WeChat's font scale; 1 on h5 and on base libraries without getAppBaseInfo (< 2.20.1). */
export function wechatFontScale(): number {
  if (IS_H5) return 1;
  try {
    const getInfo = (Taro as unknown as { getAppBaseInfo?: () => { fontSizeScaleFactor?: unknown } }).getAppBaseInfo;
    if (typeof getInfo !== 'function') return 1;
    const factor = getInfo().fontSizeScaleFactor;
    return typeof factor === 'number' && Number.isFinite(factor) && factor > 1 ? Math.min(factor, MAX_SCALE) : 1;
  } catch {
    return 1;
  }
}

interface ElderState {
  on: boolean;
  /** the user chose on or off (the first-launch offer, or the switch in 我的) */
  answered: boolean;
  /** WeChat's font scale factor (≥ 1) */
  wechatScale: number;
}

function initialState(): ElderState {
  const stored = readString(KEYS.elder);
  const wechatScale = wechatFontScale();
  return { on: stored === '1' || (stored === null && wechatScale > 1), answered: stored !== null, wechatScale };
}

export const elderStore = createStore<ElderState>(initialState());

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
  return useStore(elderStore, (s) => {
    const scale = s.on ? s.wechatScale / ELDER_STEP : s.wechatScale;
    return Math.round(Math.max(1, scale) * 100) / 100;
  });
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
