/**
 * The rules of 关怀模式 that do not need Taro (so they can be tested on their own): when it is on,
 * and how much our type scales with WeChat's own font setting.
 */

/** How much our elderly type scale already enlarges the normal one (38 / 28 for body text, see styles/_tokens.scss). */
export const ELDER_STEP = 38 / 28;
/** WeChat's largest font setting is about 1.4×; beyond 2× pages stop being usable. */
export const MAX_FONT_SCALE = 2;

/** WeChat's `fontSizeScaleFactor` as a usable factor: ≥ 1, ≤ MAX_FONT_SCALE, 1 when missing or odd. */
export function normaliseFontScale(factor: unknown): number {
  return typeof factor === 'number' && Number.isFinite(factor) && factor > 1 ? Math.min(factor, MAX_FONT_SCALE) : 1;
}

export interface ElderState {
  on: boolean;
  /** the user chose on or off (the first-launch offer, or the switch in 我的) */
  answered: boolean;
  /** WeChat's font scale factor (≥ 1) */
  wechatScale: number;
}

/**
 * The stored answer ('1' on, '0' off, null = not asked yet) wins; unasked, a raised WeChat font
 * (its own 关怀模式) turns elderly mode on.
 */
export function initialElderState(stored: string | null, wechatScale: number): ElderState {
  return { on: stored === '1' || (stored === null && wechatScale > 1), answered: stored === '1' || stored === '0', wechatScale };
}

/**
 * The factor every `--cs-fs-*` token is multiplied by: WeChat's own, except that in elderly mode
 * our scale already gives ELDER_STEP, so only what WeChat asks beyond it is added.
 */
export function fontScaleFor(state: Pick<ElderState, 'on' | 'wechatScale'>): number {
  const scale = state.on ? state.wechatScale / ELDER_STEP : state.wechatScale;
  return Math.round(Math.max(1, scale) * 100) / 100;
}
