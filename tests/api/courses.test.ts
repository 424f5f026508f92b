/**
 * Training courses (报名培训, issue 15 part 1) over HTTP on the real app and engine, with the
 * WeChat Pay stand-in: an admin-approved training organisation publishes a course; citizens
 * enrol themselves or a child (ID checksum, age at the first lesson, guardian consent, one
 * enrolment per person); pay → one ticket per lesson; scans record attendance; the certificate;
 * cancelling refunds by the course's rule exactly once; a provider cancelling refunds everyone.
 */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import type { CourseService } from '../../cloud/src/modules/course';
import { grant, startTestStack, type TestStack } from '../support/stack';
import { createTestVenue } from '../support/venue-fixture';
import { payAndConfirm, refundsAtWechat, until } from '../support/pay';
import { adult, bureauAdmin, child, courseBody, idNumber, publish, trainingOrg, type User } from './courses-support';

const BASE = new Date('2026-11-23T01:00:00Z');
const clock = new ManualClock(BASE);
let stack: TestStack;
let admin: User;
let provider: User;
let orgId: string;
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);

beforeAll(async () => {
  stack = await startTestStack('courses', { clock, wechatPay: { signMode: 'public_key' } });
  admin = await bureauAdmin(stack);
  provider = await stack.login('course-provider');
  orgId = await trainingOrg(stack, admin, provider);
}, 60_000);
afterAll(() => stack.stop());
afterEach(() => clock.set(BASE));

async function enrolAndPay(u: User, courseId: string, body: Record<string, unknown>) {
  const res = await stack.request('POST', `/courses/${courseId}/enrolments`, { token: u.token, body });
  expect(res.status).toBe(201);
  expect(res.body.enrolment.status).toBe('held');
  await payAndConfirm(stack, u.token, res.body.enrolment.orderId);
  await until(
    async () =>
      (await stack.request('GET', `/me/enrolments/${res.body.enrolment.id}`, { token: u.token })).body.enrolment.status === 'enrolled',
  );
  return res.body.enrolment as { id: string; orderId: string };
}

/** at the lesson's gate time (tokens are issued again: the clock moved past their lifetime) */
async function scan(openid: string, courseId: string, enrolmentId: string, lesson: number) {
  const c = (await stack.request('GET', `/courses/${courseId}`)).body.course;
  clock.set(new Date(new Date(c.lessons[lesson - 1].startAt).getTime() - 5 * 60_000));
  const u = await stack.login(openid);
  const staff = await stack.login('course-provider');
  const mine = (await stack.request('GET', `/me/enrolments/${enrolmentId}`, { token: u.token })).body.enrolment;
  const ticketId = mine.lessons[lesson - 1].ticketId;
  expect(ticketId).toBeTruthy();
  const code = (await stack.request('GET', `/tickets/${ticketId}/code`, { token: u.token })).body.code;
  const res = await stack.request('POST', `/provider/courses/${courseId}/checkins`, { token: staff.token, body: { code } });
  return Object.assign(res, { code, staff });
}

