import { createHash } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import {
  BOOKING_STATUSES,
  SPORT_LABELS_ZH,
  inShanghai,
  type Sport,
  type Booking as BookingDto,
  type BookingStatus,
  type CreateBooking,
  type VenueRules,
} from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { SLOT_CAPACITY, type BookableSlot } from '../venue';
import { Booking, type BookingDoc } from './booking.model';
import { EFFECTS_OWNER, type BookingDeps, type BookingStep } from './booking.context';
import { ACTIVE, toDto } from './booking.dto';
import { bookingLimitsOf } from './booking.limits';
import { createBans } from './booking.bans';
import { defineBookingEffects } from './booking.effects';
import { createBookingSweepers } from './booking.sweepers';
import { createBookingDesk } from './booking.desk';
import { createPartialCancel } from './booking.partial-cancel';
import { createWaitlist } from './booking.waitlist';
import { createReleaseReminders } from './booking.release-reminders';
import { standingOf } from './booking.standing';
import { importPastBooking } from './booking.recommend';

export type { BookingDeps } from './booking.context';

function fail(code: 'VALIDATION_FAILED', path: string, message: string): never {
  throw new AppError(code, message, [{ path, message }]);
}

/**
 * Venue bookings. Every write is a guarded transition through kernel.effects: what a transition
 * owes (capacity and limits back, tickets, refunds, events) is recorded in the same update and
 * then done; a sweeper finishes whatever a crash left (booking.sweepers.ts).
 */
