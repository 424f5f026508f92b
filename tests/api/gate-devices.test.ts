/**
 * Gate devices (issue 16): pairing with a one-time code, signed requests (revoked device, another
 * device's key, replay), online verification through the ticket module's guarded valid → used,
 * the offline pack, heartbeats, occupancy from in/out scans, offline uploads with double admissions,
 * and the leased alert job.
 */
import mongoose from 'mongoose';
import { DeviceOfflinePackSchema, GateDeviceSchema, OccupancySchema, TicketListSchema } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { GateDevice } from '../../cloud/src/modules/gate/client/device-client';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;
let venue: Awaited<ReturnType<typeof createTestVenue>>;
let other: Awaited<ReturnType<typeof createTestVenue>>;
let manager: { token: string; userId: string };
let startAt: Date;
let sessionDay: string;
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  stack = await startTestStack('gate-devices', { clock });
  venue = await createTestVenue(stack, { name: '闸机馆', sessionCapacity: 200, rules: { maxCompanions: 3 } });
  other = await createTestVenue(stack, { name: '别的馆' });
  manager = await stack.login('gate-manager');
  await grant(stack, manager.userId, 'venue_manager', venue.venueId);
  sessionDay = daysAhead(clock, 1);
  startAt = (await slotsOf(venue.sessionId, sessionDay))[0].startAt;
  clock.set(new Date(startAt.getTime() - 10 * 60_000));
}, 120_000);
afterAll(() => stack.stop());

const api = () => `${stack.url}/api/v1`;

async function register(direction: 'in' | 'out' = 'in', venueId = venue.venueId, token = manager.token) {
  return stack.request('POST', `/manage/venues/${venueId}/devices`, {
    token,
    body: { name: `闸机-${direction}`, gate: '东门', direction },
  });
}

async function pairedDevice(direction: 'in' | 'out' = 'in'): Promise<GateDevice> {
  const res = await register(direction);
  expect(res.status).toBe(201);
  return GateDevice.pair(api(), res.body.pairingCode, { now: () => clock.now() });
}

let n = 0;
/** a fresh ticket of the venue's session and its current code */
async function ticketCode(v = venue, day = sessionDay): Promise<{ code: string; ticketId: string; token: string }> {
  const user = await stack.login(`gate-holder-${n++}`);
  const [session] = await slotsOf(v.sessionId, day);
  const res = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [session.id], quantity: 1 } });
  expect(res.status).toBe(201);
  const [ticket] = TicketListSchema.parse((await stack.request('GET', '/tickets/mine', { token: user.token })).body).items;
  const code = await stack.request('GET', `/tickets/${ticket.id}/code`, { token: user.token });
  expect(code.status).toBe(200);
  return { code: code.body.code, ticketId: ticket.id, token: user.token };
}

/** a ticket of the day after, cancelled by its holder (revoked) */
async function cancelledTicket(): Promise<string> {
  const t = await ticketCode(venue, daysAhead(clock, 2));
  const [booking] = (await stack.request('GET', '/bookings/mine', { token: t.token })).body.items;
  expect((await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: t.token, body: {} })).status).toBe(200);
  return t.ticketId;
}

