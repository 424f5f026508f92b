import mongoose, { Types } from 'mongoose';
import { SPORT_LABELS_ZH, distancePhraseZh, haversineMetres, playsPhraseZh, whenPhraseZh, type Sport } from '@citysport/shared';
import type { RecommendationCandidate, RecommendationContext, RecommendationPlugin } from '../../platform/recommend';
import type { VenueService } from '../venue';
import { Booking, type BookingDoc } from './booking.model';

/** bookings that say "I play this": confirmed, used or missed (not holds that lapsed, not cancellations) */
const PLAYED = ['confirmed', 'used', 'no_show'];
const HISTORY_DAYS = 365;
/** free slots this soon count (from 30 minutes ahead, so there is time to get there) */
const WINDOW_MS = 3 * 86_400_000;
const LEAD_MS = 30 * 60_000;
const MAX_VENUE_ITEMS = 5;

const SESSION_SPORTS = new Set(['swimming', 'fitness', 'yoga']);
const freePhrase = (sport: string) => (SESSION_SPORTS.has(sport) ? '有名额' : '有空场');

/**
 * 为你推荐 from bookings: the sports (and district) the citizen books most, from their own
 * bookings; candidates are venues with a free slot soon in those sports (venue's service), nearest
 * first when the client sent a location, else in the district they book in.
 */
