/** 关怀模式 rules that need no Taro: when it turns on, and how the type follows WeChat's font setting. */
import { ELDER_STEP, fontScaleFor, initialElderState, normaliseFontScale } from '../../miniapp/src/stores/elder-rules';

test("WeChat's fontSizeScaleFactor is used when it enlarges, and bounded", () => {
  expect(normaliseFontScale(1.4)).toBe(1.4);
  expect(normaliseFontScale(3)).toBe(2);
  // older base libraries, h5, smaller fonts or junk: our own scale only
  for (const odd of [undefined, null, '1.4', Number.NaN, 0.9, 1]) expect(normaliseFontScale(odd)).toBe(1);
});

test('the stored answer wins; unasked, a raised WeChat font turns elderly mode on and the offer stays open', () => {
  expect(initialElderState(null, 1)).toEqual({ on: false, answered: false, wechatScale: 1 });
  expect(initialElderState(null, 1.3)).toEqual({ on: true, answered: false, wechatScale: 1.3 });
  expect(initialElderState('0', 1.3)).toEqual({ on: false, answered: true, wechatScale: 1.3 });
  expect(initialElderState('1', 1)).toEqual({ on: true, answered: true, wechatScale: 1 });
});

test('type scales with WeChat, on top of the elderly scale only beyond what it already gives', () => {
  expect(fontScaleFor({ on: false, wechatScale: 1 })).toBe(1);
  expect(fontScaleFor({ on: false, wechatScale: 1.2 })).toBe(1.2);
  expect(fontScaleFor({ on: true, wechatScale: 1 })).toBe(1);
  expect(fontScaleFor({ on: true, wechatScale: 1.2 })).toBe(1); // our elderly scale (×1.36) is already larger
  expect(fontScaleFor({ on: true, wechatScale: 2 })).toBeCloseTo(2 / ELDER_STEP, 2);
});
