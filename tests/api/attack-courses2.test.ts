/**
 * Second attack on training courses (issue 15), over HTTP on the real app, engine and WeChat Pay
 * stand-in: other providers' course ids on every provider route and the gate a course lends
 * (a provider's check-in must admit only its own course's lesson tickets); enrolling someone
 * else's child; a waitlist offer paid twice or after it lapsed; crashes between an enrolment's
 * writes healed by the sweeper; a course cancelled by its provider (everyone refunded once, also
 * after a crash and with sweepers racing); reviews on other users' booking and enrolment ids.
 */
import mongoose from 'mongoose';
import { businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import type { CourseService } from '../../cloud/src/modules/course';
import { snapshotDatabase } from '../support/db';
import { grant, startTestStack, type TestStack } from '../support/stack';
import { createTestVenue, slotsOf } from '../support/venue-fixture';
import { verifiedInstructor } from '../support/guidance-fixture';
import { orderOf, payAndConfirm, refundsAtWechat, until } from '../support/pay';
import { adult, bureauAdmin, child, courseBody, publish, trainingOrg, type User } from './courses-support';

const BASE = new Date('2026-11-23T01:00:00Z');
const clock = new ManualClock(BASE);
const crashes = new CrashSwitch();
let stack: TestStack;
let admin: User;
let providerA: User;
let providerB: User;
let orgA: string;
let orgB: string;
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);
const courses = () => stack.cloud.modules.get('course') as CourseService;
const runJob = (name: string) => stack.cloud.jobs.find((j) => j.name === name)!.run();
const enrolment = (id: string) =>
  db()
    .collection('course_enrolments')
    .findOne({ _id: oid(id) });
const course = (id: string) =>
  db()
    .collection('courses')
    .findOne({ _id: oid(id) });
const lessonTickets = (enrolmentId: string, status = 'valid') =>
  db()
    .collection('tickets')
    .countDocuments({ 'source.kind': 'course_lesson', 'source.id': { $regex: `^${enrolmentId}:` }, status });

beforeAll(async () => {
  stack = await startTestStack('atk-courses2', { clock, wechatPay: { signMode: 'public_key' }, appDeps: { crashes } });
  admin = await bureauAdmin(stack, 'atk2-bureau');
  providerA = await stack.login('atk2-provider-a');
  providerB = await stack.login('atk2-provider-b');
  orgA = await trainingOrg(stack, admin, providerA, '甲培训机构');
  orgB = await trainingOrg(stack, admin, providerB, '乙培训机构');
}, 60_000);
afterAll(() => stack.stop());
afterEach(() => {
  crashes.disarm();
  clock.set(BASE);
});

