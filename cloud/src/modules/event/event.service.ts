import mongoose, { Types } from 'mongoose';
import { DRAW_ALGORITHM, inShanghai, shanghaiTime, type EventInput, type EventListQuery, type EventStatus } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import { eachIsolated } from '../../platform/jobs';
import {
  EVENT_GROUP_CAPACITY,
  EVENT_OWNER,
  EVENT_TEAM_CAPACITY,
  GROUP_KEEP_TOKENS,
  LOTTERY_ENTRY_CEILING,
  MAX_BATCH,
  type EventDeps,
} from './event.context';
import {
  DrawList,
  EventGroup,
  Registration,
  SportEvent,
  type DrawListDoc,
  type EventDoc,
  type EventGroupDoc,
  type RegistrationDoc,
} from './event.model';
import { detailDto, summaryDto } from './event.dto';
import { commitmentOf, entriesDigestOf, newSeed, rankGroup } from './event.draw';
import { createRegistrations } from './event.registrations';
import { createEventExtras } from './event.extras';
import { createEventAfter } from './event.after';

type EventStep = 'groups.replace' | 'groups.open' | 'groups.close' | 'close.digest' | 'draw.apply' | 'event.drawn';

/** items per stored chunk of a draw list (a page of /draw/entries) */
const CHUNK = 5_000;

const PUBLIC: EventStatus[] = ['published', 'registration_open', 'closed', 'drawn', 'finished'];

/**
 * Events and their lifecycle (draft → published → registration_open → closed → drawn → finished),
 * each step a guarded transition through kernel.effects; organiser writes are audited. The
 * lottery's commitment is made at opening, the entry list fixed at the close, the draw once.
 */
