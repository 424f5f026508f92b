/**
 * The lottery with 10,000 entries: the commitment at opening, the digest at the close, one draw,
 * reproducible from public data only (scripts/verify-draw.ts agrees, and says so when the
 * published winners are tampered with), a different seed gives a different draw, per-group
 * capacity holds, and unpaid places go down the waitlist in draw order exactly once, even with
 * the offer job run twice at once and again later.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { rankGroup, newSeed } from '../../cloud/src/modules/event/event.draw';
import { verifyDraw } from '../../scripts/verify-draw';
import { startTestStack, type TestStack } from '../support/stack';
import { eventInput, fakePayments, idNumber, insertLotteryEntries, openEvent, organiser, participant } from '../support/event-fixture';

const clock = new ManualClock(new Date('2027-01-10T02:00:00Z'));
const pay = fakePayments();
let stack: TestStack;
let org: { token: string; userId: string };
let runner: { token: string; userId: string };
let ev: { id: string; groups: { id: string; name: string; capacity: number }[] };
const regs = () => mongoose.connection.db!.collection('event_registrations');
const oid = (id: string) => new mongoose.Types.ObjectId(id);
const job = (name: string) => stack.cloud.jobs.find((j) => j.name === name)!.run();
const N = 10_000;

beforeAll(async () => {
  stack = await startTestStack('event-lottery', { clock, appDeps: { payments: pay.port } });
  org = await organiser(stack, 'lottery-org');
  runner = await stack.login('lottery-runner');
  ev = await openEvent(
    stack,
    org,
    eventInput(
      {
        registration: {
          mode: 'lottery',
          opensAt: '2027-01-01T00:00:00.000Z',
          closesAt: '2027-02-01T00:00:00.000Z',
          paymentDeadline: '2027-02-10T00:00:00.000Z',
          offerHours: 48,
        },
      },
      [
        { name: '半程马拉松', capacity: 60, feeFen: 12000, eligibility: { minAge: 18 }, waitlistSize: 40 },
        { name: '10公里', capacity: 100, feeFen: 0, eligibility: {} },
        { name: '迷你跑', capacity: 30, feeFen: 5000, eligibility: {} },
      ],
    ),
  );
}, 120_000);
afterAll(async () => stack.stop());

test('entries during the window: no payment; the commitment is public, the seed is not', async () => {
  const entries = [];
  for (let i = 0; i < 20; i++) {
    const r = await stack.request('POST', `/events/${ev.id}/registrations`, {
      token: runner.token,
      body: { groupId: ev.groups[i % 3].id, participant: participant(idNumber('1990-01-01', i)), healthPledge: true },
    });
    expect(r.status).toBe(201);
    expect(r.body.registration.status).toBe('entered');
    expect(r.body.registration.orderId).toBeNull();
    entries.push(r.body.registration);
  }
  expect(pay.orders.size).toBe(0);
  // one leaves before the close: not in the draw
  expect(
    (await stack.request('POST', `/registrations/${entries[0].id}/cancel`, { token: runner.token, body: {} })).body.registration.status,
  ).toBe('cancelled');
  await insertLotteryEntries(
    ev.id,
    ev.groups.map((g, i) => ({ id: g.id, feeFen: [12000, 0, 5000][i] })),
    N - 19,
    clock.now(),
  );
  const d = await stack.request('GET', `/events/${ev.id}/draw`);
  expect(d.body.draw.seedCommitment).toMatch(/^[0-9a-f]{64}$/);
  expect(d.body.draw.seed).toBeNull();
  expect(d.body.draw.entriesDigest).toBeNull();
  expect((await stack.request('GET', `/events/${ev.id}/draw/entries`)).body.error.code).toBe('DRAW_NOT_READY');
  expect((await stack.request('POST', `/organiser/events/${ev.id}/draw`, { token: org.token })).body.error.code).toBe('DRAW_NOT_READY');
}, 120_000);

test('close publishes the digest; the draw runs once; the verifier agrees from public data', async () => {
  expect((await stack.request('POST', `/organiser/events/${ev.id}/close`, { token: org.token })).body.event.draw.entriesDigest).toMatch(
    /^[0-9a-f]{64}$/,
  );
  const late = await stack.request('POST', `/events/${ev.id}/registrations`, {
    token: runner.token,
    body: { groupId: ev.groups[0].id, participant: participant(idNumber('1990-01-01', 99)), healthPledge: true },
  });
  expect(late.body.error.code).toBe('EVENT_NOT_OPEN');
  const drawn = await stack.request('POST', `/organiser/events/${ev.id}/draw`, { token: org.token });
  expect(drawn.status).toBe(200);
  const again = await stack.request('POST', `/organiser/events/${ev.id}/draw`, { token: org.token });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('DRAW_ALREADY_DONE');

  const report = await verifyDraw(`${stack.url}/api/v1`, ev.id);
  expect(report.entries).toBe(N);
  expect(report.checks).toEqual({ commitment: true, digest: true, winners: true, waitlist: true });
  // per-group capacity: exactly the places drawn, each winner in its own group
  for (const g of ev.groups) {
    expect(report.winners[g.id]).toHaveLength(g.capacity);
    expect(await regs().countDocuments({ groupId: oid(g.id), status: { $in: ['won', 'confirmed'] } })).toBe(g.capacity);
  }
  // public entries carry pseudonymous refs only
  const page = await stack.request('GET', `/events/${ev.id}/draw/entries?limit=3`);
  expect(Object.keys(page.body.items[0]).sort()).toEqual(['entryRef', 'groupId']);
}, 300_000);

test('another seed gives a different draw; the verifier reports tampering', async () => {
  const d = (await stack.request('GET', `/events/${ev.id}/draw`)).body.draw;
  const all = (await verifyDraw(`${stack.url}/api/v1`, ev.id)).entries;
  expect(all).toBe(N);
  const lists = mongoose.connection.db!.collection('event_draw_lists');
  const refs = (await lists.find({ eventId: oid(ev.id), list: 'entries' }).toArray())
    .flatMap((c) => c.items as string[][])
    .filter((x) => x[1] === ev.groups[0].id)
    .map((x) => x[0]);
  expect(rankGroup(d.seed, refs).slice(0, 60)).toEqual(d.winners[ev.groups[0].id]);
  const other = new Set(rankGroup(newSeed(), refs).slice(0, 60));
  const overlap = d.winners[ev.groups[0].id].filter((r: string) => other.has(r)).length;
  // ~3,333 entries for 60 places: two independent draws share about one winner by chance
  expect(overlap).toBeLessThan(15);
  // put a loser in a winner's place in the stored ranking: the published winners no longer follow from the seed
  const rankDoc = await lists.findOne({ eventId: oid(ev.id), list: 'rank', groupId: ev.groups[2].id, index: 0 });
  const items = rankDoc!.items as string[][];
  const loser = refs.find((r) => !items.some((x) => x[0] === r))!;
  await lists.updateOne({ _id: rankDoc!._id }, { $set: { 'items.0': [loser] } });
  expect((await verifyDraw(`${stack.url}/api/v1`, ev.id)).checks.winners).toBe(false);
  await lists.updateOne({ _id: rankDoc!._id }, { $set: { items } });
  expect((await verifyDraw(`${stack.url}/api/v1`, ev.id)).ok).toBe(true);
}, 120_000);

test('winners owe orders (paid groups) or get tickets (free); unpaid places go to the waitlist in draw order, exactly once', async () => {
  for (let i = 0; i < 20; i++) {
    const h = (await job('event-heal')) as { finished: number };
    if (h.finished === 0) break;
  }
  const [half, free, mini] = ev.groups;
  const halfWinners = await regs()
    .find({ groupId: oid(half.id), status: 'won' })
    .sort({ drawRank: 1 })
    .toArray();
  expect(halfWinners).toHaveLength(60);
  expect(halfWinners.every((w) => w.orderId && pay.orders.get(w.orderId)?.kind === 'event')).toBe(true);
  expect(
    await mongoose.connection.db!.collection('tickets').countDocuments({
      'source.kind': 'registration',
      'source.id': {
        $in: (
          await regs()
            .find({ groupId: oid(free.id), status: 'confirmed' })
            .toArray()
        ).map((r) => String(r._id)),
      },
    }),
  ).toBe(100);
  expect(await regs().countDocuments({ groupId: oid(mini.id), status: 'won', orderId: { $ne: null } })).toBe(30);

  // 40 of the 60 pay; 20 do not
  for (const w of halfWinners.slice(0, 40)) expect(await pay.pay(w.orderId)).toBe('applied');
  clock.advance(32 * 86_400_000); // past the payment deadline (2027-02-10)
  const service = stack.cloud.modules.get('event') as { registrations: { expireUnpaid(): Promise<number> } };
  // the offer job twice at once, then again
  await Promise.all([service.registrations.expireUnpaid(), service.registrations.expireUnpaid()]);
  await job('event-expire-unpaid');
  await job('event-heal');

  expect(await regs().countDocuments({ groupId: oid(half.id), status: 'lapsed' })).toBe(20);
  const offered = await regs()
    .find({ groupId: oid(half.id), status: 'offered' })
    .sort({ drawRank: 1 })
    .toArray();
  expect(offered.map((o) => o.drawRank)).toEqual(Array.from({ length: 20 }, (_, i) => 60 + i));
  expect(new Set(offered.map((o) => o.offerFor)).size).toBe(20);
  expect(offered.every((o) => o.orderId)).toBe(true);
  // places never exceed the capacity
  expect(await regs().countDocuments({ groupId: oid(half.id), status: { $in: ['won', 'offered', 'confirmed'] } })).toBe(60);

  // the offers lapse too: the next 20 in draw order, once
  clock.advance(49 * 3600_000);
  await Promise.all([service.registrations.expireUnpaid(), service.registrations.expireUnpaid()]);
  await job('event-expire-unpaid');
  const second = await regs()
    .find({ groupId: oid(half.id), status: 'offered' })
    .sort({ drawRank: 1 })
    .toArray();
  expect(second.map((o) => o.drawRank)).toEqual(Array.from({ length: 20 }, (_, i) => 80 + i));
  expect(await regs().countDocuments({ groupId: oid(half.id), status: { $in: ['won', 'offered', 'confirmed'] } })).toBe(60);
}, 600_000);