const enrol = (u: User, courseId: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  stack.request('POST', `/courses/${courseId}/enrolments`, { token: u.token, body, headers });
async function enrolAndPay(u: User, courseId: string, body: Record<string, unknown>) {
  const res = await enrol(u, courseId, body);
  expect([res.status, res.body.enrolment?.status]).toEqual([201, 'held']);
  await payAndConfirm(stack, u.token, res.body.enrolment.orderId);
  await until(async () => (await enrolment(res.body.enrolment.id))!.status === 'enrolled');
  return res.body.enrolment as { id: string; orderId: string };
}
/** the ticket's rotating code, fetched by its owner at `at` (codes are issued for the clock's step) */
async function codeOf(owner: User, ticketId: string, at: Date) {
  clock.set(at);
  const res = await stack.request('GET', `/tickets/${ticketId}/code`, { token: owner.token });
  expect(res.status).toBe(200);
  return res.body.code as string;
}

describe("another provider's course ids on every provider route", () => {
  test('GET, PATCH, attendance, check-in, cancel of a course of organisation A by organisation B → 403, nothing written', async () => {
    const courseId = await publish(stack, providerA, courseBody(clock.now(), orgA, { title: '甲的游泳课' }));
    const venueManager = await stack.login('atk2-other-venue-manager');
    const elsewhere = await createTestVenue(stack, { name: '无关场馆' });
    await grant(stack, venueManager.userId, 'venue_manager', elsewhere.venueId);
    const routes: [string, string, unknown][] = [
      ['GET', `/provider/courses/${courseId}`, undefined],
      ['PATCH', `/provider/courses/${courseId}`, { title: '被改名' }],
      ['GET', `/provider/courses/${courseId}/attendance`, undefined],
      ['POST', `/provider/courses/${courseId}/checkins`, { code: 'x' }],
      ['POST', `/provider/courses/${courseId}/cancel`, { reason: '别人取消' }],
    ];
    for (const who of [providerB, venueManager]) {
      const before = await snapshotDatabase();
      for (const [method, path, body] of routes) {
        const res = await stack.request(method, path, { token: who.token, body });
        expect([method, path, res.status, res.body.error?.code]).toEqual([method, path, 403, 'FORBIDDEN']);
      }
      expect(await snapshotDatabase()).toBe(before);
    }
    const listed = (await stack.request('GET', '/provider/courses', { token: providerB.token })).body.items.map(
      (c: { id: string }) => c.id,
    );
    expect(listed).not.toContain(courseId);
  });

  test("an organisation cannot hold its course at a venue it does not manage (the venue's gate and name are the venue's)", async () => {
    const x = await createTestVenue(stack, { name: '别人的体育馆' });
    const before = await db().collection('courses').countDocuments({});
    const res = await stack.request('POST', '/provider/courses', {
      token: providerA.token,
      body: courseBody(clock.now(), orgA, { place: { venueId: x.venueId } }),
    });
    expect([res.status, res.body.error?.code]).toEqual([403, 'FORBIDDEN']);
    expect(await db().collection('courses').countDocuments({})).toBe(before);
    // the venue's own manager (or the bureau) may place it there
    const manager = await stack.login('atk2-x-manager');
    await grant(stack, manager.userId, 'venue_manager', x.venueId);
    await grant(stack, manager.userId, 'course_provider', orgA);
    const ok = await stack.request('POST', '/provider/courses', {
      token: manager.token,
      body: courseBody(clock.now(), orgA, { place: { venueId: x.venueId } }),
    });
    expect([ok.status, ok.body.course?.placeName]).toEqual([201, '别人的体育馆']);
  });

  test("a course held at a venue: its provider's check-in admits that course's lesson tickets only, not the venue's bookings nor another course's lessons", async () => {
    const x = await createTestVenue(stack, { name: '共用体育馆' });
    // the bureau places both organisations' courses at venue X (neither organisation is staff there)
    const courseA = await publish(
      stack,
      admin,
      courseBody(clock.now(), orgA, { title: '甲在X馆', place: { venueId: x.venueId }, priceFen: 0 }),
    );
    const courseB = await publish(
      stack,
      admin,
      courseBody(clock.now(), orgB, { title: '乙在X馆', place: { venueId: x.venueId }, priceFen: 0 }),
    );
    const citizen = await stack.login('atk2-x-citizen');
    // a booking at venue X tomorrow (a free court: confirmed with a ticket at once)
    const day = businessDay(new Date(clock.now().getTime() + 86_400_000));
    const slot = (await slotsOf(x.courtId, day))[2];
    const booked = await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [slot.id] } });
    expect(booked.status).toBe(201);
    const bookingTicket = (await stack.request('GET', '/tickets/mine', { token: citizen.token })).body.items.find(
      (t: { source: { kind: string } }) => t.source.kind === 'booking',
    );
    const code = await codeOf(citizen, bookingTicket.id, new Date(slot.startAt.getTime() - 5 * 60_000));
    const scanA = await stack.request('POST', `/provider/courses/${courseA}/checkins`, { token: providerA.token, body: { code } });
    expect([scanA.status, scanA.body.error?.code]).toEqual([403, 'TICKET_NOT_FOR_THIS_VENUE']);
    expect(
      (await db()
        .collection('tickets')
        .findOne({ _id: oid(bookingTicket.id) }))!.status,
    ).toBe('valid');

    // a lesson ticket of B's course at the same gate, scanned through A's course
    clock.set(BASE);
    const learner = await stack.login('atk2-x-learner');
    const eb = (await enrol(learner, courseB, adult('乙学员', '19900101'))).body.enrolment;
    expect(eb.status).toBe('enrolled');
    const lesson1 = (await stack.request('GET', `/me/enrolments/${eb.id}`, { token: learner.token })).body.enrolment.lessons[0];
    const lessonCode = await codeOf(learner, lesson1.ticketId, new Date(new Date(lesson1.startAt).getTime() - 5 * 60_000));
    const cross = await stack.request('POST', `/provider/courses/${courseA}/checkins`, {
      token: providerA.token,
      body: { code: lessonCode },
    });
    expect([cross.status, cross.body.error?.code]).toEqual([403, 'TICKET_NOT_FOR_THIS_VENUE']);
    expect((await enrolment(eb.id))!.attended).toEqual([]);
    // B's own provider admits it; the venue's gate staff would too (the lesson is at their venue)
    const own = await stack.request('POST', `/provider/courses/${courseB}/checkins`, {
      token: providerB.token,
      body: { code: lessonCode },
    });
    expect([own.status, own.body.result]).toEqual([200, 'admitted']);
    expect((await enrolment(eb.id))!.attended).toEqual([1]);
  });

  test("the course's teacher, a verified instructor, scans the lesson tickets and sees attendance; another instructor may not", async () => {
    const teacher = await verifiedInstructor(stack, 'atk2-teacher', admin, { name: '孙教练' });
    const otherCoach = await verifiedInstructor(stack, 'atk2-other-coach', admin, { name: '钱教练' });
    const courseId = await publish(
      stack,
      providerA,
      courseBody(clock.now(), orgA, { teacher: { instructorId: teacher.userId }, priceFen: 0 }),
    );
    const d = (await stack.request('GET', `/courses/${courseId}`)).body.course;
    expect(d.teacher).toEqual({ name: '孙教练', instructorId: teacher.userId, verified: true });
    const learner = await stack.login('atk2-teacher-learner');
    const e = (await enrol(learner, courseId, adult('钟学员', '19910101'))).body.enrolment;
    const lesson1 = (await stack.request('GET', `/me/enrolments/${e.id}`, { token: learner.token })).body.enrolment.lessons[0];
    const code = await codeOf(learner, lesson1.ticketId, new Date(new Date(lesson1.startAt).getTime() - 5 * 60_000));
    const refused = await stack.request('POST', `/provider/courses/${courseId}/checkins`, { token: otherCoach.token, body: { code } });
    expect(refused.status).toBe(403);
    const ok = await stack.request('POST', `/provider/courses/${courseId}/checkins`, { token: teacher.token, body: { code } });
    expect([ok.status, ok.body.result]).toEqual([200, 'admitted']);
    const att = await stack.request('GET', `/provider/courses/${courseId}/attendance`, { token: teacher.token });
    expect(att.status).toBe(200);
    expect(att.body.lessons[0].attended).toBe(1);
    // the attendance page's typed digits (the lesson ticket's short code) admit lesson 2 as its QR code would
    const lesson2 = (await stack.request('GET', `/me/enrolments/${e.id}`, { token: learner.token })).body.enrolment.lessons[1];
    clock.set(new Date(new Date(lesson2.startAt).getTime() - 5 * 60_000));
    // a week on: the sessions' tokens have expired
    Object.assign(learner, await stack.login('atk2-teacher-learner'));
    Object.assign(teacher, await stack.login('atk2-teacher'));
    const digits = (await stack.request('GET', `/tickets/${lesson2.ticketId}/code`, { token: learner.token })).body.shortCode;
    expect(digits).toMatch(/^\d{6,8}$/);
    const typed = await stack.request('POST', `/provider/courses/${courseId}/checkins`, { token: teacher.token, body: { code: digits } });
    expect([typed.status, typed.body.result]).toEqual([200, 'admitted']);
    expect((await enrolment(e.id))!.attended).toEqual([1, 2]);
    // teaching is not managing: the teacher neither edits nor cancels the course
    expect((await stack.request('PATCH', `/provider/courses/${courseId}`, { token: teacher.token, body: { title: '改' } })).status).toBe(
      403,
    );
    expect(
      (await stack.request('POST', `/provider/courses/${courseId}/cancel`, { token: teacher.token, body: { reason: '不教了' } })).status,
    ).toBe(403);
  });
});

