/**
 * An attacker against fitness guidance (issue 12): an organisation's own account taking its own
 * request (and so rating itself), other organisations' requests, replies to another instructor's
 * ratings, double ratings and replies at once, one instructor assigned to 100 overlapping requests
 * at once (control run without the kernel's guards first), and a crash between 指派's two writes.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { snapshotDatabase } from '../support/db';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { PLACE, adminUser, admit, verifiedInstructor } from '../support/guidance-fixture';

const T0 = new Date('2026-11-23T01:00:00Z'); // Monday 09:00 in Shanghai
const clock = new ManualClock(T0);
const HOUR = 3600_000;
const MIN = 60_000;
const crashes = new CrashSwitch();
let stack: TestStack;
let control: TestStack;
let crashy: TestStack;
let admin: { token: string; userId: string };
let admins: { token: string; userId: string }[];
let coach: { token: string; userId: string };
let rival: { token: string; userId: string };
const db = () => mongoose.connection.db!;
const heal = () => stack.cloud.jobs.find((j) => j.name === 'guidance-heal')!.run();

beforeAll(async () => {
  stack = await startTestStack('attack-guidance', { clock });
  control = await startTestStack('attack-guidance-control', { clock, reuseConnection: true, appDeps: { controlRunWithoutGuards: true } });
  crashy = await startTestStack('attack-guidance-crash', { clock, reuseConnection: true, appDeps: { crashes } });
  admin = await adminUser(stack);
  admins = [admin];
  for (let i = 1; i < 4; i++) {
    const a = await stack.login(`atk-g-admin-${i}`);
    await grant(stack, a.userId, 'admin');
    admins.push(a);
  }
  coach = await verifiedInstructor(stack, 'atk-g-coach', admin);
  rival = await verifiedInstructor(stack, 'atk-g-rival', admin, { name: '李秀英' });
}, 120_000);
afterAll(async () => {
  await crashy.stop();
  await control.stop();
  await stack.stop();
});
beforeEach(() => clock.set(T0));

const requestBody = (start: Date, over: Record<string, unknown> = {}) => ({
  organisation: { name: '某某街道社区', kind: 'community' },
  sport: 'taichi',
  district: '姑苏区',
  place: { name: '社区活动中心', address: '姑苏区某某路1号', location: PLACE },
  startAt: start.toISOString(),
  endAt: new Date(start.getTime() + HOUR).toISOString(),
  groupSize: 10,
  ...over,
});
async function newRequest(org: { token: string }, start: Date) {
  const res = await stack.request('POST', '/guidance/requests', { token: org.token, body: requestBody(start) });
  expect(res.status).toBe(201);
  return res.body.request.id as string;
}
const assign = (s: TestStack, by: { token: string }, requestId: string, instructorId: string) =>
  s.request('POST', `/admin/guidance/requests/${requestId}/assign`, { token: by.token, body: { instructorId } });
const slotsHeldBy = (instructorId: string) =>
  db()
    .collection('guidance_instructor_slots')
    .countDocuments({ _id: { $regex: `^${instructorId}:` } as never, remaining: 0 });

describe('an organisation whose account is also an instructor', () => {
  test('cannot accept its own request, nor be assigned to it: 409 own_request, nothing written', async () => {
    const self = await verifiedInstructor(stack, 'atk-g-self', admin, { name: '赵自荐' });
    const start = new Date(Math.ceil(T0.getTime() / HOUR) * HOUR + 30 * HOUR);
    const id = await newRequest(self, start);
    const before = await snapshotDatabase();
    const accepted = await stack.request('POST', `/instructor/requests/${id}/accept`, { token: self.token });
    expect(accepted.status).toBe(409);
    expect(accepted.body.error).toMatchObject({ code: 'INSTRUCTOR_NOT_AVAILABLE', details: { reason: 'own_request' } });
    const assigned = await assign(stack, admin, id, self.userId);
    expect(assigned.status).toBe(409);
    expect(assigned.body.error.details.reason).toBe('own_request');
    expect(await snapshotDatabase()).toBe(before);
    expect(await slotsHeldBy(self.userId)).toBe(0);
    // so it can never rate its own service: the request stays open for someone else
    expect((await assign(stack, admin, id, coach.userId)).status).toBe(200);
  });
});

describe('a request whose time has come', () => {
  test('can be neither accepted nor assigned (409 GUIDANCE_SESSION_STARTED): no session in the past marked not delivered', async () => {
    const org = await stack.login('atk-g-late-org');
    const start = new Date(Math.ceil(T0.getTime() / HOUR) * HOUR + 2 * HOUR);
    const id = await newRequest(org, start);
    clock.set(new Date(start.getTime() + 5 * MIN));
    const before = await snapshotDatabase();
    const accepted = await stack.request('POST', `/instructor/requests/${id}/accept`, { token: coach.token });
    expect(accepted.status).toBe(409);
    expect(accepted.body.error.code).toBe('GUIDANCE_SESSION_STARTED');
    clock.set(new Date(start.getTime() + 3 * 24 * HOUR));
    const assigned = await assign(stack, admin, id, coach.userId);
    expect(assigned.status).toBe(409);
    expect(assigned.body.error.code).toBe('GUIDANCE_SESSION_STARTED');
    expect(await snapshotDatabase()).toBe(before);
  });
});

describe('other people’s requests and ratings', () => {
  test('another organisation cannot read or rate a request; an instructor cannot reply to another’s rating', async () => {
    const org = await stack.login('atk-g-org');
    const nosy = await stack.login('atk-g-nosy');
    const start = new Date(Math.ceil(T0.getTime() / HOUR) * HOUR + 3 * HOUR);
    const id = await newRequest(org, start);
    expect((await assign(stack, admin, id, coach.userId)).status).toBe(200);
    // delivered: check-in, one admitted citizen, log
    const citizen = await stack.login('atk-g-citizen');
    const stranger = await stack.login('atk-g-stranger');
    expect((await stack.request('POST', `/guidance/sessions/${id}/signups`, { token: citizen.token })).status).toBe(201);
    clock.set(new Date(start.getTime() - 10 * MIN));
    expect(
      (await stack.request('POST', `/instructor/sessions/${id}/check-in`, { token: coach.token, body: { ...PLACE, accuracyM: 5 } })).status,
    ).toBe(200);
    expect((await admit(stack, coach, citizen, id)).status).toBe(200);
    clock.set(new Date(start.getTime() + HOUR));
    const logged = await stack.request('POST', `/instructor/sessions/${id}/log`, {
      token: coach.token,
      body: { content: '社区太极拳入门教学。', durationMinutes: 60 },
    });
    expect(logged.status).toBe(200);

    const before = await snapshotDatabase();
    const read = await stack.request('GET', `/guidance/requests/${id}`, { token: nosy.token });
    expect(read.status).toBe(403);
    const rateOther = await stack.request('POST', `/guidance/requests/${id}/rating`, { token: nosy.token, body: { stars: 1 } });
    expect(rateOther.status).toBe(403);
    expect((await stack.request('GET', '/guidance/requests/mine', { token: nosy.token })).body.items).toEqual([]);
    const notAdmitted = await stack.request('POST', `/guidance/sessions/${id}/rating`, { token: stranger.token, body: { stars: 1 } });
    expect(notAdmitted.body.error.code).toBe('RATING_NOT_ALLOWED');
    expect(await snapshotDatabase()).toBe(before);

    // 50 ratings at once from the admitted citizen, and 50 from the organisation: one each
    const burst = async (token: string, path: string) => {
      const res = await Promise.all(
        Array.from({ length: 50 }, () => stack.request('POST', path, { token, body: { stars: 4, comment: '好' } })),
      );
      return {
        created: res.filter((r) => r.status === 201),
        already: res.filter((r) => r.status === 409 && r.body.error.code === 'ALREADY_RATED').length,
      };
    };
    const c = await burst(citizen.token, `/guidance/sessions/${id}/rating`);
    expect([c.created.length, c.already]).toEqual([1, 49]);
    const o = await burst(org.token, `/guidance/requests/${id}/rating`);
    expect([o.created.length, o.already]).toEqual([1, 49]);
    const sid = new mongoose.Types.ObjectId(id);
    expect(await db().collection('guidance_ratings').countDocuments({ sessionId: sid })).toBe(2);

    // replies: another instructor → 403; the session's own instructor 50 times at once → one
    const ratingId = c.created[0].body.rating.id as string;
    const beforeReply = await snapshotDatabase();
    const foreign = await stack.request('POST', `/instructor/ratings/${ratingId}/reply`, { token: rival.token, body: { reply: '谢谢' } });
    expect(foreign.status).toBe(403);
    const byCitizen = await stack.request('POST', `/instructor/ratings/${ratingId}/reply`, {
      token: citizen.token,
      body: { reply: '谢谢' },
    });
    expect(byCitizen.status).toBe(403);
    expect(await snapshotDatabase()).toBe(beforeReply);
    expect((await stack.request('GET', '/instructor/ratings', { token: rival.token })).body.items).toEqual([]);
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        stack.request('POST', `/instructor/ratings/${ratingId}/reply`, { token: coach.token, body: { reply: `感谢参与 ${i}` } }),
      ),
    );
    const won = replies.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409 && r.body.error.code === 'CONFLICT')).toHaveLength(49);
    const stored = await db()
      .collection('guidance_ratings')
      .findOne({ _id: new mongoose.Types.ObjectId(ratingId) });
    expect(stored!.reply).toBe(won[0].body.rating.reply);
  });
});

describe('one instructor, 100 identical-time requests assigned at once', () => {
  const R = 100;
  async function rush(s: TestStack, hoursAhead: number) {
    const org = await stack.login(`atk-g-rush-org-${hoursAhead}`);
    const start = new Date(Math.ceil(T0.getTime() / HOUR) * HOUR + hoursAhead * HOUR);
    const ids: string[] = [];
    for (let i = 0; i < R; i++) ids.push(await newRequest(org, start));
    const res = await Promise.all(
      ids.map((id, i) =>
        i % 5 === 4
          ? s.request('POST', `/instructor/requests/${id}/accept`, { token: coach.token })
          : assign(s, admins[i % admins.length], id, coach.userId),
      ),
    );
    const sessions = await db()
      .collection('guidance_sessions')
      .find({ _id: { $in: ids.map((x) => new mongoose.Types.ObjectId(x)) } })
      .toArray();
    return { res, sessions, start };
  }

  test('control: without the guards, the instructor is booked more than once for the same time', async () => {
    const { res } = await rush(control, 200);
    const ok = res.filter((r) => r.status === 200).length;
    process.stdout.write(`[guidance assign race] control: ${ok} of ${R} overlapping requests assigned to one instructor\n`);
    expect(ok).toBeGreaterThan(1);
  }, 120_000);

  test('with the guards: one assigned (one session), the rest 409; his time held once; no 5xx', async () => {
    const held = await slotsHeldBy(coach.userId);
    const { res, sessions } = await rush(stack, 300);
    expect(res.filter((r) => r.status >= 500)).toEqual([]);
    expect(res.filter((r) => r.status === 200)).toHaveLength(1);
    expect(res.filter((r) => r.status === 409 && r.body.error.code === 'INSTRUCTOR_NOT_AVAILABLE')).toHaveLength(R - 1);
    expect(sessions).toHaveLength(1);
    // one hour, starting on a quarter-hour: four quarter-hour slots
    expect((await slotsHeldBy(coach.userId)) - held).toBe(4);
    expect(
      await db()
        .collection('guidance_slot_claims')
        .countDocuments({ instructorId: new mongoose.Types.ObjectId(coach.userId) }),
    ).toBe(0);
  }, 120_000);
});

describe('a crash between 指派’s writes', () => {
  test('request assigned, its session not yet made: the heal job makes it once, keeps his time held, drops the claim', async () => {
    const org = await stack.login('atk-g-crash-org');
    const start = new Date(Math.ceil(T0.getTime() / HOUR) * HOUR + 400 * HOUR);
    const id = await newRequest(org, start);
    const held = await slotsHeldBy(rival.userId);
    crashes.arm('guidance.assign:after-transition');
    expect((await assign(crashy, admin, id, rival.userId)).status).toBe(500);
    const r = await db()
      .collection('guidance_requests')
      .findOne({ _id: new mongoose.Types.ObjectId(id) });
    expect(r).toMatchObject({ status: 'assigned', instructorId: new mongoose.Types.ObjectId(rival.userId) });
    expect(
      await db()
        .collection('guidance_sessions')
        .countDocuments({ _id: new mongoose.Types.ObjectId(id) }),
    ).toBe(0);
    expect((await slotsHeldBy(rival.userId)) - held).toBe(4);
    // his time is taken: another request then is refused while the crash is unhealed
    const second = await newRequest(org, start);
    expect((await assign(stack, admin, second, rival.userId)).body.error.code).toBe('INSTRUCTOR_NOT_AVAILABLE');
    await heal();
    await heal();
    expect(
      await db()
        .collection('guidance_sessions')
        .countDocuments({ _id: new mongoose.Types.ObjectId(id) }),
    ).toBe(1);
    const s = await db()
      .collection('guidance_sessions')
      .findOne({ _id: new mongoose.Types.ObjectId(id) });
    expect(String(s!.instructorId)).toBe(rival.userId);
    clock.advance(61_000);
    await heal();
    // the claim of the attempt that won is dropped, its slots are not given back
    expect(
      await db()
        .collection('guidance_slot_claims')
        .countDocuments({ requestId: new mongoose.Types.ObjectId(id) }),
    ).toBe(0);
    expect((await slotsHeldBy(rival.userId)) - held).toBe(4);
    expect((await assign(stack, admin, second, rival.userId)).body.error.code).toBe('INSTRUCTOR_NOT_AVAILABLE');
    const org2 = await stack.request('GET', `/guidance/requests/${id}`, { token: org.token });
    expect(org2.body.request).toMatchObject({ status: 'assigned', sessionStatus: 'published', instructor: { id: rival.userId } });
  });
});
