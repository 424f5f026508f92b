/**
 * Attacks on reviews (issue 15) that the main review tests did not try: a review with photos
 * (the photos' attachment, who may see them while the review waits, reusing a photo).
 */
import mongoose from 'mongoose';
import { businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, slotsOf } from '../support/venue-fixture';

type User = { token: string; userId: string };
const clock = new ManualClock(new Date());
const crashes = new CrashSwitch();
let stack: TestStack;
let venue: Awaited<ReturnType<typeof createTestVenue>>;
let venue2: Awaited<ReturnType<typeof createTestVenue>>;
let slots: { id: string }[];
let slots2: { id: string }[];
let admin: User;
const db = () => mongoose.connection.db!;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  stack = await startTestStack('reviews-attack', { clock, appDeps: { crashes } });
  venue = await createTestVenue(stack, { name: '评价攻击馆', sessionCapacity: 50 });
  venue2 = await createTestVenue(stack, { name: '评价攻击二馆', sessionCapacity: 50 });
  // the session's first slot on each of the next three days
  slots = [];
  for (let d = 1; d <= 3; d++)
    slots.push((await slotsOf(venue.sessionId, businessDay(new Date(clock.now().getTime() + d * 86_400_000))))[0]);
  slots2 = await slotsOf(venue2.sessionId, businessDay(new Date(clock.now().getTime() + 86_400_000)));
  admin = await stack.login('rva-admin');
  await grant(stack, admin.userId, 'admin');
}, 60_000);
afterAll(() => stack.stop());

async function usedBooking(user: User, slot = 0): Promise<string> {
  const res = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slots[slot].id] } });
  if (res.status !== 201) throw new Error(`booking failed ${res.status} ${JSON.stringify(res.body)}`);
  expect(await stack.cloud.services.bookings.markUsed(res.body.booking.id)).toBe(true);
  return res.body.booking.id as string;
}
async function upload(user: User): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([PNG]), 'p.png');
  const up = await fetch(`${stack.url}/api/v1/guidance/photos`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${user.token}` },
  });
  expect(up.status).toBe(201);
  return ((await up.json()) as { photo: { id: string } }).photo.id;
}
const body = (bookingId: string, photoIds: string[] = []) => ({
  target: { kind: 'venue', id: venue.venueId },
  sourceRef: { kind: 'booking', id: bookingId },
  stars: 4,
  tags: ['场地干净'],
  photoIds,
});
const photoStatus = async (reviewId: string, photoId: string, who?: User) =>
  (
    await fetch(`${stack.url}/api/v1/reviews/${reviewId}/photos/${photoId}`, {
      headers: who ? { authorization: `Bearer ${who.token}` } : {},
    })
  ).status;

test('a review with a photo: 201 held for a moderator (never a 500), photo private until approved, and not reusable in a second review', async () => {
  const u = await stack.login('rva-citizen-1');
  const other = await stack.login('rva-citizen-2');
  const photo = await upload(u);
  const res = await stack.request('POST', '/reviews', { token: u.token, body: body(await usedBooking(u), [photo]) });
  expect([res.status, res.body.review?.status]).toEqual([201, 'pending_moderation']);
  const id = res.body.review.id as string;
  // the photo is the review's now
  const meta = await db()
    .collection('guidance_photos.files')
    .findOne({ _id: new mongoose.Types.ObjectId(photo) });
  expect(String(meta?.metadata.sessionId)).toBe(id);
  // waiting: only the reviewer and admins see the photo
  expect(await photoStatus(id, photo)).toBe(404);
  expect(await photoStatus(id, photo, other)).toBe(404);
  expect(await photoStatus(id, photo, u)).toBe(200);
  expect(await photoStatus(id, photo, admin)).toBe(200);
  // the same photo cannot be put on a second review (of another venue)
  const b2 = await stack.request('POST', '/bookings', { token: u.token, body: { slotIds: [slots2[0].id] } });
  expect(await stack.cloud.services.bookings.markUsed(b2.body.booking.id)).toBe(true);
  const second = { ...body(b2.body.booking.id, [photo]), target: { kind: 'venue', id: venue2.venueId } };
  const again = await stack.request('POST', '/reviews', { token: u.token, body: second });
  expect([again.status, again.body.error?.code]).toEqual([404, 'PHOTO_NOT_FOUND']);
  // approved: public
  const ok = await stack.request('POST', `/admin/reviews/${id}/moderate`, {
    token: admin.token,
    body: { approved: true, reason: '图片无问题' },
  });
  expect(ok.status).toBe(200);
  expect(await photoStatus(id, photo)).toBe(200);
  expect(
    await db()
      .collection('reviews')
      .countDocuments({ userId: new mongoose.Types.ObjectId(u.userId) }),
  ).toBe(1);
});

test('a crash between storing a review and attaching its photos: the review-heal job attaches them to that review', async () => {
  const u = await stack.login('rva-citizen-3');
  const photo = await upload(u);
  crashes.arm('effects:review:photos.attach:before');
  const res = await stack.request('POST', '/reviews', { token: u.token, body: body(await usedBooking(u), [photo]) });
  expect(res.status).toBe(500);
  expect(crashes.hits).toContain('effects:review:photos.attach:before');
  const doc = await db()
    .collection('reviews')
    .findOne({ userId: new mongoose.Types.ObjectId(u.userId) });
  expect(doc).toMatchObject({ status: 'pending_moderation', pending: ['photos.attach'] });
  clock.set(new Date(clock.now().getTime() + 61_000));
  await stack.cloud.jobs.find((j) => j.name === 'review-heal')!.run();
  const meta = await db()
    .collection('guidance_photos.files')
    .findOne({ _id: new mongoose.Types.ObjectId(photo) });
  expect(String(meta?.metadata.sessionId)).toBe(String(doc!._id));
  expect(await db().collection('reviews').findOne({ _id: doc!._id })).toMatchObject({ pending: [] });
});

test('once per target: a second used booking at the same venue → 409 REVIEW_EXISTS (also 20 at once), and its 评价 button says 已评价', async () => {
  const u = await stack.login('rva-citizen-4');
  const first = await usedBooking(u, 0);
  const second = await usedBooking(u, 1);
  expect((await stack.request('POST', '/reviews', { token: u.token, body: body(first) })).status).toBe(201);
  const again = await stack.request('POST', '/reviews', { token: u.token, body: { ...body(second), stars: 1, tags: ['投诉'] } });
  expect([again.status, again.body.error?.code]).toEqual([409, 'REVIEW_EXISTS']);
  const el = await stack.request('GET', `/reviews/eligibility?sourceKind=booking&ids=${second}`, { token: u.token });
  expect(el.body.items).toEqual([
    {
      sourceId: second,
      eligible: false,
      target: { kind: 'venue', id: venue.venueId },
      review: { id: expect.any(String), status: 'published' },
    },
  ]);
  // a fresh citizen with several used bookings posting through all of them at once → one review
  const v = await stack.login('rva-citizen-5');
  const bookings = [await usedBooking(v, 0), await usedBooking(v, 1), await usedBooking(v, 2)];
  const res = await Promise.all(
    Array.from({ length: 21 }, (_, i) => stack.request('POST', '/reviews', { token: v.token, body: body(bookings[i % 3]) })),
  );
  expect(res.filter((r) => r.status === 201)).toHaveLength(1);
  expect(new Set(res.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.body.error?.code}`))).toEqual(
    new Set(['409 REVIEW_EXISTS']),
  );
  expect(
    await db()
      .collection('reviews')
      .countDocuments({ userId: new mongoose.Types.ObjectId(v.userId) }),
  ).toBe(1);
});

