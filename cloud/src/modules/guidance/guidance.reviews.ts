import mongoose, { Types } from 'mongoose';
import type { ReviewSource, ReviewTarget } from '../../platform/module';
import { GuidanceSession, GuidanceSignup, Instructor } from './guidance.model';

const isId = (id: string) => /^[0-9a-f]{24}$/.test(id);

/**
 * What guidance tells the review module (issue 15). An attended session (source id = the session)
 * lets the citizen review the INSTRUCTOR who led it — sessions are free, one-off and held at
 * places that are not our venues, so the lasting provider a citizen can judge is the instructor
 * (the same person guidance's own star ratings are about). The instructor replies; sessions not
 * delivered or cancelled are the instructor's provider cancellations.
 */
export function createGuidanceReviewFacts() {
  const attendedSession: ReviewSource = async (userId, sessionId) => {
    if (!isId(sessionId) || !isId(userId)) return null;
    const signup = await GuidanceSignup.findOne({ _id: `${sessionId}:${userId}`, status: 'attended' }, { sessionId: 1 }).lean<{
      sessionId: Types.ObjectId;
    }>();
    if (!signup) return null;
    const s = await GuidanceSession.findById(signup.sessionId, { instructorId: 1 }).lean<{ instructorId: Types.ObjectId }>();
    return s ? { target: { kind: 'instructor', id: String(s.instructorId) } } : null;
  };

  const names = async (ids: string[]) => {
    const rows = await Instructor.find(
      { _id: mongoose.trusted({ $in: ids.filter(isId).map((i) => new Types.ObjectId(i)) }) },
      { name: 1 },
    ).lean<{ _id: Types.ObjectId; name: string }[]>();
    return new Map(rows.map((r) => [String(r._id), r.name]));
  };

  const instructorTarget: ReviewTarget = {
    async describe(ids) {
      const n = await names(ids);
      return new Map([...n].map(([id, name]) => [id, { name, provider: { kind: 'instructor' as const, id, name } }]));
    },
    // the instructor id is the instructor's user id
    canReply: async (userId, instructorId) => userId === instructorId,
    async providerCancellations() {
      const rows = await GuidanceSession.aggregate<{ _id: Types.ObjectId; n: number }>([
        { $match: { status: { $in: ['not_delivered', 'cancelled'] } } },
        { $group: { _id: '$instructorId', n: { $sum: 1 } } },
      ]);
      const n = await names(rows.map((r) => String(r._id)));
      return rows.map((r) => ({ kind: 'instructor' as const, id: String(r._id), name: n.get(String(r._id)) ?? '', count: r.n }));
    },
  };

  return { attendedSession, instructorTarget };
}