describe("enrolling someone else's child", () => {
  test('a stranger cannot see, pay, cancel, refund, certify or review the child’s enrolment, nor enrol the child twice, nor replay the parent’s key', async () => {
    const courseId = await publish(stack, providerA, courseBody(clock.now(), orgA, { title: '少儿游泳暑期班', maxAge: 12 }));
    const parent = await stack.login('atk2-parent');
    const stranger = await stack.login('atk2-stranger');
    const kid = child('小宝', '20170303');
    const key = 'atk2-kid-key-0001';
    const mine = await enrol(parent, courseId, kid, { 'Idempotency-Key': key });
    expect(mine.status).toBe(201);
    const { id, orderId } = mine.body.enrolment;
    const placesBefore = (await course(courseId))!.remaining;
    const before = await snapshotDatabase();
    const tries: [string, string, unknown, number, string][] = [
      ['GET', `/me/enrolments/${id}`, undefined, 404, 'ENROLMENT_NOT_FOUND'],
      ['GET', `/me/enrolments/${id}/certificate`, undefined, 404, 'ENROLMENT_NOT_FOUND'],
      ['POST', `/enrolments/${id}/cancel`, {}, 404, 'ENROLMENT_NOT_FOUND'],
      ['GET', `/orders/${orderId}`, undefined, 404, 'NOT_FOUND'],
      ['POST', `/orders/${orderId}/pay`, {}, 404, 'NOT_FOUND'],
      ['POST', `/orders/${orderId}/refund`, { reason: '不想上了' }, 404, 'NOT_FOUND'],
    ];
    for (const [method, path, body, status, code] of tries) {
      const res = await stack.request(method, path, { token: stranger.token, body });
      expect([path, res.status, res.body.error?.code]).toEqual([path, status, code]);
    }
    expect(await snapshotDatabase()).toBe(before);
    // the same child again, by the stranger (also under the parent's idempotency key): one live enrolment per person
    for (const headers of [undefined, { 'Idempotency-Key': key }]) {
      const again = await enrol(stranger, courseId, kid, headers);
      expect([again.status, again.body.error?.code]).toEqual([409, 'COURSE_ALREADY_ENROLLED']);
      expect(JSON.stringify(again.body)).not.toContain(id);
    }
    expect((await course(courseId))!.remaining).toBe(placesBefore);
    expect((await stack.request('GET', '/me/enrolments', { token: stranger.token })).body.items).toEqual([]);
    const review = await stack.request('POST', '/reviews', {
      token: stranger.token,
      body: { target: { kind: 'course', id: courseId }, sourceRef: { kind: 'enrolment', id }, stars: 1, tags: [] },
    });
    expect([review.status, review.body.error?.code]).toEqual([403, 'REVIEW_NOT_ALLOWED']);
    const eligible = await stack.request('GET', `/reviews/eligibility?sourceKind=enrolment&ids=${id}`, { token: stranger.token });
    expect(eligible.body.items).toEqual([{ sourceId: id, eligible: false, target: null, review: null }]);
  });
});