describe('organisations and publishing', () => {
  test('an admin approves an organisation (audited, course_provider granted); its manager publishes; others may not', async () => {
    const audit = await db().collection('audit_log').findOne({ action: 'course.org.approve', 'details.orgId': orgId });
    expect(audit).toBeTruthy();
    const grants = await stack.cloud.services.identity.grantsOf(provider.userId);
    expect(grants).toContainEqual({ role: 'course_provider', scope: orgId });
    // the role's scope is checked by the course module's roleScopes: an unknown organisation is refused
    const someone = await stack.login('course-someone');
    const bad = await stack.request('POST', '/admin/roles', {
      token: admin.token,
      body: { userId: someone.userId, role: 'course_provider', scope: '0123456789abcdef01234567' },
    });
    expect(bad.status).toBe(404);
    // a citizen cannot create organisations nor publish for one
    expect((await stack.request('POST', '/admin/training-orgs', { token: someone.token, body: { name: 'x' } })).status).toBe(403);
    const notMine = await stack.request('POST', '/provider/courses', { token: someone.token, body: courseBody(clock.now(), orgId) });
    expect(notMine.status).toBe(403);
    // a schedule that does not hold together is a 422 with the field named
    const closesLate = await stack.request('POST', '/provider/courses', {
      token: provider.token,
      body: courseBody(clock.now(), orgId, { certificateMinLessons: 9 }),
    });
    expect(closesLate.status).toBe(422);
    expect(closesLate.body.error.code).toBe('COURSE_INVALID_SCHEDULE');
    expect(closesLate.body.error.details[0].path).toBe('certificateMinLessons');
  });

  test('list filters by sport, district and age; detail shows lessons, places left, teacher, the refund rule in words', async () => {
    const swim = await publish(stack, provider, courseBody(clock.now(), orgId, { title: '少儿游泳暑期班', minAge: 6, maxAge: 12 }));
    const tennis = await publish(
      stack,
      provider,
      courseBody(clock.now(), orgId, {
        title: '成人网球入门',
        sport: 'tennis',
        minAge: 18,
        maxAge: 60,
        place: { address: '吴中区网球中心', district: '吴中区' },
      }),
    );
    const ids = async (q: string) => (await stack.request('GET', `/courses${q}`)).body.items.map((c: { id: string }) => c.id);
    expect(await ids('?sport=tennis')).toContain(tennis);
    expect(await ids('?sport=tennis')).not.toContain(swim);
    expect(await ids('?age=8')).toContain(swim);
    expect(await ids('?age=8')).not.toContain(tennis);
    expect(await ids('?district=吴中区')).toEqual([tennis]);
    const d = (await stack.request('GET', `/courses/${swim}`)).body.course;
    expect(d.lessons).toHaveLength(8);
    expect(d.placesLeft).toBe(20);
    expect(d.teacher).toEqual({ name: '李教练', instructorId: null, verified: false });
    expect(d.refundRuleText).toContain('按未上课时比例退款');
    expect(d.scheduleSummary).toContain('共8节');
    expect(d.rating).toBeNull();
    // read methods for recommendations
    const courses = stack.cloud.modules.get('course') as CourseService;
    expect((await courses.listOpenCourses({ ageYears: 30, district: '吴中区', limit: 5 })).map((c) => c.id)).toEqual([tennis]);
    expect(await courses.courseExists(swim)).toBe(true);
    expect(await courses.courseExists('0123456789abcdef01234567')).toBe(false);
  });
});

describe('a venue as provider', () => {
  test("a venue's manager publishes at that venue, not at another venue (its name and gate are that venue's to lend)", async () => {
    const x = await createTestVenue(stack, { name: '课程馆X' });
    const y = await createTestVenue(stack, { name: '课程馆Y' });
    const manager = await stack.login('course-venue-manager');
    await grant(stack, manager.userId, 'venue_manager', x.venueId);
    const before = await db().collection('courses').countDocuments({});
    const elsewhere = await stack.request('POST', '/provider/courses', {
      token: manager.token,
      body: courseBody(clock.now(), orgId, { provider: { venueId: x.venueId }, place: { venueId: y.venueId } }),
    });
    expect(elsewhere.status).toBe(403);
    expect(await db().collection('courses').countDocuments({})).toBe(before);
    const home = await stack.request('POST', '/provider/courses', {
      token: manager.token,
      body: courseBody(clock.now(), orgId, { provider: { venueId: x.venueId }, place: { venueId: x.venueId } }),
    });
    expect(home.status).toBe(201);
    expect(home.body.course.placeName).toBe('课程馆X');
  });
});

