import { createHash, randomUUID } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import {
  TICKET_ACCEPT_STEPS,
  TICKET_OPENS_MINUTES_BEFORE,
  TICKET_STEP_SECONDS,
  VERIFICATION_RESULT_OF_ERROR,
  businessDay,
  checkTicketTimes,
  maskName,
  shanghaiTime,
  type ErrorCode,
  type Ticket as TicketDto,
} from '@citysport/shared';
import { AppError, onlyDuplicateKeys } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import type { Clock } from '../../platform/clock';
import type { Pseudonymizer } from '../../platform/pseudonym';
import type { TicketSigner } from '../../platform/ticket-signer';
import type { Kernel } from '../../platform/kernel';
import { createShortCodes } from './ticket.shortcode';
import { createTicketTransfers } from './ticket.transfer';
import { Ticket, Verification, type TicketDoc, type TicketSource, type VerificationDoc } from './ticket.model';

/** What a source module tells tickets when what it sold admits people (a confirmed booking, …). */
export interface AdmissionSource {
  source: TicketSource;
  userId: string;
  venueId: string;
  venueName: string;
  resourceName: string;
  sport: TicketDto['sport'];
  startAt: Date;
  endAt: Date;
  quantity: number;
  /** who each seat admits, in seat order (同行人); unnamed seats carry the holder's name */
  entrants?: string[];
}

/** What a source module registers (ARCHITECTURE.md, "Module descriptors"): tickets know no domain. */
export interface TicketSourceHandlers {
  /** someone was admitted on a ticket of this source (e.g. the booking becomes used); must be idempotent */
  onAdmitted(sourceId: string): Promise<unknown>;
}

const RESULT_OF: Partial<Record<ErrorCode, string>> = VERIFICATION_RESULT_OF_ERROR;

/** What one scan read, to tell a retry of a scan id from another code sent under the same id. */
function scanHashOf(venueId: string, code: string): string {
  return createHash('sha256').update(`${venueId}\n${code}`).digest('base64url');
}

/** Tickets issued before sources existed name only their booking. */
export function sourceOf(t: Pick<TicketDoc, 'source' | 'bookingId'>): TicketSource {
  return t.source ?? { kind: 'booking', id: String(t.bookingId) };
}

