import { createHash } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import {
  businessDay,
  inShanghai,
  maskName,
  shanghaiTime,
  type Booking as BookingDto,
  type BookingStatus,
  type CreateBooking,
  type OutboxEventMap,
  type VenueRules,
} from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import type { Clock } from '../../platform/clock';
import type { Pseudonymizer } from '../../platform/pseudonym';
import type { Logger } from '../../platform/logger';
import type { BookableSlot, VenueService } from '../venue';
import type { PaymentPort } from '../payment';
import { Ban, Booking, IdempotencyClaim, Quota, type BanDoc, type BookingDoc } from './booking.model';

export interface BookingDeps {
  clock: Clock;
  venues: VenueService;
  payments: PaymentPort;
  pseudonym: Pseudonymizer;
  logger: Logger;
  /** masked display names for the manager's desk (from identity) */
  holderNames: (userIds: string[]) => Promise<Map<string, string>>;
  /** a subscribe message to the user, when they agreed to one (from notification) */
  notify: (userId: string, templateId: string, data: Record<string, string>) => Promise<void>;
  /** tickets: issued when a booking is confirmed, revoked when it ends unused (from the ticket module) */
  admissions: {
    confirmed: (b: {
      bookingId: string;
      userId: string;
      venueId: string;
      venueName: string;
      resourceName: string;
      sport: BookingDoc['sport'];
      startAt: Date;
      endAt: Date;
      quantity: number;
    }) => Promise<void>;
    ended: (bookingId: string) => Promise<void>;
  };
  /** audit trail of manager actions (from identity) */
  audit: (actorId: string, action: string, targetUserId: string | null, details: Record<string, unknown>) => Promise<void>;
}

const ACTIVE: BookingStatus[] = ['held', 'confirmed'];
const MAX_RELEASE_BATCH = 500;

/** Monday of the ISO week containing a business day, as 'YYYY-MM-DD'. */
function weekOf(day: string): string {
  const d = inShanghai(shanghaiTime(day));
  const offset = (d.day() + 6) % 7;
  return d.subtract(offset, 'day').format('YYYY-MM-DD');
}

function fail(code: 'VALIDATION_FAILED', path: string, message: string): never {
  throw new AppError(code, message, [{ path, message }]);
}

export function toDto(b: BookingDoc): BookingDto {
  return {
    id: String(b._id),
    status: b.status,
    venueId: String(b.venueId),
    venueName: b.venueName,
    resourceId: String(b.resourceId),
    resourceName: b.resourceName,
    sport: b.sport,
    day: b.day,
    slotIds: b.slotIds.map(String),
    startAt: b.startAt.toISOString(),
    endAt: b.endAt.toISOString(),
    quantity: b.quantity,
    companions: b.companions.map((c) => ({ name: c.name })),
    amountFen: b.amountFen,
    holdExpiresAt: b.holdExpiresAt ? b.holdExpiresAt.toISOString() : null,
    orderId: b.orderId,
    cancelDeadline: b.cancelDeadline.toISOString(),
    createdAt: b.createdAt.toISOString(),
    cancelledAt: b.cancelledAt ? b.cancelledAt.toISOString() : null,
    cancelReason: b.cancelReason,
  };
}

