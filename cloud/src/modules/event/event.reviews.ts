import mongoose, { Types } from 'mongoose';
import type { ReviewSource, ReviewTarget } from '../../platform/module';
import { Registration, SportEvent } from './event.model';

const isId = (id: string) => /^[0-9a-f]{24}$/.test(id);

/**
 * What the event module tells the review module (issue 15): an entry admitted at the gate
 * (`checkedInAt`) lets its holder review the event; the organiser replies and is the provider on
 * the credit page. Events have no cancelled state (an organiser cannot call one off), so there are
 * no provider cancellations to count here.
 */
export function createEventReviewFacts(deps: { displayNames: (ids: string[]) => Promise<Map<string, string>> }) {
  const attendedRegistration: ReviewSource = async (userId, registrationId) => {
    if (!isId(registrationId) || !isId(userId)) return null;
    const r = await Registration.findOne(
      { _id: new Types.ObjectId(registrationId), userId: new Types.ObjectId(userId), checkedInAt: mongoose.trusted({ $ne: null }) },
      { eventId: 1 },
    ).lean<{ eventId: Types.ObjectId }>();
    return r ? { target: { kind: 'event', id: String(r.eventId) } } : null;
  };

  const eventTarget: ReviewTarget = {
    async describe(ids) {
      const events = await SportEvent.find(
        { _id: mongoose.trusted({ $in: ids.filter(isId).map((i) => new Types.ObjectId(i)) }) },
        { name: 1, organiserId: 1 },
      ).lean<{ _id: Types.ObjectId; name: string; organiserId: Types.ObjectId }[]>();
      const names = await deps.displayNames([...new Set(events.map((e) => String(e.organiserId)))]);
      return new Map(
        events.map((e) => [
          String(e._id),
          {
            name: e.name,
            provider: { kind: 'organiser' as const, id: String(e.organiserId), name: names.get(String(e.organiserId)) ?? '组织者' },
          },
        ]),
      );
    },
    async canReply(userId, eventId) {
      if (!isId(eventId)) return false;
      return (await SportEvent.exists({ _id: new Types.ObjectId(eventId), organiserId: new Types.ObjectId(userId) })) !== null;
    },
  };

  return { attendedRegistration, eventTarget };
}
