import mongoose, { Types } from 'mongoose';
import type { InstructorRequestInput, RequestSuggestion } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import type { Kernel } from '../../platform/kernel';
import {
  GuidanceRating,
  GuidanceRequest,
  GuidanceSession,
  Instructor,
  type InstructorDoc,
  type RatingDoc,
  type RequestDoc,
  type SessionDoc,
} from './guidance.model';
import type { GuidanceService } from './guidance.service';

export const SLOT_CAPACITY = 'guidance_instructor_slot';
const SLOT_MS = 15 * 60_000;
const STALE_CLAIM_MS = 60_000;

/** what one assignment attempt holds of an instructor's slots (until the request is theirs, or given back) */
interface SlotClaimDoc {
  _id: string;
  requestId: Types.ObjectId;
  instructorId: Types.ObjectId;
  slots: string[];
  at: Date;
}

/**
 * Instructor requests (指导员申请、选配): a community or workplace asks for an instructor; matching
 * instructors are suggested (speciality, then same district first, and free at that time); an
 * instructor accepts, or the bureau assigns one (audited). Either way the request becomes a
 * session with the request's id (so a retry or a crash between the two writes makes one session),
 * checked in, attended and logged like any other, and the organisation rates it afterwards.
 */
export function createRequests(kernel: Kernel, guidance: GuidanceService) {
  const clock = kernel.clock;

  /*
   * The instructor's time, guarded: one capacity counter (remaining 1) per instructor and
   * quarter-hour slot. Two overlapping requests share an instant, so they share its slot; an
   * assignment takes every slot its time touches (all or nothing, kernel takeAll) before the
   * request's guarded transition, so two admins (or an admin and the instructor) cannot book one
   * instructor twice for the same time. A claim row names what one attempt holds, written before
   * the take, so the heal job gives back what a crash or a lost transition left.
   */
  kernel.capacity.define(SLOT_CAPACITY, { collection: 'guidance_instructor_slots' });
  const slotsOf = (instructorId: Types.ObjectId, startAt: Date, endAt: Date) => {
    const ids: string[] = [];
    for (let t = Math.floor(startAt.getTime() / SLOT_MS) * SLOT_MS; t < endAt.getTime(); t += SLOT_MS)
      ids.push(`${instructorId}:${t / 60_000}`);
    return ids;
  };
  const slotItems = (ids: string[]) => ids.map((id) => ({ kind: SLOT_CAPACITY, id, n: 1 }));
  const claims = () => mongoose.connection.collection<SlotClaimDoc>('guidance_slot_claims');

  async function takeSlots(r: RequestDoc, instructorId: Types.ObjectId): Promise<SlotClaimDoc | null> {
    const ids = slotsOf(instructorId, r.startAt, r.endAt);
    const slots = mongoose.connection.collection('guidance_instructor_slots');
    for (const id of ids)
      try {
        await slots.updateOne({ _id: id as never }, { $setOnInsert: { remaining: 1, applied: [] } }, { upsert: true });
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err; // a racing upsert made it
      }
    const claim: SlotClaimDoc = {
      _id: String(new Types.ObjectId()),
      requestId: r._id,
      instructorId,
      slots: ids,
      at: clock.now(),
    };
    await claims().insertOne(claim);
    const taken = await kernel.capacity.takeAll(slotItems(ids), { holder: claim._id, fresh: true });
    if (!taken.ok) {
      await claims().deleteOne({ _id: claim._id });
      return null;
    }
    kernel.crashPoint('guidance.assign:after-slots');
    return claim;
  }

  async function releaseSlots(claim: SlotClaimDoc) {
    await kernel.capacity.giveBackAll(slotItems(claim.slots), { holder: claim._id });
    await claims().deleteOne({ _id: claim._id });
  }

  function out(r: RequestDoc) {
    return {
      id: String(r._id),
      organisation: r.organisation,
      sport: r.sport,
      district: r.district,
      place: r.place,
      startAt: r.startAt.toISOString(),
      endAt: r.endAt.toISOString(),
      groupSize: r.groupSize,
      note: r.note,
      status: r.status,
      instructorId: r.instructorId ? String(r.instructorId) : null,
      sessionId: r.sessionId ? String(r.sessionId) : null,
      assignedBy: r.assignedBy,
      createdAt: r.createdAt.toISOString(),
    };
  }

  async function load(requestId: string) {
    const r = await GuidanceRequest.findById(requestId).lean<RequestDoc>();
    if (!r) throw new AppError('GUIDANCE_REQUEST_NOT_FOUND', 'no such request');
    return r;
  }

  async function busy(instructorId: Types.ObjectId, startAt: Date, endAt: Date) {
    return (
      (await GuidanceSession.countDocuments({
        instructorId,
        status: mongoose.trusted({ $in: ['published', 'delivered'] }),
        startAt: mongoose.trusted({ $lt: endAt }),
        endAt: mongoose.trusted({ $gt: startAt }),
      })) > 0
    );
  }

  /** Verified instructors of the sport, free at that time (no other session overlapping), same district first. */
  async function suggestions(
    r: Pick<RequestDoc, 'sport' | 'district' | 'startAt' | 'endAt' | 'orgUserId'>,
    max = 10,
  ): Promise<RequestSuggestion[]> {
    const candidates = await Instructor.find({ status: 'verified', specialities: r.sport }).limit(200).lean<InstructorDoc[]>();
    const free: InstructorDoc[] = [];
    for (const c of candidates) if (!c._id.equals(r.orgUserId) && !(await busy(c._id, r.startAt, r.endAt))) free.push(c);
    free.sort((a, b) => Number(b.district === r.district) - Number(a.district === r.district) || a.name.localeCompare(b.name, 'zh'));
    const shown = free.slice(0, max);
    const profiles = new Map((await guidance.toPublic(shown)).map((p) => [p.id, p]));
    return shown.map((c) => {
      const p = profiles.get(String(c._id))!;
      return {
        id: p.id,
        name: c.name,
        level: c.level,
        district: c.district,
        specialities: c.specialities,
        sameDistrict: c.district === r.district,
        sessionsThisYear: p.sessionsThisYear,
        rating: p.rating,
      };
    });
  }

  /** The bureau's 指导员选配 list: open requests not yet started, soonest first, each with its suggestions. */
  async function openForBureau(q: { district?: string; cursor?: string; limit: number }) {
    const filter: Record<string, unknown> = { status: 'open', startAt: mongoose.trusted({ $gt: clock.now() }) };
    if (q.district) filter.district = q.district;
    const page = await kernel.cursorPage<RequestDoc, RequestDoc>(GuidanceRequest, filter, q, (d) => d, { field: 'startAt', direction: 1 });
    const items = [];
    for (const r of page.items) items.push({ ...out(r), suggestions: await suggestions(r, 5) });
    return { items, nextCursor: page.nextCursor };
  }

  async function create(orgUserId: string, input: InstructorRequestInput) {
    const startAt = new Date(input.startAt);
    if (startAt.getTime() <= clock.now().getTime())
      throw new AppError('VALIDATION_FAILED', 'the date is in the past', [{ path: 'startAt', message: 'in the past' }]);
    const doc = {
      _id: new Types.ObjectId(),
      orgUserId: new Types.ObjectId(orgUserId),
      organisation: input.organisation,
      sport: input.sport,
      district: input.district,
      place: input.place,
      startAt,
      endAt: new Date(input.endAt),
      groupSize: input.groupSize,
      note: input.note ?? '',
      status: 'open' as const,
      instructorId: null,
      sessionId: null,
      assignedBy: null,
      createdAt: clock.now(),
    };
    await GuidanceRequest.collection.insertOne(doc as never);
    return { request: out(doc as RequestDoc), suggestions: await suggestions(doc as RequestDoc) };
  }

  /** What the organisation sees of its requests: the matched instructor, the session's state and its own rating. */
  async function forOrg(rows: RequestDoc[]) {
    const instructorIds = rows.flatMap((r) => (r.instructorId ? [r.instructorId] : []));
    const sessionIds = rows.flatMap((r) => (r.sessionId ? [r.sessionId] : []));
    const [instructors, sessions, ratings] = await Promise.all([
      Instructor.find({ _id: mongoose.trusted({ $in: instructorIds }) }, { name: 1, level: 1 }).lean<
        Pick<InstructorDoc, '_id' | 'name' | 'level'>[]
      >(),
      GuidanceSession.find({ _id: mongoose.trusted({ $in: sessionIds }) }, { status: 1, checkedInAt: 1 }).lean<
        Pick<SessionDoc, '_id' | 'status' | 'checkedInAt'>[]
      >(),
      GuidanceRating.find({ sessionId: mongoose.trusted({ $in: sessionIds }), kind: 'organisation' }).lean<RatingDoc[]>(),
    ]);
    return rows.map((r) => {
      const i = instructors.find((x) => r.instructorId && x._id.equals(r.instructorId));
      const s = sessions.find((x) => r.sessionId && x._id.equals(r.sessionId));
      const rating = ratings.find((x) => r.sessionId && x.sessionId.equals(r.sessionId) && x.userId.equals(r.orgUserId));
      return {
        ...out(r),
        instructor: i ? { id: String(i._id), name: i.name, level: i.level } : null,
        sessionStatus: s?.status ?? null,
        rating: rating ? { stars: rating.stars, comment: rating.comment, reply: rating.reply } : null,
      };
    });
  }

  async function mine(orgUserId: string) {
    const rows = await GuidanceRequest.find({ orgUserId: new Types.ObjectId(orgUserId) })
      .sort({ _id: -1 })
      .limit(100)
      .lean<RequestDoc[]>();
    return { items: await forOrg(rows) };
  }

  async function forOrganisation(orgUserId: string, requestId: string) {
    const r = await load(requestId);
    if (!r.orgUserId.equals(orgUserId)) throw new AppError('FORBIDDEN', 'a request of another organisation');
    return { request: (await forOrg([r]))[0], suggestions: r.status === 'open' ? await suggestions(r) : [] };
  }

  /** Open requests an instructor could take: their specialities. */
  async function openFor(instructorId: string) {
    const me = await guidance.requireVerified(instructorId);
    const rows = await GuidanceRequest.find({
      status: 'open',
      sport: mongoose.trusted({ $in: me.specialities }),
      startAt: mongoose.trusted({ $gt: clock.now() }),
    })
      .sort({ startAt: 1 })
      .limit(100)
      .lean<RequestDoc[]>();
    return { items: rows.map(out) };
  }

  async function assign(requestId: string, instructorId: string, by: 'instructor' | 'bureau', actorId: string, reason?: string) {
    const r = await load(requestId);
    if (r.status !== 'open') throw new AppError('GUIDANCE_REQUEST_NOT_OPEN', 'already assigned');
    // a request whose time has come is no longer offered (the lists hide it): taking it would make a
    // session already past its check-in window, marked not delivered against the instructor
    if (r.startAt.getTime() <= clock.now().getTime())
      throw new AppError('GUIDANCE_SESSION_STARTED', 'the requested time has begun or passed', { startAt: r.startAt.toISOString() });
    const instructor = await Instructor.findOne({ _id: new Types.ObjectId(instructorId), status: 'verified' }).lean<InstructorDoc>();
    if (!instructor) throw new AppError('INSTRUCTOR_NOT_FOUND', 'no such verified instructor');
    // the organisation's own account cannot take its request (it would rate its own service afterwards)
    if (instructor._id.equals(r.orgUserId))
      throw new AppError('INSTRUCTOR_NOT_AVAILABLE', 'the requesting organisation cannot lead its own request', { reason: 'own_request' });
    if (!instructor.specialities.includes(r.sport))
      throw new AppError('INSTRUCTOR_NOT_AVAILABLE', 'the instructor does not teach that sport', { reason: 'speciality' });
    const isBusy = () => new AppError('INSTRUCTOR_NOT_AVAILABLE', 'the instructor leads another session then', { reason: 'busy' });
    if (await busy(instructor._id, r.startAt, r.endAt)) throw isBusy();
    const claim = await takeSlots(r, instructor._id);
    if (!claim) {
      // the slots went to another attempt: on this request (→ not open: assigned, or being assigned
      // to this instructor right now; a winner transitions before it drops its claim) or another (→ busy)
      const notOpen = async () => (await load(requestId)).status !== 'open';
      if ((await notOpen()) || (await claims().countDocuments({ requestId: r._id, instructorId: instructor._id })) > 0 || (await notOpen()))
        throw new AppError('GUIDANCE_REQUEST_NOT_OPEN', 'already assigned');
      throw isBusy();
    }
    const won = await kernel.transition<RequestDoc>(
      'guidance_requests',
      { _id: r._id, status: 'open' },
      { $set: { status: 'assigned', instructorId: instructor._id, sessionId: r._id, assignedBy: by } },
    );
    if (!won) {
      await releaseSlots(claim);
      throw new AppError('GUIDANCE_REQUEST_NOT_OPEN', 'already assigned');
    }
    kernel.crashPoint('guidance.assign:after-transition');
    await claims().deleteOne({ _id: claim._id }); // the assignment holds the slots now
    if (by === 'bureau') await kernel.audit(actorId, 'guidance.request.assign', instructorId, { requestId, reason: reason ?? null });
    await materialise(won);
    return { request: out(won), session: (await guidance.toSessionDtos([(await GuidanceSession.findById(r._id).lean<SessionDoc>())!]))[0] };
  }

  /** The session of an assigned request; its id is the request's, so repeating this makes no second one. */
  async function materialise(r: RequestDoc) {
    try {
      await guidance.insertSession(
        String(r.instructorId),
        {
          title: `${r.organisation.name} 健身指导`,
          sport: r.sport,
          district: r.district as InstructorRequestInput['district'],
          place: r.place,
          startAt: r.startAt.toISOString(),
          endAt: r.endAt.toISOString(),
          capacity: r.groupSize,
          difficulty: 'easy',
          bring: r.note,
        },
        { _id: r._id, requestId: r._id },
      );
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }

  /** Gives back the slots of attempts a crash left (older than a minute) unless their request went to that instructor. */
  async function healSlots() {
    const stale = await claims()
      .find({ at: { $lte: new Date(clock.now().getTime() - STALE_CLAIM_MS) } })
      .limit(200)
      .toArray();
    let released = 0;
    for (const c of stale) {
      const r = await GuidanceRequest.findById(c.requestId).lean<RequestDoc>();
      if (r?.status === 'assigned' && r.instructorId?.equals(c.instructorId)) {
        await claims().deleteOne({ _id: c._id });
        continue;
      }
      await releaseSlots(c);
      released++;
    }
    return released;
  }

  /** Heals assigned requests whose session a crash did not create, and slots a crashed attempt held. */
  async function heal() {
    const slotsReleased = await healSlots();
    const assigned = await GuidanceRequest.find({ status: 'assigned' }, { _id: 1 })
      .sort({ _id: -1 })
      .limit(500)
      .lean<{ _id: Types.ObjectId }[]>();
    const existing = new Set(
      (
        await GuidanceSession.find({ _id: mongoose.trusted({ $in: assigned.map((a) => a._id) }) }, { _id: 1 }).lean<
          { _id: Types.ObjectId }[]
        >()
      ).map((s) => String(s._id)),
    );
    let made = 0;
    for (const a of assigned)
      if (!existing.has(String(a._id))) {
        await materialise((await GuidanceRequest.findById(a._id).lean<RequestDoc>())!);
        made++;
      }
    return { made, slotsReleased };
  }

  async function rate(orgUserId: string, requestId: string, input: { stars: number; comment?: string }) {
    const r = await load(requestId);
    if (!r.orgUserId.equals(orgUserId)) throw new AppError('FORBIDDEN', 'a request of another organisation');
    const s = r.sessionId ? await GuidanceSession.findById(r.sessionId).lean<SessionDoc>() : null;
    if (!s || s.status !== 'delivered') throw new AppError('RATING_NOT_ALLOWED', 'rate the service once the session is delivered');
    try {
      const rating = await GuidanceRating.create({
        sessionId: s._id,
        instructorId: s.instructorId,
        userId: r.orgUserId,
        kind: 'organisation',
        stars: input.stars,
        comment: input.comment ?? '',
        createdAt: clock.now(),
      });
      return { rating: { id: String(rating._id), stars: rating.stars, comment: rating.comment } };
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new AppError('ALREADY_RATED', 'rated already');
      throw err;
    }
  }

  return { create, mine, forOrganisation, openFor, openForBureau, assign, heal, rate };
}
export type GuidanceRequests = ReturnType<typeof createRequests>;
