import mongoose, { Types } from 'mongoose';
import {
  COURSE_ADULT_AGE,
  ageBand,
  ageOnDay,
  businessDay,
  courseRefundFen,
  idFacts,
  isShortCode,
  isValidIdCard,
  maskIdCard,
  maskName,
  type CourseCertificateDto,
  type CourseListQuery,
  type CourseSport,
  type CreateTrainingOrg,
  type Enrol,
  type EnrolmentDto,
  type PublishCourse,
  type UpdateCourse,
} from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import { eachIsolated, withTimeout } from '../../platform/jobs';
import {
  COURSE_PLACES,
  HOLD_MINUTES,
  KEEP_TOKENS,
  LESSON_SOURCE,
  OFFER_HOURS,
  OWNERS,
  TAKING_STALE_MS,
  isDuplicate,
  lessonSourceId,
  parseLessonSource,
  ticketSport,
  type CourseDeps,
  type EnrolStep,
} from './course.context';
import { Course, Enrolment, TrainingOrg, type CourseDoc, type EnrolmentDoc, type TrainingOrgDoc } from './course.model';
import { courseDetail, courseSummary, lessonsHeld } from './course.dto';

const EXTERNAL_MS = 10_000;
const LIVE = ['taking', 'held', 'waitlisted', 'offered', 'enrolled'] as const;

/**
 * Training courses (报名培训, issue 15). An enrolment is inserted (`taking`) before its place is
 * taken from the course's counter (kernel capacity, holder = the enrolment), so a crash leaves a
 * record the sweeper rolls back; a full course waitlists in arrival order (`_id`); every later
 * change is a guarded transition through kernel.effects recording what it still owes.
 */
