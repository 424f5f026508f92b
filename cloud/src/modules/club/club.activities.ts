import mongoose, { Types } from 'mongoose';
import { inShanghai, type Booking, type ClubActivityBookingInput, type CreateClubActivity } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import { ACTIVITY_PLACES, isDuplicate, OWNERS, ticketSport, type ClubDeps } from './club.context';
import { activityDto } from './club.dto';
import {
  Club,
  ClubActivity,
  ClubCourtClaim,
  ClubMember,
  ClubSignup,
  type ActivityBooking,
  type ActivityDoc,
  type ClubDoc,
  type SignupDoc,
} from './club.model';

const HOLD_MINUTES = 15;
const TAKING_STALE_MS = 60_000;
const source = (s: Pick<SignupDoc, '_id'>) => ({ kind: 'club_activity', id: String(s._id) });
const LIVE_BOOKING = ['held', 'confirmed'];

function courtOf(actorId: string, b: Booking): ActivityBooking {
  return {
    bookingId: b.id,
    bookedBy: new Types.ObjectId(actorId),
    venueId: b.venueId,
    venueName: b.venueName,
    resourceName: b.resourceName,
    startAt: new Date(b.startAt),
    endAt: new Date(b.endAt),
    status: b.status,
    orderId: b.orderId,
    decision: null,
    outcome: null,
  };
}

/** The court must be booked for the whole activity (it may start earlier or end later). */
function mustCover(from: Date, to: Date, a: { startAt: Date; endAt: Date }) {
  if (from > a.startAt || to < a.endAt)
    throw new AppError('CLUB_BOOKING_TIME_MISMATCH', 'the booking does not cover the activity', {
      bookingStartAt: from.toISOString(),
      bookingEndAt: to.toISOString(),
    });
}

/**
 * Club activities and sign-ups. A sign-up is inserted (`taking`) before its place is taken from
 * the activity's counter (kernel capacity, holder = the sign-up), so a crash leaves a record the
 * sweeper rolls back; every later change is a guarded transition through kernel.effects.
 */
