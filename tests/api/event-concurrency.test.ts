/**
 * Races at a first-come opening, through HTTP on the real app and engine. Each guard is shown
 * to matter first: a control run (controlRunWithoutGuards: the kernel's one switch) oversells the
 * group; for one ID number, the control run is the same rush with the unique index on the keyed
 * ID hash dropped for that run. Then the real app holds under the rush.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, type TestStack } from '../support/stack';
import { eventInput, idNumber, openEvent, organiser, participant } from '../support/event-fixture';

const clock = new ManualClock(new Date('2027-01-10T02:00:00Z'));
let stack: TestStack;
let control: TestStack;
let users: { token: string; userId: string }[];
let org: { token: string; userId: string };
const regs = () => mongoose.connection.db!.collection('event_registrations');

beforeAll(async () => {
  // a busy machine: the WeChat stand-in may answer logins slowly
  stack = await startTestStack('event-race', { clock, env: { WECHAT_TIMEOUT_MS: '30000' } });
  control = await startTestStack('event-race-control', { clock, reuseConnection: true, appDeps: { controlRunWithoutGuards: true } });
  org = await organiser(stack, 'race-org');
  users = [];
  for (let i = 0; i < 500; i += 10)
    users.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => stack.login(`event-runner-${i + j}`)))));
}, 300_000);
afterAll(async () => {
  await control.stop();
  await stack.stop();
});

const free100 = () => eventInput({}, [{ name: '10公里', capacity: 100, feeFen: 0, eligibility: {} }]);

async function rush(target: TestStack, eventId: string, groupId: string, n: number, idOf: (i: number) => string) {
  const results = await Promise.all(
    users.slice(0, n).map((u, i) =>
      target.request('POST', `/events/${eventId}/registrations`, {
        token: u.token,
        body: { groupId, participant: participant(idOf(i)), healthPledge: true },
      }),
    ),
  );
  return {
    created: results.filter((r) => r.status === 201).length,
    codes: results.filter((r) => r.status !== 201).map((r) => r.body?.error?.code),
    statuses: results.map((r) => r.status),
  };
}

const activeIn = (groupId: string) =>
  regs().countDocuments({ groupId: new mongoose.Types.ObjectId(groupId), status: { $in: ['held', 'confirmed'] } });

describe('500 runners at a 100-place first-come group', () => {
  test('control: without the guard, more than 100 are confirmed', async () => {
    const ev = await openEvent(stack, org, free100());
    const { created } = await rush(control, ev.id, ev.groups[0].id, 500, (i) => idNumber('1990-01-01', 1000 + i));
    process.stdout.write(`[event-race] control: ${created} confirmed for 100 places\n`);
    expect(created).toBeGreaterThan(100);
  }, 300_000);

  test('with the guard: exactly 100 confirmed, 400 GROUP_FULL, remaining 0, never a 5xx', async () => {
    const ev = await openEvent(stack, org, free100());
    const { created, codes, statuses } = await rush(stack, ev.id, ev.groups[0].id, 500, (i) => idNumber('1990-01-01', 3000 + i));
    expect(created).toBe(100);
    expect(codes.filter((c) => c === 'GROUP_FULL')).toHaveLength(400);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(await activeIn(ev.groups[0].id)).toBe(100);
    expect((await stack.request('GET', `/events/${ev.id}`)).body.event.groups[0].remaining).toBe(0);
    expect(
      await mongoose.connection
        .db!.collection('tickets')
        .countDocuments({ 'source.kind': 'registration', venueId: new mongoose.Types.ObjectId(ev.id) }),
    ).toBe(100);
  }, 300_000);
});

describe('one ID number from 20 accounts at once', () => {
  test('control: without the unique index on the keyed ID hash, the same person enters more than once', async () => {
    const ev = await openEvent(stack, org, free100());
    await regs().dropIndex('idKey_1');
    try {
      const { created } = await rush(stack, ev.id, ev.groups[0].id, 20, () => idNumber('1988-08-08', 7));
      process.stdout.write(`[event-race] control: ${created} entries for one ID\n`);
      expect(created).toBeGreaterThan(1);
    } finally {
      await regs().deleteMany({ eventId: new mongoose.Types.ObjectId(ev.id) });
      await regs().createIndex({ idKey: 1 }, { unique: true });
    }
  }, 120_000);

  test('with the index: one entry, 19 ALREADY_REGISTERED, one place taken', async () => {
    const ev = await openEvent(stack, org, free100());
    const { created, codes } = await rush(stack, ev.id, ev.groups[0].id, 20, () => idNumber('1988-08-08', 8));
    expect(created).toBe(1);
    expect(codes).toEqual(Array(19).fill('ALREADY_REGISTERED'));
    expect(await activeIn(ev.groups[0].id)).toBe(1);
    expect((await stack.request('GET', `/events/${ev.id}`)).body.event.groups[0].remaining).toBe(99);
  }, 120_000);
});
