/**
 * 100 members signing up for a 20-place club activity at once. The control run (an app built
 * with controlRunWithoutGuards: the kernel's capacity reads, then writes) shows the race; the
 * real app confirms exactly 20, everyone else CLUB_ACTIVITY_FULL, remaining 0.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, type TestStack } from '../support/stack';
import { activityBody, approvedClub, bureauAdmin, type User } from './clubs-support';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
let stack: TestStack;
let control: TestStack;
let founder: User;
let members: User[];
let clubId: string;
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  stack = await startTestStack('clubrace', { clock });
  control = await startTestStack('clubrace-control', { clock, reuseConnection: true, appDeps: { controlRunWithoutGuards: true } });
  const admin = await bureauAdmin(stack);
  founder = await stack.login('race-founder');
  clubId = await approvedClub(stack, founder, admin, { name: '并发跑团', memberLimit: 500, openJoin: true });
  members = await stack.loginMany('race-member', 100);
  for (let i = 0; i < members.length; i += 25)
    await Promise.all(members.slice(i, i + 25).map((m) => stack.request('POST', `/clubs/${clubId}/join`, { token: m.token, body: {} })));
}, 180_000);
afterAll(async () => {
  await control.stop();
  await stack.stop();
});

async function newActivity() {
  const res = await stack.request('POST', `/clubs/${clubId}/activities`, {
    token: founder.token,
    body: activityBody(clock, { capacity: 20 }),
  });
  expect(res.status).toBe(201);
  return res.body.activity.id as string;
}

async function rush(target: TestStack, activityId: string) {
  const results = await Promise.all(
    members.map((m) => target.request('POST', `/club-activities/${activityId}/signups`, { token: m.token, body: {} })),
  );
  return {
    created: results.filter((r) => r.status === 201).length,
    full: results.filter((r) => r.body?.error?.code === 'CLUB_ACTIVITY_FULL').length,
    errors: results.filter((r) => r.status >= 500).length,
  };
}

const confirmed = (activityId: string) =>
  db()
    .collection('club_signups')
    .countDocuments({ activityId: new mongoose.Types.ObjectId(activityId), status: 'confirmed' });

test('all 100 joined the club (open joining through the member-place counter)', async () => {
  expect(
    await db()
      .collection('club_members')
      .countDocuments({ clubId: new mongoose.Types.ObjectId(clubId), status: 'member' }),
  ).toBe(101);
});

test('control: without the guard, more than 20 sign-ups are confirmed for 20 places', async () => {
  const id = await newActivity();
  const { created } = await rush(control, id);
  process.stdout.write(`[club race] control: ${created} confirmed for 20 places\n`);
  expect(created).toBeGreaterThan(20);
  expect(await confirmed(id)).toBeGreaterThan(20);
});

test('with the guard: exactly 20 confirmed, 80 CLUB_ACTIVITY_FULL, 20 tickets, remaining 0', async () => {
  const id = await newActivity();
  const { created, full, errors } = await rush(stack, id);
  process.stdout.write(`[club race] guarded: ${created} confirmed, ${full} full\n`);
  expect(created).toBe(20);
  expect(full).toBe(80);
  expect(errors).toBe(0);
  expect(await confirmed(id)).toBe(20);
  const activity = await db()
    .collection('club_activities')
    .findOne({ _id: new mongoose.Types.ObjectId(id) });
  expect(activity!.remaining).toBe(0);
  const signups = await db().collection('club_signups').find({ activityId: activity!._id, status: 'confirmed' }).toArray();
  expect(
    await db()
      .collection('tickets')
      .countDocuments({ 'source.kind': 'club_activity', 'source.id': { $in: signups.map((s) => String(s._id)) } }),
  ).toBe(20);
  // the losers left no record behind
  expect(await db().collection('club_signups').countDocuments({ activityId: activity!._id })).toBe(20);
});