export function createBookingService(deps: BookingDeps) {
  const { kernel, venues, payments } = deps;
  const bans = createBans(deps);
  defineBookingEffects(deps, bans);

  /** A transition that owes `steps`, then the steps done; null when another caller won. */
  async function transition(
    filter: Record<string, unknown>,
    set: Record<string, unknown>,
    steps: BookingStep[],
    crashPointName?: string,
  ): Promise<BookingDoc | null> {
    const won = await kernel.effects.transition<BookingDoc>(EFFECTS_OWNER, filter, set, steps);
    if (!won) return null;
    if (crashPointName) kernel.crashPoint(crashPointName);
    await kernel.effects.finish(EFFECTS_OWNER, won);
    return won;
  }

  // ---------- booking ----------
  function validateSelection(input: CreateBooking, slots: BookableSlot[], rules: VenueRules, now: Date): BookableSlot[] {
    const venueIds = new Set(slots.map((s) => s.venueId));
    const resourceIds = new Set(slots.map((s) => s.resourceId));
    if (venueIds.size > 1) fail('VALIDATION_FAILED', 'slotIds', 'slots belong to different venues');
    if (resourceIds.size > 1) fail('VALIDATION_FAILED', 'slotIds', 'slots belong to different courts or sessions');
    const ordered = [...slots].sort((a, b) => a.startAt.getTime() - b.startAt.getTime());
    for (let i = 1; i < ordered.length; i++) {
      if (ordered[i - 1].endAt.getTime() !== ordered[i].startAt.getTime()) fail('VALIDATION_FAILED', 'slotIds', 'slots must be adjacent');
    }
    const capacity = Math.min(...ordered.map((s) => s.capacity));
    if (input.quantity > capacity) fail('VALIDATION_FAILED', 'quantity', `at most ${capacity} per booking here`);
    if (input.companions.length > Math.min(rules.maxCompanions, input.quantity - 1))
      fail('VALIDATION_FAILED', 'companions', `at most ${Math.min(rules.maxCompanions, input.quantity - 1)} companions`);
    if (rules.companionRealName && input.quantity > 1 && input.companions.length !== input.quantity - 1)
      fail('VALIDATION_FAILED', 'companions', 'this venue needs every companion named');
    for (const s of ordered) {
      if (s.status === 'closed') throw new AppError('SLOT_CLOSED', 'this slot is closed', { slotId: s.id });
      if (s.startAt <= now) throw new AppError('SLOT_STARTED', 'this slot has started', { slotId: s.id });
      if (s.releaseAt > now)
        throw new AppError('SLOT_NOT_RELEASED', 'not open for booking yet', { slotId: s.id, releaseAt: s.releaseAt.toISOString() });
    }
    return ordered;
  }

  function requestHash(input: CreateBooking): string {
    return createHash('sha256')
      .update(JSON.stringify({ s: [...input.slotIds].sort(), q: input.quantity, c: input.companions }))
      .digest('base64url');
  }

  /**
   * Places one booking: the booking is inserted (`taking`) BEFORE anything is taken, so a crash
   * at any later point leaves a record the sweeper rolls back exactly; capacity (all slots or
   * none) and limits are then taken with the booking as holder, and one guarded transition makes
   * it held or confirmed.
   */
  async function place(userId: string, input: CreateBooking, slotIds: string[], requestKey?: string): Promise<BookingDoc> {
    const now = kernel.clock.now();
    const { slots, venue } = await venues.slotsForBooking(slotIds);
    if (!venue || slots.length !== slotIds.length) {
      const found = new Set(slots.map((s) => s.id));
      throw new AppError('SLOT_NOT_FOUND', 'no such slot', { slotIds: slotIds.filter((id) => !found.has(id)) });
    }
    const ordered = validateSelection(input, slots, venue.rules, now);
    const first = ordered[0];
    const last = ordered[ordered.length - 1];
    // Fast answer for the rush: a slot already read as full is full (the guarded take below
    // decides every other case, so a stale read can only cost a retry, never a double booking).
    const full = ordered.find((s) => s.remaining < input.quantity);
    if (full) {
      kernel.capacity.noteFull(SLOT_CAPACITY, full.id, input.quantity);
      throw new AppError('SLOT_SOLD_OUT', 'sold out', { slotId: full.id });
    }
    const bannedUntil = await bans.bannedUntil(userId, venue.id, now);
    if (bannedUntil)
      throw new AppError('BOOKING_BANNED', 'booking is suspended after repeated no-shows', { until: bannedUntil.toISOString() });

    const limits = bookingLimitsOf(kernel.limits, userId, venue.id, first, venue.rules);
    const amountFen = ordered.reduce((sum, s) => sum + s.priceFen, 0) * input.quantity;
    const paid = amountFen > 0;
    const doc: BookingDoc = {
      _id: new Types.ObjectId(),
      userId: new Types.ObjectId(userId),
      venueId: new Types.ObjectId(venue.id),
      venueName: venue.name,
      resourceId: new Types.ObjectId(first.resourceId),
      resourceName: first.resourceName,
      sport: first.sport,
      day: first.day,
      slotIds: ordered.map((s) => new Types.ObjectId(s.id)),
      slotCapacities: ordered.map((s) => s.capacity),
      startAt: first.startAt,
      endAt: last.endAt,
      quantity: input.quantity,
      companions: input.companions,
      amountFen,
      status: 'taking',
      holdExpiresAt: paid ? new Date(now.getTime() + venue.rules.holdMinutes * 60_000) : null,
      orderId: null,
      cancelDeadline: new Date(first.startAt.getTime() - venue.rules.cancelCutoffMinutes * 60_000),
      checkInDeadline: new Date(first.startAt.getTime() + venue.rules.checkInGraceMinutes * 60_000),
      limitKeys: [kernel.limits.keyOf(limits)],
      pending: [],
      pendingSince: null,
      refundReason: null,
      refundStarted: false,
      failedAt: null,
      createdAt: now,
      confirmedAt: null,
      cancelledAt: null,
      cancelReason: null,
      cancelledBy: null,
      usedAt: null,
      noShowAt: null,
      reminderSentAt: null,
      ...(requestKey ? { requestKey } : {}),
    };
    await Booking.collection.insertOne(doc); // built and typed above: skips mongoose's per-document work on the hot path
    kernel.crashPoint('booking.book:after-insert');
    const holder = String(doc._id);
    let heldNothing = false;
    try {
      const took = await kernel.capacity.takeAll(
        doc.slotIds.map((id) => ({ kind: SLOT_CAPACITY, id, n: input.quantity })),
        { holder, fresh: true },
      );
      if (!took.ok) {
        heldNothing = !kernel.capacity.unguarded; // takeAll gave back what it took; no take of this holder is on its way
        throw new AppError('SLOT_SOLD_OUT', 'sold out', { slotId: String(took.failed.id) });
      }
      kernel.crashPoint('booking.book:after-capacity');
      const limit = await kernel.limits.take(limits, { holder });
      if (!limit.ok)
        throw new AppError('BOOKING_LIMIT_REACHED', `booking limit reached (${limit.over.map((l) => `${l.max} ${l.per}`).join(', ')})`, {
          limits: limit.over,
        });
      kernel.crashPoint('booking.book:after-limits');
      const orderId = paid
        ? (
            await payments.createOrder({
              kind: 'booking',
              ownerId: userId,
              refId: holder,
              description: `${venue.name} ${first.resourceName} ${inShanghai(first.startAt).format('MM-DD HH:mm')}-${inShanghai(last.endAt).format('HH:mm')}`,
              items: ordered.map((s) => ({
                name: `${s.resourceName} ${inShanghai(s.startAt).format('MM-DD HH:mm')}`,
                quantity: input.quantity,
                unitFen: s.priceFen,
              })),
              amountFen,
              expiresAt: doc.holdExpiresAt!,
              tags: { venueId: venue.id, sport: first.sport },
            })
          ).orderId
        : null;
      const held = kernel.pausePoint('booking.book:before-transition');
      if (held) await held;
      const placed = await transition(
        { _id: doc._id, status: 'taking', slotClosed: mongoose.trusted({ $ne: true }) },
        { status: paid ? 'held' : 'confirmed', orderId, confirmedAt: paid ? null : now },
        paid ? ['event.booked'] : ['tickets.issue', 'event.booked'],
        'booking.book:after-transition',
      );
      if (!placed) {
        if (orderId) await payments.closeOrder(orderId, 'booking not placed');
        // the slot was closed while this attempt was on its way (booking.desk marks it; rolled back below)
        if (await Booking.exists({ _id: doc._id, slotClosed: true }))
          throw new AppError('SLOT_CLOSED', 'this slot is closed', { slotId: String(doc.slotIds[0]) });
        // or the sweeper rolled this attempt back meanwhile (it ran far past its time): nothing is held
        throw new AppError('CONFLICT', 'the booking took too long; please try again');
      }
      return placed;
    } catch (err) {
      if (kernel.isInjectedCrash(err)) throw err;
      if (heldNothing) {
        // lost the take before any limit was counted: nothing to give back, only the record to drop
        // (a crash before this delete leaves a `taking` record the sweeper rolls back as below)
        await Booking.collection.deleteOne({ _id: doc._id, status: 'taking' });
        throw err;
      }
      // all-or-nothing: give back whatever this attempt took (exactly once), then drop the record
      const failed = await kernel.effects.transition<BookingDoc>(
        EFFECTS_OWNER,
        { _id: doc._id, status: 'taking' },
        { status: 'failed', failedAt: now },
        ['capacity', 'limits'],
      );
      if (failed && (await kernel.effects.finish(EFFECTS_OWNER, failed)).length === 0)
        await Booking.collection.deleteOne({ _id: doc._id, status: 'failed', pending: { $size: 0 } });
      throw err;
    }
  }

  async function book(userId: string, input: CreateBooking, idempotencyKey?: string): Promise<{ booking: BookingDto; replayed: boolean }> {
    const slotIds = Array.from(new Set(input.slotIds));
    if (slotIds.length !== input.slotIds.length) fail('VALIDATION_FAILED', 'slotIds', 'a slot is listed twice');
    // The sold-out fast path (platform/capacity.ts): a slot this instance saw full within the last
    // second is answered without a write; a retry of a key that booked still gets its booking.
    const knownFull = slotIds.find((id) => kernel.capacity.knownFull(SLOT_CAPACITY, id, input.quantity));
    if (knownFull && !(idempotencyKey && (await kernel.idempotencySeen('booking', userId, idempotencyKey))))
      throw new AppError('SLOT_SOLD_OUT', 'sold out', { slotId: knownFull });
    if (!idempotencyKey) return { booking: toDto(await place(userId, input, slotIds)), replayed: false };
    // A retry answers with the booking it made, whatever the slot's state is now (full, started …).
    const { result, replayed } = await kernel.claimOnce('booking', userId, idempotencyKey, requestHash(input), async () => {
      // a claim taken over after a crash: the crashed attempt may have placed the booking already
      const earlier = await Booking.findOne({
        userId,
        requestKey: idempotencyKey,
        status: mongoose.trusted({ $ne: 'failed' }),
      }).lean<BookingDoc>();
      if (earlier?.status === 'taking') throw new AppError('CONFLICT', 'the first attempt is still being rolled back; please try again');
      if (earlier) return { bookingId: String(earlier._id) };
      return { bookingId: String((await place(userId, input, slotIds, idempotencyKey))._id) };
    });
    const b = await Booking.findById(result.bookingId).lean<BookingDoc>();
    if (!b) throw new AppError('BOOKING_NOT_FOUND', 'no such booking');
    return { booking: toDto(b), replayed };
  }

  // ---------- transitions ----------
  async function findOwned(userId: string, bookingId: string): Promise<BookingDoc> {
    const b = await Booking.findOne({ _id: bookingId, userId, status: mongoose.trusted({ $in: BOOKING_STATUSES }) }).lean<BookingDoc>();
    if (!b) throw new AppError('BOOKING_NOT_FOUND', 'no such booking'); // other users' bookings look absent
    return b;
  }

  /** What ending an active booking owes: places and limits back, tickets revoked, the money settled, the event. */
  function endSteps(b: BookingDoc): BookingStep[] {
    if (b.status === 'held') return ['capacity', 'limits', ...(b.orderId ? (['order.close'] as const) : []), 'event.cancelled'];
    return ['tickets.revoke', 'capacity', 'limits', ...(b.orderId ? (['refund'] as const) : []), 'event.cancelled'];
  }

  /** Cancels an active booking (one guarded transition); the caller that wins does what it owes. */
  async function cancelActive(b: BookingDoc, by: 'user' | 'venue', reason: string | null, moneyReason: string, extra: BookingStep[] = []) {
    const now = kernel.clock.now();
    return transition(
      { _id: b._id, status: b.status },
      {
        status: 'cancelled',
        cancelledAt: now,
        cancelReason: reason,
        cancelledBy: by,
        refundReason: moneyReason,
        refundStarted: b.status === 'confirmed' && b.orderId !== null,
      },
      [...endSteps(b), ...extra],
      'booking.cancel:after-transition',
    );
  }

  async function cancel(userId: string, bookingId: string, reason?: string, opts: { overrideWindow?: boolean } = {}): Promise<BookingDto> {
    const b = await findOwned(userId, bookingId);
    const now = kernel.clock.now();
    if (!ACTIVE.includes(b.status as BookingStatus))
      throw new AppError('BOOKING_NOT_CANCELLABLE', `a ${b.status} booking cannot be cancelled`);
    if (!opts.overrideWindow) {
      if (b.status === 'confirmed' && now > b.cancelDeadline)
        throw new AppError('CANCEL_WINDOW_CLOSED', 'free cancellation has ended', { cancelDeadline: b.cancelDeadline.toISOString() });
      if (b.status === 'held' && now >= b.startAt) throw new AppError('CANCEL_WINDOW_CLOSED', 'the slot has started');
    }
    const won = await cancelActive(b, 'user', reason ?? null, reason ?? '用户取消');
    if (!won) {
      // lost a race (paid, expired or cancelled meanwhile): answer with what it is now
      const current = await findOwned(userId, bookingId);
      if (current.status === 'cancelled') return toDto(current);
      if (current.status === 'confirmed' && b.status === 'held') return cancel(userId, bookingId, reason, opts);
      throw new AppError('BOOKING_NOT_CANCELLABLE', `a ${current.status} booking cannot be cancelled`);
    }
    return toDto(won);
  }

  /** Payment's onPaid for bookings: a held booking becomes confirmed; anything else is refunded by payment. */
  async function confirmPaid(bookingId: string, paidFen: number): Promise<'applied' | 'rejected'> {
    const won = await transition(
      { _id: new Types.ObjectId(bookingId), status: 'held' },
      { status: 'confirmed', confirmedAt: kernel.clock.now(), paidFen },
      ['tickets.issue', 'event.confirmed'],
      'booking.confirm:after-transition',
    );
    if (won) return 'applied';
    const current = await Booking.findById(bookingId).lean<BookingDoc>();
    return current && ['confirmed', 'used', 'no_show'].includes(current.status) ? 'applied' : 'rejected';
  }

  /** Payment's onClosed: the order closed unpaid, so a hold still held is released. */
  async function releaseHold(bookingId: string): Promise<boolean> {
    const won = await transition(
      { _id: new Types.ObjectId(bookingId), status: 'held' },
      { status: 'expired', refundReason: 'order closed' },
      ['capacity', 'limits', 'event.expired'],
    );
    return won !== null;
  }

  /** Tickets' onAdmitted: the gate admitted the holder, so the booking is used (its limits count no more). */
  async function markUsed(bookingId: string): Promise<boolean> {
    const won = await transition(
      { _id: new Types.ObjectId(bookingId), status: 'confirmed' },
      { status: 'used', usedAt: kernel.clock.now() },
      ['limits', 'event.used'],
    );
    return won !== null;
  }

  // ---------- reading ----------
  async function getMine(userId: string, bookingId: string): Promise<BookingDto> {
    return toDto(await findOwned(userId, bookingId));
  }

  async function listMine(userId: string, q: { cursor?: string; limit: number; status: 'active' | 'past' | 'all' }) {
    const shown: readonly string[] =
      q.status === 'active' ? ACTIVE : q.status === 'past' ? BOOKING_STATUSES.filter((s) => !ACTIVE.includes(s)) : BOOKING_STATUSES;
    return kernel.cursorPage<BookingDoc, BookingDto>(Booking, { userId, status: mongoose.trusted({ $in: shown }) }, q, toDto);
  }

  const sweepers = createBookingSweepers(deps, { transition, endSteps });
  const desk = createBookingDesk(deps, { cancelActive });
  // the venue-booking journey (issue 10), each in its own file
  const partial = createPartialCancel(deps, { findOwned, transition });
  const waitlist = createWaitlist(deps, { book });
  const releaseReminders = createReleaseReminders(deps);

  return {
    book,
    cancel,
    confirmPaid,
    releaseHold,
    markUsed,
    getMine,
    listMine,
    ...sweepers,
    ...desk,
    cancelQuote: partial.quote,
    cancelPart: partial.cancelPart,
    waitlist,
    releaseReminders,
    standing: async (userId: string, venueId: string, day: string, sport?: Sport) => {
      const venue = await venues.getVenue(venueId);
      return standingOf(userId, venueId, day, sport, venue.rules, sport ? SPORT_LABELS_ZH[sport] : null);
    },
    listBans: bans.listBans,
    banVenueId: bans.banVenueId,
    liftBan: bans.liftBan,
    myNoShows: bans.myNoShows,
    /** demo fixtures only: a used booking in the past (booking.recommend.ts) */
    importPastBooking: (input: Parameters<typeof importPastBooking>[2]) => importPastBooking(venues, kernel.clock.now(), input),
  };
}

export type BookingService = ReturnType<typeof createBookingService>;