export function createCourseService(deps: CourseDeps) {
  const { kernel, payments, tickets, pseudonym, cipher } = deps;
  const now = () => kernel.clock.now();

  kernel.capacity.define(COURSE_PLACES, { collection: 'courses', guard: { status: 'open' }, keepTokens: KEEP_TOKENS });

  async function loadCourse(courseId: string | Types.ObjectId): Promise<CourseDoc> {
    const c = Types.ObjectId.isValid(String(courseId)) ? await Course.findById(courseId).lean<CourseDoc>() : null;
    if (!c) throw new AppError('COURSE_NOT_FOUND', 'no such course');
    return c;
  }
  const gateOf = (c: CourseDoc) => String(c.venueId ?? c._id);
  const participantName = (e: EnrolmentDoc) => (JSON.parse(cipher.decrypt(e.sealed)) as { name: string }).name;

  // ---------- effects ----------
  const steps: Record<EnrolStep, (e: EnrolmentDoc) => Promise<void>> = {
    capacity: async (e) => void (await kernel.capacity.giveBack(COURSE_PLACES, e.courseId, 1, { holder: String(e._id) })),
    'order.create': async (e) => {
      const fresh = await Enrolment.findById(e._id).lean<EnrolmentDoc>();
      if (!fresh || fresh.orderId || fresh.status !== 'offered' || !fresh.payDeadline) return;
      const c = await loadCourse(e.courseId);
      const { orderId } = await payments.createOrder({
        kind: 'course',
        ownerId: String(e.userId),
        refId: String(e._id),
        description: c.title,
        items: [{ name: `${c.title}（共${c.lessons.length}节）`, quantity: 1, unitFen: e.amountFen }],
        amountFen: e.amountFen,
        expiresAt: fresh.payDeadline,
        tags: { ...(c.venueId ? { venueId: String(c.venueId) } : {}), sport: c.sport },
      });
      const set = await Enrolment.updateOne({ _id: e._id, orderId: null }, { $set: { orderId } });
      if (set.modifiedCount !== 1) await payments.closeOrder(orderId, 'duplicate');
    },
    'order.close': async (e) => {
      const fresh = await Enrolment.findById(e._id, { orderId: 1 }).lean<Pick<EnrolmentDoc, 'orderId'>>();
      if (fresh?.orderId)
        await withTimeout(payments.closeOrder(fresh.orderId, e.endReason ?? 'enrolment ended'), EXTERNAL_MS, 'order close');
    },
    refund: async (e) => {
      if (!e.orderId || e.refundFen <= 0) return;
      try {
        await withTimeout(
          payments.refundOrder(e.orderId, { amountFen: e.refundFen, reason: e.endReason ?? '取消培训报名', refundId: `RF${e._id}` }),
          EXTERNAL_MS,
          'refund start',
        );
      } catch (err) {
        if (err instanceof AppError && err.code === 'REFUND_NOT_ALLOWED') return; // refunded already
        throw err;
      }
    },
    'tickets.issue': async (e) => {
      const c = await loadCourse(e.courseId);
      const name = participantName(e);
      for (const l of c.lessons) {
        if (l.endAt <= now()) continue;
        await tickets.issue({
          source: { kind: LESSON_SOURCE, id: lessonSourceId(String(e._id), l.index) },
          userId: String(e.userId),
          venueId: gateOf(c),
          venueName: c.placeName,
          resourceName: `${c.title} 第${l.index}节`,
          sport: ticketSport(c.sport),
          startAt: l.startAt,
          endAt: l.endAt,
          quantity: 1,
          entrants: [name],
        });
      }
    },
    'tickets.revoke': async (e) => {
      const c = await loadCourse(e.courseId);
      for (const l of c.lessons) await tickets.revokeFor({ kind: LESSON_SOURCE, id: lessonSourceId(String(e._id), l.index) });
    },
    'waitlist.offer': async (e) => void (await offerFreed(e.courseId)),
    'event.enrolled': async (e) => {
      const c = await loadCourse(e.courseId);
      await emit(
        'course.enrolled',
        {
          subject: pseudonym(String(e.userId)),
          courseId: String(c._id),
          enrolmentId: String(e._id),
          sport: c.sport,
          district: c.district,
          ageBand: ageBand(e.ageAtStart),
          amountFen: e.amountFen,
        },
        { eventId: `course.enrolled:${e._id}`, occurredAt: e.enrolledAt ?? now() },
      );
    },
    'event.cancelled': async (e) => {
      if (!e.orderId) return; // only paid enrolments are consumption the data centre counts
      await emit(
        'course.enrolment_cancelled',
        {
          subject: pseudonym(String(e.userId)),
          courseId: String(e.courseId),
          enrolmentId: String(e._id),
          lessonsHeld: e.lessonsHeldAtEnd ?? 0,
          refundFen: e.refundFen,
          by: e.endedBy ?? 'self',
        },
        { eventId: `course.enrolment_cancelled:${e._id}`, occurredAt: e.endedAt ?? now() },
      );
    },
  };
  kernel.effects.define<EnrolmentDoc>(OWNERS.enrolment, { collection: 'course_enrolments', steps, staleMs: 30_000 });

  kernel.effects.define<CourseDoc>(OWNERS.course, {
    collection: 'courses',
    staleMs: 30_000,
    steps: {
      // the provider cancelled: every live enrolment ends with a full refund (each its own guarded transition)
      'enrolments.end': async (c) => {
        // read again after each pass: an enrolment that moved meanwhile (held → enrolled by a payment
        // arriving now) lost its guarded transition from the status read and must be ended from its new one
        for (let pass = 0; pass < 5; pass++) {
          const live = await Enrolment.find({ courseId: c._id, status: mongoose.trusted({ $in: [...LIVE] }) }).lean<EnrolmentDoc[]>();
          if (live.length === 0) return;
          await eachIsolated(live, async (e) => void (await end(e, { by: 'provider', reason: c.cancelReason ?? '课程取消', full: true })), {
            logger: kernel.logger,
            job: 'course-cancel',
          });
        }
        const left = await Enrolment.countDocuments({ courseId: c._id, status: mongoose.trusted({ $in: [...LIVE] }) });
        if (left) throw new Error(`${left} enrolments of course ${c._id} not ended yet`);
      },
      'event.cancelled': async (c) => {
        const n = await Enrolment.countDocuments({ courseId: c._id, endedBy: 'provider' });
        await emit('course.cancelled', { courseId: String(c._id), enrolments: n }, { eventId: `course.cancelled:${c._id}` });
      },
    },
  });

  async function transition(filter: Record<string, unknown>, set: Record<string, unknown>, owed: EnrolStep[], crash?: string) {
    const won = await kernel.effects.transition<EnrolmentDoc>(OWNERS.enrolment, filter, set, owed);
    if (!won) return null;
    if (crash) kernel.crashPoint(crash);
    await kernel.effects.finish(OWNERS.enrolment, won);
    return won;
  }

  // ---------- organisations ----------
  async function createOrg(actorId: string, input: CreateTrainingOrg) {
    const doc: TrainingOrgDoc = {
      _id: new Types.ObjectId(),
      name: input.name,
      district: input.district,
      creditCode: input.creditCode,
      contactName: input.contactName,
      status: 'approved',
      createdBy: new Types.ObjectId(actorId),
      createdAt: now(),
    };
    try {
      await TrainingOrg.collection.insertOne(doc);
    } catch (err) {
      if (isDuplicate(err)) throw new AppError('TRAINING_ORG_EXISTS', 'an organisation with this credit code exists');
      throw err;
    }
    try {
      await deps.changeRole(actorId, { userId: input.managerUserId, role: 'course_provider', scope: String(doc._id) }, 'grant');
    } catch (err) {
      await TrainingOrg.collection.deleteOne({ _id: doc._id }); // no manager, no organisation
      throw err;
    }
    await kernel.audit(actorId, 'course.org.approve', input.managerUserId, { orgId: String(doc._id), name: doc.name });
    return orgDto(doc);
  }
  const orgDto = (o: TrainingOrgDoc) => ({
    id: String(o._id),
    name: o.name,
    district: o.district,
    creditCode: o.creditCode,
    contactName: o.contactName,
    status: o.status,
  });
  async function listOrgs() {
    return (await TrainingOrg.find({}).sort({ _id: -1 }).limit(200).lean<TrainingOrgDoc[]>()).map(orgDto);
  }
  async function orgExists(id: string) {
    return Types.ObjectId.isValid(id) && (await TrainingOrg.exists({ _id: id, status: 'approved' })) !== null;
  }

  // ---------- publishing ----------
  function badSchedule(path: string, message: string): never {
    throw new AppError('COURSE_INVALID_SCHEDULE', message, [{ path, message }]);
  }

  async function publish(actorId: string, input: PublishCourse) {
    const t = now();
    const lessons = input.lessons
      .map((l) => ({ startAt: new Date(l.startAt), endAt: new Date(l.endAt) }))
      .sort((a, b) => a.startAt.getTime() - b.startAt.getTime())
      .map((l, i) => ({ index: i + 1, ...l }));
    lessons.forEach((l, i) => {
      if (!(l.endAt > l.startAt)) badSchedule(`lessons.${i}.endAt`, 'a lesson ends after it starts');
      if (l.endAt.getTime() - l.startAt.getTime() > 8 * 3600_000) badSchedule(`lessons.${i}.endAt`, 'a lesson lasts at most 8 hours');
      if (i > 0 && l.startAt < lessons[i - 1].endAt) badSchedule(`lessons.${i}.startAt`, 'lessons overlap');
    });
    const first = lessons[0].startAt;
    const last = lessons[lessons.length - 1].endAt;
    if (first <= t) badSchedule('lessons', 'the first lesson is in the past');
    if (input.maxAge < input.minAge) badSchedule('maxAge', 'maxAge is below minAge');
    const opens = new Date(input.enrolOpensAt);
    const closes = new Date(input.enrolClosesAt);
    if (!(closes > opens)) badSchedule('enrolClosesAt', 'enrolment closes after it opens');
    if (closes > first) badSchedule('enrolClosesAt', 'enrolment closes by the first lesson');
    if (closes <= t) badSchedule('enrolClosesAt', 'enrolment closes in the past');
    if (input.certificateMinLessons > lessons.length) badSchedule('certificateMinLessons', 'more than the lessons in the schedule');
    if (input.refundRule.noRefundFromLesson > lessons.length) badSchedule('refundRule.noRefundFromLesson', 'more than the lessons');

    let provider: CourseDoc['provider'];
    if ('venueId' in input.provider) {
      const v = await deps.venueInfo(input.provider.venueId);
      if (!v) throw new AppError('VENUE_NOT_FOUND', 'no such venue');
      provider = { kind: 'venue', id: input.provider.venueId, name: v.name };
    } else {
      const o = await TrainingOrg.findOne({ _id: input.provider.organisationId, status: 'approved' }).lean<TrainingOrgDoc>();
      if (!o) throw new AppError('TRAINING_ORG_NOT_FOUND', 'no such approved organisation');
      provider = { kind: 'organisation', id: String(o._id), name: o.name };
    }
    let place: { venueId: Types.ObjectId | null; placeName: string; address: string; district: string };
    if ('venueId' in input.place) {
      const v = await deps.venueInfo(input.place.venueId);
      if (!v) throw new AppError('VENUE_NOT_FOUND', 'no such venue');
      place = { venueId: new Types.ObjectId(input.place.venueId), placeName: v.name, address: v.address, district: v.district };
    } else place = { venueId: null, placeName: input.place.address, address: input.place.address, district: input.place.district };
    let teacher: CourseDoc['teacher'];
    if ('instructorId' in input.teacher) {
      const name = await deps.instructorName(input.teacher.instructorId);
      if (!name) throw new AppError('INSTRUCTOR_NOT_FOUND', 'no such verified instructor');
      teacher = { name, instructorId: input.teacher.instructorId };
    } else teacher = { name: input.teacher.name, instructorId: null };

    const doc: CourseDoc = {
      _id: new Types.ObjectId(),
      provider,
      title: input.title,
      description: input.description,
      sport: input.sport,
      level: input.level,
      minAge: input.minAge,
      maxAge: input.maxAge,
      ...place,
      lessons,
      firstLessonAt: first,
      lastLessonAt: last,
      capacity: input.capacity,
      remaining: input.capacity,
      applied: [],
      priceFen: input.priceFen,
      enrolOpensAt: opens,
      enrolClosesAt: closes,
      refundRule: input.refundRule,
      certificateMinLessons: input.certificateMinLessons,
      teacher,
      status: 'open',
      cancelReason: null,
      createdBy: new Types.ObjectId(actorId),
      createdAt: t,
      pendingSince: null,
    };
    await Course.collection.insertOne(doc);
    await kernel.audit(actorId, 'course.publish', null, { courseId: String(doc._id), provider: provider.id, capacity: doc.capacity });
    await emit(
      'course.published',
      {
        courseId: String(doc._id),
        sport: doc.sport,
        district: doc.district,
        lessons: lessons.length,
        capacity: doc.capacity,
        priceFen: doc.priceFen,
      },
      { eventId: `course.published:${doc._id}`, occurredAt: t },
    );
    return courseDetail(doc, 0);
  }

  async function update(actorId: string, c: CourseDoc, input: UpdateCourse) {
    if (c.status !== 'open') throw new AppError('COURSE_NOT_CANCELLABLE', 'the course is cancelled');
    const set: Record<string, unknown> = {};
    if (input.title !== undefined) set.title = input.title;
    if (input.description !== undefined) set.description = input.description;
    if (input.enrolClosesAt !== undefined) {
      const closes = new Date(input.enrolClosesAt);
      if (closes > c.firstLessonAt || closes <= c.enrolOpensAt) badSchedule('enrolClosesAt', 'between opening and the first lesson');
      set.enrolClosesAt = closes;
    }
    if (input.teacher) {
      if ('instructorId' in input.teacher) {
        const name = await deps.instructorName(input.teacher.instructorId);
        if (!name) throw new AppError('INSTRUCTOR_NOT_FOUND', 'no such verified instructor');
        set.teacher = { name, instructorId: input.teacher.instructorId };
      } else set.teacher = { name: input.teacher.name, instructorId: null };
    }
    const after = await Course.findOneAndUpdate({ _id: c._id, status: 'open' }, { $set: set }, { new: true }).lean<CourseDoc>();
    if (!after) throw new AppError('COURSE_NOT_CANCELLABLE', 'the course is cancelled');
    await kernel.audit(actorId, 'course.update', null, { courseId: String(c._id), fields: Object.keys(set) });
    return courseDetail(after, await waitlistedCount(c._id));
  }

  // ---------- reading ----------
  function listFilter(q: { sport?: CourseSport; district?: string; age?: number }) {
    const f: Record<string, unknown> = { status: 'open', lastLessonAt: mongoose.trusted({ $gt: now() }) };
    if (q.sport) f.sport = q.sport;
    if (q.district) f.district = q.district;
    if (q.age !== undefined) {
      f.minAge = mongoose.trusted({ $lte: q.age });
      f.maxAge = mongoose.trusted({ $gte: q.age });
    }
    return f;
  }
  async function list(q: CourseListQuery) {
    return kernel.cursorPage<CourseDoc, ReturnType<typeof courseSummary>>(Course, listFilter(q), q, courseSummary);
  }
  const waitlistedCount = (courseId: Types.ObjectId) => Enrolment.countDocuments({ courseId, status: 'waitlisted' });
  async function detail(courseId: string) {
    const c = await loadCourse(courseId);
    return courseDetail(c, await waitlistedCount(c._id));
  }

  // ---------- enrolling ----------
  function checkParticipant(c: CourseDoc, input: Enrol) {
    const idNumber = input.participant.idNumber.toUpperCase();
    if (!isValidIdCard(idNumber)) throw new AppError('ID_NUMBER_INVALID', 'not a valid resident ID number (GB 11643)');
    const age = ageOnDay(idFacts(idNumber).birthDate, businessDay(c.firstLessonAt));
    if (age < c.minAge || age > c.maxAge)
      throw new AppError('COURSE_AGE_OUT_OF_RANGE', `ages ${c.minAge}–${c.maxAge} at the first lesson`, {
        ageAtFirstLesson: age,
        minAge: c.minAge,
        maxAge: c.maxAge,
      });
    const minor = age < COURSE_ADULT_AGE;
    if (minor && !input.guardianConsent)
      throw new AppError('GUARDIAN_CONSENT_REQUIRED', 'under 18 at the first lesson: a guardian must consent');
    return { idNumber, age, minor };
  }

  async function enrol(userId: string, courseId: string, input: Enrol) {
    const c = await loadCourse(courseId);
    const t = now();
    if (c.status !== 'open' || t < c.enrolOpensAt || t >= c.enrolClosesAt)
      throw new AppError('COURSE_NOT_OPEN', 'enrolment is not open', {
        enrolOpensAt: c.enrolOpensAt.toISOString(),
        enrolClosesAt: c.enrolClosesAt.toISOString(),
      });
    const p = checkParticipant(c, input);
    const doc: EnrolmentDoc = {
      _id: new Types.ObjectId(),
      courseId: c._id,
      userId: new Types.ObjectId(userId),
      personKey: deps.personKey(p.idNumber),
      liveKey: 'live',
      status: 'taking',
      sealed: cipher.encrypt(
        JSON.stringify({ name: input.participant.name, idNumber: p.idNumber, guardian: input.guardianConsent ?? null }),
      ),
      masked: { name: maskName(input.participant.name), idNumber: maskIdCard(p.idNumber) },
      ageAtStart: p.age,
      minor: p.minor,
      amountFen: c.priceFen,
      orderId: null,
      payDeadline: null,
      attended: [],
      lessonsHeldAtEnd: null,
      refundFen: 0,
      endedBy: null,
      endReason: null,
      createdAt: t,
      enrolledAt: null,
      endedAt: null,
      pendingSince: null,
    };
    try {
      await Enrolment.collection.insertOne(doc);
    } catch (err) {
      if (isDuplicate(err)) throw new AppError('COURSE_ALREADY_ENROLLED', 'this person is enrolled on this course already');
      throw err;
    }
    kernel.crashPoint('course.enrol:after-insert');
    const holder = String(doc._id);
    try {
      // people already waiting keep their turn: a newcomer joins the end of the line
      const queue =
        kernel.capacity.knownFull(COURSE_PLACES, c._id, 1) ||
        (await Enrolment.exists({ courseId: c._id, status: 'waitlisted', _id: mongoose.trusted({ $lt: doc._id }) })) !== null;
      const took = !queue && (await kernel.capacity.take(COURSE_PLACES, c._id, 1, { holder, fresh: true }));
      if (!took) {
        const fresh = await Course.findById(c._id, { status: 1 }).lean<Pick<CourseDoc, 'status'>>();
        if (fresh?.status !== 'open') throw new AppError('COURSE_NOT_OPEN', 'the course was cancelled');
        const waiting = await transition({ _id: doc._id, status: 'taking' }, { status: 'waitlisted' }, []);
        if (!waiting) throw new AppError('CONFLICT', 'the enrolment took too long; please try again');
        return { id: holder, status: 'waitlisted' as const, orderId: null, waitlistPosition: await positionOf(waiting) };
      }
      kernel.crashPoint('course.enrol:after-capacity');
      const paid = c.priceFen > 0;
      const orderId = paid
        ? (
            await payments.createOrder({
              kind: 'course',
              ownerId: userId,
              refId: holder,
              description: c.title,
              items: [{ name: `${c.title}（共${c.lessons.length}节）`, quantity: 1, unitFen: c.priceFen }],
              amountFen: c.priceFen,
              expiresAt: new Date(t.getTime() + HOLD_MINUTES * 60_000),
              tags: { ...(c.venueId ? { venueId: String(c.venueId) } : {}), sport: c.sport },
            })
          ).orderId
        : null;
      const placed = await transition(
        { _id: doc._id, status: 'taking' },
        paid ? { status: 'held', orderId } : { status: 'enrolled', enrolledAt: t },
        paid ? [] : ['tickets.issue', 'event.enrolled'],
        'course.enrol:after-transition',
      );
      if (!placed) throw new AppError('CONFLICT', 'the enrolment took too long; please try again');
      return { id: holder, status: placed.status, orderId, waitlistPosition: null };
    } catch (err) {
      if (kernel.isInjectedCrash(err)) throw err;
      const failed = await kernel.effects.transition<EnrolmentDoc>(
        OWNERS.enrolment,
        { _id: doc._id, status: 'taking' },
        { status: 'failed', liveKey: holder },
        ['capacity'],
      );
      if (failed && (await kernel.effects.finish(OWNERS.enrolment, failed)).length === 0)
        await Enrolment.collection.deleteOne({ _id: doc._id, status: 'failed', pending: { $size: 0 } });
      throw err;
    }
  }

  /** The Idempotency-Key request hash of an enrolment: keyed, never a plain hash of a name and ID number. */
  function enrolRequestHash(courseId: string, input: Enrol): string {
    return deps.personKey(JSON.stringify({ courseId, ...input }));
  }

  async function positionOf(e: Pick<EnrolmentDoc, '_id' | 'courseId' | 'status'>): Promise<number | null> {
    if (e.status !== 'waitlisted') return null;
    return (await Enrolment.countDocuments({ courseId: e.courseId, status: 'waitlisted', _id: mongoose.trusted({ $lt: e._id }) })) + 1;
  }

  /**
   * Freed places go to the waitlist in arrival order (`_id`). Each offer takes the place for the
   * waiting enrolment (holder = its id, so a second run of this for the same person takes nothing
   * more), then a guarded waitlisted → offered (paid: an order with a payment deadline) or enrolled.
   */
  async function offerFreed(courseId: Types.ObjectId): Promise<number> {
    let offered = 0;
    for (let attempt = 0; attempt < 100; attempt++) {
      const c = await Course.findById(courseId).lean<CourseDoc>();
      if (!c || c.status !== 'open' || c.remaining <= 0 || c.firstLessonAt <= now()) return offered;
      const next = await Enrolment.findOne({ courseId, status: 'waitlisted' }).sort({ _id: 1 }).lean<EnrolmentDoc>();
      if (!next) return offered;
      const holder = String(next._id);
      if (!(await kernel.capacity.take(COURSE_PLACES, courseId, 1, { holder }))) return offered;
      const t = now();
      const paid = next.amountFen > 0;
      const won = await transition(
        { _id: next._id, status: 'waitlisted' },
        paid ? { status: 'offered', payDeadline: new Date(t.getTime() + OFFER_HOURS * 3600_000) } : { status: 'enrolled', enrolledAt: t },
        paid ? ['order.create'] : ['tickets.issue', 'event.enrolled'],
      );
      if (won) {
        offered++;
        continue;
      }
      // lost: another run offered it (the place is that offer's), or the person left the line meanwhile
      const fresh = await Enrolment.findById(next._id, { status: 1 }).lean<Pick<EnrolmentDoc, 'status'>>();
      if (!fresh || !['offered', 'enrolled'].includes(fresh.status)) await kernel.capacity.giveBack(COURSE_PLACES, courseId, 1, { holder });
    }
    return offered;
  }

  // ---------- payment ----------
  async function onPaid(enrolmentId: string): Promise<'applied' | 'rejected'> {
    const id = new Types.ObjectId(enrolmentId);
    for (const from of ['held', 'offered'] as const) {
      const won = await transition({ _id: id, status: from }, { status: 'enrolled', enrolledAt: now(), payDeadline: null }, [
        'tickets.issue',
        'event.enrolled',
      ]);
      if (won) return 'applied';
    }
    const e = await Enrolment.findById(id).lean<EnrolmentDoc>();
    return e?.status === 'enrolled' ? 'applied' : 'rejected';
  }

  async function onClosed(enrolmentId: string) {
    const id = new Types.ObjectId(enrolmentId);
    await transition({ _id: id, status: 'held' }, { status: 'expired', liveKey: enrolmentId, endedAt: now() }, [
      'capacity',
      'waitlist.offer',
    ]);
    await transition({ _id: id, status: 'offered' }, { status: 'lapsed', liveKey: enrolmentId, endedAt: now() }, [
      'capacity',
      'waitlist.offer',
    ]);
  }

  // ---------- ending ----------
  /** Ends a live enrolment by the course's refund rule (or in full when the provider cancelled). */
  async function end(e: EnrolmentDoc, how: { by: 'self' | 'provider' | 'admin'; reason: string; full?: boolean }) {
    const c = await loadCourse(e.courseId);
    const t = now();
    const base = { status: 'cancelled', liveKey: String(e._id), endedAt: t, endedBy: how.by, endReason: how.reason };
    if (e.status === 'waitlisted') return transition({ _id: e._id, status: 'waitlisted' }, base, []);
    if (e.status === 'held' || e.status === 'offered' || e.status === 'taking')
      return transition({ _id: e._id, status: e.status }, base, [
        'capacity',
        'order.close',
        ...(how.by !== 'provider' ? (['waitlist.offer'] as const) : []),
      ]);
    if (e.status !== 'enrolled') return null;
    const held = lessonsHeld(c, t);
    let refundFen = 0;
    if (e.orderId && e.amountFen > 0) {
      const money = await payments.orderMoney?.(e.orderId);
      const paidFen = Math.max(0, (money?.payableFen ?? e.amountFen) - (money?.refundedFen ?? 0));
      refundFen = how.full ? paidFen : courseRefundFen(c.refundRule, paidFen, held, c.lessons.length);
    }
    return transition(
      { _id: e._id, status: 'enrolled' },
      { ...base, lessonsHeldAtEnd: held, refundFen },
      [
        'tickets.revoke',
        'capacity',
        ...(refundFen > 0 ? (['refund'] as const) : []),
        ...(how.by !== 'provider' ? (['waitlist.offer'] as const) : []),
        'event.cancelled',
      ],
      'course.cancel:after-transition',
    );
  }

  async function ownEnrolment(userId: string, enrolmentId: string) {
    const e = Types.ObjectId.isValid(enrolmentId)
      ? await Enrolment.findOne({ _id: enrolmentId, userId: new Types.ObjectId(userId) }).lean<EnrolmentDoc>()
      : null;
    if (!e || e.status === 'failed') throw new AppError('ENROLMENT_NOT_FOUND', 'no such enrolment');
    return e;
  }

  async function cancel(userId: string, enrolmentId: string, reason?: string) {
    const e = await ownEnrolment(userId, enrolmentId);
    if (!['held', 'waitlisted', 'offered', 'enrolled'].includes(e.status))
      throw new AppError('ENROLMENT_NOT_CANCELLABLE', `the enrolment is ${e.status}`);
    const c = await loadCourse(e.courseId);
    if (e.status === 'enrolled' && c.lastLessonAt <= now()) throw new AppError('ENROLMENT_NOT_CANCELLABLE', 'the course is over');
    const ended = await end(e, { by: 'self', reason: reason ?? '学员取消报名' });
    if (!ended) throw new AppError('ENROLMENT_NOT_CANCELLABLE', 'the enrolment changed meanwhile');
    return { enrolment: await enrolmentDto(ended, c) };
  }

  /**
   * A whole refund of the order asked for through payment. The owner's goes by the course's rule (a
   * cancel); an admin's is what it says — the paid amount still left, in full, even after the course —
   * and is audited. Either way one guarded transition, so racing a cancel refunds once.
   */
  async function onRefundRequested(r: { refId: string; ownerId: string; reason: string; byAdmin?: boolean; actorId?: string }) {
    if (!r.byAdmin) {
      await cancel(r.ownerId, r.refId, r.reason);
      return;
    }
    const e = await ownEnrolment(r.ownerId, r.refId);
    if (!['held', 'waitlisted', 'offered', 'enrolled'].includes(e.status))
      throw new AppError('ENROLMENT_NOT_CANCELLABLE', `the enrolment is ${e.status}`);
    const ended = await end(e, { by: 'admin', reason: r.reason, full: true });
    if (!ended) throw new AppError('ENROLMENT_NOT_CANCELLABLE', 'the enrolment changed meanwhile');
    await kernel.audit(r.actorId ?? null, 'course.enrolment.refund', r.ownerId, {
      enrolmentId: String(e._id),
      courseId: String(e.courseId),
      refundFen: ended.refundFen,
    });
  }

  async function cancelCourse(actorId: string, c: CourseDoc, reason: string) {
    const won = await kernel.effects.transition<CourseDoc>(
      OWNERS.course,
      { _id: c._id, status: 'open' },
      { status: 'cancelled', cancelReason: reason },
      ['enrolments.end', 'event.cancelled'],
    );
    if (!won) throw new AppError('COURSE_NOT_CANCELLABLE', 'the course is cancelled already');
    await kernel.audit(actorId, 'course.cancel', null, { courseId: String(c._id), reason });
    kernel.crashPoint('course.cancel-course:after-transition');
    await kernel.effects.finish(OWNERS.course, won);
    return detail(String(c._id));
  }

  // ---------- attendance ----------
  /** Ticket source `course_lesson`: the participant was admitted to one lesson. */
  async function onAdmitted(sourceId: string) {
    const ref = parseLessonSource(sourceId);
    if (!ref) return false;
    const id = new Types.ObjectId(ref.enrolmentId);
    await Enrolment.collection.updateOne({ _id: id, status: 'enrolled' }, { $addToSet: { attended: ref.index } });
    const e = await Enrolment.findById(id).lean<EnrolmentDoc>();
    if (!e || !e.attended.includes(ref.index)) return false;
    // the event's id is deterministic, so a repeated admission (the ticket's sweeper) stores one
    await emit(
      'course.lesson_attended',
      { subject: pseudonym(String(e.userId)), courseId: String(e.courseId), enrolmentId: String(e._id), lesson: ref.index },
      { eventId: `course.lesson_attended:${e._id}:${ref.index}`, occurredAt: now() },
    );
    return true;
  }

  /**
   * The provider's (or teacher's) scan admits this course's lesson tickets only: a course held at a
   * venue shares that venue's gate id, and its provider is no gate staff for the venue's bookings,
   * events or other providers' courses there.
   */
  async function checkin(staffId: string, c: CourseDoc, body: { code: string; nonce?: string }) {
    const gate = gateOf(c);
    const code = isShortCode(body.code) ? await tickets.resolveShortCode(gate, body.code) : body.code;
    const source = await tickets.sourceOfCode(code);
    if (source) {
      const ref = source.kind === LESSON_SOURCE ? parseLessonSource(source.id) : null;
      const ours =
        ref !== null &&
        (await Enrolment.exists({ _id: new Types.ObjectId(ref.enrolmentId), courseId: c._id })) !== null &&
        c.lessons.some((l) => l.index === ref.index);
      if (!ours) throw new AppError('TICKET_NOT_FOR_THIS_VENUE', 'this ticket is not for this course');
    }
    // a code that is no ticket's (forged, unknown) is the ticket service's to refuse and log
    return tickets.verify(staffId, { code, venueId: gate, nonce: body.nonce });
  }

  /** The course's teacher, when a verified instructor (guidance) still: scans lessons and sees attendance. */
  async function isTeacher(userId: string, c: CourseDoc) {
    return c.teacher.instructorId === userId && (await deps.instructorName(userId)) !== null;
  }

  async function attendance(c: CourseDoc) {
    const rows = await Enrolment.find({ courseId: c._id, status: mongoose.trusted({ $in: ['enrolled', 'cancelled'] }) })
      .sort({ _id: 1 })
      .limit(600)
      .lean<EnrolmentDoc[]>();
    const live = rows.filter((e) => e.status === 'enrolled' || e.attended.length > 0);
    return {
      course: courseSummary(c),
      lessons: c.lessons.map((l) => ({
        index: l.index,
        startAt: l.startAt.toISOString(),
        endAt: l.endAt.toISOString(),
        attended: live.filter((e) => e.attended.includes(l.index)).length,
        enrolled: live.filter((e) => e.status === 'enrolled').length,
      })),
      participants: live.map((e) => ({
        enrolmentId: String(e._id),
        name: e.masked.name,
        status: e.status,
        attended: [...e.attended].sort((a, b) => a - b),
        certificateEarned: e.attended.length >= c.certificateMinLessons,
      })),
      waitlisted: await waitlistedCount(c._id),
    };
  }

  // ---------- my enrolments ----------
  async function enrolmentDto(
    e: EnrolmentDoc,
    c: CourseDoc,
    ticketsBySource?: Map<string, { id: string; status: string }>,
  ): Promise<EnrolmentDto> {
    return {
      id: String(e._id),
      courseId: String(c._id),
      courseTitle: c.title,
      status: e.status,
      participant: (() => {
        const p = JSON.parse(cipher.decrypt(e.sealed)) as { name: string; idNumber: string };
        return { name: p.name, idNumber: maskIdCard(p.idNumber) };
      })(),
      minor: e.minor,
      orderId: e.orderId,
      payDeadline: e.payDeadline ? e.payDeadline.toISOString() : null,
      waitlistPosition: await positionOf(e),
      amountFen: e.amountFen,
      refundFen: e.refundFen,
      lessons: c.lessons.map((l) => {
        const t = ticketsBySource?.get(lessonSourceId(String(e._id), l.index));
        return {
          index: l.index,
          startAt: l.startAt.toISOString(),
          endAt: l.endAt.toISOString(),
          ticketId: t?.id ?? null,
          ticketStatus: (t?.status as 'valid' | 'used' | 'revoked' | undefined) ?? null,
          attended: e.attended.includes(l.index),
        };
      }),
      attendedCount: e.attended.length,
      certificateMinLessons: c.certificateMinLessons,
      certificateEarned: e.attended.length >= c.certificateMinLessons,
      createdAt: e.createdAt.toISOString(),
    };
  }

  async function myEnrolments(userId: string) {
    const rows = await Enrolment.find({ userId: new Types.ObjectId(userId), status: mongoose.trusted({ $ne: 'failed' }) })
      .sort({ _id: -1 })
      .limit(100)
      .lean<EnrolmentDoc[]>();
    const courses = new Map(
      (
        await Course.find({
          _id: mongoose.trusted({ $in: [...new Set(rows.map((r) => String(r.courseId)))].map((id) => new Types.ObjectId(id)) }),
        }).lean<CourseDoc[]>()
      ).map((c) => [String(c._id), c]),
    );
    const mine = await tickets.mine(userId);
    const bySource = new Map(mine.filter((t) => t.source.kind === LESSON_SOURCE).map((t) => [t.source.id, { id: t.id, status: t.status }]));
    const items: EnrolmentDto[] = [];
    for (const e of rows) {
      const c = courses.get(String(e.courseId));
      if (c) items.push(await enrolmentDto(e, c, bySource));
    }
    return { items };
  }

  async function myEnrolment(userId: string, enrolmentId: string) {
    const e = await ownEnrolment(userId, enrolmentId);
    const c = await loadCourse(e.courseId);
    const mine = await tickets.mine(userId);
    const bySource = new Map(mine.filter((t) => t.source.kind === LESSON_SOURCE).map((t) => [t.source.id, { id: t.id, status: t.status }]));
    return { enrolment: await enrolmentDto(e, c, bySource) };
  }

  // ---------- certificates ----------
  function certificateOf(e: EnrolmentDoc, c: CourseDoc, name: string): CourseCertificateDto | null {
    const attended = [...e.attended].sort((a, b) => a - b);
    if (attended.length < c.certificateMinLessons) return null;
    // issued when the rule was met: the start of the lesson that reached it (stable once earned)
    const reached = c.lessons.find((l) => l.index === attended[c.certificateMinLessons - 1])!;
    const issuedAt = reached.startAt.toISOString();
    const certificateNo = String(e._id);
    return {
      certificateNo,
      courseId: String(c._id),
      courseTitle: c.title,
      providerName: c.provider.name,
      participantName: name,
      lessonsAttended: attended.length,
      lessonsTotal: c.lessons.length,
      issuedAt,
      signature: deps.sign(`${certificateNo}|${c._id}|${maskName(name)}|${issuedAt}`),
    };
  }

  async function certificate(userId: string, enrolmentId: string) {
    const e = await ownEnrolment(userId, enrolmentId);
    const c = await loadCourse(e.courseId);
    const cert = certificateOf(e, c, participantName(e));
    if (!cert)
      throw new AppError('CERTIFICATE_NOT_EARNED', `attend ${c.certificateMinLessons} lessons for the certificate`, {
        attended: e.attended.length,
        required: c.certificateMinLessons,
      });
    return { certificate: cert };
  }

  /** Anyone may check a certificate: its number and signature; the name shows masked. */
  async function verifyCertificate(certificateNo: string, signature: string) {
    const e = Types.ObjectId.isValid(certificateNo) ? await Enrolment.findById(certificateNo).lean<EnrolmentDoc>() : null;
    const c = e ? await Course.findById(e.courseId).lean<CourseDoc>() : null;
    const cert = e && c ? certificateOf(e, c, participantName(e)) : null;
    if (!cert || cert.signature !== signature) return { valid: false as const };
    return {
      valid: true as const,
      certificate: { ...cert, participantName: maskName(cert.participantName) },
    };
  }

  // ---------- provider ----------
  async function providerCourses(scopes: { venues: string[]; orgs: string[] } | 'all') {
    const filter =
      scopes === 'all'
        ? {}
        : {
            $or: [
              { 'provider.kind': 'venue', 'provider.id': mongoose.trusted({ $in: scopes.venues }) },
              { 'provider.kind': 'organisation', 'provider.id': mongoose.trusted({ $in: scopes.orgs }) },
            ],
          };
    const rows = await Course.find(mongoose.trusted(filter)).sort({ _id: -1 }).limit(200).lean<CourseDoc[]>();
    // whom the caller may publish for (the publish page's choice)
    const providers: { kind: 'venue' | 'organisation'; id: string; name: string }[] = [];
    if (scopes !== 'all') {
      const orgs = await TrainingOrg.find({
        _id: mongoose.trusted({ $in: scopes.orgs.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id)) }),
        status: 'approved',
      }).lean<TrainingOrgDoc[]>();
      for (const o of orgs) providers.push({ kind: 'organisation', id: String(o._id), name: o.name });
      for (const v of scopes.venues) {
        const info = await deps.venueInfo(v);
        if (info) providers.push({ kind: 'venue', id: v, name: info.name });
      }
    }
    return { items: rows.map(courseSummary), providers };
  }

  // ---------- jobs ----------
  /** Offers past their payment deadline pass the place on; waitlists with free places are offered. */
  async function runWaitlists() {
    const t = now();
    const log = { logger: kernel.logger, job: 'course-waitlist' };
    const lapsed = await Enrolment.find({ status: 'offered', payDeadline: mongoose.trusted({ $lte: t }) })
      .limit(200)
      .lean<EnrolmentDoc[]>();
    await eachIsolated(
      lapsed,
      async (e) => {
        await transition({ _id: e._id, status: 'offered' }, { status: 'lapsed', liveKey: String(e._id), endedAt: t }, [
          'capacity',
          'order.close',
          'waitlist.offer',
        ]);
      },
      log,
    );
    const staleHeld = await Enrolment.find({
      status: 'held',
      createdAt: mongoose.trusted({ $lte: new Date(t.getTime() - 2 * HOLD_MINUTES * 60_000) }),
    })
      .limit(200)
      .lean<EnrolmentDoc[]>();
    await eachIsolated(
      staleHeld,
      async (e) => {
        await transition({ _id: e._id, status: 'held' }, { status: 'expired', liveKey: String(e._id), endedAt: t }, [
          'capacity',
          'order.close',
          'waitlist.offer',
        ]);
      },
      log,
    );
    const waiting = (await Enrolment.distinct('courseId', { status: 'waitlisted' })) as Types.ObjectId[];
    let offered = 0;
    await eachIsolated(
      waiting.slice(0, 200),
      async (courseId) => {
        offered += await offerFreed(courseId);
      },
      log,
    );
    return { lapsed: lapsed.length, expired: staleHeld.length, offered };
  }

  /** The sweeper: stale `taking` enrolments rolled back exactly; effects a crash left finished. */
  async function heal() {
    const cutoff = new Date(now().getTime() - TAKING_STALE_MS);
    const stale = await Enrolment.find({ status: 'taking', createdAt: mongoose.trusted({ $lt: cutoff }) })
      .limit(200)
      .lean<EnrolmentDoc[]>();
    for (const e of stale)
      await transition({ _id: e._id, status: 'taking' }, { status: 'failed', liveKey: String(e._id) }, ['capacity', 'order.close']);
    const courses = await kernel.effects.sweep(OWNERS.course);
    const enrolments = await kernel.effects.sweep(OWNERS.enrolment);
    return { rolledBack: stale.length, courses, enrolments };
  }

  // ---------- read methods for other modules (reviews, recommendations) ----------
  /** Did this user (for themselves or a child) attend at least one lesson of the course? (review eligibility) */
  async function hasAttended(userId: string, courseId: string): Promise<boolean> {
    if (!Types.ObjectId.isValid(userId) || !Types.ObjectId.isValid(courseId)) return false;
    return (
      (await Enrolment.exists({
        userId: new Types.ObjectId(userId),
        courseId: new Types.ObjectId(courseId),
        'attended.0': mongoose.trusted({ $exists: true }),
      })) !== null
    );
  }
  async function courseExists(courseId: string): Promise<boolean> {
    return Types.ObjectId.isValid(courseId) && (await Course.exists({ _id: courseId })) !== null;
  }
  /** Open courses still to start, soonest first (recommendations). */
  async function listOpenCourses(q: { sport?: CourseSport; ageYears?: number; district?: string; limit: number }) {
    const f = listFilter({ sport: q.sport, district: q.district, age: q.ageYears });
    f.enrolClosesAt = mongoose.trusted({ $gt: now() });
    const rows = await Course.find(f)
      .sort({ firstLessonAt: 1 })
      .limit(Math.min(Math.max(q.limit, 1), 100))
      .lean<CourseDoc[]>();
    return rows.map(courseSummary);
  }

  return {
    loadCourse,
    venueKnown: async (venueId: string) => (await deps.venueInfo(venueId)) !== null,
    createOrg,
    listOrgs,
    orgExists,
    publish,
    update,
    list,
    detail,
    enrol,
    enrolRequestHash,
    onPaid,
    onClosed,
    onRefundRequested,
    cancel,
    cancelCourse,
    onAdmitted,
    checkin,
    isTeacher,
    attendance,
    myEnrolments,
    myEnrolment,
    certificate,
    verifyCertificate,
    providerCourses,
    runWaitlists,
    offerFreed,
    heal,
    hasAttended,
    courseExists,
    listOpenCourses,
  };
}

export type CourseService = ReturnType<typeof createCourseService>;
