import mongoose, { Types } from 'mongoose';
import { COURSE_SPORT_LABELS_ZH, dateZh, playsPhraseZh, type CourseSport } from '@citysport/shared';
import type { Clock } from '../../platform/clock';
import type { RecommendationCandidate, RecommendationContext, RecommendationPlugin } from '../../platform/recommend';
import { Course, Enrolment, type CourseDoc } from './course.model';

const MAX_ITEMS = 3;
/** an enrolment that still holds or waits for a place: the course is not suggested again */
const LIVE = ['taking', 'held', 'waitlisted', 'offered', 'enrolled'];

/**
 * 为你推荐 from courses: courses open for enrolment with places left, for the citizen's age (when
 * known from their own real-name data), the sports they play and their district; courses they are
 * enrolled on or waiting for are left out. Without personalisation: the soonest with places.
 */
export function courseRecommendations(clock: Clock): RecommendationPlugin {
  async function courseCandidates(ctx: RecommendationContext): Promise<RecommendationCandidate[]> {
    const { citizen } = ctx;
    const now = clock.now();
    const age = citizen?.profile.age ?? null;
    const rows = await Course.find(
      {
        status: 'open',
        enrolOpensAt: mongoose.trusted({ $lte: now }),
        enrolClosesAt: mongoose.trusted({ $gt: now }),
        remaining: mongoose.trusted({ $gt: 0 }),
        ...(age !== null ? { minAge: mongoose.trusted({ $lte: age }), maxAge: mongoose.trusted({ $gte: age }) } : {}),
      },
      { title: 1, sport: 1, district: 1, placeName: 1, firstLessonAt: 1, remaining: 1, capacity: 1, priceFen: 1, minAge: 1, maxAge: 1 },
    )
      .sort({ firstLessonAt: 1 })
      .limit(100)
      .lean<CourseDoc[]>();
    const mine = citizen
      ? await Enrolment.find(
          {
            userId: new Types.ObjectId(citizen.userId),
            courseId: mongoose.trusted({ $in: rows.map((c) => c._id) }),
            status: mongoose.trusted({ $in: LIVE }),
          },
          { courseId: 1 },
        ).lean<{ courseId: Types.ObjectId }[]>()
      : [];
    const skip = new Set(mine.map((e) => String(e.courseId)));
    const out: RecommendationCandidate[] = [];
    for (const c of rows) {
      if (skip.has(String(c._id))) continue;
      const label = COURSE_SPORT_LABELS_ZH[c.sport as CourseSport] ?? c.sport;
      const starts = `${dateZh(c.firstLessonAt)}开课 · 剩 ${c.remaining} 个名额`;
      const base = {
        kind: 'course',
        id: String(c._id),
        title: c.title,
        subtitle: `${c.placeName} · ${c.district} · ${label}`,
        startsAt: c.firstLessonAt.toISOString(),
        path: `/packages/course/detail?id=${String(c._id)}`,
      };
      const daysAway = (c.firstLessonAt.getTime() - now.getTime()) / 86_400_000;
      const soon = daysAway <= 7 ? 8 : daysAway <= 30 ? 5 : 2;
      if (!citizen) {
        out.push({ ...base, score: 8 + soon, reason: `即将开课 · ${starts}` });
        continue;
      }
      const { profile } = citizen;
      const parts: string[] = [];
      let score = soon;
      if (profile.sports.some((p) => p.sport === c.sport)) {
        score += 25;
        parts.push(playsPhraseZh(c.sport));
      }
      if (profile.district && c.district === profile.district) {
        score += 10;
        parts.push(`在你所在的${c.district}`);
      }
      // the age only filters (it may come from a fitness report, not the citizen's own ID): not quoted
      if (age !== null) {
        score += 5;
        parts.push('符合报名年龄');
      }
      if (!parts.length) continue;
      out.push({ ...base, score, reason: [...parts, starts].join(' · ') });
    }
    return out.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, MAX_ITEMS);
  }
  return { sources: { course: courseCandidates } };
}