describe('a waitlist offer paid twice, or after it lapsed', () => {
  test('an offer paid with the notification delivered three times: enrolled once, 8 tickets, one event, no refund', async () => {
    const courseId = await publish(stack, providerA, courseBody(clock.now(), orgA, { capacity: 1 }));
    const [a, b] = [await stack.login('atk2-offer-a'), await stack.login('atk2-offer-b')];
    const ea = await enrolAndPay(a, courseId, adult('甲', '19900101'));
    const eb = (await enrol(b, courseId, adult('乙', '19910101'))).body.enrolment;
    expect(eb).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    expect((await stack.request('POST', `/enrolments/${ea.id}/cancel`, { token: a.token, body: {} })).status).toBe(200);
    const offered = (await stack.request('GET', `/me/enrolments/${eb.id}`, { token: b.token })).body.enrolment;
    expect(offered.status).toBe('offered');
    expect(offered.orderId).toBeTruthy();
    const pay = await stack.request('POST', `/orders/${offered.orderId}/pay`, { token: b.token, body: {} });
    const prepayId = String(pay.body.payParams.package).replace('prepay_id=', '');
    const confirmed = await fetch(`${stack.mock.url}/mock/pay/${prepayId}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ times: 3 }),
    });
    expect(confirmed.status).toBe(200);
    await until(async () => (await enrolment(eb.id))!.status === 'enrolled');
    await new Promise((r) => setTimeout(r, 300)); // the other copies arrive
    // and the domain told once more by hand (a redelivery after a crash)
    expect(await courses().onPaid(eb.id)).toBe('applied');
    expect(await lessonTickets(eb.id)).toBe(8);
    expect(await db().collection('outbox').countDocuments({ type: 'course.enrolled', 'payload.enrolmentId': eb.id })).toBe(1);
    expect(refundsAtWechat(stack, offered.orderId)).toEqual([]);
    expect((await orderOf(stack, b.token, offered.orderId)).status).toBe('paid');
    const again = await stack.request('POST', `/orders/${offered.orderId}/pay`, { token: b.token, body: {} });
    expect(again.status).toBe(409);
    expect((await course(courseId))!.remaining).toBe(0);
  });

  test('an offer past its deadline: not payable; a payment landing after it lapsed is refunded in full and the place stays with the next in line', async () => {
    const courseId = await publish(stack, providerA, courseBody(clock.now(), orgA, { capacity: 1 }));
    const [a, b, c] = [await stack.login('atk2-lapse-a'), await stack.login('atk2-lapse-b'), await stack.login('atk2-lapse-c')];
    const ea = await enrolAndPay(a, courseId, adult('甲', '19900202'));
    const eb = (await enrol(b, courseId, adult('乙', '19910202'))).body.enrolment;
    const ec = (await enrol(c, courseId, adult('丙', '19920202'))).body.enrolment;
    expect([eb.status, ec.status]).toEqual(['waitlisted', 'waitlisted']);
    await stack.request('POST', `/enrolments/${ea.id}/cancel`, { token: a.token, body: {} });
    const offer = (await enrolment(eb.id))!;
    expect(offer.status).toBe('offered');
    // b pays in time, but WeChat's notification is slow: the deadline passes and the job lapses the offer first
    const pay = await stack.request('POST', `/orders/${offer.orderId}/pay`, { token: b.token, body: {} });
    expect(pay.status).toBe(200);
    const prepayId = String(pay.body.payParams.package).replace('prepay_id=', '');
    const confirmed = await fetch(`${stack.mock.url}/mock/pay/${prepayId}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delayMs: 1500 }),
    });
    expect(confirmed.status).toBe(200);
    clock.set(new Date(offer.payDeadline.getTime() + 60_000));
    await runJob('course-waitlist');
    expect((await enrolment(eb.id))!.status).toBe('lapsed');
    expect((await enrolment(ec.id))!.status).toBe('offered');
    // c's offer, past its own deadline, is no longer payable
    const cOffer = (await enrolment(ec.id))!;
    clock.set(new Date(cOffer.payDeadline.getTime() + 60_000));
    const late = await stack.request('POST', `/orders/${cOffer.orderId}/pay`, { token: c.token, body: {} });
    expect(late.status).toBe(409);
    // b's payment notification lands now: the money goes back in full, the lapsed offer stays lapsed
    await until(async () => refundsAtWechat(stack, offer.orderId).length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(refundsAtWechat(stack, offer.orderId).map((r) => r.amount.refund)).toEqual([80_000]);
    expect((await enrolment(eb.id))!.status).toBe('lapsed');
    expect(await lessonTickets(eb.id)).toBe(0);
    expect((await course(courseId))!.remaining).toBe(0);
  });
});