export function createTicketService(deps: {
  kernel: Kernel;
  clock: Clock;
  signer: TicketSigner;
  pseudonym: Pseudonymizer;
  displayNames: (userIds: string[]) => Promise<Map<string, string>>;
  /** secret for the short gate codes' digits (issue 10) */
  shortCodeSecret: string;
}) {
  const { clock, signer, kernel } = deps;
  const shortCodes = createShortCodes({ clock, secret: deps.shortCodeSecret });
  const transfers = createTicketTransfers({ kernel, displayNames: deps.displayNames });
  const sources = new Map<string, TicketSourceHandlers>();

  // valid → used records that the source is still to be told, in the same guarded update
  kernel.effects.define<TicketDoc>('ticket', {
    collection: 'tickets',
    steps: {
      'source.admitted': async (t) => {
        const source = sourceOf(t);
        const handlers = sources.get(source.kind);
        if (!handlers) throw new Error(`no ticket source ${source.kind} registered`);
        await handlers.onAdmitted(source.id);
      },
    },
  });

  function registerSource(kind: string, handlers: TicketSourceHandlers) {
    sources.set(kind, handlers);
  }

  /**
   * Tickets from before `source` existed get one, and the old unique (bookingId, seat) index is
   * dropped (tickets of other sources have no bookingId); then the (source, seat) index is built.
   * Run at boot before serving (server.ts); harmless on a database that has no such tickets.
   */
  async function migrateLegacySources(): Promise<number> {
    const legacy = await Ticket.collection.find({ source: { $exists: false } }, { projection: { bookingId: 1 } }).toArray();
    for (const t of legacy)
      await Ticket.collection.updateOne(
        { _id: t._id, source: { $exists: false } },
        { $set: { source: { kind: 'booking', id: String(t.bookingId) } } },
      );
    const indexes = await Ticket.collection.indexes().catch(() => []);
    if (indexes.some((i) => i.name === 'bookingId_1_seat_1')) await Ticket.collection.dropIndex('bookingId_1_seat_1');
    await Ticket.createIndexes();
    return legacy.length;
  }

  function toDto(t: TicketDoc): TicketDto {
    const source = sourceOf(t);
    return {
      id: String(t._id),
      source,
      bookingId: source.kind === 'booking' ? source.id : null,
      venueId: String(t.venueId),
      venueName: t.venueName,
      resourceName: t.resourceName,
      sport: t.sport,
      startAt: t.startAt.toISOString(),
      endAt: t.endAt.toISOString(),
      seat: t.seat,
      holderName: t.holderName,
      status: t.status,
      usedAt: t.usedAt ? t.usedAt.toISOString() : null,
    };
  }

  /** One ticket per admitted person; reissuing is harmless (unique source + seat). */
  async function issue(b: AdmissionSource) {
    // the account's name only for a seat with no entrant named (no read when every seat has one)
    const named = Array.from({ length: b.quantity }, (_, i) => Boolean(b.entrants?.[i]));
    const names = named.every(Boolean) ? new Map<string, string>() : await deps.displayNames([b.userId]);
    const holderName = maskName(names.get(b.userId) ?? '市民');
    const docs = Array.from({ length: b.quantity }, (_, i) => ({
      _id: new Types.ObjectId(),
      source: { kind: b.source.kind, id: b.source.id },
      ...(b.source.kind === 'booking' ? { bookingId: new Types.ObjectId(b.source.id) } : {}),
      userId: new Types.ObjectId(b.userId),
      venueId: new Types.ObjectId(b.venueId),
      venueName: b.venueName,
      resourceName: b.resourceName,
      sport: b.sport,
      startAt: b.startAt,
      endAt: b.endAt,
      seat: i + 1,
      holderName: b.entrants?.[i] ? maskName(b.entrants[i]) : holderName,
      status: 'valid' as const,
      usedAt: null,
      usedBy: null,
      usedDeviceId: null,
      usedScan: null,
      createdAt: clock.now(),
    }));
    try {
      await Ticket.collection.insertMany(docs, { ordered: false });
    } catch (err) {
      // tickets issued before (a retry, the sweeper) are duplicates; anything else (the connection lost) is not done
      if (!onlyDuplicateKeys(err)) throw err;
    }
  }

  /**
   * Of these sources (all of one kind), the ids whose tickets are all issued: one read for a batch,
   * so the effects sweeper can confirm many `tickets.issue` steps at once (platform/effects.ts).
   */
  async function issuedFor(kind: TicketSource['kind'], sources: { id: string; seats: number }[]): Promise<Set<string>> {
    const rows = await Ticket.collection
      .find({ 'source.kind': kind, 'source.id': { $in: sources.map((x) => x.id) } }, { projection: { 'source.id': 1 } })
      .toArray();
    const seats = new Map<string, number>();
    for (const r of rows) seats.set(r.source.id, (seats.get(r.source.id) ?? 0) + 1);
    return new Set(sources.filter((x) => (seats.get(x.id) ?? 0) >= x.seats).map((x) => x.id));
  }

  /** Revokes every valid ticket of a source (idempotent). */
  async function revokeFor(source: TicketSource) {
    await Ticket.updateMany({ 'source.kind': source.kind, 'source.id': source.id, status: 'valid' }, { $set: { status: 'revoked' } });
  }

  /** A source's admission got shorter (part of a booking cancelled): its valid tickets follow (idempotent). */
  async function retime(source: TicketSource, startAt: Date, endAt: Date) {
    await Ticket.updateMany({ 'source.kind': source.kind, 'source.id': source.id, status: 'valid' }, { $set: { startAt, endAt } });
  }

  async function mine(userId: string): Promise<TicketDto[]> {
    const since = new Date(clock.now().getTime() - 2 * 86_400_000);
    const rows = await Ticket.find({ userId, endAt: mongoose.trusted({ $gte: since }) })
      .sort({ startAt: 1, seat: 1 })
      .limit(200)
      .lean<TicketDoc[]>();
    return rows.map(toDto);
  }

  /** The rotating code: signed for the current 30-second step. */
  async function code(userId: string, ticketId: string) {
    const t = await Ticket.findOne({ _id: ticketId, userId }).lean<TicketDoc>();
    if (!t) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
    if (t.status !== 'valid') throw new AppError(t.status === 'used' ? 'TICKET_ALREADY_USED' : 'TICKET_REVOKED', `ticket is ${t.status}`);
    return rotatingCode({ id: String(t._id), venueId: String(t.venueId), ...admissionWindow(t) });
  }

  /** The minutes a ticket's code admits: from TICKET_OPENS_MINUTES_BEFORE before the start to the end. */
  function admissionWindow(t: { startAt: Date; endAt: Date }) {
    return {
      validFromMin: Math.floor(t.startAt.getTime() / 60_000) - TICKET_OPENS_MINUTES_BEFORE,
      validToMin: Math.ceil(t.endAt.getTime() / 60_000),
    };
  }

  /**
   * A code of the current 30-second step in the ticket format (CS1, this signer) with its short
   * digits: a ticket's (`id` = the ticket), or another rotating code a module shows (a guidance
   * session's check-in code: `id` = `venueId` = the session), which the module checks with `inspect`.
   */
  async function rotatingCode(subject: { id: string; venueId: string; validFromMin: number; validToMin: number }) {
    const step = Math.floor(clock.now().getTime() / 1000 / TICKET_STEP_SECONDS);
    const signed = signer.sign({
      ticketId: subject.id,
      venueId: subject.venueId,
      step,
      validFromMin: subject.validFromMin,
      validToMin: subject.validToMin,
    });
    const shortCode = await shortCodes.issue({ ticketId: subject.id, venueId: subject.venueId }, step, signed);
    return {
      code: signed,
      shortCode,
      expiresAt: new Date((step + 1) * TICKET_STEP_SECONDS * 1000).toISOString(),
      stepSeconds: TICKET_STEP_SECONDS,
    };
  }

  /**
   * Admits the holder of a source's ticket as if its code were scanned now by `staffId` (a citizen
   * scanning a guidance session's code): the ticket's own signed code of this step goes through
   * `verify`, so the signature, window, venue, the one guarded admission and the source's
   * `onAdmitted` are those of a gate scan.
   */
  async function admitSource(staffId: string, source: TicketSource, venueId: string) {
    const t = await Ticket.findOne({ 'source.kind': source.kind, 'source.id': source.id, venueId: new Types.ObjectId(venueId) })
      .sort({ seat: 1 })
      .lean<TicketDoc>();
    if (!t) throw new AppError('TICKET_NOT_FOUND', 'no ticket of this source here');
    if (t.status === 'revoked') throw new AppError('TICKET_REVOKED', 'the ticket was revoked');
    if (t.status === 'used') throw new AppError('TICKET_ALREADY_USED', 'already admitted', { usedAt: t.usedAt?.toISOString() });
    const step = Math.floor(clock.now().getTime() / 1000 / TICKET_STEP_SECONDS);
    const code = signer.sign({ ticketId: String(t._id), venueId: String(t.venueId), step, ...admissionWindow(t) });
    return verify(staffId, { code, venueId });
  }

  /**
   * Checks a code and admits its holder with one guarded update (valid → used), so two gates
   * scanning the same code at the same second admit one person. `at` is when the scan happened
   * (now online; the device's time for offline scans).
   */
  async function admit(
    staffId: string,
    venueId: string,
    code: string,
    at: Date,
    deviceId: string | null,
    scanKey: string | null = null,
  ): Promise<TicketDoc> {
    const fields = signer.verify(code);
    if (!fields) throw new AppError('TICKET_INVALID', 'not a valid CitySport ticket');
    if (fields.venueId !== venueId)
      throw new AppError('TICKET_NOT_FOR_THIS_VENUE', 'this ticket is for another venue', { venueId: fields.venueId });
    const times = checkTicketTimes(fields, at);
    if (times === 'expired') throw new AppError('TICKET_EXPIRED', 'this code is out of its window');
    if (times === 'not_yet_open')
      throw new AppError('TICKET_NOT_YET_VALID', `the gate opens ${TICKET_OPENS_MINUTES_BEFORE} minutes before the start`);
    // one guarded transition (the kernel's, so control runs swap it in one place); the source is told after
    const won = await kernel.effects.transition<TicketDoc>(
      'ticket',
      { _id: new Types.ObjectId(fields.ticketId), venueId: new Types.ObjectId(venueId), status: 'valid' },
      { status: 'used', usedAt: at, usedBy: new Types.ObjectId(staffId), usedDeviceId: deviceId, usedScan: scanKey },
      ['source.admitted'],
    );
    if (won) {
      kernel.crashPoint('ticket.admit:after-transition');
      await kernel.effects.finish('ticket', won);
      return won;
    }
    const t = await Ticket.findById(fields.ticketId).lean<TicketDoc>();
    if (!t) throw new AppError('TICKET_INVALID', 'no such ticket');
    if (t.status === 'revoked') throw new AppError('TICKET_REVOKED', 'the booking was cancelled');
    throw new AppError('TICKET_ALREADY_USED', 'already admitted', {
      usedAt: t.usedAt?.toISOString(),
      venueId: String(t.venueId),
      deviceId: t.usedDeviceId,
    });
  }

  async function record(v: Omit<VerificationDoc, '_id'>, staffId: string, nonce?: string): Promise<boolean> {
    try {
      await Verification.create({ _id: nonce ? `${staffId}:${nonce}` : `${staffId}:${randomUUID()}`, ...v });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  function replayOf(v: VerificationDoc) {
    if (v.errorCode) throw new AppError(v.errorCode as ErrorCode, 'same scan as before', v.errorDetails ?? undefined);
    return v;
  }

  async function verify(staffId: string, input: { code: string; venueId: string; nonce?: string; deviceId?: string }) {
    const scanHash = scanHashOf(input.venueId, input.code);
    if (input.nonce) {
      const seen = await Verification.findById(`${staffId}:${input.nonce}`).lean<VerificationDoc>();
      if (seen) {
        // a retry sends what it sent before; another code under the same nonce would get the first ticket back
        if (seen.scanHash && seen.scanHash !== scanHash)
          throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this scan id was used for another code or place');
        replayOf(seen);
        const t = (await Ticket.findById(seen.ticketId).lean<TicketDoc>())!;
        return { result: 'admitted' as const, ticket: toDto(t), verifiedAt: seen.at.toISOString() };
      }
    }
    const now = clock.now();
    const base = {
      staffId: new Types.ObjectId(staffId),
      venueId: new Types.ObjectId(input.venueId),
      at: now,
      scannedAt: now,
      deviceId: input.deviceId ?? null,
      offline: false,
      duplicate: false,
      scanHash,
    };
    try {
      const scanKey = input.nonce ? `${staffId}:${input.nonce}` : null;
      let t: TicketDoc;
      try {
        t = await admit(staffId, input.venueId, input.code, now, input.deviceId ?? null, scanKey);
      } catch (err) {
        // used by this very scan, whose record a crash lost after the admission: the retry finishes it
        const mine =
          scanKey && err instanceof AppError && err.code === 'TICKET_ALREADY_USED'
            ? await Ticket.findOne({ _id: signer.verify(input.code)?.ticketId, usedScan: scanKey }).lean<TicketDoc>()
            : null;
        if (!mine) throw err;
        t = mine;
      }
      await record({ ...base, ticketId: t._id, result: 'admitted', errorCode: null, errorDetails: null }, staffId, input.nonce);
      await emit(
        'ticket.admitted',
        {
          subject: deps.pseudonym(String(t.userId)),
          ticketId: String(t._id),
          source: sourceOf(t),
          venueId: input.venueId,
          startAt: t.startAt.toISOString(),
          offline: false,
        },
        { eventId: `ticket.admitted:${t._id}`, occurredAt: t.usedAt ?? clock.now() },
      );
      return { result: 'admitted' as const, ticket: toDto(t), verifiedAt: now.toISOString() };
    } catch (err) {
      if (err instanceof AppError && RESULT_OF[err.code])
        await record(
          { ...base, ticketId: null, result: RESULT_OF[err.code]!, errorCode: err.code, errorDetails: err.details ?? null },
          staffId,
          input.nonce,
        );
      throw err;
    }
  }

  /**
   * Offline scans uploaded later. The same scan (nonce) uploaded twice is stored once; a ticket
   * admitted offline at two gates is reported, and the later scan is marked as a duplicate.
   */
  async function sync(staffId: string, venueId: string, scans: { code: string; nonce: string; scannedAt: string; deviceId?: string }[]) {
    const now = clock.now();
    const items = [];
    for (const scan of [...scans].sort((a, b) => a.scannedAt.localeCompare(b.scannedAt))) {
      const scanHash = scanHashOf(venueId, scan.code);
      let scanId = scan.nonce;
      let seen = await Verification.findById(`${staffId}:${scanId}`).lean<VerificationDoc>();
      if (seen?.scanHash && seen.scanHash !== scanHash) {
        // a device that reused a nonce for another code: that scan happened at the gate too, so it
        // is kept under the nonce and its code (an online scan is refused instead: IDEMPOTENCY_KEY_REUSED)
        scanId = `${scan.nonce}~${scanHash.slice(0, 16)}`;
        seen = await Verification.findById(`${staffId}:${scanId}`).lean<VerificationDoc>();
      }
      const asStored = (v: VerificationDoc) => ({
        nonce: scan.nonce,
        result: v.result as never,
        duplicate: v.duplicate,
        ticketId: v.ticketId ? String(v.ticketId) : null,
        firstUsedAt: null,
      });
      if (seen) {
        items.push(asStored(seen));
        continue;
      }
      // the device's clock decides the time checks, within reason
      const scannedAt = new Date(Math.min(new Date(scan.scannedAt).getTime(), now.getTime()));
      const tooOld = now.getTime() - scannedAt.getTime() > 48 * 3600_000;
      const base = {
        staffId: new Types.ObjectId(staffId),
        venueId: new Types.ObjectId(venueId),
        at: now,
        scannedAt,
        deviceId: scan.deviceId ?? null,
        offline: true,
        scanHash,
      };
      try {
        if (tooOld) throw new AppError('TICKET_EXPIRED', 'offline scan uploaded too late');
        const t = await admit(staffId, venueId, scan.code, scannedAt, scan.deviceId ?? null, `${staffId}:${scanId}`);
        await record(
          { ...base, ticketId: t._id, result: 'admitted', errorCode: null, errorDetails: null, duplicate: false },
          staffId,
          scanId,
        );
        await emit(
          'ticket.admitted',
          {
            subject: deps.pseudonym(String(t.userId)),
            ticketId: String(t._id),
            source: sourceOf(t),
            venueId,
            startAt: t.startAt.toISOString(),
            offline: true,
          },
          { eventId: `ticket.admitted:${t._id}`, occurredAt: t.usedAt ?? clock.now() },
        );
        items.push({ nonce: scan.nonce, result: 'admitted' as const, duplicate: false, ticketId: String(t._id), firstUsedAt: null });
      } catch (err) {
        if (!(err instanceof AppError) || !RESULT_OF[err.code]) throw err;
        const fields = signer.verify(scan.code);
        // used by this very scan? Its key is written by the guarded admission: two scans of one
        // ticket can share a device and a time (clocks clamped to now, whole seconds), never a key
        const usedByThisScan =
          err.code === 'TICKET_ALREADY_USED' &&
          fields !== null &&
          (await Ticket.findById(fields.ticketId, { usedScan: 1 }).lean<Pick<TicketDoc, 'usedScan'>>())?.usedScan ===
            `${staffId}:${scanId}`;
        if (usedByThisScan && fields) {
          // used by this very scan: a copy of the same upload racing this one admitted it first
          await record(
            {
              ...base,
              ticketId: new Types.ObjectId(fields.ticketId),
              result: 'admitted',
              errorCode: null,
              errorDetails: null,
              duplicate: false,
            },
            staffId,
            scanId,
          );
          items.push({ nonce: scan.nonce, result: 'admitted' as const, duplicate: false, ticketId: fields.ticketId, firstUsedAt: null });
          continue;
        }
        // the device admitted this person offline, but the ticket had been used: a duplicate entry
        const duplicate = err.code === 'TICKET_ALREADY_USED';
        const stored = await record(
          {
            ...base,
            ticketId: fields ? new Types.ObjectId(fields.ticketId) : null,
            result: RESULT_OF[err.code]!,
            errorCode: err.code,
            errorDetails: err.details ?? null,
            duplicate,
          },
          staffId,
          scanId,
        );
        if (!stored) {
          // the same upload racing itself: the copy that recorded this scan first admitted it (or
          // refused it); this one must not call the device's own scan a double admission
          items.push(asStored((await Verification.findById(`${staffId}:${scanId}`).lean<VerificationDoc>())!));
          continue;
        }
        items.push({
          nonce: scan.nonce,
          result: RESULT_OF[err.code] as never,
          duplicate,
          ticketId: fields ? fields.ticketId : null,
          firstUsedAt: duplicate ? ((err.details as { usedAt?: string }).usedAt ?? null) : null,
        });
      }
    }
    return { items };
  }

  async function offlinePack(venueId: string) {
    const now = clock.now();
    const revoked = await Ticket.find(
      {
        venueId,
        status: 'revoked',
        startAt: mongoose.trusted({ $gte: new Date(now.getTime() - 86_400_000), $lte: new Date(now.getTime() + 3 * 86_400_000) }),
      },
      { _id: 1 },
    )
      .limit(20_000)
      .lean<{ _id: Types.ObjectId }[]>();
    return {
      venueId,
      generatedAt: now.toISOString(),
      stepSeconds: TICKET_STEP_SECONDS,
      acceptSteps: TICKET_ACCEPT_STEPS,
      opensMinutesBefore: TICKET_OPENS_MINUTES_BEFORE,
      keys: signer.publicKeys(),
      revoked: revoked.map((r) => String(r._id)),
    };
  }

  async function today(venueId: string) {
    const day = businessDay(clock.now());
    const from = shanghaiTime(day);
    const rows = await Verification.aggregate<{ _id: string; n: number; dup: number }>([
      { $match: { venueId: new Types.ObjectId(venueId), at: { $gte: from, $lt: new Date(from.getTime() + 86_400_000) } } },
      { $group: { _id: '$result', n: { $sum: 1 }, dup: { $sum: { $cond: ['$duplicate', 1, 0] } } } },
    ]);
    const admitted = rows.find((r) => r._id === 'admitted')?.n ?? 0;
    const rejected = rows.filter((r) => r._id !== 'admitted').reduce((s, r) => s + r.n, 0);
    return { venueId, admitted, rejected, duplicates: rows.reduce((s, r) => s + r.dup, 0) };
  }

  /** What one recorded scan (`<staffId>:<nonce>`, as `verify` stores it) decided, or null when none was recorded. */
  async function scanOf(scanId: string): Promise<{ result: string; ticketId: string | null } | null> {
    const v = await Verification.findById(scanId).lean<VerificationDoc>();
    if (v) return { result: v.result, ticketId: v.ticketId ? String(v.ticketId) : null };
    // admitted by this scan, its record lost to a crash after the guarded admission
    const t = await Ticket.findOne({ usedScan: scanId, status: 'used' }, { _id: 1 }).lean<{ _id: Types.ObjectId }>();
    return t ? { result: 'admitted', ticketId: String(t._id) } : null;
  }

  /** The fields of a code whose signature holds (nothing else checked): what a gate needs before it takes a place. */
  function inspect(code: string) {
    return signer.verify(code);
  }

  /**
   * The source of the ticket a code names (its signature checked; nothing admitted): lets a module
   * whose check-in shares a venue's gate admit its own tickets only (a course's lessons at a venue).
   */
  async function sourceOfCode(code: string): Promise<TicketSource | null> {
    const fields = signer.verify(code);
    if (!fields || !Types.ObjectId.isValid(fields.ticketId)) return null;
    const t = await Ticket.findById(fields.ticketId, { source: 1, bookingId: 1 }).lean<Pick<TicketDoc, 'source' | 'bookingId'>>();
    return t ? sourceOf(t) : null;
  }

  /** Tickets of a venue admitted since `since` (a gate device's offline pack). */
  async function admittedSince(venueId: string, since: Date): Promise<string[]> {
    const rows = await Ticket.find({ venueId, status: 'used', usedAt: mongoose.trusted({ $gte: since }) }, { _id: 1 })
      .limit(20_000)
      .lean<{ _id: Types.ObjectId }[]>();
    return rows.map((r) => String(r._id));
  }

  /** The sweeper: admissions whose source was not told (a crash between the two writes). */
  async function finishAdmissions() {
    return kernel.effects.sweep('ticket');
  }

  return {
    resolveShortCode: shortCodes.resolve,
    offerTransfer: transfers.offer,
    claimTransfer: async (friendId: string, token: string) => toDto(await transfers.claim(friendId, token)),
    issue,
    issuedFor,
    retime,
    revokeFor,
    registerSource,
    migrateLegacySources,
    finishAdmissions,
    mine,
    code,
    rotatingCode,
    admitSource,
    verify,
    sync,
    offlinePack,
    today,
    inspect,
    scanOf,
    sourceOfCode,
    admittedSince,
  };
}
export type TicketService = ReturnType<typeof createTicketService>;
