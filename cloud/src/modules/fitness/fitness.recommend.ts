import { Types } from 'mongoose';
import { businessDay } from '@citysport/shared';
import type { RecommendationPlugin, RecommendationProfile } from '../../platform/recommend';
import { FitnessReport, type FitnessReportDoc } from './fitness.model';

/** a score at or below this is weak (the scale is 1–5; 1–2 is below 合格) */
const WEAK_SCORE = 2;

/** The weakest items of one report: every item scored ≤ 2, else the single lowest when it is below 4; at most two. */
export function weakItemsOf(items: FitnessReportDoc['items']): RecommendationProfile['weakItems'] {
  const scored = items
    .filter((i): i is typeof i & { score: number } => i.score !== null)
    .sort((a, b) => a.score - b.score || a.item.localeCompare(b.item));
  const weak = scored.filter((i) => i.score <= WEAK_SCORE);
  const pick = weak.length ? weak : scored.length && scored[0].score < 4 ? [scored[0]] : [];
  return pick.slice(0, 2).map((i) => ({ item: i.item, labelZh: i.labelZh, score: i.score }));
}

/**
 * 为你推荐 from fitness tests: the citizen's latest report — its weak items, its district and (when
 * the account holds no real-name ID) the age it was scored at, counted on to today.
 */
export function fitnessRecommendations(): RecommendationPlugin {
  return {
    async profile(userId, now) {
      const r = await FitnessReport.findOne({ userId: new Types.ObjectId(userId) }, { items: 1, district: 1, age: 1, testDate: 1 })
        .sort({ testDate: -1, _id: -1 })
        .lean<Pick<FitnessReportDoc, 'items' | 'district' | 'age' | 'testDate'>>();
      if (!r) return {};
      const [ty, tm, td] = r.testDate.split('-').map(Number);
      const [ny, nm, nd] = businessDay(now).split('-').map(Number);
      const years = ny - ty - (nm < tm || (nm === tm && nd < td) ? 1 : 0);
      return { weakItems: weakItemsOf(r.items), district: r.district, age: r.age + Math.max(0, years) };
    },
  };
}
