/**
 * Unattended gates, attacked (issue 16): signed device requests (replays, forged and expired
 * signatures, another venue's device, a revoked one mid-flight), tickets of another venue or day,
 * one ticket at two gates at once (with a control run that shows the race without the guard),
 * offline uploads replayed and reordered, the occupancy and walk-up counters under concurrent
 * entries and exits, exits without an entry, crashes between two writes healed by the sweeper,
 * and bad input on the gate routes → 4xx with a stable code.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { TicketListSchema } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { GateDevice } from '../../cloud/src/modules/gate/client/device-client';
import { OCCUPANCY_KEEP_TOKENS, WALKUP_KEEP_TOKENS } from '../../cloud/src/modules/gate';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';
import { snapshotDatabase } from '../support/db';

const clock = new ManualClock(new Date());
const crashes = new CrashSwitch();
let stack: TestStack;
let control: TestStack;
let venue: Awaited<ReturnType<typeof createTestVenue>>;
let other: Awaited<ReturnType<typeof createTestVenue>>;
let manager: { token: string; userId: string };
let otherManager: { token: string; userId: string };
let sessionDay: string;
const db = () => mongoose.connection.db!;
/** the occupancy counter's token bound */
const KEEP = OCCUPANCY_KEEP_TOKENS;
const scanNonce = () => randomBytes(12).toString('base64url');

beforeAll(async () => {
  stack = await startTestStack('attack-gates', { clock, wechatPay: { signMode: 'public_key' }, appDeps: { crashes } });
  control = await startTestStack('attack-gates-control', { clock, reuseConnection: true, appDeps: { controlRunWithoutGuards: true } });
  venue = await createTestVenue(stack, { name: '闸机攻击馆', sessionCapacity: 400, rules: { maxCompanions: 3 } });
  other = await createTestVenue(stack, { name: '闸机邻馆', sessionCapacity: 50 });
  manager = await stack.login('attack-gate-manager');
  otherManager = await stack.login('attack-gate-other-manager');
  await grant(stack, manager.userId, 'venue_manager', venue.venueId);
  await grant(stack, otherManager.userId, 'venue_manager', other.venueId);
  sessionDay = daysAhead(clock, 1);
  const startAt = (await slotsOf(venue.sessionId, sessionDay))[0].startAt;
  clock.set(new Date(startAt.getTime() - 10 * 60_000));
}, 180_000);
afterAll(async () => {
  await control.stop();
  await stack.stop();
});

const api = (target = stack) => `${target.url}/api/v1`;

async function pairedDevice(direction: 'in' | 'out' = 'in', v = venue, token = manager.token, target = stack): Promise<GateDevice> {
  const res = await stack.request('POST', `/manage/venues/${v.venueId}/devices`, {
    token,
    body: { name: `攻击-${direction}`, gate: '北门', direction },
  });
  expect(res.status).toBe(201);
  const device = await GateDevice.pair(api(), res.body.pairingCode, { now: () => clock.now() });
  // paired here (a control run's transition finds documents by id only); its requests go to `target`
  device.state.api = api(target);
  return device;
}

let n = 0;
/** a fresh ticket of the venue's session and its current code */
async function ticketCode(v = venue, day = sessionDay): Promise<{ code: string; ticketId: string; token: string }> {
  const user = await stack.login(`attack-gate-holder-${n++}`);
  const [session] = await slotsOf(v.sessionId, day);
  const res = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [session.id], quantity: 1 } });
  expect(res.status).toBe(201);
  const [ticket] = TicketListSchema.parse((await stack.request('GET', '/tickets/mine', { token: user.token })).body).items;
  const code = await stack.request('GET', `/tickets/${ticket.id}/code`, { token: user.token });
  expect(code.status).toBe(200);
  return { code: code.body.code, ticketId: ticket.id, token: user.token };
}

/** a signed device request sent as raw HTTP (no client timeout, the status as it came) */
function signed(target: TestStack, device: GateDevice, method: 'GET' | 'POST', path: string, body?: unknown, raw?: string) {
  const payload = raw ?? (body === undefined ? '' : JSON.stringify(body));
  const headers = device.signedHeaders(method, `/api/v1${path}`, payload);
  return target.request(method, path, { rawBody: body === undefined && raw === undefined ? undefined : payload, headers });
}
const verifyAt = (target: TestStack, device: GateDevice, code: string, nonce = scanNonce()) =>
  signed(target, device, 'POST', '/devices/verify', { code, nonce });

const ticketStatus = async (ticketId: string) =>
  (await db()
    .collection('tickets')
    .findOne({ _id: new mongoose.Types.ObjectId(ticketId) }))!.status as string;
const inside = async (v = venue) => (await stack.request('GET', `/venues/${v.venueId}/occupancy`)).body.inside as number;
const counterOf = async (v = venue) =>
  (await db()
    .collection('gate_occupancy')
    .findOne({ _id: new mongoose.Types.ObjectId(v.venueId) }))!;
async function setCapacity(capacity: number, v = venue, token = manager.token) {
  const res = await stack.request('PUT', `/manage/venues/${v.venueId}/occupancy`, { token, body: { capacity } });
  expect(res.status).toBe(200);
}

