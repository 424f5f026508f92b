/**
 * Reviews after consumption (消费评价) and the credit page (信用), issue 15: eligibility through the
 * booking source, one review per source, msgSecCheck through our WeChat client against the
 * stand-in (flagged → moderation, failure/timeout → moderation), audited moderation, provider
 * replies, summaries, the credit list and export, a 100-caller race with its control run, bad input.
 */
import mongoose from 'mongoose';
import ExcelJS from 'exceljs';
import { businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { snapshotDatabase } from '../support/db';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, slotsOf } from '../support/venue-fixture';

type User = { token: string; userId: string };
const clock = new ManualClock(new Date());
const crashes = new CrashSwitch();
let stack: TestStack;
let venueA: Awaited<ReturnType<typeof createTestVenue>>;
let venueB: Awaited<ReturnType<typeof createTestVenue>>;
let managerA: User;
let managerB: User;
let admin: User;
let slotsA: { id: string }[];
let slotsB: { id: string }[];
let nextA = 0;
const db = () => mongoose.connection.db!;
const TIMEOUT_MS = 300;

beforeAll(async () => {
  stack = await startTestStack('reviews', { clock, env: { WECHAT_SECCHECK_TIMEOUT_MS: String(TIMEOUT_MS) }, appDeps: { crashes } });
  venueA = await createTestVenue(stack, { name: '评价甲馆', sessionCapacity: 400 });
  venueB = await createTestVenue(stack, { name: '评价乙馆', sessionCapacity: 50 });
  const day = businessDay(new Date(clock.now().getTime() + 86_400_000));
  slotsA = await slotsOf(venueA.sessionId, day);
  slotsB = await slotsOf(venueB.sessionId, day);
  managerA = await stack.login('rv-manager-a');
  managerB = await stack.login('rv-manager-b');
  admin = await stack.login('rv-admin');
  await grant(stack, managerA.userId, 'venue_manager', venueA.venueId);
  await grant(stack, managerB.userId, 'venue_manager', venueB.venueId);
  await grant(stack, admin.userId, 'admin');
}, 60_000);
afterAll(() => stack.stop());

