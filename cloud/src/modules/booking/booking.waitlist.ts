import mongoose, { Schema, Types } from 'mongoose';
import { inShanghai, type Booking as BookingDto, type CreateBooking, type WaitlistEntry } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { eachIsolated } from '../../platform/jobs';
import { Booking, type BookingDoc } from './booking.model';
import type { BookingDeps } from './booking.context';

/**
 * 候补 (issue 10). A citizen joins the line of a sold-out slot; when places come back (a cancel,
 * an unpaid hold expiring, a no-show release) the leased `waitlist-offers` job offers them in
 * line order: an offer IS a held booking placed for the first waiting citizen through the normal
 * booking path, so the place is taken by kernel.capacity (exactly once per freed place: a place
 * nobody gave back cannot be offered) and held for the venue's hold minutes; a subscribe message
 * tells them. An offer not paid in time expires like any hold, its place comes back, and the
 * job offers it to the next in line. Each entry moves by guarded updates only
 * (waiting → offered → booked | passed), so it is offered at most once.
 */
export type WaitlistStatus = WaitlistEntry['status'];

export interface WaitlistDoc {
  _id: Types.ObjectId;
  slotId: Types.ObjectId;
  userId: Types.ObjectId;
  /** place in line: from the slot's sequence (one atomic $inc per join) */
  seq: number;
  status: WaitlistStatus;
  bookingId: Types.ObjectId | null;
  offerExpiresAt: Date | null;
  passedReason: string | null;
  createdAt: Date;
}

const WaitlistSchemaDef = new Schema<WaitlistDoc>(
  {
    slotId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    status: { type: String, required: true },
    bookingId: { type: Schema.Types.ObjectId, default: null },
    offerExpiresAt: { type: Date, default: null },
    passedReason: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'booking_waitlist', versionKey: false },
);
// one entry per citizen and slot; the line is read in seq order
WaitlistSchemaDef.index({ slotId: 1, userId: 1 }, { unique: true });
WaitlistSchemaDef.index({ slotId: 1, status: 1, seq: 1 });
WaitlistSchemaDef.index({ status: 1, offerExpiresAt: 1 });
export const Waitlist = mongoose.model<WaitlistDoc>('BookingWaitlist', WaitlistSchemaDef);
const sequences = () => mongoose.connection.collection<{ _id: string; seq: number }>('booking_waitlist_seq');

const BATCH = 200;