describe('signed device requests', () => {
  test('one signed request replayed 30 times at once: exactly one is served, the rest DEVICE_REPLAYED', async () => {
    const device = await pairedDevice();
    const { code, ticketId } = await ticketCode();
    const raw = JSON.stringify({ code, nonce: scanNonce() });
    const headers = device.signedHeaders('POST', '/api/v1/devices/verify', raw);
    const all = await Promise.all(Array.from({ length: 30 }, () => stack.request('POST', '/devices/verify', { rawBody: raw, headers })));
    expect(all.filter((r) => r.status === 200)).toHaveLength(1);
    expect(all.filter((r) => r.status === 401).every((r) => r.body.error.code === 'DEVICE_REPLAYED')).toBe(true);
    expect(all.filter((r) => r.status === 401)).toHaveLength(29);
    expect(await ticketStatus(ticketId)).toBe('used');
  });

  test('forged signatures: random bytes, a signature of another message, a flipped bit → DEVICE_UNAUTHENTICATED, nothing admitted', async () => {
    const device = await pairedDevice();
    const { code, ticketId } = await ticketCode();
    const raw = JSON.stringify({ code, nonce: scanNonce() });
    const good = device.signedHeaders('POST', '/api/v1/devices/verify', raw);
    const otherMsg = device.signedHeaders('POST', '/api/v1/devices/verify', JSON.stringify({ code, nonce: scanNonce() }));
    const sig = Buffer.from(good['x-device-signature'], 'base64');
    sig[5] ^= 1;
    const forgeries = [
      { ...good, 'x-device-signature': randomBytes(64).toString('base64') },
      { ...good, 'x-device-signature': otherMsg['x-device-signature'] },
      { ...good, 'x-device-signature': sig.toString('base64') },
      { ...good, 'x-device-timestamp': String(Number(good['x-device-timestamp']) + 1) },
      { ...good, 'x-device-nonce': `${good['x-device-nonce']}x` },
    ];
    for (const headers of forgeries) {
      const res = await stack.request('POST', '/devices/verify', { rawBody: raw, headers });
      expect([res.status, res.body.error?.code]).toEqual([401, 'DEVICE_UNAUTHENTICATED']);
    }
    expect(await ticketStatus(ticketId)).toBe('valid');
    // the genuine request still goes through: the forgeries claimed no nonce
    expect((await stack.request('POST', '/devices/verify', { rawBody: raw, headers: good })).body.result).toBe('open');
  });

  test('expired and future timestamps are refused (and a request signed 6 minutes ahead is refused now, not later)', async () => {
    const device = await pairedDevice();
    const body = { pendingUploads: 0, offlineSince: null };
    const raw = JSON.stringify(body);
    clock.advance(-6 * 60_000);
    const old = device.signedHeaders('POST', '/api/v1/devices/heartbeat', raw);
    clock.advance(12 * 60_000);
    const ahead = device.signedHeaders('POST', '/api/v1/devices/heartbeat', raw);
    clock.advance(-6 * 60_000);
    for (const headers of [old, ahead]) {
      const res = await stack.request('POST', '/devices/heartbeat', { rawBody: raw, headers });
      expect([res.status, res.body.error?.code]).toEqual([401, 'DEVICE_UNAUTHENTICATED']);
    }
    expect(
      await db()
        .collection('gate_request_nonces')
        .countDocuments({ _id: `${device.state.deviceId}:${old['x-device-nonce']}` as never }),
    ).toBe(0);
  });

  test("another venue's device: its entries and exits deny this venue's tickets, its uploads admit none, its manager cannot revoke ours", async () => {
    const foreignIn = await pairedDevice('in', other, otherManager.token);
    const foreignOut = await pairedDevice('out', other, otherManager.token);
    const ours = await pairedDevice('in');
    await setCapacity(300);
    const { code, ticketId } = await ticketCode();
    const before = await inside();
    expect(await foreignIn.scan(code)).toMatchObject({ open: false, reason: 'not_for_this_venue' });
    expect(await foreignOut.scan(code)).toMatchObject({ open: false, reason: 'not_for_this_venue' });
    const upload = await foreignIn.request<any>('POST', '/devices/sync', {
      scans: [{ code, nonce: scanNonce(), scannedAt: clock.now().toISOString() }],
    });
    expect(upload.status).toBe(200);
    expect(upload.body.items[0]).toMatchObject({ result: 'not_for_this_venue', duplicate: false });
    expect(await ticketStatus(ticketId)).toBe('valid');
    expect(await inside()).toBe(before);
    // a device id of this venue with the other manager's token
    const del = await stack.request('DELETE', `/manage/venues/${other.venueId}/devices/${ours.state.deviceId}`, {
      token: otherManager.token,
    });
    expect([del.status, del.body.error?.code]).toEqual([404, 'DEVICE_NOT_FOUND']);
    const mine = await stack.request('DELETE', `/manage/venues/${venue.venueId}/devices/${ours.state.deviceId}`, {
      token: otherManager.token,
    });
    expect(mine.status).toBe(403);
    expect((await ours.scan(code)).open).toBe(true);
  });

  test('a device revoked while its scans are in flight: every later request refused, including its offline upload', async () => {
    const device = await pairedDevice();
    expect(await device.refreshPack()).toBe(true);
    const { code, ticketId } = await ticketCode();
    expect(device.checkOffline(code)).toMatchObject({ open: true, offline: true });
    const del = await stack.request('DELETE', `/manage/venues/${venue.venueId}/devices/${device.state.deviceId}`, { token: manager.token });
    expect(del.status).toBe(200);
    // a second revoke is answered the same, audited once
    expect(
      (await stack.request('DELETE', `/manage/venues/${venue.venueId}/devices/${device.state.deviceId}`, { token: manager.token })).status,
    ).toBe(200);
    expect(
      await db().collection('audit_log').countDocuments({ action: 'gate.device.revoke', 'details.deviceId': device.state.deviceId }),
    ).toBe(1);
    const up = await signed(stack, device, 'POST', '/devices/sync', { scans: device.state.queue });
    expect([up.status, up.body.error?.code]).toEqual([401, 'DEVICE_REVOKED']);
    const fresh = await ticketCode();
    const res = await verifyAt(stack, device, fresh.code);
    expect([res.status, res.body.error?.code]).toEqual([401, 'DEVICE_REVOKED']);
    expect(await ticketStatus(ticketId)).toBe('valid');
    expect(await ticketStatus(fresh.ticketId)).toBe('valid');
    // it cannot pair itself back with an old or a guessed code
    const again = await stack.request('POST', '/devices/pair', {
      body: { pairingCode: 'ABCDEFGHJK', publicKey: Buffer.alloc(32, 7).toString('base64') },
    });
    expect([again.status, again.body.error?.code]).toEqual([401, 'PAIRING_CODE_INVALID']);
  });

  test('a pairing code raced by 20 devices pairs exactly one of them', async () => {
    const reg = await stack.request('POST', `/manage/venues/${venue.venueId}/devices`, {
      token: manager.token,
      body: { name: '抢配对', gate: '南门', direction: 'in' },
    });
    const all = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stack.request('POST', '/devices/pair', {
          body: { pairingCode: reg.body.pairingCode, publicKey: Buffer.alloc(32, i + 1).toString('base64') },
        }),
      ),
    );
    expect(all.filter((r) => r.status === 200)).toHaveLength(1);
    expect(all.filter((r) => r.status !== 200).every((r) => r.body.error.code === 'PAIRING_CODE_INVALID')).toBe(true);
  });
});