/** a booking at the session of venue A (or B), used at the gate when `used` */
async function booking(user: User, opts: { venue?: 'A' | 'B'; used?: boolean } = {}): Promise<string> {
  const slots = opts.venue === 'B' ? slotsB : slotsA;
  const res = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slots[0].id] } });
  if (res.status !== 201) throw new Error(`booking failed ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.booking.id as string;
  if (opts.used !== false) expect(await stack.cloud.services.bookings.markUsed(id)).toBe(true); // admitted at the gate
  return id;
}
let seq = 0;
async function citizen(): Promise<User> {
  seq += 1;
  return stack.login(`rv-citizen-${seq}-${nextA++}`);
}
function reviewBody(venueId: string, bookingId: string, over: Record<string, unknown> = {}) {
  return { target: { kind: 'venue', id: venueId }, sourceRef: { kind: 'booking', id: bookingId }, stars: 5, tags: ['场地干净'], ...over };
}
const post = (user: User, body: unknown) => stack.request('POST', '/reviews', { token: user.token, body });
const publicList = async (venueId: string) =>
  (await stack.request('GET', `/reviews?targetKind=venue&targetId=${venueId}`)).body.items as any[];

describe('writing a review', () => {
  test('after a used booking: published at once, listed with the reviewer masked; the stand-in was asked through our client', async () => {
    const u = await citizen();
    const b = await booking(u);
    const before = stack.mock.secCheck.calls.length;
    const res = await post(u, reviewBody(venueA.venueId, b, { text: '场地很干净，灯光好', tags: ['场地干净', '服务好'] }));
    expect(res.status).toBe(201);
    expect(res.body.review).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), status: 'published' });
    // msgSecCheck v2, scene 2, the reviewer's openid, an access_token the stand-in issued
    const call = stack.mock.secCheck.calls.slice(before);
    expect(call).toEqual([expect.objectContaining({ version: 2, scene: 2, content: '场地很干净，灯光好', suggest: 'pass' })]);
    expect(call[0].openid).toBe((await stack.cloud.services.identity.openidOf(u.userId))!);
    expect(call[0].accessToken).toMatch(/^[0-9a-f]{48}$/);
    const item = (await publicList(venueA.venueId)).find((r) => r.id === res.body.review.id);
    expect(item).toMatchObject({ stars: 5, tags: ['场地干净', '服务好'], text: '场地很干净，灯光好', reply: null });
    expect(item.reviewer).toMatch(/^市\*+$/);
    expect(JSON.stringify(item)).not.toContain(u.userId);
    expect(await db().collection('outbox').countDocuments({ type: 'review.published', 'payload.reviewId': res.body.review.id })).toBe(1);
  });

  test('without a used booking → 403 REVIEW_NOT_ALLOWED; a second review → 409 REVIEW_EXISTS; a mismatched target → 403', async () => {
    const u = await citizen();
    const unused = await booking(u, { used: false });
    const r1 = await post(u, reviewBody(venueA.venueId, unused));
    expect([r1.status, r1.body.error.code]).toEqual([403, 'REVIEW_NOT_ALLOWED']);
    const used = await booking(u, { venue: 'B' });
    // another user's used booking
    const other = await citizen();
    const r2 = await post(other, reviewBody(venueB.venueId, used));
    expect([r2.status, r2.body.error.code]).toEqual([403, 'REVIEW_NOT_ALLOWED']);
    // reviewing venue A with a booking at venue B
    const r3 = await post(u, reviewBody(venueA.venueId, used));
    expect([r3.status, r3.body.error.code]).toEqual([403, 'REVIEW_NOT_ALLOWED']);
    expect((await post(u, reviewBody(venueB.venueId, used))).status).toBe(201);
    const again = await post(u, reviewBody(venueB.venueId, used, { stars: 1 }));
    expect([again.status, again.body.error.code]).toEqual([409, 'REVIEW_EXISTS']);
    expect(
      await db()
        .collection('reviews')
        .countDocuments({ userId: new mongoose.Types.ObjectId(u.userId) }),
    ).toBe(1);
    // the 评价 buttons: eligibility per source
    const el = await stack.request('GET', `/reviews/eligibility?sourceKind=booking&ids=${unused},${used}`, { token: u.token });
    expect(el.body.items).toEqual([
      { sourceId: unused, eligible: false, target: null, review: null },
      {
        sourceId: used,
        eligible: false,
        target: { kind: 'venue', id: venueB.venueId },
        review: { id: expect.any(String), status: 'published' },
      },
    ]);
  });

  test('flagged text waits for moderation, never public until approved; approve and reject are audited', async () => {
    const u = await citizen();
    const res = await post(u, reviewBody(venueA.venueId, await booking(u), { stars: 1, text: '前台是骗子', tags: ['投诉'] }));
    expect(res.body.review.status).toBe('pending_moderation');
    expect(stack.mock.secCheck.calls.at(-1)).toMatchObject({ content: '前台是骗子', suggest: 'risky' });
    const id = res.body.review.id as string;
    expect((await publicList(venueA.venueId)).map((r) => r.id)).not.toContain(id);
    expect(await db().collection('outbox').countDocuments({ type: 'review.published', 'payload.reviewId': id })).toBe(0);
    // the reviewer sees its own review waiting
    const mine = await stack.request('GET', '/reviews/mine', { token: u.token });
    expect(mine.body.items[0]).toMatchObject({ id, status: 'pending_moderation' });

    const citizenTry = await stack.request('POST', `/admin/reviews/${id}/moderate`, {
      token: u.token,
      body: { approved: true, reason: '自己批' },
    });
    expect(citizenTry.status).toBe(403);
    const queue = await stack.request('GET', '/admin/reviews/pending', { token: admin.token });
    expect(queue.body.items.find((i: any) => i.id === id)).toMatchObject({
      targetName: '评价甲馆',
      text: '前台是骗子',
      check: { suggest: 'risky' },
    });
    const ok = await stack.request('POST', `/admin/reviews/${id}/moderate`, {
      token: admin.token,
      body: { approved: true, reason: '属实投诉，可公开' },
    });
    expect(ok.body.review).toEqual({ id, status: 'published' });
    expect((await publicList(venueA.venueId)).map((r) => r.id)).toContain(id);
    expect(await db().collection('outbox').countDocuments({ type: 'review.published', 'payload.reviewId': id })).toBe(1);
    const twice = await stack.request('POST', `/admin/reviews/${id}/moderate`, {
      token: admin.token,
      body: { approved: false, reason: '再改' },
    });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'REVIEW_NOT_PENDING']);

    const v = await citizen();
    const bad = await post(v, reviewBody(venueA.venueId, await booking(v), { text: '这里有赌博' }));
    const no = await stack.request('POST', `/admin/reviews/${bad.body.review.id}/moderate`, {
      token: admin.token,
      body: { approved: false, reason: '违法内容' },
    });
    expect(no.body.review.status).toBe('rejected');
    expect((await publicList(venueA.venueId)).map((r) => r.id)).not.toContain(bad.body.review.id);
    const audit = await db().collection('audit_log').find({ action: 'review.moderate' }).toArray();
    expect(audit.map((a) => [String(a.actorId), a.details.reviewId, a.details.approved, a.details.reason])).toEqual(
      expect.arrayContaining([
        [admin.userId, id, true, '属实投诉，可公开'],
        [admin.userId, bad.body.review.id, false, '违法内容'],
      ]),
    );
  });

  test('a check that times out or fails → pending (fail closed), never a 500', async () => {
    const u = await citizen();
    stack.mock.secCheck.failNextChecks(1, { delayMs: TIMEOUT_MS * 3 });
    const slow = await post(u, reviewBody(venueA.venueId, await booking(u), { text: '还不错' }));
    expect([slow.status, slow.body.review.status]).toEqual([201, 'pending_moderation']);
    stack.mock.secCheck.failNextChecks(1, { errcode: -1, errmsg: 'system error' });
    const v = await citizen();
    const failed = await post(v, reviewBody(venueA.venueId, await booking(v), { text: '还行吧' }));
    expect([failed.status, failed.body.review.status]).toEqual([201, 'pending_moderation']);
    const doc = await db()
      .collection('reviews')
      .findOne({ _id: new mongoose.Types.ObjectId(failed.body.review.id) });
    expect(doc).toMatchObject({ heldFor: ['check_failed'], check: { error: expect.stringContaining('-1') } });
  });
});

test('a crash between storing a published review and its review.published event: the review-heal job emits it once', async () => {
  const u = await citizen();
  crashes.arm('effects:review:event.published:before');
  const res = await post(u, reviewBody(venueA.venueId, await booking(u)));
  expect(res.status).toBe(500);
  expect(crashes.hits).toContain('effects:review:event.published:before');
  const doc = await db()
    .collection('reviews')
    .findOne({ userId: new mongoose.Types.ObjectId(u.userId) });
  expect(doc).toMatchObject({ status: 'published', pending: ['event.published'] });
  const events = () =>
    db()
      .collection('outbox')
      .countDocuments({ type: 'review.published', 'payload.reviewId': String(doc!._id) });
  expect(await events()).toBe(0);
  // a retry of the same post finds the review (one per source), it does not make a second
  expect((await post(u, reviewBody(venueA.venueId, String(doc!.sourceId)))).body.error.code).toBe('REVIEW_EXISTS');
  clock.set(new Date(clock.now().getTime() + 61_000));
  const heal = stack.cloud.jobs.find((j) => j.name === 'review-heal')!;
  await Promise.all([heal.run(), heal.run()]);
  expect(await events()).toBe(1);
  expect(await db().collection('reviews').findOne({ _id: doc!._id })).toMatchObject({ pending: [] });
});

describe('replies, summaries, credit', () => {
  test("only the venue's own manager replies, once; a flagged reply waits for moderation", async () => {
    const u = await citizen();
    const r = (await post(u, reviewBody(venueA.venueId, await booking(u), { stars: 4 }))).body.review.id as string;
    for (const who of [u, managerB, admin]) {
      const res = await stack.request('POST', `/reviews/${r}/reply`, { token: who.token, body: { text: '谢谢' } });
      expect([res.status, res.body.error.code]).toEqual([403, 'REVIEW_REPLY_NOT_ALLOWED']);
    }
    const ok = await stack.request('POST', `/reviews/${r}/reply`, { token: managerA.token, body: { text: '感谢您的评价，欢迎再来！' } });
    expect(ok.body.reply).toEqual({ status: 'published' });
    const again = await stack.request('POST', `/reviews/${r}/reply`, { token: managerA.token, body: { text: '再次感谢' } });
    expect([again.status, again.body.error.code]).toEqual([409, 'REVIEW_REPLY_EXISTS']);
    expect((await publicList(venueA.venueId)).find((x) => x.id === r).reply).toMatchObject({ text: '感谢您的评价，欢迎再来！' });

    const v = await citizen();
    const r2 = (await post(v, reviewBody(venueA.venueId, await booking(v)))).body.review.id as string;
    const flagged = await stack.request('POST', `/reviews/${r2}/reply`, { token: managerA.token, body: { text: '有事加微信详聊' } });
    expect(flagged.body.reply).toEqual({ status: 'pending_moderation' });
    expect((await publicList(venueA.venueId)).find((x) => x.id === r2).reply).toBeNull();
    const queued = (await stack.request('GET', '/admin/reviews/pending', { token: admin.token })).body.items.find((i: any) => i.id === r2);
    expect(queued).toMatchObject({ status: 'published', pendingReply: { text: '有事加微信详聊' }, check: { suggest: 'review' } });
    await stack.request('POST', `/admin/reviews/${r2}/moderate`, { token: admin.token, body: { approved: true, reason: '可以' } });
    expect((await publicList(venueA.venueId)).find((x) => x.id === r2).reply).toMatchObject({ text: '有事加微信详聊' });
  });

  test('summary: average, count and tag counts of published reviews only, for several venues in one call', async () => {
    const res = await stack.request('GET', `/reviews/summary?targetKind=venue&ids=${venueA.venueId},${venueB.venueId}`);
    const published = await db()
      .collection('reviews')
      .find({ targetId: new mongoose.Types.ObjectId(venueA.venueId), status: 'published' })
      .toArray();
    const avg = Math.round((published.reduce((s, r) => s + r.stars, 0) / published.length) * 10) / 10;
    const [a, b] = res.body.items;
    expect(a).toMatchObject({ targetId: venueA.venueId, count: published.length, average: avg });
    expect(a.tags.find((t: any) => t.tag === '场地干净').count).toBe(published.filter((r) => r.tags.includes('场地干净')).length);
    expect(b).toMatchObject({ targetId: venueB.venueId, count: 1, average: 5, tags: [{ tag: '场地干净', count: 1 }] });
  });

  test('credit: providers with average, complaints, venue cancellations; citizens with no-shows; admin only; xlsx export', async () => {
    // one cancellation by the venue: the desk cancels a booking at venue B
    const u = await citizen();
    const court = (await slotsOf(venueB.courtId, businessDay(new Date(clock.now().getTime() + 86_400_000))))[3];
    expect((await stack.request('POST', '/bookings', { token: u.token, body: { slotIds: [court.id] } })).status).toBe(201);
    const cancel = await stack.request('POST', `/manage/slots/${court.id}/close`, { token: managerB.token, body: { reason: '场地维修' } });
    expect(cancel.status).toBe(200);
    expect((await stack.request('GET', '/admin/credit', { token: u.token })).status).toBe(403);
    expect((await stack.request('GET', '/admin/credit', { token: managerA.token })).status).toBe(403);
    expect((await stack.request('GET', '/admin/credit?format=xlsx', { token: u.token })).status).toBe(403);
    const res = await stack.request('GET', '/admin/credit', { token: admin.token });
    const a = res.body.providers.find((p: any) => p.id === venueA.venueId);
    const complaintsA = await db()
      .collection('reviews')
      .countDocuments({ targetId: new mongoose.Types.ObjectId(venueA.venueId), status: 'published', complaint: true });
    expect(a).toMatchObject({ kind: 'venue', name: '评价甲馆', complaints: complaintsA, cancellations: 0 });
    expect(complaintsA).toBeGreaterThanOrEqual(1);
    expect(res.body.providers.find((p: any) => p.id === venueB.venueId)).toMatchObject({ reviewCount: 1, cancellations: 1 });
    const xlsx = await fetch(`${stack.url}/api/v1/admin/credit?format=xlsx`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    const rows = wb.worksheets[0].getSheetValues().map((r) => (Array.isArray(r) ? r.slice(1) : []));
    expect(rows[1]).toEqual(['类别', '名称', '评价数', '平均星级', '投诉数', '服务方取消']);
    expect(rows.some((r) => r[1] === '评价甲馆' && r[4] === complaintsA)).toBe(true);
  });
});

describe('100 identical review posts at once', () => {
  const rush = async (u: User, b: string) => {
    const res = await Promise.all(Array.from({ length: 100 }, () => post(u, reviewBody(venueA.venueId, b, { text: '同时提交' }))));
    return {
      created: res.filter((r) => r.status === 201).length,
      codes: res.filter((r) => r.status !== 201).map((r) => r.body.error?.code),
    };
  };
  const reviews = () => db().collection('reviews');

  test('control: without the unique index the same booking is reviewed more than once', async () => {
    const u = await citizen();
    const b = await booking(u);
    await reviews().dropIndex('one_review_per_target');
    // the race window is the text check between "reviewed already?" and the insert: held open for
    // a second (within our timeout) so that a starved CI machine cannot serialise the 100 posts
    stack.mock.secCheck.failNextChecks(100, { delayMs: 1000 });
    try {
      const { created } = await rush(u, b);
      process.stdout.write(`[reviews-race] control: ${created} reviews of one booking\n`);
      expect(created).toBeGreaterThan(1);
    } finally {
      stack.mock.secCheck.failNextChecks(0, { delayMs: 0 }); // posts refused before their check left some unused
      await reviews().deleteMany({ sourceId: new mongoose.Types.ObjectId(b) });
      await reviews().createIndex({ userId: 1, targetKind: 1, targetId: 1 }, { unique: true, name: 'one_review_per_target' });
    }
  }, 60_000);

  test('with the index: exactly one review, 99 REVIEW_EXISTS, no 500', async () => {
    const u = await citizen();
    const b = await booking(u);
    const { created, codes } = await rush(u, b);
    expect(created).toBe(1);
    expect(codes).toEqual(Array(99).fill('REVIEW_EXISTS'));
    expect(await reviews().countDocuments({ sourceId: new mongoose.Types.ObjectId(b) })).toBe(1);
  }, 60_000);
});

describe('bad input on every review endpoint → 4xx with a stable code, nothing written', () => {
  let u: User;
  let used: string;
  let pendingId: string;
  let publishedId: string;
  beforeAll(async () => {
    u = await citizen();
    used = await booking(u);
    const v = await citizen();
    pendingId = (await post(v, reviewBody(venueA.venueId, await booking(v), { text: '垃圾场馆' }))).body.review.id;
    const w = await citizen();
    publishedId = (await post(w, reviewBody(venueA.venueId, await booking(w)))).body.review.id;
  });
  const huge = 'x'.repeat(20_000);
  type Case = [string, string, () => string, (() => unknown) | undefined, number, string, 'citizen' | 'admin' | 'manager' | 'anon'];
  const cases: Case[] = [
    [
      'create: stars as string',
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { stars: '5' }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      'create: stars 6',
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { stars: 6 }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      'create: stars 0',
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { stars: 0 }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      'create: missing target',
      'POST',
      () => '/reviews',
      () => ({ sourceRef: { kind: 'booking', id: used }, stars: 5 }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      'create: missing sourceRef',
      'POST',
      () => '/reviews',
      () => ({ target: { kind: 'venue', id: venueA.venueId }, stars: 5 }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      'create: unknown target kind',
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { target: { kind: 'shop', id: venueA.venueId } }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      'create: $-operator id',
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { sourceRef: { kind: 'booking', id: { $ne: null } } }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      'create: $-operator kind',
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { sourceRef: { kind: '$where', id: used } }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      'create: huge text',
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { text: huge }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      'create: text over 300',
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { text: '好'.repeat(301) }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      'create: tag not in the list',
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { tags: ['教练专业'] }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      'create: tags as string',
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { tags: '场地干净' }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      'create: unknown field',
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { status: 'published' }),
      400,
      'VALIDATION_FAILED',
      'citizen',
    ],
    [
      "create: someone else's photo",
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { photoIds: ['6750a1b2c3d4e5f600000999'] }),
      404,
      'PHOTO_NOT_FOUND',
      'citizen',
    ],
    [
      'create: unknown source kind',
      'POST',
      () => '/reviews',
      () => reviewBody(venueA.venueId, used, { sourceRef: { kind: 'lottery', id: used } }),
      403,
      'REVIEW_NOT_ALLOWED',
      'citizen',
    ],
    ['create: anonymous', 'POST', () => '/reviews', () => reviewBody(venueA.venueId, used), 401, 'UNAUTHENTICATED', 'anon'],
    ['list: missing targetId', 'GET', () => '/reviews?targetKind=venue', undefined, 400, 'VALIDATION_FAILED', 'anon'],
    ['list: operator in query', 'GET', () => '/reviews?targetKind=venue&targetId[$ne]=x', undefined, 400, 'VALIDATION_FAILED', 'anon'],
    [
      'summary: too many ids',
      'GET',
      () =>
        `/reviews/summary?targetKind=venue&ids=${Array(51)
          .fill(0)
          .map((_, i) => i.toString(16).padStart(24, '0'))
          .join(',')}`,
      undefined,
      400,
      'VALIDATION_FAILED',
      'anon',
    ],
    ['summary: bad id', 'GET', () => '/reviews/summary?targetKind=venue&ids=abc', undefined, 400, 'VALIDATION_FAILED', 'anon'],
    [
      'eligibility: anonymous',
      'GET',
      () => `/reviews/eligibility?sourceKind=booking&ids=${used}`,
      undefined,
      401,
      'UNAUTHENTICATED',
      'anon',
    ],
    ['reply: empty text', 'POST', () => `/reviews/${publishedId}/reply`, () => ({ text: '' }), 400, 'VALIDATION_FAILED', 'manager'],
    ['reply: huge text', 'POST', () => `/reviews/${publishedId}/reply`, () => ({ text: huge }), 400, 'VALIDATION_FAILED', 'manager'],
    [
      'reply: text as object',
      'POST',
      () => `/reviews/${publishedId}/reply`,
      () => ({ text: { $gt: '' } }),
      400,
      'VALIDATION_FAILED',
      'manager',
    ],
    [
      'reply: bad review id',
      'POST',
      () => '/reviews/%7B%22%24ne%22%3A1%7D/reply',
      () => ({ text: '谢谢' }),
      400,
      'VALIDATION_FAILED',
      'manager',
    ],
    [
      'reply: unknown review',
      'POST',
      () => '/reviews/6750a1b2c3d4e5f600000999/reply',
      () => ({ text: '谢谢' }),
      404,
      'REVIEW_NOT_FOUND',
      'manager',
    ],
    [
      'reply: to a pending review',
      'POST',
      () => `/reviews/${pendingId}/reply`,
      () => ({ text: '谢谢' }),
      404,
      'REVIEW_NOT_FOUND',
      'manager',
    ],
    [
      'reply: by the citizen',
      'POST',
      () => `/reviews/${publishedId}/reply`,
      () => ({ text: '谢谢' }),
      403,
      'REVIEW_REPLY_NOT_ALLOWED',
      'citizen',
    ],
    [
      'moderate: approved as string',
      'POST',
      () => `/admin/reviews/${pendingId}/moderate`,
      () => ({ approved: 'yes', reason: '好' }),
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'moderate: missing reason',
      'POST',
      () => `/admin/reviews/${pendingId}/moderate`,
      () => ({ approved: true }),
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'moderate: huge reason',
      'POST',
      () => `/admin/reviews/${pendingId}/moderate`,
      () => ({ approved: true, reason: huge }),
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    [
      'moderate: by a citizen',
      'POST',
      () => `/admin/reviews/${pendingId}/moderate`,
      () => ({ approved: true, reason: '好' }),
      403,
      'FORBIDDEN',
      'citizen',
    ],
    [
      'moderate: a published review',
      'POST',
      () => `/admin/reviews/${publishedId}/moderate`,
      () => ({ approved: false, reason: '好' }),
      409,
      'REVIEW_NOT_PENDING',
      'admin',
    ],
    [
      'moderate: bad id',
      'POST',
      () => '/admin/reviews/xyz/moderate',
      () => ({ approved: true, reason: '好' }),
      400,
      'VALIDATION_FAILED',
      'admin',
    ],
    ['pending: by a manager', 'GET', () => '/admin/reviews/pending', undefined, 403, 'FORBIDDEN', 'manager'],
    ['credit: unknown format', 'GET', () => '/admin/credit?format=csv', undefined, 400, 'VALIDATION_FAILED', 'admin'],
    [
      'photo: not of this review',
      'GET',
      () => `/reviews/${publishedId}/photos/6750a1b2c3d4e5f600000999`,
      undefined,
      404,
      'PHOTO_NOT_FOUND',
      'anon',
    ],
  ];
  test.each(cases)('%s', async (_name, method, path, body, status, code, who) => {
    const token = { citizen: u?.token, admin: admin.token, manager: managerA.token, anon: undefined }[who];
    const before = await snapshotDatabase();
    const res = await stack.request(method, path(), { token, body: body?.() });
    expect([res.status, res.body?.error?.code]).toEqual([status, code]);
    expect(await snapshotDatabase()).toBe(before);
  });
});