export function createClubActivities(deps: ClubDeps) {
  const { kernel, payments, tickets } = deps;

  kernel.capacity.define(ACTIVITY_PLACES, { collection: 'club_activities', guard: { status: 'open' } });
  kernel.effects.define<SignupDoc>(OWNERS.signup, {
    collection: 'club_signups',
    steps: {
      capacity: async (s) => void (await kernel.capacity.giveBack(ACTIVITY_PLACES, s.activityId, 1, { holder: String(s._id) })),
      'tickets.issue': async (s) => {
        const a = await ClubActivity.findById(s.activityId).lean<ActivityDoc>();
        const club = await Club.findById(s.clubId).lean<ClubDoc>();
        if (!a || !club) return;
        // the club is the "gate": its admins check tickets in for its activities
        await tickets.issue({
          source: source(s),
          userId: String(s.userId),
          venueId: String(s.clubId),
          venueName: club.name,
          resourceName: a.title,
          sport: ticketSport(club.sport),
          startAt: a.startAt,
          endAt: a.endAt,
          quantity: 1,
        });
      },
      'tickets.revoke': async (s) => void (await tickets.revokeFor(source(s))),
      // named by the sign-up: a re-run after a crash finds that refund instead of asking for a second
      refund: async (s) =>
        void (s.orderId && (await payments.refundOrder(s.orderId, { reason: '活动报名取消', refundId: `RF${s._id.toHexString()}` }))),
      'order.close': async (s) => void (s.orderId && (await payments.closeOrder(s.orderId, 'sign-up ended'))),
      'event.signed_up': async (s) => {
        await emit(
          'club.activity_signed_up',
          { subject: deps.pseudonym(String(s.userId)), clubId: String(s.clubId), activityId: String(s.activityId), amountFen: s.amountFen },
          { eventId: `club.activity_signed_up:${s._id}` },
        );
      },
    },
  });

  async function transition(filter: Record<string, unknown>, set: Record<string, unknown>, steps: string[], crash?: string) {
    const won = await kernel.effects.transition<SignupDoc>(OWNERS.signup, filter, set, steps);
    if (!won) return null;
    if (crash) kernel.crashPoint(crash);
    await kernel.effects.finish(OWNERS.signup, won);
    return won;
  }

  /**
   * Cancelling an activity owes: its sign-ups ended (tickets revoked, fees refunded) and its court
   * settled. A club admin cancelling an activity expects the court given back, so by default the
   * booking is cancelled through the booking module's own cancel (its refund rules and free-
   * cancellation deadline); `keepBooking` leaves it with the admin; past the deadline it stays
   * with the admin and the activity says so (`window_closed`).
   */
  kernel.effects.define<ActivityDoc>(OWNERS.activity, {
    collection: 'club_activities',
    steps: {
      'signups.end': async (a) => {
        const live = await ClubSignup.find({ activityId: a._id, status: mongoose.trusted({ $in: ['held', 'confirmed'] }) }).lean<
          SignupDoc[]
        >();
        for (const s of live) await end(s);
      },
      'booking.settle': async (a) => {
        const b = a.booking;
        if (!b || b.outcome) return;
        let status = b.status;
        let outcome: ActivityBooking['outcome'] = 'kept';
        if (b.decision !== 'keep') {
          try {
            status = (await deps.bookings.cancel(String(b.bookedBy), b.bookingId, `社团活动取消：${a.cancelReason ?? ''}`.slice(0, 200)))
              .status;
            outcome = 'cancelled';
          } catch (err) {
            const code = err instanceof AppError ? err.code : null;
            if (code === 'CANCEL_WINDOW_CLOSED') outcome = 'window_closed';
            else if (code === 'BOOKING_NOT_CANCELLABLE') {
              // already cancelled (a re-run), used, expired …: nothing left to give back
              status = (await deps.bookings.getMine(String(b.bookedBy), b.bookingId)).status;
              outcome = status === 'cancelled' ? 'cancelled' : null;
            } else if (code === 'BOOKING_NOT_FOUND') outcome = null;
            else throw err; // stays pending: the sweeper tries again
          }
        }
        await ClubActivity.collection.updateOne(
          { _id: a._id },
          { $set: { 'booking.status': status, 'booking.outcome': outcome ?? 'kept' } },
        );
      },
    },
  });

  /** The court for an activity: a booking the admin holds (others' look absent: 404), or slots booked now as the admin. */
  async function courtFor(actorId: string, a: { startAt: Date; endAt: Date }, input: ClubActivityBookingInput) {
    if ('bookingId' in input) {
      const b = await deps.bookings.getMine(actorId, input.bookingId);
      if (!LIVE_BOOKING.includes(b.status)) throw new AppError('CLUB_BOOKING_NOT_ACTIVE', `a ${b.status} booking cannot serve an activity`);
      mustCover(new Date(b.startAt), new Date(b.endAt), a);
      return { court: courtOf(actorId, b), bookedNow: false };
    }
    const { slots } = await deps.slotsForBooking(input.slotIds);
    // unknown slots: the booking module answers (SLOT_NOT_FOUND) below
    if (slots.length === input.slotIds.length && slots.length > 0)
      mustCover(
        new Date(Math.min(...slots.map((x) => x.startAt.getTime()))),
        new Date(Math.max(...slots.map((x) => x.endAt.getTime()))),
        a,
      );
    const { booking } = await deps.bookings.book(actorId, { slotIds: input.slotIds, quantity: 1, companions: [] });
    return { court: courtOf(actorId, booking), bookedNow: true };
  }

  /**
   * One booking serves one activity: the booking's claim (unique `_id`) is taken before the link.
   * A claim whose activity never got the booking (a crash between the two writes) is taken over
   * once it is a minute old; a cancelled activity's claim (its court kept) at once.
   */
  async function claimCourt(bookingId: string, activityId: Types.ObjectId) {
    const now = kernel.clock.now();
    try {
      await ClubCourtClaim.collection.insertOne({ _id: bookingId as never, activityId, at: now });
      return;
    } catch (err) {
      if (!isDuplicate(err)) throw err;
    }
    const held = await ClubCourtClaim.findById(bookingId).lean<{ activityId: Types.ObjectId; at: Date }>();
    if (held && held.activityId.equals(activityId)) return;
    const taken = () => new AppError('CLUB_BOOKING_TAKEN', 'the booking serves another activity');
    if (!held) throw taken();
    const owner = await ClubActivity.findById(held.activityId, { booking: 1, status: 1 }).lean<Pick<ActivityDoc, 'booking' | 'status'>>();
    // a cancelled activity lets go of a court it kept (改期: the admin attaches it to the new date) —
    // once settled: before that its booking.settle may still cancel the booking
    const released = owner?.status === 'cancelled' && (!!owner.booking?.outcome || owner.booking?.bookingId !== bookingId);
    if (!released) {
      if (held.at.getTime() > now.getTime() - TAKING_STALE_MS) throw taken();
      if (owner?.booking?.bookingId === bookingId) throw taken();
    }
    const took = await ClubCourtClaim.collection.updateOne(
      { _id: bookingId as never, activityId: held.activityId },
      { $set: { activityId, at: now } },
    );
    if (took.modifiedCount !== 1) throw taken();
  }

  /** A booking made for an activity that could not be linked goes back (free: it was made a moment ago). */
  async function undoBooking(actorId: string, court: ActivityBooking) {
    try {
      await deps.bookings.cancel(actorId, court.bookingId, '未能关联社团活动');
    } catch (err) {
      kernel.logger.warn({ err, bookingId: court.bookingId }, 'a court booked for an activity could not be given back');
    }
  }

  /** Links a court to an activity that has none (or whose booking is no longer live). */
  async function attachBooking(actorId: string, clubId: string, activityId: string, input: ClubActivityBookingInput) {
    const a = await findActivity(activityId);
    if (String(a.clubId) !== clubId) throw new AppError('CLUB_ACTIVITY_NOT_FOUND', 'no such activity');
    if (a.status !== 'open' || a.startAt <= kernel.clock.now()) throw new AppError('CLUB_ACTIVITY_CLOSED', 'the activity is closed');
    if (a.booking) {
      const current = await deps.bookings.getMine(String(a.booking.bookedBy), a.booking.bookingId).catch(() => null);
      if (current && LIVE_BOOKING.includes(current.status)) throw new AppError('CLUB_BOOKING_TAKEN', 'the activity has a court already');
    }
    const { court, bookedNow } = await courtFor(actorId, a, input);
    let linked: unknown = null;
    try {
      await claimCourt(court.bookingId, a._id);
      linked = await kernel.transition(
        'club_activities',
        { _id: a._id, status: 'open', 'booking.bookingId': a.booking?.bookingId ?? null },
        { $set: { booking: court } },
      );
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
    }
    if (!linked) {
      if (bookedNow) await undoBooking(actorId, court);
      throw new AppError('CLUB_BOOKING_TAKEN', 'the booking serves another activity, or the activity changed meanwhile');
    }
    await kernel.audit(actorId, 'club.activity.booking', null, { clubId, activityId, bookingId: court.bookingId, bookedNow });
    return activityDto(await findActivity(activityId));
  }

  /** Cancels an activity (club admins): one guarded transition that owes the sign-ups' end and the court's settlement. */
  async function cancelActivity(actorId: string, clubId: string, activityId: string, input: { reason: string; keepBooking: boolean }) {
    const a = await findActivity(activityId);
    if (String(a.clubId) !== clubId) throw new AppError('CLUB_ACTIVITY_NOT_FOUND', 'no such activity');
    if (a.status === 'cancelled') return activityDto(a);
    const won = await kernel.effects.transition<ActivityDoc>(
      OWNERS.activity,
      { _id: a._id, status: a.status, 'booking.bookingId': a.booking?.bookingId ?? null },
      {
        status: 'cancelled',
        cancelReason: input.reason,
        cancelledAt: kernel.clock.now(),
        ...(a.booking ? { 'booking.decision': input.keepBooking ? 'keep' : 'cancel' } : {}),
      },
      ['signups.end', ...(a.booking ? ['booking.settle'] : [])],
    );
    if (!won) throw new AppError('CONFLICT', 'the activity changed meanwhile; please try again');
    await kernel.audit(actorId, 'club.activity.cancel', null, {
      clubId,
      activityId,
      reason: input.reason,
      bookingId: a.booking?.bookingId ?? null,
      keepBooking: input.keepBooking,
    });
    kernel.crashPoint('club.activity.cancel:after-transition');
    await kernel.effects.finish(OWNERS.activity, won);
    return activityDto(await findActivity(activityId));
  }

  async function create(actorId: string, club: ClubDoc, input: CreateClubActivity) {
    const now = kernel.clock.now();
    if (club.status !== 'approved') throw new AppError('CLUB_NOT_ACTIVE', 'the club is not active');
    const startAt = new Date(input.startAt);
    if (startAt <= now)
      throw new AppError('VALIDATION_FAILED', 'starts in the past', [{ path: 'startAt', message: 'must be in the future' }]);
    const endAt = new Date(input.endAt);
    // the court first (a crash after it leaves the admin a booking to attach later, never an activity pointing at nothing)
    const court = input.booking ? await courtFor(actorId, { startAt, endAt }, input.booking) : null;
    const doc: ActivityDoc = {
      _id: new Types.ObjectId(),
      clubId: club._id,
      title: input.title,
      description: input.description,
      place: input.place,
      startAt,
      endAt,
      capacity: input.capacity,
      remaining: input.capacity,
      applied: [],
      membersOnly: input.membersOnly,
      feeFen: input.feeFen,
      status: 'open',
      createdBy: new Types.ObjectId(actorId),
      createdAt: now,
      booking: court?.court ?? null,
    };
    if (court)
      try {
        await claimCourt(court.court.bookingId, doc._id);
      } catch (err) {
        if (court.bookedNow) await undoBooking(actorId, court.court);
        throw err;
      }
    kernel.crashPoint('club.activity.create:after-claim');
    await ClubActivity.collection.insertOne(doc);
    await kernel.audit(actorId, 'club.activity.create', null, {
      clubId: String(club._id),
      activityId: String(doc._id),
      capacity: doc.capacity,
      bookingId: court?.court.bookingId ?? null,
    });
    return activityDto(doc);
  }

  async function list(clubId: Types.ObjectId, opts: { member: boolean }) {
    const since = new Date(kernel.clock.now().getTime() - 30 * 86_400_000);
    const rows = await ClubActivity.find({
      clubId,
      startAt: mongoose.trusted({ $gte: since }),
      ...(opts.member ? {} : { membersOnly: false }),
    })
      .sort({ startAt: 1 })
      .limit(100)
      .lean<ActivityDoc[]>();
    // a linked court's live state (paid, expired …) from the booking module
    await Promise.all(
      rows.map(async (a) => {
        if (!a.booking || a.booking.outcome || a.status === 'cancelled') return;
        const b = await deps.bookings.getMine(String(a.booking.bookedBy), a.booking.bookingId).catch(() => null);
        if (b) Object.assign(a.booking, { status: b.status, orderId: b.orderId });
      }),
    );
    return rows.map(activityDto);
  }

  async function findActivity(activityId: string) {
    const a = await ClubActivity.findById(activityId).lean<ActivityDoc>();
    if (!a) throw new AppError('CLUB_ACTIVITY_NOT_FOUND', 'no such activity');
    return a;
  }

  /** One sign-up: checks, the record, the guarded take, then held (paid) or confirmed (free, ticket issued). */
  async function signUp(userId: string, a: ActivityDoc, club: ClubDoc, isMember: boolean) {
    const now = kernel.clock.now();
    if (club.status !== 'approved') throw new AppError('CLUB_NOT_ACTIVE', 'the club is suspended or dissolved');
    if (a.status !== 'open' || a.startAt <= now) throw new AppError('CLUB_ACTIVITY_CLOSED', 'sign-up is closed');
    if (a.membersOnly && !isMember) throw new AppError('CLUB_NOT_MEMBER', 'members only');
    if (a.remaining <= 0) throw new AppError('CLUB_ACTIVITY_FULL', 'no places left');
    const doc: SignupDoc = {
      _id: new Types.ObjectId(),
      activityId: a._id,
      clubId: a.clubId,
      userId: new Types.ObjectId(userId),
      liveKey: 'live',
      status: 'taking',
      amountFen: a.feeFen,
      orderId: null,
      createdAt: now,
      attendedAt: null,
      pendingSince: null,
    };
    try {
      await ClubSignup.collection.insertOne(doc);
    } catch (err) {
      if (isDuplicate(err)) throw new AppError('CLUB_ALREADY_SIGNED_UP', 'already signed up');
      throw err;
    }
    kernel.crashPoint('club.signup:after-insert');
    const holder = String(doc._id);
    try {
      if (!(await kernel.capacity.take(ACTIVITY_PLACES, a._id, 1, { holder }))) {
        const fresh = await ClubActivity.findById(a._id, { status: 1 }).lean<Pick<ActivityDoc, 'status'>>();
        throw fresh?.status === 'open'
          ? new AppError('CLUB_ACTIVITY_FULL', 'no places left')
          : new AppError('CLUB_ACTIVITY_CLOSED', 'sign-up is closed');
      }
      kernel.crashPoint('club.signup:after-capacity');
      const paused = kernel.pausePoint('club.signup:after-capacity');
      if (paused) await paused;
      const paid = a.feeFen > 0;
      const orderId = paid
        ? (
            await payments.createOrder({
              kind: 'club_activity',
              ownerId: userId,
              refId: holder,
              description: `${club.name} ${a.title}`,
              items: [{ name: `${a.title} ${inShanghai(a.startAt).format('MM-DD HH:mm')}`, quantity: 1, unitFen: a.feeFen }],
              amountFen: a.feeFen,
              expiresAt: new Date(now.getTime() + HOLD_MINUTES * 60_000),
              tags: { sport: club.sport },
            })
          ).orderId
        : null;
      const placed = await transition(
        { _id: doc._id, status: 'taking' },
        { status: paid ? 'held' : 'confirmed', orderId },
        paid ? [] : ['tickets.issue', 'event.signed_up'],
        'club.signup:after-transition',
      );
      if (!placed) throw new AppError('CONFLICT', 'the sign-up took too long; please try again');
      // a cancel, a suspension or a removal between the take and here ended the sign-ups it could see
      // (held, confirmed): not this one, still `taking` then. Read after our own transition, so one of
      // the two always sees the other
      const fresh = await ClubActivity.findById(a._id, { status: 1 }).lean<Pick<ActivityDoc, 'status'>>();
      const stillMember =
        !a.membersOnly || (await ClubMember.exists({ clubId: a.clubId, userId: doc.userId, liveKey: 'live', status: 'member' })) !== null;
      if (fresh?.status !== 'open' || !stillMember) {
        await end(placed);
        throw fresh?.status === 'open'
          ? new AppError('CLUB_NOT_MEMBER', 'members only')
          : new AppError('CLUB_ACTIVITY_CLOSED', 'the activity was cancelled or its club suspended');
      }
      return { signupId: holder, status: placed.status, orderId };
    } catch (err) {
      if (kernel.isInjectedCrash(err)) throw err;
      const failed = await kernel.effects.transition<SignupDoc>(
        OWNERS.signup,
        { _id: doc._id, status: 'taking' },
        { status: 'failed', liveKey: holder },
        ['capacity'],
      );
      if (failed && (await kernel.effects.finish(OWNERS.signup, failed)).length === 0)
        await ClubSignup.collection.deleteOne({ _id: doc._id, status: 'failed', pending: { $size: 0 } });
      throw err;
    }
  }

  async function onPaid(signupId: string): Promise<'applied' | 'rejected'> {
    const held = await ClubSignup.findOne({ _id: new Types.ObjectId(signupId), status: 'held' }).lean<SignupDoc>();
    if (held) {
      const [a, club] = await Promise.all([
        ClubActivity.findById(held.activityId, { status: 1 }).lean<Pick<ActivityDoc, 'status'>>(),
        Club.findById(held.clubId, { status: 1 }).lean<Pick<ClubDoc, 'status'>>(),
      ]);
      // paid for an activity cancelled or suspended meanwhile: the sign-up ends, payment refunds the order
      if (a?.status !== 'open' || club?.status !== 'approved') {
        await end(held);
        return 'rejected';
      }
    }
    const won = await transition({ _id: new Types.ObjectId(signupId), status: 'held' }, { status: 'confirmed' }, [
      'tickets.issue',
      'event.signed_up',
    ]);
    if (won) return 'applied';
    const s = await ClubSignup.findById(signupId).lean<SignupDoc>();
    return s && ['confirmed', 'attended'].includes(s.status) ? 'applied' : 'rejected';
  }

  async function onClosed(signupId: string) {
    await transition({ _id: new Types.ObjectId(signupId), status: 'held' }, { status: 'expired', liveKey: signupId }, ['capacity']);
  }

  /** Ends a live sign-up: ticket revoked, place back, the money settled. */
  async function end(s: SignupDoc) {
    const steps =
      s.status === 'held'
        ? ['capacity', 'order.close']
        : ['tickets.revoke', 'capacity', ...(s.orderId && s.amountFen > 0 ? ['refund'] : [])];
    return transition({ _id: s._id, status: s.status }, { status: 'cancelled', liveKey: String(s._id) }, steps);
  }

  async function onRefundRequested(e: { refId: string; byAdmin: boolean }) {
    const s = await ClubSignup.findById(e.refId).lean<SignupDoc>();
    if (!s || s.status !== 'confirmed') throw new AppError('REFUND_NOT_ALLOWED', 'this sign-up cannot be refunded');
    const a = await findActivity(String(s.activityId));
    if (!e.byAdmin && a.startAt <= kernel.clock.now()) throw new AppError('CANCEL_WINDOW_CLOSED', 'the activity has started');
    if (!(await end(s))) throw new AppError('REFUND_NOT_ALLOWED', 'this sign-up changed meanwhile');
  }

  /** Ticket source `club_activity`: the holder was checked in. */
  async function onAdmitted(signupId: string) {
    const now = kernel.clock.now();
    const won = await kernel.transition<SignupDoc>(
      'club_signups',
      { _id: new Types.ObjectId(signupId), status: 'confirmed' },
      { $set: { status: 'attended', attendedAt: now } },
    );
    if (won)
      await emit(
        'club.activity_attended',
        { subject: deps.pseudonym(String(won.userId)), clubId: String(won.clubId), activityId: String(won.activityId) },
        { eventId: `club.activity_attended:${signupId}` },
      );
    return won !== null;
  }

  /** A suspended club's open activities stop taking sign-ups (the capacity guard is `status: open`). */
  async function setClubActivities(clubId: Types.ObjectId, from: 'open' | 'suspended', to: 'open' | 'suspended' | 'cancelled') {
    const filter: Record<string, unknown> = { clubId, status: from };
    if (to === 'open') filter.startAt = { $gt: kernel.clock.now() };
    return (await ClubActivity.collection.updateMany(filter, { $set: { status: to } })).modifiedCount;
  }

  /** Dissolution (or a member leaving): every live sign-up of the club (or of that member) is ended, refunds started. */
  async function endAllOf(clubId: Types.ObjectId, userId?: Types.ObjectId) {
    const live = await ClubSignup.find({
      clubId,
      ...(userId ? { userId } : {}),
      status: mongoose.trusted({ $in: ['held', 'confirmed'] }),
    }).lean<SignupDoc[]>();
    for (const s of live) await end(s);
    return live.length;
  }

  /** The sweeper: stale `taking` sign-ups are rolled back exactly; unfinished effects (sign-ups', cancelled activities') finished. */
  async function heal() {
    const cutoff = new Date(kernel.clock.now().getTime() - TAKING_STALE_MS);
    const stale = await ClubSignup.find({ status: 'taking', createdAt: mongoose.trusted({ $lt: cutoff }) })
      .limit(200)
      .lean<SignupDoc[]>();
    for (const s of stale) await transition({ _id: s._id, status: 'taking' }, { status: 'failed', liveKey: String(s._id) }, ['capacity']);
    const swept = await kernel.effects.sweep(OWNERS.signup);
    return { rolledBack: stale.length, swept, activities: await kernel.effects.sweep(OWNERS.activity) };
  }

  async function mySignups(userId: string, clubId: Types.ObjectId) {
    const rows = await ClubSignup.find({ userId, clubId, liveKey: 'live' }).lean<SignupDoc[]>();
    return rows.map((s) => ({ signupId: String(s._id), activityId: String(s.activityId), status: s.status, orderId: s.orderId }));
  }

  return {
    create,
    attachBooking,
    cancelActivity,
    list,
    findActivity,
    signUp,
    onPaid,
    onClosed,
    onRefundRequested,
    onAdmitted,
    setClubActivities,
    endAllOf,
    heal,
    mySignups,
  };
}
export type ClubActivities = ReturnType<typeof createClubActivities>;