describe('tickets of another venue or another day', () => {
  test("another venue's ticket, tomorrow's ticket and a code older than its window are denied; none is used, no place taken", async () => {
    const device = await pairedDevice();
    await setCapacity(300);
    const before = await inside();
    const foreign = await ticketCode(other);
    const later = await ticketCode(venue, daysAhead(clock, 2));
    const stale = await ticketCode();
    expect(await device.scan(foreign.code)).toMatchObject({ open: false, reason: 'not_for_this_venue' });
    expect(await device.scan(later.code)).toMatchObject({ open: false, reason: 'not_yet_open' });
    clock.advance(5 * 60_000);
    try {
      expect(await device.scan(stale.code)).toMatchObject({ open: false, reason: 'expired' });
    } finally {
      clock.advance(-5 * 60_000);
    }
    for (const t of [foreign, later, stale]) expect(await ticketStatus(t.ticketId)).toBe('valid');
    expect(await inside()).toBe(before);
    // offline too: the pack's check refuses them, and an upload claiming they passed admits none
    expect(await device.refreshPack()).toBe(true);
    expect(device.checkOffline(foreign.code)).toMatchObject({ open: false, reason: 'not_for_this_venue' });
    expect(device.checkOffline(later.code)).toMatchObject({ open: false, reason: 'not_yet_open' });
    const forced = await device.request<any>('POST', '/devices/sync', {
      scans: [foreign, later].map((t) => ({ code: t.code, nonce: scanNonce(), scannedAt: clock.now().toISOString() })),
    });
    expect(forced.body.items.map((i: { result: string }) => i.result).sort()).toEqual(['not_for_this_venue', 'not_yet_open']);
    expect(await inside()).toBe(before);
  });
});

describe('one ticket at two gates at once', () => {
  test('control run without the guards: 200 concurrent scans of one code at two gates open more than once', async () => {
    // a venue without a door counter: the ticket's own valid → used is the only guard left to race
    const v = await createTestVenue(stack, { name: '对照双闸馆', sessionCapacity: 10 });
    await grant(stack, manager.userId, 'venue_manager', v.venueId);
    const a = await pairedDevice('in', v, manager.token, control);
    const b = await pairedDevice('in', v, manager.token, control);
    const { code } = await ticketCode(v);
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => verifyAt(control, i % 2 ? a : b, code)));
    expect(all.every((r) => r.status === 200)).toBe(true);
    expect(all.filter((r) => r.body.result === 'open').length).toBeGreaterThan(1);
  }, 60_000);

  test('200 concurrent scans of one code at two gates: exactly one opens, one place taken, one passage, one gate.passed', async () => {
    await setCapacity(300);
    const a = await pairedDevice();
    const b = await pairedDevice();
    const { code, ticketId } = await ticketCode();
    const before = await inside();
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => verifyAt(stack, i % 2 ? a : b, code)));
    expect(all.every((r) => r.status === 200)).toBe(true);
    expect(all.filter((r) => r.body.result === 'open')).toHaveLength(1);
    expect(all.filter((r) => r.body.result === 'deny').every((r) => r.body.reason === 'already_used')).toBe(true);
    expect(await inside()).toBe(before + 1);
    expect(
      await db()
        .collection('gate_passages')
        .countDocuments({ ticketId: new mongoose.Types.ObjectId(ticketId) }),
    ).toBe(1);
    const events = await db()
      .collection('outbox')
      .find({ type: 'gate.passed', 'payload.deviceId': { $in: [a.state.deviceId, b.state.deviceId] } })
      .toArray();
    expect(events).toHaveLength(1);
  }, 60_000);
});

