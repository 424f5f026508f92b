import mongoose, { Types } from 'mongoose';
import {
  GUIDANCE_ACCURACY_ALLOWANCE_M,
  GUIDANCE_CANCEL_CUTOFF_MIN,
  GUIDANCE_CHECKIN_CLOSES_MIN,
  GUIDANCE_CHECKIN_OPENS_MIN,
  GUIDANCE_GEOFENCE_DEFAULT_M,
  GUIDANCE_MAX_ACCURACY_M,
  GUIDANCE_RATING_DAYS,
  SESSION_SHORT_CODE_RE,
  TICKET_ACCEPT_STEPS,
  TICKET_OPENS_MINUTES_BEFORE,
  TICKET_STEP_SECONDS,
  businessDay,
  checkTicketTimes,
  haversineMetres,
  shanghaiTime,
  type CreateGuidanceSession,
  type ErrorCode,
  type GuidanceSessionDto,
  type GuidanceSport,
  type InstructorProfileInput,
  type InstructorPublic,
  type Role,
  type Sport,
  type Ticket as TicketDto,
} from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import { eachIsolated } from '../../platform/jobs';
import type { Kernel } from '../../platform/kernel';
import type { Pseudonymizer } from '../../platform/pseudonym';
import type { FieldCipher } from '../../platform/crypto-field';
import type { TicketService } from '../ticket';
import {
  GuidanceRating,
  GuidanceSession,
  GuidanceSignup,
  Instructor,
  type InstructorDoc,
  type RatingDoc,
  type SessionDoc,
  type SignupDoc,
} from './guidance.model';
import type { GuidancePhotos } from './guidance.photos';

/** What guidance needs of identity: a role grant (audited there) and display names. */
export interface IdentityForGuidance {
  changeRole(
    actorId: string | 'system',
    change: { userId: string; role: Role; reason?: string },
    action: 'grant' | 'revoke',
  ): Promise<unknown>;
  displayNames(userIds: string[]): Promise<Map<string, string>>;
}

export interface GuidanceDeps {
  kernel: Kernel;
  pseudonym: Pseudonymizer;
  cipher: FieldCipher;
  tickets: TicketService;
  identity: IdentityForGuidance;
  photos: GuidancePhotos;
}

export const SESSION_CAPACITY = 'guidance_session';
const STALE_TAKING_MS = 60_000;
const DAY = 86_400_000;

const ticketSport = (s: GuidanceSport): Sport => (s === 'badminton_basics' ? 'badminton' : s === 'yoga' ? 'yoga' : 'fitness');
const oid = (id: string) => new Types.ObjectId(id);
const signupId = (sessionId: string, userId: string) => `${sessionId}:${userId}`;
/** the capacity holder of one round of a sign-up (internal; the ticket source id is `ref`) */
const holderOf = (s: Pick<SignupDoc, '_id' | 'round'>) => `${s._id}:${s.round}`;
const maskCert = (c: string) => (c.length <= 4 ? '****' : `${c.slice(0, 2)}${'*'.repeat(Math.max(4, c.length - 4))}${c.slice(-2)}`);
const round2 = (n: number) => Math.round(n * 100) / 100;

export function yearStart(year: number): Date {
  return shanghaiTime(`${year}-01-01`);
}

