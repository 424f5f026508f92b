/**
 * The data-centre feed (issue 17, items 2–3 and "Must show"): signed batches, in order of
 * occurrence, at least once — and after the stand-in's dedup exactly once — through a receiver
 * down for 10 minutes of clock time, answering 500, slower than the timeout, and an API crash
 * between the receiver's 2xx and the write that marks the batch delivered. Poison events are
 * quarantined with the reason and shown to admins.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { createJobRunner } from '../../cloud/src/platform/jobs';
import { createLogger } from '../../cloud/src/platform/logger';
import { emit } from '../../cloud/src/platform/outbox';
import { createPseudonymizer } from '../../cloud/src/platform/pseudonym';
import type { JobSpec } from '../../cloud/src/platform/jobs';
import { startDataCentreReceiver } from '../../mock/src/datacentre/receiver';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { snapshotDatabase } from '../support/db';

const clock = new ManualClock(new Date('2026-11-20T02:00:00Z'));
const crashes = new CrashSwitch();
const SECRET = 'test-datacentre-secret-0123456789abcdef';
let stack: TestStack;
let dc: Awaited<ReturnType<typeof startDataCentreReceiver>>;
let feedJob: JobSpec;
let admin: { token: string; userId: string };
const runner = createJobRunner({ clock, logger: createLogger('silent') });
const outbox = () => mongoose.connection.db!.collection('outbox');
const pseudo = createPseudonymizer('p'.repeat(32));

beforeAll(async () => {
  dc = await startDataCentreReceiver({ secret: SECRET });
  stack = await startTestStack('dcfeed', {
    clock,
    appDeps: { crashes },
    env: {
      DATA_CENTRE_URL: dc.url,
      DATA_CENTRE_SECRET: SECRET,
      DATA_CENTRE_TIMEOUT_MS: '300',
      DATA_CENTRE_BATCH_SIZE: '25',
      DATA_CENTRE_MAX_ATTEMPTS: '3',
    },
  });
  feedJob = stack.cloud.jobs.find((j) => j.name === 'datacentre-feed')!;
  admin = await stack.login('dc-admin');
  await grant(stack, admin.userId, 'admin');
}, 120_000);
afterAll(async () => {
  await stack.stop();
  await dc.stop();
});
beforeEach(async () => {
  // each test starts with everything delivered and an empty receiver
  await outbox().updateMany({}, { $set: { deliveredAt: new Date(0) } });
  await mongoose.connection.db!.collection('datacentre_feed').deleteMany({});
  dc.receiver.reset();
});

let seq = 0;
/** n bookings × 3 events each (booked, confirmed, used), interleaved in time: aggregates to keep in order */
async function emitBookings(n: number) {
  const ids: string[] = [];
  const base = clock.now().getTime();
  for (let i = 0; i < n; i++) ids.push((++seq).toString(16).padStart(24, '0'));
  const steps = ['booking.booked', 'booking.confirmed', 'booking.used'] as const;
  for (const [s, type] of steps.entries()) {
    for (const [i, bookingId] of ids.entries()) {
      const facts = {
        subject: pseudo(`u${i}`),
        bookingId,
        venueId: 'a'.repeat(24),
        resourceId: 'b'.repeat(24),
        sport: 'badminton' as const,
        day: '2026-11-20',
        startAt: '2026-11-20T10:00:00.000Z',
        quantity: 1,
        amountFen: 0,
      };
      await emit(type, (type === 'booking.booked' ? { ...facts, status: 'confirmed' } : facts) as never, {
        eventId: `${type}:${bookingId}`,
        occurredAt: new Date(base - 60_000 + s * 1000 + i),
      });
    }
  }
  return ids;
}

async function runFeed() {
  return runner.runOnce(feedJob);
}

/** each expected event exactly once at the receiver, and per booking in order booked → confirmed → used */
function expectExactlyOnceInOrder(ids: string[]) {
  const held = dc.receiver.events().filter((e) => e.type.startsWith('booking.') && ids.includes(String(e.payload.bookingId)));
  expect(held).toHaveLength(ids.length * 3);
  expect(new Set(held.map((e) => e.eventId)).size).toBe(ids.length * 3);
  for (const id of ids) {
    expect(held.filter((e) => e.payload.bookingId === id).map((e) => e.type)).toEqual([
      'booking.booked',
      'booking.confirmed',
      'booking.used',
    ]);
  }
}

async function pendingOf(ids: string[]) {
  return outbox().countDocuments({ deliveredAt: null, 'payload.bookingId': { $in: ids } });
}