describe('occupancy under concurrent entries and exits', () => {
  test('control run without the guards: 40 people for 10 places at once let more than 10 in', async () => {
    const v = await createTestVenue(stack, { name: '对照人数馆', sessionCapacity: 60 });
    await grant(stack, manager.userId, 'venue_manager', v.venueId);
    await setCapacity(10, v);
    const gate = await pairedDevice('in', v, manager.token, control);
    const codes = [];
    for (let i = 0; i < 40; i++) codes.push((await ticketCode(v)).code);
    const all = await Promise.all(codes.map((c) => verifyAt(control, gate, c)));
    expect(all.filter((r) => r.body.result === 'open').length).toBeGreaterThan(10);
  }, 120_000);

  test('40 people for 10 places at once: exactly 10 in; then 10 out and 30 more at once: the count stays exact', async () => {
    const v = await createTestVenue(stack, { name: '人数并发馆', sessionCapacity: 60 });
    await grant(stack, manager.userId, 'venue_manager', v.venueId);
    await setCapacity(10, v);
    const gates = [await pairedDevice('in', v), await pairedDevice('in', v)];
    const exits = [await pairedDevice('out', v), await pairedDevice('out', v)];
    const people: Awaited<ReturnType<typeof ticketCode>>[] = [];
    for (let i = 0; i < 40; i++) people.push(await ticketCode(v));
    const first = await Promise.all(people.map((p, i) => verifyAt(stack, gates[i % 2], p.code)));
    const inIdx = first.flatMap((r, i) => (r.body.result === 'open' ? [i] : []));
    expect(inIdx).toHaveLength(10);
    expect(first.filter((r) => r.body.result === 'deny').every((r) => r.body.reason === 'full')).toBe(true);
    expect(await inside(v)).toBe(10);
    const left = people.filter((_, i) => !inIdx.includes(i));
    // the 10 inside leave (each twice, at both exits) while the 30 others try to come in
    const fresh: string[] = [];
    for (const p of left) fresh.push((await stack.request('GET', `/tickets/${p.ticketId}/code`, { token: p.token })).body.code as string);
    const exitCodes = inIdx.map((i) => people[i].code);
    const mixed = await Promise.all([
      ...exitCodes.flatMap((c) => [verifyAt(stack, exits[0], c), verifyAt(stack, exits[1], c)]),
      ...fresh.map((c, i) => verifyAt(stack, gates[i % 2], c)),
    ]);
    expect(mixed.every((r) => r.status === 200)).toBe(true);
    const admitted = mixed.slice(20).filter((r) => r.body.result === 'open').length;
    expect(admitted).toBeLessThanOrEqual(10);
    expect(await inside(v)).toBe(admitted);
    const c = await counterOf(v);
    expect(c.remaining).toBe(10 - admitted);
    // the exits closed each entry once
    const open = await db()
      .collection('gate_passages')
      .countDocuments({ venueId: new mongoose.Types.ObjectId(v.venueId), direction: 'in', exitedAt: null });
    expect(open).toBe(admitted);
  }, 180_000);

  test('an exit without an entry opens, but gives no place back (the count never goes below who is inside)', async () => {
    await setCapacity(300);
    const exit = await pairedDevice('out');
    const entry = await pairedDevice('in');
    const before = await inside();
    const never = await ticketCode();
    expect((await exit.scan(never.code)).open).toBe(true);
    expect((await exit.scan(never.code)).open).toBe(true);
    expect(await inside()).toBe(before);
    // that person then comes in: counted, and the earlier exit does not close the later entry
    expect((await entry.scan(never.code)).open).toBe(true);
    expect(await inside()).toBe(before + 1);
    const c = await counterOf();
    expect(c.remaining).toBe(c.capacity - before - 1);
  });
});

