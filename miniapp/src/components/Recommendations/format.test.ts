import { expect, test } from '@jest/globals';
import { dateZh, distanceZh, kindLabel, metaOf } from './format';

const item = (over: Partial<Parameters<typeof metaOf>[0]>) => ({
  kind: 'venue' as const,
  id: 'v',
  title: '苏州市体育中心',
  subtitle: '羽毛球 · 姑苏区',
  reason: '你常打羽毛球 · 明天 19:00 有空场',
  path: '/packages/venue/index?id=v',
  ...over,
});

test('a card line: place, an event’s day in Shanghai time, the distance', () => {
  expect(metaOf(item({ startsAt: '2026-12-03T11:00:00.000Z' }))).toEqual(['羽毛球 · 姑苏区']); // the reason has the time
  expect(metaOf(item({ distanceM: 1234 }))).toEqual(['羽毛球 · 姑苏区', '1.2 km']);
  expect(metaOf(item({ kind: 'event', subtitle: '平江路 · 姑苏区', startsAt: '2026-12-31T16:30:00.000Z' }))).toEqual([
    '平江路 · 姑苏区',
    '1月1日开赛',
  ]);
  expect(dateZh('2026-12-09T16:00:00.000Z')).toBe('12月10日');
  expect(distanceZh(385)).toBe('390 m');
  expect(kindLabel('guidance')).toBe('健身指导');
  expect(kindLabel('course')).toBe('培训课程');
});