export function bookingRecommendations(venues: VenueService): RecommendationPlugin {
  async function profile(userId: string, now: Date) {
    const rows = await Booking.find(
      {
        userId: new Types.ObjectId(userId),
        status: mongoose.trusted({ $in: PLAYED }),
        startAt: mongoose.trusted({ $gte: new Date(now.getTime() - HISTORY_DAYS * 86_400_000) }),
      },
      { sport: 1, venueId: 1 },
    )
      .sort({ _id: -1 })
      .limit(200)
      .lean<Pick<BookingDoc, 'sport' | 'venueId'>[]>();
    const sports = new Map<string, number>();
    for (const r of rows) sports.set(r.sport, (sports.get(r.sport) ?? 0) + 1);
    const districts = await venues.districtsOf([...new Set(rows.map((r) => String(r.venueId)))]);
    const byDistrict = new Map<string, number>();
    for (const r of rows) {
      const d = districts.get(String(r.venueId));
      if (d) byDistrict.set(d, (byDistrict.get(d) ?? 0) + 1);
    }
    const top = [...byDistrict.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    return {
      sports: [...sports.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([sport, count]) => ({ sport, count })),
      ...(top ? { district: top[0] } : {}),
    };
  }

  async function venueCandidates(ctx: RecommendationContext): Promise<RecommendationCandidate[]> {
    const { now, citizen } = ctx;
    const from = new Date(now.getTime() + LEAD_MS);
    const to = new Date(now.getTime() + WINDOW_MS);
    const played = citizen ? citizen.profile.sports.filter((s) => s.sport in SPORT_LABELS_ZH).slice(0, 3) : [];
    const personal = citizen !== null && (played.length > 0 || citizen.origin !== null || citizen.profile.district !== null);
    const [slots, mine] = await Promise.all([
      venues.freeSlotsSoon({ from, to, now, ...(played.length ? { sports: played.map((s) => s.sport) } : {}) }),
      citizen
        ? Booking.find(
            {
              userId: new Types.ObjectId(citizen.userId),
              status: mongoose.trusted({ $in: ['held', 'confirmed'] }),
              endAt: mongoose.trusted({ $gt: now }),
            },
            { slotIds: 1 },
          ).lean<Pick<BookingDoc, 'slotIds'>[]>()
        : Promise.resolve([]),
    ]);
    const booked = new Set(mine.flatMap((b) => b.slotIds.map(String)));
    // the earliest free slot per venue and sport
    const first = new Map<string, (typeof slots)[number]>();
    for (const s of slots) {
      if (booked.has(s.slotId)) continue;
      const key = `${s.venueId}|${s.sport}`;
      if (!first.has(key)) first.set(key, s);
    }
    const popularity = await ctx.venuePopularity([...new Set([...first.values()].map((s) => s.venueId))]);
    const out: RecommendationCandidate[] = [];
    for (const s of first.values()) {
      const hoursAway = (s.startAt.getTime() - now.getTime()) / 3_600_000;
      const soon = hoursAway <= 24 ? 10 : hoursAway <= 48 ? 6 : 3;
      const pop = popularity.get(s.venueId) ?? 0;
      const when = `${whenPhraseZh(s.startAt, now)} ${freePhrase(s.sport)}`;
      const base = {
        kind: 'venue',
        id: s.venueId,
        title: s.venueName,
        subtitle: `${SPORT_LABELS_ZH[s.sport as Sport] ?? s.sport} · ${s.district}`,
        startsAt: s.startAt.toISOString(),
        path: `/packages/venue/index?id=${s.venueId}`,
      };
      if (!personal || !citizen) {
        // the same for everyone: popular venues (data-centre rollup), then the soonest
        out.push({
          ...base,
          score: Math.min(40, pop) + soon,
          reason: pop > 0 ? `近期热门 · 近30天 ${pop} 次预订 · ${when}` : `近期可约 · ${when}`,
        });
        continue;
      }
      const rank = played.findIndex((p) => p.sport === s.sport);
      const parts: string[] = [];
      let score = soon + Math.min(5, pop / 10);
      if (rank >= 0) {
        score += [45, 32, 24][rank];
        parts.push(playsPhraseZh(s.sport));
      }
      let distanceM: number | undefined;
      if (citizen.origin) {
        distanceM = Math.round(haversineMetres(citizen.origin, s.location));
        score += Math.max(0, 30 - distanceM / 500);
        parts.push(distancePhraseZh(distanceM));
      } else if (citizen.profile.district && s.district === citizen.profile.district) {
        score += 20;
        parts.push(`在你常去的${s.district}`);
      }
      if (!parts.length) continue; // nothing personal to say about it
      out.push({ ...base, score, reason: [...parts, when].join(' · '), ...(distanceM !== undefined ? { distanceM } : {}) });
    }
    // one item per venue: its best sport
    const best = new Map<string, RecommendationCandidate>();
    for (const c of out.sort((a, b) => b.score - a.score || a.subtitle.localeCompare(b.subtitle))) if (!best.has(c.id)) best.set(c.id, c);
    return [...best.values()].slice(0, MAX_VENUE_ITEMS);
  }

  return { profile, sources: { venue: venueCandidates } };
}

/**
 * Demo fixtures and migrations only (like fitness's `importPastResult` for paper results): a
 * booking that already happened and was used, at one of the venue's resources of that sport. It
 * holds no slot, no limit and no money; nothing is emitted (the data centre's history has its own
 * seed). Refused for days that are not past.
 */
export async function importPastBooking(
  venues: VenueService,
  now: Date,
  input: { userId: string; venueId: string; sport: Sport; day: string; start: string; minutes: number },
): Promise<string> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.day) || !/^\d{2}:\d{2}$/.test(input.start)) throw new Error('day YYYY-MM-DD and start HH:mm');
  const startAt = new Date(`${input.day}T${input.start}:00+08:00`);
  const endAt = new Date(startAt.getTime() + input.minutes * 60_000);
  if (endAt.getTime() > now.getTime()) throw new Error('only past bookings can be imported');
  const venue = await venues.getVenue(input.venueId);
  const resource = venue.resources.find((r) => r.sport === input.sport);
  if (!resource) throw new Error(`${venue.name} has no ${input.sport}`);
  const _id = new Types.ObjectId();
  await Booking.collection.insertOne({
    _id,
    userId: new Types.ObjectId(input.userId),
    venueId: new Types.ObjectId(input.venueId),
    venueName: venue.name,
    resourceId: new Types.ObjectId(resource.id),
    resourceName: resource.name,
    sport: input.sport,
    day: input.day,
    slotIds: [],
    slotCapacities: [],
    startAt,
    endAt,
    quantity: 1,
    companions: [],
    amountFen: 0,
    status: 'used',
    holdExpiresAt: null,
    orderId: null,
    cancelDeadline: startAt,
    checkInDeadline: endAt,
    limitKeys: [],
    pending: [],
    pendingSince: null,
    refundReason: null,
    refundStarted: false,
    failedAt: null,
    createdAt: new Date(startAt.getTime() - 86_400_000),
    confirmedAt: new Date(startAt.getTime() - 86_400_000),
    cancelledAt: null,
    cancelReason: null,
    cancelledBy: null,
    usedAt: startAt,
    noShowAt: null,
    reminderSentAt: null,
  } satisfies Omit<BookingDoc, 'partials' | 'originalAmountFen' | 'requestKey'>);
  return String(_id);
}