describe('enrolling', () => {
  let courseId: string;
  beforeAll(async () => {
    courseId = await publish(
      stack,
      provider,
      courseBody(BASE, orgId, { title: '青少年篮球训练营', sport: 'basketball', minAge: 8, maxAge: 40 }),
    );
  });

  test('self and a child; ID checksum, age range at the first lesson, guardian consent; one enrolment per person (409)', async () => {
    const parent = await stack.login('course-parent');
    const other = await stack.login('course-parent-2');
    const kid = child('小红', '20150601');
    const noConsent = await stack.request('POST', `/courses/${courseId}/enrolments`, {
      token: parent.token,
      body: { participant: kid.participant },
    });
    expect(noConsent.status).toBe(422);
    expect(noConsent.body.error.code).toBe('GUARDIAN_CONSENT_REQUIRED');
    const tooYoung = await stack.request('POST', `/courses/${courseId}/enrolments`, {
      token: parent.token,
      body: child('小小', '20220101'),
    });
    expect(tooYoung.status).toBe(422);
    expect(tooYoung.body.error.code).toBe('COURSE_AGE_OUT_OF_RANGE');
    expect(tooYoung.body.error.details.ageAtFirstLesson).toBe(4);
    const badId = await stack.request('POST', `/courses/${courseId}/enrolments`, {
      token: parent.token,
      body: { participant: { name: '张三', idNumber: '320508199001011230' } },
    });
    expect(badId.body.error.code).toBe('ID_NUMBER_INVALID');

    const key = 'enrol-kid-0001';
    const first = await stack.request('POST', `/courses/${courseId}/enrolments`, {
      token: parent.token,
      body: kid,
      headers: { 'Idempotency-Key': key },
    });
    expect(first.status).toBe(201);
    expect(first.body.enrolment.status).toBe('held');
    expect(first.body.enrolment.orderId).toBeTruthy();
    const replay = await stack.request('POST', `/courses/${courseId}/enrolments`, {
      token: parent.token,
      body: kid,
      headers: { 'Idempotency-Key': key },
    });
    expect(replay.status).toBe(200);
    expect(replay.body.enrolment.id).toBe(first.body.enrolment.id);
    // the stored request hash is keyed: not a plain sha256 anyone can test names and ID numbers against
    const plain = createHash('sha256')
      .update(JSON.stringify({ courseId, ...kid }))
      .digest('base64url');
    const claims = await db().collection('idempotency_claims').find({}).toArray();
    expect(claims.length).toBeGreaterThan(0);
    expect(claims.some((c) => c.requestHash === plain)).toBe(false);
    expect(JSON.stringify(claims)).not.toContain(kid.participant.idNumber);
    // the same child by another account: one enrolment per person per course
    const dup = await stack.request('POST', `/courses/${courseId}/enrolments`, { token: other.token, body: kid });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('COURSE_ALREADY_ENROLLED');
    // the ID number is stored sealed and shown masked
    const row = await db()
      .collection('course_enrolments')
      .findOne({ _id: oid(first.body.enrolment.id) });
    expect(JSON.stringify(row)).not.toContain(kid.participant.idNumber);
    expect(row!.minor).toBe(true);
    const self = await stack.request('POST', `/courses/${courseId}/enrolments`, { token: parent.token, body: adult('王芳', '19880808') });
    expect(self.status).toBe(201);
    const mine = (await stack.request('GET', '/me/enrolments', { token: parent.token })).body.items;
    expect(mine).toHaveLength(2);
    expect(mine.find((e: { id: string }) => e.id === first.body.enrolment.id).participant.idNumber).toMatch(/^320508\*+\d{3}[\dX]$/);
  });

  test('pay → 8 lesson tickets; scans record attendance per lesson; the certificate at 6 of 8, verifiable', async () => {
    const u = await stack.login('course-learner');
    const e = await enrolAndPay(u, courseId, adult('刘洋', '19950505'));
    const mine = (await stack.request('GET', `/me/enrolments/${e.id}`, { token: u.token })).body.enrolment;
    expect(mine.lessons.every((l: { ticketId: string | null }) => l.ticketId)).toBe(true);
    expect(
      await db()
        .collection('tickets')
        .countDocuments({ 'source.kind': 'course_lesson', 'source.id': { $regex: `^${e.id}:` } }),
    ).toBe(8);

    const early = await stack.request('GET', `/me/enrolments/${e.id}/certificate`, { token: u.token });
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe('CERTIFICATE_NOT_EARNED');
    const first = await scan('course-learner', courseId, e.id, 1);
    expect(first.status).toBe(200);
    expect(first.body.result).toBe('admitted');
    const again = await stack.request('POST', `/provider/courses/${courseId}/checkins`, {
      token: first.staff.token,
      body: { code: first.code },
    });
    expect(again.body.error.code).toBe('TICKET_ALREADY_USED');
    // a citizen cannot check in for the provider
    const other = await stack.login('course-learner-2');
    expect(
      (await stack.request('POST', `/provider/courses/${courseId}/checkins`, { token: other.token, body: { code: 'x' } })).status,
    ).toBe(403);
    for (const lesson of [2, 3, 4, 5, 6]) expect((await scan('course-learner', courseId, e.id, lesson)).status).toBe(200);
    const staff = await stack.login('course-provider');
    const me = await stack.login('course-learner');
    const stranger = await stack.login('course-learner-2');
    const att = (await stack.request('GET', `/provider/courses/${courseId}/attendance`, { token: staff.token })).body;
    expect(att.lessons[0].attended).toBe(1);
    expect(att.participants.find((p: { enrolmentId: string }) => p.enrolmentId === e.id).attended).toEqual([1, 2, 3, 4, 5, 6]);
    expect(att.participants[0].name).not.toBe('刘洋');
    const courses = stack.cloud.modules.get('course') as CourseService;
    expect(await courses.hasAttended(u.userId, courseId)).toBe(true);
    expect(await courses.hasAttended(other.userId, courseId)).toBe(false);

    const cert = await stack.request('GET', `/me/enrolments/${e.id}/certificate`, { token: me.token });
    expect(cert.status).toBe(200);
    expect(cert.body.certificate).toMatchObject({
      participantName: '刘洋',
      lessonsAttended: 6,
      lessonsTotal: 8,
      courseTitle: '青少年篮球训练营',
    });
    const check = await stack.request('GET', `/course-certificates/${e.id}?sig=${cert.body.certificate.signature}`);
    expect(check.body).toMatchObject({ valid: true, certificate: { participantName: '刘*' } });
    const forged = await stack.request('GET', `/course-certificates/${e.id}?sig=${'0'.repeat(64)}`);
    expect(forged.body).toEqual({ valid: false });
    // someone else's certificate or enrolment is not theirs to see
    expect((await stack.request('GET', `/me/enrolments/${e.id}/certificate`, { token: stranger.token })).status).toBe(404);
    expect((await stack.request('POST', `/enrolments/${e.id}/cancel`, { token: stranger.token, body: {} })).status).toBe(404);
    const events = await db().collection('outbox').find({ type: 'course.lesson_attended', 'payload.enrolmentId': e.id }).toArray();
    expect(events).toHaveLength(6);

    // 消费评价: an attended enrolment lets its holder review the course once; the provider replies
    const review = (who: User, body: Record<string, unknown> = {}) =>
      stack.request('POST', '/reviews', {
        token: who.token,
        body: {
          target: { kind: 'course', id: courseId },
          sourceRef: { kind: 'enrolment', id: e.id },
          stars: 5,
          tags: ['教练专业'],
          text: '教练很耐心',
          ...body,
        },
      });
    const notMine = await review(stranger);
    expect([notMine.status, notMine.body.error.code]).toEqual([403, 'REVIEW_NOT_ALLOWED']);
    const wrongTarget = await review(me, { target: { kind: 'venue', id: courseId }, tags: ['服务好'] });
    expect([wrongTarget.status, wrongTarget.body.error.code]).toEqual([403, 'REVIEW_NOT_ALLOWED']);
    const posted = await review(me);
    expect([posted.status, posted.body.review.status]).toEqual([201, 'published']);
    expect((await review(me)).status).toBe(409);
    expect(
      (await stack.request('POST', `/reviews/${posted.body.review.id}/reply`, { token: stranger.token, body: { text: '谢谢' } })).status,
    ).toBe(403);
    const reply = await stack.request('POST', `/reviews/${posted.body.review.id}/reply`, {
      token: staff.token,
      body: { text: '感谢支持' },
    });
    expect(reply.body.reply).toEqual({ status: 'published' });
    const shown = (await stack.request('GET', `/reviews?targetKind=course&targetId=${courseId}`)).body.items;
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ stars: 5, text: '教练很耐心', reply: { text: '感谢支持' } });
    expect(JSON.stringify(shown)).not.toContain('刘洋');
  });

  test('cancel after two of eight lessons (pro rata) refunds 6/8 of the paid amount, exactly once; the rest of the tickets revoked', async () => {
    const u = await stack.login('course-leaver');
    const e = await enrolAndPay(u, courseId, adult('陈静', '19920202'));
    const before = (await stack.request('GET', `/courses/${courseId}`)).body.course.placesLeft;
    const c = (await stack.request('GET', `/courses/${courseId}`)).body.course;
    clock.set(new Date(new Date(c.lessons[1].startAt).getTime() + 3 * 3600_000)); // after lesson 2, before lesson 3
    Object.assign(u, await stack.login('course-leaver'));
    const [a, b] = await Promise.all([
      stack.request('POST', `/enrolments/${e.id}/cancel`, { token: u.token, body: { reason: '时间冲突' } }),
      stack.request('POST', `/enrolments/${e.id}/cancel`, { token: u.token, body: {} }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const won = a.status === 200 ? a : b;
    expect(won.body.enrolment.status).toBe('cancelled');
    expect(won.body.enrolment.refundFen).toBe(60_000);
    await until(async () => refundsAtWechat(stack, e.orderId).length === 1);
    expect(refundsAtWechat(stack, e.orderId)[0].amount.refund).toBe(60_000);
    const again = await stack.request('POST', `/enrolments/${e.id}/cancel`, { token: u.token, body: {} });
    expect(again.body.error.code).toBe('ENROLMENT_NOT_CANCELLABLE');
    expect(refundsAtWechat(stack, e.orderId)).toHaveLength(1);
    expect(
      await db()
        .collection('tickets')
        .countDocuments({ 'source.kind': 'course_lesson', 'source.id': { $regex: `^${e.id}:` }, status: 'valid' }),
    ).toBe(0);
    expect((await stack.request('GET', `/courses/${courseId}`)).body.course.placesLeft).toBe(before + 1);
    const ev = await db().collection('outbox').findOne({ type: 'course.enrolment_cancelled', 'payload.enrolmentId': e.id });
    expect(ev!.payload).toMatchObject({ lessonsHeld: 2, refundFen: 60_000, by: 'self' });
  });
});

describe('a provider cancelling a course', () => {
  test('refunds every paid enrolment in full, ends the waitlist; another organisation cannot cancel it', async () => {
    const courseId = await publish(
      stack,
      provider,
      courseBody(BASE, orgId, { title: '太极拳提高班', sport: 'taichi', capacity: 2, minAge: 18, maxAge: 80 }),
    );
    const users = [await stack.login('tai-1'), await stack.login('tai-2'), await stack.login('tai-3')];
    const e1 = await enrolAndPay(users[0], courseId, adult('赵一', '19600101'));
    const e2 = await enrolAndPay(users[1], courseId, adult('钱二', '19610101'));
    const w = await stack.request('POST', `/courses/${courseId}/enrolments`, { token: users[2].token, body: adult('孙三', '19620101') });
    expect(w.body.enrolment).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });

    const otherManager = await stack.login('other-org-manager');
    await trainingOrg(stack, admin, otherManager, '另一家培训机构');
    const foreign = await stack.request('POST', `/provider/courses/${courseId}/cancel`, {
      token: otherManager.token,
      body: { reason: '场地维修' },
    });
    expect(foreign.status).toBe(403);

    const res = await stack.request('POST', `/provider/courses/${courseId}/cancel`, {
      token: provider.token,
      body: { reason: '场地维修' },
    });
    expect(res.status).toBe(200);
    expect(res.body.course.status).toBe('cancelled');
    for (const e of [e1, e2]) {
      await until(async () => refundsAtWechat(stack, e.orderId).length === 1);
      expect(refundsAtWechat(stack, e.orderId)[0].amount.refund).toBe(80_000);
    }
    const rows = await db()
      .collection('course_enrolments')
      .find({ courseId: oid(courseId) })
      .toArray();
    expect(rows.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(
      (await stack.request('POST', `/provider/courses/${courseId}/cancel`, { token: provider.token, body: { reason: '再次' } })).body.error
        .code,
    ).toBe('COURSE_NOT_CANCELLABLE');
    const ev = await db().collection('outbox').findOne({ type: 'course.cancelled', 'payload.courseId': courseId });
    expect(ev!.payload.enrolments).toBe(3);
    const audit = await db().collection('audit_log').findOne({ action: 'course.cancel', 'details.courseId': courseId });
    expect(audit!.details.reason).toBe('场地维修');
    // nothing left to enrol on
    const late = await stack.request('POST', `/courses/${courseId}/enrolments`, { token: users[2].token, body: adult('周四', '19630101') });
    expect(late.body.error.code).toBe('COURSE_NOT_OPEN');
    void idNumber;
  });
});

