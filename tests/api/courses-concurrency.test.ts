/**
 * Courses under load and crashes. 60 parents enrol their children in a 20-place course at once:
 * the control run (an app built with controlRunWithoutGuards: the kernel's capacity reads, then
 * writes) shows the overselling the guard prevents; the real app holds exactly 20 places and
 * waitlists the other 40 in arrival order. The waitlist job offers a freed place to the first in
 * line and passes a lapsed offer on. A cancel killed between its two writes is healed by the sweeper.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { startTestStack, type TestStack } from '../support/stack';
import { bureauAdmin, child, courseBody, publish, trainingOrg, type User } from './courses-support';

const BASE = new Date('2026-11-23T01:00:00Z');
const clock = new ManualClock(BASE);
const crashes = new CrashSwitch();
let stack: TestStack;
let control: TestStack;
let crashy: TestStack;
let provider: User;
let orgId: string;
let parents: User[];
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);

beforeAll(async () => {
  stack = await startTestStack('courserace', { clock, wechatPay: { signMode: 'public_key' } });
  control = await startTestStack('courserace-control', {
    clock,
    reuseConnection: true,
    wechatPay: { signMode: 'public_key' },
    appDeps: { controlRunWithoutGuards: true },
  });
  crashy = await startTestStack('courserace-crash', { clock, reuseConnection: true, appDeps: { crashes } });
  const admin = await bureauAdmin(stack);
  provider = await stack.login('race-provider');
  orgId = await trainingOrg(stack, admin, provider);
  parents = await stack.loginMany('race-parent', 60);
}, 120_000);
afterAll(async () => {
  await crashy.stop();
  await control.stop();
  await stack.stop();
});
afterEach(() => crashes.disarm());

async function rush(target: TestStack, courseId: string) {
  const results = await Promise.all(
    parents.map((p, i) =>
      target.request('POST', `/courses/${courseId}/enrolments`, { token: p.token, body: child(`孩子${i}`, '20150101') }),
    ),
  );
  return {
    held: results.filter((r) => r.status === 201 && r.body.enrolment.status === 'held').length,
    waitlisted: results.filter((r) => r.status === 201 && r.body.enrolment.status === 'waitlisted').length,
    errors: results.filter((r) => r.status >= 500).length,
  };
}
const rows = (courseId: string, status: string) =>
  db()
    .collection('course_enrolments')
    .find({ courseId: oid(courseId), status })
    .sort({ _id: 1 })
    .toArray();
const runJob = (name: string) => stack.cloud.jobs.find((j) => j.name === name)!.run();

test('control: without the guard, more than 20 children hold places in a 20-place course', async () => {
  const courseId = await publish(stack, provider, courseBody(clock.now(), orgId, { capacity: 20 }));
  const { held } = await rush(control, courseId);
  process.stdout.write(`[course race] control: ${held} places held for 20\n`);
  expect(held).toBeGreaterThan(20);
});

test('with the guard: exactly 20 hold places, 40 waitlisted in arrival order; the job offers freed places to the first in line', async () => {
  const courseId = await publish(stack, provider, courseBody(clock.now(), orgId, { capacity: 20 }));
  const { held, waitlisted, errors } = await rush(stack, courseId);
  process.stdout.write(`[course race] guarded: ${held} held, ${waitlisted} waitlisted\n`);
  expect([held, waitlisted, errors]).toEqual([20, 40, 0]);
  const course = await db()
    .collection('courses')
    .findOne({ _id: oid(courseId) });
  expect(course!.remaining).toBe(0);
  const line = await rows(courseId, 'waitlisted');
  expect(line).toHaveLength(40);
  // positions follow arrival (the insert order of the enrolments)
  const owner = new Map(parents.map((p) => [p.userId, p]));
  const first = owner.get(String(line[0].userId))!;
  const second = owner.get(String(line[1].userId))!;
  const pos = async (p: User) => (await stack.request('GET', '/me/enrolments', { token: p.token })).body.items[0].waitlistPosition;
  expect([await pos(first), await pos(second), await pos(owner.get(String(line[39].userId))!)]).toEqual([1, 2, 40]);

  // one hold is never paid: once it is stale the job expires it and offers the place to the first in line
  clock.advance(31 * 60_000);
  await runJob('course-waitlist');
  expect(await rows(courseId, 'expired')).toHaveLength(20);
  const offered = await rows(courseId, 'offered');
  expect(offered.map((e) => String(e._id))).toEqual(line.slice(0, 20).map((e) => String(e._id)));
  expect(offered.every((e) => e.orderId && e.payDeadline)).toBe(true);
  expect(
    (await db()
      .collection('courses')
      .findOne({ _id: oid(courseId) }))!.remaining,
  ).toBe(0);

  // the offers lapse unpaid after their deadline: the job passes the places on to the next 20, in order
  clock.advance(25 * 3600_000);
  await runJob('course-waitlist');
  expect((await rows(courseId, 'lapsed')).map((e) => String(e._id))).toEqual(line.slice(0, 20).map((e) => String(e._id)));
  expect((await rows(courseId, 'offered')).map((e) => String(e._id))).toEqual(line.slice(20).map((e) => String(e._id)));
  expect(await rows(courseId, 'waitlisted')).toHaveLength(0);
  // a second run changes nothing
  await runJob('course-waitlist');
  expect(await rows(courseId, 'offered')).toHaveLength(20);
  expect(
    (await db()
      .collection('courses')
      .findOne({ _id: oid(courseId) }))!.remaining,
  ).toBe(0);
  clock.set(BASE);
});

test('a cancel killed between its two writes (cancelled recorded, place not yet back) is healed by the sweeper, and the waitlist offered', async () => {
  const courseId = await publish(stack, provider, courseBody(clock.now(), orgId, { capacity: 1, priceFen: 0 }));
  const [a, b] = [await crashy.login('crash-parent-a'), await crashy.login('crash-parent-b')];
  const ea = (await crashy.request('POST', `/courses/${courseId}/enrolments`, { token: a.token, body: child('甲', '20140101') })).body
    .enrolment;
  const eb = (await crashy.request('POST', `/courses/${courseId}/enrolments`, { token: b.token, body: child('乙', '20140202') })).body
    .enrolment;
  expect([ea.status, eb.status]).toEqual(['enrolled', 'waitlisted']);
  crashes.arm('course.cancel:after-transition');
  const res = await crashy.request('POST', `/enrolments/${ea.id}/cancel`, { token: a.token, body: {} });
  expect(res.status).toBe(500);
  expect(crashes.hits).toContain('course.cancel:after-transition');
  const left = await db()
    .collection('course_enrolments')
    .findOne({ _id: oid(ea.id) });
  expect(left!.status).toBe('cancelled');
  expect(left!.pending).toEqual(expect.arrayContaining(['tickets.revoke', 'capacity', 'waitlist.offer']));
  expect(
    (await db()
      .collection('courses')
      .findOne({ _id: oid(courseId) }))!.remaining,
  ).toBe(0);
  const validTickets = () =>
    db()
      .collection('tickets')
      .countDocuments({ 'source.kind': 'course_lesson', 'source.id': { $regex: `^${ea.id}:` }, status: 'valid' });
  expect(await validTickets()).toBe(8);

  clock.advance(5 * 60_000);
  await runJob('course-heal');
  await runJob('course-heal'); // twice changes nothing
  expect(
    (await db()
      .collection('course_enrolments')
      .findOne({ _id: oid(ea.id) }))!.pending,
  ).toEqual([]);
  expect(await validTickets()).toBe(0);
  // the freed place went to the first in line (a free course: enrolled at once), exactly once
  expect(
    (await db()
      .collection('course_enrolments')
      .findOne({ _id: oid(eb.id) }))!.status,
  ).toBe('enrolled');
  expect(
    (await db()
      .collection('courses')
      .findOne({ _id: oid(courseId) }))!.remaining,
  ).toBe(0);
  clock.set(BASE);
});
