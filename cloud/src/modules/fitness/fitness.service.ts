import { createHash, createHmac } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import {
  FITNESS_CONSENT_VERSION,
  FITNESS_MIN_CELL,
  GTB2003_TITLE,
  FitnessInputError,
  ageOnDate,
  assess,
  businessDay,
  identityFromIdNumber,
  itemsFor,
  maskName,
  shanghaiTime,
  type Assessment,
  type CreateFitnessBooking,
  type FitnessBooking as FitnessBookingDto,
  type FitnessReport as FitnessReportDto,
  type FitnessSlot as FitnessSlotDto,
  type FitnessStation as FitnessStationDto,
  type FitnessItem,
  FITNESS_ITEMS,
  type Measurements,
  type MeasurementKey,
  validateMeasurement,
} from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { isInjectedCrash } from '../../platform/crash';
import { emit } from '../../platform/outbox';
import type { Kernel } from '../../platform/kernel';
import type { FieldCipher } from '../../platform/crypto-field';
import type { TicketService } from '../ticket';
import { adviceFor } from './fitness.advice';
import {
  FitnessBooking,
  FitnessReport,
  FitnessSlot,
  FitnessStation,
  type FitnessBookingDoc,
  type FitnessReportDoc,
  type FitnessSlotDoc,
  type FitnessStationDoc,
} from './fitness.model';

export const FITNESS_SLOT = 'fitness_slot';
export const FITNESS_TICKET_SOURCE = 'fitness_test';
const STANDARD = 'GTB2003-adult' as const;
/** a `taking` booking older than this was left by a crash: the sweeper rolls it back */
export const FITNESS_TAKING_STALE_MS = 60_000;
/** how long an admin's slot claim on a station blocks others before a crash's claim may be taken over */
export const FITNESS_SLOTS_CLAIM_LEASE_MS = 30_000;
const SLOTS_CLAIM_WAIT_STEPS = 100;
const SLOTS_CLAIM_WAIT_MS = 50;

export interface FitnessDeps {
  kernel: Kernel;
  cipher: FieldCipher;
  /** keyed hashes (participant key) */
  secret: string;
  tickets: TicketService;
}

const bandOf = (age: number): '20-39' | '40-59' | null => (age >= 20 && age <= 39 ? '20-39' : age >= 40 && age <= 59 ? '40-59' : null);

function toInputError(err: unknown): never {
  if (err instanceof FitnessInputError)
    throw new AppError(err.reason === 'age_not_covered' ? 'FITNESS_AGE_NOT_SERVED' : 'FITNESS_MEASUREMENT_INVALID', err.message, {
      field: err.field,
      reason: err.reason,
    });
  throw err;
}

