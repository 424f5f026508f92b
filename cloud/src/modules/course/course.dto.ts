import { inShanghai, refundRuleText, type CourseDetailDto, type CourseSummaryDto } from '@citysport/shared';
import type { CourseDoc } from './course.model';

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

/** Lessons already held (started) at `at`: what "lessons taken" means for the refund rule. */
export function lessonsHeld(c: Pick<CourseDoc, 'lessons'>, at: Date): number {
  return c.lessons.filter((l) => l.startAt <= at).length;
}

/** e.g. 每周六 09:00 · 共8节 (or 07-01 起 · 共10节 when the weekdays vary) */
export function scheduleSummary(c: Pick<CourseDoc, 'lessons'>): string {
  const days = new Set(c.lessons.map((l) => inShanghai(l.startAt).day()));
  const times = new Set(c.lessons.map((l) => inShanghai(l.startAt).format('HH:mm')));
  const first = inShanghai(c.lessons[0].startAt);
  const n = `共${c.lessons.length}节`;
  if (days.size <= 2 && times.size === 1)
    return `每周${[...days]
      .sort()
      .map((d) => WEEKDAYS[d])
      .join('、')} ${[...times][0]} · ${first.format('M月D日')}起 · ${n}`;
  return `${first.format('M月D日')}起 · ${n}`;
}

export function courseSummary(c: CourseDoc): CourseSummaryDto {
  return {
    id: String(c._id),
    title: c.title,
    sport: c.sport,
    level: c.level,
    minAge: c.minAge,
    maxAge: c.maxAge,
    district: c.district,
    placeName: c.placeName,
    priceFen: c.priceFen,
    capacity: c.capacity,
    placesLeft: Math.max(0, c.remaining),
    lessonCount: c.lessons.length,
    firstLessonAt: c.firstLessonAt.toISOString(),
    lastLessonAt: c.lastLessonAt.toISOString(),
    scheduleSummary: scheduleSummary(c),
    enrolOpensAt: c.enrolOpensAt.toISOString(),
    enrolClosesAt: c.enrolClosesAt.toISOString(),
    status: c.status,
    providerName: c.provider.name,
    teacherName: c.teacher.name,
    rating: null,
  };
}

export function courseDetail(c: CourseDoc, waitlisted: number): CourseDetailDto {
  return {
    ...courseSummary(c),
    description: c.description,
    venueId: c.venueId ? String(c.venueId) : null,
    address: c.address,
    lessons: c.lessons.map((l) => ({ index: l.index, startAt: l.startAt.toISOString(), endAt: l.endAt.toISOString() })),
    teacher: { name: c.teacher.name, instructorId: c.teacher.instructorId, verified: c.teacher.instructorId !== null },
    refundRule: c.refundRule,
    refundRuleText: refundRuleText(c.refundRule, c.lessons.length),
    certificateMinLessons: c.certificateMinLessons,
    waitlisted,
  };
}
