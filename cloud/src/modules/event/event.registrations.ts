import { createHash, randomBytes } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import {
  ADULT_AGE,
  ageOnDay,
  businessDay,
  eligibilityProblem,
  idFacts,
  isValidIdCard,
  maskIdCard,
  maskMobile,
  maskName,
  type CreateRegistration,
  type TransferRegistration,
  type RegistrationDto,
  type RegistrationStatus,
} from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { emit, eventStored } from '../../platform/outbox';
import { eachIsolated, withTimeout } from '../../platform/jobs';
import type { EffectStep } from '../../platform/effects';
import {
  EVENT_GROUP_CAPACITY,
  EVENT_TEAM_CAPACITY,
  EXTERNAL_STEP_TIMEOUT_MS,
  MAX_BATCH,
  REG_OWNER,
  type EventDeps,
  type RegStep,
} from './event.context';
import {
  EventGroup,
  EventResult,
  Registration,
  SportEvent,
  Team,
  type EventDoc,
  type EventGroupDoc,
  type RegistrationDoc,
} from './event.model';
import { admissionOf, factsOf, registrationDto, ticketSourceId } from './event.dto';

/** A `taking` registration older than this was left by a crash (a live attempt takes milliseconds). */
export const TAKING_STALE_MS = 2 * 60_000;

/** How long an instance reuses an open event and its groups before reading them again (see `openEvent`; config EVENT_OPEN_CACHE_MS). */
export const OPEN_EVENT_TTL_MS = 1_000;

const ACTIVE: RegistrationStatus[] = ['taking', 'held', 'confirmed', 'entered', 'won', 'waitlisted', 'offered'];
const voidKey = (r: { eventId: Types.ObjectId; _id: Types.ObjectId }) => `${r.eventId}:void:${r._id}`;

/**
 * Registrations: first come (kernel.capacity on the group, a hold while the order is unpaid) or
 * lottery entries (no payment in the window). Every state change is a guarded transition through
 * kernel.effects recording what it owes; the steps below are idempotent and the sweeper finishes
 * whatever a crash left.
 */
