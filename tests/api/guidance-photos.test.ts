/**
 * Photos through the API into GridFS (guidance_photos.files / .chunks): the type is decided by
 * the bytes, the size is limited, and a photo is served only to those allowed to see it.
 * Runs on whatever engine the run uses (mongo-java-server 1.47 here: GridFS works on it as is).
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, type TestStack } from '../support/stack';
import { PLACE, adminUser, admit, profileBody, publish, verifiedInstructor } from '../support/guidance-fixture';

const T0 = new Date('2026-11-23T01:00:00Z');
const clock = new ManualClock(T0);
let stack: TestStack;
let admin: { token: string; userId: string };
let coach: { token: string; userId: string };
const db = () => mongoose.connection.db!;

const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const GIF_1PX = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

async function upload(token: string | undefined, data: Buffer, name = 'photo.jpg', type = 'image/jpeg') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type }), name);
  const res = await fetch(`${stack.url}/api/v1/guidance/photos`, {
    method: 'POST',
    body: form,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: (await res.json()) as any };
}
async function download(id: string, token?: string) {
  const res = await fetch(`${stack.url}/api/v1/guidance/photos/${id}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}
const fileCount = () => db().collection('guidance_photos.files').countDocuments();

beforeAll(async () => {
  stack = await startTestStack('guidancephotos', { clock });
  admin = await adminUser(stack);
  coach = await verifiedInstructor(stack, 'photo-coach', admin);
}, 60_000);
afterAll(() => stack.stop());

test('a PNG is stored in GridFS and read back byte for byte by its owner', async () => {
  const up = await upload(coach.token, PNG_1PX, 'x.jpg', 'image/jpeg');
  expect(up.status).toBe(201);
  expect(up.body.photo).toMatchObject({ mime: 'image/png', size: PNG_1PX.length }); // by content, not by name or header
  expect(
    await db()
      .collection('guidance_photos.chunks')
      .countDocuments({ files_id: new mongoose.Types.ObjectId(up.body.photo.id) }),
  ).toBe(1);
  const back = await download(up.body.photo.id, coach.token);
  expect(back.status).toBe(200);
  expect(back.type).toBe('image/png');
  expect(back.bytes.equals(PNG_1PX)).toBe(true);
});

test('a wrong type, a renamed text file, an oversized image and a non-multipart body are refused, and nothing is stored', async () => {
  const before = await fileCount();
  const gif = await upload(coach.token, GIF_1PX, 'a.png', 'image/png');
  expect(gif.status).toBe(415);
  expect(gif.body.error.code).toBe('PHOTO_TYPE_NOT_ALLOWED');
  const text = await upload(coach.token, Buffer.from('<script>alert(1)</script>'), 'evil.jpg', 'image/jpeg');
  expect(text.body.error.code).toBe('PHOTO_TYPE_NOT_ALLOWED');
  const big = await upload(coach.token, Buffer.concat([PNG_1PX, Buffer.alloc(2 * 1024 * 1024)]), 'big.png', 'image/png');
  expect(big.status).toBe(413);
  expect(big.body.error.code).toBe('PHOTO_TOO_LARGE');
  const json = await stack.request('POST', '/guidance/photos', { token: coach.token, body: { file: 'x' } });
  expect(json.status).toBe(415);
  const anon = await upload(undefined, PNG_1PX);
  expect(anon.status).toBe(401);
  expect(await fileCount()).toBe(before);
});

test('a log photo is seen by its instructor and the admitted citizens only; a verified profile photo by anyone', async () => {
  const start = new Date(T0.getTime() + 3 * 3600_000);
  const s = await publish(stack, coach, start);
  const [seen, signedOnly, stranger] = [await stack.login('ph-a'), await stack.login('ph-b'), await stack.login('ph-c')];
  for (const u of [seen, signedOnly]) await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: u.token });
  clock.set(new Date(start.getTime() - 5 * 60_000));
  await stack.request('POST', `/instructor/sessions/${s.id}/check-in`, { token: coach.token, body: { ...PLACE, accuracyM: 5 } });
  expect((await admit(stack, coach, seen, s.id)).status).toBe(200);
  const photo = (await upload(coach.token, PNG_1PX)).body.photo.id;
  // someone else's photo cannot go into this log
  const foreign = (await upload(stranger.token, PNG_1PX)).body.photo.id;
  const bad = await stack.request('POST', `/instructor/sessions/${s.id}/log`, {
    token: coach.token,
    body: { content: '太极拳练习，附现场照片。', durationMinutes: 60, photoIds: [foreign] },
  });
  expect(bad.body.error.code).toBe('PHOTO_NOT_FOUND');
  const log = await stack.request('POST', `/instructor/sessions/${s.id}/log`, {
    token: coach.token,
    body: { content: '太极拳练习，附现场照片。', durationMinutes: 60, photoIds: [photo] },
  });
  expect(log.status).toBe(200);
  expect((await download(photo, coach.token)).status).toBe(200);
  expect((await download(photo, seen.token)).status).toBe(200);
  expect((await download(photo, admin.token)).status).toBe(200);
  expect((await download(photo, signedOnly.token)).status).toBe(404);
  expect((await download(photo, stranger.token)).status).toBe(404);
  expect((await download(photo)).status).toBe(404);

  // a profile photo is public once its instructor is verified, not before
  const applicant = await stack.login('ph-applicant');
  const pic = (await upload(applicant.token, PNG_1PX)).body.photo.id;
  await stack.request('PUT', '/instructor/profile', { token: applicant.token, body: profileBody({ photoId: pic }) });
  expect((await download(pic)).status).toBe(404);
  await stack.request('POST', `/admin/instructors/${applicant.userId}/review`, { token: admin.token, body: { approved: true } });
  expect((await download(pic)).status).toBe(200);
  // and nobody may name another's photo as their own profile photo
  const thief = await stack.login('ph-thief');
  const stolen = await stack.request('PUT', '/instructor/profile', { token: thief.token, body: profileBody({ photoId: pic }) });
  expect(stolen.body.error.code).toBe('PHOTO_NOT_FOUND');
});