describe('offline uploads replayed or reordered', () => {
  test('the same upload sent 10 times at once: each scan stored and counted once, the double admission reported once', async () => {
    await setCapacity(300);
    const a = await pairedDevice();
    const b = await pairedDevice();
    expect(await a.refreshPack()).toBe(true);
    expect(await b.refreshPack()).toBe(true);
    const before = await inside();
    const { code, ticketId } = await ticketCode();
    const other1 = await ticketCode();
    a.checkOffline(code);
    b.checkOffline(code);
    b.checkOffline(other1.code);
    expect((await a.sync())!.doubleAdmissions).toBe(0);
    const scans = [...b.state.queue];
    const all = await Promise.all(Array.from({ length: 10 }, () => signed(stack, b, 'POST', '/devices/sync', { scans })));
    expect(all.every((r) => r.status === 200)).toBe(true);
    expect(all.reduce((s, r) => s + r.body.doubleAdmissions, 0)).toBe(1);
    expect(
      await db()
        .collection('gate_passages')
        .countDocuments({ ticketId: new mongoose.Types.ObjectId(ticketId) }),
    ).toBe(2);
    expect(
      await db()
        .collection('verifications')
        .countDocuments({ ticketId: new mongoose.Types.ObjectId(ticketId) }),
    ).toBe(2);
    expect(await inside()).toBe(before + 3);
    const row = (await stack.request('GET', `/manage/venues/${venue.venueId}/devices`, { token: manager.token })).body.items.find(
      (d: { id: string }) => d.id === b.state.deviceId,
    );
    expect(row.doubleAdmissions).toBe(1);
  });

  test("reordered: the exit gate's upload arrives before the entry gate's → after both, the person is not counted inside", async () => {
    await setCapacity(300);
    const entry = await pairedDevice('in');
    const exit = await pairedDevice('out');
    expect(await entry.refreshPack()).toBe(true);
    expect(await exit.refreshPack()).toBe(true);
    const before = await inside();
    const { code } = await ticketCode();
    expect(entry.checkOffline(code)).toMatchObject({ open: true });
    clock.advance(30 * 60_000);
    try {
      expect(exit.checkOffline(code)).toMatchObject({ open: true });
      // the exit gate comes back first
      expect(await exit.sync()).toMatchObject({ uploaded: 1 });
      expect(await entry.sync()).toMatchObject({ uploaded: 1 });
      expect(await inside()).toBe(before);
    } finally {
      clock.advance(-30 * 60_000);
    }
  });

  test('reordered within one upload (later scans first) and an exit online before the entry upload: counted right', async () => {
    await setCapacity(300);
    const entry = await pairedDevice('in');
    const exit = await pairedDevice('out');
    expect(await entry.refreshPack()).toBe(true);
    const before = await inside();
    const p1 = await ticketCode();
    const p2 = await ticketCode();
    entry.checkOffline(p1.code);
    clock.advance(60_000);
    entry.checkOffline(p2.code);
    clock.advance(60_000);
    try {
      // p1 leaves online while the entry gate is still offline
      expect((await exit.scan(p1.code)).open).toBe(true);
      const scans = [...entry.state.queue].reverse();
      const res = await entry.request<any>('POST', '/devices/sync', { scans });
      expect(res.status).toBe(200);
      expect(await inside()).toBe(before + 1);
    } finally {
      clock.advance(-2 * 60_000);
    }
  });
});

describe('crash between two writes, healed by the sweeper', () => {
  const heal = () => stack.cloud.jobs.find((j) => j.name === 'gate-heal')!.run();

  test('crash after the exit closed the entry, before the place was given back: the sweeper gives it back, once', async () => {
    await setCapacity(300);
    const entry = await pairedDevice('in');
    const exit = await pairedDevice('out');
    const { code } = await ticketCode();
    expect((await entry.scan(code)).open).toBe(true);
    const before = await inside();
    crashes.arm('effects:gate-passage:capacity:before');
    const res = await verifyAt(stack, exit, code);
    crashes.disarm();
    expect(res.status).toBe(500);
    expect(await inside()).toBe(before); // closed, not yet given back
    clock.advance(5 * 60_000);
    try {
      expect(stack.cloud.jobs.some((j) => j.name === 'gate-heal')).toBe(true);
      await heal();
      expect(await inside()).toBe(before - 1);
      await heal();
      expect(await inside()).toBe(before - 1);
    } finally {
      clock.advance(-5 * 60_000);
    }
  });

  test('crash after the exit was claimed for the entry, before the entry was closed: the sweeper closes it and gives the place back', async () => {
    await setCapacity(300);
    const entry = await pairedDevice('in');
    const exit = await pairedDevice('out');
    const { code, ticketId } = await ticketCode();
    expect((await entry.scan(code)).open).toBe(true);
    const before = await inside();
    crashes.arm('effects:gate-passage:close:before');
    const res = await verifyAt(stack, exit, code);
    crashes.disarm();
    expect(res.status).toBe(500);
    expect(await inside()).toBe(before);
    clock.advance(5 * 60_000);
    try {
      await heal();
      await heal();
      expect(await inside()).toBe(before - 1);
      const open = await db()
        .collection('gate_passages')
        .countDocuments({ ticketId: new mongoose.Types.ObjectId(ticketId), direction: 'in', exitedAt: null });
      expect(open).toBe(0);
    } finally {
      clock.advance(-5 * 60_000);
    }
  });

  test('crash after the give-back, before it was recorded, its tokens slid out: the sweeper gives nothing twice', async () => {
    await setCapacity(300);
    const entry = await pairedDevice('in');
    const exit = await pairedDevice('out');
    const { code } = await ticketCode();
    expect((await entry.scan(code)).open).toBe(true);
    const before = await inside();
    crashes.arm('effects:gate-passage:capacity:done');
    const res = await verifyAt(stack, exit, code);
    crashes.disarm();
    expect(res.status).toBe(500);
    expect(await inside()).toBe(before - 1);
    // later holders push this entry's take and give tokens out of the counter's list
    const tokens = Array.from({ length: KEEP }, () => `${new mongoose.Types.ObjectId()}:take`);
    await db()
      .collection('gate_occupancy')
      .updateOne({ _id: new mongoose.Types.ObjectId(venue.venueId) }, { $push: { applied: { $each: tokens, $slice: -KEEP } } } as never);
    const applied = (await counterOf()).applied as string[];
    expect(applied.some((t) => t.startsWith(`${entry.state.deviceId}:`))).toBe(false);
    clock.advance(5 * 60_000);
    try {
      await heal();
      expect(await inside()).toBe(before - 1); // a double give-back would read before - 2
    } finally {
      clock.advance(-5 * 60_000);
    }
  }, 60_000);

  test('crash after the entry took a place, before the ticket was checked: the sweeper gives the place back', async () => {
    await setCapacity(300);
    const entry = await pairedDevice('in');
    const { code, ticketId } = await ticketCode();
    const before = await inside();
    crashes.arm('gate.verify:after-take');
    const res = await verifyAt(stack, entry, code);
    crashes.disarm();
    expect(res.status).toBe(500);
    expect(await ticketStatus(ticketId)).toBe('valid');
    clock.advance(5 * 60_000);
    try {
      await heal();
      expect(await inside()).toBe(before);
    } finally {
      clock.advance(-5 * 60_000);
    }
    // the person scans again and comes in, counted once
    expect((await entry.scan(code)).open).toBe(true);
    expect(await inside()).toBe(before + 1);
  });

  test('crash after the ticket was used, before its scan was recorded, no retry: the sweeper counts the entry (not rolled back)', async () => {
    await setCapacity(300);
    const entry = await pairedDevice('in');
    const { code, ticketId } = await ticketCode();
    const before = await inside();
    crashes.arm('ticket.admit:after-transition');
    expect((await verifyAt(stack, entry, code)).status).toBe(500);
    crashes.disarm();
    expect(await ticketStatus(ticketId)).toBe('used');
    clock.advance(5 * 60_000);
    try {
      await heal();
      expect(await inside()).toBe(before + 1);
    } finally {
      clock.advance(-5 * 60_000);
    }
  });

  test('crash after the ticket was used, before its scan was recorded: the sweeper counts the entry, and the gate’s retry opens', async () => {
    await setCapacity(300);
    const entry = await pairedDevice('in');
    const { code, ticketId } = await ticketCode();
    const before = await inside();
    const nonce = scanNonce();
    crashes.arm('ticket.admit:after-transition');
    const res = await verifyAt(stack, entry, code, nonce);
    crashes.disarm();
    expect(res.status).toBe(500);
    expect(await ticketStatus(ticketId)).toBe('used');
    // the gate asks again for the same scan at once: it opens (the ticket was used by this scan)
    const retry = await verifyAt(stack, entry, code, nonce);
    expect([retry.status, retry.body]).toEqual([200, expect.objectContaining({ result: 'open' })]);
    clock.advance(5 * 60_000);
    try {
      await heal();
      // counted once, not rolled back
      expect(await inside()).toBe(before + 1);
    } finally {
      clock.advance(-5 * 60_000);
    }
  });

  test('crash after the ticket was used, before the passage was written: the sweeper records the entry, counted once, and its exit gives the place back', async () => {
    await setCapacity(300);
    const entry = await pairedDevice('in');
    const exit = await pairedDevice('out');
    const { code, ticketId } = await ticketCode();
    const before = await inside();
    crashes.arm('gate.verify:after-admit');
    const res = await verifyAt(stack, entry, code);
    crashes.disarm();
    expect(res.status).toBe(500);
    expect(await ticketStatus(ticketId)).toBe('used');
    clock.advance(5 * 60_000);
    try {
      await heal();
      await heal();
      expect(await inside()).toBe(before + 1);
      expect((await exit.scan(code)).open).toBe(true);
      expect(await inside()).toBe(before);
    } finally {
      clock.advance(-5 * 60_000);
    }
  });
});

