import { createHash, randomInt } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import {
  VERIFICATION_RESULT_OF_ERROR,
  businessDay,
  shanghaiTime,
  type DeviceOfflinePack,
  type GateDenyReason,
  type GateDevice as GateDeviceDto,
  type Occupancy,
} from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { isInjectedCrash } from '../../platform/crash';
import { emit } from '../../platform/outbox';
import type { Kernel } from '../../platform/kernel';
import type { Pseudonymizer } from '../../platform/pseudonym';
import type { TicketService } from '../ticket';
import { publicKeyFromRaw } from './gate.auth';
import {
  GateDevice,
  GateNonce,
  GateOccupancy,
  GatePassage,
  type GateDeviceDoc,
  type GateOccupancyDoc,
  type GatePassageDoc,
} from './gate.model';

/** The capacity kind of a venue's occupancy: an entry takes a place, its exit gives it back (kernel.capacity). */
export const OCCUPANCY = 'gate-occupancy';
/**
 * How many take/give tokens the occupancy counter keeps (kernel.capacity `keepTokens`). An exit
 * gives its entry's place back with `taken` on its first attempt, right after its guarded exitedAt
 * transition, and a refused entry gives back with `taken` right after its own take: neither needs
 * a token. They only have to outlive a device's retry of one scan and a crash's heal (2 minutes;
 * 500 tokens are about four minutes of one entry and one exit a second). Each take rewrites the
 * list: 20,000 tokens held a take to about 31/s on this engine, 500 to about 1,200/s
 * (`npm run bench:capacity-tokens`, docs/benchmarks.md). A heal after a crash whose entry's take
 * slid out leaks a place (counted inside until the manager resets the capacity), never an oversell.
 */
export const OCCUPANCY_KEEP_TOKENS = 500;
/** the kernel effects owner of passages (an entry's place given back when its exit closes it) */
export const PASSAGES = 'gate-passage';
/** an online entry still `entering` after this long was left by a crash */
const ENTERING_STALE_MS = 2 * 60_000;
/** a gate not heard from for this long is reported to the manager */
export const GATE_OFFLINE_ALERT_MS = 10 * 60_000;
const PAIRING_TTL_MS = 30 * 60_000;
const PAIRING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const RESULT_OF: Record<string, GateDenyReason> = VERIFICATION_RESULT_OF_ERROR;

export const hashPairingCode = (code: string) => createHash('sha256').update(`citysport-pairing:${code}`).digest('hex');

export interface GateDeps {
  kernel: Kernel;
  tickets: TicketService;
  pseudonym: Pseudonymizer;
  notify: (userId: string, templateId: string, data: Record<string, string>) => Promise<void>;
  venueExists: (venueId: string) => Promise<boolean>;
}