describe('pairing', () => {
  test('a venue manager registers a device and gets a one-time code; the device pairs once with its own public key', async () => {
    const res = await register('in');
    expect(res.status).toBe(201);
    expect(res.body.pairingCode).toMatch(/^[A-HJ-NP-Z2-9]{10}$/);
    expect(GateDeviceSchema.parse(res.body.device).status).toBe('pairing');
    const device = await GateDevice.pair(api(), res.body.pairingCode, { now: () => clock.now() });
    expect(device.state.deviceId).toBe(res.body.device.id);
    const stored = await db()
      .collection('gate_devices')
      .findOne({ _id: new mongoose.Types.ObjectId(device.state.deviceId) });
    expect(stored!.status).toBe('active');
    expect(stored!.publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(stored!.pairingHash).toBeUndefined();
    // the code is spent
    await expect(GateDevice.pair(api(), res.body.pairingCode)).rejects.toThrow(/PAIRING_CODE_INVALID/);
    const audit = await db().collection('audit_log').find({ 'details.deviceId': device.state.deviceId }).toArray();
    expect(audit.map((a) => a.action).sort()).toEqual(['gate.device.pair', 'gate.device.register']);
  });

  test('only the venue manager of that venue registers, lists and revokes', async () => {
    const citizen = await stack.login('gate-citizen');
    expect((await register('in', venue.venueId, citizen.token)).body.error.code).toBe('FORBIDDEN');
    const res = await register('in', other.venueId);
    expect(res.status).toBe(403);
    const list = await stack.request('GET', `/manage/venues/${other.venueId}/devices`, { token: manager.token });
    expect(list.status).toBe(403);
  });

  test('an expired pairing code does not pair', async () => {
    const res = await register('in');
    clock.advance(31 * 60_000);
    try {
      await expect(GateDevice.pair(api(), res.body.pairingCode)).rejects.toThrow(/PAIRING_CODE_INVALID/);
    } finally {
      clock.advance(-31 * 60_000);
    }
  });
});

describe('signed requests', () => {
  test('a revoked device is refused on its next request', async () => {
    const device = await pairedDevice();
    expect((await device.request('POST', '/devices/heartbeat', { pendingUploads: 0, offlineSince: null })).status).toBe(200);
    const del = await stack.request('DELETE', `/manage/venues/${venue.venueId}/devices/${device.state.deviceId}`, { token: manager.token });
    expect(del.status).toBe(200);
    expect(del.body.device.status).toBe('revoked');
    const { code } = await ticketCode();
    const res = await device.request<any>('POST', '/devices/verify', { code, nonce: 'revoked-scan-1' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('DEVICE_REVOKED');
    expect((await device.request<any>('GET', '/devices/offline-pack')).body.error.code).toBe('DEVICE_REVOKED');
    const audit = await db().collection('audit_log').findOne({ action: 'gate.device.revoke', 'details.deviceId': device.state.deviceId });
    expect(String(audit!.actorId)).toBe(manager.userId);
  });

  test("a request signed by another device's key is refused", async () => {
    const a = await pairedDevice();
    const b = await pairedDevice();
    const raw = JSON.stringify({ pendingUploads: 0, offlineSince: null });
    // b signs, claiming to be a
    const res = await stack.request('POST', '/devices/heartbeat', {
      rawBody: raw,
      headers: b.signedHeaders('POST', '/api/v1/devices/heartbeat', raw, { deviceId: a.state.deviceId }),
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('DEVICE_UNAUTHENTICATED');
    // a's own signature over a changed body does not hold either
    const headers = a.signedHeaders('POST', '/api/v1/devices/heartbeat', raw);
    const tampered = await stack.request('POST', '/devices/heartbeat', { rawBody: raw.replace('0', '9'), headers });
    expect(tampered.body.error.code).toBe('DEVICE_UNAUTHENTICATED');
    // a's signature over another path does not hold
    const moved = await stack.request('POST', '/devices/sync', { rawBody: raw, headers });
    expect(moved.body.error.code).toBe('DEVICE_UNAUTHENTICATED');
    expect((await stack.request('POST', '/devices/heartbeat', { rawBody: raw, headers })).status).toBe(200);
  });

  test('a replayed signed request is refused, through the nonce store in the database', async () => {
    const device = await pairedDevice();
    const { code } = await ticketCode();
    const raw = JSON.stringify({ code, nonce: 'replay-scan-0001' });
    const headers = device.signedHeaders('POST', '/api/v1/devices/verify', raw);
    const first = await stack.request('POST', '/devices/verify', { rawBody: raw, headers });
    expect(first.status).toBe(200);
    expect(first.body.result).toBe('open');
    const again = await stack.request('POST', '/devices/verify', { rawBody: raw, headers });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('DEVICE_REPLAYED');
    const stored = await db()
      .collection('gate_request_nonces')
      .findOne({ _id: `${device.state.deviceId}:${headers['x-device-nonce']}` as never });
    expect(stored!.expiresAt.getTime()).toBeGreaterThan(clock.now().getTime());
    // the TTL index removes it on MongoDB; the test engine has no TTL, so the leased sweep job does
    clock.advance(12 * 60_000);
    try {
      await stack.cloud.jobs.find((j) => j.name === 'gate-nonce-sweep')!.run();
      expect(await db().collection('gate_request_nonces').countDocuments({ _id: stored!._id })).toBe(0);
    } finally {
      clock.advance(-12 * 60_000);
    }
  });

  test('an old timestamp, a missing signature and an unknown device are refused', async () => {
    const device = await pairedDevice();
    const raw = JSON.stringify({ pendingUploads: 0, offlineSince: null });
    const headers = device.signedHeaders('POST', '/api/v1/devices/heartbeat', raw);
    clock.advance(6 * 60_000);
    try {
      expect((await stack.request('POST', '/devices/heartbeat', { rawBody: raw, headers })).body.error.code).toBe('DEVICE_UNAUTHENTICATED');
    } finally {
      clock.advance(-6 * 60_000);
    }
    const { 'x-device-signature': _sig, ...unsigned } = headers;
    expect((await stack.request('POST', '/devices/heartbeat', { rawBody: raw, headers: unsigned })).status).toBe(401);
    const ghost = device.signedHeaders('POST', '/api/v1/devices/heartbeat', raw, { deviceId: new mongoose.Types.ObjectId().toHexString() });
    expect((await stack.request('POST', '/devices/heartbeat', { rawBody: raw, headers: ghost })).body.error.code).toBe(
      'DEVICE_UNAUTHENTICATED',
    );
  });
});

describe('the device API', () => {
  test('online verify: the same guarded valid → used as staff scans (a used code is denied, also for a staff phone)', async () => {
    const device = await pairedDevice();
    const { code, ticketId } = await ticketCode();
    expect(await device.scan(code)).toEqual({ open: true, ticketId, reason: undefined, offline: false });
    expect(await device.scan(code)).toMatchObject({ open: false, reason: 'already_used', offline: false });
    const ticket = await db()
      .collection('tickets')
      .findOne({ _id: new mongoose.Types.ObjectId(ticketId) });
    expect(ticket!.status).toBe('used');
    expect(ticket!.usedDeviceId).toBe(device.state.deviceId);
    // the booking was told (the ticket source), as for a staff scan
    const booking = await db()
      .collection('bookings')
      .findOne({ _id: new mongoose.Types.ObjectId(ticket!.source.id) });
    expect(booking!.status).toBe('used');
    const foreign = await ticketCode(other);
    expect(await device.scan(foreign.code)).toMatchObject({ open: false, reason: 'not_for_this_venue' });
    expect(await device.scan('CS1.AAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA')).toMatchObject({ open: false, reason: 'invalid' });
    const events = await db().collection('outbox').find({ type: 'gate.passed', 'payload.deviceId': device.state.deviceId }).toArray();
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({ direction: 'in', offline: false, duplicate: false });
    expect(JSON.stringify(events[0].payload)).not.toContain(ticketId);
  });

  test('the offline pack: keys, revocation list and the tickets admitted today', async () => {
    const device = await pairedDevice();
    const used = await ticketCode();
    expect((await device.scan(used.code)).open).toBe(true);
    const cancelled = await cancelledTicket();
    const res = await device.request<any>('GET', '/devices/offline-pack');
    expect(res.status).toBe(200);
    const pack = DeviceOfflinePackSchema.parse(res.body);
    expect(pack.keys.length).toBeGreaterThan(0);
    expect(pack.venueId).toBe(venue.venueId);
    expect(pack.revoked).toContain(cancelled);
    expect(pack.admitted).toContain(used.ticketId);
  });

  test('heartbeat: last heartbeat, pending uploads and offline duration in the device list', async () => {
    const device = await pairedDevice();
    const res = await device.request('POST', '/devices/heartbeat', { pendingUploads: 7, offlineSince: null });
    expect(res.status).toBe(200);
    clock.advance(90_000);
    try {
      const list = await stack.request('GET', `/manage/venues/${venue.venueId}/devices`, { token: manager.token });
      const row = GateDeviceSchema.parse(list.body.items.find((d: { id: string }) => d.id === device.state.deviceId));
      expect(row.pendingUploads).toBe(7);
      expect(row.lastHeartbeatAt).not.toBeNull();
      expect(row.offlineSeconds).toBe(90);
    } finally {
      clock.advance(-90_000);
    }
  });
});

describe('capacity at the door', () => {
  test('in/out scans count people inside on the kernel capacity counter; the device denies entry when full', async () => {
    const put = await stack.request('PUT', `/manage/venues/${other.venueId}/occupancy`, { token: manager.token, body: { capacity: 2 } });
    expect(put.status).toBe(403);
    const cap = await stack.request('PUT', `/manage/venues/${venue.venueId}/occupancy`, { token: manager.token, body: { capacity: 2 } });
    expect(cap.status).toBe(200);
    expect(OccupancySchema.parse(cap.body)).toMatchObject({ inside: 0, capacity: 2 });
    const entry = await pairedDevice('in');
    const exit = await pairedDevice('out');
    const [a, b, c] = [await ticketCode(), await ticketCode(), await ticketCode()];
    expect((await entry.scan(a.code)).open).toBe(true);
    expect((await entry.scan(b.code)).open).toBe(true);
    expect(await entry.scan(c.code)).toMatchObject({ open: false, reason: 'full' });
    // a refused scan took no place and used no ticket
    expect(
      (await db()
        .collection('tickets')
        .findOne({ _id: new mongoose.Types.ObjectId(c.ticketId) }))!.status,
    ).toBe('valid');
    const live = await stack.request('GET', `/venues/${venue.venueId}/occupancy`);
    expect(live.body).toMatchObject({ inside: 2, capacity: 2 });
    // a used code is denied and gives back the place it tried
    expect(await entry.scan(a.code)).toMatchObject({ open: false });
    expect((await exit.scan(a.code)).open).toBe(true);
    expect((await stack.request('GET', `/venues/${venue.venueId}/occupancy`)).body.inside).toBe(1);
    // leaving twice gives back one place
    expect((await exit.scan(a.code)).open).toBe(true);
    expect((await stack.request('GET', `/venues/${venue.venueId}/occupancy`)).body.inside).toBe(1);
    const fresh = await stack.request('GET', `/tickets/${c.ticketId}/code`, { token: c.token });
    expect((await entry.scan(fresh.body.code)).open).toBe(true);
    const staffView = await stack.request('GET', `/manage/venues/${venue.venueId}/occupancy`, { token: manager.token });
    expect(staffView.body).toMatchObject({ inside: 2, capacity: 2 });
    // the counter is the kernel's (tokens per holder), no second counter
    const counter = await db()
      .collection('gate_occupancy')
      .findOne({ _id: new mongoose.Types.ObjectId(venue.venueId) });
    expect(counter!.applied.length).toBeGreaterThan(0);
    // room for the next tests
    await stack.request('PUT', `/manage/venues/${venue.venueId}/occupancy`, { token: manager.token, body: { capacity: 100 } });
    expect((await stack.request('GET', `/venues/${venue.venueId}/occupancy`)).body).toMatchObject({ inside: 2, capacity: 100 });
  });
});

describe('offline', () => {
  test('two devices admit the same code offline: both uploads stored once each, the second reported as a double admission; occupancy heals', async () => {
    const a = await pairedDevice('in');
    const b = await pairedDevice('in');
    expect(await a.refreshPack()).toBe(true);
    expect(await b.refreshPack()).toBe(true);
    const before = (await stack.request('GET', `/venues/${venue.venueId}/occupancy`)).body.inside as number;
    const { code, ticketId } = await ticketCode();
    // the network is down: both decide on their own with the staff page's check
    expect(a.checkOffline(code)).toMatchObject({ open: true, offline: true, ticketId });
    clock.advance(20_000);
    expect(b.checkOffline(code)).toMatchObject({ open: true, offline: true, ticketId });
    // and a second scan at one device is refused offline
    expect(a.checkOffline(code)).toMatchObject({ open: false, reason: 'already_used' });
    expect((await stack.request('GET', `/venues/${venue.venueId}/occupancy`)).body.inside).toBe(before);

    const scansA = [...a.state.queue];
    const scansB = [...b.state.queue];
    expect(await a.sync()).toEqual({ uploaded: 1, doubleAdmissions: 0 });
    expect(await b.sync()).toEqual({ uploaded: 1, doubleAdmissions: 1 });
    // uploaded again (a lost answer): nothing stored twice, nothing reported twice
    expect((await b.request<any>('POST', '/devices/sync', { scans: scansB })).body.doubleAdmissions).toBe(0);
    expect((await a.request<any>('POST', '/devices/sync', { scans: scansA })).body.doubleAdmissions).toBe(0);
    const verifications = await db()
      .collection('verifications')
      .find({ ticketId: new mongoose.Types.ObjectId(ticketId) })
      .toArray();
    expect(verifications).toHaveLength(2);
    expect(verifications.map((v) => v.duplicate).sort()).toEqual([false, true]);
    const passages = await db()
      .collection('gate_passages')
      .find({ ticketId: new mongoose.Types.ObjectId(ticketId) })
      .toArray();
    expect(passages).toHaveLength(2);
    // both people went in: the count heals from the uploads
    expect((await stack.request('GET', `/venues/${venue.venueId}/occupancy`)).body.inside).toBe(before + 2);
    const list = await stack.request('GET', `/manage/venues/${venue.venueId}/devices`, { token: manager.token });
    expect(list.body.items.find((d: { id: string }) => d.id === b.state.deviceId).doubleAdmissions).toBe(1);
    const events = await db()
      .collection('outbox')
      .find({ type: 'gate.passed', 'payload.offline': true, 'payload.deviceId': { $in: [a.state.deviceId, b.state.deviceId] } })
      .toArray();
    expect(events.map((e) => e.payload.duplicate).sort()).toEqual([false, true]);
  });
});

describe('alerts (leased job)', () => {
  test('a gate offline for more than 10 minutes and a double admission are told to the manager, once each', async () => {
    // the manager agreed to gate alerts (one credit per message)
    for (let i = 0; i < 5; i++)
      expect(
        (
          await stack.request('POST', '/notifications/subscriptions', {
            token: manager.token,
            body: { templateIds: ['gate_alert'], accepted: true },
          })
        ).status,
      ).toBe(204);
    const job = stack.cloud.jobs.find((j) => j.name === 'gate-alerts')!;
    expect(job).toBeDefined();
    await job.run(); // the double admission of the offline test, and any earlier silent gates
    const device = await pairedDevice();
    await device.heartbeat();
    const sentBefore = stack.mock.sentMessages.length;
    clock.advance(9 * 60_000);
    await job.run();
    expect(stack.mock.sentMessages.length).toBe(sentBefore);
    clock.advance(2 * 60_000);
    try {
      // other devices of this file went silent too: count this one's alert
      await job.run();
      const audit = await db()
        .collection('audit_log')
        .find({ action: 'gate.alert.offline', 'details.deviceId': device.state.deviceId })
        .toArray();
      expect(audit).toHaveLength(1);
      await job.run();
      expect(
        await db().collection('audit_log').countDocuments({ action: 'gate.alert.offline', 'details.deviceId': device.state.deviceId }),
      ).toBe(1);
      expect(stack.mock.sentMessages.some((m) => m.template_id === 'gate_alert' && m.data.phrase2.value === '闸机离线')).toBe(true);
      expect(await db().collection('audit_log').countDocuments({ action: 'gate.alert.double_admission' })).toBe(1);
    } finally {
      clock.advance(-11 * 60_000);
    }
  });
});
