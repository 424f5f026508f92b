/** 为你推荐: the pure parts — ranking and mixing, profile merging, weak items, reason phrases. */
import { dateZh, distancePhraseZh, whenPhraseZh } from '../../shared/src';
import { mergeProfiles, rankCandidates } from '../../cloud/src/modules/recommendation/rank';
import { weakItemsOf } from '../../cloud/src/modules/fitness/fitness.recommend';
import type { RecommendationCandidate } from '../../cloud/src/platform/recommend';

const c = (kind: string, id: string, score: number, reason = `因为 ${id}`): RecommendationCandidate => ({
  kind,
  id,
  title: id,
  subtitle: '',
  reason,
  score,
  path: `/x?id=${id}`,
});

describe('rankCandidates', () => {
  test('highest first, but a kind already picked counts less, so kinds mix', () => {
    const out = rankCandidates(
      [c('venue', 'v1', 90), c('venue', 'v2', 85), c('venue', 'v3', 80), c('event', 'e1', 60), c('guidance', 'g1', 55)],
      10,
    );
    expect(out.map((x) => x.id)).toEqual(['v1', 'e1', 'v2', 'g1', 'v3']);
  });
  test('caps the list, drops duplicates and reasonless items, one input one order', () => {
    const many = Array.from({ length: 30 }, (_, i) => c(['venue', 'event', 'guidance'][i % 3], `x${i}`, 100 - i));
    const out = rankCandidates([...many, c('venue', 'x0', 100), c('venue', 'blank', 999, '  ')], 10);
    expect(out).toHaveLength(10);
    expect(new Set(out.map((x) => `${x.kind}:${x.id}`)).size).toBe(10);
    expect(out.some((x) => x.id === 'blank')).toBe(false);
    expect(rankCandidates([...many].reverse(), 10)).toEqual(rankCandidates(many, 10));
  });
  test('no kind takes more than 4 places while others have candidates; alone it fills the list', () => {
    const venues = Array.from({ length: 8 }, (_, i) => c('venue', `v${i}`, 100 - i));
    expect(rankCandidates([...venues, c('event', 'e', 1), c('guidance', 'g', 1)], 10).filter((x) => x.kind === 'venue')).toHaveLength(8);
    const mixed = rankCandidates([...venues, ...Array.from({ length: 8 }, (_, i) => c('event', `e${i}`, 10 - i))], 8);
    expect(mixed.filter((x) => x.kind === 'venue')).toHaveLength(4);
  });
});

test('mergeProfiles adds sports up, joins weak items, first district/age win (identity age first)', () => {
  const p = mergeProfiles(
    [
      { sports: [{ sport: 'badminton', count: 3 }], district: '姑苏区' },
      { weakItems: [{ item: 'sitAndReachCm', labelZh: '坐位体前屈', score: 2 }], district: '吴中区', age: 40 },
      {
        sports: [
          { sport: 'swimming', count: 1 },
          { sport: 'badminton', count: 1 },
        ],
      },
    ],
    36,
  );
  expect(p).toEqual({
    sports: [
      { sport: 'badminton', count: 4 },
      { sport: 'swimming', count: 1 },
    ],
    district: '姑苏区',
    age: 36,
    weakItems: [{ item: 'sitAndReachCm', labelZh: '坐位体前屈', score: 2 }],
  });
  expect(mergeProfiles([{ age: 44 }], null).age).toBe(44);
});

test('weakItemsOf: every item at 1–2 (lowest first, two at most), else the single lowest below 4, else none', () => {
  const item = (name: string, score: number | null) => ({ item: name, labelZh: name, value: 1, unit: '', score, meaningZh: '' }) as never;
  expect(weakItemsOf([item('a', 4), item('b', 2), item('c', 1), item('d', 2), item('e', null)]).map((w) => w.item)).toEqual(['c', 'b']);
  expect(weakItemsOf([item('a', 4), item('b', 3), item('c', 5)]).map((w) => w.item)).toEqual(['b']);
  expect(weakItemsOf([item('a', 4), item('b', 5)])).toEqual([]);
});

test('reason phrases in Shanghai time', () => {
  const now = new Date('2026-12-02T03:00:00Z'); // Wednesday 11:00 in Shanghai
  expect(whenPhraseZh(new Date('2026-12-02T11:00:00Z'), now)).toBe('今天 19:00');
  expect(whenPhraseZh(new Date('2026-12-02T23:00:00Z'), now)).toBe('明天 07:00');
  expect(whenPhraseZh(new Date('2026-12-04T01:00:00Z'), now)).toBe('后天 09:00');
  expect(whenPhraseZh(new Date('2026-12-05T01:00:00Z'), now)).toBe('本周六 09:00');
  expect(whenPhraseZh(new Date('2026-12-08T01:00:00Z'), now)).toBe('12月8日 09:00');
  expect(dateZh(new Date('2026-12-09T16:30:00Z'))).toBe('12月10日');
  expect(distancePhraseZh(385)).toBe('距你 390 m');
  expect(distancePhraseZh(1234)).toBe('距你 1.2 km');
});
