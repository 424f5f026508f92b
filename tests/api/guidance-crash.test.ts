/**
 * Crashes between the steps of a guidance sign-up (injected by the kernel's CrashSwitch) and the
 * heal job that finishes or rolls back what was left: no place leaks, no ticket goes missing.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { startTestStack, type TestStack } from '../support/stack';
import { PLACE, adminUser, publish, verifiedInstructor } from '../support/guidance-fixture';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
const crashes = new CrashSwitch();
let stack: TestStack;
let coach: { token: string; userId: string };
let admin: { token: string; userId: string };
const db = () => mongoose.connection.db!;
const remaining = async (id: string) =>
  (await db()
    .collection('guidance_sessions')
    .findOne({ _id: new mongoose.Types.ObjectId(id) }))!.remaining;
const heal = () => stack.cloud.jobs.find((j) => j.name === 'guidance-heal')!.run();

beforeAll(async () => {
  stack = await startTestStack('guidancecrash', { clock, appDeps: { crashes } });
  admin = await adminUser(stack);
  coach = await verifiedInstructor(stack, 'crash-coach', admin);
}, 60_000);
afterAll(() => stack.stop());

test('a crash after the place was taken: the heal job rolls the sign-up back and returns the place once', async () => {
  const s = await publish(stack, coach, new Date(clock.now().getTime() + 24 * 3600_000), { capacity: 5 });
  const u = await stack.login('crash-a');
  crashes.arm('guidance.signup:after-take');
  const res = await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: u.token });
  expect(res.status).toBe(500);
  expect(crashes.hits).toContain('guidance.signup:after-take');
  expect(await remaining(s.id)).toBe(4); // taken, and the sign-up left `taking`
  await heal();
  expect(await remaining(s.id)).toBe(4); // not stale yet
  clock.advance(61_000);
  await heal();
  await heal(); // twice: still one give-back
  expect(await remaining(s.id)).toBe(5);
  const signup = await db()
    .collection('guidance_signups')
    .findOne({ _id: `${s.id}:${u.userId}` as never });
  expect(signup?.status).toBe('failed');
  // and the citizen can sign up again
  expect((await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: u.token })).status).toBe(201);
  expect(await remaining(s.id)).toBe(4);
});

test('a crash before the ticket was issued: the sweeper issues it', async () => {
  const s = await publish(stack, coach, new Date(clock.now().getTime() + 24 * 3600_000), { capacity: 5 });
  const u = await stack.login('crash-b');
  crashes.arm('effects:guidance_signup:ticket:before');
  const res = await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: u.token });
  expect(res.status).toBe(500);
  const tickets = () =>
    db()
      .collection('tickets')
      .countDocuments({ venueId: new mongoose.Types.ObjectId(s.id), status: 'valid' });
  expect(await tickets()).toBe(0);
  const signup = await db()
    .collection('guidance_signups')
    .findOne({ _id: `${s.id}:${u.userId}` as never });
  expect(signup).toMatchObject({ status: 'confirmed', pending: ['ticket'] });
  clock.advance(61_000);
  await heal();
  expect(await tickets()).toBe(1);
  expect(await remaining(s.id)).toBe(4);
});

test('a crash after 指派 took the instructor’s slots: the heal job gives them back once, and he can be assigned again', async () => {
  const org = await stack.login('crash-org');
  const start = new Date(Math.ceil(clock.now().getTime() / 3600_000) * 3600_000 + 72 * 3600_000); // on the hour: four quarter-hours
  const request = async () =>
    (
      await stack.request('POST', '/guidance/requests', {
        token: org.token,
        body: {
          organisation: { name: '某某街道社区', kind: 'community' },
          sport: 'taichi',
          district: '姑苏区',
          place: { name: '社区活动中心', address: '姑苏区某某路1号', location: PLACE },
          startAt: start.toISOString(),
          endAt: new Date(start.getTime() + 3600_000).toISOString(),
          groupSize: 10,
        },
      })
    ).body.request.id as string;
  const id = await request();
  const assign = (rid: string) =>
    stack.request('POST', `/admin/guidance/requests/${rid}/assign`, { token: admin.token, body: { instructorId: coach.userId } });
  crashes.arm('guidance.assign:after-slots');
  expect((await assign(id)).status).toBe(500);
  const held = () => db().collection('guidance_instructor_slots').countDocuments({ remaining: 0 });
  expect(await held()).toBe(4); // four quarter-hours, held by an attempt that never assigned
  expect((await assign(await request())).body.error.code).toBe('INSTRUCTOR_NOT_AVAILABLE');
  await heal();
  expect(await held()).toBe(4); // not stale yet
  clock.advance(61_000);
  await heal();
  await heal(); // twice: given back once
  expect(await held()).toBe(0);
  expect(await db().collection('guidance_slot_claims').countDocuments()).toBe(0);
  expect((await assign(id)).status).toBe(200);
  expect(await held()).toBe(4);
});