export function createFitnessService(deps: FitnessDeps) {
  const { kernel, cipher, tickets } = deps;
  const clock = kernel.clock;
  kernel.capacity.define(FITNESS_SLOT, { collection: 'fitness_slots', guard: { status: 'open' } });

  kernel.effects.define<FitnessBookingDoc>('fitness_booking', {
    collection: 'fitness_bookings',
    steps: {
      ticket: async (b) => {
        const station = await FitnessStation.findById(b.stationId).lean<FitnessStationDoc>();
        await tickets.issue({
          source: { kind: FITNESS_TICKET_SOURCE, id: String(b._id) },
          userId: String(b.userId),
          venueId: String(b.stationId),
          venueName: station?.name ?? '体质测试站',
          resourceName: '国民体质测试',
          sport: 'fitness',
          startAt: b.startAt,
          endAt: b.endAt,
          quantity: 1,
        });
      },
    },
  });

  kernel.effects.define<FitnessReportDoc>('fitness_report', {
    collection: 'fitness_reports',
    steps: {
      // the booking learns its report (idempotent: only checked_in → measured)
      booking: async (r) => {
        await kernel.transition<FitnessBookingDoc>(
          'fitness_bookings',
          { _id: r.bookingId, status: 'checked_in' },
          { $set: { status: 'measured', reportId: r._id } },
        );
      },
      event: async (r) => {
        await emit(
          'fitness.report_issued',
          {
            reportId: String(r._id),
            standard: r.standard,
            ageGroup: r.ageGroup,
            sex: r.sex,
            district: r.district,
            testMonth: r.testDate.slice(0, 7),
            items: r.items.map((i) => ({ item: i.item, score: i.score })),
            total: r.total,
            grade: r.grade,
            revision: r.revision,
          },
          { eventId: `fitness.report_issued:${r._id}:${r.revision}`, occurredAt: r.updatedAt },
        );
      },
    },
  });

  const participantKey = (idNumber: string) =>
    createHmac('sha256', deps.secret).update(`fitness-participant:${idNumber.toUpperCase()}`).digest('base64url');
  const requestHash = (input: unknown) => createHash('sha256').update(JSON.stringify(input)).digest('hex');

  // ---------- stations and slots ----------

  function stationDto(s: FitnessStationDoc): FitnessStationDto {
    return {
      id: String(s._id),
      name: s.name,
      district: s.district,
      address: s.address,
      hours: s.hours,
      ageBands: s.ageBands,
      items: s.items,
    };
  }
  function slotDto(s: FitnessSlotDoc): FitnessSlotDto {
    return {
      id: String(s._id),
      stationId: String(s.stationId),
      date: s.date,
      startAt: s.startAt.toISOString(),
      endAt: s.endAt.toISOString(),
      capacity: s.capacity,
      remaining: s.remaining,
    };
  }

  /** every item the served bands take, in report order */
  const itemsOfBands = (bands: readonly ('20-39' | '40-59')[]): FitnessItem[] => {
    const want = new Set<FitnessItem>();
    for (const b of bands) for (const sex of ['M', 'F'] as const) for (const i of itemsFor(sex, b === '20-39' ? 30 : 50)) want.add(i);
    return FITNESS_ITEMS.filter((i) => want.has(i));
  };
  function checkItems(bands: readonly ('20-39' | '40-59')[], items: readonly FitnessItem[] | undefined): FitnessItem[] {
    const need = itemsOfBands(bands);
    if (!items) return need;
    const missing = need.filter((i) => !items.includes(i));
    const extra = items.filter((i) => !need.includes(i));
    if (missing.length || extra.length)
      throw new AppError('FITNESS_STATION_INVALID', 'the items must be exactly those the served age groups take', { missing, extra });
    return need;
  }

  /** admin / demo set-up (audited) */
  async function createStation(actorId: string | 'system', input: Omit<FitnessStationDto, 'id' | 'items'> & { items?: FitnessItem[] }) {
    const items = checkItems(input.ageBands, input.items);
    const now = clock.now();
    const doc = await FitnessStation.create({ ...input, items, createdAt: now, updatedAt: now });
    await kernel.audit(actorId, 'fitness.station.create', null, { stationId: String(doc._id), name: input.name, ageBands: input.ageBands });
    return stationDto(doc.toObject());
  }

  async function updateStation(actorId: string, stationId: string, input: Partial<Omit<FitnessStationDto, 'id'>>) {
    const cur = await FitnessStation.findById(stationId).lean<FitnessStationDoc>();
    if (!cur) throw new AppError('FITNESS_STATION_NOT_FOUND', 'no such station');
    const bands = input.ageBands ?? cur.ageBands;
    // changing the groups served re-derives the items unless they are given
    const items = checkItems(bands, input.items ?? (input.ageBands ? undefined : cur.items));
    const set = { ...input, ageBands: bands, items, updatedAt: clock.now() };
    const after = await FitnessStation.findOneAndUpdate({ _id: cur._id }, { $set: set }, { new: true }).lean<FitnessStationDoc>();
    const changed = Object.fromEntries(
      Object.keys(input).map((k) => [k, { before: cur[k as keyof FitnessStationDoc], after: after![k as keyof FitnessStationDoc] }]),
    );
    await kernel.audit(actorId, 'fitness.station.update', null, { stationId, changed });
    return stationDto(after!);
  }

  /** the admin's slots: in the future, end after start, at most 8 hours, overlapping neither each other nor the station's open slots */
  async function addSlots(actorId: string, stationId: string, input: { startAt: string; endAt: string; capacity: number }[]) {
    if (!(await stationExists(stationId))) throw new AppError('FITNESS_STATION_NOT_FOUND', 'no such station');
    const now = clock.now().getTime();
    const slots = input
      .map((x, index) => ({ index, startAt: new Date(x.startAt), endAt: new Date(x.endAt), capacity: x.capacity }))
      .sort((a, b) => a.startAt.getTime() - b.startAt.getTime());
    for (const [k, x] of slots.entries()) {
      const len = x.endAt.getTime() - x.startAt.getTime();
      if (x.startAt.getTime() <= now || len <= 0 || len > 8 * 3600_000)
        throw new AppError('FITNESS_SLOT_INVALID', 'a slot must be in the future, end after it starts and last at most 8 hours', {
          index: x.index,
        });
      if (k > 0 && slots[k - 1].endAt.getTime() > x.startAt.getTime())
        throw new AppError('FITNESS_SLOT_INVALID', 'two of the new slots overlap', { index: x.index });
    }
    const check = async () => {
      const existing = await FitnessSlot.find({
        stationId: new Types.ObjectId(stationId),
        status: 'open',
        startAt: mongoose.trusted({ $lt: slots[slots.length - 1].endAt }),
        endAt: mongoose.trusted({ $gt: slots[0].startAt }),
      })
        .limit(1000)
        .lean<FitnessSlotDoc[]>();
      const hit = existing.find((e) => slots.some((x) => x.startAt < e.endAt && x.endAt > e.startAt));
      if (hit) throw new AppError('FITNESS_SLOT_INVALID', 'a new slot overlaps an existing one', { existing: String(hit._id) });
    };
    return withSlotsClaim(stationId, check, async () => {
      kernel.crashPoint('fitness.slots:after-claim');
      try {
        return await createSlots(actorId, stationId, slots);
      } catch (err) {
        if ((err as { code?: number }).code === 11000) throw new AppError('FITNESS_SLOT_INVALID', 'a slot at this time exists');
        throw err;
      }
    });
  }

  /**
   * The station's slot claim, so two admins cannot both pass the overlap check (read-then-insert).
   * The station carries `slotsRev`, bumped each time an admin's slots are in, and `slotsClaim`, a
   * lease held while they are inserted. An attempt reads the station, checks the open slots, then
   * takes the claim with the kernel's guarded transition naming the revision it checked against: if
   * another admin inserted meanwhile (revision moved) or is inserting (claim held), the claim is
   * refused and the attempt checks again. A claim left by a crash blocks only until its lease passes;
   * an attempt that waits too long answers CONFLICT.
   */
  async function withSlotsClaim<R>(stationId: string, check: () => Promise<void>, work: () => Promise<R>): Promise<R> {
    const _id = new Types.ObjectId(stationId);
    const owner = String(new Types.ObjectId());
    for (let step = 0; step < SLOTS_CLAIM_WAIT_STEPS; step++) {
      const now = clock.now();
      const cur = await FitnessStation.collection.findOne({ _id }, { projection: { slotsRev: 1, slotsClaim: 1 } });
      if (!cur) throw new AppError('FITNESS_STATION_NOT_FOUND', 'no such station');
      const claim = cur.slotsClaim as FitnessStationDoc['slotsClaim'];
      if (claim && claim.until > now) {
        await new Promise((r) => setTimeout(r, SLOTS_CLAIM_WAIT_MS));
        continue;
      }
      await check();
      const got = await kernel.transition<FitnessStationDoc>(
        'fitness_stations',
        { _id, slotsRev: (cur.slotsRev as number | undefined) ?? null, $or: [{ slotsClaim: null }, { 'slotsClaim.until': { $lte: now } }] },
        { $set: { slotsClaim: { owner, until: new Date(now.getTime() + FITNESS_SLOTS_CLAIM_LEASE_MS) } } },
      );
      if (!got) continue; // another admin's slots went in (or are going in) since the check: check again
      let result: R;
      try {
        result = await work();
      } catch (err) {
        if (!isInjectedCrash(err)) await letGo(_id, owner); // a crash leaves its claim until the lease ends
        throw err;
      }
      await letGo(_id, owner);
      return result;
    }
    throw new AppError('CONFLICT', 'another change to this station’s slots is in progress; please try again');
  }
  /** lets go of this attempt's claim only (a claim taken over after its lease belongs to another) */
  async function letGo(_id: Types.ObjectId, owner: string) {
    await FitnessStation.collection.updateOne({ _id, 'slotsClaim.owner': owner }, { $set: { slotsClaim: null }, $inc: { slotsRev: 1 } });
  }

  async function createSlots(actorId: string | 'system', stationId: string, slots: { startAt: Date; endAt: Date; capacity: number }[]) {
    const docs = slots.map((s) => ({
      _id: new Types.ObjectId(),
      stationId: new Types.ObjectId(stationId),
      date: businessDay(s.startAt),
      startAt: s.startAt,
      endAt: s.endAt,
      capacity: s.capacity,
      remaining: s.capacity,
      status: 'open' as const,
      applied: [],
    }));
    await FitnessSlot.insertMany(docs);
    await kernel.audit(actorId, 'fitness.slots.create', null, { stationId, count: docs.length });
    return docs.map(slotDto);
  }

  async function stations() {
    const rows = await FitnessStation.find({}).sort({ _id: 1 }).limit(200).lean<FitnessStationDoc[]>();
    return rows.map(stationDto);
  }

  async function stationExists(id: string) {
    return Types.ObjectId.isValid(id) && (await FitnessStation.exists({ _id: new Types.ObjectId(id) })) !== null;
  }

  async function slots(stationId: string, date: string) {
    if (!(await stationExists(stationId))) throw new AppError('FITNESS_STATION_NOT_FOUND', 'no such station');
    const rows = await FitnessSlot.find({ stationId: new Types.ObjectId(stationId), date, status: 'open' })
      .sort({ startAt: 1 })
      .limit(100)
      .lean<FitnessSlotDoc[]>();
    return rows.map(slotDto);
  }

  // ---------- bookings ----------

  async function bookingDto(b: FitnessBookingDoc): Promise<FitnessBookingDto> {
    const station = await FitnessStation.findById(b.stationId).lean<FitnessStationDoc>();
    return {
      id: String(b._id),
      stationId: String(b.stationId),
      stationName: station?.name ?? '',
      slotId: String(b.slotId),
      startAt: b.startAt.toISOString(),
      endAt: b.endAt.toISOString(),
      status: b.status as FitnessBookingDto['status'],
      participantName: maskName(cipher.decrypt(b.participantNameSealed)),
      sex: b.sex,
      ageOnTestDay: b.ageOnTestDay,
      consentVersion: b.consent.version,
      reportId: b.reportId ? String(b.reportId) : null,
    };
  }

  async function ticketOf(userId: string, bookingId: string) {
    return (await tickets.mine(userId)).find((t) => t.source.kind === FITNESS_TICKET_SOURCE && t.source.id === bookingId) ?? null;
  }

  async function place(userId: string, input: CreateFitnessBooking, requestKey: string | null): Promise<FitnessBookingDoc> {
    // consent first: nothing about the person is looked at or stored without it
    if (!input.consent || input.consent.healthData !== true || input.consent.version !== FITNESS_CONSENT_VERSION)
      throw new AppError('CONSENT_REQUIRED', 'the separate consent to collect health data is required', {
        consent: 'health_data',
        version: FITNESS_CONSENT_VERSION,
      });
    const slot = await FitnessSlot.findById(input.slotId).lean<FitnessSlotDoc>();
    if (!slot || slot.status !== 'open') throw new AppError('FITNESS_SLOT_NOT_FOUND', 'no such slot');
    if (slot.startAt.getTime() <= clock.now().getTime()) throw new AppError('SLOT_STARTED', 'this slot has started');
    const station = await FitnessStation.findById(slot.stationId).lean<FitnessStationDoc>();
    if (!station) throw new AppError('FITNESS_STATION_NOT_FOUND', 'no such station');
    const who = identityFromIdNumber(input.participant.idNumber);
    const age = ageOnDate(who.birthDate, slot.date);
    if (age < 14) {
      const g = input.guardianConsent;
      if (!g || g.given !== true || g.version !== FITNESS_CONSENT_VERSION)
        throw new AppError('CONSENT_REQUIRED', 'a guardian must consent for a participant under 14', {
          consent: 'guardian',
          version: FITNESS_CONSENT_VERSION,
        });
    }
    const band = bandOf(age);
    if (!band || !station.ageBands.includes(band))
      throw new AppError('FITNESS_AGE_NOT_SERVED', 'this station does not test this age', { age, served: station.ageBands });

    const now = clock.now();
    const booking: FitnessBookingDoc = {
      _id: new Types.ObjectId(),
      userId: new Types.ObjectId(userId),
      stationId: station._id,
      slotId: slot._id,
      startAt: slot.startAt,
      endAt: slot.endAt,
      status: 'taking',
      requestKey,
      participantKey: participantKey(input.participant.idNumber),
      participantNameSealed: cipher.encrypt(input.participant.name),
      participantIdSealed: cipher.encrypt(input.participant.idNumber.toUpperCase()),
      sex: who.sex,
      ageOnTestDay: age,
      consent: { healthData: true, version: input.consent.version, at: now },
      guardianConsent: input.guardianConsent
        ? {
            guardianName: input.guardianConsent.guardianName,
            relation: input.guardianConsent.relation,
            version: input.guardianConsent.version,
            at: now,
          }
        : null,
      reportId: null,
      createdAt: now,
    };
    // inserted as `taking` BEFORE the place is taken, so a crash never leaks a place without a trace
    try {
      await FitnessBooking.collection.insertOne(booking as never);
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new AppError('FITNESS_ALREADY_BOOKED', 'this person already has this slot');
      throw err;
    }
    kernel.crashPoint('fitness.book:after-insert');
    const took = await kernel.capacity.take(FITNESS_SLOT, slot._id, 1, { holder: String(booking._id) });
    if (!took) {
      await fail(booking);
      throw new AppError('FITNESS_SLOT_FULL', 'this slot is full');
    }
    kernel.crashPoint('fitness.book:after-take');
    const won = await kernel.effects.transition<FitnessBookingDoc>(
      'fitness_booking',
      { _id: booking._id, status: 'taking' },
      { status: 'booked' },
      ['ticket'],
    );
    if (!won) throw new AppError('CONFLICT', 'the booking was rolled back meanwhile; please try again');
    await kernel.effects.finish('fitness_booking', won);
    return won;
  }

  /** a booking that did not get its place: frees the participant key so the person can try again */
  async function fail(b: Pick<FitnessBookingDoc, '_id' | 'participantKey'>) {
    await FitnessBooking.updateOne(
      { _id: b._id, status: 'taking' },
      { $set: { status: 'failed', participantKey: `${b.participantKey}:failed:${b._id}` } },
    );
  }

  async function book(userId: string, input: CreateFitnessBooking, idempotencyKey?: string) {
    const run = async () => {
      if (idempotencyKey) {
        const earlier = await FitnessBooking.findOne({
          userId,
          requestKey: idempotencyKey,
          status: mongoose.trusted({ $ne: 'failed' }),
        }).lean<FitnessBookingDoc>();
        if (earlier?.status === 'taking') throw new AppError('CONFLICT', 'the first attempt is still being rolled back; please try again');
        if (earlier) return { bookingId: String(earlier._id) };
      }
      return { bookingId: String((await place(userId, input, idempotencyKey ?? null))._id) };
    };
    const { result, replayed } = idempotencyKey
      ? await kernel.claimOnce('fitness_booking', userId, idempotencyKey, requestHash(input), run)
      : { result: await run(), replayed: false };
    const b = (await FitnessBooking.findById(result.bookingId).lean<FitnessBookingDoc>())!;
    return { booking: await bookingDto(b), ticket: await ticketOf(userId, result.bookingId), replayed };
  }

  async function myBookings(userId: string) {
    const rows = await FitnessBooking.find({ userId, status: mongoose.trusted({ $in: ['booked', 'checked_in', 'measured'] }) })
      .sort({ startAt: -1 })
      .limit(50)
      .lean<FitnessBookingDoc[]>();
    return Promise.all(rows.map(bookingDto));
  }

  /** ticket source: the ticket was scanned at the station */
  async function markCheckedIn(bookingId: string) {
    await kernel.transition<FitnessBookingDoc>(
      'fitness_bookings',
      { _id: new Types.ObjectId(bookingId), status: 'booked' },
      { $set: { status: 'checked_in' } },
    );
  }

  /** the sweeper: stale `taking` bookings rolled back exactly (give-back is exactly-once), then unfinished effects */
  async function heal() {
    const cutoff = new Date(clock.now().getTime() - FITNESS_TAKING_STALE_MS);
    const stale = await FitnessBooking.find({ status: 'taking', createdAt: mongoose.trusted({ $lte: cutoff }) })
      .limit(200)
      .lean<FitnessBookingDoc[]>();
    for (const b of stale) {
      await kernel.capacity.giveBack(FITNESS_SLOT, b.slotId, 1, { holder: String(b._id) });
      await fail(b);
    }
    const a = await kernel.effects.sweep('fitness_booking');
    const r = await kernel.effects.sweep('fitness_report');
    return { rolledBack: stale.length, healed: a.healed + r.healed };
  }

  // ---------- measuring ----------

  function score(b: Pick<FitnessBookingDoc, 'sex' | 'ageOnTestDay'>, measurements: Measurements): Assessment {
    try {
      return assess({ standard: STANDARD, sex: b.sex, age: b.ageOnTestDay, measurements, strict: true });
    } catch (err) {
      return toInputError(err);
    }
  }

  /**
   * A station's entry. With an Idempotency-Key (the staff device's queued entry, resubmitted when back
   * online) the same entry answers the same report however often it arrives: the kernel's claim
   * replays the first result, the ticket scan reuses the key as its nonce, and a report already stored
   * under the key (a crash between the insert and the claim's end) is found rather than refused.
   * Another entry for a booking that has a report → FITNESS_ALREADY_MEASURED with the report's id.
   */
  async function submitResult(
    staffId: string,
    input: { stationId: string; ticketCode?: string; bookingId?: string; measurements: Measurements },
  ) {
    return enter(staffId, input, null);
  }

  async function submitEntry(
    staffId: string,
    input: { stationId: string; ticketCode?: string; bookingId?: string; measurements: Measurements },
    idempotencyKey: string,
  ) {
    const { result, replayed } = await kernel.claimOnce('fitness_result', staffId, idempotencyKey, requestHash(input), async () => ({
      reportId: (await enter(staffId, input, idempotencyKey)).id,
    }));
    const r = (await FitnessReport.findById(result.reportId).lean<FitnessReportDoc>())!;
    const [b, s] = await Promise.all([
      FitnessBooking.findById(r.bookingId).lean<FitnessBookingDoc>(),
      FitnessStation.findById(r.stationId).lean<FitnessStationDoc>(),
    ]);
    return { report: reportDto(r, b!, s!), replayed };
  }

  async function enter(
    staffId: string,
    input: { stationId: string; ticketCode?: string; bookingId?: string; measurements: Measurements },
    entryKey: string | null,
  ) {
    const station = await FitnessStation.findById(input.stationId).lean<FitnessStationDoc>();
    if (!station) throw new AppError('FITNESS_STATION_NOT_FOUND', 'no such station');
    let bookingId = input.bookingId;
    // impossible values are refused before the ticket is scanned (the group's own items are checked after)
    try {
      for (const [key, v] of Object.entries(input.measurements)) validateMeasurement(key as MeasurementKey, v);
    } catch (err) {
      toInputError(err);
    }
    if (input.ticketCode) {
      const admitted = await tickets.verify(staffId, {
        code: input.ticketCode,
        venueId: input.stationId,
        // the scan's nonce names this exact entry: a key reused for another ticket, person or station
        // (after a failed first attempt let go of the key) is a new scan, never a replay of the first ticket
        ...(entryKey ? { nonce: `fit-${entryKey}-${requestHash(input).slice(0, 32)}` } : {}),
      });
      if (admitted.ticket.source.kind !== FITNESS_TICKET_SOURCE) throw new AppError('TICKET_INVALID', 'not a fitness-test ticket');
      bookingId = admitted.ticket.source.id;
      kernel.crashPoint('fitness.result:after-scan');
      await markCheckedIn(bookingId);
    }
    const booking = await FitnessBooking.findOne({ _id: new Types.ObjectId(bookingId!), stationId: station._id }).lean<FitnessBookingDoc>();
    if (!booking || booking.status === 'taking' || booking.status === 'failed')
      throw new AppError('FITNESS_BOOKING_NOT_FOUND', 'no such booking at this station');
    if (booking.status === 'booked') throw new AppError('FITNESS_NOT_CHECKED_IN', 'scan the ticket first');
    if (booking.status === 'measured' || booking.reportId) {
      const existing = await FitnessReport.findOne({ bookingId: booking._id }).lean<FitnessReportDoc>();
      if (existing && entryKey && existing.entryKey === entryKey && String(existing.enteredBy) === staffId)
        return reportDto(existing, booking, station);
      throw new AppError('FITNESS_ALREADY_MEASURED', 'this booking has a report; correct it instead', {
        reportId: String(existing?._id ?? booking.reportId),
        revision: existing?.revision ?? null,
        total: existing?.total ?? null,
      });
    }
    const result = score(booking, input.measurements);
    const now = clock.now();
    const report: FitnessReportDoc = {
      _id: new Types.ObjectId(),
      bookingId: booking._id,
      userId: booking.userId,
      stationId: station._id,
      district: station.district,
      testDate: businessDay(booking.startAt),
      standard: STANDARD,
      sex: booking.sex,
      age: booking.ageOnTestDay,
      ageGroup: result.ageGroup,
      measurementsSealed: cipher.encrypt(JSON.stringify(input.measurements)),
      items: result.items,
      total: result.total,
      maxTotal: result.maxTotal,
      grade: result.grade,
      gradeWithheld: result.gradeWithheld ?? null,
      enteredBy: new Types.ObjectId(staffId),
      entryKey,
      revision: 1,
      createdAt: now,
      updatedAt: now,
      // what the report still owes, recorded with it: the booking's state and the data-centre event
      pending: ['booking', 'event'],
      pendingSince: now,
    };
    try {
      await FitnessReport.collection.insertOne(report as never);
    } catch (err) {
      if ((err as { code?: number }).code === 11000) {
        // a concurrent entry for the same booking won: the same entry (key) answers its report, another is a conflict
        const existing = await FitnessReport.findOne({ bookingId: booking._id }).lean<FitnessReportDoc>();
        if (existing && entryKey && existing.entryKey === entryKey && String(existing.enteredBy) === staffId)
          return reportDto(existing, booking, station);
        throw new AppError('FITNESS_ALREADY_MEASURED', 'this booking already has a report', {
          reportId: existing ? String(existing._id) : null,
          revision: existing?.revision ?? null,
          total: existing?.total ?? null,
        });
      }
      throw err;
    }
    await kernel.audit(staffId, 'fitness.result.enter', String(booking.userId), {
      reportId: String(report._id),
      stationId: input.stationId,
    });
    kernel.crashPoint('fitness.result:after-insert');
    await kernel.effects.finish('fitness_report', report);
    return reportDto(report, booking, station);
  }

  async function correct(staffId: string, reportId: string, input: { measurements: Measurements; reason: string }) {
    const r = await FitnessReport.findById(reportId).lean<FitnessReportDoc>();
    if (!r) throw new AppError('FITNESS_REPORT_NOT_FOUND', 'no such report');
    const booking = (await FitnessBooking.findById(r.bookingId).lean<FitnessBookingDoc>())!;
    const before: Measurements = JSON.parse(cipher.decrypt(r.measurementsSealed));
    const merged: Measurements = { ...before, ...input.measurements };
    const result = score(booking, merged);
    const won = await kernel.effects.transition<FitnessReportDoc>(
      'fitness_report',
      { _id: r._id, revision: r.revision },
      {
        measurementsSealed: cipher.encrypt(JSON.stringify(merged)),
        items: result.items,
        total: result.total,
        grade: result.grade,
        gradeWithheld: result.gradeWithheld ?? null,
        revision: r.revision + 1,
        updatedAt: clock.now(),
      },
      ['event'],
    );
    if (!won) throw new AppError('CONFLICT', 'the report changed meanwhile; reload and try again');
    await kernel.audit(staffId, 'fitness.result.correct', String(r.userId), {
      reportId,
      revision: won.revision,
      fields: Object.keys(input.measurements),
      reason: input.reason,
      totalBefore: r.total,
      totalAfter: won.total,
      gradeBefore: r.grade,
      gradeAfter: won.grade,
    });
    await kernel.effects.finish('fitness_report', won);
    const station = (await FitnessStation.findById(r.stationId).lean<FitnessStationDoc>())!;
    return reportDto(won, booking, station);
  }

  /**
   * A result measured before this system (a past year's monitoring record, the demo's history):
   * stored as a measured booking and its report, scored by the engine, audited.
   */
  async function importPastResult(
    actorId: string | 'system',
    input: {
      userId: string;
      stationId: string;
      participant: { name: string; idNumber: string };
      testDate: string;
      measurements: Measurements;
    },
  ) {
    const station = await FitnessStation.findById(input.stationId).lean<FitnessStationDoc>();
    if (!station) throw new AppError('FITNESS_STATION_NOT_FOUND', 'no such station');
    const who = identityFromIdNumber(input.participant.idNumber);
    const age = ageOnDate(who.birthDate, input.testDate);
    const result = score({ sex: who.sex, ageOnTestDay: age }, input.measurements);
    const at = shanghaiTime(input.testDate, '09:00');
    const bookingId = new Types.ObjectId();
    const reportId = new Types.ObjectId();
    await FitnessBooking.collection.insertOne({
      _id: bookingId,
      userId: new Types.ObjectId(input.userId),
      stationId: station._id,
      slotId: new Types.ObjectId(),
      startAt: at,
      endAt: new Date(at.getTime() + 3600_000),
      status: 'measured',
      requestKey: null,
      participantKey: `${participantKey(input.participant.idNumber)}:import:${input.testDate}`,
      participantNameSealed: cipher.encrypt(input.participant.name),
      participantIdSealed: cipher.encrypt(input.participant.idNumber.toUpperCase()),
      sex: who.sex,
      ageOnTestDay: age,
      consent: { healthData: true, version: FITNESS_CONSENT_VERSION, at },
      guardianConsent: null,
      reportId,
      createdAt: at,
    } as never);
    await FitnessReport.collection.insertOne({
      _id: reportId,
      bookingId,
      userId: new Types.ObjectId(input.userId),
      stationId: station._id,
      district: station.district,
      testDate: input.testDate,
      standard: STANDARD,
      sex: who.sex,
      age,
      ageGroup: result.ageGroup,
      measurementsSealed: cipher.encrypt(JSON.stringify(input.measurements)),
      items: result.items,
      total: result.total,
      maxTotal: result.maxTotal,
      grade: result.grade,
      gradeWithheld: result.gradeWithheld ?? null,
      enteredBy: new Types.ObjectId(),
      revision: 1,
      createdAt: at,
      updatedAt: at,
    } as never);
    await kernel.audit(actorId, 'fitness.result.import', input.userId, { reportId: String(reportId), testDate: input.testDate });
    return String(reportId);
  }

  async function stationOfReport(reportId: string) {
    const r = await FitnessReport.findById(reportId, { stationId: 1 }).lean<Pick<FitnessReportDoc, 'stationId'>>();
    if (!r) throw new AppError('FITNESS_REPORT_NOT_FOUND', 'no such report');
    return String(r.stationId);
  }

  /** what a station's staff entered on a day (their own station only) */
  async function entries(stationId: string, date: string) {
    const rows = await FitnessReport.find({ stationId: new Types.ObjectId(stationId), testDate: date })
      .sort({ _id: 1 })
      .limit(500)
      .lean<FitnessReportDoc[]>();
    return rows.map((r) => ({
      reportId: String(r._id),
      bookingId: String(r.bookingId),
      sex: r.sex,
      ageGroup: r.ageGroup,
      total: r.total,
      grade: r.grade,
      revision: r.revision,
    }));
  }

  // ---------- reports ----------

  function reportDto(r: FitnessReportDoc, b: FitnessBookingDoc, s: FitnessStationDoc): FitnessReportDto {
    return {
      id: String(r._id),
      standard: STANDARD,
      standardTitle: GTB2003_TITLE,
      stationName: s.name,
      testDate: r.testDate,
      sex: r.sex,
      age: r.age,
      ageGroup: r.ageGroup as FitnessReportDto['ageGroup'],
      participantName: maskName(cipher.decrypt(b.participantNameSealed)),
      items: r.items,
      total: r.total,
      maxTotal: r.maxTotal,
      grade: r.grade,
      ...(r.gradeWithheld ? { gradeWithheld: r.gradeWithheld } : {}),
      advice: adviceFor(r.items),
      revision: r.revision,
    };
  }

  async function reportMine(userId: string, reportId: string) {
    // another user's report is "not found": its existence is not disclosed
    const r = await FitnessReport.findOne({
      _id: new Types.ObjectId(reportId),
      userId: new Types.ObjectId(userId),
    }).lean<FitnessReportDoc>();
    if (!r) throw new AppError('FITNESS_REPORT_NOT_FOUND', 'no such report');
    const [b, s] = await Promise.all([
      FitnessBooking.findById(r.bookingId).lean<FitnessBookingDoc>(),
      FitnessStation.findById(r.stationId).lean<FitnessStationDoc>(),
    ]);
    return reportDto(r, b!, s!);
  }

  async function reportsMine(userId: string) {
    const rows = await FitnessReport.find({ userId: new Types.ObjectId(userId) })
      .sort({ testDate: -1, _id: -1 })
      .limit(50)
      .lean<FitnessReportDoc[]>();
    const names = new Map<string, string>();
    for (const s of await FitnessStation.find({
      _id: mongoose.trusted({ $in: [...new Set(rows.map((r) => String(r.stationId)))].map((id) => new Types.ObjectId(id)) }),
    }).lean<FitnessStationDoc[]>())
      names.set(String(s._id), s.name);
    return rows.map((r) => ({
      id: String(r._id),
      testDate: r.testDate,
      stationName: names.get(String(r.stationId)) ?? '',
      standard: r.standard,
      ageGroup: r.ageGroup,
      total: r.total,
      maxTotal: r.maxTotal,
      grade: r.grade,
      items: r.items.map((i) => ({ item: i.item, score: i.score })),
    }));
  }

  // ---------- bureau analysis ----------

  async function analysis(q: { district?: string; ageGroup?: string; sex?: 'M' | 'F'; from?: string; to?: string }) {
    const filter: Record<string, unknown> = {};
    if (q.district) filter.district = q.district;
    if (q.ageGroup) filter.ageGroup = q.ageGroup;
    if (q.sex) filter.sex = q.sex;
    if (q.from || q.to) filter.testDate = mongoose.trusted({ ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lte: q.to } : {}) });
    const rows = await FitnessReport.find(filter, { district: 1, sex: 1, ageGroup: 1, grade: 1, items: 1 })
      .limit(100_000)
      .lean<FitnessReportDoc[]>();
    const groups = new Map<string, FitnessReportDoc[]>();
    for (const r of rows) {
      const k = `${r.district}|${r.sex}|${r.ageGroup}`;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    const cell = (n: number) => (n < FITNESS_MIN_CELL ? null : n);
    const out = [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, rs]) => {
        const [district, sex, ageGroup] = k.split('|');
        if (rs.length < FITNESS_MIN_CELL) return { district, sex, ageGroup, count: null, suppressed: true, grades: null, itemMeans: null };
        const grades = { excellent: 0, good: 0, pass: 0, fail: 0, none: 0 };
        const sums = new Map<string, { sum: number; n: number }>();
        for (const r of rs) {
          grades[(r.grade ?? 'none') as keyof typeof grades]++;
          for (const i of r.items)
            if (i.score !== null) {
              const s = sums.get(i.item) ?? { sum: 0, n: 0 };
              sums.set(i.item, { sum: s.sum + i.score, n: s.n + 1 });
            }
        }
        return {
          district,
          sex,
          ageGroup,
          count: rs.length,
          suppressed: false,
          grades: Object.fromEntries(Object.entries(grades).map(([g, n]) => [g, cell(n)])),
          itemMeans: Object.fromEntries(
            [...sums.entries()]
              .filter(([, s]) => s.n >= FITNESS_MIN_CELL)
              .map(([item, s]) => [item, Math.round((s.sum / s.n) * 100) / 100]),
          ),
        };
      });
    return { standard: STANDARD, minCell: FITNESS_MIN_CELL, groups: out };
  }

  return {
    createStation,
    updateStation,
    createSlots,
    addSlots,
    stations,
    stationExists,
    slots,
    book,
    myBookings,
    markCheckedIn,
    heal,
    submitResult,
    submitEntry,
    correct,
    stationOfReport,
    importPastResult,
    entries,
    reportMine,
    reportsMine,
    analysis,
  };
}
export type FitnessService = ReturnType<typeof createFitnessService>;
