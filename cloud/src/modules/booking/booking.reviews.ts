import { Types } from 'mongoose';
import type { GrantLookup } from '../../platform/auth';
import type { Clock } from '../../platform/clock';
import type { ReviewSource, ReviewTarget } from '../../platform/module';
import type { VenueService } from '../venue';
import { Ban, Booking } from './booking.model';

const isId = (id: string) => /^[0-9a-f]{24}$/.test(id);

/**
 * What booking tells the review module (issue 15): a used booking lets its holder review the venue;
 * a venue's managers reply for it; the venue's own cancellations and each citizen's no-shows and
 * bans feed the credit page. Reads booking's collections only.
 */
export function createBookingReviewFacts(deps: { venues: VenueService; clock: Clock; grantsOf: () => GrantLookup }) {
  const usedBooking: ReviewSource = async (userId, bookingId) => {
    if (!isId(bookingId) || !isId(userId)) return null;
    const b = await Booking.findOne(
      { _id: new Types.ObjectId(bookingId), userId: new Types.ObjectId(userId), status: 'used' },
      { venueId: 1 },
    ).lean<{ venueId: Types.ObjectId }>();
    return b ? { target: { kind: 'venue', id: String(b.venueId) } } : null;
  };

  const venueTarget: ReviewTarget = {
    async describe(ids) {
      const names = await deps.venues.venueNames(ids.filter(isId));
      return new Map([...names].map(([id, name]) => [id, { name, provider: { kind: 'venue' as const, id, name } }]));
    },
    async canReply(userId, venueId) {
      return (await deps.grantsOf()(userId)).some((g) => g.role === 'venue_manager' && g.scope === venueId);
    },
    async providerCancellations() {
      const rows = await Booking.aggregate<{ _id: Types.ObjectId; n: number }>([
        { $match: { status: 'cancelled', cancelledBy: 'venue' } },
        { $group: { _id: '$venueId', n: { $sum: 1 } } },
      ]);
      const names = await deps.venues.venueNames(rows.map((r) => String(r._id)));
      return rows.map((r) => ({ kind: 'venue' as const, id: String(r._id), name: names.get(String(r._id)) ?? '', count: r.n }));
    },
  };

  /** Per citizen: no-shows, bans and bans in force (only citizens with at least one). */
  async function citizenCredit() {
    const now = deps.clock.now();
    const [noShows, bans] = await Promise.all([
      Booking.aggregate<{ _id: Types.ObjectId; n: number }>([
        { $match: { status: 'no_show' } },
        { $group: { _id: '$userId', n: { $sum: 1 } } },
      ]),
      Ban.find({}, { userId: 1, until: 1, liftedAt: 1 }).lean<{ userId: Types.ObjectId; until: Date; liftedAt: Date | null }[]>(),
    ]);
    const out = new Map<string, { userId: string; noShows: number; bans: number; activeBans: number }>();
    const row = (id: string) => {
      let r = out.get(id);
      if (!r) out.set(id, (r = { userId: id, noShows: 0, bans: 0, activeBans: 0 }));
      return r;
    };
    for (const n of noShows) row(String(n._id)).noShows = n.n;
    for (const b of bans) {
      const r = row(String(b.userId));
      r.bans += 1;
      if (!b.liftedAt && b.until > now) r.activeBans += 1;
    }
    return [...out.values()].sort((a, b) => b.activeBans - a.activeBans || b.noShows - a.noShows);
  }

  return { usedBooking, venueTarget, citizenCredit };
}
