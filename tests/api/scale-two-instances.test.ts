/**
 * Two API instances on one engine (issue 18): a rush split over both while every job runs on both
 * instances at the same time; then the holds expire and both instances' jobs race to release them.
 * 0 oversold, and every job effect exactly once (each hold released once, each place and limit
 * given back once, one expiry event per booking). Each instance has its own kernel: its own
 * sold-out fast path and its own share of the rate-limit windows; leases and counters are shared
 * through the database.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { createJobRunner, type JobSpec } from '../../cloud/src/platform/jobs';
import { createLogger } from '../../cloud/src/platform/logger';
import { startTestStack, type TestStack } from '../support/stack';
import { createTestVenue, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z')); // Monday 09:00 in Shanghai
const TOMORROW = '2026-11-24';
let a: TestStack;
let b: TestStack;

beforeAll(async () => {
  a = await startTestStack('twin-a', { clock, wechatPay: { signMode: 'public_key' } });
  // the second instance: the same merchant, the same WeChat Pay (the first one's stand-in)
  const keys = a.payKeys!;
  b = await startTestStack('twin-b', {
    clock,
    reuseConnection: true,
    env: { WECHATPAY_API_BASE: a.mock.url },
    appDeps: {
      wechatPayCredentials: {
        appid: 'wx-test-app',
        mchid: keys.mchid,
        apiV3Key: keys.apiV3Key,
        merchantSerialNo: keys.merchant.serialNo,
        merchantPrivateKeyPem: keys.merchant.privateKeyPem,
        merchantCertPem: keys.merchant.certPem,
        publicKey: { keyId: keys.publicKeyMode.keyId, pem: keys.publicKeyMode.publicKeyPem },
      },
    },
  });
}, 60_000);
afterAll(async () => {
  await b.stop();
  await a.stop();
});

const db = () => mongoose.connection.db!;

test('a rush over two instances with the jobs running on both: 0 oversold, every job effect once', async () => {
  const venue = await createTestVenue(a, { name: '双实例抢场馆', courtPriceFen: 4000, sessionPriceFen: 1000, sessionCapacity: 10 });
  const courts = await slotsOf(venue.courtId, TOMORROW);
  const [session] = await slotsOf(venue.sessionId, TOMORROW);
  const targets = [...courts.slice(0, 10), session]; // 10 courts of 1 + a session of 10: 20 places, each wanted by 18 people
  // signed in through the service (as the benches do): the rush is under test, not WeChat's login
  const users = [];
  for (let i = 0; i < 200; i++) {
    const { user } = await a.cloud.services.identity.upsertByOpenid(`twin-rush-${i}`, undefined, 'test');
    const { token } = await a.cloud.tokens.sign({ userId: String(user._id), roles: ['citizen'] });
    users.push({ token, userId: String(user._id) });
  }

  const logger = createLogger('silent');
  const runners = [
    { runner: createJobRunner({ clock, logger, instanceId: 'instance-a' }), jobs: a.cloud.jobs },
    { runner: createJobRunner({ clock, logger, instanceId: 'instance-b' }), jobs: b.cloud.jobs },
  ];
  const released: number[] = [];
  const runEverything = () =>
    Promise.all(
      runners.flatMap(({ runner, jobs }) =>
        jobs.map(async (job: JobSpec) => {
          const o = await runner.runOnce(job);
          if (o.ran && job.name === 'expire-holds') released.push(o.result as number);
        }),
      ),
    );

  // the rush, every other request on the other instance, while both instances run every job
  let rushing = true;
  const jobsDuringRush = (async () => {
    let rounds = 0;
    while (rushing) {
      await runEverything();
      rounds++;
    }
    return rounds;
  })();
  const results = await Promise.all(
    users.map((u, i) =>
      (i % 2 ? b : a).request('POST', '/bookings', { token: u.token, body: { slotIds: [targets[i % targets.length].id] } }),
    ),
  );
  rushing = false;
  expect(await jobsDuringRush).toBeGreaterThan(0);
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
  expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'SLOT_SOLD_OUT')).toBe(true);
  const won = results.filter((r) => r.status === 201).map((r) => r.body.booking.id as string);
  expect(won).toHaveLength(20); // 200 people for 20 places: every place sold, none twice

  const places = async (slotId: string, statuses: string[]) => {
    const [row] = await db()
      .collection('bookings')
      .aggregate<{ n: number }>([
        { $match: { slotIds: new mongoose.Types.ObjectId(slotId), status: { $in: statuses } } },
        { $group: { _id: null, n: { $sum: '$quantity' } } },
      ])
      .toArray();
    return row?.n ?? 0;
  };
  for (const t of targets) {
    const slot = await db()
      .collection('slots')
      .findOne({ _id: new mongoose.Types.ObjectId(t.id) });
    const held = await places(t.id, ['held', 'confirmed']);
    expect(held).toBeLessThanOrEqual(t.capacity); // 0 oversold
    expect(slot!.remaining).toBe(0);
    expect(held + slot!.remaining).toBe(t.capacity);
  }
  // no attempt left half-done: losers dropped their records, winners are held
  expect(
    await db()
      .collection('bookings')
      .countDocuments({ status: { $nin: ['held'] }, slotIds: { $in: targets.map((t) => new mongoose.Types.ObjectId(t.id)) } }),
  ).toBe(0);

  // the holds run out: both instances' jobs race to release them, several rounds at once
  clock.advance(20 * 60_000);
  for (let round = 0; round < 6; round++) await Promise.all([runEverything(), runEverything()]);
  // a hold is released by the expiry job or by the pending-order job closing its order (onClosed):
  // whichever instance's run gets there first; never both
  expect(released.reduce((s, n) => s + n, 0)).toBeLessThanOrEqual(20);
  expect(
    await db()
      .collection('bookings')
      .countDocuments({ _id: { $in: won.map((id) => new mongoose.Types.ObjectId(id)) }, status: 'expired' }),
  ).toBe(20);
  for (const t of targets) {
    const slot = await db()
      .collection('slots')
      .findOne({ _id: new mongoose.Types.ObjectId(t.id) });
    expect(slot!.remaining).toBe(t.capacity); // every place back once: not fewer, not more
  }
  for (const id of won) {
    expect(
      await db()
        .collection('outbox')
        .countDocuments({ eventId: `booking.expired:${id}` }),
    ).toBe(1);
  }
  const limits = await db()
    .collection('limit_counters')
    .aggregate<{ n: number }>([
      { $match: { _id: { $regex: `^booking:${venue.venueId}:` } } },
      { $group: { _id: null, n: { $sum: '$total' } } },
    ])
    .toArray();
  expect(limits[0]?.n ?? 0).toBe(0); // every limit count given back once
  // orders of the released holds are closed (each by one run), none paid
  const orders = await db()
    .collection('orders')
    .find({ refId: { $in: won } })
    .toArray();
  expect(orders).toHaveLength(20);
  expect(orders.filter((o) => o.status === 'paid')).toHaveLength(0);
}, 240_000);