describe('walk-up day counter', () => {
  test('an unpaid walk-up order closed by three sweepers at once and by the payment close: its place comes back once', async () => {
    const prod = await stack.request('POST', `/manage/venues/${venue.venueId}/walk-up-products`, {
      token: manager.token,
      body: { name: '游泳 攻击', sport: 'swimming', durationMinutes: 120, priceFen: 1500, dailyCapacity: 3 },
    });
    const productId = prod.body.product.id as string;
    const buyers = await stack.loginMany('attack-walkup', 5);
    const bought = await Promise.all(
      buyers.map((u) => stack.request('POST', `/venues/${venue.venueId}/walk-up`, { token: u.token, body: { productId } })),
    );
    expect(bought.map((r) => [r.status, r.body.error?.code]).filter(([st]) => st !== 409)).toEqual([
      [201, undefined],
      [201, undefined],
      [201, undefined],
    ]);
    const remaining = async () =>
      (await stack.request('GET', `/venues/${venue.venueId}/walk-up`)).body.items.find((p: { id: string }) => p.id === productId).remaining;
    expect(await remaining()).toBe(0);
    clock.advance(11 * 60_000);
    try {
      const job = stack.cloud.jobs.find((j) => j.name === 'walkup-expire')!;
      await Promise.all([job.run(), job.run(), job.run()]);
      expect(await remaining()).toBe(3);
    } finally {
      clock.advance(-11 * 60_000);
    }
  });
});

