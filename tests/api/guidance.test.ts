/**
 * Fitness guidance over HTTP on the real app and engine: applications and review, sessions and
 * sign-ups (tickets with source `guidance`), the check-in geofence and window, attendance by
 * ticket scan, logs, the not-delivered job, ratings, and organisations' requests.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, type TestStack } from '../support/stack';
import {
  PLACE,
  adminUser,
  admit,
  north,
  profileBody,
  publish,
  sessionBody,
  ticketOf,
  verifiedInstructor,
} from '../support/guidance-fixture';

const T0 = new Date('2026-11-23T01:00:00Z'); // Monday 09:00 in Shanghai
const clock = new ManualClock(T0);
const HOUR = 3600_000;
const MIN = 60_000;
let stack: TestStack;
let admin: { token: string; userId: string };
let coach: { token: string; userId: string };
let other: { token: string; userId: string };
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  stack = await startTestStack('guidance', { clock });
  admin = await adminUser(stack);
  coach = await verifiedInstructor(stack, 'coach-wang', admin);
  other = await verifiedInstructor(stack, 'coach-li', admin, { name: '李秀英', specialities: ['square_dance'], district: '吴中区' });
}, 60_000);
afterAll(() => stack.stop());
beforeEach(() => clock.set(T0));

describe('instructor applications and review', () => {
  test('an applicant cannot publish; approval (audited) grants the instructor role and a public profile', async () => {
    const u = await stack.login('applicant-zhao');
    const applied = await stack.request('PUT', '/instructor/profile', {
      token: u.token,
      body: profileBody({ name: '赵敏', level: 'second' }),
    });
    expect(applied.status).toBe(200);
    expect(applied.body.profile).toMatchObject({ status: 'pending', level: 'second' });
    // the certificate number is stored sealed and shown masked
    expect(applied.body.profile.certificateNo).not.toContain('000123');
    const raw = await db()
      .collection('guidance_instructors')
      .findOne({ _id: new mongoose.Types.ObjectId(u.userId) });
    expect(JSON.stringify(raw)).not.toContain('SZ-2024-000123');

    const early = await stack.request('POST', '/instructor/sessions', { token: u.token, body: {} });
    expect(early.status).toBe(403);
    expect((await stack.request('GET', '/instructors')).body.items.map((i: { id: string }) => i.id)).not.toContain(u.userId);

    const pending = await stack.request('GET', '/admin/instructors?status=pending', { token: admin.token });
    expect(pending.body.items.map((i: { id: string }) => i.id)).toContain(u.userId);
    const ok = await stack.request('POST', `/admin/instructors/${u.userId}/review`, { token: admin.token, body: { approved: true } });
    expect(ok.status).toBe(200);
    expect(ok.body.profile.status).toBe('verified');
    const me = await stack.request('GET', '/me', { token: u.token });
    expect(me.body.user?.roles ?? me.body.roles).toContain('instructor');
    const audits = await db()
      .collection('audit_log')
      .find({ targetUserId: new mongoose.Types.ObjectId(u.userId) })
      .toArray();
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['guidance.instructor.review', 'role.grant']));

    const again = await stack.request('POST', `/admin/instructors/${u.userId}/review`, {
      token: admin.token,
      body: { approved: false, reason: '重复' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INSTRUCTOR_NOT_PENDING');

    const list = await stack.request('GET', '/instructors?sport=taichi&district=姑苏区'.replace('姑苏区', encodeURIComponent('姑苏区')));
    const row = list.body.items.find((i: { id: string }) => i.id === u.userId);
    expect(row).toMatchObject({ level: 'second', rating: null, sessionsThisYear: 0 });
  });

  test('a rejection needs a reason, is audited and grants nothing', async () => {
    const u = await stack.login('applicant-qian');
    await stack.request('PUT', '/instructor/profile', { token: u.token, body: profileBody({ name: '钱多' }) });
    const noReason = await stack.request('POST', `/admin/instructors/${u.userId}/review`, {
      token: admin.token,
      body: { approved: false },
    });
    expect(noReason.status).toBe(400);
    const rejected = await stack.request('POST', `/admin/instructors/${u.userId}/review`, {
      token: admin.token,
      body: { approved: false, reason: '证书编号无法核验' },
    });
    expect(rejected.body.profile).toMatchObject({ status: 'rejected', reason: '证书编号无法核验' });
    const me = await stack.request('GET', '/me', { token: u.token });
    expect(me.body.user?.roles ?? me.body.roles).not.toContain('instructor');
    const audit = await db()
      .collection('audit_log')
      .findOne({ action: 'guidance.instructor.review', targetUserId: new mongoose.Types.ObjectId(u.userId) });
    expect(audit?.details).toMatchObject({ approved: false, reason: '证书编号无法核验' });
  });
});

describe('sessions and sign-ups', () => {
  test('weekly recurrence, browsing by sport, district, date and distance', async () => {
    const start = new Date(T0.getTime() + 24 * HOUR);
    const res = await stack.request('POST', '/instructor/sessions', {
      token: coach.token,
      body: { ...sessionBody(start), repeatWeeks: 2 },
    });
    expect(res.status).toBe(201);
    expect(res.body.items.map((s: { startAt: string }) => s.startAt)).toEqual(
      [0, 7, 14].map((d) => new Date(start.getTime() + d * 24 * HOUR).toISOString()),
    );
    const far = await publish(stack, other, start, {
      sport: 'square_dance',
      district: '吴中区',
      place: { name: '石湖公园', address: '吴中区石湖路', location: north(PLACE, 8000) },
    });

    const byDate = await stack.request('GET', '/guidance/sessions?date=2026-11-24');
    expect(byDate.body.items.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([res.body.items[0].id, far.id]));
    expect(byDate.body.items.map((s: { id: string }) => s.id)).not.toContain(res.body.items[1].id);
    const bySport = await stack.request('GET', '/guidance/sessions?sport=square_dance');
    expect(bySport.body.items.every((s: { sport: string }) => s.sport === 'square_dance')).toBe(true);
    const byDistrict = await stack.request('GET', `/guidance/sessions?district=${encodeURIComponent('吴中区')}`);
    expect(byDistrict.body.items.map((s: { id: string }) => s.id)).toEqual([far.id]);
    // standing near 石湖公园, it comes first
    const near = north(PLACE, 7900);
    const byDistance = await stack.request('GET', `/guidance/sessions?date=2026-11-24&lat=${near.lat}&lng=${near.lng}`);
    expect(byDistance.body.items[0].id).toBe(far.id);
    expect(byDistance.body.items[0].distanceM).toBeGreaterThan(50);
    expect(byDistance.body.items[0].distanceM).toBeLessThan(150);
  });

  test('sign-up takes a place and issues a guidance ticket; cancel gives it back until the cut-off', async () => {
    const s = await publish(stack, coach, new Date(T0.getTime() + 5 * HOUR), { capacity: 2 });
    const a = await stack.login('citizen-a');
    const first = await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: a.token });
    expect(first.status).toBe(201);
    expect(first.body.signup.status).toBe('confirmed');
    expect(first.body.ticket.source.kind).toBe('guidance');
    expect(first.body.ticket.source.id).not.toContain(a.userId);
    const twice = await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: a.token });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('GUIDANCE_ALREADY_SIGNED_UP');
    expect((await stack.request('GET', `/guidance/sessions/${s.id}`)).body.session.remaining).toBe(1);
    const own = await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: coach.token });
    expect(own.body.error.code).toBe('GUIDANCE_OWN_SESSION');

    const cancel = await stack.request('POST', `/guidance/sessions/${s.id}/signups/cancel`, { token: a.token });
    expect(cancel.status).toBe(200);
    expect((await stack.request('GET', `/guidance/sessions/${s.id}`)).body.session.remaining).toBe(2);
    const revoked = await db().collection('tickets').findOne({ 'source.id': first.body.ticket.source.id });
    expect(revoked?.status).toBe('revoked');
    const again = await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: a.token });
    expect(again.status).toBe(201);
    expect(again.body.ticket.source.id).not.toBe(first.body.ticket.source.id);

    const b = await stack.login('citizen-b');
    const c = await stack.login('citizen-c');
    expect((await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: b.token })).status).toBe(201);
    const full = await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: c.token });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('GUIDANCE_SESSION_FULL');

    clock.set(new Date(T0.getTime() + 3.5 * HOUR)); // 90 minutes before the start: past the 2-hour cut-off
    const late = await stack.request('POST', `/guidance/sessions/${s.id}/signups/cancel`, { token: b.token });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('GUIDANCE_CANCEL_CLOSED');
    expect((await stack.request('GET', `/guidance/sessions/${s.id}`)).body.session.remaining).toBe(0);
  });

  test('an Idempotency-Key retry answers the first result', async () => {
    const s = await publish(stack, coach, new Date(T0.getTime() + 6 * HOUR));
    const u = await stack.login('citizen-idem');
    const h = { 'idempotency-key': 'signup-retry-0001' };
    const one = await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: u.token, headers: h });
    const two = await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: u.token, headers: h });
    expect(one.status).toBe(201);
    expect(two.status).toBe(200);
    expect(two.headers.get('idempotent-replayed')).toBe('true');
    expect(two.body.ticket.id).toBe(one.body.ticket.id);
    expect((await stack.request('GET', `/guidance/sessions/${s.id}`)).body.session.remaining).toBe(29);
  });
});

describe('check-in: geofence and window', () => {
  const start = new Date(T0.getTime() + 2 * HOUR);
  const at = (m: number) => clock.set(new Date(start.getTime() + m * MIN));
  const checkIn = (id: string, p: { lat: number; lng: number }, accuracyM = 15, who = coach) =>
    stack.request('POST', `/instructor/sessions/${id}/check-in`, { token: who.token, body: { ...p, accuracyM } });

  test('150 m is inside the 200 m fence, 250 m is outside, a claimed accuracy of 5,000 m is refused', async () => {
    const s = await publish(stack, coach, start);
    at(-10);
    const outside = await checkIn(s.id, north(PLACE, 250));
    expect(outside.status).toBe(422);
    expect(outside.body.error.code).toBe('OUTSIDE_GEOFENCE');
    expect(outside.body.error.details.distanceM).toBe(250);
    const spoofed = await checkIn(s.id, north(PLACE, 250), 5000);
    expect(spoofed.status).toBe(422);
    expect(spoofed.body.error.code).toBe('LOCATION_TOO_INACCURATE');
    const alsoSpoofedNear = await checkIn(s.id, north(PLACE, 150), 5000);
    expect(alsoSpoofedNear.body.error.code).toBe('LOCATION_TOO_INACCURATE');
    expect((await stack.request('GET', `/guidance/sessions/${s.id}`)).body.session.checkedInAt).toBeNull();
    const inside = await checkIn(s.id, north(PLACE, 150));
    expect(inside.status).toBe(200);
    expect(inside.body.distanceM).toBe(150);
    expect(inside.body.session.checkedInAt).toBe(clock.now().toISOString());
  });

  test('the window: −40 min closed, −10 min open, +20 min closed', async () => {
    const early = await publish(stack, coach, start);
    const late = await publish(stack, coach, start);
    at(-40);
    const r40 = await checkIn(early.id, PLACE);
    expect(r40.status).toBe(422);
    expect(r40.body.error.code).toBe('CHECKIN_WINDOW_CLOSED');
    at(-10);
    expect((await checkIn(early.id, PLACE)).status).toBe(200);
    at(20);
    const r20 = await checkIn(late.id, PLACE);
    expect(r20.status).toBe(422);
    expect(r20.body.error.code).toBe('CHECKIN_WINDOW_CLOSED');
  });

  test('another instructor cannot check in to, scan for or log a session that is not theirs', async () => {
    const s = await publish(stack, coach, start);
    at(-5);
    const r = await checkIn(s.id, PLACE, 10, other);
    expect(r.status).toBe(403);
    const log = await stack.request('POST', `/instructor/sessions/${s.id}/log`, {
      token: other.token,
      body: { content: '今天练习了二十四式太极拳。', durationMinutes: 60 },
    });
    expect(log.status).toBe(403);
  });
});

describe('attendance, log, ratings, the not-delivered job', () => {
  test('scan admits; the log delivers; only the admitted rate, once, within 7 days; events carry pseudonyms', async () => {
    const start = new Date(T0.getTime() + 3 * HOUR);
    const s = await publish(stack, coach, start);
    const [a, b] = [await stack.login('rater-a'), await stack.login('rater-b')];
    for (const u of [a, b])
      expect((await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: u.token })).status).toBe(201);
    clock.set(new Date(start.getTime() - 5 * MIN));
    const beforeCheckIn = await admit(stack, coach, a, s.id);
    expect(beforeCheckIn.body.error.code).toBe('GUIDANCE_NOT_CHECKED_IN');
    expect(
      (await stack.request('POST', `/instructor/sessions/${s.id}/check-in`, { token: coach.token, body: { ...PLACE, accuracyM: 8 } }))
        .status,
    ).toBe(200);
    const ticketId = (await ticketOf(stack, a, s.id)).id;
    const code = (await stack.request('GET', `/tickets/${ticketId}/code`, { token: a.token })).body.code;
    const scan = () => stack.request('POST', `/instructor/sessions/${s.id}/attendance`, { token: coach.token, body: { code } });
    const scanned = await scan();
    expect(scanned.status).toBe(200);
    expect(scanned.body.result).toBe('admitted');
    const rescan = await scan();
    expect(rescan.status).toBe(409);
    expect(rescan.body.error.code).toBe('TICKET_ALREADY_USED');
    // the ticket is for this session: scanned at another session it is refused
    const elsewhere = await publish(stack, coach, new Date(start.getTime() + 10 * MIN));
    await stack.request('POST', `/instructor/sessions/${elsewhere.id}/check-in`, { token: coach.token, body: { ...PLACE, accuracyM: 8 } });
    const wrongSession = await stack.request('POST', `/instructor/sessions/${elsewhere.id}/attendance`, {
      token: coach.token,
      body: { code },
    });
    expect(wrongSession.body.error.code).toBe('TICKET_NOT_FOR_THIS_VENUE');
    expect((await stack.request('GET', `/guidance/sessions/${s.id}`, { token: a.token })).body.mySignup.status).toBe('attended');

    clock.set(new Date(start.getTime() + 65 * MIN));
    const log = await stack.request('POST', `/instructor/sessions/${s.id}/log`, {
      token: coach.token,
      body: { content: '  今天练习了二十四式太极拳前八式，讲解呼吸要领。  ', durationMinutes: 60 },
    });
    expect(log.status).toBe(200);
    expect(log.body.session.status).toBe('delivered');
    expect(log.body.log.content).toBe('今天练习了二十四式太极拳前八式，讲解呼吸要领。');
    const delivered = await db().collection('outbox').findOne({ type: 'guidance.session_delivered', 'payload.sessionId': s.id });
    expect(delivered?.payload).toMatchObject({ attended: 1, durationMinutes: 60, sport: 'taichi' });
    expect(delivered?.payload.instructor).not.toBe(coach.userId);
    expect(JSON.stringify(delivered)).not.toContain(coach.userId);
    const attendedEvent = await db().collection('outbox').findOne({ type: 'guidance.attended', 'payload.sessionId': s.id });
    expect(attendedEvent).not.toBeNull();
    // no event about this session names the citizen's or the instructor's id (the ticket's either)
    const events = await db()
      .collection('outbox')
      .find({ $or: [{ 'payload.sessionId': s.id }, { 'payload.venueId': s.id }] })
      .toArray();
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['guidance.attended', 'ticket.admitted', 'guidance.session_delivered']),
    );
    for (const id of [a.userId, coach.userId]) expect(JSON.stringify(events)).not.toContain(id);
    const secondLog = await stack.request('POST', `/instructor/sessions/${s.id}/log`, {
      token: coach.token,
      body: { content: '再写一次日志内容应被拒绝。', durationMinutes: 30 },
    });
    expect(secondLog.body.error.code).toBe('GUIDANCE_SESSION_CLOSED');

    const notAdmitted = await stack.request('POST', `/guidance/sessions/${s.id}/rating`, { token: b.token, body: { stars: 5 } });
    expect(notAdmitted.status).toBe(403);
    expect(notAdmitted.body.error.code).toBe('RATING_NOT_ALLOWED');
    const rated = await stack.request('POST', `/guidance/sessions/${s.id}/rating`, {
      token: a.token,
      body: { stars: 4, comment: '  老师讲得很细  ' },
    });
    expect(rated.status).toBe(201);
    expect(rated.body.rating.comment).toBe('老师讲得很细');
    const twice = await stack.request('POST', `/guidance/sessions/${s.id}/rating`, { token: a.token, body: { stars: 1 } });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('ALREADY_RATED');
    const replied = await stack.request('POST', `/instructor/ratings/${rated.body.rating.id}/reply`, {
      token: coach.token,
      body: { reply: '谢谢支持！' },
    });
    expect(replied.status).toBe(200);
    const notMine = await stack.request('POST', `/instructor/ratings/${rated.body.rating.id}/reply`, {
      token: other.token,
      body: { reply: '冒名回复' },
    });
    expect(notMine.status).toBe(403);
    const profile = await stack.request('GET', `/instructors/${coach.userId}`);
    expect(profile.body.instructor.rating).toBe(4);
    expect(profile.body.instructor.sessionsThisYear).toBe(1);
    expect(profile.body.ratings[0]).toMatchObject({ stars: 4, reply: '谢谢支持！' });
  });

  test('a rating after 7 days is refused', async () => {
    const start = new Date(T0.getTime() + 1 * HOUR);
    const s = await publish(stack, coach, start);
    const a = await stack.login('late-rater');
    await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: a.token });
    clock.set(new Date(start.getTime() - 10 * MIN));
    await stack.request('POST', `/instructor/sessions/${s.id}/check-in`, { token: coach.token, body: { ...PLACE, accuracyM: 5 } });
    expect((await admit(stack, coach, a, s.id)).status).toBe(200);
    clock.set(new Date(start.getTime() + 8 * 24 * HOUR));
    const again = await stack.login('late-rater'); // the first token has expired by now
    const r = await stack.request('POST', `/guidance/sessions/${s.id}/rating`, { token: again.token, body: { stars: 5 } });
    expect(r.body.error.code).toBe('RATING_NOT_ALLOWED');
  });

  test('the leased job marks sessions with no check-in or no log by the end of the next day as not delivered', async () => {
    const start = new Date(T0.getTime() + 4 * HOUR); // Monday 13:00
    const none = await publish(stack, coach, start);
    const noLog = await publish(stack, coach, start);
    const logged = await publish(stack, coach, start);
    clock.set(new Date(start.getTime() - 5 * MIN));
    for (const id of [noLog.id, logged.id])
      await stack.request('POST', `/instructor/sessions/${id}/check-in`, { token: coach.token, body: { ...PLACE, accuracyM: 5 } });
    await stack.request('POST', `/instructor/sessions/${logged.id}/log`, {
      token: coach.token,
      body: { content: '八段锦全套练习两遍。', durationMinutes: 45 },
    });
    const job = stack.cloud.jobs.find((j) => j.name === 'guidance-not-delivered')!;
    clock.set(new Date('2026-11-24T15:59:00Z')); // Tuesday 23:59 Shanghai: the next day is not over
    await job.run();
    expect((await stack.request('GET', `/guidance/sessions/${none.id}`)).body.session.status).toBe('published');
    clock.set(new Date('2026-11-24T16:00:00Z')); // Wednesday 00:00
    await job.run();
    const status = async (id: string) => (await stack.request('GET', `/guidance/sessions/${id}`)).body.session.status;
    expect(await status(none.id)).toBe('not_delivered');
    expect(await status(noLog.id)).toBe('not_delivered');
    expect(await status(logged.id)).toBe('delivered');
  });
});

describe('instructor requests from organisations', () => {
  test('request → suggestions → bureau assigns (audited) → a session with the same check-in and log → the organisation rates it', async () => {
    const org = await stack.login('org-community');
    const start = new Date(T0.getTime() + 48 * HOUR);
    const body = {
      organisation: { name: '沧浪街道双塔社区', kind: 'community' },
      sport: 'taichi',
      district: '姑苏区',
      place: { name: '双塔社区活动中心', address: '姑苏区定慧寺巷', location: PLACE },
      startAt: start.toISOString(),
      endAt: new Date(start.getTime() + HOUR).toISOString(),
      groupSize: 20,
      note: '老年人为主',
    };
    const created = await stack.request('POST', '/guidance/requests', { token: org.token, body });
    expect(created.status).toBe(201);
    expect(created.body.request.status).toBe('open');
    const school = await stack.request('GET', `/guidance/requests/${created.body.request.id}`, { token: org.token });
    expect(school.body.request).toMatchObject({ instructor: null, sessionStatus: null, rating: null });
    const suggested = created.body.suggestions.map((s: { id: string }) => s.id);
    expect(suggested).toContain(coach.userId);
    expect(suggested).not.toContain(other.userId); // square dance only
    const notOwner = await stack.request('GET', `/guidance/requests/${created.body.request.id}`, { token: coach.token });
    expect(notOwner.status).toBe(403);
    const wrong = await stack.request('POST', `/admin/guidance/requests/${created.body.request.id}/assign`, {
      token: admin.token,
      body: { instructorId: other.userId },
    });
    expect(wrong.body.error.code).toBe('INSTRUCTOR_NOT_AVAILABLE');
    const assigned = await stack.request('POST', `/admin/guidance/requests/${created.body.request.id}/assign`, {
      token: admin.token,
      body: { instructorId: coach.userId, reason: '就近安排' },
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.session).toMatchObject({ id: created.body.request.id, capacity: 20, requestId: created.body.request.id });
    expect(await db().collection('audit_log').countDocuments({ action: 'guidance.request.assign' })).toBe(1);
    const twice = await stack.request('POST', `/instructor/requests/${created.body.request.id}/accept`, { token: coach.token });
    expect(twice.body.error.code).toBe('GUIDANCE_REQUEST_NOT_OPEN');
    const early = await stack.request('POST', `/guidance/requests/${created.body.request.id}/rating`, {
      token: org.token,
      body: { stars: 5 },
    });
    expect(early.body.error.code).toBe('RATING_NOT_ALLOWED');

    const sid = assigned.body.session.id;
    clock.set(new Date(start.getTime() - 10 * MIN));
    expect(
      (await stack.request('POST', `/instructor/sessions/${sid}/check-in`, { token: coach.token, body: { ...PLACE, accuracyM: 5 } }))
        .status,
    ).toBe(200);
    clock.set(new Date(start.getTime() + HOUR));
    expect(
      (
        await stack.request('POST', `/instructor/sessions/${sid}/log`, {
          token: coach.token,
          body: { content: '社区太极拳入门教学。', durationMinutes: 60 },
        })
      ).status,
    ).toBe(200);
    const rated = await stack.request('POST', `/guidance/requests/${created.body.request.id}/rating`, {
      token: org.token,
      body: { stars: 5, comment: '很专业' },
    });
    expect(rated.status).toBe(201);
    // what the organisation's pages show: the matched instructor, the session's state, its rating
    const mine = await stack.request('GET', '/guidance/requests/mine', { token: org.token });
    expect(mine.body.items[0]).toMatchObject({
      id: created.body.request.id,
      status: 'assigned',
      instructor: { id: coach.userId, name: '王建国', level: 'third' },
      sessionStatus: 'delivered',
      rating: { stars: 5, comment: '很专业', reply: null },
    });
    const one = await stack.request('GET', `/guidance/requests/${created.body.request.id}`, { token: org.token });
    expect(one.body.request.instructor.name).toBe('王建国');
    expect(one.body.suggestions).toEqual([]);
    const again = await stack.request('POST', `/guidance/requests/${created.body.request.id}/rating`, {
      token: org.token,
      body: { stars: 5 },
    });
    expect(again.status).toBe(409);
  });
});

describe('the rotating session code citizens scan', () => {
  const start = new Date(T0.getTime() + 5 * HOUR);
  const at = (ms: number) => clock.set(new Date(start.getTime() + ms));
  const codeOf = (id: string, who = coach) => stack.request('GET', `/instructor/sessions/${id}/code`, { token: who.token });
  const checkIn = (id: string, who: { token: string }, code: unknown, p: { lat: number; lng: number } = PLACE, accuracyM = 10) =>
    stack.request('POST', `/guidance/sessions/${id}/check-in`, { token: who.token, body: { code, ...p, accuracyM } });
  const signupOf = (sessionId: string, userId: string) =>
    db()
      .collection('guidance_signups')
      .findOne({ _id: `${sessionId}:${userId}` as never });

  test('signed-up citizens check in once, at the place, with a recent code of this session; everyone else is refused', async () => {
    const s = await publish(stack, coach, start);
    const elsewhere = await publish(stack, coach, start, { title: '晨练八段锦', sport: 'baduanjin' });
    const [a, b, c, late] = await Promise.all(['code-a', 'code-b', 'code-c', 'code-late'].map((o) => stack.login(o)));
    const stranger = await stack.login('code-stranger');
    for (const u of [a, b, c, late])
      expect((await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: u.token })).status).toBe(201);

    at(-20 * MIN);
    const before = await codeOf(s.id);
    expect(before.status).toBe(409);
    expect(before.body.error.code).toBe('GUIDANCE_NOT_CHECKED_IN');
    for (const id of [s.id, elsewhere.id])
      expect(
        (await stack.request('POST', `/instructor/sessions/${id}/check-in`, { token: coach.token, body: { ...PLACE, accuracyM: 8 } }))
          .status,
      ).toBe(200);
    expect((await codeOf(s.id, other)).status).toBe(403);
    const code = await codeOf(s.id);
    expect(code.status).toBe(200);
    expect(code.headers.get('cache-control')).toBe('no-store');
    expect(code.body).toMatchObject({ stepSeconds: 30, shortCode: expect.stringMatching(/^\d{8}$/) });
    expect(code.body.code).toMatch(/^CS1\./);

    // not signed up; outside the fence; a spoofed accuracy; a ticket's code; another session's code
    const notSigned = await checkIn(s.id, stranger, code.body.code);
    expect([notSigned.status, notSigned.body.error.code]).toEqual([403, 'GUIDANCE_NOT_SIGNED_UP']);
    const far = await checkIn(s.id, a, code.body.code, north(PLACE, 250));
    expect([far.status, far.body.error.code]).toEqual([422, 'OUTSIDE_GEOFENCE']);
    const spoofed = await checkIn(s.id, a, code.body.code, north(PLACE, 150), 5000);
    expect(spoofed.body.error.code).toBe('LOCATION_TOO_INACCURATE');
    const ticketCode = (await stack.request('GET', `/tickets/${(await ticketOf(stack, a, s.id)).id}/code`, { token: a.token })).body;
    const asTicket = await checkIn(s.id, a, ticketCode.code);
    expect([asTicket.status, asTicket.body.error.code]).toEqual([400, 'SESSION_CODE_INVALID']);
    const asTicketDigits = await checkIn(s.id, a, ticketCode.shortCode);
    expect(asTicketDigits.body.error.code).toBe('SESSION_CODE_INVALID');
    const otherCode = (await codeOf(elsewhere.id)).body;
    const wrong = await checkIn(s.id, a, otherCode.code);
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'SESSION_CODE_WRONG_SESSION']);
    const wrongDigits = await checkIn(s.id, a, otherCode.shortCode);
    expect(wrongDigits.body.error.code).toBe('SESSION_CODE_WRONG_SESSION');
    expect((await signupOf(s.id, a.userId))?.status).toBe('confirmed');

    // scanned 150 m away (inside the fence): admitted through the ticket, once
    const ok = await checkIn(s.id, a, code.body.code, north(PLACE, 150));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ result: 'admitted', distanceM: 150, signup: { status: 'attended' } });
    expect(
      (
        await db()
          .collection('tickets')
          .findOne({ 'source.id': (await signupOf(s.id, a.userId))?.ref })
      )?.status,
    ).toBe('used');
    const twice = await checkIn(s.id, a, code.body.code);
    expect([twice.status, twice.body.error.code]).toEqual([409, 'GUIDANCE_ALREADY_ATTENDED']);
    // the 8 digits typed (h5, or no camera) in the same step
    expect((await checkIn(s.id, b, code.body.shortCode)).status).toBe(200);

    // the step allowance: 55 s old is good, 100 s old is not (a photo of the code sent home)
    at(-20 * MIN + 55_000);
    const aging = (await codeOf(s.id)).body;
    at(-20 * MIN + 55_000 + 100_000);
    const stale = await checkIn(s.id, c, aging.code);
    expect([stale.status, stale.body.error.code]).toEqual([409, 'SESSION_CODE_EXPIRED']);
    expect((await checkIn(s.id, c, aging.shortCode)).body.error.code).toBe('SESSION_CODE_EXPIRED');
    expect((await checkIn(s.id, c, (await codeOf(s.id)).body.code)).status).toBe(200);

    // the session's window: a code taken just before the end is refused just after it
    at(HOUR - 20_000);
    const last = (await codeOf(s.id)).body;
    at(HOUR + 15_000);
    const after = await checkIn(s.id, late, last.code);
    expect([after.status, after.body.error.code]).toEqual([422, 'ATTENDANCE_WINDOW_CLOSED']);
    expect((await codeOf(s.id)).body.error.code).toBe('ATTENDANCE_WINDOW_CLOSED');
    expect((await signupOf(s.id, late.userId))?.status).toBe('confirmed');

    const attended = await db()
      .collection('guidance_signups')
      .countDocuments({ sessionId: new mongoose.Types.ObjectId(s.id), status: 'attended' });
    expect(attended).toBe(3);
    expect(await db().collection('outbox').countDocuments({ type: 'guidance.attended', 'payload.sessionId': s.id })).toBe(3);
  });

  test('bad input to the code check-in → 4xx, nothing written', async () => {
    const s = await publish(stack, coach, start);
    const u = await stack.login('code-bad');
    expect((await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: u.token })).status).toBe(201);
    at(-10 * MIN);
    await stack.request('POST', `/instructor/sessions/${s.id}/check-in`, { token: coach.token, body: { ...PLACE, accuracyM: 8 } });
    const code = (await codeOf(s.id)).body.code as string;
    const bodies: unknown[] = [
      {},
      { code },
      { code, lat: '31.3', lng: 120.6, accuracyM: 5 },
      { code, lat: 91, lng: 120.6, accuracyM: 5 },
      { code, lat: 31.3, lng: 181, accuracyM: 5 },
      { code, ...PLACE, accuracyM: -1 },
      { code: { $gt: '' }, ...PLACE, accuracyM: 5 },
      { code: `${code}x`.repeat(50), ...PLACE, accuracyM: 5 },
      { code: '1234567', ...PLACE, accuracyM: 5 },
      { code: 12345678, ...PLACE, accuracyM: 5 },
      { code, ...PLACE, accuracyM: 5, userId: coach.userId },
      [code],
    ];
    for (const body of bodies) {
      const r = await stack.request('POST', `/guidance/sessions/${s.id}/check-in`, { token: u.token, body });
      expect([r.status, JSON.stringify(body).slice(0, 40)]).toEqual([400, JSON.stringify(body).slice(0, 40)]);
    }
    const forged = `${code.slice(0, -4)}AAAA`;
    expect((await checkIn(s.id, u, forged)).body.error.code).toBe('SESSION_CODE_INVALID');
    expect((await stack.request('POST', `/guidance/sessions/${s.id}/check-in`, { body: { code, ...PLACE, accuracyM: 5 } })).status).toBe(
      401,
    );
    expect(
      (await stack.request('POST', `/guidance/sessions/not-an-id/check-in`, { token: u.token, body: { code, ...PLACE, accuracyM: 5 } }))
        .status,
    ).toBe(400);
    expect((await stack.request('GET', `/instructor/sessions/${s.id}/code`, { token: u.token })).status).toBe(403);
    expect((await signupOf(s.id, u.userId))?.status).toBe('confirmed');
  });
});