export function createRegistrations(deps: EventDeps) {
  const { kernel, payments, tickets, pseudonym, cipher } = deps;
  const openEventTtlMs = deps.openEventTtlMs ?? OPEN_EVENT_TTL_MS;

  // what a registration being placed read of its event and group, for its own effects and answer
  // (the request has just decided with them; the sweeper and every later step read afresh)
  const primed = new Map<string, { event: EventDoc; group: EventGroupDoc }>();

  async function load(r: RegistrationDoc): Promise<{ event: EventDoc; group: EventGroupDoc }> {
    const known = primed.get(String(r._id));
    if (known) return known;
    const [event, group] = await Promise.all([
      SportEvent.findById(r.eventId).lean<EventDoc>(),
      EventGroup.findById(r.groupId, { applied: 0 }).lean<EventGroupDoc>(),
    ]);
    if (!event || !group) throw new Error(`registration ${r._id} names a missing event or group`);
    return { event, group };
  }

  // the outbox event each step emits (deterministic ids: a retried step stores one event)
  const EVENT_OF = {
    'event.registered': 'event.registered',
    'event.confirmed': 'event.registration_confirmed',
    'event.cancelled': 'event.registration_cancelled',
    'event.lapsed': 'event.registration_lapsed',
    'event.checked_in': 'event.checked_in',
    'event.transferred': 'event.registration_transferred',
  } as const;
  const eventId = (step: keyof typeof EVENT_OF, r: RegistrationDoc) => `${EVENT_OF[step]}:${r._id}`;

  const emitFor = async (step: 'event.confirmed' | 'event.lapsed' | 'event.checked_in', r: RegistrationDoc) => {
    const { event } = await load(r);
    await emit(EVENT_OF[step], factsOf(pseudonym, r, event), { eventId: eventId(step, r), occurredAt: kernel.clock.now() });
  };

  const steps: Record<RegStep, EffectStep<RegistrationDoc>> = {
    capacity: async (r, { firstRun }) =>
      void (await kernel.capacity.giveBack(EVENT_GROUP_CAPACITY, r.groupId, 1, {
        holder: String(r._id),
        // a first-come entry that ended (not a rolled-back attempt) had its place; a lottery entry never takes one itself
        taken: firstRun && r.mode === 'first_come' && r.status !== 'failed',
      })),
    team: async (r) => {
      if (r.teamId) await kernel.capacity.giveBack(EVENT_TEAM_CAPACITY, r.teamId, 1, { holder: String(r._id) });
    },
    'order.create': async (r) => {
      if (r.orderId || r.feeFen === 0 || !r.payDeadline) return;
      const fresh = await Registration.findById(r._id).lean<RegistrationDoc>();
      if (!fresh || fresh.orderId || !['won', 'offered'].includes(fresh.status)) return;
      const { event, group } = await load(r);
      const { orderId } = await payments.createOrder({
        kind: 'event',
        ownerId: String(r.userId),
        refId: String(r._id),
        description: `${event.name} ${group.name}`,
        items: [{ name: `${event.name} ${group.name} 报名费`, quantity: 1, unitFen: r.feeFen }],
        amountFen: r.feeFen,
        expiresAt: fresh.payDeadline!,
        tags: { sport: event.sport },
      });
      const set = await Registration.updateOne({ _id: r._id, orderId: null }, { $set: { orderId } });
      // another run made the order first: this one is never shown, so it is closed at once
      if (set.modifiedCount !== 1) await payments.closeOrder(orderId, 'duplicate');
    },
    'order.close': async (r) => {
      if (r.orderId)
        await withTimeout(payments.closeOrder(r.orderId, r.cancelReason ?? 'registration ended'), EXTERNAL_STEP_TIMEOUT_MS, 'order close');
    },
    refund: async (r) => {
      if (!r.orderId || r.refundFen <= 0) return;
      try {
        await withTimeout(
          payments.refundOrder(r.orderId, { amountFen: r.refundFen, reason: r.cancelReason ?? '取消报名' }),
          EXTERNAL_STEP_TIMEOUT_MS,
          'refund start',
        );
      } catch (err) {
        if (err instanceof AppError && err.code === 'REFUND_NOT_ALLOWED') return; // refunded already
        throw err;
      }
    },
    'tickets.issue': async (r) => {
      // ended before its ticket was issued (a crash, then a cancel whose revoke found none): none is owed
      if (r.status !== 'confirmed') return;
      const { event, group } = await load(r);
      await tickets.issue(admissionOf(r, event, group.name));
    },
    'tickets.revoke': (r) => tickets.revokeFor({ kind: 'registration', id: ticketSourceId(r) }),
    // a transfer: the first participant's ticket (source = the registration id) stops admitting
    'tickets.revoke_prior': (r) => tickets.revokeFor({ kind: 'registration', id: String(r._id) }),
    'event.transferred': async (r) => {
      const { event } = await load(r);
      await emit('event.registration_transferred', factsOf(pseudonym, r, event), {
        eventId: eventId('event.transferred', r),
        occurredAt: r.transferredAt ?? kernel.clock.now(),
      });
    },
    'offer.next': (r) => offerNext(r),
    'event.registered': async (r) => {
      const { event } = await load(r);
      await emit(
        'event.registered',
        { ...factsOf(pseudonym, r, event), status: r.status },
        { eventId: eventId('event.registered', r), occurredAt: r.createdAt },
      );
    },
    'event.confirmed': (r) => emitFor('event.confirmed', r),
    'event.cancelled': async (r) => {
      const { event } = await load(r);
      await emit(
        'event.registration_cancelled',
        { ...factsOf(pseudonym, r, event), refundFen: r.refundFen },
        { eventId: eventId('event.cancelled', r), occurredAt: r.endedAt ?? kernel.clock.now() },
      );
    },
    'event.lapsed': (r) => emitFor('event.lapsed', r),
    'event.checked_in': (r) => emitFor('event.checked_in', r),
  };
  // tickets and events are confirmed by the sweeper in bulk (one read each), not cleared one by one on the hot path
  const checks: Record<string, (docs: RegistrationDoc[]) => Promise<Set<string>>> = {
    'tickets.issue': async (docs) => {
      const issued = await tickets.issuedFor(
        'registration',
        docs.map((r) => ({ id: ticketSourceId(r), seats: 1 })),
      );
      return new Set(docs.filter((r) => issued.has(ticketSourceId(r))).map((r) => String(r._id)));
    },
  };
  for (const step of Object.keys(EVENT_OF) as (keyof typeof EVENT_OF)[]) checks[step] = eventStored((r) => eventId(step, r));
  kernel.effects.define<RegistrationDoc>(REG_OWNER, { collection: 'event_registrations', steps, staleMs: 30_000, checks });

  async function transition(filter: Record<string, unknown>, set: Record<string, unknown>, owed: RegStep[], crash?: string) {
    const won = await kernel.effects.transition<RegistrationDoc>(REG_OWNER, filter, set, owed);
    if (!won) return null;
    if (crash) kernel.crashPoint(crash);
    await kernel.effects.finish(REG_OWNER, won);
    return won;
  }

  /**
   * The place a registration left in a drawn lottery goes to the next on the waitlist, in draw
   * order, exactly once: the offer records `offerFor` = the leaver (a unique index), so a second
   * run of this step (a crash, the job twice) finds the offer made and stops.
   */
  async function offerNext(left: RegistrationDoc): Promise<void> {
    if (left.mode !== 'lottery' || left.drawRank === null) return;
    const event = await SportEvent.findById(left.eventId).lean<EventDoc>();
    if (!event || event.status !== 'drawn' || event.startAt <= kernel.clock.now()) return;
    const group = await EventGroup.findById(left.groupId).lean<EventGroupDoc>();
    if (!group) return;
    if (await Registration.exists({ offerFor: String(left._id) })) return;
    const now = kernel.clock.now();
    for (let attempt = 0; attempt < 50; attempt++) {
      const next = await Registration.findOne({ eventId: left.eventId, groupId: left.groupId, status: 'waitlisted' })
        .sort({ drawRank: 1 })
        .lean<RegistrationDoc>();
      if (!next) return;
      const paid = next.feeFen > 0;
      try {
        const offered = await transition(
          { _id: next._id, status: 'waitlisted' },
          paid
            ? {
                status: 'offered',
                offerFor: String(left._id),
                payDeadline: new Date(now.getTime() + event.registration.offerHours * 3600_000),
              }
            : { status: 'confirmed', offerFor: String(left._id), confirmedAt: now },
          paid ? ['order.create'] : ['tickets.issue', 'event.confirmed'],
        );
        if (offered) return;
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return; // offered for this place already
        throw err;
      }
    }
  }

  // ---------- registering ----------
  function checkParticipant(input: CreateRegistration | TransferRegistration, event: EventDoc, group: EventGroupDoc) {
    const idNumber = input.participant.idNumber.toUpperCase();
    if (!isValidIdCard(idNumber)) throw new AppError('ID_NUMBER_INVALID', 'not a valid resident ID number (GB 11643)');
    const { birthDate, gender } = idFacts(idNumber);
    const age = ageOnDay(birthDate, businessDay(event.startAt));
    const problem = eligibilityProblem(group.eligibility, { age, gender });
    if (problem) throw new AppError('NOT_ELIGIBLE', problem, { ageOnRaceDay: age, gender });
    if (group.eligibility.qualifying && !input.qualifying)
      throw new AppError('NOT_ELIGIBLE', `须填写资格成绩：${group.eligibility.qualifying}`, { qualifying: group.eligibility.qualifying });
    if (input.healthPledge !== true) throw new AppError('HEALTH_PLEDGE_REQUIRED', 'the health pledge must be accepted');
    if (input.pledgeVersion !== undefined && input.pledgeVersion !== event.pledge.version)
      throw new AppError('HEALTH_PLEDGE_REQUIRED', 'the pledge text has changed; read it again', { version: event.pledge.version });
    if (age < ADULT_AGE && !input.guardianConsent)
      throw new AppError('GUARDIAN_CONSENT_REQUIRED', 'under 18 on race day: a guardian must consent');
    return { idNumber, age, gender };
  }

  /** What an entry stores of its participant (sealed in full, masked for lists): on entry and on a transfer alike. */
  function participantFields(input: CreateRegistration | TransferRegistration, p: ReturnType<typeof checkParticipant>, event: EventDoc) {
    return {
      sealed: cipher.encrypt(
        JSON.stringify({
          ...input.participant,
          idNumber: p.idNumber,
          guardian: input.guardianConsent ?? null,
          qualifying: input.qualifying ?? null,
        }),
      ),
      masked: { name: maskName(input.participant.name), idNumber: maskIdCard(p.idNumber), phone: maskMobile(input.participant.phone) },
      gender: p.gender,
      ageOnRaceDay: p.age,
      pledgeVersion: event.pledge.version,
      guardian: input.guardianConsent !== undefined,
      qualifying: input.qualifying ?? null,
    };
  }

  // ---------- open events, per instance ----------
  /**
   * An open event and its groups, reused by this instance for OPEN_EVENT_TTL_MS (issue 11: a
   * registration no longer reads them on every request; EVENT_OPEN_CACHE_MS, 0 = off). Safe because nothing a registration
   * checks can change once registration opens — update() refuses edits from then on, so the
   * window, mode, pledge, race day and the groups' eligibility, fee and teams are fixed — and
   * because the status is never decided from this copy alone: the group's guarded take requires
   * `open: true`, which the close clears (a take refused on a closed group forgets the copy and
   * answers EVENT_NOT_OPEN). A status change made on this instance forgets it at once; one made on
   * another is seen here at most the TTL later, and the take guards it meanwhile. Never
   * trusted for places: `remaining` is read only to remember a group seen full (the sold-out fast
   * path), and the take decides. Only events whose every group is open are kept.
   */
  const openEvents = new Map<string, { event: EventDoc; groups: EventGroupDoc[]; until: number }>();

  // one read at a time per event: the requests that arrive while it is on its way share it
  const reading = new Map<string, Promise<{ event: EventDoc | null; groups: EventGroupDoc[]; fresh: boolean }>>();
  // bumped by every forget: a read that was on its way before it does not keep what it read
  let forgets = 0;
  function forgetEvent(eventId: unknown) {
    forgets++;
    openEvents.delete(String(eventId));
    reading.delete(String(eventId));
  }

  async function openEvent(eventId: string): Promise<{ event: EventDoc | null; groups: EventGroupDoc[]; fresh: boolean }> {
    const hit = openEvents.get(eventId);
    if (hit && hit.until > Date.now()) return { event: hit.event, groups: hit.groups, fresh: false };
    if (openEventTtlMs <= 0) return readEvent(eventId);
    let pending = reading.get(eventId);
    if (!pending) {
      const mine = readEvent(eventId).finally(() => {
        if (reading.get(eventId) === mine) reading.delete(eventId);
      });
      reading.set(eventId, mine);
      pending = mine;
    }
    return pending;
  }

  async function readEvent(eventId: string): Promise<{ event: EventDoc | null; groups: EventGroupDoc[]; fresh: boolean }> {
    const before = forgets;
    const [event, groups] = await Promise.all([
      SportEvent.findOne({ _id: eventId, status: mongoose.trusted({ $ne: 'draft' }) }).lean<EventDoc>(),
      EventGroup.find({ eventId }, { applied: 0 }).lean<EventGroupDoc[]>(),
    ]);
    if (event?.registration.mode === 'first_come')
      for (const g of groups) if (g.remaining < 1) kernel.capacity.noteFull(EVENT_GROUP_CAPACITY, g._id, 1);
    if (
      openEventTtlMs > 0 &&
      forgets === before &&
      event?.status === 'registration_open' &&
      !event.pending?.length &&
      groups.length &&
      groups.every((g) => g.open)
    ) {
      const now = Date.now();
      if (openEvents.size >= 1_000) for (const [k, v] of openEvents) if (v.until <= now) openEvents.delete(k);
      openEvents.set(eventId, { event, groups, until: now + openEventTtlMs });
    } else openEvents.delete(eventId);
    return { event, groups, fresh: true };
  }

  /** The sold-out fast path from what this instance knows (no round trip): a first-come group it saw full within the last second. */
  function knownFull(eventId: string, groupId: string): boolean {
    const hit = openEvents.get(eventId);
    return (
      hit !== undefined &&
      hit.event.registration.mode === 'first_come' &&
      hit.groups.some((g) => String(g._id) === groupId) &&
      kernel.capacity.knownFull(EVENT_GROUP_CAPACITY, groupId, 1)
    );
  }

  async function place(
    userId: string,
    eventId: string,
    input: CreateRegistration,
    requestKey?: string,
  ): Promise<{ placed: RegistrationDoc; event: EventDoc; group: EventGroupDoc }> {
    const now = kernel.clock.now();
    const { event, groups, fresh } = await openEvent(eventId);
    if (!event) throw new AppError('EVENT_NOT_FOUND', 'no such event');
    const group = groups.find((g) => String(g._id) === input.groupId);
    if (!group) throw new AppError('GROUP_NOT_FOUND', 'no such group in this event');
    if (event.status !== 'registration_open' || now < event.registration.opensAt || now >= event.registration.closesAt)
      throw new AppError('EVENT_NOT_OPEN', 'registration is not open', {
        opensAt: event.registration.opensAt.toISOString(),
        closesAt: event.registration.closesAt.toISOString(),
      });
    const p = checkParticipant(input, event, group);
    let teamId: Types.ObjectId | null = null;
    if (group.team) {
      if (!input.teamCode) throw new AppError('TEAM_REQUIRED', 'this group enters as teams: give the invite code');
      const team = await Team.findOne({ inviteCode: input.teamCode, eventId: event._id, groupId: group._id }).lean();
      if (!team) throw new AppError('TEAM_NOT_FOUND', 'no such team in this group');
      teamId = team._id;
    } else if (input.teamCode) throw new AppError('TEAM_NOT_FOUND', 'this group has no teams');
    const firstCome = event.registration.mode === 'first_come';
    // a group just read as full, or seen full by this instance within the last second (the sold-out
    // fast path, platform/capacity.ts), is full: answered without a write; the guarded take below
    // decides every other case
    if (firstCome && ((fresh && group.remaining < 1) || kernel.capacity.knownFull(EVENT_GROUP_CAPACITY, group._id, 1)))
      throw new AppError('GROUP_FULL', 'no places left in this group');

    const paid = firstCome && group.feeFen > 0;
    const _id = new Types.ObjectId();
    const doc: RegistrationDoc = {
      _id,
      eventId: event._id,
      groupId: group._id,
      userId: new Types.ObjectId(userId),
      mode: event.registration.mode,
      status: 'taking',
      idKey: `${event._id}:${deps.keyedHash('id', p.idNumber)}`,
      ...participantFields(input, p, event),
      teamId,
      feeFen: group.feeFen,
      orderId: null,
      holdExpiresAt: paid ? new Date(now.getTime() + event.registration.holdMinutes * 60_000) : null,
      payDeadline: null,
      entryRef: randomBytes(12).toString('base64url'),
      inDraw: false,
      drawRank: null,
      offerFor: `self:${_id}`,
      bib: null,
      nameKey: deps.keyedHash('name', input.participant.name),
      checkedInAt: null,
      refundFen: 0,
      cancelReason: null,
      ...(requestKey ? { requestKey } : {}),
      createdAt: now,
      confirmedAt: null,
      endedAt: null,
      pending: [],
      pendingSince: null,
    };
    try {
      await Registration.collection.insertOne(doc); // inserted BEFORE anything is taken: a crash leaves a trace the healer rolls back
    } catch (err) {
      if ((err as { code?: number }).code === 11000)
        throw new AppError('ALREADY_REGISTERED', 'this ID number is already registered for this event');
      throw err;
    }
    kernel.crashPoint('event.register:after-insert');
    const holder = String(_id);
    // the group's take answered "refused": nothing was taken, so the record is dropped without a
    // rollback (not on an error of the take: it may have been applied, and the rollback gives it back)
    let refused = false;
    try {
      // `fresh`: the holder is this request's new registration, so a refused take is never a retry of one applied
      if (!(await kernel.capacity.take(EVENT_GROUP_CAPACITY, group._id, 1, { holder, fresh: true }))) {
        refused = true;
        const g = await EventGroup.findById(group._id, { open: 1 }).lean<EventGroupDoc>();
        if (!g?.open) {
          forgetEvent(event._id); // closed meanwhile: the next request reads the event again
          throw new AppError('EVENT_NOT_OPEN', 'registration has closed');
        }
        throw new AppError('GROUP_FULL', 'no places left in this group');
      }
      kernel.crashPoint('event.register:after-capacity');
      if (teamId && !(await kernel.capacity.take(EVENT_TEAM_CAPACITY, teamId, 1, { holder })))
        throw new AppError('TEAM_FULL', 'this team is full');
      const orderId = paid
        ? (
            await payments.createOrder({
              kind: 'event',
              ownerId: userId,
              refId: holder,
              description: `${event.name} ${group.name}`,
              items: [{ name: `${event.name} ${group.name} 报名费`, quantity: 1, unitFen: group.feeFen }],
              amountFen: group.feeFen,
              expiresAt: doc.holdExpiresAt!,
              tags: { sport: event.sport },
            })
          ).orderId
        : null;
      const status: RegistrationStatus = !firstCome ? 'entered' : paid ? 'held' : 'confirmed';
      const won = await kernel.effects.transition<RegistrationDoc>(
        REG_OWNER,
        { _id, status: 'taking' },
        { status, orderId, confirmedAt: status === 'confirmed' ? now : null },
        status === 'confirmed' ? ['tickets.issue', 'event.registered'] : ['event.registered'],
      );
      if (!won) throw new AppError('EVENT_NOT_OPEN', 'registration closed while this entry was being made');
      kernel.crashPoint('event.register:after-transition');
      // its effects use what this request read (no second read of the event and group)
      primed.set(holder, { event, group });
      try {
        await kernel.effects.finish(REG_OWNER, won);
      } finally {
        primed.delete(holder);
      }
      return { placed: won, event, group };
    } catch (err) {
      if (kernel.isInjectedCrash(err)) throw err;
      if (refused) {
        // nothing to give back, only the record to drop (a crash before this delete leaves a
        // `taking` record the healer rolls back as below)
        await Registration.collection.deleteOne({ _id, status: 'taking' });
        throw err;
      }
      const failed = await kernel.effects.transition<RegistrationDoc>(
        REG_OWNER,
        { _id, status: 'taking' },
        { status: 'failed', idKey: voidKey(doc), endedAt: now },
        ['capacity', 'team'],
      );
      if (failed && (await kernel.effects.finish(REG_OWNER, failed)).length === 0)
        await Registration.collection.deleteOne({ _id, status: 'failed', pending: { $size: 0 } });
      throw err;
    }
  }

  function requestHash(eventId: string, input: CreateRegistration) {
    return createHash('sha256')
      .update(JSON.stringify({ eventId, ...input }))
      .digest('base64url');
  }

  async function register(userId: string, eventId: string, input: CreateRegistration, key?: string) {
    if (!key) {
      const { placed, event, group } = await place(userId, eventId, input);
      return { registration: await dtoOf(placed, { event, group, hasResult: false }), replayed: false };
    }
    // the sold-out fast path before the claim (a claim costs two writes): a retry of a key that
    // registered still gets its registration, whatever the group's state is now
    if (knownFull(eventId, input.groupId) && !(await kernel.idempotencySeen('event-registration', userId, key)))
      throw new AppError('GROUP_FULL', 'no places left in this group');
    let made: Awaited<ReturnType<typeof place>> | undefined;
    const { result, replayed } = await kernel.claimOnce('event-registration', userId, key, requestHash(eventId, input), async () => {
      const earlier = await Registration.findOne({
        userId,
        requestKey: key,
        status: mongoose.trusted({ $ne: 'failed' }),
      }).lean<RegistrationDoc>();
      if (earlier?.status === 'taking') throw new AppError('CONFLICT', 'the first attempt is still being rolled back; please try again');
      if (earlier) return { registrationId: String(earlier._id) };
      made = await place(userId, eventId, input, key);
      return { registrationId: String(made.placed._id) };
    });
    // made by this call: answered from what it wrote (no read after the write)
    if (made && String(made.placed._id) === result.registrationId)
      return { registration: await dtoOf(made.placed, { event: made.event, group: made.group, hasResult: false }), replayed };
    const r = await Registration.findById(result.registrationId).lean<RegistrationDoc>();
    if (!r) throw new AppError('REGISTRATION_NOT_FOUND', 'no such registration');
    return { registration: await dtoOf(r), replayed };
  }

  /** `known`: what the caller has just read or written (a registration it made has no result yet). */
  async function dtoOf(
    r: RegistrationDoc,
    known?: { event: EventDoc; group: EventGroupDoc; hasResult: boolean },
  ): Promise<RegistrationDto> {
    if (known) return registrationDto(r, known.event, known.group.name, known.hasResult);
    const { event, group } = await load(r);
    return registrationDto(r, event, group.name, (await EventResult.exists({ registrationId: r._id })) !== null);
  }

  // ---------- after registering ----------
  async function findOwned(userId: string, registrationId: string): Promise<RegistrationDoc> {
    const r = await Registration.findOne({
      _id: registrationId,
      userId,
      status: mongoose.trusted({ $ne: 'failed' }),
    }).lean<RegistrationDoc>();
    if (!r) throw new AppError('REGISTRATION_NOT_FOUND', 'no such registration'); // others' registrations look absent
    return r;
  }

  /** The refund tier that applies `now`: the largest `daysBefore` the runner is still ahead of. */
  function refundPercent(event: EventDoc, now: Date): number {
    const daysLeft = (event.startAt.getTime() - now.getTime()) / 86_400_000;
    const tiers = [...event.refundPolicy.tiers].sort((a, b) => b.daysBefore - a.daysBefore);
    return tiers.find((t) => daysLeft >= t.daysBefore)?.percent ?? 0;
  }

  function endSteps(r: RegistrationDoc, refundFen: number): RegStep[] {
    const back: RegStep[] = r.mode === 'first_come' || r.drawRank === null ? ['capacity'] : ['offer.next'];
    switch (r.status) {
      case 'held':
        return ['capacity', 'team', 'order.close', 'event.cancelled'];
      case 'confirmed':
        return ['tickets.revoke', ...back, 'team', ...(refundFen > 0 ? (['refund'] as const) : []), 'event.cancelled'];
      case 'won':
      case 'offered':
        return ['order.close', 'offer.next', 'team', 'event.cancelled'];
      default:
        return ['capacity', 'team', 'event.cancelled'];
    }
  }

  async function cancel(
    userId: string,
    registrationId: string,
    reason?: string,
    opts: { byAdmin?: boolean } = {},
  ): Promise<RegistrationDto> {
    const r = await findOwned(userId, registrationId);
    const { event } = await load(r);
    const now = kernel.clock.now();
    if (!ACTIVE.includes(r.status) || r.status === 'taking')
      throw new AppError('REGISTRATION_NOT_CANCELLABLE', `a ${r.status} registration cannot be cancelled`);
    if (!opts.byAdmin && now >= event.startAt) throw new AppError('REGISTRATION_NOT_CANCELLABLE', 'the event has started');
    // a lottery entry leaves before the close or after the draw, never while the entry list is being fixed
    if (r.status === 'entered' && event.status !== 'registration_open')
      throw new AppError('REGISTRATION_NOT_CANCELLABLE', 'the entry list is closed; cancel after the draw');
    const paidOrder = r.status === 'confirmed' && r.orderId !== null;
    const refundFen = paidOrder ? Math.floor((r.feeFen * (opts.byAdmin ? 100 : refundPercent(event, now))) / 100) : 0;
    const won = await transition(
      { _id: r._id, status: r.status },
      { status: 'cancelled', idKey: voidKey(r), endedAt: now, refundFen, cancelReason: reason ?? '用户取消' },
      endSteps(r, refundFen),
      'event.cancel:after-transition',
    );
    if (!won) {
      const current = await findOwned(userId, registrationId);
      if (current.status === 'cancelled') return dtoOf(current);
      if (ACTIVE.includes(current.status) && current.status !== r.status) return cancel(userId, registrationId, reason, opts);
      throw new AppError('REGISTRATION_NOT_CANCELLABLE', `a ${current.status} registration cannot be cancelled`);
    }
    return dtoOf(won);
  }

  /** Payment's onPaid for `event` orders: a hold, a win or an offer becomes confirmed; anything else is refunded by payment. */
  async function confirmPaid(registrationId: string, orderId: string): Promise<'applied' | 'rejected'> {
    const won = await transition(
      { _id: new Types.ObjectId(registrationId), orderId, status: mongoose.trusted({ $in: ['held', 'won', 'offered'] }) },
      { status: 'confirmed', confirmedAt: kernel.clock.now() },
      ['tickets.issue', 'event.confirmed'],
      'event.confirm:after-transition',
    );
    if (won) return 'applied';
    const current = await Registration.findById(registrationId).lean<RegistrationDoc>();
    return current?.status === 'confirmed' && current.orderId === orderId ? 'applied' : 'rejected';
  }

  /** A hold expired or its order closed: the place goes back; a win or offer unpaid: the place goes down the waitlist. */
  async function release(r: RegistrationDoc, reason: string): Promise<boolean> {
    const now = kernel.clock.now();
    if (r.status === 'held')
      return (
        (await transition({ _id: r._id, status: 'held' }, { status: 'expired', idKey: voidKey(r), endedAt: now, cancelReason: reason }, [
          'capacity',
          'team',
          'order.close',
          'event.lapsed',
        ])) !== null
      );
    if (r.status === 'won' || r.status === 'offered')
      return (
        (await transition({ _id: r._id, status: r.status }, { status: 'lapsed', endedAt: now, cancelReason: reason }, [
          'order.close',
          'offer.next',
          'team',
          'event.lapsed',
        ])) !== null
      );
    return false;
  }

  async function onOrderClosed(registrationId: string, orderId: string) {
    const r = await Registration.findOne({ _id: new Types.ObjectId(registrationId), orderId }).lean<RegistrationDoc>();
    if (r) await release(r, 'order closed');
  }

  /** The job: unpaid holds past their expiry, wins and offers past their deadline. */
  async function expireUnpaid(): Promise<number> {
    const now = kernel.clock.now();
    const due = await Registration.find({
      $or: [
        { status: 'held', holdExpiresAt: mongoose.trusted({ $lte: now }) },
        { status: mongoose.trusted({ $in: ['won', 'offered'] }), payDeadline: mongoose.trusted({ $lte: now }) },
      ],
    })
      .limit(MAX_BATCH)
      .lean<RegistrationDoc[]>();
    const { done } = await eachIsolated(due, (r) => release(r, 'unpaid by the deadline'), {
      logger: kernel.logger,
      job: 'event-expire-unpaid',
    });
    return done;
  }

  /** The crash healer: stale `taking` registrations roll back exactly; unfinished effects are finished. */
  async function heal(): Promise<{ rolledBack: number; finished: number; failed: number }> {
    const now = kernel.clock.now();
    const stale = await Registration.find({
      status: 'taking',
      createdAt: mongoose.trusted({ $lte: new Date(now.getTime() - TAKING_STALE_MS) }),
    })
      .limit(MAX_BATCH)
      .lean<RegistrationDoc[]>();
    const rolled = await eachIsolated(
      stale,
      async (r) =>
        (await transition({ _id: r._id, status: 'taking' }, { status: 'failed', idKey: voidKey(r), endedAt: now }, [
          'capacity',
          'team',
        ])) !== null,
      { logger: kernel.logger, job: 'event-heal' },
    );
    let finished = 0;
    let failed = rolled.failed;
    // a draw leaves many winners owing their orders: keep sweeping for a bounded time
    const until = Date.now() + 20_000;
    for (;;) {
      const s = await kernel.effects.sweep(REG_OWNER);
      finished += s.healed;
      failed += s.failed;
      if (s.healed + s.failed < 200 || Date.now() > until) break;
    }
    return { rolledBack: rolled.done, finished, failed };
  }

  async function markCheckedIn(sourceId: string) {
    const registrationId = sourceId.replace(/\.t$/, ''); // a transferred entry's ticket
    return (
      (await transition(
        { _id: new Types.ObjectId(registrationId), status: 'confirmed', checkedInAt: null },
        { checkedInAt: kernel.clock.now() },
        ['event.checked_in'],
      )) !== null
    );
  }

  /**
   * 名额转让: a confirmed entry passes to a new real-name participant, once, while the event's
   * policy allows it. One guarded transition (status confirmed, never transferred) swaps the
   * participant and the ID key (the unique index keeps one ID once per event) and owes the
   * old ticket's revocation, the new ticket and the outbox fact; the money stays with the entry.
   */
  async function transfer(userId: string, registrationId: string, input: TransferRegistration): Promise<RegistrationDto> {
    const r = await findOwned(userId, registrationId);
    const { event, group } = await load(r);
    const now = kernel.clock.now();
    if (!event.transfer?.allowed) throw new AppError('TRANSFER_NOT_ALLOWED', 'this event does not allow transfers');
    const deadline = event.transfer.deadline ?? event.registration.closesAt;
    if (now >= deadline || now >= event.startAt)
      throw new AppError('TRANSFER_CLOSED', 'transfers have closed', { deadline: new Date(deadline).toISOString() });
    if (r.transferredAt) throw new AppError('ALREADY_TRANSFERRED', 'this entry was transferred once already');
    if (r.status !== 'confirmed' || r.checkedInAt)
      throw new AppError('REGISTRATION_NOT_TRANSFERABLE', `a ${r.status} registration cannot be transferred`);
    const p = checkParticipant(input, event, group);
    const idKey = `${event._id}:${deps.keyedHash('id', p.idNumber)}`;
    let won: RegistrationDoc | null;
    try {
      won = await kernel.effects.transition<RegistrationDoc>(
        REG_OWNER,
        { _id: r._id, userId: r.userId, status: 'confirmed', transferredAt: null, checkedInAt: null },
        {
          idKey,
          ...participantFields(input, p, event),
          nameKey: deps.keyedHash('name', input.participant.name),
          transferredAt: now,
        },
        ['tickets.revoke_prior', 'tickets.issue', 'event.transferred'],
      );
    } catch (err) {
      if ((err as { code?: number }).code === 11000)
        throw new AppError('ALREADY_REGISTERED', 'this ID number is already registered for this event');
      throw err;
    }
    if (!won) {
      const current = await findOwned(userId, registrationId);
      if (current.transferredAt) throw new AppError('ALREADY_TRANSFERRED', 'this entry was transferred once already');
      throw new AppError('REGISTRATION_NOT_TRANSFERABLE', `a ${current.status} registration cannot be transferred`);
    }
    await kernel.audit(userId, 'event.transfer', userId, {
      eventId: String(event._id),
      registrationId: String(r._id),
      from: r.masked.name,
      to: won.masked.name,
    });
    kernel.crashPoint('event.transfer:after-transition');
    await kernel.effects.finish(REG_OWNER, won);
    return dtoOf(won);
  }

  async function listMine(userId: string, q: { cursor?: string; limit: number }) {
    const page = await kernel.cursorPage<RegistrationDoc, RegistrationDoc>(
      Registration,
      { userId, status: mongoose.trusted({ $nin: ['failed', 'taking'] }) },
      q,
      (r) => r,
    );
    const events = new Map(
      (await SportEvent.find({ _id: mongoose.trusted({ $in: [...new Set(page.items.map((r) => r.eventId))] }) }).lean<EventDoc[]>()).map(
        (e) => [String(e._id), e],
      ),
    );
    const groups = new Map(
      (
        await EventGroup.find({ _id: mongoose.trusted({ $in: [...new Set(page.items.map((r) => r.groupId))] }) }).lean<EventGroupDoc[]>()
      ).map((g) => [String(g._id), g]),
    );
    const withResult = new Set(
      (
        await EventResult.find({ registrationId: mongoose.trusted({ $in: page.items.map((r) => r._id) }) }, { registrationId: 1 }).lean<
          { registrationId: Types.ObjectId }[]
        >()
      ).map((x) => String(x.registrationId)),
    );
    return {
      items: page.items.map((r) =>
        registrationDto(r, events.get(String(r.eventId))!, groups.get(String(r.groupId))?.name ?? '', withResult.has(String(r._id))),
      ),
      nextCursor: page.nextCursor,
    };
  }

  async function getMine(userId: string, registrationId: string) {
    return dtoOf(await findOwned(userId, registrationId));
  }

  return {
    register,
    transfer,
    findOwned,
    cancel,
    confirmPaid,
    onOrderClosed,
    expireUnpaid,
    heal,
    markCheckedIn,
    listMine,
    getMine,
    offerNext,
    transition,
    forgetEvent,
  };
}
export type Registrations = ReturnType<typeof createRegistrations>;
