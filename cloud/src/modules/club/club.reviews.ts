import mongoose, { Types } from 'mongoose';
import type { GrantLookup } from '../../platform/auth';
import type { ReviewSource, ReviewTarget } from '../../platform/module';
import { Club, ClubActivity, ClubMember, ClubSignup } from './club.model';

const isId = (id: string) => /^[0-9a-f]{24}$/.test(id);

/**
 * What the club module tells the review module (issue 15): an attended club activity (source id =
 * the activity) lets the member review the club; the club's admins reply; activities the club
 * cancelled are its provider cancellations.
 */
export function createClubReviewFacts(deps: { grantsOf: () => GrantLookup }) {
  const attendedActivity: ReviewSource = async (userId, activityId) => {
    if (!isId(activityId) || !isId(userId)) return null;
    const s = await ClubSignup.findOne(
      { activityId: new Types.ObjectId(activityId), userId: new Types.ObjectId(userId), status: 'attended' },
      { clubId: 1 },
    ).lean<{ clubId: Types.ObjectId }>();
    return s ? { target: { kind: 'club', id: String(s.clubId) } } : null;
  };

  const names = async (ids: string[]) => {
    const clubs = await Club.find({ _id: mongoose.trusted({ $in: ids.filter(isId).map((i) => new Types.ObjectId(i)) }) }, { name: 1 }).lean<
      { _id: Types.ObjectId; name: string }[]
    >();
    return new Map(clubs.map((c) => [String(c._id), c.name]));
  };

  const clubTarget: ReviewTarget = {
    async describe(ids) {
      const n = await names(ids);
      return new Map([...n].map(([id, name]) => [id, { name, provider: { kind: 'club' as const, id, name } }]));
    },
    async canReply(userId, clubId) {
      if (!isId(clubId) || !isId(userId)) return false;
      if (!(await deps.grantsOf()(userId)).some((g) => g.role === 'club_admin' && g.scope === clubId)) return false;
      // not once the membership has ended (a removed officer whose grant a crash left to the sweeper)
      const id = { clubId: new Types.ObjectId(clubId), userId: new Types.ObjectId(userId) };
      if (await ClubMember.exists({ ...id, liveKey: 'live', status: 'member' })) return true;
      return (await ClubMember.exists({ ...id, status: mongoose.trusted({ $in: ['left', 'removed'] }) })) === null;
    },
    async providerCancellations() {
      const rows = await ClubActivity.aggregate<{ _id: Types.ObjectId; n: number }>([
        { $match: { status: 'cancelled' } },
        { $group: { _id: '$clubId', n: { $sum: 1 } } },
      ]);
      const n = await names(rows.map((r) => String(r._id)));
      return rows.map((r) => ({ kind: 'club' as const, id: String(r._id), name: n.get(String(r._id)) ?? '', count: r.n }));
    },
  };

  return { attendedActivity, clubTarget };
}