describe('token windows: places come back after their take tokens slid out', () => {
  test("an exit after a full token list of later holders: the entry's place comes back, once", async () => {
    await setCapacity(300);
    const entry = await pairedDevice('in');
    const exit = await pairedDevice('out');
    const { code } = await ticketCode();
    expect((await entry.scan(code)).open).toBe(true);
    const before = await inside();
    const tokens = Array.from({ length: KEEP }, () => `${new mongoose.Types.ObjectId()}:take`);
    await db()
      .collection('gate_occupancy')
      .updateOne({ _id: new mongoose.Types.ObjectId(venue.venueId) }, { $push: { applied: { $each: tokens, $slice: -KEEP } } } as never);
    expect(((await counterOf()).applied as string[]).some((t) => t.startsWith(`${entry.state.deviceId}:`))).toBe(false);
    expect((await exit.scan(code)).open).toBe(true);
    expect(await inside()).toBe(before - 1);
    expect((await exit.scan(code)).open).toBe(true);
    expect(await inside()).toBe(before - 1);
  });

  test('an unpaid walk-up order released after a full token list of later sales: its place comes back, once', async () => {
    const prod = await stack.request('POST', `/manage/venues/${venue.venueId}/walk-up-products`, {
      token: manager.token,
      body: { name: '游泳 令牌', sport: 'swimming', durationMinutes: 120, priceFen: 1500, dailyCapacity: 2 },
    });
    const productId = prod.body.product.id as string;
    const [buyer] = await stack.loginMany('attack-walkup-window', 1);
    const bought = await stack.request('POST', `/venues/${venue.venueId}/walk-up`, { token: buyer.token, body: { productId } });
    expect(bought.status).toBe(201);
    const { dayId } = (await db()
      .collection('walkup_purchases')
      .findOne({ _id: new mongoose.Types.ObjectId(bought.body.purchaseId) }))!;
    const tokens = Array.from({ length: WALKUP_KEEP_TOKENS }, () => `${new mongoose.Types.ObjectId()}:take`);
    await db()
      .collection('walkup_days')
      .updateOne({ _id: dayId }, { $push: { applied: { $each: tokens, $slice: -WALKUP_KEEP_TOKENS } } } as never);
    const remaining = async () =>
      (await stack.request('GET', `/venues/${venue.venueId}/walk-up`)).body.items.find((p: { id: string }) => p.id === productId).remaining;
    expect(await remaining()).toBe(1);
    const job = stack.cloud.jobs.find((j) => j.name === 'walkup-expire')!;
    clock.advance(11 * 60_000);
    try {
      await job.run();
      expect(await remaining()).toBe(2);
      clock.advance(2 * 60_000);
      await job.run();
      expect(await remaining()).toBe(2);
    } finally {
      clock.advance(-13 * 60_000);
    }
  });
});

describe('walk-up release, crashed', () => {
  test('crash after an unpaid order was released, before its place went back: the sweeper gives it back, once', async () => {
    const prod = await stack.request('POST', `/manage/venues/${venue.venueId}/walk-up-products`, {
      token: manager.token,
      body: { name: '游泳 崩溃', sport: 'swimming', durationMinutes: 120, priceFen: 1500, dailyCapacity: 2 },
    });
    const productId = prod.body.product.id as string;
    const [buyer] = await stack.loginMany('attack-walkup-crash', 1);
    expect((await stack.request('POST', `/venues/${venue.venueId}/walk-up`, { token: buyer.token, body: { productId } })).status).toBe(201);
    const remaining = async () =>
      (await stack.request('GET', `/venues/${venue.venueId}/walk-up`)).body.items.find((p: { id: string }) => p.id === productId).remaining;
    expect(await remaining()).toBe(1);
    const job = stack.cloud.jobs.find((j) => j.name === 'walkup-expire')!;
    clock.advance(11 * 60_000);
    try {
      crashes.arm('effects:walkup-purchase:capacity:before');
      await job.run().catch(() => undefined);
      crashes.disarm();
      expect(crashes.hits).toContain('effects:walkup-purchase:capacity:before');
      expect(await remaining()).toBe(1); // released, its place not yet back
      clock.advance(2 * 60_000);
      await job.run();
      expect(await remaining()).toBe(2);
      await job.run();
      expect(await remaining()).toBe(2);
    } finally {
      clock.advance(-13 * 60_000);
    }
  });
});

