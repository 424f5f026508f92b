/**
 * 指导员选配 over HTTP on the real app and engine: the bureau's list of open requests with the
 * suggested instructors (the sport, free at that time, same district first), 指派 refusing a busy
 * or unqualified instructor with a stable code, other roles refused, two admins assigning at once
 * (control run first: without the guard both "win"); the citizens' session list paged by the
 * kernel's cursor pager; and the level registrations the threshold rules read.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { snapshotDatabase } from '../support/db';
import { startTestStack, type TestStack } from '../support/stack';
import { PLACE, adminUser, profileBody, publish, sessionBody, verifiedInstructor } from '../support/guidance-fixture';

const sessionAt = (startAt: Date) => sessionBody(startAt, { title: '太极拳入门', sport: 'taichi' });

const T0 = new Date('2026-11-23T01:00:00Z'); // Monday 09:00 in Shanghai
const HOUR = 3600_000;
const clock = new ManualClock(T0);
type U = { token: string; userId: string };
let stack: TestStack;
let control: TestStack;
let admin: U;
let admin2: U;
let gusu: U; // 太极拳, 姑苏区
let wuzhong: U; // 太极拳, 吴中区
let busyCoach: U; // 太极拳, 姑苏区, leads a session at the request's time
let dancer: U; // 广场舞 only
let org: U;
const db = () => mongoose.connection.db!;
const at = (h: number) => new Date(T0.getTime() + h * HOUR);

const requestBody = (startAt: Date, over: Record<string, unknown> = {}) => ({
  organisation: { name: '沧浪街道双塔社区', kind: 'community' },
  sport: 'taichi',
  district: '姑苏区',
  place: { name: '双塔社区活动中心', address: '姑苏区定慧寺巷28号', location: PLACE },
  startAt: startAt.toISOString(),
  endAt: new Date(startAt.getTime() + HOUR).toISOString(),
  groupSize: 20,
  ...over,
});

async function newRequest(startAt: Date, over: Record<string, unknown> = {}) {
  const res = await stack.request('POST', '/guidance/requests', { token: org.token, body: requestBody(startAt, over) });
  if (res.status !== 201) throw new Error(`request failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.request.id as string;
}

beforeAll(async () => {
  stack = await startTestStack('guidanceassign', { clock });
  control = await startTestStack('guidanceassign-control', { clock, reuseConnection: true, appDeps: { controlRunWithoutGuards: true } });
  admin = await adminUser(stack);
  admin2 = await adminUser(stack, 'guidance-admin-2');
  gusu = await verifiedInstructor(stack, 'assign-gusu', admin, { name: '王建国' });
  wuzhong = await verifiedInstructor(stack, 'assign-wuzhong', admin, {
    name: '陈立新',
    district: '吴中区',
    certificateNo: 'SZ-2023-000456',
  });
  busyCoach = await verifiedInstructor(stack, 'assign-busy', admin, { name: '赵忙忙', certificateNo: 'SZ-2022-000789' });
  dancer = await verifiedInstructor(stack, 'assign-dancer', admin, {
    name: '李秀英',
    specialities: ['square_dance'],
    certificateNo: 'SZ-2021-000999',
  });
  org = await stack.login('assign-org');
  // the busy one leads a session overlapping hour 48–49
  await publish(stack, busyCoach, at(47.5), { title: '午间八段锦', sport: 'baduanjin' });
}, 90_000);
afterAll(async () => {
  await control.stop();
  await stack.stop();
});

describe('the bureau list of open requests', () => {
  test('open requests soonest first, each with free instructors of its sport, same district first; paged', async () => {
    const later = await newRequest(at(72), { organisation: { name: '苏州某某科技有限公司', kind: 'enterprise' } });
    const soon = await newRequest(at(48));
    const third = await newRequest(at(96), { district: '吴中区' });
    const page1 = await stack.request('GET', '/admin/guidance/requests?limit=2', { token: admin.token });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((r: { id: string }) => r.id)).toEqual([soon, later]);
    const first = page1.body.items[0];
    expect(first).toMatchObject({ status: 'open', sport: 'taichi', district: '姑苏区', groupSize: 20 });
    // 太极拳 instructors free at hour 48: 王建国 (姑苏区) before 陈立新 (吴中区); the busy one and the dancer are not suggested
    expect(first.suggestions.map((s: { name: string }) => s.name)).toEqual(['王建国', '陈立新']);
    expect(first.suggestions[0]).toMatchObject({ id: gusu.userId, level: 'third', sameDistrict: true, sessionsThisYear: 0, rating: null });
    expect(first.suggestions[1]).toMatchObject({ id: wuzhong.userId, sameDistrict: false });
    // at hour 72 the busy one is free
    expect(page1.body.items[1].suggestions.map((s: { id: string }) => s.id)).toContain(busyCoach.userId);
    expect(page1.body.nextCursor).toBe(later);
    const page2 = await stack.request('GET', `/admin/guidance/requests?limit=2&cursor=${page1.body.nextCursor}`, { token: admin.token });
    expect(page2.body.items.map((r: { id: string }) => r.id)).toEqual([third]);
    expect(page2.body.nextCursor).toBeNull();
    expect(page2.body.items[0].suggestions[0].name).toBe('陈立新'); // 吴中区 first for a 吴中区 request
    const wz = await stack.request('GET', `/admin/guidance/requests?district=${encodeURIComponent('吴中区')}`, { token: admin.token });
    expect(wz.body.items.map((r: { id: string }) => r.id)).toEqual([third]);
  });

  test('other roles → 403; bad query → 400; nothing written', async () => {
    const citizen = await stack.login('assign-citizen');
    const before = await snapshotDatabase();
    for (const u of [citizen, gusu, org]) {
      const res = await stack.request('GET', '/admin/guidance/requests', { token: u.token });
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    }
    expect((await stack.request('GET', '/admin/guidance/requests')).status).toBe(401);
    for (const q of [
      'district=火星区',
      'cursor=abc',
      'limit=1000',
      'limit=-1',
      'district=吴中区&district=姑苏区',
      `cursor=${new mongoose.Types.ObjectId()}`,
    ]) {
      const res = await stack.request('GET', `/admin/guidance/requests?${q}`, { token: admin.token });
      expect({ q, status: res.status, code: res.body.error?.code }).toEqual({ q, status: 400, code: 'VALIDATION_FAILED' });
    }
    expect(await snapshotDatabase()).toBe(before);
  });
});

describe('指派', () => {
  test('a busy or unqualified instructor → 409 INSTRUCTOR_NOT_AVAILABLE with the reason; other roles → 403; nothing written', async () => {
    const id = await newRequest(at(48), { organisation: { name: '平江街道社区', kind: 'community' } });
    const before = await snapshotDatabase();
    const busy = await stack.request('POST', `/admin/guidance/requests/${id}/assign`, {
      token: admin.token,
      body: { instructorId: busyCoach.userId },
    });
    expect({ status: busy.status, code: busy.body.error.code, reason: busy.body.error.details?.reason }).toEqual({
      status: 409,
      code: 'INSTRUCTOR_NOT_AVAILABLE',
      reason: 'busy',
    });
    const unqualified = await stack.request('POST', `/admin/guidance/requests/${id}/assign`, {
      token: admin.token,
      body: { instructorId: dancer.userId },
    });
    expect({ status: unqualified.status, code: unqualified.body.error.code, reason: unqualified.body.error.details?.reason }).toEqual({
      status: 409,
      code: 'INSTRUCTOR_NOT_AVAILABLE',
      reason: 'speciality',
    });
    for (const u of [gusu, org]) {
      const res = await stack.request('POST', `/admin/guidance/requests/${id}/assign`, {
        token: u.token,
        body: { instructorId: gusu.userId },
      });
      expect(res.status).toBe(403);
    }
    expect(await snapshotDatabase()).toBe(before);
    // an assignment is audited with the admin and the reason, and the request leaves the list
    const ok = await stack.request('POST', `/admin/guidance/requests/${id}/assign`, {
      token: admin.token,
      body: { instructorId: gusu.userId, reason: '同区就近安排' },
    });
    expect(ok.status).toBe(200);
    const audit = await db().collection('audit_log').findOne({ action: 'guidance.request.assign', 'details.requestId': id });
    expect(audit).toMatchObject({ details: { reason: '同区就近安排' } });
    expect(String(audit?.targetUserId)).toBe(gusu.userId);
    expect(String(audit?.actorId)).toBe(admin.userId);
    const list = await stack.request('GET', '/admin/guidance/requests?limit=50', { token: admin.token });
    expect(list.body.items.map((r: { id: string }) => r.id)).not.toContain(id);
  });

  // two admins assign the same request to two different instructors at the same moment, 10 times each
  async function race(target: TestStack, id: string) {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        target.request('POST', `/admin/guidance/requests/${id}/assign`, {
          token: i % 2 ? admin2.token : admin.token,
          body: { instructorId: i % 2 ? wuzhong.userId : gusu.userId },
        }),
      ),
    );
    return {
      won: results.filter((r) => r.status === 200).length,
      notOpen: results.filter((r) => r.body?.error?.code === 'GUIDANCE_REQUEST_NOT_OPEN').length,
      errors: results.filter((r) => r.status >= 500).length,
      audits: await db().collection('audit_log').countDocuments({ action: 'guidance.request.assign', 'details.requestId': id }),
    };
  }

  test('control: without the guard, more than one admin "wins" the same request', async () => {
    const id = await newRequest(at(120), { organisation: { name: '控制组社区', kind: 'community' } });
    const r = await race(control, id);
    process.stdout.write(`[race] guidance assign control: ${r.won} assignments of one request, ${r.audits} audit entries\n`);
    expect(r.won).toBeGreaterThan(1);
    expect(r.audits).toBeGreaterThan(1);
  });

  test('with the guard: one assignment, 19 GUIDANCE_REQUEST_NOT_OPEN, one audit entry, one session led by the assigned instructor', async () => {
    const id = await newRequest(at(144), { organisation: { name: '实验组社区', kind: 'community' } });
    const r = await race(stack, id);
    process.stdout.write(`[race] guidance assign guarded: ${r.won} assignment, ${r.notOpen} not open\n`);
    expect(r).toEqual({ won: 1, notOpen: 19, errors: 0, audits: 1 });
    const req = await db()
      .collection('guidance_requests')
      .findOne({ _id: new mongoose.Types.ObjectId(id) });
    const sessions = await db()
      .collection('guidance_sessions')
      .find({ requestId: new mongoose.Types.ObjectId(id) })
      .toArray();
    expect(sessions).toHaveLength(1);
    expect(String(sessions[0].instructorId)).toBe(String(req?.instructorId));
  });

  test('an assigned request holds the instructor’s time: publishing over it (or a weekly series reaching it) → 409, nothing written', async () => {
    const id = await newRequest(at(220));
    const assigned = await stack.request('POST', `/admin/guidance/requests/${id}/assign`, {
      token: admin.token,
      body: { instructorId: wuzhong.userId },
    });
    expect(assigned.status).toBe(200);
    const before = await snapshotDatabase();
    const over = await stack.request('POST', '/instructor/sessions', {
      token: wuzhong.token,
      body: sessionAt(at(220.5)),
    });
    expect([over.status, over.body.error?.code, over.body.error?.details?.reason]).toEqual([
      409,
      'INSTRUCTOR_NOT_AVAILABLE',
      'assigned_request',
    ]);
    const series = await stack.request('POST', '/instructor/sessions', {
      token: wuzhong.token,
      body: { ...sessionAt(at(220.5 - 7 * 24)), repeatWeeks: 2 },
    });
    expect([series.status, series.body.error?.details?.week]).toEqual([409, 1]);
    expect(await snapshotDatabase()).toBe(before);
    // next to it is fine
    const after = await stack.request('POST', '/instructor/sessions', { token: wuzhong.token, body: sessionAt(at(222)) });
    expect(after.status).toBe(201);
  });
});

describe('one instructor, overlapping requests assigned at once', () => {
  // requests starting 5 minutes apart, an hour each: every two of them overlap
  async function overlapping(hour: number, n: number) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++)
      ids.push(await newRequest(at(hour + i / 12), { organisation: { name: `重叠需求${hour}-${i}`, kind: 'enterprise' } }));
    return ids;
  }
  const sessionsOf = (u: U, from: Date, to: Date) =>
    db()
      .collection('guidance_sessions')
      .countDocuments({ instructorId: new mongoose.Types.ObjectId(u.userId), startAt: { $lt: to }, endAt: { $gt: from } });

  test('control: without the guards, two admins book the same instructor twice for one hour', async () => {
    // the same hour for two organisations: both attempts walk the same quarter-hours in step
    const a = await newRequest(at(170), { organisation: { name: '控制组甲', kind: 'enterprise' } });
    const b = await newRequest(at(170), { organisation: { name: '控制组乙', kind: 'enterprise' } });
    const results = await Promise.all(
      [a, b].map((id, i) =>
        control.request('POST', `/admin/guidance/requests/${id}/assign`, {
          token: i ? admin2.token : admin.token,
          body: { instructorId: wuzhong.userId },
        }),
      ),
    );
    const won = results.filter((r) => r.status === 200).length;
    process.stdout.write(`[race] guidance instructor slots control: ${won} overlapping assignments of one instructor\n`);
    expect(won).toBe(2);
    expect(await sessionsOf(wuzhong, at(170), at(171))).toBe(2);
  });

  test('with the guards: of 10 overlapping requests taken at once (admins and the instructor), one is his; the rest 409 busy', async () => {
    const ids = await overlapping(190, 10);
    const results = await Promise.all(
      ids.map((id, i) =>
        i % 3 === 2
          ? stack.request('POST', `/instructor/requests/${id}/accept`, { token: gusu.token })
          : stack.request('POST', `/admin/guidance/requests/${id}/assign`, {
              token: i % 3 ? admin2.token : admin.token,
              body: { instructorId: gusu.userId },
            }),
      ),
    );
    const won = results.filter((r) => r.status === 200);
    const busy = results.filter((r) => r.body?.error?.code === 'INSTRUCTOR_NOT_AVAILABLE');
    process.stdout.write(`[race] guidance instructor slots guarded: ${won.length} assignment, ${busy.length} busy\n`);
    expect({ won: won.length, busy: busy.length, errors: results.filter((r) => r.status >= 500).length }).toEqual({
      won: 1,
      busy: 9,
      errors: 0,
    });
    expect(await sessionsOf(gusu, at(190), at(192))).toBe(1);
    // the losers gave back what they took: only the winner's quarter-hours are held, no attempt is left
    const w = results.findIndex((r) => r.status === 200);
    const heldSlots = (5 * w) % 15 === 0 ? 4 : 5; // an hour from :00/:15/:30/:45 covers 4 quarter-hours, else 5
    const held = (
      await db()
        .collection('guidance_instructor_slots')
        .find({ _id: { $regex: `^${gusu.userId}:` } as never, remaining: 0 })
        .toArray()
    ).filter((d) => {
      const minute = Number(String(d._id).split(':')[1]);
      return minute >= at(190).getTime() / 60_000 && minute < at(192).getTime() / 60_000;
    }).length;
    expect(held).toBe(heldSlots);
    expect(await db().collection('guidance_slot_claims').countDocuments()).toBe(0);
    const open = await db()
      .collection('guidance_requests')
      .countDocuments({ _id: { $in: ids.map((id) => new mongoose.Types.ObjectId(id)) }, status: 'open' });
    expect(open).toBe(9);
  });
});

describe('the citizens’ session list', () => {
  test('time order paged by cursor with the filters kept; distance order one page; bad cursor → 400', async () => {
    const day = '2026-11-28';
    const base = new Date('2026-11-28T00:00:00Z'); // 08:00 Shanghai
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await publish(stack, wuzhong, new Date(base.getTime() + i * 2 * HOUR), { district: '吴中区', title: `周六太极拳${i + 1}` })).id,
      );
    const q = `date=${day}&district=${encodeURIComponent('吴中区')}&sport=taichi&limit=2`;
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 5; n++) {
      const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await stack.request(
        'GET',
        `/guidance/sessions?${q}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((s: { id: string }) => s.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(ids);
    const near = await stack.request('GET', `/guidance/sessions?${q}&lat=${PLACE.lat}&lng=${PLACE.lng}`);
    expect(near.body.items).toHaveLength(2);
    expect(near.body.items[0].distanceM).toBeGreaterThanOrEqual(0);
    expect(near.body.nextCursor).toBeNull();
    for (const bad of ['cursor=abc', `cursor=${new mongoose.Types.ObjectId()}`, 'district=火星区', 'sport=football', 'limit=0']) {
      const res = await stack.request('GET', `/guidance/sessions?${bad}`);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
    }
  });
});

describe('level registrations for the threshold rules', () => {
  test('each approval records the level once; a 三级 promoted to 二级 keeps both dates', async () => {
    const u = await stack.login('assign-promoted');
    const apply = (level: string) =>
      stack.request('PUT', '/instructor/profile', {
        token: u.token,
        body: profileBody({ name: '周晋升', level, certificateNo: `SZ-${level}-0001` }),
      });
    const approve = () => stack.request('POST', `/admin/instructors/${u.userId}/review`, { token: admin.token, body: { approved: true } });
    expect((await apply('third')).status).toBe(200);
    expect((await approve()).status).toBe(200);
    clock.set(new Date(T0.getTime() + 24 * HOUR));
    expect((await apply('second')).status).toBe(200);
    expect((await approve()).status).toBe(200);
    const doc = await db()
      .collection('guidance_instructors')
      .findOne({ _id: new mongoose.Types.ObjectId(u.userId) });
    expect(doc?.levelHistory).toEqual([
      { level: 'third', at: T0 },
      { level: 'second', at: new Date(T0.getTime() + 24 * HOUR) },
    ]);
    const activity = await stack.request('GET', '/admin/instructors/activity', { token: admin.token });
    // a day at 三级 is short of the two years 二级 asks
    expect(activity.body.items.find((i: { name: string }) => i.name === '周晋升')).toMatchObject({
      level: 'second',
      threshold: null,
      thresholdRule: '三级注册满2年',
      thresholdMet: false,
    });
    clock.set(T0);
  });
});
