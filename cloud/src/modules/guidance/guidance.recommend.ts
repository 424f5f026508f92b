import mongoose, { Types } from 'mongoose';
import { GUIDANCE_SPORT_LABELS_ZH, distancePhraseZh, haversineMetres, whenPhraseZh, type GuidanceSport } from '@citysport/shared';
import type { RecommendationCandidate, RecommendationContext, RecommendationPlugin } from '../../platform/recommend';
import { GuidanceSession, GuidanceSignup, type SessionDoc, type SignupDoc } from './guidance.model';

/**
 * What a weak fitness-test item asks for (体质测试 → 健身指导): the quality it measures and the
 * guidance sports that train it. One table to change.
 */
export const WEAK_ITEM_TRAINING: Record<string, { qualityZh: string; sports: GuidanceSport[] }> = {
  sitAndReachCm: { qualityZh: '柔韧性', sports: ['yoga', 'taichi', 'baduanjin'] },
  oneLegStandEyesClosedS: { qualityZh: '平衡能力', sports: ['taichi', 'baduanjin'] },
  vitalCapacityMl: { qualityZh: '肺活量', sports: ['walking', 'square_dance', 'fitness'] },
  stepIndex: { qualityZh: '心肺耐力', sports: ['walking', 'square_dance', 'fitness'] },
  gripKg: { qualityZh: '力量', sports: ['fitness'] },
  pushUps: { qualityZh: '上肢力量', sports: ['fitness'] },
  sitUpsPerMin: { qualityZh: '核心力量', sports: ['fitness', 'yoga'] },
  verticalJumpCm: { qualityZh: '爆发力', sports: ['fitness', 'badminton_basics'] },
  reactionTimeS: { qualityZh: '反应能力', sports: ['badminton_basics', 'square_dance'] },
  heightWeight: { qualityZh: '体重指数', sports: ['walking', 'fitness', 'square_dance'] },
};
/** the venue sports a citizen books → guidance sports that go with them */
const FROM_BOOKED: Record<string, GuidanceSport> = { badminton: 'badminton_basics', yoga: 'yoga', fitness: 'fitness' };
/** gentle sports for 60 and over (easy sessions only) */
const ELDER_SPORTS = new Set<GuidanceSport>(['taichi', 'baduanjin', 'walking', 'square_dance']);
const ELDER_AGE = 60;
const WINDOW_MS = 7 * 86_400_000;
const LEAD_MS = 30 * 60_000;
const MAX_ITEMS = 4;

/**
 * 为你推荐 from guidance: upcoming free sessions with places, matched to the citizen's latest
 * fitness-test weak items, their age (60+: gentle, easy sessions) and what they book; sessions
 * they signed up for are left out.
 */
export function guidanceRecommendations(): RecommendationPlugin {
  async function sessionCandidates(ctx: RecommendationContext): Promise<RecommendationCandidate[]> {
    const { now, citizen } = ctx;
    const sessions = await GuidanceSession.find(
      {
        status: 'published',
        startAt: mongoose.trusted({ $gte: new Date(now.getTime() + LEAD_MS), $lt: new Date(now.getTime() + WINDOW_MS) }),
        remaining: mongoose.trusted({ $gt: 0 }),
      },
      { title: 1, sport: 1, district: 1, place: 1, startAt: 1, capacity: 1, remaining: 1, difficulty: 1 },
    )
      .sort({ startAt: 1 })
      .limit(300)
      .lean<SessionDoc[]>();
    const joined = citizen
      ? await GuidanceSignup.find(
          {
            userId: new Types.ObjectId(citizen.userId),
            sessionId: mongoose.trusted({ $in: sessions.map((s) => s._id) }),
            status: mongoose.trusted({ $in: ['taking', 'confirmed', 'attended'] }),
          },
          { sessionId: 1 },
        ).lean<Pick<SignupDoc, 'sessionId'>[]>()
      : [];
    const skip = new Set(joined.map((j) => String(j.sessionId)));
    const out: RecommendationCandidate[] = [];
    for (const s of sessions) {
      if (skip.has(String(s._id))) continue;
      const hoursAway = (s.startAt.getTime() - now.getTime()) / 3_600_000;
      const soon = hoursAway <= 48 ? 8 : hoursAway <= 96 ? 5 : 2;
      const label = GUIDANCE_SPORT_LABELS_ZH[s.sport] ?? s.sport;
      const when = `${whenPhraseZh(s.startAt, now)} ${label}`;
      const base = {
        kind: 'guidance',
        id: String(s._id),
        title: s.title,
        subtitle: `${s.place.name} · ${s.district}`,
        startsAt: s.startAt.toISOString(),
        path: `/packages/guidance/session?id=${String(s._id)}`,
      };
      if (!citizen) {
        const fill = s.capacity > 0 ? (s.capacity - s.remaining) / s.capacity : 0;
        out.push({ ...base, score: 10 + soon + 10 * fill, reason: `即将开课 · ${when} · 剩 ${s.remaining} 个名额` });
        continue;
      }
      const { profile } = citizen;
      const parts: string[] = [];
      let score = soon;
      const weak = profile.weakItems.findIndex((w) => WEAK_ITEM_TRAINING[w.item]?.sports.includes(s.sport));
      if (weak >= 0) {
        score += weak === 0 ? 45 : 35;
        parts.push(`你的${WEAK_ITEM_TRAINING[profile.weakItems[weak].item].qualityZh}测试偏弱`);
      }
      const elder = profile.age !== null && profile.age >= ELDER_AGE;
      if (elder && s.difficulty === 'hard') continue; // not for 60 and over
      if (elder && ELDER_SPORTS.has(s.sport) && s.difficulty === 'easy') {
        score += 15;
        parts.push('适合60岁以上');
      }
      const booked = profile.sports.find((p) => FROM_BOOKED[p.sport] === s.sport);
      if (booked) {
        score += 20;
        parts.push(`你常${booked.sport === 'badminton' ? '打' : '练'}${label.replace('基础', '')}`);
      }
      let distanceM: number | undefined;
      if (citizen.origin) {
        distanceM = Math.round(haversineMetres(citizen.origin, s.place.location));
        if (distanceM <= 5000) {
          score += 10;
          parts.push(distancePhraseZh(distanceM));
        }
      } else if (profile.district && s.district === profile.district) {
        score += 10;
        parts.push(`在你所在的${s.district}`);
      }
      if (!parts.length) continue;
      out.push({ ...base, score, reason: [...parts, when].join(' · '), ...(distanceM !== undefined ? { distanceM } : {}) });
    }
    return out.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, MAX_ITEMS);
  }
  return { sources: { guidance: sessionCandidates } };
}