describe('bad input on the gate routes → 4xx with a stable code, never 500', () => {
  test('signed requests with malformed bodies', async () => {
    const device = await pairedDevice();
    const huge = 'x'.repeat(300_000);
    const before = await snapshotDatabase();
    const bodies: [string, string][] = [
      ['not json', '{"code":'],
      ['an array', '[1,2]'],
      ['a string', '"CS1"'],
      ['code an object', JSON.stringify({ code: { $gt: '' }, nonce: 'abcdefgh1' })],
      ['code a number', JSON.stringify({ code: 7, nonce: 'abcdefgh1' })],
      ['nonce an operator', JSON.stringify({ code: 'CS1.x.y', nonce: { $ne: null } })],
      ['nonce with $', JSON.stringify({ code: 'CS1.x.y', nonce: '$where12' })],
      ['extra $ key', JSON.stringify({ code: 'CS1.x.y', nonce: 'abcdefgh1', $set: { status: 'valid' } })],
      ['prototype key', '{"code":"CS1.x.y","nonce":"abcdefgh1","__proto__":{"admin":true}}'],
      ['huge', JSON.stringify({ code: huge, nonce: 'abcdefgh1' })],
    ];
    for (const [label, raw] of bodies) {
      const res = await signed(stack, device, 'POST', '/devices/verify', undefined, raw);
      expect([label, res.status < 500 && res.status >= 400, typeof res.body?.error?.code]).toEqual([label, true, 'string']);
    }
    const syncs: [string, unknown][] = [
      ['scan date garbage', { scans: [{ code: 'CS1.x.y', nonce: 'abcdefgh1', scannedAt: 'yesterday' }] }],
      ['scan date operator', { scans: [{ code: 'CS1.x.y', nonce: 'abcdefgh1', scannedAt: { $gt: '' } }] }],
      ['scans an object', { scans: { $each: [] } }],
      [
        'too many scans',
        {
          scans: Array.from({ length: 501 }, (_, i) => ({ code: 'CS1.x.y', nonce: `abcdefgh${i}`, scannedAt: clock.now().toISOString() })),
        },
      ],
      ['heartbeat-shaped', { pendingUploads: 1, offlineSince: null }],
    ];
    for (const [label, body] of syncs) {
      const res = await signed(stack, device, 'POST', '/devices/sync', body);
      expect([label, res.status, res.body?.error?.code]).toEqual([label, 400, 'VALIDATION_FAILED']);
    }
    const beats: [string, unknown][] = [
      ['pending negative', { pendingUploads: -1, offlineSince: null }],
      ['pending a string', { pendingUploads: '3', offlineSince: null }],
      ['offlineSince garbage', { pendingUploads: 0, offlineSince: 'now' }],
      ['missing', {}],
    ];
    for (const [label, body] of beats) {
      const res = await signed(stack, device, 'POST', '/devices/heartbeat', body);
      expect([label, res.status, res.body?.error?.code]).toEqual([label, 400, 'VALIDATION_FAILED']);
    }
    expect(await snapshotDatabase()).toEqual(before);
  });

  test('device headers malformed or as operators; manager and walk-up routes with operators in the path, query and body', async () => {
    const device = await pairedDevice();
    const raw = JSON.stringify({ pendingUploads: 0, offlineSince: null });
    const good = device.signedHeaders('POST', '/api/v1/devices/heartbeat', raw);
    const headerCases: Record<string, string>[] = [
      { ...good, 'x-device-id': '{"$ne":null}' },
      { ...good, 'x-device-timestamp': '1e13' },
      { ...good, 'x-device-timestamp': '9'.repeat(13) },
      { ...good, 'x-device-nonce': 'a'.repeat(5000) },
      { ...good, 'x-device-signature': `${'A'.repeat(86)}==` },
    ];
    for (const headers of headerCases) {
      const res = await stack.request('POST', '/devices/heartbeat', { rawBody: raw, headers });
      expect([res.status, res.body.error?.code]).toEqual([401, 'DEVICE_UNAUTHENTICATED']);
    }
    const citizen = await stack.login('attack-gate-citizen');
    await stack.request('GET', '/me', { token: citizen.token }); // a first request's own writes, before the snapshot
    await stack.request('GET', '/me', { token: manager.token });
    const before = await snapshotDatabase();
    const cases: [string, 'GET' | 'POST' | 'PUT' | 'DELETE', string, unknown, string, number][] = [
      ['occupancy: operator venue', 'GET', '/venues/%24where/occupancy', undefined, 'anyone', 400],
      ['occupancy put: string capacity', 'PUT', `/manage/venues/${venue.venueId}/occupancy`, { capacity: '10' }, 'manager', 400],
      ['occupancy put: operator capacity', 'PUT', `/manage/venues/${venue.venueId}/occupancy`, { capacity: { $inc: 5 } }, 'manager', 400],
      ['occupancy put: huge capacity', 'PUT', `/manage/venues/${venue.venueId}/occupancy`, { capacity: 1e12 }, 'manager', 400],
      [
        'register: direction operator',
        'POST',
        `/manage/venues/${venue.venueId}/devices`,
        { name: 'a', gate: 'b', direction: { $in: ['in'] } },
        'manager',
        400,
      ],
      ['register: missing gate', 'POST', `/manage/venues/${venue.venueId}/devices`, { name: 'a', direction: 'in' }, 'manager', 400],
      ['revoke: operator device', 'DELETE', `/manage/venues/${venue.venueId}/devices/%7B%22%24ne%22%3A1%7D`, undefined, 'manager', 400],
      [
        'pair: code operator',
        'POST',
        '/devices/pair',
        { pairingCode: { $ne: '' }, publicKey: Buffer.alloc(32).toString('base64') },
        'anyone',
        400,
      ],
      ['pair: key not base64', 'POST', '/devices/pair', { pairingCode: 'ABCDEFGHJK', publicKey: '!!!' }, 'anyone', 400],
      ['walk-up: product operator', 'POST', `/venues/${venue.venueId}/walk-up`, { productId: { $ne: null } }, 'citizen', 400],
      [
        'walk-up: native array',
        'POST',
        `/venues/${venue.venueId}/walk-up?native=1&native=1`,
        { productId: new mongoose.Types.ObjectId().toHexString() },
        'citizen',
        400,
      ],
      [
        'walk-up: unknown product',
        'POST',
        `/venues/${venue.venueId}/walk-up`,
        { productId: new mongoose.Types.ObjectId().toHexString() },
        'citizen',
        404,
      ],
      ['walk-up list: operator venue', 'GET', '/venues/%7B%24gt%3A0%7D/walk-up', undefined, 'anyone', 400],
    ];
    for (const [label, method, path, body, who, status] of cases) {
      const token = who === 'manager' ? manager.token : who === 'citizen' ? citizen.token : undefined;
      const res = await stack.request(method, path, { token, body });
      expect([label, res.status, typeof res.body?.error?.code]).toEqual([label, status, 'string']);
    }
    expect(await snapshotDatabase()).toEqual(before);
  });
});
