/**
 * Module descriptors and the job registry (issue 8, items 3 and 4):
 * - a tiny module added through the same list as the built-in ones (AppDeps.extraModules, the
 *   one line a new domain adds to app.ts) gets its routes, jobs and ticket source wired;
 * - two app instances on one engine: each job runs on one of them at a time (the lease
 *   document), and the outcomes of a sweep are counted once.
 */
import Router from '@koa/router';
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { createJobRunner } from '../../cloud/src/platform/jobs';
import { createLogger } from '../../cloud/src/platform/logger';
import type { AppModule } from '../../cloud/src/app';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, remainingOf, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
const admitted: string[] = [];
const echoModule: AppModule = {
  name: 'echo',
  create: ({ kernel }) => ({ ping: () => ({ pong: true, at: kernel.clock.now().toISOString() }) }),
  routes: (echo) => {
    const r = new Router();
    r.get('/echo/ping', (ctx) => {
      ctx.body = echo.ping();
    });
    return [r];
  },
  jobs: () => [{ name: 'echo-job', everyMs: 60_000, run: async () => 'echoed' }],
  ticketSources: () => ({ echo: { onAdmitted: async (id: string) => void admitted.push(id) } }),
};

let a: TestStack;
let b: TestStack;
beforeAll(async () => {
  a = await startTestStack('modjobs', { clock, appDeps: { extraModules: [echoModule] }, wechatPay: { signMode: 'platform_certificate' } });
  // the second instance: the same app on the same database (its payment port closes nothing; the holds are what count)
  b = await startTestStack('modjobs-b', { clock, reuseConnection: true });
}, 120_000);
afterAll(async () => {
  await b.stop();
  await a.stop();
});

test('a module registered through the list gets its routes, its jobs and its ticket source', async () => {
  const res = await a.request('GET', '/echo/ping');
  expect(res).toMatchObject({ status: 200, body: { pong: true, at: clock.now().toISOString() } });
  expect(a.cloud.jobs.map((j) => j.name)).toContain('echo-job');
  expect(b.cloud.jobs.map((j) => j.name)).not.toContain('echo-job');

  // a ticket whose source is the new module: the gate admits it and the module hears of it
  const v = await createTestVenue(a, { name: '回声馆' });
  const holder = await a.login('echo-holder');
  const staff = await a.login('echo-staff');
  await grant(a, staff.userId, 'staff', v.venueId);
  const startAt = new Date(clock.now().getTime() + 10 * 60_000);
  await a.cloud.services.tickets.issue({
    source: { kind: 'echo', id: 'session-42' },
    userId: holder.userId,
    venueId: v.venueId,
    venueName: '回声馆',
    resourceName: '回声课',
    sport: 'yoga',
    startAt,
    endAt: new Date(startAt.getTime() + 3600_000),
    quantity: 1,
  });
  const [ticket] = (await a.request('GET', '/tickets/mine', { token: holder.token })).body.items;
  expect(ticket).toMatchObject({ source: { kind: 'echo', id: 'session-42' }, bookingId: null });
  const { code } = (await a.request('GET', `/tickets/${ticket.id}/code`, { token: holder.token })).body;
  const verified = await a.request('POST', '/verifications', { token: staff.token, body: { code, venueId: v.venueId } });
  expect(verified.status).toBe(200);
  expect(admitted).toEqual(['session-42']);
  const event = await mongoose.connection.db!.collection('outbox').findOne({ eventId: `ticket.admitted:${ticket.id}` });
  expect(event?.payload).toMatchObject({ source: { kind: 'echo', id: 'session-42' } });
  expect(event?.payload).not.toHaveProperty('bookingId');
});

test('two instances on one engine: a job runs on one at a time, and 40 expired holds are released once', async () => {
  const v = await createTestVenue(a, { name: '双实例馆', sessionPriceFen: 1000, rules: { holdMinutes: 5 } });
  const [s] = await slotsOf(v.sessionId, '2026-11-24');
  const users = await a.loginMany('twin', 40);
  const holds = await Promise.all(users.map((u) => a.request('POST', '/bookings', { token: u.token, body: { slotIds: [s.id] } })));
  expect(holds.map((h) => h.body.booking?.status)).toEqual(users.map(() => 'held'));
  expect(await remainingOf(s.id)).toBe(10);
  const runs: string[] = [];
  let active = 0;
  let overlaps = 0;
  const watched = (stack: TestStack, instance: string) =>
    stack.cloud.jobs
      .filter((j) => ['expire-holds', 'booking-heal', 'mark-no-shows'].includes(j.name))
      .map((j) => ({
        ...j,
        run: async () => {
          active++;
          if (active > 1) overlaps++;
          runs.push(`${instance}:${j.name}`);
          try {
            return await j.run();
          } finally {
            active--;
          }
        },
      }));
  const logger = createLogger('silent');
  const runnerA = createJobRunner({ clock, logger, instanceId: 'instance-a' });
  const runnerB = createJobRunner({ clock, logger, instanceId: 'instance-b' });
  const jobsA = watched(a, 'a').filter((j) => j.name === 'expire-holds');
  const jobsB = watched(b, 'b').filter((j) => j.name === 'expire-holds');
  clock.advance(6 * 60_000);
  let released = 0;
  for (let round = 0; round < 10; round++) {
    const outcomes = await Promise.all([...jobsA.map((j) => runnerA.runOnce(j)), ...jobsB.map((j) => runnerB.runOnce(j))]);
    expect(outcomes.filter((o) => o.ran).length).toBeLessThanOrEqual(1);
    for (const o of outcomes) if (o.ran) released += o.result as number;
  }
  expect(overlaps).toBe(0);
  expect(runs.length).toBeGreaterThanOrEqual(1);
  expect(released).toBe(40);
  expect(await remainingOf(s.id)).toBe(50);
});

test('tickets from before `source` existed are migrated: they get source {kind: booking}, the old unique index goes', async () => {
  const tickets = mongoose.connection.db!.collection('tickets');
  await tickets.createIndex({ bookingId: 1, seat: 1 }, { unique: true, name: 'bookingId_1_seat_1' }).catch(() => undefined);
  const holder = await a.login('legacy-holder');
  const bookingId = new mongoose.Types.ObjectId();
  const startAt = new Date(clock.now().getTime() + 3600_000);
  await tickets.insertOne({
    bookingId,
    userId: new mongoose.Types.ObjectId(holder.userId),
    venueId: new mongoose.Types.ObjectId(),
    venueName: '旧馆',
    resourceName: '旧场',
    sport: 'badminton',
    startAt,
    endAt: new Date(startAt.getTime() + 3600_000),
    seat: 1,
    holderName: '市**',
    status: 'valid',
    usedAt: null,
    usedBy: null,
    usedDeviceId: null,
    createdAt: clock.now(),
  });
  expect(await a.cloud.services.tickets.migrateLegacySources()).toBe(1);
  expect((await tickets.indexes()).map((i) => i.name)).not.toContain('bookingId_1_seat_1');
  const mine = (await a.request('GET', '/tickets/mine', { token: holder.token })).body.items;
  expect(mine).toEqual([expect.objectContaining({ source: { kind: 'booking', id: String(bookingId) }, bookingId: String(bookingId) })]);
  expect(await a.cloud.services.tickets.migrateLegacySources()).toBe(0);
});
