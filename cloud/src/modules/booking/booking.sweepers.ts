import mongoose from 'mongoose';
import { inShanghai } from '@citysport/shared';
import { eachIsolated } from '../../platform/jobs';
import { Booking, type BookingDoc } from './booking.model';
import { EFFECTS_OWNER, MAX_BATCH, type BookingDeps, type BookingStep } from './booking.context';

/** A `taking` booking older than this was left by a crash (a live attempt takes milliseconds). */
export const TAKING_STALE_MS = 2 * 60_000;

/**
 * The booking sweepers (jobs): holds past expiry, no-shows, reminders, and the crash healer
 * that rolls back stale `taking` bookings and finishes every transition's unfinished effects.
 * Each item is isolated: one failing booking never stops the batch.
 */
export function createBookingSweepers(
  deps: BookingDeps,
  core: {
    transition: (filter: Record<string, unknown>, set: Record<string, unknown>, steps: BookingStep[]) => Promise<BookingDoc | null>;
    endSteps: (b: BookingDoc) => BookingStep[];
  },
) {
  const { kernel, logger } = deps;

  /** Unpaid holds past their expiry give their places back (exactly once); the order is closed locally. */
  async function expireHolds(): Promise<number> {
    const now = kernel.clock.now();
    const due = await Booking.find({ status: 'held', holdExpiresAt: mongoose.trusted({ $lte: now }) })
      .limit(MAX_BATCH)
      .lean<BookingDoc[]>();
    const { done } = await eachIsolated(
      due,
      async (b) =>
        (await core.transition(
          { _id: b._id, status: 'held', holdExpiresAt: { $lte: now } },
          { status: 'expired', refundReason: 'hold expired' },
          ['capacity', 'limits', ...(b.orderId ? (['order.close'] as const) : []), 'event.expired'],
        )) !== null,
      { logger, job: 'expire-holds' },
    );
    return done;
  }

  /** After the check-in grace, confirmed bookings never verified become no-shows; repeated ones ban. */
  async function markNoShows(): Promise<number> {
    const now = kernel.clock.now();
    const due = await Booking.find({ status: 'confirmed', checkInDeadline: mongoose.trusted({ $lte: now }) })
      .limit(MAX_BATCH)
      .lean<BookingDoc[]>();
    const { done } = await eachIsolated(
      due,
      async (b) =>
        (await core.transition({ _id: b._id, status: 'confirmed' }, { status: 'no_show', noShowAt: now }, [
          'limits',
          'event.no_show',
          'ban',
        ])) !== null,
      { logger, job: 'mark-no-shows' },
    );
    return done;
  }

  /** Reminders an hour ahead, once per booking, to users who agreed to them. */
  async function sendReminders(): Promise<number> {
    const now = kernel.clock.now();
    const due = await Booking.find({
      status: 'confirmed',
      reminderSentAt: null,
      startAt: mongoose.trusted({ $gt: now, $lte: new Date(now.getTime() + 60 * 60_000) }),
    })
      .limit(MAX_BATCH)
      .lean<BookingDoc[]>();
    const { done } = await eachIsolated(
      due,
      async (b) => {
        const won = await Booking.updateOne({ _id: b._id, reminderSentAt: null }, { $set: { reminderSentAt: now } });
        if (won.modifiedCount !== 1) return false;
        await deps.notify(String(b.userId), 'booking_reminder', {
          thing1: b.venueName,
          thing2: b.resourceName,
          time3: `${inShanghai(b.startAt).format('YYYY-MM-DD HH:mm')}`,
        });
      },
      { logger, job: 'booking-reminders' },
    );
    return done;
  }

  /**
   * The crash healer: a `taking` booking past TAKING_STALE_MS is rolled back (its capacity and
   * limits given back exactly once: only what its holder took), then every transition whose
   * effects a crash interrupted is finished.
   */
  async function healCrashed(): Promise<{ rolledBack: number; finished: number; failed: number }> {
    const cutoff = new Date(kernel.clock.now().getTime() - TAKING_STALE_MS);
    const stale = await Booking.find({ status: 'taking', createdAt: mongoose.trusted({ $lte: cutoff }) })
      .limit(MAX_BATCH)
      .lean<BookingDoc[]>();
    const rolled = await eachIsolated(
      stale,
      async (b) =>
        (await core.transition({ _id: b._id, status: 'taking' }, { status: 'failed', failedAt: kernel.clock.now() }, [
          'capacity',
          'limits',
        ])) !== null,
      { logger, job: 'booking-heal' },
    );
    const swept = await kernel.effects.sweep(EFFECTS_OWNER);
    return { rolledBack: rolled.done, finished: swept.healed, failed: rolled.failed + swept.failed };
  }

  return { expireHolds, markNoShows, sendReminders, healCrashed };
}