export function createGuidanceService(deps: GuidanceDeps) {
  const { kernel, tickets } = deps;
  const clock = kernel.clock;

  kernel.capacity.define(SESSION_CAPACITY, { collection: 'guidance_sessions', guard: { status: 'published' } });

  // review → the role is owed in the same guarded update (a crash between leaves it for the sweeper)
  kernel.effects.define<InstructorDoc>('guidance_instructor', {
    collection: 'guidance_instructors',
    steps: {
      role: async (i) => {
        if (i.status !== 'verified') return;
        await deps.identity.changeRole(
          i.reviewedBy ? String(i.reviewedBy) : 'system',
          { userId: String(i._id), role: 'instructor', reason: '指导员资格审核通过' },
          'grant',
        );
      },
    },
  });

  kernel.effects.define<SignupDoc>('guidance_signup', {
    collection: 'guidance_signups',
    steps: {
      ticket: async (s) => {
        const session = await GuidanceSession.findById(s.sessionId).lean<SessionDoc>();
        if (!session) return;
        await tickets.issue({
          source: { kind: 'guidance', id: s.ref },
          userId: String(s.userId),
          venueId: String(session._id),
          venueName: session.place.name,
          resourceName: session.title,
          sport: ticketSport(session.sport),
          startAt: session.startAt,
          endAt: session.endAt,
          quantity: 1,
        });
      },
      'tickets.revoke': async (s) => tickets.revokeFor({ kind: 'guidance', id: s.ref }),
      capacity: async (s) => void (await kernel.capacity.giveBack(SESSION_CAPACITY, s.sessionId, 1, { holder: holderOf(s) })),
    },
  });

  kernel.effects.define<SessionDoc>('guidance_session', {
    collection: 'guidance_sessions',
    steps: {
      photos: async (s) => deps.photos.attach((s.log?.photoIds ?? []).map(String), String(s._id)),
      event: async (s) => {
        const attended = await GuidanceSignup.countDocuments({ sessionId: s._id, status: 'attended' });
        await emit(
          'guidance.session_delivered',
          {
            instructor: deps.pseudonym(String(s.instructorId)),
            sessionId: String(s._id),
            sport: s.sport,
            district: s.district,
            startAt: s.startAt.toISOString(),
            durationMinutes: s.log?.durationMinutes ?? 0,
            attended,
          },
          { eventId: `guidance.session_delivered:${s._id}`, occurredAt: s.log?.at ?? clock.now() },
        );
      },
    },
  });

  // ---------- instructors ----------

  async function ratingsOf(ids: Types.ObjectId[]) {
    const rows = await GuidanceRating.aggregate<{ _id: Types.ObjectId; sum: number; n: number }>([
      { $match: { instructorId: { $in: ids } } },
      { $group: { _id: '$instructorId', sum: { $sum: '$stars' }, n: { $sum: 1 } } },
    ]);
    return new Map(rows.map((r) => [String(r._id), r]));
  }

  async function deliveredSince(ids: Types.ObjectId[], since: Date) {
    const rows = await GuidanceSession.aggregate<{ _id: Types.ObjectId; n: number }>([
      { $match: { instructorId: { $in: ids }, status: 'delivered', startAt: { $gte: since } } },
      { $group: { _id: '$instructorId', n: { $sum: 1 } } },
    ]);
    return new Map(rows.map((r) => [String(r._id), r.n]));
  }

  async function toPublic(docs: InstructorDoc[]): Promise<InstructorPublic[]> {
    const ids = docs.map((d) => d._id);
    const year = Number(businessDay(clock.now()).slice(0, 4));
    const [ratings, sessions] = await Promise.all([ratingsOf(ids), deliveredSince(ids, yearStart(year))]);
    return docs.map((d) => {
      const r = ratings.get(String(d._id));
      return {
        id: String(d._id),
        name: d.name,
        level: d.level,
        specialities: d.specialities,
        district: d.district,
        bio: d.bio,
        photoId: d.photoId ? String(d.photoId) : null,
        rating: r && r.n ? round2(r.sum / r.n) : null,
        ratingCount: r?.n ?? 0,
        sessionsThisYear: sessions.get(String(d._id)) ?? 0,
      };
    });
  }

  function mineOut(d: InstructorDoc) {
    return {
      id: String(d._id),
      name: d.name,
      level: d.level,
      certificateNo: d.certificateNoMasked,
      specialities: d.specialities,
      district: d.district,
      bio: d.bio,
      photoId: d.photoId ? String(d.photoId) : null,
      status: d.status,
      reason: d.reason,
      appliedAt: d.appliedAt.toISOString(),
      reviewedAt: d.reviewedAt ? d.reviewedAt.toISOString() : null,
    };
  }

  /**
   * Apply, or update an application. A verified instructor keeps the status when only bio,
   * specialities, district or photo change; a new level or certificate goes back to review.
   */
  async function applyProfile(userId: string, input: InstructorProfileInput) {
    if (input.photoId) await deps.photos.requireOwn(input.photoId, userId);
    const now = clock.now();
    const existing = await Instructor.findById(userId).lean<InstructorDoc>();
    const certChanged = !existing || deps.cipher.decrypt(existing.certificateNoSealed) !== input.certificateNo;
    const needsReview = !existing || existing.status !== 'verified' || existing.level !== input.level || certChanged;
    const set: Record<string, unknown> = {
      name: input.name,
      level: input.level,
      specialities: input.specialities,
      district: input.district,
      bio: input.bio,
      photoId: input.photoId ? oid(input.photoId) : null,
      ...(certChanged
        ? { certificateNoSealed: deps.cipher.encrypt(input.certificateNo), certificateNoMasked: maskCert(input.certificateNo) }
        : {}),
      ...(needsReview ? { status: 'pending', reason: null, appliedAt: now, reviewedAt: null, reviewedBy: null } : {}),
    };
    await Instructor.collection.updateOne({ _id: oid(userId) }, { $set: set }, { upsert: true });
    return mineOut((await Instructor.findById(userId).lean<InstructorDoc>())!);
  }

  /**
   * A level registration from the bureau's own register (before the platform; the demo seed loads
   * some), kept once per level like a review's. The level's review later keeps this date.
   */
  async function recordLevelRegistration(instructorId: string, level: InstructorProfileInput['level'], at: Date) {
    await Instructor.collection.updateOne({ _id: oid(instructorId), 'levelHistory.level': { $ne: level } }, {
      $push: { levelHistory: { level, at } },
    } as never);
  }

  async function myProfile(userId: string) {
    const d = await Instructor.findById(userId).lean<InstructorDoc>();
    return d ? mineOut(d) : null;
  }

  async function review(adminId: string, instructorId: string, input: { approved: boolean; reason?: string }) {
    const now = clock.now();
    const status = input.approved ? 'verified' : 'rejected';
    const won = await kernel.effects.transition<InstructorDoc>(
      'guidance_instructor',
      { _id: oid(instructorId), status: 'pending' },
      { status, reason: input.reason ?? null, reviewedAt: now, reviewedBy: oid(adminId) },
      input.approved ? ['role'] : [],
    );
    if (!won) {
      const exists = await Instructor.exists({ _id: instructorId });
      throw new AppError(exists ? 'INSTRUCTOR_NOT_PENDING' : 'INSTRUCTOR_NOT_FOUND', exists ? 'already reviewed' : 'no such application');
    }
    // the level's registration date, once per level (idempotent; the service rules read it)
    if (input.approved)
      await Instructor.collection.updateOne({ _id: won._id, 'levelHistory.level': { $ne: won.level } }, {
        $push: { levelHistory: { level: won.level, at: now } },
      } as never);
    await kernel.audit(adminId, 'guidance.instructor.review', instructorId, {
      approved: input.approved,
      reason: input.reason ?? null,
      level: won.level,
    });
    await kernel.effects.finish('guidance_instructor', won);
    return mineOut(won);
  }

  async function listInstructors(q: { sport?: GuidanceSport; district?: string; status?: string }, opts: { admin?: boolean } = {}) {
    const filter: Record<string, unknown> = { status: opts.admin && q.status ? q.status : 'verified' };
    if (q.sport) filter.specialities = q.sport;
    if (q.district) filter.district = q.district;
    const docs = await Instructor.find(filter).sort({ appliedAt: -1 }).limit(200).lean<InstructorDoc[]>();
    if (opts.admin) return docs.map(mineOut);
    return toPublic(docs);
  }

  async function instructorProfile(instructorId: string) {
    const d = await Instructor.findOne({ _id: instructorId, status: 'verified' }).lean<InstructorDoc>();
    if (!d) throw new AppError('INSTRUCTOR_NOT_FOUND', 'no such instructor');
    const [profile] = await toPublic([d]);
    const upcoming = await GuidanceSession.find({
      instructorId: d._id,
      status: 'published',
      requestId: null,
      startAt: mongoose.trusted({ $gte: clock.now() }),
    })
      .sort({ startAt: 1 })
      .limit(20)
      .lean<SessionDoc[]>();
    const ratings = await GuidanceRating.find({ instructorId: d._id }).sort({ createdAt: -1 }).limit(20).lean<RatingDoc[]>();
    return {
      instructor: profile,
      upcoming: await toSessionDtos(upcoming),
      ratings: ratings.map((r) => ({
        id: String(r._id),
        stars: r.stars,
        comment: r.comment,
        reply: r.reply,
        kind: r.kind,
        createdAt: r.createdAt.toISOString(),
      })),
    };
  }

  async function requireVerified(userId: string): Promise<InstructorDoc> {
    const d = await Instructor.findById(userId).lean<InstructorDoc>();
    if (!d || d.status !== 'verified') throw new AppError('INSTRUCTOR_NOT_VERIFIED', 'the instructor profile is not verified');
    return d;
  }

  // ---------- sessions ----------

  async function toSessionDtos(docs: SessionDoc[], from?: { lat: number; lng: number }): Promise<GuidanceSessionDto[]> {
    const ids = [...new Set(docs.map((d) => String(d.instructorId)))];
    const instructors = await Instructor.find({ _id: mongoose.trusted({ $in: ids.map(oid) }) }, { name: 1, level: 1 }).lean<
      Pick<InstructorDoc, '_id' | 'name' | 'level'>[]
    >();
    const byId = new Map(instructors.map((i) => [String(i._id), i]));
    return docs.map((d) => {
      const i = byId.get(String(d.instructorId));
      return {
        id: String(d._id),
        title: d.title,
        sport: d.sport,
        district: d.district,
        place: { name: d.place.name, address: d.place.address, location: { lat: d.place.location.lat, lng: d.place.location.lng } },
        startAt: d.startAt.toISOString(),
        endAt: d.endAt.toISOString(),
        capacity: d.capacity,
        remaining: d.remaining,
        difficulty: d.difficulty,
        bring: d.bring,
        geofenceM: d.geofenceM,
        status: d.status,
        checkedInAt: d.checkedInAt ? d.checkedInAt.toISOString() : null,
        instructor: { id: String(d.instructorId), name: i?.name ?? '指导员', level: i?.level ?? 'third' },
        ...(from ? { distanceM: Math.round(haversineMetres(from, d.place.location)) } : {}),
        requestId: d.requestId ? String(d.requestId) : null,
      };
    });
  }

  function logDueOf(endAt: Date): Date {
    // the end of the day after the session's business day
    return new Date(shanghaiTime(businessDay(endAt)).getTime() + 2 * DAY);
  }

  async function insertSession(
    instructorId: string,
    input: Omit<CreateGuidanceSession, 'repeatWeeks'>,
    extra: { _id?: Types.ObjectId; seriesId?: Types.ObjectId | null; requestId?: Types.ObjectId | null; shiftMs?: number } = {},
  ) {
    const shift = extra.shiftMs ?? 0;
    const startAt = new Date(new Date(input.startAt).getTime() + shift);
    const endAt = new Date(new Date(input.endAt).getTime() + shift);
    const doc = {
      _id: extra._id ?? new Types.ObjectId(),
      instructorId: oid(instructorId),
      title: input.title,
      sport: input.sport,
      district: input.district,
      place: input.place,
      startAt,
      endAt,
      capacity: input.capacity,
      remaining: input.capacity,
      applied: [],
      difficulty: input.difficulty,
      bring: input.bring ?? '',
      geofenceM: input.geofenceM ?? GUIDANCE_GEOFENCE_DEFAULT_M,
      status: 'published' as const,
      checkedInAt: null,
      checkIn: null,
      log: null,
      logDueAt: logDueOf(endAt),
      attended: 0,
      seriesId: extra.seriesId ?? null,
      requestId: extra.requestId ?? null,
      createdAt: clock.now(),
    };
    await GuidanceSession.collection.insertOne(doc as never);
    return doc as SessionDoc;
  }

  /** Publishes a session, or a weekly series (`repeatWeeks` more, one a week after the first). */
  async function createSessions(instructorId: string, input: CreateGuidanceSession) {
    await requireVerified(instructorId);
    if (new Date(input.startAt).getTime() <= clock.now().getTime())
      throw new AppError('VALIDATION_FAILED', 'a session starts in the future', [{ path: 'startAt', message: 'in the past' }]);
    const n = 1 + (input.repeatWeeks ?? 0);
    // a request the instructor was assigned (指导员选配) holds that time: the organisation counts on them
    // (their own sessions may overlap one another; an instructor may run two groups side by side)
    const weeks = Array.from({ length: n }, (_, w) => ({
      startAt: new Date(new Date(input.startAt).getTime() + w * 7 * DAY),
      endAt: new Date(new Date(input.endAt).getTime() + w * 7 * DAY),
    }));
    const clash = await GuidanceSession.findOne(
      {
        instructorId: oid(instructorId),
        requestId: mongoose.trusted({ $ne: null }),
        status: mongoose.trusted({ $in: ['published', 'delivered'] }),
        $or: weeks.map((x) => ({ startAt: mongoose.trusted({ $lt: x.endAt }), endAt: mongoose.trusted({ $gt: x.startAt }) })),
      },
      { startAt: 1, endAt: 1 },
    ).lean<Pick<SessionDoc, '_id' | 'startAt' | 'endAt'>>();
    if (clash)
      throw new AppError('INSTRUCTOR_NOT_AVAILABLE', 'an assigned request is at that time', {
        reason: 'assigned_request',
        week: weeks.findIndex((x) => clash.startAt < x.endAt && clash.endAt > x.startAt),
        sessionId: String(clash._id),
      });
    const seriesId = n > 1 ? new Types.ObjectId() : null;
    const docs: SessionDoc[] = [];
    for (let w = 0; w < n; w++) docs.push(await insertSession(instructorId, input, { seriesId, shiftMs: w * 7 * DAY }));
    await kernel.audit(instructorId, 'guidance.session.publish', null, { sessionIds: docs.map((d) => String(d._id)), title: input.title });
    return toSessionDtos(docs);
  }

  /**
   * Upcoming public sessions by sport, district and day. Without a position: soonest first, paged
   * by the kernel's cursor pager. With one: nearest first over the next 500 upcoming, one page of
   * `limit` (a distance order has no stable cursor).
   */
  async function listSessions(q: {
    sport?: GuidanceSport;
    district?: string;
    date?: string;
    lat?: number;
    lng?: number;
    cursor?: string;
    limit: number;
  }) {
    const now = clock.now();
    const filter: Record<string, unknown> = { status: 'published', requestId: null };
    if (q.sport) filter.sport = q.sport;
    if (q.district) filter.district = q.district;
    if (q.date) {
      const from = shanghaiTime(q.date);
      filter.startAt = mongoose.trusted({ $gte: from > now ? from : now, $lt: new Date(from.getTime() + DAY) });
    } else filter.startAt = mongoose.trusted({ $gte: now });
    const from = q.lat !== undefined && q.lng !== undefined ? { lat: q.lat, lng: q.lng } : undefined;
    if (!from) {
      const page = await kernel.cursorPage<SessionDoc, SessionDoc>(GuidanceSession, filter, q, (d) => d, {
        field: 'startAt',
        direction: 1,
      });
      return { items: await toSessionDtos(page.items), nextCursor: page.nextCursor };
    }
    const docs = await GuidanceSession.find(filter).sort({ startAt: 1 }).limit(500).lean<SessionDoc[]>();
    const items = (await toSessionDtos(docs, from))
      .sort((a, b) => a.distanceM! - b.distanceM! || a.startAt.localeCompare(b.startAt))
      .slice(0, q.limit);
    return { items, nextCursor: null };
  }

  async function loadSession(sessionId: string): Promise<SessionDoc> {
    const s = await GuidanceSession.findById(sessionId).lean<SessionDoc>();
    if (!s) throw new AppError('GUIDANCE_SESSION_NOT_FOUND', 'no such session');
    return s;
  }

  /** The session, when `instructorId` leads it; another instructor's session is FORBIDDEN. */
  async function ownSession(instructorId: string, sessionId: string): Promise<SessionDoc> {
    const s = await loadSession(sessionId);
    if (String(s.instructorId) !== instructorId) throw new AppError('FORBIDDEN', 'this session is led by another instructor');
    return s;
  }

  async function getSession(sessionId: string, viewerId?: string) {
    const s = await loadSession(sessionId);
    const [dto] = await toSessionDtos([s]);
    const mine = viewerId ? await GuidanceSignup.findById(signupId(sessionId, viewerId)).lean<SignupDoc>() : null;
    const isLeader = viewerId === String(s.instructorId);
    return {
      session: dto,
      mySignup: mine ? signupOut(mine) : null,
      // the log is for its instructor and those admitted
      log:
        s.log && (isLeader || mine?.status === 'attended')
          ? {
              content: s.log.content,
              durationMinutes: s.log.durationMinutes,
              photoIds: s.log.photoIds.map(String),
              at: s.log.at.toISOString(),
            }
          : null,
    };
  }

  async function instructorSessions(instructorId: string) {
    const docs = await GuidanceSession.find({ instructorId: oid(instructorId) })
      .sort({ startAt: -1 })
      .limit(200)
      .lean<SessionDoc[]>();
    const items = await toSessionDtos(docs);
    const counts = await GuidanceSignup.aggregate<{ _id: { s: Types.ObjectId; st: string }; n: number }>([
      { $match: { sessionId: { $in: docs.map((d) => d._id) } } },
      { $group: { _id: { s: '$sessionId', st: '$status' }, n: { $sum: 1 } } },
    ]);
    const count = (id: string, st: string) => counts.find((c) => String(c._id.s) === id && c._id.st === st)?.n ?? 0;
    return {
      items: items.map((i) => ({ ...i, signedUp: count(i.id, 'confirmed') + count(i.id, 'attended'), attended: count(i.id, 'attended') })),
    };
  }

  // ---------- sign-ups ----------

  function signupOut(s: SignupDoc) {
    return {
      id: s._id,
      sessionId: String(s.sessionId),
      status: s.status,
      confirmedAt: s.confirmedAt ? s.confirmedAt.toISOString() : null,
      attendedAt: s.attendedAt ? s.attendedAt.toISOString() : null,
      cancelledAt: s.cancelledAt ? s.cancelledAt.toISOString() : null,
    };
  }

  async function doSignUp(userId: string, sessionId: string) {
    const s = await loadSession(sessionId);
    const now = clock.now();
    if (s.status !== 'published') throw new AppError('GUIDANCE_SESSION_CLOSED', `session is ${s.status}`);
    if (s.startAt.getTime() <= now.getTime()) throw new AppError('GUIDANCE_SESSION_STARTED', 'the session has started');
    if (String(s.instructorId) === userId)
      throw new AppError('GUIDANCE_OWN_SESSION', 'an instructor does not sign up for their own session');
    const id = signupId(sessionId, userId);
    let signup: SignupDoc | null = null;
    // inserted as `taking` before capacity is taken, so a crash never leaks a place without a trace
    const fresh: SignupDoc = {
      _id: id,
      sessionId: s._id,
      userId: oid(userId),
      status: 'taking',
      round: 0,
      ref: String(new Types.ObjectId()),
      takingSince: now,
      confirmedAt: null,
      attendedAt: null,
      cancelledAt: null,
    };
    try {
      await GuidanceSignup.collection.insertOne(fresh as never);
      signup = fresh;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      const existing = await GuidanceSignup.findById(id).lean<SignupDoc>();
      if (!existing || !['cancelled', 'failed'].includes(existing.status))
        throw new AppError('GUIDANCE_ALREADY_SIGNED_UP', 'already signed up for this session');
      signup = await kernel.transition<SignupDoc>(
        'guidance_signups',
        { _id: id, status: existing.status, round: existing.round },
        {
          $set: {
            status: 'taking',
            round: existing.round + 1,
            ref: String(new Types.ObjectId()),
            takingSince: now,
            confirmedAt: null,
            cancelledAt: null,
          },
        },
      );
      if (!signup) throw new AppError('GUIDANCE_ALREADY_SIGNED_UP', 'already signed up for this session');
    }
    kernel.crashPoint('guidance.signup:before-take');
    const holder = holderOf(signup);
    if (!(await kernel.capacity.take(SESSION_CAPACITY, s._id, 1, { holder }))) {
      await kernel.transition('guidance_signups', { _id: id, status: 'taking', round: signup.round }, { $set: { status: 'failed' } });
      throw new AppError('GUIDANCE_SESSION_FULL', 'no places left');
    }
    kernel.crashPoint('guidance.signup:after-take');
    const won = await kernel.effects.transition<SignupDoc>(
      'guidance_signup',
      { _id: id, status: 'taking', round: signup.round },
      { status: 'confirmed', confirmedAt: now },
      ['ticket'],
    );
    if (!won) throw new AppError('CONFLICT', 'the sign-up was rolled back; try again');
    await kernel.effects.finish('guidance_signup', won);
    const ticket = (await tickets.mine(userId)).find((t: TicketDto) => t.source.kind === 'guidance' && t.source.id === won.ref) ?? null;
    return { signup: signupOut(won), ticket };
  }

  async function signUp(userId: string, sessionId: string, key?: string) {
    if (!key) return { ...(await doSignUp(userId, sessionId)), replayed: false };
    const { result, replayed } = await kernel.claimOnce('guidance.signup', userId, key, sessionId, () => doSignUp(userId, sessionId));
    return { ...result, replayed };
  }

  async function cancelSignup(userId: string, sessionId: string) {
    const s = await loadSession(sessionId);
    const id = signupId(sessionId, userId);
    const existing = await GuidanceSignup.findById(id).lean<SignupDoc>();
    if (!existing || existing.status !== 'confirmed') throw new AppError('GUIDANCE_SIGNUP_NOT_FOUND', 'no active sign-up');
    if (clock.now().getTime() > s.startAt.getTime() - GUIDANCE_CANCEL_CUTOFF_MIN * 60_000)
      throw new AppError('GUIDANCE_CANCEL_CLOSED', `cancel until ${GUIDANCE_CANCEL_CUTOFF_MIN} minutes before the start`);
    const won = await kernel.effects.transition<SignupDoc>(
      'guidance_signup',
      { _id: id, status: 'confirmed', round: existing.round },
      { status: 'cancelled', cancelledAt: clock.now() },
      ['tickets.revoke', 'capacity'],
    );
    if (!won) throw new AppError('GUIDANCE_SIGNUP_NOT_FOUND', 'no active sign-up');
    await kernel.effects.finish('guidance_signup', won);
    return { signup: signupOut(won) };
  }

  async function mySignups(userId: string) {
    const rows = await GuidanceSignup.find({
      userId: oid(userId),
      status: mongoose.trusted({ $in: ['confirmed', 'attended', 'cancelled'] }),
    })
      .sort({ confirmedAt: -1 })
      .limit(100)
      .lean<SignupDoc[]>();
    const sessions = await GuidanceSession.find({ _id: mongoose.trusted({ $in: rows.map((r) => r.sessionId) }) }).lean<SessionDoc[]>();
    const dtos = new Map((await toSessionDtos(sessions)).map((d) => [d.id, d]));
    const rated = await GuidanceRating.find({
      userId: oid(userId),
      sessionId: mongoose.trusted({ $in: rows.map((r) => r.sessionId) }),
    }).lean<RatingDoc[]>();
    const ratedIds = new Map(rated.map((r) => [String(r.sessionId), r]));
    const now = clock.now().getTime();
    return {
      items: rows
        .filter((r) => dtos.has(String(r.sessionId)))
        .map((r) => {
          const session = dtos.get(String(r.sessionId))!;
          const rating = ratedIds.get(String(r.sessionId));
          return {
            signup: signupOut(r),
            session,
            rating: rating ? { stars: rating.stars, comment: rating.comment, reply: rating.reply } : null,
            canRate: r.status === 'attended' && !rating && now <= new Date(session.endAt).getTime() + GUIDANCE_RATING_DAYS * DAY,
          };
        }),
    };
  }

  /** The ticket source: a guidance ticket (source id = the sign-up's `ref`) was scanned, so its holder attended. Idempotent. */
  async function onAdmitted(ref: string) {
    const signup = await GuidanceSignup.findOne({ ref: String(ref) }).lean<SignupDoc>();
    if (!signup) return;
    await kernel.transition(
      'guidance_signups',
      { _id: signup._id, status: 'confirmed', ref: signup.ref },
      { $set: { status: 'attended', attendedAt: clock.now() } },
    );
    const s = await GuidanceSession.findById(signup.sessionId).lean<SessionDoc>();
    if (!s) return;
    await emit(
      'guidance.attended',
      {
        subject: deps.pseudonym(String(signup.userId)),
        sessionId: String(s._id),
        sport: s.sport,
        district: s.district,
        startAt: s.startAt.toISOString(),
      },
      { eventId: `guidance.attended:${signup.ref}` },
    );
  }

  /** Stale `taking` sign-ups (a crash between insert and confirm) are rolled back exactly; effects a crash left are finished. */
  async function healSignups() {
    const cutoff = new Date(clock.now().getTime() - STALE_TAKING_MS);
    const stale = await GuidanceSignup.find({ status: 'taking', takingSince: mongoose.trusted({ $lte: cutoff }) })
      .limit(200)
      .lean<SignupDoc[]>();
    const rolled = await eachIsolated(
      stale,
      async (s) => {
        const won = await kernel.effects.transition<SignupDoc>(
          'guidance_signup',
          { _id: s._id, status: 'taking', round: s.round },
          { status: 'failed' },
          ['capacity'],
        );
        if (!won) return false;
        await kernel.effects.finish('guidance_signup', won);
      },
      { logger: kernel.logger, job: 'guidance-heal' },
    );
    const signups = await kernel.effects.sweep('guidance_signup');
    const sessions = await kernel.effects.sweep('guidance_session');
    const instructors = await kernel.effects.sweep('guidance_instructor');
    return { rolledBack: rolled.done, signups, sessions, instructors };
  }

  // ---------- check-in, attendance, log ----------

  /** The place check of every check-in (instructor's and citizens'): accuracy, then the fence widened by part of it. */
  function requireAtPlace(s: SessionDoc, at: { lat: number; lng: number; accuracyM: number }): number {
    if (at.accuracyM > GUIDANCE_MAX_ACCURACY_M)
      throw new AppError('LOCATION_TOO_INACCURATE', `a fix less accurate than ${GUIDANCE_MAX_ACCURACY_M} m cannot check in`, {
        accuracyM: at.accuracyM,
        maxAccuracyM: GUIDANCE_MAX_ACCURACY_M,
      });
    const distanceM = haversineMetres(at, s.place.location);
    // the fix may be off by its accuracy: that much (up to the allowance) widens the fence
    const allowance = Math.min(at.accuracyM, GUIDANCE_ACCURACY_ALLOWANCE_M);
    if (distanceM - allowance > s.geofenceM)
      throw new AppError('OUTSIDE_GEOFENCE', 'not at the session place', { distanceM: Math.round(distanceM), geofenceM: s.geofenceM });
    return distanceM;
  }

  async function checkIn(instructorId: string, sessionId: string, at: { lat: number; lng: number; accuracyM: number }) {
    const s = await ownSession(instructorId, sessionId);
    if (s.status !== 'published') throw new AppError('GUIDANCE_SESSION_CLOSED', `session is ${s.status}`);
    if (s.checkedInAt) return { session: (await toSessionDtos([s]))[0], distanceM: s.checkIn?.distanceM ?? 0 };
    const now = clock.now().getTime();
    const opensAt = s.startAt.getTime() - GUIDANCE_CHECKIN_OPENS_MIN * 60_000;
    const closesAt = s.startAt.getTime() + GUIDANCE_CHECKIN_CLOSES_MIN * 60_000;
    if (now < opensAt || now > closesAt)
      throw new AppError('CHECKIN_WINDOW_CLOSED', 'check-in opens 30 minutes before the start and closes 15 minutes after', {
        opensAt: new Date(opensAt).toISOString(),
        closesAt: new Date(closesAt).toISOString(),
      });
    const distanceM = requireAtPlace(s, at);
    const won = await kernel.transition<SessionDoc>(
      'guidance_sessions',
      { _id: s._id, status: 'published', checkedInAt: null },
      {
        $set: {
          checkedInAt: clock.now(),
          checkIn: { lat: at.lat, lng: at.lng, accuracyM: at.accuracyM, distanceM: Math.round(distanceM) },
        },
      },
    );
    const after = won ?? (await loadSession(sessionId));
    return { session: (await toSessionDtos([after]))[0], distanceM: Math.round(distanceM) };
  }

  async function attendance(instructorId: string, sessionId: string, code: string) {
    const s = await ownSession(instructorId, sessionId);
    if (s.status === 'not_delivered' || s.status === 'cancelled') throw new AppError('GUIDANCE_SESSION_CLOSED', `session is ${s.status}`);
    if (!s.checkedInAt) throw new AppError('GUIDANCE_NOT_CHECKED_IN', 'check in at the place first');
    // the ticket module's verification: signature, window, this session (its "venue"), one admission
    const res = await tickets.verify(instructorId, { code, venueId: sessionId });
    return { result: res.result, ticket: res.ticket };
  }

  /**
   * The session's rotating check-in code for citizens to scan (issue 12, "a rotating session code"):
   * the ticket module's signer and format, `ticketId` = `venueId` = the session, a new step every
   * 30 s, valid for the session's admission window (as its tickets). Only once the instructor has
   * checked in at the place.
   */
  async function sessionCode(instructorId: string, sessionId: string) {
    const s = await ownSession(instructorId, sessionId);
    if (s.status === 'not_delivered' || s.status === 'cancelled') throw new AppError('GUIDANCE_SESSION_CLOSED', `session is ${s.status}`);
    if (!s.checkedInAt) throw new AppError('GUIDANCE_NOT_CHECKED_IN', 'check in at the place first');
    if (clock.now().getTime() > s.endAt.getTime()) throw new AppError('ATTENDANCE_WINDOW_CLOSED', 'the session has ended');
    return tickets.rotatingCode({
      id: sessionId,
      venueId: sessionId,
      validFromMin: Math.floor(s.startAt.getTime() / 60_000) - TICKET_OPENS_MINUTES_BEFORE,
      validToMin: Math.ceil(s.endAt.getTime() / 60_000),
    });
  }

  /** The signed session code a scanned string or typed digits stand for, checked to be this session's and recent. */
  async function readSessionCode(sessionId: string, raw: string) {
    let code = raw;
    if (SESSION_SHORT_CODE_RE.test(raw)) {
      try {
        code = await tickets.resolveShortCode(sessionId, raw);
      } catch (err) {
        if (err instanceof AppError && err.code === 'TICKET_NOT_FOR_THIS_VENUE')
          throw new AppError('SESSION_CODE_WRONG_SESSION', 'a code of another session');
        if (err instanceof AppError && err.code === 'SHORT_CODE_UNKNOWN')
          throw new AppError('SESSION_CODE_EXPIRED', 'no session code has these digits in this step');
        throw err;
      }
    }
    const fields = tickets.inspect(code);
    // a session code names the session twice; a ticket's code (also "for" the session) names its ticket
    if (!fields || fields.ticketId !== fields.venueId) throw new AppError('SESSION_CODE_INVALID', 'not a session check-in code');
    if (fields.venueId !== sessionId) throw new AppError('SESSION_CODE_WRONG_SESSION', 'a code of another session');
    const step = Math.floor(clock.now().getTime() / 1000 / TICKET_STEP_SECONDS);
    if (fields.step < step - TICKET_ACCEPT_STEPS || fields.step > step + 1)
      throw new AppError('SESSION_CODE_EXPIRED', `a session code is good for ${TICKET_ACCEPT_STEPS} steps after its own`);
    const times = checkTicketTimes(fields, clock.now());
    if (times !== 'ok') throw new AppError('ATTENDANCE_WINDOW_CLOSED', 'outside the session check-in window');
  }

  const ADMISSION_ERRORS: Partial<Record<string, [ErrorCode, string]>> = {
    TICKET_ALREADY_USED: ['GUIDANCE_ALREADY_ATTENDED', 'checked in already'],
    TICKET_EXPIRED: ['ATTENDANCE_WINDOW_CLOSED', 'outside the session check-in window'],
    TICKET_NOT_YET_VALID: ['ATTENDANCE_WINDOW_CLOSED', 'outside the session check-in window'],
    TICKET_REVOKED: ['GUIDANCE_NOT_SIGNED_UP', 'the sign-up was cancelled'],
    TICKET_NOT_FOUND: ['GUIDANCE_NOT_SIGNED_UP', 'no ticket for this session'],
  };

  /**
   * A signed-up citizen checks in by scanning the session's rotating code where they stand: the
   * code (signature, this session, its step allowance), the instructor checked in, the same place
   * check as the instructor's, then the citizen's own ticket is admitted through the ticket
   * module's verification (window, one guarded admission, `onAdmitted`), so each citizen attends once.
   */
  async function checkInByCode(userId: string, sessionId: string, input: { code: string; lat: number; lng: number; accuracyM: number }) {
    const s = await loadSession(sessionId);
    await readSessionCode(sessionId, input.code);
    if (s.status === 'not_delivered' || s.status === 'cancelled') throw new AppError('GUIDANCE_SESSION_CLOSED', `session is ${s.status}`);
    if (!s.checkedInAt) throw new AppError('GUIDANCE_NOT_CHECKED_IN', 'the instructor has not checked in');
    const signup = await GuidanceSignup.findById(signupId(sessionId, userId)).lean<SignupDoc>();
    if (signup?.status === 'attended') throw new AppError('GUIDANCE_ALREADY_ATTENDED', 'checked in already');
    if (!signup || signup.status !== 'confirmed') throw new AppError('GUIDANCE_NOT_SIGNED_UP', 'not signed up for this session');
    const distanceM = requireAtPlace(s, input);
    try {
      await tickets.admitSource(String(s.instructorId), { kind: 'guidance', id: signup.ref }, sessionId);
    } catch (err) {
      const mapped = err instanceof AppError ? ADMISSION_ERRORS[err.code] : undefined;
      if (mapped) throw new AppError(mapped[0], mapped[1]);
      throw err;
    }
    const after = (await GuidanceSignup.findById(signup._id).lean<SignupDoc>())!;
    return { result: 'admitted' as const, signup: signupOut(after), distanceM: Math.round(distanceM) };
  }

  async function writeLog(
    instructorId: string,
    sessionId: string,
    input: { content: string; durationMinutes: number; photoIds?: string[] },
  ) {
    const s = await ownSession(instructorId, sessionId);
    if (s.status !== 'published') throw new AppError('GUIDANCE_SESSION_CLOSED', `session is ${s.status}`);
    if (!s.checkedInAt) throw new AppError('GUIDANCE_NOT_CHECKED_IN', 'check in at the place first');
    const photoIds = [...new Set(input.photoIds ?? [])];
    for (const p of photoIds) await deps.photos.requireOwn(p, instructorId, { unattachedOr: sessionId });
    const log = { content: input.content, durationMinutes: input.durationMinutes, photoIds: photoIds.map(oid), at: clock.now() };
    const won = await kernel.effects.transition<SessionDoc>(
      'guidance_session',
      { _id: s._id, status: 'published', checkedInAt: mongoose.trusted({ $ne: null }) },
      { status: 'delivered', log },
      ['photos', 'event'],
    );
    if (!won) throw new AppError('GUIDANCE_SESSION_CLOSED', 'the session was closed meanwhile');
    await kernel.effects.finish('guidance_session', won);
    return { session: (await toSessionDtos([won]))[0], log: { ...input, photoIds, at: log.at.toISOString() } };
  }

  /** The job: sessions with no check-in or no log by the end of the next day are not delivered. */
  async function markNotDelivered() {
    const due = await GuidanceSession.find({ status: 'published', logDueAt: mongoose.trusted({ $lte: clock.now() }) })
      .limit(500)
      .lean<SessionDoc[]>();
    return eachIsolated(
      due,
      async (s) => {
        const won = await kernel.transition(
          'guidance_sessions',
          { _id: s._id, status: 'published' },
          { $set: { status: 'not_delivered' } },
        );
        return won !== null;
      },
      { logger: kernel.logger, job: 'guidance-not-delivered' },
    );
  }

  // ---------- ratings ----------

  async function rate(userId: string, sessionId: string, input: { stars: number; comment?: string }) {
    const s = await loadSession(sessionId);
    const signup = await GuidanceSignup.findById(signupId(sessionId, userId)).lean<SignupDoc>();
    if (!signup || signup.status !== 'attended')
      throw new AppError('RATING_NOT_ALLOWED', 'only citizens admitted to the session may rate it');
    if (clock.now().getTime() > s.endAt.getTime() + GUIDANCE_RATING_DAYS * DAY)
      throw new AppError('RATING_NOT_ALLOWED', `ratings close ${GUIDANCE_RATING_DAYS} days after the session`);
    try {
      const r = await GuidanceRating.create({
        sessionId: s._id,
        instructorId: s.instructorId,
        userId: oid(userId),
        kind: 'citizen',
        stars: input.stars,
        comment: input.comment ?? '',
        createdAt: clock.now(),
      });
      return { rating: { id: String(r._id), stars: r.stars, comment: r.comment } };
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new AppError('ALREADY_RATED', 'rated already');
      throw err;
    }
  }

  async function reply(instructorId: string, ratingId: string, text: string) {
    const r = await GuidanceRating.findById(ratingId).lean<RatingDoc>();
    if (!r) throw new AppError('RATING_NOT_FOUND', 'no such rating');
    if (String(r.instructorId) !== instructorId) throw new AppError('FORBIDDEN', 'a rating of another instructor');
    const won = await kernel.transition<RatingDoc>(
      'guidance_ratings',
      { _id: r._id, reply: null },
      { $set: { reply: text, repliedAt: clock.now() } },
    );
    if (!won) throw new AppError('CONFLICT', 'replied already');
    return { rating: { id: ratingId, stars: won.stars, comment: won.comment, reply: won.reply } };
  }

  async function myRatings(instructorId: string) {
    const rows = await GuidanceRating.find({ instructorId: oid(instructorId) })
      .sort({ createdAt: -1 })
      .limit(100)
      .lean<RatingDoc[]>();
    const sessions = await GuidanceSession.find(
      { _id: mongoose.trusted({ $in: rows.map((r) => r.sessionId) }) },
      { title: 1, startAt: 1 },
    ).lean<Pick<SessionDoc, '_id' | 'title' | 'startAt'>[]>();
    const sessionOf = new Map(sessions.map((x) => [String(x._id), x]));
    return {
      items: rows.map((r) => ({
        id: String(r._id),
        sessionId: String(r.sessionId),
        sessionTitle: sessionOf.get(String(r.sessionId))?.title ?? '',
        sessionStartAt: sessionOf.get(String(r.sessionId))?.startAt.toISOString() ?? null,
        stars: r.stars,
        comment: r.comment,
        reply: r.reply,
        kind: r.kind,
        createdAt: r.createdAt.toISOString(),
      })),
    };
  }

  /**
   * Who may see a photo: its uploader and admins; a verified instructor's profile photo, anyone;
   * a log photo, the session's instructor and the citizens admitted to it.
   */
  async function canSeePhoto(photoId: string, viewer: { userId: string; admin: boolean } | null): Promise<boolean> {
    const meta = await deps.photos.metaOf(photoId);
    if (!meta) return false;
    if (viewer && (viewer.admin || String(meta.ownerId) === viewer.userId)) return true;
    if (!meta.sessionId) return (await Instructor.countDocuments({ photoId: oid(photoId), status: 'verified' })) > 0;
    if (!viewer) return false;
    const s = await GuidanceSession.findById(meta.sessionId, { instructorId: 1 }).lean<Pick<SessionDoc, 'instructorId'>>();
    if (s && String(s.instructorId) === viewer.userId) return true;
    return (await GuidanceSignup.countDocuments({ _id: signupId(String(meta.sessionId), viewer.userId), status: 'attended' })) > 0;
  }

  return {
    toPublic,
    canSeePhoto,
    applyProfile,
    recordLevelRegistration,
    myProfile,
    review,
    listInstructors,
    instructorProfile,
    requireVerified,
    createSessions,
    insertSession,
    listSessions,
    getSession,
    loadSession,
    ownSession,
    instructorSessions,
    signUp,
    cancelSignup,
    mySignups,
    onAdmitted,
    healSignups,
    checkIn,
    attendance,
    sessionCode,
    checkInByCode,
    writeLog,
    markNotDelivered,
    rate,
    reply,
    myRatings,
    toSessionDtos,
  };
}
export type GuidanceService = ReturnType<typeof createGuidanceService>;