export function createWaitlist(
  deps: BookingDeps,
  core: { book: (userId: string, input: CreateBooking, idempotencyKey?: string) => Promise<{ booking: BookingDto }> },
) {
  const { kernel, venues, logger } = deps;

  async function positionOf(e: WaitlistDoc): Promise<number | null> {
    if (e.status !== 'waiting') return null;
    return (await Waitlist.countDocuments({ slotId: e.slotId, status: 'waiting', seq: mongoose.trusted({ $lt: e.seq }) })) + 1;
  }
  async function toDto(e: WaitlistDoc): Promise<WaitlistEntry> {
    return {
      id: String(e._id),
      slotId: String(e.slotId),
      position: await positionOf(e),
      status: e.status,
      bookingId: e.bookingId ? String(e.bookingId) : null,
      offerExpiresAt: e.offerExpiresAt ? e.offerExpiresAt.toISOString() : null,
    };
  }

  async function join(userId: string, slotId: string): Promise<WaitlistEntry> {
    const { slots } = await venues.slotsForBooking([slotId]);
    const slot = slots[0];
    if (!slot) throw new AppError('SLOT_NOT_FOUND', 'no such slot');
    const now = kernel.clock.now();
    if (slot.status === 'closed' || slot.startAt <= now || slot.releaseAt > now || slot.remaining > 0)
      throw new AppError('WAITLIST_NOT_OPEN', 'only a released, sold-out slot that has not started has a waitlist', {
        remaining: slot.remaining,
      });
    const existing = await Waitlist.findOne({ slotId, userId }).lean<WaitlistDoc>();
    if (existing && existing.status !== 'left')
      throw new AppError('WAITLIST_ALREADY_JOINED', 'already in line', { entryId: String(existing._id) });
    const { seq } = (await sequences().findOneAndUpdate({ _id: slotId }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }))!;
    if (existing) {
      // came back after leaving: the end of the line
      const back = await Waitlist.findOneAndUpdate(
        { _id: existing._id, status: 'left' },
        { $set: { status: 'waiting', seq, createdAt: now, bookingId: null, offerExpiresAt: null, passedReason: null } },
        { new: true },
      ).lean<WaitlistDoc>();
      if (!back) throw new AppError('WAITLIST_ALREADY_JOINED', 'already in line');
      return toDto(back);
    }
    try {
      const doc = await Waitlist.create({
        slotId: new Types.ObjectId(slotId),
        userId: new Types.ObjectId(userId),
        seq,
        status: 'waiting',
        bookingId: null,
        offerExpiresAt: null,
        passedReason: null,
        createdAt: now,
      });
      return toDto(doc.toObject());
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new AppError('WAITLIST_ALREADY_JOINED', 'already in line');
      throw err;
    }
  }

  async function leave(userId: string, slotId: string): Promise<WaitlistEntry> {
    const left = await Waitlist.findOneAndUpdate(
      { slotId, userId, status: 'waiting' },
      { $set: { status: 'left' } },
      { new: true },
    ).lean<WaitlistDoc>();
    if (!left) throw new AppError('WAITLIST_ENTRY_NOT_FOUND', 'not waiting on this slot');
    return toDto(left);
  }

  async function mine(userId: string, slotId: string): Promise<WaitlistEntry> {
    const e = await Waitlist.findOne({ slotId, userId }).lean<WaitlistDoc>();
    if (!e) throw new AppError('WAITLIST_ENTRY_NOT_FOUND', 'not in line for this slot');
    return toDto(e);
  }

  /** Offers whose hold ended: paid → booked; expired or cancelled unpaid → passed (the place went back, the next is offered). */
  async function settleOffers(): Promise<number> {
    const offered = await Waitlist.find({ status: 'offered' }).limit(BATCH).lean<WaitlistDoc[]>();
    if (offered.length === 0) return 0;
    const bookings = await Booking.find({ _id: mongoose.trusted({ $in: offered.map((e) => e.bookingId) }) }, { status: 1 }).lean<
      Pick<BookingDoc, '_id' | 'status'>[]
    >();
    const statusOf = new Map(bookings.map((b) => [String(b._id), b.status]));
    let n = 0;
    for (const e of offered) {
      if (!e.bookingId) {
        n += await healInterrupted(e);
        continue;
      }
      const s = statusOf.get(String(e.bookingId));
      const next = s === 'held' || s === 'taking' ? null : s === 'confirmed' || s === 'used' || s === 'no_show' ? 'booked' : 'passed';
      if (!next) continue;
      const res = await Waitlist.updateOne(
        { _id: e._id, status: 'offered' },
        { $set: { status: next, passedReason: next === 'passed' ? `offer ${s}` : null } },
      );
      n += res.modifiedCount;
    }
    return n;
  }

  /**
   * An offer a crash interrupted, between marking the entry offered and naming its booking (the job
   * is leased, and this runs before the run's own offers, so nothing is placing it now). The booking
   * it placed, if any, is found by its Idempotency-Key and named (the citizen is told, once the offer
   * is theirs); if none was placed, the citizen waits again at the same place in line — never
   * skipped for a crash, never offered twice (offering again replays the same key).
   */
  async function healInterrupted(e: WaitlistDoc): Promise<number> {
    const placed = await Booking.findOne({
      userId: e.userId,
      requestKey: `waitlist-${e._id}`,
      status: mongoose.trusted({ $ne: 'failed' }),
    }).lean<BookingDoc>();
    if (placed?.status === 'taking') return 0; // the booking sweeper rolls it back (→ failed) first
    if (!placed) {
      const back = await Waitlist.updateOne({ _id: e._id, status: 'offered', bookingId: null }, { $set: { status: 'waiting' } });
      return back.modifiedCount;
    }
    const named = await Waitlist.updateOne(
      { _id: e._id, status: 'offered', bookingId: null },
      { $set: { bookingId: placed._id, offerExpiresAt: placed.holdExpiresAt ?? null } },
    );
    if (named.modifiedCount === 1 && placed.status === 'held' && placed.holdExpiresAt)
      await deps.notify(String(e.userId), 'waitlist_offer', {
        thing1: placed.resourceName,
        time2: inShanghai(placed.startAt).format('YYYY-MM-DD HH:mm'),
        thing3: `候补成功，请在${inShanghai(placed.holdExpiresAt).format('HH:mm')}前支付`,
      });
    return named.modifiedCount;
  }

  /** Offers the free places of one slot to its line, first in line first, one held booking per place. */
  async function offerSlot(slotId: Types.ObjectId): Promise<number> {
    let offers = 0;
    for (;;) {
      const { slots } = await venues.slotsForBooking([String(slotId)]);
      const slot = slots[0];
      const now = kernel.clock.now();
      if (!slot || slot.status === 'closed' || slot.startAt <= now) {
        // nothing left to wait for
        await Waitlist.updateMany({ slotId, status: 'waiting' }, { $set: { status: 'passed', passedReason: 'slot ended' } });
        return offers;
      }
      if (slot.remaining < 1) return offers;
      const first = await Waitlist.findOne({ slotId, status: 'waiting' }).sort({ seq: 1 }).lean<WaitlistDoc>();
      if (!first) return offers;
      // the entry is offered at most once: waiting → offered by one guarded update
      const mine = await Waitlist.updateOne({ _id: first._id, status: 'waiting' }, { $set: { status: 'offered' } });
      if (mine.modifiedCount !== 1) continue;
      kernel.crashPoint('waitlist:offered');
      try {
        // the normal booking path: capacity (exactly once, the booking is the holder), limits, bans, the order
        const { booking } = await core.book(
          String(first.userId),
          { slotIds: [String(slotId)], quantity: 1, companions: [] },
          `waitlist-${first._id}`,
        );
        kernel.crashPoint('waitlist:booked');
        await Waitlist.updateOne(
          { _id: first._id, status: 'offered' },
          {
            $set: {
              bookingId: new Types.ObjectId(booking.id),
              offerExpiresAt: booking.holdExpiresAt ? new Date(booking.holdExpiresAt) : null,
              ...(booking.status === 'confirmed' ? { status: 'booked' } : {}),
            },
          },
        );
        offers++;
        await deps.notify(String(first.userId), 'waitlist_offer', {
          thing1: slot.resourceName,
          time2: inShanghai(slot.startAt).format('YYYY-MM-DD HH:mm'),
          thing3:
            booking.status === 'held'
              ? `候补成功，请在${inShanghai(new Date(booking.holdExpiresAt!)).format('HH:mm')}前支付`
              : '候补成功，已为你预订',
        });
      } catch (err) {
        if (kernel.isInjectedCrash(err)) throw err; // a crash test's "the process died here"
        const code = err instanceof AppError ? err.code : null;
        if (code === 'SLOT_SOLD_OUT') {
          // someone booked the place first: back in line, at the same place
          await Waitlist.updateOne({ _id: first._id, status: 'offered', bookingId: null }, { $set: { status: 'waiting' } });
          return offers;
        }
        // this citizen cannot take it (a limit, a ban …): the next in line
        await Waitlist.updateOne(
          { _id: first._id, status: 'offered', bookingId: null },
          { $set: { status: 'passed', passedReason: code ?? 'error' } },
        );
        if (!code) logger.warn({ err, entryId: String(first._id) }, 'waitlist offer failed');
      }
    }
  }

  /** The leased job: settle ended offers, then offer every line whose slot has places again. */
  async function runOffers(): Promise<{ settled: number; offers: number }> {
    const settled = await settleOffers();
    const lines = await Waitlist.distinct('slotId', { status: 'waiting' });
    let offers = 0;
    await eachIsolated(
      (lines as Types.ObjectId[]).slice(0, BATCH),
      async (slotId) => {
        offers += await offerSlot(slotId);
      },
      { logger, job: 'waitlist-offers' },
    );
    return { settled, offers };
  }

  return { join, leave, mine, runOffers };
}