export function createEventService(deps: EventDeps) {
  const { kernel, cipher } = deps;
  kernel.capacity.define(EVENT_GROUP_CAPACITY, { collection: 'event_groups', guard: { open: true }, keepTokens: GROUP_KEEP_TOKENS });
  kernel.capacity.define(EVENT_TEAM_CAPACITY, { collection: 'event_teams', guard: { open: true } });
  const registrations = createRegistrations(deps);

  const steps: Record<EventStep, (e: EventDoc) => Promise<void>> = {
    // an edit's groups: written under their generation, then every older generation removed. Idempotent,
    // and safe against a slower run of an earlier edit: that one's groups are older than the event's rev.
    'groups.replace': async (e) => {
      const draft = (await SportEvent.findById(e._id, { groupsDraft: 1 }).lean<EventDoc>())?.groupsDraft;
      if (draft?.length)
        await EventGroup.collection.bulkWrite(
          draft.map((g) => ({ replaceOne: { filter: { _id: g._id }, replacement: g, upsert: true } })),
          { ordered: false },
        );
      const rev = (await SportEvent.findById(e._id, { groupsRev: 1 }).lean<EventDoc>())?.groupsRev ?? 0;
      await EventGroup.collection.deleteMany({ eventId: e._id, $or: [{ rev: { $lt: rev } }, { rev: { $exists: false } }] });
      await SportEvent.collection.updateOne({ _id: e._id, groupsRev: rev }, { $set: { groupsDraft: null } });
    },
    'groups.open': async (e) => void (await EventGroup.updateMany({ eventId: e._id }, { $set: { open: true } })),
    'groups.close': async (e) => void (await EventGroup.updateMany({ eventId: e._id }, { $set: { open: false } })),
    // the entry list is fixed: entries still in flight are rolled back (their own transition then loses), the rest listed and digested
    'close.digest': async (e) => {
      if (e.registration.mode !== 'lottery') return;
      const fresh = await SportEvent.findById(e._id).lean<EventDoc>();
      if (fresh?.entriesDigest) return;
      const taking = await Registration.find({ eventId: e._id, status: 'taking' }).lean<RegistrationDoc[]>();
      for (const r of taking)
        await registrations.transition(
          { _id: r._id, status: 'taking' },
          { status: 'failed', idKey: `${r.eventId}:void:${r._id}`, endedAt: kernel.clock.now() },
          ['capacity', 'team'],
        );
      const entries = await Registration.collection
        .find({ eventId: e._id, status: 'entered' }, { projection: { entryRef: 1, groupId: 1 } })
        .toArray();
      const items = entries
        .map((x) => [x.entryRef as string, String(x.groupId), String(x._id)])
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      await writeChunks(e._id, 'entries', null, items);
      const digest = entriesDigestOf(items.map(([entryRef, groupId]) => ({ entryRef, groupId })));
      await SportEvent.updateOne({ _id: e._id, entriesDigest: null }, { $set: { entriesDigest: digest, entriesCount: items.length } });
    },
    'draw.apply': (e) => applyDraw(e),
    'event.drawn': async (e) => {
      const groups = await EventGroup.find({ eventId: e._id }, { capacity: 1 }).lean<EventGroupDoc[]>();
      const entries = e.entriesCount ?? 0;
      const places = groups.reduce((n, g) => n + g.capacity, 0);
      await emit(
        'event.drawn',
        { eventId: String(e._id), sport: e.sport, district: e.district, entries, winners: Math.min(places, entries) },
        { eventId: `event.drawn:${e._id}`, occurredAt: e.drawnAt ?? kernel.clock.now() },
      );
    },
  };
  kernel.effects.define<EventDoc>(EVENT_OWNER, { collection: 'events', steps, staleMs: 30_000 });

  async function move(e: EventDoc, from: EventStatus, set: Record<string, unknown>, owed: EventStep[]) {
    const won = await kernel.effects.transition<EventDoc>(
      EVENT_OWNER,
      // an edit's groups are written before the event moves on (changeStatus finishes them first)
      { _id: e._id, status: from, pending: { $ne: 'groups.replace' } },
      { ...set, updatedAt: kernel.clock.now() },
      owed,
    );
    if (!won) return null;
    registrations.forgetEvent(e._id); // this instance's copy of an open event (event.registrations.ts) goes at once
    kernel.crashPoint(`event.move:${from}:after-transition`);
    await kernel.effects.finish(EVENT_OWNER, won);
    return won;
  }

  /**
   * The draw (idempotent: a repeat after a crash sets the same ranks): per group, every entry of
   * the published list ranked by HMAC-SHA256(seed, entryRef); the first `capacity` win, the next
   * `waitlistSize` wait in that order, the rest lose. Winners owe their order (paid groups) or
   * ticket (free) — recorded as effects the sweeper finishes at once (pendingSince in the past).
   */
  async function applyDraw(e: EventDoc) {
    const seed = e.seed;
    if (!seed) throw new Error('draw without a seed');
    const groups = await EventGroup.find({ eventId: e._id }, { applied: 0 }).lean<EventGroupDoc[]>();
    const entries = await readChunks(e._id, 'entries', null);
    const now = kernel.clock.now();
    for (const g of groups) {
      const mine = entries.filter((x) => x[1] === String(g._id));
      const idOf = new Map(mine.map((x) => [x[0], x[2]]));
      const ranked = rankGroup(
        seed,
        mine.map((x) => x[0]),
      ).slice(0, g.capacity + g.waitlistSize);
      kernel.crashPoint('event.draw:ranked');
      await writeChunks(
        e._id,
        'rank',
        String(g._id),
        ranked.map((ref) => [ref]),
      );
      const paid = g.feeFen > 0;
      // only the drawn (places and waitlist) are written; the rest stay `entered` and read as lost
      const ops = ranked.map((ref, rank) => {
        const win = rank < g.capacity;
        const set: Record<string, unknown> = { drawRank: rank, status: win ? (paid ? 'won' : 'confirmed') : 'waitlisted' };
        if (win && paid)
          Object.assign(set, { payDeadline: e.registration.paymentDeadline, pending: ['order.create'], pendingSince: new Date(0) });
        if (win && !paid)
          Object.assign(set, { confirmedAt: now, pending: ['tickets.issue', 'event.confirmed'], pendingSince: new Date(0) });
        return { updateOne: { filter: { _id: new Types.ObjectId(idOf.get(ref)), status: 'entered' }, update: { $set: set } } };
      });
      for (let i = 0; i < ops.length; i += 200) await Registration.collection.bulkWrite(ops.slice(i, i + 200) as never, { ordered: false });
      // a winner who cancelled after the close passes the place down the list
      const winnerIds = ranked.slice(0, g.capacity).map((ref) => new Types.ObjectId(idOf.get(ref)));
      const gone = await Registration.find({ _id: mongoose.trusted({ $in: winnerIds }), status: 'cancelled', drawRank: null }).lean<
        RegistrationDoc[]
      >();
      for (const c of gone) {
        const rank = ranked.indexOf(c.entryRef);
        await Registration.updateOne({ _id: c._id }, { $set: { drawRank: rank } });
        await registrations.offerNext({ ...c, drawRank: rank });
      }
    }
  }

  /** The fixed lists in chunks of CHUNK items; rewriting the same list is harmless (same ids). */
  async function writeChunks(eventId: Types.ObjectId, list: 'entries' | 'rank', groupId: string | null, items: string[][]) {
    const ops = [];
    for (let i = 0, index = 0; i === 0 || i < items.length; i += CHUNK, index++) {
      const _id = `${eventId}:${list}:${groupId ?? '-'}:${index}`;
      ops.push({
        replaceOne: {
          filter: { _id },
          replacement: { _id, eventId, list, groupId, index, items: items.slice(i, i + CHUNK) },
          upsert: true,
        },
      });
    }
    for (const op of ops) await DrawList.collection.bulkWrite([op] as never);
  }

  async function readChunks(eventId: Types.ObjectId, list: 'entries' | 'rank', groupId: string | null): Promise<string[][]> {
    const docs = await DrawList.find({ eventId, list, groupId }).sort({ index: 1 }).lean<DrawListDoc[]>();
    return docs.flatMap((d) => d.items);
  }

  // ---------- organiser ----------
  function eventFields(input: EventInput, now: Date) {
    const startAt = new Date(input.startAt);
    return {
      name: input.name,
      kind: input.kind,
      sport: input.sport,
      district: input.district,
      place: input.place,
      startAt,
      month: inShanghai(startAt).format('YYYY-MM'),
      description: input.description,
      registration: {
        mode: input.registration.mode,
        opensAt: new Date(input.registration.opensAt),
        closesAt: new Date(input.registration.closesAt),
        holdMinutes: input.registration.holdMinutes,
        paymentDeadline: input.registration.paymentDeadline ? new Date(input.registration.paymentDeadline) : null,
        offerHours: input.registration.offerHours,
      },
      refundPolicy: input.refundPolicy,
      transfer: { allowed: input.transfer.allowed, deadline: input.transfer.deadline ? new Date(input.transfer.deadline) : null },
      pledge: input.pledge,
      updatedAt: now,
    };
  }

  function groupDocs(eventId: Types.ObjectId, input: EventInput, rev: number): EventGroupDoc[] {
    return input.groups.map((g, order) => ({
      _id: new Types.ObjectId(),
      eventId,
      rev,
      order,
      name: g.name,
      distanceKm: g.distanceKm ?? null,
      capacity: g.capacity,
      remaining: input.registration.mode === 'lottery' ? LOTTERY_ENTRY_CEILING : g.capacity,
      applied: [],
      open: false,
      feeFen: g.feeFen,
      eligibility: g.eligibility,
      team: g.team ?? null,
      bibPrefix: g.bibPrefix,
      bibStart: g.bibStart,
      waitlistSize: g.waitlistSize ?? g.capacity,
    }));
  }

  async function create(actorId: string, input: EventInput) {
    const now = kernel.clock.now();
    const _id = new Types.ObjectId();
    const doc: EventDoc = {
      _id,
      organiserId: new Types.ObjectId(actorId),
      ...eventFields(input, now),
      status: 'draft',
      seedCommitment: null,
      sealedSeed: null,
      seed: null,
      entriesDigest: null,
      entriesCount: null,
      drawnAt: null,
      bibsAssignedAt: null,
      resultsImportedAt: null,
      createdAt: now,
      groupsRev: 0,
      groupsDraft: null,
      pending: [],
      pendingSince: null,
    };
    // the groups first: a crash before the event leaves groups no event shows, never an event without groups
    await EventGroup.collection.insertMany(groupDocs(_id, input, 0));
    kernel.crashPoint('event.create:after-groups');
    await SportEvent.collection.insertOne(doc);
    await kernel.audit(actorId, 'event.create', null, { eventId: String(_id), name: input.name, groups: input.groups.length });
    return detail(String(_id), { includeDraft: true });
  }

  /** The organiser's own event (admins: any); others' events look absent. */
  async function ownedEvent(actorId: string, eventId: string, isAdmin: boolean): Promise<EventDoc> {
    const e = await SportEvent.findOne({ _id: eventId, ...(isAdmin ? {} : { organiserId: new Types.ObjectId(actorId) }) }).lean<EventDoc>();
    if (!e) throw new AppError('EVENT_NOT_FOUND', 'no such event');
    return e;
  }

  async function update(actorId: string, e: EventDoc, input: EventInput, expectedRev?: number) {
    if (expectedRev !== undefined && expectedRev !== (e.groupsRev ?? 0))
      throw new AppError('EVENT_EDIT_CONFLICT', 'the event was edited since this page read it; reload', { rev: e.groupsRev ?? 0 });
    if (e.status !== 'draft' && e.status !== 'published')
      throw new AppError('EVENT_STATE_CONFLICT', 'an event can be edited until its registration opens');
    if (input.registration.mode !== e.registration.mode && e.status !== 'draft')
      throw new AppError('EVENT_STATE_CONFLICT', 'the registration mode is fixed once published');
    const now = kernel.clock.now();
    // no one can have registered yet (the window has not opened), so the groups are replaced: the
    // new generation rides in the same guarded update as the fields (the edit read this rev, so of
    // two edits made on the same page one wins) and `groups.replace` writes it, healed by the sweeper
    const rev = (e.groupsRev ?? 0) + 1;
    const won = await kernel.effects.transition<EventDoc>(
      EVENT_OWNER,
      { _id: e._id, status: e.status, ...(e.groupsRev === undefined ? { groupsRev: { $exists: false } } : { groupsRev: e.groupsRev }) },
      { ...eventFields(input, now), groupsRev: rev, groupsDraft: groupDocs(e._id, input, rev) },
      ['groups.replace'],
    );
    if (!won) throw new AppError('EVENT_EDIT_CONFLICT', 'the event changed meanwhile; reload');
    kernel.crashPoint('event.update:after-transition');
    await kernel.effects.finish(EVENT_OWNER, won);
    await kernel.audit(actorId, 'event.update', null, { eventId: String(e._id), status: e.status });
    return detail(String(e._id), { includeDraft: true });
  }

  async function changeStatus(actorId: string | 'system', e: EventDoc, action: 'publish' | 'open' | 'close' | 'finish') {
    const now = kernel.clock.now();
    if (e.pending?.includes('groups.replace')) await kernel.effects.finish(EVENT_OWNER, e);
    let won: EventDoc | null = null;
    if (action === 'publish') won = await move(e, 'draft', { status: 'published' }, []);
    if (action === 'open') {
      const seed = e.registration.mode === 'lottery' ? newSeed() : null;
      won = await move(
        e,
        'published',
        { status: 'registration_open', ...(seed ? { seedCommitment: commitmentOf(seed), sealedSeed: cipher.encrypt(seed) } : {}) },
        ['groups.open'],
      );
    }
    if (action === 'close') won = await move(e, 'registration_open', { status: 'closed' }, ['groups.close', 'close.digest']);
    if (action === 'finish') {
      won = await move(e, e.status === 'drawn' ? 'drawn' : 'closed', { status: 'finished' }, []);
    }
    if (!won) throw new AppError('EVENT_STATE_CONFLICT', `cannot ${action} a ${e.status} event`);
    await kernel.audit(actorId, `event.${action}`, null, { eventId: String(e._id), from: e.status, to: won.status, at: now.toISOString() });
    return detail(String(e._id), { includeDraft: true });
  }

  async function draw(actorId: string, e: EventDoc) {
    if (e.registration.mode !== 'lottery') throw new AppError('EVENT_STATE_CONFLICT', 'this event sells first come');
    if (e.status === 'drawn' || e.drawnAt) throw new AppError('DRAW_ALREADY_DONE', 'the draw has been made');
    if (e.status !== 'closed' || !e.entriesDigest) throw new AppError('DRAW_NOT_READY', 'the draw comes after the close');
    const seed = cipher.decrypt(e.sealedSeed!);
    const won = await move(e, 'closed', { status: 'drawn', seed, drawnAt: kernel.clock.now() }, ['draw.apply', 'event.drawn']);
    if (!won) throw new AppError('DRAW_ALREADY_DONE', 'the draw has been made');
    await kernel.audit(actorId, 'event.draw', null, { eventId: String(e._id), entries: e.entriesCount, entriesDigest: e.entriesDigest });
    return publicDraw(String(e._id));
  }

  /** The job: opens and closes registration windows on time (the same transitions the organiser makes). */
  async function runWindows(): Promise<{ opened: number; closed: number }> {
    const now = kernel.clock.now();
    const toOpen = await SportEvent.find({
      status: 'published',
      'registration.opensAt': mongoose.trusted({ $lte: now }),
      'registration.closesAt': mongoose.trusted({ $gt: now }),
    })
      .limit(MAX_BATCH)
      .lean<EventDoc[]>();
    const toClose = await SportEvent.find({ status: 'registration_open', 'registration.closesAt': mongoose.trusted({ $lte: now }) })
      .limit(MAX_BATCH)
      .lean<EventDoc[]>();
    const log = { logger: kernel.logger, job: 'event-windows' };
    const opened = await eachIsolated(toOpen, async (e) => void (await changeStatus('system', e, 'open')), log);
    const closed = await eachIsolated(toClose, async (e) => void (await changeStatus('system', e, 'close')), log);
    await kernel.effects.sweep(EVENT_OWNER);
    return { opened: opened.done, closed: closed.done };
  }

  // ---------- public ----------
  async function groupsOf(eventIds: Types.ObjectId[]) {
    const rows = await EventGroup.find({ eventId: mongoose.trusted({ $in: eventIds }) }, { applied: 0 })
      .sort({ order: 1 })
      .lean<EventGroupDoc[]>();
    const by = new Map<string, EventGroupDoc[]>();
    for (const g of rows) by.set(String(g.eventId), [...(by.get(String(g.eventId)) ?? []), g]);
    return by;
  }

  async function list(q: EventListQuery) {
    const filter: Record<string, unknown> = { status: q.status ?? mongoose.trusted({ $in: PUBLIC }) };
    if (q.status === 'draft') filter.status = '__none__';
    if (q.sport) filter.sport = q.sport;
    if (q.district) filter.district = q.district;
    if (q.month) filter.month = q.month;
    // a calendar: soonest first
    const page = await kernel.cursorPage<EventDoc, EventDoc>(SportEvent, filter, q, (e) => e, { field: 'startAt', direction: 1 });
    const groups = await groupsOf(page.items.map((e) => e._id));
    return { items: page.items.map((e) => summaryDto(e, groups.get(String(e._id)) ?? [])), nextCursor: page.nextCursor };
  }

  async function listOwn(actorId: string, isAdmin: boolean) {
    const rows = await SportEvent.find(isAdmin ? {} : { organiserId: new Types.ObjectId(actorId) })
      .sort({ _id: -1 })
      .limit(100)
      .lean<EventDoc[]>();
    const groups = await groupsOf(rows.map((e) => e._id));
    return { items: rows.map((e) => summaryDto(e, groups.get(String(e._id)) ?? [])), nextCursor: null };
  }

  async function findPublic(eventId: string, opts: { includeDraft?: boolean } = {}) {
    const e = await SportEvent.findOne({
      _id: eventId,
      ...(opts.includeDraft ? {} : { status: mongoose.trusted({ $in: PUBLIC }) }),
    }).lean<EventDoc>();
    if (!e) throw new AppError('EVENT_NOT_FOUND', 'no such event');
    return e;
  }

  async function detail(eventId: string, opts: { includeDraft?: boolean } = {}) {
    const e = await findPublic(eventId, opts);
    const groups = await groupsOf([e._id]);
    return detailDto(e, groups.get(String(e._id)) ?? []);
  }

  /** Lottery transparency: the commitment, the digest after the close, the seed and winners after the draw. */
  async function publicDraw(eventId: string) {
    const e = await findPublic(eventId);
    if (e.registration.mode !== 'lottery') throw new AppError('EVENT_NOT_FOUND', 'this event has no lottery');
    const groups = (await groupsOf([e._id])).get(String(e._id)) ?? [];
    const drawn = e.status === 'drawn' || (e.status === 'finished' && e.seed !== null);
    let winners: Record<string, string[]> | undefined;
    let waitlist: Record<string, string[]> | undefined;
    if (drawn) {
      winners = {};
      waitlist = {};
      for (const g of groups) {
        const ranked = (await readChunks(e._id, 'rank', String(g._id))).map((x) => x[0]);
        winners[String(g._id)] = ranked.slice(0, g.capacity);
        waitlist[String(g._id)] = ranked.slice(g.capacity);
      }
    }
    return {
      eventId: String(e._id),
      status: e.status,
      algorithm: DRAW_ALGORITHM,
      seedCommitment: e.seedCommitment,
      entriesDigest: e.entriesDigest,
      entriesCount: e.entriesCount,
      seed: drawn ? e.seed : null,
      drawnAt: e.drawnAt ? e.drawnAt.toISOString() : null,
      groups: groups.map((g) => ({ id: String(g._id), name: g.name, capacity: g.capacity, waitlistSize: g.waitlistSize })),
      ...(drawn ? { winners, waitlist } : {}),
    };
  }

  /** The entry list fixed at the close, page by page (a page is a stored chunk; the cursor names the next one). */
  async function drawEntries(eventId: string, q: { cursor?: string; limit: number }) {
    const e = await findPublic(eventId);
    if (e.registration.mode !== 'lottery' || !e.entriesDigest)
      throw new AppError('DRAW_NOT_READY', 'the entry list is published at the close');
    if (q.cursor !== undefined && !/^\d{1,6}$/.test(q.cursor))
      throw new AppError('VALIDATION_FAILED', 'bad cursor', [{ path: 'cursor', message: 'invalid' }]);
    const index = Number(q.cursor ?? 0);
    const chunk = await DrawList.findOne({ _id: `${e._id}:entries:-:${index}` }).lean<DrawListDoc>();
    const more = await DrawList.exists({ _id: `${e._id}:entries:-:${index + 1}` });
    return {
      items: (chunk?.items ?? []).map(([entryRef, groupId]) => ({ entryRef, groupId })),
      nextCursor: more ? String(index + 1) : null,
    };
  }

  const extras = createEventExtras(deps, { registrations });
  const after = createEventAfter(deps, { registrations });

  return {
    create,
    update,
    ownedEvent,
    changeStatus,
    draw,
    runWindows,
    list,
    listOwn,
    detail,
    publicDraw,
    drawEntries,
    registrations,
    ...extras,
    ...after,
    /** a Shanghai day at HH:mm, for tools */
    shanghaiTime,
  };
}
export type EventService = ReturnType<typeof createEventService>;