describe('an admin refunding a course order in full (payment → onRefundRequested)', () => {
  test('refunds what was paid in full after two lessons (not the pro-rata part), once, audited; racing the owner’s cancel → one refund', async () => {
    const courseId = await publish(stack, provider, courseBody(BASE, orgId, { title: '成人网球入门', sport: 'tennis', minAge: 18 }));
    const u = await stack.login('course-admin-refunded');
    const e = await enrolAndPay(u, courseId, adult('吴敏', '19930303'));
    const racer = await stack.login('course-admin-race');
    const r = await enrolAndPay(racer, courseId, adult('郑强', '19940404'));
    const c = (await stack.request('GET', `/courses/${courseId}`)).body.course;
    clock.set(new Date(new Date(c.lessons[1].startAt).getTime() + 3 * 3600_000)); // after lesson 2
    const a = await stack.login('course-bureau');
    const res = await stack.request('POST', `/orders/${e.orderId}/refund`, { token: a.token, body: { reason: '投诉处理全额退款' } });
    expect(res.status).toBe(200);
    await until(async () => refundsAtWechat(stack, e.orderId).length === 1);
    expect(refundsAtWechat(stack, e.orderId)[0].amount.refund).toBe(80_000);
    const row = await db()
      .collection('course_enrolments')
      .findOne({ _id: oid(e.id) });
    expect(row).toMatchObject({ status: 'cancelled', endedBy: 'admin', refundFen: 80_000 });
    const audit = await db().collection('audit_log').findOne({ action: 'course.enrolment.refund', 'details.enrolmentId': e.id });
    expect(audit!.details.refundFen).toBe(80_000);
    const ev = await db().collection('outbox').findOne({ type: 'course.enrolment_cancelled', 'payload.enrolmentId': e.id });
    expect(ev!.payload).toMatchObject({ by: 'admin', refundFen: 80_000 });
    const twice = await stack.request('POST', `/orders/${e.orderId}/refund`, { token: a.token, body: { reason: '再次退款' } });
    expect(twice.status).toBe(409);
    expect(refundsAtWechat(stack, e.orderId)).toHaveLength(1);

    Object.assign(racer, await stack.login('course-admin-race'));
    const [x, y] = await Promise.all([
      stack.request('POST', `/orders/${r.orderId}/refund`, { token: a.token, body: { reason: '投诉处理全额退款' } }),
      stack.request('POST', `/enrolments/${r.id}/cancel`, { token: racer.token, body: {} }),
    ]);
    expect([x.status, y.status].filter((s) => s === 200)).toHaveLength(1);
    await until(async () => refundsAtWechat(stack, r.orderId).length === 1);
    await new Promise((done) => setTimeout(done, 100));
    const refunds = refundsAtWechat(stack, r.orderId);
    expect(refunds).toHaveLength(1);
    expect(refunds[0].amount.refund).toBe(x.status === 200 ? 80_000 : 60_000);
  });
});