export function createGateService(deps: GateDeps) {
  const { kernel, tickets } = deps;
  const { clock } = kernel;
  kernel.capacity.define(OCCUPANCY, { collection: 'gate_occupancy', keepTokens: OCCUPANCY_KEEP_TOKENS });
  // an entry closed by its exit owes its place back: recorded in the closing update, done at once, healed by the sweeper
  kernel.effects.define<GatePassageDoc>(PASSAGES, {
    collection: 'gate_passages',
    steps: {
      capacity: async (p, { firstRun }) => {
        if (!p.counted) return;
        // the entry's record proves its take landed; on the first attempt right after the guarded
        // exitedAt transition nothing can have given it back, so it needs no token (a sweeper's re-run does)
        await kernel.capacity.giveBack(OCCUPANCY, p.venueId, 1, { holder: p._id, taken: firstRun });
        await touchCounter(p.venueId);
      },
      // an exit claimed for an entry closes it (the entry's own guarded transition: a re-run closes nothing twice)
      close: async (exit) => {
        if (exit.closedEntry) await closeEntry(exit.closedEntry, exit.at, exit._id);
      },
    },
  });

  function toDto(d: GateDeviceDoc): GateDeviceDto {
    const seen = d.lastSeenAt ?? d.lastHeartbeatAt;
    return {
      id: String(d._id),
      venueId: String(d.venueId),
      name: d.name,
      gate: d.gate,
      direction: d.direction,
      status: d.status,
      lastHeartbeatAt: d.lastHeartbeatAt ? d.lastHeartbeatAt.toISOString() : null,
      offlineSeconds: seen ? Math.max(0, Math.floor((clock.now().getTime() - seen.getTime()) / 1000)) : null,
      pendingUploads: d.pendingUploads ?? 0,
      doubleAdmissions: d.doubleAdmissions ?? 0,
    };
  }

  // ---- devices (venue manager) ----

  async function registerDevice(actorId: string, venueId: string, input: { name: string; gate: string; direction: 'in' | 'out' }) {
    if (!(await deps.venueExists(venueId))) throw new AppError('VENUE_NOT_FOUND', 'no such venue');
    const pairingCode = Array.from({ length: 10 }, () => PAIRING_ALPHABET[randomInt(PAIRING_ALPHABET.length)]).join('');
    const now = clock.now();
    const doc = await GateDevice.create({
      venueId: new Types.ObjectId(venueId),
      ...input,
      status: 'pairing',
      pairingHash: hashPairingCode(pairingCode),
      pairingExpiresAt: new Date(now.getTime() + PAIRING_TTL_MS),
      publicKey: null,
      createdBy: new Types.ObjectId(actorId),
      createdAt: now,
    });
    await kernel.audit(actorId, 'gate.device.register', null, { venueId, deviceId: String(doc._id), ...input });
    return { device: toDto(doc.toObject()), pairingCode, pairingExpiresAt: doc.pairingExpiresAt!.toISOString() };
  }

  /** The one-time code for the device's own key: one guarded update, so a code pairs one device once. */
  async function pair(input: { pairingCode: string; publicKey: string }) {
    publicKeyFromRaw(input.publicKey); // a key node can use, or a 400 before anything is written
    const now = clock.now();
    const won = await kernel.transition<GateDeviceDoc>(
      'gate_devices',
      { pairingHash: hashPairingCode(input.pairingCode), status: 'pairing', pairingExpiresAt: { $gt: now } },
      {
        $set: { status: 'active', publicKey: input.publicKey, pairedAt: now, lastSeenAt: now },
        $unset: { pairingHash: '', pairingExpiresAt: '' },
      },
    );
    if (!won) throw new AppError('PAIRING_CODE_INVALID', 'pairing code unknown, used or expired');
    await kernel.audit(String(won._id), 'gate.device.pair', null, { venueId: String(won.venueId), deviceId: String(won._id) });
    return { deviceId: String(won._id), venueId: String(won.venueId), direction: won.direction };
  }

  async function revoke(actorId: string, venueId: string, deviceId: string) {
    const now = clock.now();
    const won = await kernel.transition<GateDeviceDoc>(
      'gate_devices',
      { _id: new Types.ObjectId(deviceId), venueId: new Types.ObjectId(venueId), status: { $ne: 'revoked' } },
      { $set: { status: 'revoked', revokedAt: now }, $unset: { pairingHash: '', pairingExpiresAt: '' } },
    );
    if (!won) {
      const exists = await GateDevice.exists({ _id: deviceId, venueId });
      if (!exists) throw new AppError('DEVICE_NOT_FOUND', 'no such device at this venue');
      return { device: toDto((await GateDevice.findById(deviceId).lean<GateDeviceDoc>())!) };
    }
    await kernel.audit(actorId, 'gate.device.revoke', null, { venueId, deviceId });
    return { device: toDto(won) };
  }

  async function listDevices(venueId: string) {
    const rows = await GateDevice.find({ venueId }).sort({ createdAt: -1 }).limit(500).lean<GateDeviceDoc[]>();
    return { items: rows.map(toDto) };
  }

  // ---- occupancy (kernel capacity) ----

  async function setCapacity(actorId: string, venueId: string, capacity: number) {
    if (!(await deps.venueExists(venueId))) throw new AppError('VENUE_NOT_FOUND', 'no such venue');
    const _id = new Types.ObjectId(venueId);
    // a new counter starts empty; a changed capacity moves `remaining` by the same amount (one update, people inside stay counted)
    await GateOccupancy.updateOne(
      { _id },
      { $setOnInsert: { capacity, remaining: capacity, applied: [], updatedAt: clock.now() } },
      { upsert: true },
    );
    for (let i = 0; i < 5; i++) {
      const cur = await GateOccupancy.findById(_id).lean<GateOccupancyDoc>();
      if (!cur || cur.capacity === capacity) break;
      const res = await GateOccupancy.updateOne(
        { _id, capacity: cur.capacity },
        { $set: { capacity, updatedAt: clock.now() }, $inc: { remaining: capacity - cur.capacity } },
      );
      if (res.modifiedCount === 1) break;
    }
    await kernel.audit(actorId, 'gate.capacity.set', null, { venueId, capacity });
    return occupancy(venueId);
  }

  async function occupancy(venueId: string): Promise<Occupancy> {
    const c = await GateOccupancy.findById(venueId).lean<GateOccupancyDoc>();
    if (c) return { venueId, inside: c.capacity - c.remaining, capacity: c.capacity, updatedAt: c.updatedAt?.toISOString() ?? null };
    if (!(await deps.venueExists(venueId))) throw new AppError('VENUE_NOT_FOUND', 'no such venue');
    return { venueId, inside: 0, capacity: null, updatedAt: null };
  }

  const hasCounter = async (venueId: Types.ObjectId) => (await GateOccupancy.exists({ _id: venueId })) !== null;
  const touchCounter = (venueId: Types.ObjectId) => GateOccupancy.updateOne({ _id: venueId }, { $set: { updatedAt: clock.now() } });

  async function passed(p: GatePassageDoc) {
    await emit(
      'gate.passed',
      {
        visit: deps.pseudonym(`ticket:${p.ticketId}`),
        venueId: String(p.venueId),
        deviceId: String(p.deviceId),
        direction: p.direction,
        offline: p.offline,
        duplicate: p.duplicate,
      },
      { eventId: `gate.passed:${p._id}`, occurredAt: p.at },
    );
  }

  /** Records a passage once (by device + scan nonce); false when it was recorded before. */
  async function recordPassage(p: GatePassageDoc): Promise<boolean> {
    try {
      await GatePassage.create(p);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  /** An exit: the latest open entry of this ticket is closed (guarded) and its place given back. */
  async function exit(device: GateDeviceDoc, ticketId: string, nonce: string, at: Date, offline: boolean) {
    const passage: GatePassageDoc = {
      _id: `${device._id}:${nonce}`,
      venueId: device.venueId,
      deviceId: device._id,
      direction: 'out',
      ticketId: new Types.ObjectId(ticketId),
      at,
      offline,
      duplicate: false,
      counted: false,
      exitedAt: null,
      closedEntry: null,
    };
    if (await recordPassage(passage)) {
      await matchExit(passage);
      await passed(passage);
      return;
    }
    // the same exit again (a retry after a crash): matched now if it was not before
    const stored = await GatePassage.findById(passage._id).lean<GatePassageDoc>();
    if (stored && stored.direction === 'out' && !stored.closedEntry) await matchExit(stored);
  }

  /**
   * One exit closes one entry: the exit is claimed for it by a guarded update that also records the
   * close it owes (kernel effects), so a crash between the claim and the close is finished by the sweeper.
   */
  async function claimExit(exitId: string, entryId: string) {
    const won = await kernel.effects.transition<GatePassageDoc>(PASSAGES, { _id: exitId, closedEntry: null }, { closedEntry: entryId }, [
      'close',
    ]);
    if (won) await kernel.effects.finish(PASSAGES, won);
  }

  /** The entry closed (guarded `exitedAt: null`) and, in the same update, its place owed back (kernel effects). */
  async function closeEntry(entryId: string, at: Date, exitId: string) {
    const closed = await kernel.effects.transition<GatePassageDoc>(PASSAGES, { _id: entryId, exitedAt: null }, { exitedAt: at, exitId }, [
      'capacity',
    ]);
    if (closed) await kernel.effects.finish(PASSAGES, closed);
  }

  /** An exit closes the oldest open entry of its ticket made before it (none yet: an entry uploaded later finds it). */
  async function matchExit(exit: GatePassageDoc) {
    const entry = await GatePassage.findOne({
      ticketId: exit.ticketId,
      venueId: exit.venueId,
      direction: 'in',
      exitedAt: null,
      entering: mongoose.trusted({ $ne: true }),
      at: mongoose.trusted({ $lte: exit.at }),
    })
      .sort({ at: 1 })
      .lean<GatePassageDoc>();
    if (entry) await claimExit(exit._id, entry._id);
  }

  /**
   * An entry recorded after its own exit (the exit gate's upload, or an online exit, came first):
   * the earliest unclaimed exit of the ticket after the entry closes it.
   */
  async function matchEntry(entry: GatePassageDoc) {
    const exit = await GatePassage.findOne({
      ticketId: entry.ticketId,
      venueId: entry.venueId,
      direction: 'out',
      closedEntry: null,
      // strictly after: at the same instant, the one recorded first came first (an exit then an entry is a new visit)
      at: mongoose.trusted({ $gt: entry.at }),
    })
      .sort({ at: 1 })
      .lean<GatePassageDoc>();
    if (exit) await claimExit(exit._id, entry._id);
  }

  // ---- device API ----

  /**
   * Online verification at a gate. Entry: the signature first (nothing is taken for a forged code),
   * then a place of the occupancy counter for this scan, then the ticket's own guarded valid → used
   * (the ticket module's verify, as for staff phones); a refused ticket gives the place back.
   */
  async function verify(device: GateDeviceDoc, input: { code: string; nonce: string }) {
    const venueId = String(device.venueId);
    const fields = tickets.inspect(input.code);
    const now = clock.now();
    if (device.direction === 'out') {
      if (!fields) return { result: 'deny' as const, reason: 'invalid' as const, ticketId: null };
      if (fields.venueId !== venueId) return { result: 'deny' as const, reason: 'not_for_this_venue' as const, ticketId: null };
      await exit(device, fields.ticketId, input.nonce, now, false);
      return { result: 'open' as const, ticketId: fields.ticketId };
    }
    const holder = `${device._id}:${input.nonce}`;
    const deny = (reason: GateDenyReason) => ({ result: 'deny' as const, reason, ticketId: fields?.ticketId ?? null });
    let counted = false;
    let retry = false;
    if (fields && fields.venueId === venueId) {
      // the entry's record first: a crash after the take or after the check leaves it `entering` for the heal job
      const intent: GatePassageDoc = {
        ...entryOf(device, holder, fields.ticketId, now, false),
        entering: true,
        enteringSince: now,
      };
      if (!(await recordPassage(intent))) {
        // the same scan again (a device's retry): a finished entry was counted by its first request
        const stored = await GatePassage.findById(holder).lean<GatePassageDoc>();
        retry = stored !== null && stored.entering !== true;
      }
      if (!retry && (await hasCounter(device.venueId))) {
        counted = await kernel.capacity.take(OCCUPANCY, device.venueId, 1, { holder });
        if (!counted) {
          await GatePassage.deleteOne({ _id: holder, entering: true });
          return deny('full');
        }
      }
    }
    kernel.crashPoint('gate.verify:after-take');
    try {
      const admitted = await tickets.verify(String(device._id), {
        code: input.code,
        venueId,
        nonce: input.nonce,
        deviceId: String(device._id),
      });
      kernel.crashPoint('gate.verify:after-admit');
      await entered(holder, admitted.ticket.id, counted);
      if (counted) await touchCounter(device.venueId);
      return { result: 'open' as const, ticketId: admitted.ticket.id };
    } catch (err) {
      if (isInjectedCrash(err)) throw err;
      // the take above landed for this holder and nothing gave it back since: no token needed
      if (counted) await kernel.capacity.giveBack(OCCUPANCY, device.venueId, 1, { holder, taken: true });
      await GatePassage.deleteOne({ _id: holder, entering: true });
      if (err instanceof AppError && RESULT_OF[err.code]) return deny(RESULT_OF[err.code]);
      throw err;
    }
  }

  const entryOf = (device: GateDeviceDoc, holder: string, ticketId: string, at: Date, offline: boolean): GatePassageDoc => ({
    _id: holder,
    venueId: device.venueId,
    deviceId: device._id,
    direction: 'in',
    ticketId: new Types.ObjectId(ticketId),
    at,
    offline,
    duplicate: false,
    counted: false,
    exitedAt: null,
  });

  /** `entering` → an entry (guarded, once): the gate.passed fact, and an exit recorded before it closes it */
  async function entered(holder: string, ticketId: string, counted: boolean) {
    const won = await kernel.transition<GatePassageDoc>(
      'gate_passages',
      { _id: holder, entering: true },
      { $set: { counted, ticketId: new Types.ObjectId(ticketId) }, $unset: { entering: '', enteringSince: '' } },
    );
    if (!won) return;
    await passed(won);
    await matchEntry(won);
  }

  /**
   * The heal job: online entries a crash left `entering`. The ticket module's record of that scan
   * decides: admitted → the entry is recorded and counted (the take is exactly-once per scan, so a
   * take that landed before the crash is not taken twice); anything else → its place (if it took
   * one) given back and the record removed. Then the sweep of closes whose place is still owed.
   */
  async function heal() {
    const stale = await GatePassage.find({
      entering: true,
      enteringSince: mongoose.trusted({ $lte: new Date(clock.now().getTime() - ENTERING_STALE_MS) }),
    })
      .limit(200)
      .lean<GatePassageDoc[]>();
    let entries = 0;
    for (const p of stale) {
      const scan = await tickets.scanOf(p._id);
      const counter = await hasCounter(p.venueId);
      if (scan?.result === 'admitted' && scan.ticketId) {
        const counted = counter ? await kernel.capacity.take(OCCUPANCY, p.venueId, 1, { holder: p._id }) : false;
        await entered(p._id, scan.ticketId, counted);
      } else {
        if (counter) await kernel.capacity.giveBack(OCCUPANCY, p.venueId, 1, { holder: p._id });
        await GatePassage.deleteOne({ _id: p._id, entering: true });
      }
      if (counter) await touchCounter(p.venueId);
      entries++;
    }
    const closes = await kernel.effects.sweep(PASSAGES);
    return { entries, closes };
  }

  async function offlinePack(device: GateDeviceDoc): Promise<DeviceOfflinePack> {
    const venueId = String(device.venueId);
    const pack = await tickets.offlinePack(venueId);
    const admitted = await tickets.admittedSince(venueId, shanghaiTime(businessDay(clock.now())));
    return { ...pack, deviceId: String(device._id), direction: device.direction, admitted };
  }

  async function heartbeat(device: GateDeviceDoc, input: { pendingUploads: number; offlineSince: string | null }) {
    const now = clock.now();
    await GateDevice.updateOne(
      { _id: device._id, status: 'active' },
      { $set: { lastHeartbeatAt: now, lastSeenAt: now, pendingUploads: input.pendingUploads, offlineAlertedAt: null } },
    );
    return { ok: true, serverTime: now.toISOString() };
  }

  /** every signed request counts as being heard from */
  async function seen(device: GateDeviceDoc) {
    await GateDevice.updateOne({ _id: device._id }, { $set: { lastSeenAt: clock.now(), offlineAlertedAt: null } });
  }

  /**
   * Offline scans uploaded later. Entries go through the ticket module's sync (nonce-deduplicated,
   * a ticket admitted twice reported as a duplicate); each person who went through is recorded once
   * and takes a place of the occupancy counter, so the count heals after an offline spell.
   */
  async function sync(device: GateDeviceDoc, scans: { code: string; nonce: string; scannedAt: string }[]) {
    const venueId = String(device.venueId);
    const now = clock.now();
    const at = (s: { scannedAt: string }) => new Date(Math.min(new Date(s.scannedAt).getTime(), now.getTime()));
    if (device.direction === 'out') {
      const items = [];
      for (const s of scans) {
        const fields = tickets.inspect(s.code);
        if (!fields || fields.venueId !== venueId) {
          items.push({
            nonce: s.nonce,
            result: fields ? ('not_for_this_venue' as const) : ('invalid' as const),
            duplicate: false,
            ticketId: null,
            firstUsedAt: null,
          });
          continue;
        }
        await exit(device, fields.ticketId, s.nonce, at(s), true);
        items.push({ nonce: s.nonce, result: 'exited' as const, duplicate: false, ticketId: fields.ticketId, firstUsedAt: null });
      }
      await seen(device);
      return { items, doubleAdmissions: 0 };
    }
    const deviceId = String(device._id);
    const { items } = (await tickets.sync(
      deviceId,
      venueId,
      scans.map((s) => ({ ...s, deviceId })),
    )) as { items: { nonce: string; result: string; duplicate: boolean; ticketId: string | null; firstUsedAt: string | null }[] };
    const byNonce = new Map(scans.map((s) => [s.nonce, s]));
    const counter = await hasCounter(device.venueId);
    let doubles = 0;
    for (const item of items) {
      if (!item.ticketId || (item.result !== 'admitted' && !item.duplicate)) continue;
      const scan = byNonce.get(item.nonce)!;
      const holder = `${deviceId}:${item.nonce}`;
      // uploaded before: counted then (a re-upload must not take again once its take token slid out);
      // still open: matched again, in case a crash came between its record and that
      const stored = await GatePassage.findById(holder).lean<GatePassageDoc>();
      if (stored) {
        if (!stored.exitedAt) await matchEntry(stored);
        continue;
      }
      // the person went through: counted (a full counter cannot refuse someone already inside: left uncounted)
      const counted = counter ? await kernel.capacity.take(OCCUPANCY, device.venueId, 1, { holder }) : false;
      const passage: GatePassageDoc = { ...entryOf(device, holder, item.ticketId, at(scan), true), duplicate: item.duplicate, counted };
      if (await recordPassage(passage)) {
        if (item.duplicate) doubles++;
        await passed(passage);
        await matchEntry(passage);
      }
    }
    if (counter) await touchCounter(device.venueId);
    await GateDevice.updateOne(
      { _id: device._id },
      { $inc: { doubleAdmissions: doubles }, $set: { lastSeenAt: now, offlineAlertedAt: null } },
    );
    if (doubles > 0) await kernel.audit(deviceId, 'gate.double_admission', null, { venueId, deviceId, count: doubles });
    return { items, doubleAdmissions: doubles };
  }

  // ---- operations ----

  /**
   * The alert job (leased, kernel jobs): a gate not heard from for 10 minutes, or one that reported
   * double admissions since the last alert, is told to the manager who registered it — once each
   * (a guarded update marks it told before the message goes).
   */
  async function alerts() {
    const now = clock.now();
    let sent = 0;
    const silent = await GateDevice.find({
      status: 'active',
      offlineAlertedAt: null,
      lastSeenAt: mongoose.trusted({ $lt: new Date(now.getTime() - GATE_OFFLINE_ALERT_MS) }),
    })
      .limit(200)
      .lean<GateDeviceDoc[]>();
    for (const d of silent) {
      const won = await kernel.transition('gate_devices', { _id: d._id, offlineAlertedAt: null }, { $set: { offlineAlertedAt: now } });
      if (!won) continue;
      const minutes = Math.floor((now.getTime() - d.lastSeenAt!.getTime()) / 60_000);
      await deps.notify(String(d.createdBy), 'gate_alert', {
        thing1: `${d.gate} ${d.name}`.slice(0, 20),
        phrase2: '闸机离线',
        number3: String(minutes),
      });
      await kernel.audit('system', 'gate.alert.offline', null, { venueId: String(d.venueId), deviceId: String(d._id), minutes });
      sent++;
    }
    const doubled = (await GateDevice.collection
      .find({ $expr: { $gt: ['$doubleAdmissions', '$doubleAlerted'] } })
      .limit(200)
      .toArray()) as unknown as GateDeviceDoc[];
    for (const d of doubled) {
      const won = await kernel.transition(
        'gate_devices',
        { _id: d._id, doubleAlerted: d.doubleAlerted },
        { $set: { doubleAlerted: d.doubleAdmissions } },
      );
      if (!won) continue;
      const count = d.doubleAdmissions - d.doubleAlerted;
      await deps.notify(String(d.createdBy), 'gate_alert', {
        thing1: `${d.gate} ${d.name}`.slice(0, 20),
        phrase2: '重复入场',
        number3: String(count),
      });
      await kernel.audit('system', 'gate.alert.double_admission', null, { venueId: String(d.venueId), deviceId: String(d._id), count });
      sent++;
    }
    return { sent };
  }

  /** Nonces past their time (the TTL index does this on MongoDB; the test engine has no TTL, so a leased job too). */
  async function sweepNonces() {
    const res = await GateNonce.deleteMany({ expiresAt: mongoose.trusted({ $lt: clock.now() }) });
    return { deleted: res.deletedCount };
  }

  /** a device as the device API sees it (the demo seed drives a paired device through `verify`) */
  async function deviceById(deviceId: string): Promise<GateDeviceDoc | null> {
    return GateDevice.findById(deviceId).lean<GateDeviceDoc>();
  }

  async function deviceVenue(deviceId: string): Promise<string | null> {
    const d = await GateDevice.findById(deviceId, { venueId: 1 }).lean<{ venueId: Types.ObjectId }>();
    return d ? String(d.venueId) : null;
  }

  return {
    registerDevice,
    pair,
    revoke,
    listDevices,
    setCapacity,
    occupancy,
    verify,
    offlinePack,
    heartbeat,
    seen,
    sync,
    alerts,
    heal,
    sweepNonces,
    deviceById,
    deviceVenue,
  };
}
export type GateService = ReturnType<typeof createGateService>;
