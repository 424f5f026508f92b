import mongoose, { Types } from 'mongoose';
import { maskName } from '@citysport/shared';
import { Booking, type BookingDoc } from './booking.model';
import { ACTIVE, toDto } from './booking.dto';
import type { BookingDeps, BookingStep } from './booking.context';

/** The venue manager's desk: the day's bookings, closing a slot or a day (cancelling and refunding). */
export function createBookingDesk(
  deps: BookingDeps,
  core: {
    cancelActive: (
      b: BookingDoc,
      by: 'user' | 'venue',
      reason: string | null,
      moneyReason: string,
      extra?: BookingStep[],
    ) => Promise<BookingDoc | null>;
  },
) {
  const { kernel, venues } = deps;

  async function dayBookings(venueId: string, day: string) {
    const rows = await Booking.find({ venueId, day, status: mongoose.trusted({ $nin: ['taking', 'failed'] }) })
      .sort({ startAt: 1, resourceName: 1 })
      .limit(2000)
      .lean<BookingDoc[]>();
    const names = await deps.holderNames(Array.from(new Set(rows.map((r) => String(r.userId)))));
    return rows.map((r) => ({ ...toDto(r), holderName: maskName(names.get(String(r.userId)) ?? '市民') }));
  }

  /** Cancels (and refunds) every active booking on the given slots, and tells each user why. Re-runs heal what a crash left. */
  async function cancelForClosedSlots(slotIds: string[], reason: string): Promise<number> {
    if (slotIds.length === 0) return 0;
    const onSlots = mongoose.trusted({ $in: slotIds.map((id) => new Types.ObjectId(id)) });
    // A placement that took its places before the close but is not active yet would miss the
    // read below: marked first, its own transition then refuses (the close is written before this
    // mark, the mark before the read, and the placement's transition before its own refusal check).
    await Booking.updateMany({ slotIds: onSlots, status: 'taking' }, { $set: { slotClosed: true } });
    const affected = await Booking.find({ slotIds: onSlots, status: mongoose.trusted({ $in: ACTIVE }) }).lean<BookingDoc[]>();
    let cancelled = 0;
    for (const b of affected) {
      const won = await core.cancelActive(b, 'venue', reason, `场馆关闭：${reason}`, ['notify.venue_cancelled']);
      if (won) cancelled++;
    }
    return cancelled;
  }

  async function closeSlot(actorId: string, slotId: string, reason: string) {
    const venueId = await venues.slotVenueId(slotId);
    const closed = await venues.closeSlots({ slotId });
    // a slot closed earlier may still have bookings left from a crash: cancelling is idempotent
    const cancelled = await cancelForClosedSlots([slotId], reason);
    await kernel.audit(actorId, 'slot.close', null, { venueId, slotId, reason, cancelled });
    return { closedSlots: closed.length, cancelledBookings: cancelled };
  }

  async function closeDay(actorId: string, venueId: string, day: string, reason: string) {
    const closed = await venues.closeSlots({ venueId, day });
    // every closed slot of the day, not only the ones closed now: a re-run after a crash cancels what was left
    const cancelled = await cancelForClosedSlots(await venues.closedSlotIds(venueId, day), reason);
    await kernel.audit(actorId, 'day.close', null, { venueId, day, reason, closedSlots: closed.length, cancelled });
    return { closedSlots: closed.length, cancelledBookings: cancelled };
  }

  return { dayBookings, closeSlot, closeDay };
}