describe('a provider cancelling while payments arrive', () => {
  test('held enrolments paid during the cancel all end cancelled with a full refund (none left enrolled on a cancelled course)', async () => {
    const courseId = await publish(
      stack,
      provider,
      courseBody(BASE, orgId, { title: '青少年篮球训练营', sport: 'basketball', capacity: 12 }),
    );
    const held: { id: string; orderId: string; prepayId: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const u = await stack.login(`course-cancel-race-${i}`);
      const res = await stack.request('POST', `/courses/${courseId}/enrolments`, { token: u.token, body: adult(`学员${i}`, '19900101') });
      expect(res.body.enrolment.status).toBe('held');
      const paid = await stack.request('POST', `/orders/${res.body.enrolment.orderId}/pay`, { token: u.token, body: {} });
      held.push({ ...res.body.enrolment, prepayId: String(paid.body.payParams.package).replace('prepay_id=', '') });
    }
    const confirm = (p: string) =>
      fetch(`${stack.mock.url}/mock/pay/${p}/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await Promise.all([
      ...held.map((h) => confirm(h.prepayId)),
      stack.request('POST', `/provider/courses/${courseId}/cancel`, { token: provider.token, body: { reason: '场地维修' } }),
    ]);
    const courses = stack.cloud.modules.get('course') as CourseService;
    await until(async () => {
      await courses.heal();
      const rows = await db()
        .collection('course_enrolments')
        .find({ courseId: oid(courseId) })
        .toArray();
      return rows.every((r) => r.status === 'cancelled');
    });
    // every order that was paid is refunded in full, once (by the course or, rejected as ended, by payment)
    for (const h of held) {
      const o = await db()
        .collection('orders')
        .findOne({ _id: oid(h.orderId) });
      if (o!.status === 'closed' || o!.status === 'pending') continue;
      await until(async () => refundsAtWechat(stack, h.orderId).length >= 1);
      expect(refundsAtWechat(stack, h.orderId).map((r) => r.amount.refund)).toEqual([80_000]);
    }
  });
});
