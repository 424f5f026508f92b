/**
 * The subscribe-message register: every template's keywords have a known type, and each type's
 * rule takes what WeChat takes and refuses what it refuses (47003), the cloud's senders and the
 * stand-in alike.
 */
import {
  SUBSCRIBE_TEMPLATES,
  SubscriptionConsentSchema,
  fitSubscribeData,
  keywordValueProblem,
  subscribeDataProblem,
} from '@citysport/shared';

test('every keyword of every template has a type with a rule', () => {
  for (const [name, spec] of Object.entries(SUBSCRIBE_TEMPLATES))
    for (const k of spec.keywords) expect(`${name}.${keywordValueProblem(k, '')}`).not.toContain('unknown keyword type');
});

test.each([
  ['thing1', '苏州奥林匹克体育中心', true],
  ['thing1', '一'.repeat(20), true],
  ['thing1', '一'.repeat(21), false],
  ['thing1', '', false],
  ['phrase2', '已中签', true],
  ['phrase2', '闸机离线', true],
  ['phrase2', '中签了吗?', false],
  ['phrase2', '一二三四五六', false],
  ['number3', '15', true],
  ['number3', '1.5', true],
  ['number3', '15分钟', false],
  ['time3', '2027-03-22 07:00', true],
  ['time3', '07:00', true],
  ['time3', '2027年3月22日 07:00', true],
  ['time3', '3月22日 07:00~09:00', true],
  ['time3', '2027-03-22 08:00 已放号', false],
  ['time3', '明天早上', false],
  ['date2', '2027-03-22', true],
  ['date2', '2027年3月22日', true],
  ['date2', '下个月', false],
  ['amount2', '60.00元', true],
  ['amount2', '¥60.00', true],
  ['amount2', '六十元', false],
  ['amount2', '¥12345678901', false],
  ['character_string1', 'CS2027A01', true],
  ['character_string1', '中文', false],
])('%s %j → %s', (keyword, value, ok) => {
  expect(keywordValueProblem(keyword, value) === null).toBe(ok);
});

test('a message must carry exactly its template keywords', () => {
  const good = { thing1: '苏州市体育中心', thing2: '羽毛球', time3: '2027-03-22 08:00' };
  expect(subscribeDataProblem('release_reminder', good)).toBeNull();
  expect(subscribeDataProblem('release_reminder', { thing1: '苏州市体育中心', thing2: '羽毛球' })).toMatch(/missing time3/);
  expect(subscribeDataProblem('release_reminder', { ...good, thing9: '多余' })).toMatch(/extra thing9/);
  expect(subscribeDataProblem('no_such_template', good)).toMatch(/unknown template/);
});

test('free text is cut to what a thing keyword takes; other types are left for the rule to judge', () => {
  const fitted = fitSubscribeData({ thing1: '苏州工业园区金鸡湖国际体育文化中心羽毛球综合训练馆', time2: ' 07:00 ' });
  expect(Array.from(fitted.thing1)).toHaveLength(20);
  expect(fitted.thing1.endsWith('…')).toBe(true);
  expect(keywordValueProblem('thing1', fitted.thing1)).toBeNull();
  expect(fitted.time2).toBe('07:00');
});

test('consent is recorded for registered templates only', () => {
  expect(SubscriptionConsentSchema.safeParse({ templateIds: ['event_draw_result'], accepted: true }).success).toBe(true);
  expect(SubscriptionConsentSchema.safeParse({ templateIds: ['made_up'], accepted: true }).success).toBe(false);
  expect(SubscriptionConsentSchema.safeParse({ templateIds: ['constructor'], accepted: true }).success).toBe(false);
});
