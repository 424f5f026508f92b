import mongoose, { Types } from 'mongoose';
import { dateZh, playsPhraseZh, type RegistrationStatus } from '@citysport/shared';
import type { RecommendationCandidate, RecommendationContext, RecommendationPlugin } from '../../platform/recommend';
import { EventGroup, Registration, SportEvent, type EventDoc, type EventGroupDoc, type RegistrationDoc } from './event.model';

const ACTIVE: RegistrationStatus[] = ['taking', 'held', 'confirmed', 'entered', 'won', 'waitlisted', 'offered'];
const MAX_ITEMS = 3;

/** a group the citizen could enter: open, places (or lottery entries) left, and their age fits when it is known */
function openGroups(groups: EventGroupDoc[], age: number | null) {
  return groups.filter(
    (g) => g.open && g.remaining > 0 && (age === null || ((g.eligibility?.minAge ?? 0) <= age && age <= (g.eligibility?.maxAge ?? 200))),
  );
}

/**
 * 为你推荐 from events: events open for registration in the citizen's district or in the sport
 * they play, with a group they can still enter; events they registered for are left out.
 */
export function eventRecommendations(): RecommendationPlugin {
  async function eventCandidates(ctx: RecommendationContext): Promise<RecommendationCandidate[]> {
    const { now, citizen } = ctx;
    const events = await SportEvent.find(
      { status: 'registration_open', startAt: mongoose.trusted({ $gt: now }), 'registration.closesAt': mongoose.trusted({ $gt: now }) },
      { name: 1, sport: 1, district: 1, place: 1, startAt: 1, registration: 1 },
    )
      .sort({ startAt: 1 })
      .limit(100)
      .lean<EventDoc[]>();
    const ids = events.map((e) => e._id);
    const [groups, mine] = await Promise.all([
      EventGroup.find({ eventId: mongoose.trusted({ $in: ids }) }, { applied: 0 }).lean<EventGroupDoc[]>(),
      citizen
        ? Registration.find(
            {
              userId: new Types.ObjectId(citizen.userId),
              eventId: mongoose.trusted({ $in: ids }),
              status: mongoose.trusted({ $in: ACTIVE }),
            },
            { eventId: 1 },
          ).lean<Pick<RegistrationDoc, 'eventId'>[]>()
        : Promise.resolve([]),
    ]);
    const byEvent = new Map<string, EventGroupDoc[]>();
    for (const g of groups) byEvent.set(String(g.eventId), [...(byEvent.get(String(g.eventId)) ?? []), g]);
    const registered = new Set(mine.map((r) => String(r.eventId)));
    const out: RecommendationCandidate[] = [];
    for (const e of events) {
      const id = String(e._id);
      if (registered.has(id)) continue;
      const age = citizen?.profile.age ?? null;
      const enterable = openGroups(byEvent.get(id) ?? [], age);
      if (!enterable.length) continue;
      const deadline = `报名截止 ${dateZh(e.registration.closesAt)}`;
      const daysLeft = (e.registration.closesAt.getTime() - now.getTime()) / 86_400_000;
      const closing = daysLeft <= 7 ? 8 : daysLeft <= 21 ? 4 : 1;
      const base = {
        kind: 'event',
        id,
        title: e.name,
        subtitle: `${e.place} · ${e.district}`,
        startsAt: e.startAt.toISOString(),
        path: `/packages/event/index?id=${id}`,
      };
      if (!citizen) {
        const cap = enterable.reduce((n, g) => n + g.capacity, 0);
        const left = enterable.reduce((n, g) => n + g.remaining, 0);
        out.push({ ...base, score: 10 + closing + (cap ? (10 * (cap - left)) / cap : 0), reason: `报名中 · ${deadline}` });
        continue;
      }
      const parts: string[] = [];
      let score = closing;
      if (citizen.profile.district && e.district === citizen.profile.district) {
        score += 30;
        parts.push(`你所在的${e.district}`);
      }
      if (citizen.profile.sports.some((s) => s.sport === e.sport)) {
        score += 30;
        parts.push(playsPhraseZh(e.sport));
      }
      if (!parts.length) continue;
      out.push({ ...base, score, reason: [...parts, deadline].join(' · ') });
    }
    return out.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, MAX_ITEMS);
  }
  return { sources: { event: eventCandidates } };
}