test("a venue's own manager with a used booking there cannot rate it (403); a manager of another venue can", async () => {
  const own = await stack.login('rva-manager-own');
  await grant(stack, own.userId, 'venue_manager', venue.venueId);
  const res = await stack.request('POST', '/reviews', { token: own.token, body: body(await usedBooking(own)) });
  expect([res.status, res.body.error?.code]).toEqual([403, 'REVIEW_NOT_ALLOWED']);
  expect(
    await db()
      .collection('reviews')
      .countDocuments({ userId: new mongoose.Types.ObjectId(own.userId) }),
  ).toBe(0);
  const elsewhere = await stack.login('rva-manager-other');
  await grant(stack, elsewhere.userId, 'venue_manager', venue2.venueId);
  expect((await stack.request('POST', '/reviews', { token: elsewhere.token, body: body(await usedBooking(elsewhere)) })).status).toBe(201);
});

test('20 approve/reject calls at once on a held review, 20 replies at once, 20 moderations of the held reply → one outcome each, audited once, the moderator recorded', async () => {
  const u = await stack.login('rva-citizen-6');
  const mgr = await stack.login('rva-manager-reply');
  await grant(stack, mgr.userId, 'venue_manager', venue.venueId);
  const held = (await stack.request('POST', '/reviews', { token: u.token, body: { ...body(await usedBooking(u)), text: '老板是骗子' } }))
    .body.review;
  expect(held.status).toBe('pending_moderation');
  const audits = (reviewId: string, what: string) =>
    db().collection('audit_log').countDocuments({ action: 'review.moderate', 'details.reviewId': reviewId, 'details.what': what });
  const rush = (reviewId: string) =>
    Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stack.request('POST', `/admin/reviews/${reviewId}/moderate`, {
          token: admin.token,
          body: { approved: i % 2 === 0, reason: `第${i}次` },
        }),
      ),
    );
  const first = await rush(held.id);
  expect(first.filter((r) => r.status === 200)).toHaveLength(1);
  expect(new Set(first.filter((r) => r.status !== 200).map((r) => r.body.error?.code))).toEqual(new Set(['REVIEW_NOT_PENDING']));
  expect(await audits(held.id, 'review')).toBe(1);
  // the reply, on a review published at once
  const w = await stack.login('rva-citizen-7');
  const pub = (await stack.request('POST', '/reviews', { token: w.token, body: { ...body(await usedBooking(w)), text: '不错' } })).body
    .review;
  expect(pub.status).toBe('published');
  const replies = await Promise.all(
    Array.from({ length: 20 }, () =>
      stack.request('POST', `/reviews/${pub.id}/reply`, { token: mgr.token, body: { text: '有问题请加微信' } }),
    ),
  );
  expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
  expect(new Set(replies.filter((r) => r.status !== 200).map((r) => r.body.error?.code))).toEqual(new Set(['REVIEW_REPLY_EXISTS']));
  const second = await rush(pub.id);
  expect(second.filter((r) => r.status === 200)).toHaveLength(1);
  expect(await audits(pub.id, 'reply')).toBe(1);
  const after = await db()
    .collection('reviews')
    .findOne({ _id: new mongoose.Types.ObjectId(pub.id) });
  // who decided on the reply is on the review itself (the same write), not only in the audit row
  expect(after!.reply.moderation).toMatchObject({ by: new mongoose.Types.ObjectId(admin.userId), approved: expect.any(Boolean) });
});
