import mongoose, { Types } from 'mongoose';
import { AppError } from '../../platform/errors';
import { Ban, Booking, type BanDoc, type BookingDoc } from './booking.model';
import type { BookingDeps } from './booking.context';

/** Bans after repeated no-shows, and the manager's lifting of them. */
export function createBans(deps: BookingDeps) {
  const { kernel, venues } = deps;

  async function activeBan(userId: string, venueId: string, now: Date): Promise<BanDoc | null> {
    return Ban.findOne({ userId, venueId, until: mongoose.trusted({ $gt: now }), liftedAt: null }).lean<BanDoc>();
  }

  // Every booking asks whether its user is banned at the venue; a venue's bans in force are few, so
  // one read per venue every few seconds answers all of them. A ban or a lift on this instance
  // clears the copy at once; another instance's is seen within BAN_CACHE_MS (like the venue rules).
  const BAN_CACHE_MS = 5_000;
  const inForce = new Map<string, { at: number; until: Map<string, Date> }>();
  // bumped by every clear: a read on its way before a ban or a lift does not keep what it read
  let clears = 0;
  function forgetVenue(venueId: unknown) {
    clears++;
    inForce.delete(String(venueId));
  }
  /** When the user's ban at the venue ends, or null when none is in force. */
  async function bannedUntil(userId: string, venueId: string, now: Date): Promise<Date | null> {
    const t = now.getTime();
    let copy = inForce.get(venueId);
    if (!copy || t - copy.at >= BAN_CACHE_MS || t < copy.at) {
      const before = clears;
      const rows = await Ban.find({ venueId, until: mongoose.trusted({ $gt: now }), liftedAt: null }, { userId: 1, until: 1 }).lean<
        Pick<BanDoc, 'userId' | 'until'>[]
      >();
      copy = { at: t, until: new Map() };
      for (const r of rows) {
        const prev = copy.until.get(String(r.userId));
        if (!prev || r.until > prev) copy.until.set(String(r.userId), r.until);
      }
      if (clears === before) inForce.set(venueId, copy);
    }
    const until = copy.until.get(userId);
    return until && until > now ? until : null;
  }

  /**
   * A no-show may earn a ban. Its id names the no-show that earned it, so two job runs over the
   * same no-show make one ban, and a later no-show after a lift (even the same day) makes a new one.
   */
  async function considerBan(b: BookingDoc, now: Date) {
    const { venue } = await venues.slotsForBooking([String(b.slotIds[0])]);
    if (!venue) return;
    const rules = venue.rules;
    const windowStart = new Date(now.getTime() - rules.noShowWindowDays * 86_400_000);
    const count = await Booking.countDocuments({
      userId: b.userId,
      venueId: b.venueId,
      status: 'no_show',
      startAt: mongoose.trusted({ $gte: windowStart }),
    });
    if (count < rules.noShowLimit) return;
    if (await activeBan(String(b.userId), String(b.venueId), now)) return;
    try {
      await Ban.create({
        _id: `${b.userId}:${b.venueId}:${b._id}`,
        userId: b.userId,
        venueId: b.venueId,
        since: now,
        until: new Date(now.getTime() + rules.banDays * 86_400_000),
        noShowCount: count,
        liftedAt: null,
        liftedBy: null,
        liftReason: null,
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    forgetVenue(b.venueId);
  }

  function banDto(b: BanDoc) {
    return {
      id: b._id,
      userId: String(b.userId),
      venueId: String(b.venueId),
      since: b.since.toISOString(),
      until: b.until.toISOString(),
      noShowCount: b.noShowCount,
      liftedAt: b.liftedAt ? b.liftedAt.toISOString() : null,
      liftReason: b.liftReason,
    };
  }

  async function listBans(venueId: string) {
    const rows = await Ban.find({ venueId }).sort({ since: -1 }).limit(500).lean<BanDoc[]>();
    return rows.map(banDto);
  }

  async function banVenueId(banId: string): Promise<string> {
    const ban = await Ban.findById(banId, { venueId: 1 }).lean<{ venueId: Types.ObjectId }>();
    if (!ban) throw new AppError('BAN_NOT_FOUND', 'no such ban');
    return String(ban.venueId);
  }

  async function liftBan(actorId: string, banId: string, reason: string) {
    const now = kernel.clock.now();
    const lifted = await Ban.findOneAndUpdate(
      { _id: banId, liftedAt: null },
      { $set: { liftedAt: now, liftedBy: new Types.ObjectId(actorId), liftReason: reason } },
      { new: true },
    ).lean<BanDoc>();
    if (!lifted) {
      const existing = await Ban.findById(banId).lean<BanDoc>();
      if (!existing) throw new AppError('BAN_NOT_FOUND', 'no such ban');
      return banDto(existing); // lifted already: lifting again changes nothing
    }
    forgetVenue(lifted.venueId);
    await kernel.audit(actorId, 'ban.lift', String(lifted.userId), { banId, venueId: String(lifted.venueId), reason });
    return banDto(lifted);
  }

  /**
   * 爽约记录: the citizen's own no-shows (paged, newest first) and the bans they earned — only
   * this user's rows are read (the filter is the caller's id), so another's id shows nothing.
   */
  async function myNoShows(userId: string, page: { cursor?: string; limit: number }) {
    const now = kernel.clock.now();
    const uid = new Types.ObjectId(userId);
    const p = await kernel.cursorPage<BookingDoc, BookingDoc>(Booking, { userId: uid, status: 'no_show' }, page, (b) => b);
    const bans = await Ban.find({ userId: uid }).sort({ until: -1 }).limit(20).lean<BanDoc[]>();
    const names = await venues.venueNames([...new Set([...p.items, ...bans].map((x) => String(x.venueId)))]);
    const isActive = (b: BanDoc) => !b.liftedAt && b.until > now;
    return {
      items: p.items.map((b) => ({
        bookingId: String(b._id),
        venueId: String(b.venueId),
        venueName: b.venueName,
        resourceName: b.resourceName,
        sport: b.sport,
        startAt: b.startAt.toISOString(),
        endAt: b.endAt.toISOString(),
        noShowAt: (b.noShowAt ?? b.checkInDeadline).toISOString(),
      })),
      nextCursor: p.nextCursor,
      bans: [...bans.filter(isActive), ...bans.filter((b) => !isActive(b))].map((b) => ({
        id: b._id,
        venueId: String(b.venueId),
        venueName: names.get(String(b.venueId)) ?? '',
        since: b.since.toISOString(),
        until: b.until.toISOString(),
        noShowCount: b.noShowCount,
        active: isActive(b),
        liftedAt: b.liftedAt ? b.liftedAt.toISOString() : null,
      })),
    };
  }

  return { bannedUntil, considerBan, listBans, banVenueId, liftBan, myNoShows };
}
export type Bans = ReturnType<typeof createBans>;