test('delivers signed batches in order of occurrence; the receiver checks the signature', async () => {
  const ids = await emitBookings(20);
  const r = await runFeed();
  expect(r).toMatchObject({ ran: true, result: { delivered: 60, refused: 0 } });
  expectExactlyOnceInOrder(ids);
  expect(dc.receiver.stats).toMatchObject({ batches: 3, duplicates: 0, badSignatures: 0 });
  const held = dc.receiver.events().map((e) => Date.parse(e.occurredAt));
  expect([...held].sort((a, b) => a - b)).toEqual(held);
  expect(await pendingOf(ids)).toBe(0);

  // a wrong key: the stand-in refuses (the feed's signature is what it checks)
  const res = await fetch(dc.url, { method: 'POST', headers: { 'X-CitySport-Signature': 'ab'.repeat(32) }, body: '{"events":[]}' });
  expect(res.status).toBe(401);
  expect(dc.receiver.stats.badSignatures).toBe(1);
});

test('receiver down for 10 minutes of clock time: the feed backs off with growing, jittered waits, then delivers every event exactly once', async () => {
  const ids = await emitBookings(15);
  await dc.stop();
  const waits: number[] = [];
  for (let t = 0; t < 600_000; t += 10_000) {
    await runFeed();
    const s = (await stack.request('GET', '/admin/feed/status', { token: admin.token })).body;
    if (s.nextAttemptAt) waits.push(Date.parse(s.nextAttemptAt) - clock.now().getTime());
    clock.advance(10_000);
  }
  const status = await stack.request('GET', '/admin/feed/status', { token: admin.token });
  expect(status.body).toMatchObject({ pending: 45, configured: true });
  expect(status.body.failures).toBeGreaterThanOrEqual(4);
  expect(status.body.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(600);
  expect(status.body.lastError).toBeTruthy();
  expect(Math.max(...waits)).toBeGreaterThan(Math.min(...waits.filter((w) => w > 0)) * 4); // exponential
  expect(await pendingOf(ids)).toBe(45); // nothing marked delivered while down

  await dc.start();
  for (let i = 0; i < 40 && (await pendingOf(ids)) > 0; i++) {
    clock.advance(30_000);
    await runFeed();
  }
  expect(await pendingOf(ids)).toBe(0);
  expectExactlyOnceInOrder(ids);
  expect((await stack.request('GET', '/admin/feed/status', { token: admin.token })).body).toMatchObject({ pending: 0, failures: 0 });
});

test('receiver answering 500: nothing is marked delivered until it answers 2xx', async () => {
  const ids = await emitBookings(10);
  dc.receiver.control.mode = 'error500';
  for (let i = 0; i < 5; i++) {
    await runFeed();
    clock.advance(120_000);
  }
  expect(await pendingOf(ids)).toBe(30);
  expect(dc.receiver.events()).toHaveLength(0);
  dc.receiver.control.mode = 'ok';
  for (let i = 0; i < 10 && (await pendingOf(ids)) > 0; i++) {
    clock.advance(300_000);
    await runFeed();
  }
  expect(await pendingOf(ids)).toBe(0);
  expectExactlyOnceInOrder(ids);
});

test('receiver slower than the timeout: the batch it stored late is sent again and kept once', async () => {
  const ids = await emitBookings(8);
  dc.receiver.control.delayMs = 800; // > DATA_CENTRE_TIMEOUT_MS (300)
  await runFeed();
  expect(await pendingOf(ids)).toBe(24);
  await new Promise((r) => setTimeout(r, 1200)); // the slow receiver finishes storing the timed-out batch
  expect(dc.receiver.events().length).toBeGreaterThan(0);
  dc.receiver.control.delayMs = 0;
  for (let i = 0; i < 10 && (await pendingOf(ids)) > 0; i++) {
    clock.advance(300_000);
    await runFeed();
  }
  expect(await pendingOf(ids)).toBe(0);
  expect(dc.receiver.stats.duplicates).toBeGreaterThan(0); // at least once on the wire …
  expectExactlyOnceInOrder(ids); // … exactly once after dedup
});

test('API crash after the receiver acknowledged a batch but before it was marked delivered: resent, kept once', async () => {
  const ids = await emitBookings(10);
  crashes.arm('datacentre:feed:after-send');
  await runFeed(); // the "process" dies after the 2xx
  expect(crashes.hits).toContain('datacentre:feed:after-send');
  expect(await pendingOf(ids)).toBe(30);
  expect(dc.receiver.events()).toHaveLength(25); // the first batch reached the receiver
  clock.advance(10_000);
  await runFeed(); // the next run (any instance: the lease lapsed) sends it again
  expect(await pendingOf(ids)).toBe(0);
  expect(dc.receiver.stats.duplicates).toBe(25);
  expectExactlyOnceInOrder(ids);
});

test('a poison event is quarantined with the reason after N refusals, shown to admins, and holds nothing else back', async () => {
  const ids = await emitBookings(6);
  const poison = `booking.confirmed:${ids[2]}`;
  dc.receiver.control.rejectEventIds = [poison];
  for (let i = 0; i < 5; i++) {
    await runFeed();
    clock.advance(10_000);
  }
  const doc = await outbox().findOne({ eventId: poison });
  expect(doc).toMatchObject({ deliveredAt: null, attempts: 3 });
  expect(doc!.quarantinedAt).toBeInstanceOf(Date);
  expect(await pendingOf(ids)).toBe(1); // only the poison one is undelivered
  const q = await stack.request('GET', '/admin/feed/quarantine', { token: admin.token });
  expect(q.status).toBe(200);
  expect(q.body.items).toEqual([
    expect.objectContaining({ eventId: poison, attempts: 3, reason: expect.stringContaining('not accepted') }),
  ]);
  expect((await stack.request('GET', '/admin/feed/status', { token: admin.token })).body.quarantined).toBe(1);

  // the data centre fixed its side: an admin releases it (audited) and it is delivered
  dc.receiver.control.rejectEventIds = [];
  const rel = await stack.request('POST', `/admin/feed/quarantine/${encodeURIComponent(poison)}/release`, { token: admin.token });
  expect(rel).toMatchObject({ status: 200, body: { released: true } });
  await runFeed();
  expect(await pendingOf(ids)).toBe(0);
  expect(await mongoose.connection.db!.collection('audit_log').countDocuments({ action: 'datacentre.quarantine.release' })).toBe(1);
  expect(
    (await stack.request('POST', `/admin/feed/quarantine/${encodeURIComponent(poison)}/release`, { token: admin.token })).body.error.code,
  ).toBe('FEED_EVENT_NOT_QUARANTINED');
});

test('replay: events since a date are sent again for the data centre to re-pull (deduplicated there)', async () => {
  const ids = await emitBookings(5);
  await runFeed();
  const s = stack.cloud.modules.get('datacentre') as { feed: { replayFrom(d: Date): Promise<number> } };
  expect(await s.feed.replayFrom(new Date(clock.now().getTime() - 120_000))).toBeGreaterThanOrEqual(15);
  clock.advance(5_000);
  await runFeed();
  expect(dc.receiver.stats.duplicates).toBeGreaterThanOrEqual(15);
  expectExactlyOnceInOrder(ids);
});

test('emit refuses a payload with a phone number and stores nothing', async () => {
  const before = await snapshotDatabase();
  await expect(emit('user.registered', { subject: '13812345678' })).rejects.toThrow(/mobile number/);
  expect(await snapshotDatabase()).toBe(before);
});

test('feed endpoints are for admins only; bad input is a 4xx with a code', async () => {
  const citizen = await stack.login('dc-citizen');
  for (const path of ['/admin/feed/status', '/admin/feed/quarantine', '/admin/feed/export?day=2026-11-20']) {
    expect((await stack.request('GET', path, { token: citizen.token })).status).toBe(403);
    expect((await stack.request('GET', path)).status).toBe(401);
  }
  for (const q of ['day=2026-13-45', 'day[$gt]=', 'day=' + 'x'.repeat(5000), '', 'day=2026-11-20&extra=1']) {
    const r = await stack.request('GET', `/admin/feed/export?${q}`, { token: admin.token });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
  }
  const r = await stack.request('POST', `/admin/feed/quarantine/${'%24where'}/release`, { token: admin.token });
  expect(r.status).toBe(400);
});

test('NDJSON daily export: one line per event of the day, audited with the admin who exported', async () => {
  await emitBookings(3);
  const r = await fetch(`${stack.url}/api/v1/admin/feed/export?day=2026-11-20`, { headers: { authorization: `Bearer ${admin.token}` } });
  expect(r.status).toBe(200);
  const lines = (await r.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines.length).toBeGreaterThanOrEqual(9);
  for (const l of lines) expect(Object.keys(l).sort()).toEqual(['eventId', 'occurredAt', 'payload', 'schemaVersion', 'type']);
  const audit = await mongoose.connection.db!.collection('audit_log').findOne({ action: 'datacentre.export.ndjson' });
  expect(String(audit!.actorId)).toBe(admin.userId);
});
