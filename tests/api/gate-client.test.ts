/**
 * The reference device client (`npm run gate -- --pair <code>`), driven through stdin as a
 * turnstile controller would run it: OPEN for a valid code; DENY for a used, revoked, expired or
 * foreign one — online, then with the network down (the offline check the staff page runs), then
 * back online (the queue uploaded). A revoked device is refused by the cloud.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { systemClock } from '../../cloud/src/platform/clock';
import type { AppModule } from '../../cloud/src/app';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue } from '../support/venue-fixture';

// tickets of a source only this test issues: valid from now (the client runs on the real clock)
const testSource: AppModule = {
  name: 'gate-client-test',
  create: () => ({}),
  ticketSources: () => ({ 'gate-client-test': { onAdmitted: async () => undefined } }),
};

let stack: TestStack;
let venue: Awaited<ReturnType<typeof createTestVenue>>;
let other: Awaited<ReturnType<typeof createTestVenue>>;
let manager: { token: string; userId: string };
let holder: { token: string; userId: string };
let deadApi: string;
const statePath = path.join(mkdtempSync(path.join(tmpdir(), 'gate-client-')), 'device.json');

beforeAll(async () => {
  stack = await startTestStack('gate-client', { clock: systemClock, appDeps: { extraModules: [testSource] } });
  venue = await createTestVenue(stack, { name: '自助闸机馆' });
  other = await createTestVenue(stack, { name: '隔壁馆' });
  manager = await stack.login('client-manager');
  holder = await stack.login('client-holder');
  await grant(stack, manager.userId, 'venue_manager', venue.venueId);
  // a port nobody listens on: the network is down
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadApi = `http://127.0.0.1:${(probe.address() as { port: number }).port}/api/v1`;
  await new Promise<void>((r) => probe.close(() => r()));
}, 120_000);
afterAll(() => stack.stop());

/** runs the client with these stdin lines; its stdout lines */
function runClient(args: string[], lines: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(__dirname, '../../node_modules/.bin/tsx'), ['cloud/src/modules/gate/client/cli.ts', ...args], {
      cwd: path.join(__dirname, '../..'),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`client exited ${code}: ${err}${out}`))));
    child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  });
}

let seq = 0;
async function ticket(v = venue, window: { fromMin: number; toMin: number } = { fromMin: -5, toMin: 120 }) {
  const now = Date.now();
  const id = `t${seq++}`;
  await stack.cloud.services.tickets.issue({
    source: { kind: 'gate-client-test', id },
    userId: holder.userId,
    venueId: v.venueId,
    venueName: '馆',
    resourceName: '游泳',
    sport: 'swimming',
    startAt: new Date(now + window.fromMin * 60_000 + 30 * 60_000), // the gate opens 30 min before the start
    endAt: new Date(now + window.toMin * 60_000),
    quantity: 1,
  });
  const t = await mongoose.connection.db!.collection('tickets').findOne({ 'source.kind': 'gate-client-test', 'source.id': id });
  const code = async () => (await stack.request('GET', `/tickets/${t!._id}/code`, { token: holder.token })).body.code as string;
  return { id: String(t!._id), code, source: { kind: 'gate-client-test', id } };
}

test('online, offline and back: OPEN for a valid code, DENY for used, revoked, expired and foreign ones', async () => {
  const reg = await stack.request('POST', `/manage/venues/${venue.venueId}/devices`, {
    token: manager.token,
    body: { name: '1号闸机', gate: '南门', direction: 'in' },
  });
  expect(reg.status).toBe(201);
  const [valid, used, revoked, expired, foreign] = [
    await ticket(),
    await ticket(),
    await ticket(),
    await ticket(venue, { fromMin: -120, toMin: -10 }),
    await ticket(other),
  ];
  // a code shown before the booking was cancelled is what a gate sees of a revoked ticket
  const onlineRevokedCode = await revoked.code();
  await stack.cloud.services.tickets.revokeFor(revoked.source);
  const usedCode = await used.code();

  // online
  const online = await runClient(
    ['--pair', reg.body.pairingCode, '--api', `${stack.url}/api/v1`, '--state', statePath],
    [await valid.code(), usedCode, usedCode, onlineRevokedCode, await expired.code(), await foreign.code(), 'pack'],
  );
  expect(online[0]).toBe(`READY ${reg.body.device.id} in`);
  expect(online.slice(2)).toEqual([
    'OPEN',
    'OPEN',
    'DENY already_used',
    'DENY revoked',
    'DENY expired',
    'DENY not_for_this_venue',
    'PACK ok',
  ]);

  // cancelled after the last pack: the next pack carries it
  const [offValid, offRevoked] = [await ticket(), await ticket()];
  const revokedCode = await offRevoked.code();
  await stack.cloud.services.tickets.revokeFor(offRevoked.source);
  const refreshed = await runClient(['--state', statePath, '--api', `${stack.url}/api/v1`], [revokedCode]);
  expect(refreshed.slice(-1)).toEqual(['DENY revoked']);

  // the network is down: the pack decides (the same check as the staff page)
  const validCode = await offValid.code();
  const offline = await runClient(
    ['--state', statePath, '--api', deadApi],
    [validCode, validCode, usedCode, revokedCode, await expired.code(), await foreign.code(), 'x'.repeat(30)],
  );
  expect(offline[1]).toMatch(/^PACK offline/);
  expect(offline.slice(2)).toEqual([
    'OPEN (offline)',
    'DENY already_used (offline)',
    'DENY already_used (offline)',
    'DENY revoked (offline)',
    'DENY expired (offline)',
    'DENY not_for_this_venue (offline)',
    'DENY invalid (offline)',
  ]);
  const held = await mongoose.connection.db!.collection('tickets').findOne({ _id: new mongoose.Types.ObjectId(offValid.id) });
  expect(held!.status).toBe('valid');

  // back online: the queue goes up at start, the ticket is used
  const back = await runClient(['--state', statePath, '--api', `${stack.url}/api/v1`], [validCode]);
  expect(back[1]).toBe('SYNC 1 uploaded, 0 double admissions');
  expect(back.slice(-1)).toEqual(['DENY already_used']);
  const after = await mongoose.connection.db!.collection('tickets').findOne({ _id: new mongoose.Types.ObjectId(offValid.id) });
  expect(after!.status).toBe('used');
  expect(after!.usedDeviceId).toBe(reg.body.device.id);

  // the manager revokes the device: the cloud refuses it at once
  const del = await stack.request('DELETE', `/manage/venues/${venue.venueId}/devices/${reg.body.device.id}`, { token: manager.token });
  expect(del.status).toBe(200);
  const fresh = await ticket();
  const revokedDevice = await runClient(['--state', statePath, '--api', `${stack.url}/api/v1`], [await fresh.code()]).catch((e: Error) => [
    e.message,
  ]);
  expect(revokedDevice.join('\n')).toMatch(/DEVICE_REVOKED|device_revoked/);
}, 120_000);