export function createBookingService(deps: BookingDeps) {
  const { clock, venues, payments } = deps;

  function admissionOf(b: BookingDoc) {
    return {
      bookingId: String(b._id),
      userId: String(b.userId),
      venueId: String(b.venueId),
      venueName: b.venueName,
      resourceName: b.resourceName,
      sport: b.sport,
      startAt: b.startAt,
      endAt: b.endAt,
      quantity: b.quantity,
    };
  }

  function facts(b: BookingDoc) {
    return {
      subject: deps.pseudonym(String(b.userId)),
      bookingId: String(b._id),
      venueId: String(b.venueId),
      resourceId: String(b.resourceId),
      sport: b.sport,
      day: b.day,
      startAt: b.startAt.toISOString(),
      quantity: b.quantity,
      amountFen: b.amountFen,
    };
  }

  // ---------- limits ----------
  /**
   * One counter document per user, venue and ISO week holds the week's total, each day's and
   * each sport's count. A booking takes all three limits with ONE guarded upsert: when any limit
   * is reached the filter does not match, the upsert collides with the existing `_id` (E11000)
   * and nothing is counted.
   */
  function quotaOf(userId: string, venueId: string, slot: BookableSlot, rules: VenueRules) {
    return {
      id: `${venueId}:${userId}:${weekOf(slot.day)}`,
      dayField: `days.${slot.day}`,
      sportField: `sports.${slot.sport}`,
      limits: [
        { field: 'total', max: rules.maxActivePerWeek, per: 'per week' },
        { field: `days.${slot.day}`, max: rules.maxActivePerDay, per: 'per day' },
        { field: `sports.${slot.sport}`, max: rules.maxActivePerSportPerWeek, per: 'per sport per week' },
      ],
    };
  }

  async function takeQuota(
    q: ReturnType<typeof quotaOf>,
  ): Promise<{ ok: true; key: string } | { ok: false; over: { max: number; per: string }[] }> {
    const filter: Record<string, unknown> = { _id: q.id };
    for (const l of q.limits) filter[l.field] = { $not: { $gte: l.max } };
    try {
      await Quota.collection.updateOne(filter, { $inc: { total: 1, [q.dayField]: 1, [q.sportField]: 1 } }, { upsert: true });
      return { ok: true, key: `${q.id}|${q.dayField}|${q.sportField}` };
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      const doc = ((await Quota.collection.findOne({ _id: q.id as never })) ?? {}) as Record<string, unknown>;
      const valueOf = (field: string) =>
        field.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc) as number | undefined;
      return { ok: false, over: q.limits.filter((l) => (valueOf(l.field) ?? 0) >= l.max).map((l) => ({ max: l.max, per: l.per })) };
    }
  }

  async function returnQuotas(keys: string[]) {
    await Promise.all(
      keys.map((key) => {
        const [id, dayField, sportField] = key.split('|');
        return Quota.collection.updateOne(
          { _id: id as never, total: { $gte: 1 } },
          { $inc: { total: -1, [dayField]: -1, [sportField]: -1 } },
        );
      }),
    );
  }

  async function returnCapacity(slots: { id: string; capacity: number }[], quantity: number) {
    for (const s of slots) await venues.returnCapacity(s.id, quantity, s.capacity);
  }

  // ---------- booking ----------
  async function activeBan(userId: string, venueId: string, now: Date): Promise<BanDoc | null> {
    return Ban.findOne({ userId, venueId, until: mongoose.trusted({ $gt: now }), liftedAt: null }).lean<BanDoc>();
  }

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

  /** Someone else holds this key's claim (a concurrent retry): wait for its booking. */
  async function replay(claimId: string, hash: string): Promise<{ booking: BookingDto; replayed: true } | null> {
    for (let i = 0; i < 100; i++) {
      const claim = await IdempotencyClaim.findById(claimId).lean();
      if (!claim) return null; // the first attempt failed and let go of the key
      if (claim.requestHash !== hash) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different booking');
      if (claim.bookingId) {
        const b = await Booking.findById(claim.bookingId).lean<BookingDoc>();
        if (b) return { booking: toDto(b), replayed: true };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new AppError('CONFLICT', 'the same request is still being processed');
  }

  async function book(userId: string, input: CreateBooking, idempotencyKey?: string): Promise<{ booking: BookingDto; replayed: boolean }> {
    const slotIds = Array.from(new Set(input.slotIds));
    if (slotIds.length !== input.slotIds.length) fail('VALIDATION_FAILED', 'slotIds', 'a slot is listed twice');
    const hash = requestHash(input);
    const claimId = idempotencyKey ? `${userId}:${idempotencyKey}` : null;
    // A retry answers with the booking it made, whatever the slot's state is now (full, started …).
    if (claimId && (await IdempotencyClaim.exists({ _id: claimId }))) {
      const replayed = await replay(claimId, hash);
      if (replayed) return replayed;
    }
    const now = clock.now();
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
    if (full) throw new AppError('SLOT_SOLD_OUT', 'sold out', { slotId: full.id });

    const ban = await activeBan(userId, venue.id, now);
    if (ban) throw new AppError('BOOKING_BANNED', 'booking is suspended after repeated no-shows', { until: ban.until.toISOString() });

    // Idempotency: claim the key before taking anything, so a concurrent retry waits for this attempt.
    if (claimId) {
      try {
        await IdempotencyClaim.create({ _id: claimId, requestHash: hash, bookingId: null, createdAt: now });
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        const replayed = await replay(claimId, hash);
        if (replayed) return replayed;
        return book(userId, input, idempotencyKey);
      }
    }

    const taken: { id: string; capacity: number }[] = [];
    const quotaKeys: string[] = [];
    let bookingInserted = false;
    try {
      // Capacity first: in a rush most requests end here, having written nothing.
      for (const s of ordered) {
        if (!(await venues.takeCapacity(s.id, input.quantity))) throw new AppError('SLOT_SOLD_OUT', 'sold out', { slotId: s.id });
        taken.push({ id: s.id, capacity: s.capacity });
      }
      const quota = await takeQuota(quotaOf(userId, venue.id, first, venue.rules));
      if (!quota.ok)
        throw new AppError('BOOKING_LIMIT_REACHED', `booking limit reached (${quota.over.map((l) => `${l.max} ${l.per}`).join(', ')})`, {
          limits: quota.over,
        });
      quotaKeys.push(quota.key);

      const amountFen = ordered.reduce((sum, s) => sum + s.priceFen, 0) * input.quantity;
      const bookingId = new Types.ObjectId();
      const paid = amountFen > 0;
      const holdExpiresAt = paid ? new Date(now.getTime() + venue.rules.holdMinutes * 60_000) : null;
      let orderId: string | null = null;
      if (paid) {
        orderId = (
          await payments.createOrder({
            kind: 'booking',
            ownerId: userId,
            refId: String(bookingId),
            description: `${venue.name} ${first.resourceName} ${inShanghai(first.startAt).format('MM-DD HH:mm')}-${inShanghai(last.endAt).format('HH:mm')}`,
            items: ordered.map((s) => ({
              name: `${s.resourceName} ${inShanghai(s.startAt).format('MM-DD HH:mm')}`,
              quantity: input.quantity,
              unitFen: s.priceFen,
            })),
            amountFen,
            expiresAt: holdExpiresAt!,
            tags: { venueId: venue.id, sport: first.sport },
          })
        ).orderId;
      }
      const doc: BookingDoc = {
        _id: bookingId,
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
        status: paid ? 'held' : 'confirmed',
        holdExpiresAt,
        orderId,
        cancelDeadline: new Date(first.startAt.getTime() - venue.rules.cancelCutoffMinutes * 60_000),
        checkInDeadline: new Date(first.startAt.getTime() + venue.rules.checkInGraceMinutes * 60_000),
        quotaKeys,
        createdAt: now,
        confirmedAt: paid ? null : now,
        cancelledAt: null,
        cancelReason: null,
        cancelledBy: null,
        usedAt: null,
        noShowAt: null,
        reminderSentAt: null,
      };
      await Booking.collection.insertOne(doc); // built and typed above: skips mongoose's per-document work on the hot path
      bookingInserted = true;
      if (claimId) await IdempotencyClaim.updateOne({ _id: claimId }, { $set: { bookingId } });
      if (!paid) await deps.admissions.confirmed(admissionOf(doc));
      await emit(
        'booking.booked',
        { ...facts(doc), status: paid ? 'held' : 'confirmed' },
        { eventId: `booking.booked:${bookingId}`, occurredAt: now },
      );
      return { booking: toDto(doc), replayed: false };
    } catch (err) {
      if (!bookingInserted) {
        // all-or-nothing: give back what this attempt took, and let go of the key
        if (!venues.controlRunWithoutGuards) await returnCapacity(taken, input.quantity);
        await returnQuotas(quotaKeys);
        if (claimId) await IdempotencyClaim.deleteOne({ _id: claimId });
      }
      throw err;
    }
  }

  // ---------- transitions ----------
  /**
   * Moves a booking out of an active state with one guarded update; only the caller that wins
   * gives capacity and limits back, so they return exactly once however many callers race.
   */
  async function release(
    b: BookingDoc,
    from: BookingStatus,
    to: 'cancelled' | 'expired',
    extra: Record<string, unknown>,
    guard: Record<string, unknown> = {},
  ): Promise<BookingDoc | null> {
    const won = await Booking.findOneAndUpdate(
      { _id: b._id, status: from, ...guard },
      { $set: { status: to, ...extra } },
      { new: true },
    ).lean<BookingDoc>();
    if (!won) return null;
    await returnCapacity(
      won.slotIds.map((id, i) => ({ id: String(id), capacity: won.slotCapacities[i] })),
      won.quantity,
    );
    await returnQuotas(won.quotaKeys);
    return won;
  }

  async function findOwned(userId: string, bookingId: string): Promise<BookingDoc> {
    const b = await Booking.findOne({ _id: bookingId, userId }).lean<BookingDoc>();
    if (!b) throw new AppError('BOOKING_NOT_FOUND', 'no such booking'); // other users' bookings look absent
    return b;
  }

  async function cancel(userId: string, bookingId: string, reason?: string): Promise<BookingDto> {
    const b = await findOwned(userId, bookingId);
    const now = clock.now();
    if (!ACTIVE.includes(b.status)) throw new AppError('BOOKING_NOT_CANCELLABLE', `a ${b.status} booking cannot be cancelled`);
    if (b.status === 'confirmed' && now > b.cancelDeadline)
      throw new AppError('CANCEL_WINDOW_CLOSED', 'free cancellation has ended', { cancelDeadline: b.cancelDeadline.toISOString() });
    if (b.status === 'held' && now >= b.startAt) throw new AppError('CANCEL_WINDOW_CLOSED', 'the slot has started');
    const won = await release(b, b.status, 'cancelled', { cancelledAt: now, cancelReason: reason ?? null, cancelledBy: 'user' });
    if (!won) {
      // lost a race (paid, expired or cancelled meanwhile): answer with what it is now
      const current = await findOwned(userId, bookingId);
      if (current.status === 'cancelled') return toDto(current);
      if (current.status === 'confirmed' && b.status === 'held') return cancel(userId, bookingId, reason);
      throw new AppError('BOOKING_NOT_CANCELLABLE', `a ${current.status} booking cannot be cancelled`);
    }
    await deps.admissions.ended(String(won._id));
    const refundStarted = await settleMoneyAfterCancel(b.status, won, reason ?? '用户取消');
    await emit(
      'booking.cancelled',
      { ...facts(won), by: 'user', refundStarted },
      { eventId: `booking.cancelled:${won._id}`, occurredAt: now },
    );
    return toDto(won);
  }

  async function settleMoneyAfterCancel(previous: BookingStatus, b: BookingDoc, reason: string): Promise<boolean> {
    if (!b.orderId) return false;
    if (previous === 'held') {
      await payments.closeOrder(b.orderId, reason);
      return false;
    }
    await payments.refundOrder(b.orderId, { reason });
    return true;
  }

  /** Payment's onPaid for bookings: a held booking becomes confirmed; anything else is refunded by payment. */
  async function confirmPaid(bookingId: string): Promise<'applied' | 'rejected'> {
    const now = clock.now();
    const won = await Booking.findOneAndUpdate(
      { _id: bookingId, status: 'held' },
      { $set: { status: 'confirmed', confirmedAt: now } },
      { new: true },
    ).lean<BookingDoc>();
    if (won) {
      await deps.admissions.confirmed(admissionOf(won));
      await emit('booking.confirmed', facts(won), { eventId: `booking.confirmed:${bookingId}`, occurredAt: now });
      return 'applied';
    }
    const current = await Booking.findById(bookingId).lean<BookingDoc>();
    return current && current.status !== 'expired' && current.status !== 'cancelled' ? 'applied' : 'rejected';
  }

  /** The hold sweeper: unpaid holds past their expiry give their places back (exactly once). */
  async function expireHolds(): Promise<number> {
    const now = clock.now();
    const due = await Booking.find({ status: 'held', holdExpiresAt: mongoose.trusted({ $lte: now }) })
      .limit(MAX_RELEASE_BATCH)
      .lean<BookingDoc[]>();
    let expired = 0;
    for (const b of due) {
      const won = await release(
        b,
        'held',
        'expired',
        { holdExpiresAt: b.holdExpiresAt },
        { holdExpiresAt: mongoose.trusted({ $lte: now }) },
      );
      if (!won) continue;
      expired++;
      if (won.orderId) await payments.closeOrder(won.orderId, 'hold expired');
      await emit('booking.expired', facts(won), { eventId: `booking.expired:${won._id}`, occurredAt: now });
    }
    return expired;
  }

  /** After the check-in grace, confirmed bookings never verified become no-shows; repeated ones ban. */
  async function markNoShows(): Promise<number> {
    const now = clock.now();
    const due = await Booking.find({ status: 'confirmed', checkInDeadline: mongoose.trusted({ $lte: now }) })
      .limit(MAX_RELEASE_BATCH)
      .lean<BookingDoc[]>();
    let marked = 0;
    for (const b of due) {
      const won = await Booking.findOneAndUpdate(
        { _id: b._id, status: 'confirmed' },
        { $set: { status: 'no_show', noShowAt: now } },
        { new: true },
      ).lean<BookingDoc>();
      if (!won) continue;
      marked++;
      await returnQuotas(won.quotaKeys); // limits count active bookings; this one is over
      await emit('booking.no_show', facts(won), { eventId: `booking.no_show:${won._id}`, occurredAt: now });
      await considerBan(won, now);
    }
    return marked;
  }

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
    const since = businessDay(now);
    try {
      await Ban.create({
        _id: `${b.userId}:${b.venueId}:${since}`,
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
  }

  /** Tickets call this when a gate admits the holder. */
  async function markUsed(bookingId: string): Promise<boolean> {
    const now = clock.now();
    const won = await Booking.findOneAndUpdate(
      { _id: bookingId, status: 'confirmed' },
      { $set: { status: 'used', usedAt: now } },
      { new: true },
    ).lean<BookingDoc>();
    if (!won) return false;
    await returnQuotas(won.quotaKeys); // limits count active bookings; this one is over
    await emit('booking.used', facts(won), { eventId: `booking.used:${bookingId}`, occurredAt: now });
    return true;
  }

  /** Reminders an hour ahead, once per booking, to users who agreed to them. */
  async function sendReminders(): Promise<number> {
    const now = clock.now();
    const due = await Booking.find({
      status: 'confirmed',
      reminderSentAt: null,
      startAt: mongoose.trusted({ $gt: now, $lte: new Date(now.getTime() + 60 * 60_000) }),
    })
      .limit(MAX_RELEASE_BATCH)
      .lean<BookingDoc[]>();
    let sent = 0;
    for (const b of due) {
      const won = await Booking.updateOne({ _id: b._id, reminderSentAt: null }, { $set: { reminderSentAt: now } });
      if (won.modifiedCount !== 1) continue;
      await deps.notify(String(b.userId), 'booking_reminder', {
        thing1: b.venueName,
        thing2: b.resourceName,
        time3: `${inShanghai(b.startAt).format('YYYY-MM-DD HH:mm')}`,
      });
      sent++;
    }
    return sent;
  }

  // ---------- reading ----------
  async function getMine(userId: string, bookingId: string): Promise<BookingDto> {
    return toDto(await findOwned(userId, bookingId));
  }

  async function listMine(userId: string, q: { cursor?: string; limit: number; status: 'active' | 'past' | 'all' }) {
    if (q.cursor !== undefined && !Types.ObjectId.isValid(q.cursor)) fail('VALIDATION_FAILED', 'cursor', 'bad cursor');
    const filter: Record<string, unknown> = { userId };
    if (q.status === 'active') filter.status = mongoose.trusted({ $in: ACTIVE });
    if (q.status === 'past') filter.status = mongoose.trusted({ $nin: ACTIVE });
    if (q.cursor) filter._id = mongoose.trusted({ $lt: new Types.ObjectId(q.cursor) });
    const rows = await Booking.find(filter)
      .sort({ _id: -1 })
      .limit(q.limit + 1)
      .lean<BookingDoc[]>();
    const items = rows.slice(0, q.limit).map(toDto);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null };
  }

  // ---------- venue manager ----------
  async function dayBookings(venueId: string, day: string) {
    const rows = await Booking.find({ venueId, day }).sort({ startAt: 1, resourceName: 1 }).limit(2000).lean<BookingDoc[]>();
    const names = await deps.holderNames(Array.from(new Set(rows.map((r) => String(r.userId)))));
    return rows.map((r) => ({ ...toDto(r), holderName: maskName(names.get(String(r.userId)) ?? '市民') }));
  }

  /** Cancels (and refunds) every active booking on the given slots, and tells each user why. */
  async function cancelForClosedSlots(slotIds: string[], reason: string): Promise<number> {
    if (slotIds.length === 0) return 0;
    const affected = await Booking.find({
      slotIds: mongoose.trusted({ $in: slotIds.map((id) => new Types.ObjectId(id)) }),
      status: mongoose.trusted({ $in: ACTIVE }),
    }).lean<BookingDoc[]>();
    const now = clock.now();
    let cancelled = 0;
    for (const b of affected) {
      const won = await release(b, b.status, 'cancelled', { cancelledAt: now, cancelReason: reason, cancelledBy: 'venue' });
      if (!won) continue;
      cancelled++;
      await deps.admissions.ended(String(won._id));
      const refundStarted = await settleMoneyAfterCancel(b.status, won, `场馆关闭：${reason}`);
      await emit(
        'booking.cancelled',
        { ...facts(won), by: 'venue', refundStarted },
        { eventId: `booking.cancelled:${won._id}`, occurredAt: now },
      );
      await deps.notify(String(won.userId), 'booking_cancelled', {
        thing1: won.venueName,
        time2: inShanghai(won.startAt).format('YYYY-MM-DD HH:mm'),
        thing3: `场馆关闭：${reason}`.slice(0, 20),
      });
    }
    return cancelled;
  }

  async function closeSlot(actorId: string, slotId: string, reason: string) {
    const venueId = await venues.slotVenueId(slotId);
    const closed = await venues.closeSlots({ slotId });
    // a slot closed earlier may still have bookings left from a crash: cancelling is idempotent
    const cancelled = await cancelForClosedSlots([slotId], reason);
    await deps.audit(actorId, 'slot.close', null, { venueId, slotId, reason, cancelled });
    return { closedSlots: closed.length, cancelledBookings: cancelled };
  }

  async function closeDay(actorId: string, venueId: string, day: string, reason: string) {
    const closed = await venues.closeSlots({ venueId, day });
    const cancelled = await cancelForClosedSlots(closed, reason);
    await deps.audit(actorId, 'day.close', null, { venueId, day, reason, closedSlots: closed.length, cancelled });
    return { closedSlots: closed.length, cancelledBookings: cancelled };
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
    const now = clock.now();
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
    await deps.audit(actorId, 'ban.lift', String(lifted.userId), { banId, venueId: String(lifted.venueId), reason });
    return banDto(lifted);
  }

  return {
    book,
    cancel,
    confirmPaid,
    expireHolds,
    markNoShows,
    markUsed,
    sendReminders,
    getMine,
    listMine,
    dayBookings,
    closeSlot,
    closeDay,
    listBans,
    banVenueId,
    liftBan,
  };
}

export type BookingService = ReturnType<typeof createBookingService>;
export type { OutboxEventMap };
