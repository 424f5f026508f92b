import mongoose, { Types } from 'mongoose';
import { inShanghai, type CreateClubActivity } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import { ACTIVITY_PLACES, isDuplicate, OWNERS, ticketSport, type ClubDeps } from './club.context';
import { activityDto } from './club.dto';
import { Club, ClubActivity, ClubSignup, type ActivityDoc, type ClubDoc, type SignupDoc } from './club.model';

const HOLD_MINUTES = 15;
const TAKING_STALE_MS = 60_000;
const source = (s: Pick<SignupDoc, '_id'>) => ({ kind: 'club_activity', id: String(s._id) });

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
      refund: async (s) => void (s.orderId && (await payments.refundOrder(s.orderId, { reason: '活动报名取消' }))),
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

  async function create(actorId: string, club: ClubDoc, input: CreateClubActivity) {
    const now = kernel.clock.now();
    if (club.status !== 'approved') throw new AppError('CLUB_NOT_ACTIVE', 'the club is not active');
    const startAt = new Date(input.startAt);
    if (startAt <= now)
      throw new AppError('VALIDATION_FAILED', 'starts in the past', [{ path: 'startAt', message: 'must be in the future' }]);
    const doc: ActivityDoc = {
      _id: new Types.ObjectId(),
      clubId: club._id,
      title: input.title,
      description: input.description,
      place: input.place,
      startAt,
      endAt: new Date(input.endAt),
      capacity: input.capacity,
      remaining: input.capacity,
      applied: [],
      membersOnly: input.membersOnly,
      feeFen: input.feeFen,
      status: 'open',
      createdBy: new Types.ObjectId(actorId),
      createdAt: now,
    };
    await ClubActivity.collection.insertOne(doc);
    await kernel.audit(actorId, 'club.activity.create', null, {
      clubId: String(club._id),
      activityId: String(doc._id),
      capacity: doc.capacity,
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

  /** The sweeper: stale `taking` sign-ups are rolled back exactly; unfinished effects finished. */
  async function heal() {
    const cutoff = new Date(kernel.clock.now().getTime() - TAKING_STALE_MS);
    const stale = await ClubSignup.find({ status: 'taking', createdAt: mongoose.trusted({ $lt: cutoff }) })
      .limit(200)
      .lean<SignupDoc[]>();
    for (const s of stale) await transition({ _id: s._id, status: 'taking' }, { status: 'failed', liveKey: String(s._id) }, ['capacity']);
    return { rolledBack: stale.length, swept: await kernel.effects.sweep(OWNERS.signup) };
  }

  async function mySignups(userId: string, clubId: Types.ObjectId) {
    const rows = await ClubSignup.find({ userId, clubId, liveKey: 'live' }).lean<SignupDoc[]>();
    return rows.map((s) => ({ signupId: String(s._id), activityId: String(s.activityId), status: s.status, orderId: s.orderId }));
  }

  return {
    create,
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
