import mongoose, { Types } from 'mongoose';
import type { GrantLookup } from '../../platform/auth';
import type { ReviewProvider, ReviewSource, ReviewTarget } from '../../platform/module';
import { Course, Enrolment, type CourseDoc } from './course.model';

const isId = (id: string) => /^[0-9a-f]{24}$/.test(id);

function providerOf(c: Pick<CourseDoc, 'provider'>): ReviewProvider {
  return c.provider.kind === 'venue'
    ? { kind: 'venue', id: c.provider.id, name: c.provider.name }
    : { kind: 'course_provider', id: c.provider.id, name: c.provider.name };
}

/**
 * What courses tell the review module (issue 15): an enrolment with an attended lesson lets its
 * holder review the course; the course's provider (the venue's manager or the organisation's
 * course_provider) replies; courses the provider cancelled count on the credit page. Reads the
 * course module's own collections only.
 */
export function createCourseReviewFacts(deps: { grantsOf: () => GrantLookup }) {
  /** source `enrolment`: the citizen's own enrolment, with at least one lesson attended */
  const attendedEnrolment: ReviewSource = async (userId, enrolmentId) => {
    if (!isId(enrolmentId) || !isId(userId)) return null;
    const e = await Enrolment.findOne(
      { _id: new Types.ObjectId(enrolmentId), userId: new Types.ObjectId(userId), 'attended.0': mongoose.trusted({ $exists: true }) },
      { courseId: 1 },
    ).lean<{ courseId: Types.ObjectId }>();
    return e ? { target: { kind: 'course', id: String(e.courseId) } } : null;
  };

  const courseTarget: ReviewTarget = {
    async describe(ids) {
      const rows = await Course.find(
        { _id: mongoose.trusted({ $in: ids.filter(isId).map((id) => new Types.ObjectId(id)) }) },
        { title: 1, provider: 1 },
      ).lean<Pick<CourseDoc, '_id' | 'title' | 'provider'>[]>();
      return new Map(rows.map((c) => [String(c._id), { name: c.title, provider: providerOf(c) }]));
    },
    async canReply(userId, courseId) {
      if (!isId(courseId)) return false;
      const c = await Course.findById(courseId, { provider: 1 }).lean<Pick<CourseDoc, 'provider'>>();
      if (!c) return false;
      const role = c.provider.kind === 'venue' ? 'venue_manager' : 'course_provider';
      return (await deps.grantsOf()(userId)).some((g) => g.role === role && g.scope === c.provider.id);
    },
    async providerCancellations() {
      const rows = await Course.aggregate<{ _id: { kind: CourseDoc['provider']['kind']; id: string }; name: string; n: number }>([
        { $match: { status: 'cancelled' } },
        { $group: { _id: { kind: '$provider.kind', id: '$provider.id' }, name: { $first: '$provider.name' }, n: { $sum: 1 } } },
      ]);
      return rows.map((r) => ({ ...providerOf({ provider: { ...r._id, name: r.name } }), count: r.n }));
    },
  };

  return { attendedEnrolment, courseTarget };
}
