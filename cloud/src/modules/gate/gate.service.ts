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
  // thousands of visitors a day pass one venue; each entry and exit leaves a token (see capacity.ts)
  kernel.capacity.define(OCCUPANCY, { collection: 'gate_occupancy', keepTokens: 20_000 });

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
    };
    if (!(await recordPassage(passage))) return;
    const entry = await GatePassage.findOne({ ticketId: passage.ticketId, venueId: device.venueId, direction: 'in', exitedAt: null })
      .sort({ at: 1 })
      .lean<GatePassageDoc>();
    if (entry) {
      const closed = await kernel.transition<GatePassageDoc>(
        'gate_passages',
        { _id: entry._id, exitedAt: null },
        { $set: { exitedAt: at } },
      );
      if (closed?.counted) {
        await kernel.capacity.giveBack(OCCUPANCY, device.venueId, 1, { holder: entry._id });
        await touchCounter(device.venueId);
      }
    }
    await passed(passage);
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
    let counted = false;
    if (fields && fields.venueId === venueId && (await hasCounter(device.venueId))) {
      counted = await kernel.capacity.take(OCCUPANCY, device.venueId, 1, { holder });
      if (!counted) return { result: 'deny' as const, reason: 'full' as const, ticketId: fields.ticketId };
    }
    try {
      const admitted = await tickets.verify(String(device._id), {
        code: input.code,
        venueId,
        nonce: input.nonce,
        deviceId: String(device._id),
      });
      const passage: GatePassageDoc = {
        _id: holder,
        venueId: device.venueId,
        deviceId: device._id,
        direction: 'in',
        ticketId: new Types.ObjectId(admitted.ticket.id),
        at: now,
        offline: false,
        duplicate: false,
        counted,
        exitedAt: null,
      };
      if (await recordPassage(passage)) await passed(passage);
      if (counted) await touchCounter(device.venueId);
      return { result: 'open' as const, ticketId: admitted.ticket.id };
    } catch (err) {
      if (counted) await kernel.capacity.giveBack(OCCUPANCY, device.venueId, 1, { holder });
      if (err instanceof AppError && RESULT_OF[err.code])
        return { result: 'deny' as const, reason: RESULT_OF[err.code], ticketId: fields?.ticketId ?? null };
      throw err;
    }
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
      // the person went through: counted (a full counter cannot refuse someone already inside: left uncounted)
      const counted = counter ? await kernel.capacity.take(OCCUPANCY, device.venueId, 1, { holder }) : false;
      const passage: GatePassageDoc = {
        _id: holder,
        venueId: device.venueId,
        deviceId: device._id,
        direction: 'in',
        ticketId: new Types.ObjectId(item.ticketId),
        at: at(scan),
        offline: true,
        duplicate: item.duplicate,
        counted,
        exitedAt: null,
      };
      if (await recordPassage(passage)) {
        if (item.duplicate) doubles++;
        await passed(passage);
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
    sweepNonces,
    deviceById,
    deviceVenue,
  };
}
export type GateService = ReturnType<typeof createGateService>;