describe('a crash between the writes of an enrolment, healed by the sweeper', () => {
  test.each([
    ['course.enrol:after-insert', 0, 1],
    ['course.enrol:after-capacity', 1, 2],
  ])(
    'crash at %s: the stale `taking` enrolment rolls back exactly, the place count is right, the person can enrol again',
    async (point, took, n) => {
      const courseId = await publish(stack, providerA, courseBody(clock.now(), orgA, { capacity: 5 }));
      const u = await stack.login(`atk2-crash-${n}`);
      const body = adult('崩溃', '19950505');
      crashes.arm(point);
      const res = await enrol(u, courseId, body);
      expect(res.status).toBe(500);
      expect(crashes.hits).toContain(point);
      const left = (await db()
        .collection('course_enrolments')
        .findOne({ userId: oid(u.userId), courseId: oid(courseId) }))!;
      expect(left.status).toBe('taking');
      expect((await course(courseId))!.remaining).toBe(5 - took);
      // the same person meanwhile: one live enrolment per person (the stale record holds the key until healed)
      expect((await enrol(u, courseId, body)).status).toBe(409);
      clock.set(new Date(BASE.getTime() + 2 * 60_000));
      await Promise.all([runJob('course-heal'), runJob('course-heal')]);
      expect((await enrolment(String(left._id)))!).toMatchObject({ status: 'failed', pending: [] });
      expect((await course(courseId))!.remaining).toBe(5);
      const again = await enrol(u, courseId, body);
      expect([again.status, again.body.enrolment?.status]).toEqual([201, 'held']);
      expect((await course(courseId))!.remaining).toBe(4);
    },
  );

  test('crash after a free enrolment is recorded, before its tickets: the sweeper issues the 8 tickets and the event once', async () => {
    const courseId = await publish(stack, providerA, courseBody(clock.now(), orgA, { capacity: 5, priceFen: 0 }));
    const u = await stack.login('atk2-crash-free');
    crashes.arm('course.enrol:after-transition');
    expect((await enrol(u, courseId, adult('免费', '19960606'))).status).toBe(500);
    const left = (await db()
      .collection('course_enrolments')
      .findOne({ userId: oid(u.userId), courseId: oid(courseId) }))!;
    expect(left).toMatchObject({ status: 'enrolled', pending: ['tickets.issue', 'event.enrolled'] });
    expect(await lessonTickets(String(left._id))).toBe(0);
    clock.set(new Date(BASE.getTime() + 2 * 60_000));
    await Promise.all([runJob('course-heal'), runJob('course-heal')]);
    expect((await enrolment(String(left._id)))!.pending).toEqual([]);
    expect(await lessonTickets(String(left._id))).toBe(8);
    expect(
      await db()
        .collection('outbox')
        .countDocuments({ type: 'course.enrolled', 'payload.enrolmentId': String(left._id) }),
    ).toBe(1);
    expect((await course(courseId))!.remaining).toBe(4);
  });
});

describe('a course cancelled by its provider', () => {
  test('crash right after the cancel is recorded: sweepers racing refund every paid enrolment in full once, close the unpaid, end the line', async () => {
    const courseId = await publish(stack, providerA, courseBody(clock.now(), orgA, { capacity: 3 }));
    const users = await stack.loginMany('atk2-cancel', 5);
    const paid = [
      await enrolAndPay(users[0], courseId, adult('一', '19900101')),
      await enrolAndPay(users[1], courseId, adult('二', '19910101')),
    ];
    const held = (await enrol(users[2], courseId, adult('三', '19920101'))).body.enrolment;
    const waiting = (await enrol(users[3], courseId, adult('四', '19930101'))).body.enrolment;
    expect([held.status, waiting.status]).toEqual(['held', 'waitlisted']);
    // someone cancelled before: refunded already, never again
    await stack.request('POST', `/enrolments/${paid[1].id}/cancel`, { token: users[1].token, body: {} });
    await until(async () => refundsAtWechat(stack, paid[1].orderId).length === 1);
    expect((await enrolment(waiting.id))!.status).toBe('offered');

    crashes.arm('course.cancel-course:after-transition');
    const first = await stack.request('POST', `/provider/courses/${courseId}/cancel`, {
      token: providerA.token,
      body: { reason: '教练受伤' },
    });
    expect(first.status).toBe(500);
    expect((await course(courseId))!).toMatchObject({ status: 'cancelled', pending: ['enrolments.end', 'event.cancelled'] });
    const rush = await Promise.all(
      Array.from({ length: 5 }, () =>
        stack.request('POST', `/provider/courses/${courseId}/cancel`, { token: providerA.token, body: { reason: '再取消' } }),
      ),
    );
    expect(rush.map((r) => r.body.error?.code)).toEqual(Array(5).fill('COURSE_NOT_CANCELLABLE'));
    clock.set(new Date(BASE.getTime() + 2 * 60_000));
    await Promise.all([runJob('course-heal'), runJob('course-heal'), runJob('course-heal')]);
    await until(async () => refundsAtWechat(stack, paid[0].orderId).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(refundsAtWechat(stack, paid[0].orderId).map((r) => r.amount.refund)).toEqual([80_000]);
    expect(refundsAtWechat(stack, paid[1].orderId).map((r) => r.amount.refund)).toEqual([80_000]);
    const rows = await db()
      .collection('course_enrolments')
      .find({ courseId: oid(courseId) })
      .sort({ _id: 1 })
      .toArray();
    expect(rows.map((r) => [r.status, r.endedBy])).toEqual([
      ['cancelled', 'provider'],
      ['cancelled', 'self'],
      ['cancelled', 'provider'],
      ['cancelled', 'provider'],
    ]);
    expect(rows.every((r) => (r.pending ?? []).length === 0)).toBe(true);
    for (const id of [held.orderId, (await enrolment(waiting.id))!.orderId])
      expect(
        (await db()
          .collection('orders')
          .findOne({ _id: oid(id) }))!.status,
      ).toBe('closed');
    expect(await lessonTickets(paid[0].id)).toBe(0);
    expect((await course(courseId))!).toMatchObject({ pending: [], remaining: 3 });
    expect(await db().collection('outbox').countDocuments({ type: 'course.cancelled', 'payload.courseId': courseId })).toBe(1);
    expect(await db().collection('audit_log').countDocuments({ action: 'course.cancel', 'details.courseId': courseId })).toBe(1);
  });
});

describe("reviews on another user's booking or enrolment id", () => {
  test("another citizen's used booking, or attended enrolment → 403, nothing written, eligibility names no target", async () => {
    const venue = await createTestVenue(stack, { name: '评价场馆' });
    const owner = await stack.login('atk2-rv-owner');
    const thief = await stack.login('atk2-rv-thief');
    const day = businessDay(new Date(clock.now().getTime() + 86_400_000));
    const slot = (await slotsOf(venue.sessionId, day))[0];
    const b = await stack.request('POST', '/bookings', { token: owner.token, body: { slotIds: [slot.id] } });
    expect(await stack.cloud.services.bookings.markUsed(b.body.booking.id)).toBe(true);
    const before = await snapshotDatabase();
    const res = await stack.request('POST', '/reviews', {
      token: thief.token,
      body: {
        target: { kind: 'venue', id: venue.venueId },
        sourceRef: { kind: 'booking', id: b.body.booking.id },
        stars: 1,
        tags: ['投诉'],
      },
    });
    expect([res.status, res.body.error?.code]).toEqual([403, 'REVIEW_NOT_ALLOWED']);
    expect(await snapshotDatabase()).toBe(before);
    const el = await stack.request('GET', `/reviews/eligibility?sourceKind=booking&ids=${b.body.booking.id}`, { token: thief.token });
    expect(el.body.items).toEqual([{ sourceId: b.body.booking.id, eligible: false, target: null, review: null }]);
    // the owner may
    const ok = await stack.request('POST', '/reviews', {
      token: owner.token,
      body: { target: { kind: 'venue', id: venue.venueId }, sourceRef: { kind: 'booking', id: b.body.booking.id }, stars: 4, tags: [] },
    });
    expect(ok.status).toBe(201);
  });
});
