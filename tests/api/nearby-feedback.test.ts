/**
 * Issue 10, item 7 and 我的 (8): venue search and distance order, 爽约记录, 意见反馈.
 * One stack and one engine for all three (the API test budget).
 */
import mongoose from 'mongoose';
import { FEEDBACK_PER_HOUR, FeedbackResponseSchema, MyNoShowsResponseSchema, VenueListResponseSchema } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { grant, startTestStack, type TestStack } from '../support/stack';
import { createTestVenue, slotsOf } from '../support/venue-fixture';

const START = new Date('2026-11-23T01:00:00Z'); // Monday 09:00 in Shanghai
const clock = new ManualClock(START);
const TOMORROW = '2026-11-24';
let stack: TestStack;
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  stack = await startTestStack('nearbyfeedback', { clock });
}, 60_000);
afterAll(() => stack.stop());
afterEach(() => clock.set(START));

/** great-circle distance, written again here so the test does not trust the service's */
function haversineKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }) {
  const r = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(r(b.lat - a.lat) / 2) ** 2 + Math.cos(r(a.lat)) * Math.cos(r(b.lat)) * Math.sin(r(b.lng - a.lng) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

const list = async (query: string) => {
  const res = await stack.request('GET', `/venues${query}`);
  expect([res.status, res.status === 200 ? null : res.body]).toEqual([200, null]);
  return VenueListResponseSchema.parse(res.body).items;
};
const names = async (query: string) => (await list(query)).map((v) => v.name);

describe('venues: distance and search', () => {
  const ORIGIN = { lat: 60, lng: 25 };
  beforeAll(async () => {
    const { venues } = stack.cloud.services;
    const add = async (name: string, location: { lat: number; lng: number }, sport: 'badminton' | 'tennis' | 'swimming') => {
      const id = await venues.createVenue({
        name,
        district: '姑苏区',
        address: '测试路',
        location,
        openHours: { open: '08:00', close: '22:00' },
      });
      await venues.addResource(id, { name: '1号场', sport, kind: 'court', templates: [] });
      return id;
    };
    // at 60° N a degree of longitude is half a degree of latitude: 1° east (55.6 km) is nearer than
    // 0.6° north (66.7 km), though a plain sum of degrees would say the opposite
    await add('东边球馆', { lat: 60, lng: 26 }, 'tennis');
    await add('北边球馆', { lat: 60.6, lng: 25 }, 'badminton');
    await add('隔壁羽毛球馆', { lat: 60.01, lng: 25.01 }, 'badminton');
    await add('奇怪(馆)*名.', { lat: 61, lng: 25 }, 'swimming');
  });

  test('nearest first by great-circle distance, with each distance shown', async () => {
    const items = await list(`?lat=${ORIGIN.lat}&lng=${ORIGIN.lng}`);
    const mine = items.filter((v) => ['东边球馆', '北边球馆', '隔壁羽毛球馆', '奇怪(馆)*名.'].includes(v.name));
    expect(mine.map((v) => v.name)).toEqual(['隔壁羽毛球馆', '东边球馆', '北边球馆', '奇怪(馆)*名.']);
    for (const v of mine) expect(v.distanceKm).toBeCloseTo(haversineKm(ORIGIN, v.location), 0);
    const all = items.map((v) => haversineKm(ORIGIN, v.location));
    expect([...all].sort((a, b) => a - b)).toEqual(all);
    // without a position: no distances, the name order
    expect((await list('')).every((v) => v.distanceKm === undefined)).toBe(true);
  });

  test('search by a part of the name or by a sport (中文 or its key), combined with the distance order', async () => {
    expect(await names(`?q=${encodeURIComponent('边球')}`)).toEqual(expect.arrayContaining(['东边球馆', '北边球馆']));
    expect(await names(`?q=${encodeURIComponent('边球')}`)).toHaveLength(2);
    const badminton = await names(`?q=${encodeURIComponent('羽毛球')}&lat=60&lng=25`);
    expect(badminton).toEqual(['隔壁羽毛球馆', '北边球馆']); // the name and the sport, nearest first
    expect(await names('?q=tennis')).toEqual(['东边球馆']);
    expect(await names(`?q=${encodeURIComponent('  东边  ')}`)).toEqual(['东边球馆']); // trimmed
    expect(await names(`?q=${encodeURIComponent('没有这家')}`)).toEqual([]);
  });

  test('the text is a literal, never a pattern: regex metacharacters and operators find only what they spell', async () => {
    expect(await names(`?q=${encodeURIComponent('.*')}`)).toEqual([]);
    expect(await names(`?q=${encodeURIComponent('(馆)*')}`)).toEqual(['奇怪(馆)*名.']);
    expect(await names(`?q=${encodeURIComponent('名.')}`)).toEqual(['奇怪(馆)*名.']);
    expect(await names(`?q=${encodeURIComponent('馆.')}`)).toEqual([]); // '.' is not "any character"
    for (const q of ['^', '$', '|', '[', '\\', '?', '+', '.+', '$where', '{"$gt":""}', '(a+)+$'])
      expect(await names(`?q=${encodeURIComponent(q)}`)).toEqual([]);
    // operator-shaped and repeated parameters are refused or ignored, never widen or break the query
    expect((await stack.request('GET', '/venues?q=a&q=b')).status).toBe(400);
    const huge = await stack.request('GET', `/venues?q=${'馆'.repeat(31)}`);
    expect([huge.status, huge.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const ctl = await stack.request('GET', `/venues?q=${encodeURIComponent('馆\u0000')}`);
    expect(ctl.status).toBe(400);
    const op = await stack.request('GET', `/venues?${encodeURIComponent('q[$regex]')}=.*&q=${encodeURIComponent('没有这家')}`);
    expect([op.status, op.body.items]).toEqual([200, []]);
  });
});

describe('爽约记录 GET /me/no-shows', () => {
  test("the citizen's own no-shows and the ban they earned, with its end; another citizen sees nothing of them", async () => {
    const v = await createTestVenue(stack, { name: '爽约测试馆', rules: { noShowLimit: 1, banDays: 7, checkInGraceMinutes: 15 } });
    const absent = await stack.login('noshow-absent');
    const other = await stack.login('noshow-other');
    const [first] = await slotsOf(v.courtId, TOMORROW);
    const booking = (await stack.request('POST', '/bookings', { token: absent.token, body: { slotIds: [first.id] } })).body.booking;
    expect(booking.status).toBe('confirmed');

    const before = MyNoShowsResponseSchema.parse((await stack.request('GET', '/me/no-shows', { token: absent.token })).body);
    expect([before.items, before.bans]).toEqual([[], []]);

    const at = new Date(first.startAt.getTime() + 15 * 60_000);
    clock.set(at);
    await stack.cloud.services.bookings.markNoShows();
    const after = MyNoShowsResponseSchema.parse((await stack.request('GET', '/me/no-shows', { token: absent.token })).body);
    expect(after.items).toEqual([
      {
        bookingId: booking.id,
        venueId: v.venueId,
        venueName: '爽约测试馆',
        resourceName: '羽毛球1号场',
        sport: 'badminton',
        startAt: first.startAt.toISOString(),
        endAt: new Date(first.startAt.getTime() + 3_600_000).toISOString(),
        noShowAt: at.toISOString(),
      },
    ]);
    expect(after.bans).toMatchObject([
      {
        venueId: v.venueId,
        venueName: '爽约测试馆',
        since: at.toISOString(),
        until: new Date(at.getTime() + 7 * 86_400_000).toISOString(),
        active: true,
        noShowCount: 1,
        liftedAt: null,
      },
    ]);

    // another citizen: nothing, whatever they pass
    const theirs = await stack.request('GET', '/me/no-shows', { token: other.token });
    expect([theirs.status, theirs.body.items, theirs.body.bans]).toEqual([200, [], []]);
    for (const q of [
      `?userId=${absent.userId}`,
      `?cursor=${booking.id}&userId=${absent.userId}`,
      '?limit=1000',
      '?cursor=nope',
      '?limit[$gt]=0',
    ])
      expect((await stack.request('GET', `/me/no-shows${q}`, { token: other.token })).status).toBe(400);
    // a cursor naming the other's booking pages only the caller's own rows
    const paged = await stack.request('GET', `/me/no-shows?cursor=${booking.id}`, { token: other.token });
    expect([paged.status, paged.body.items]).toEqual([200, []]);
    expect((await stack.request('GET', '/me/no-shows')).status).toBe(401);

    // the ban ends: still listed, no longer in force
    clock.set(new Date(at.getTime() + 7 * 86_400_000));
    const again = await stack.login('noshow-absent'); // a week on: a fresh session
    const ended = MyNoShowsResponseSchema.parse((await stack.request('GET', '/me/no-shows', { token: again.token })).body);
    expect(ended.bans.map((b) => b.active)).toEqual([false]);
    expect(
      await db()
        .collection('booking_bans')
        .countDocuments({ venueId: new mongoose.Types.ObjectId(v.venueId) }),
    ).toBe(1);
  });
});

describe('意见反馈', () => {
  type Who = { token: string; userId: string };
  let citizen: Who, other: Who, managerA: Who, managerB: Who, admin: Who;
  let venueA: Awaited<ReturnType<typeof createTestVenue>>, venueB: Awaited<ReturnType<typeof createTestVenue>>;
  let bookingA: string, othersBooking: string, bookingAtB: string, othersPhoto: string;
  const count = () => db().collection('feedback').countDocuments();
  const auditOf = (action: string) => db().collection('audit_log').countDocuments({ action });
  const send = (who: Who, body: unknown) => stack.request('POST', '/feedback', { token: who.token, body });
  const upload = async (who: Who) => {
    const form = new FormData();
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    form.append('file', new Blob([png]), 'p.png');
    const up = await fetch(`${stack.url}/api/v1/guidance/photos`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${who.token}` },
    });
    return ((await up.json()) as { photo: { id: string } }).photo.id;
  };

  beforeAll(async () => {
    venueA = await createTestVenue(stack, { name: '反馈甲馆' });
    venueB = await createTestVenue(stack, { name: '反馈乙馆' });
    [citizen, other, managerA, managerB, admin] = await Promise.all(
      ['fb-citizen', 'fb-other', 'fb-mgr-a', 'fb-mgr-b', 'fb-admin'].map((o) => stack.login(o)),
    );
    await grant(stack, managerA.userId, 'venue_manager', venueA.venueId);
    await grant(stack, managerB.userId, 'venue_manager', venueB.venueId);
    await grant(stack, admin.userId, 'admin');
    const day = await slotsOf(venueA.courtId, TOMORROW);
    const dayB = await slotsOf(venueB.courtId, '2026-11-25'); // another day: the per-day limit
    const book = async (who: Who, slotId: string) =>
      (await stack.request('POST', '/bookings', { token: who.token, body: { slotIds: [slotId] } })).body.booking?.id as string;
    bookingA = await book(citizen, day[2].id);
    othersBooking = await book(other, day[3].id);
    bookingAtB = await book(citizen, dayB[4].id);
    if (!bookingA || !othersBooking || !bookingAtB) throw new Error('feedback setup: a booking failed');
    othersPhoto = await upload(other);
  });

  test('to a venue about a booking: its manager answers, the citizen reads the answer, closes it; audited', async () => {
    const photo = await upload(citizen);
    const sent = await send(citizen, {
      target: { kind: 'venue', id: venueA.venueId },
      category: 'facility',
      text: '  3号场地灯光太暗，晚上打球看不清。  ',
      bookingId: bookingA,
      photoIds: [photo],
    });
    expect(sent.status).toBe(201);
    const fb = FeedbackResponseSchema.parse(sent.body).feedback;
    expect(fb).toMatchObject({
      target: { kind: 'venue', id: venueA.venueId, name: '反馈甲馆' },
      category: 'facility',
      text: '3号场地灯光太暗，晚上打球看不清。',
      status: 'open',
      held: false,
      answer: null,
      photoIds: [photo],
      booking: { id: bookingA, resourceName: '羽毛球1号场' },
    });
    expect(stack.mock.secCheck.calls.at(-1)).toMatchObject({ content: '3号场地灯光太暗，晚上打球看不清。', suggest: 'pass' });
    // the photo is now this feedback's
    const meta = await db()
      .collection('guidance_photos.files')
      .findOne({ _id: new mongoose.Types.ObjectId(photo) });
    expect(String(meta!.metadata.sessionId)).toBe(fb.id);
    const pic = await fetch(`${stack.url}/api/v1/feedback/${fb.id}/photos/${photo}`, {
      headers: { authorization: `Bearer ${managerA.token}` },
    });
    expect([pic.status, pic.headers.get('content-type')]).toEqual([200, 'image/png']);
    const peek = await fetch(`${stack.url}/api/v1/feedback/${fb.id}/photos/${photo}`, {
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(peek.status).toBe(404);

    // venue A's manager sees it (sender masked); venue B's manager neither lists nor answers it
    const listed = (await stack.request('GET', `/manage/venues/${venueA.venueId}/feedback`, { token: managerA.token })).body.items;
    expect(listed.map((f: { id: string }) => f.id)).toContain(fb.id);
    expect(listed.find((f: { id: string }) => f.id === fb.id).sender).toMatch(/\*/);
    expect((await stack.request('GET', `/manage/venues/${venueA.venueId}/feedback`, { token: managerB.token })).status).toBe(403);
    const auditsBefore = await auditOf('feedback.answer');
    const wrong = await stack.request('POST', `/manage/feedback/${fb.id}/answer`, { token: managerB.token, body: { text: '我是乙馆的' } });
    expect([wrong.status, wrong.body.error.code]).toEqual([404, 'FEEDBACK_NOT_FOUND']);
    expect((await stack.request('POST', `/manage/feedback/${fb.id}/close`, { token: managerB.token })).status).toBe(404);
    expect((await stack.request('GET', `/feedback/${fb.id}`, { token: managerB.token })).status).toBe(404);
    expect(
      (await stack.request('POST', `/manage/feedback/${fb.id}/answer`, { token: citizen.token, body: { text: '自问自答' } })).status,
    ).toBe(404);
    // a flagged answer is refused, nothing written
    const flagged = await stack.request('POST', `/manage/feedback/${fb.id}/answer`, {
      token: managerA.token,
      body: { text: '你才是骗子' },
    });
    expect([flagged.status, flagged.body.error.code]).toEqual([422, 'FEEDBACK_TEXT_REJECTED']);
    const still = await db()
      .collection('feedback')
      .findOne({ _id: new mongoose.Types.ObjectId(fb.id) });
    expect([still!.status, still!.answer]).toEqual(['open', null]);
    expect(await auditOf('feedback.answer')).toBe(auditsBefore);

    const answered = await stack.request('POST', `/manage/feedback/${fb.id}/answer`, {
      token: managerA.token,
      body: { text: ' 感谢反馈，已安排更换灯管，本周内完成。 ' },
    });
    expect(answered.status).toBe(200);
    expect(answered.body.feedback).toMatchObject({
      status: 'answered',
      answer: { text: '感谢反馈，已安排更换灯管，本周内完成。', by: 'venue' },
    });
    expect(await auditOf('feedback.answer')).toBe(auditsBefore + 1);
    const again = await stack.request('POST', `/manage/feedback/${fb.id}/answer`, { token: managerA.token, body: { text: '再答一次' } });
    expect([again.status, again.body.error.code]).toEqual([409, 'FEEDBACK_NOT_OPEN']);

    const mine = (await stack.request('GET', '/feedback/mine', { token: citizen.token })).body.items;
    expect(mine.find((f: { id: string }) => f.id === fb.id)).toMatchObject({
      status: 'answered',
      answer: { text: '感谢反馈，已安排更换灯管，本周内完成。' },
    });
    expect(mine[0].sender).toBeUndefined();
    expect((await stack.request('GET', `/feedback/${fb.id}`, { token: other.token })).status).toBe(404);
    expect((await stack.request('POST', `/feedback/${fb.id}/close`, { token: other.token })).status).toBe(404);
    expect((await stack.request('POST', `/feedback/${fb.id}/close`, { token: citizen.token })).body.feedback.status).toBe('closed');
    expect((await stack.request('POST', `/feedback/${fb.id}/close`, { token: citizen.token })).status).toBe(409);
    expect(
      (await stack.request('GET', '/feedback/mine?status=closed', { token: citizen.token })).body.items.map((f: { id: string }) => f.id),
    ).toEqual([fb.id]);
  });

  test('to the bureau: only the bureau sees and answers it; flagged text is held from the venue and goes to the bureau', async () => {
    const toBureau = (await send(citizen, { target: { kind: 'bureau' }, category: 'suggestion', text: '希望多建几个社区健身点。' })).body
      .feedback;
    expect(toBureau).toMatchObject({ target: { kind: 'bureau', id: null, name: '市体育局' }, status: 'open' });
    expect((await stack.request('GET', `/feedback/${toBureau.id}`, { token: managerA.token })).status).toBe(404);
    expect(
      (await stack.request('POST', `/manage/feedback/${toBureau.id}/answer`, { token: managerA.token, body: { text: '好' } })).status,
    ).toBe(404);
    const adminList = (await stack.request('GET', '/admin/feedback?kind=bureau&status=open', { token: admin.token })).body.items;
    expect(adminList.map((f: { id: string }) => f.id)).toContain(toBureau.id);
    expect((await stack.request('GET', '/admin/feedback', { token: managerA.token })).status).toBe(403);
    const ans = await stack.request('POST', `/manage/feedback/${toBureau.id}/answer`, {
      token: admin.token,
      body: { text: '已转交规划部门研究。' },
    });
    expect(ans.body.feedback).toMatchObject({ status: 'answered', answer: { by: 'bureau' } });

    const held = (await send(other, { target: { kind: 'venue', id: venueA.venueId }, category: 'service', text: '前台收钱像赌博一样随意' }))
      .body.feedback;
    expect(held).toMatchObject({ held: true, status: 'open' });
    const venueList = (await stack.request('GET', `/manage/venues/${venueA.venueId}/feedback`, { token: managerA.token })).body.items;
    expect(venueList.map((f: { id: string }) => f.id)).not.toContain(held.id);
    expect(
      (await stack.request('POST', `/manage/feedback/${held.id}/answer`, { token: managerA.token, body: { text: '好' } })).status,
    ).toBe(404);
    expect((await stack.request('GET', '/admin/feedback', { token: admin.token })).body.items.map((f: { id: string }) => f.id)).toContain(
      held.id,
    );
    // WeChat not answering holds too (fails closed)
    stack.mock.secCheck.failNextChecks(1, { errcode: -1, errmsg: 'system error' });
    expect((await send(other, { target: { kind: 'bureau' }, category: 'other', text: '检查服务出错时的反馈' })).body.feedback.held).toBe(
      true,
    );
  });

  test('bad input: 4xx with a stable code, nothing written, no 500', async () => {
    const ok = { target: { kind: 'venue', id: venueA.venueId }, category: 'facility', text: '淋浴间没有热水。' };
    const cases: [string, unknown, number, string][] = [
      ['no body', undefined, 400, 'VALIDATION_FAILED'],
      ['missing text', { ...ok, text: undefined }, 400, 'VALIDATION_FAILED'],
      ['text only spaces', { ...ok, text: '        ' }, 400, 'VALIDATION_FAILED'],
      ['text too short after trim', { ...ok, text: '  差  ' }, 400, 'VALIDATION_FAILED'],
      ['text 501 characters', { ...ok, text: '长'.repeat(501) }, 400, 'VALIDATION_FAILED'],
      ['long text', { ...ok, text: 'x'.repeat(20_000) }, 400, 'VALIDATION_FAILED'],
      ['huge body', { ...ok, text: 'x'.repeat(200_000) }, 413, 'PAYLOAD_TOO_LARGE'],
      ['text a number', { ...ok, text: 12345678 }, 400, 'VALIDATION_FAILED'],
      ['control characters', { ...ok, text: '淋浴间\u0000没有热水' }, 400, 'VALIDATION_FAILED'],
      ['unknown category', { ...ok, category: 'praise' }, 400, 'VALIDATION_FAILED'],
      ['$ in category', { ...ok, category: { $ne: null } }, 400, 'VALIDATION_FAILED'],
      ['$ in text', { ...ok, text: { $gt: '' } }, 400, 'VALIDATION_FAILED'],
      ['$ in venue id', { ...ok, target: { kind: 'venue', id: { $gt: '' } } }, 400, 'VALIDATION_FAILED'],
      ['$ in target', { ...ok, target: { $where: 'true' } }, 400, 'VALIDATION_FAILED'],
      ['venue target without id', { ...ok, target: { kind: 'venue' } }, 400, 'VALIDATION_FAILED'],
      ['bureau with an id', { ...ok, target: { kind: 'bureau', id: venueA.venueId } }, 400, 'VALIDATION_FAILED'],
      ['unknown target kind', { ...ok, target: { kind: 'club', id: venueA.venueId } }, 400, 'VALIDATION_FAILED'],
      ['extra field', { ...ok, status: 'answered' }, 400, 'VALIDATION_FAILED'],
      ['userId smuggled', { ...ok, userId: other.userId }, 400, 'VALIDATION_FAILED'],
      ['bad booking id', { ...ok, bookingId: 'nope' }, 400, 'VALIDATION_FAILED'],
      ['too many photos', { ...ok, photoIds: [1, 2, 3, 4].map(() => othersPhoto) }, 400, 'VALIDATION_FAILED'],
      ['no such venue', { ...ok, target: { kind: 'venue', id: '6750a1b2c3d4e5f600000999' } }, 404, 'VENUE_NOT_FOUND'],
      ["another user's booking", { ...ok, bookingId: othersBooking }, 404, 'BOOKING_NOT_FOUND'],
      [
        'booking with the bureau',
        { target: { kind: 'bureau' }, category: 'other', text: '关于这次预订的意见', bookingId: bookingA },
        400,
        'VALIDATION_FAILED',
      ],
      ["another user's photo", { ...ok, photoIds: [othersPhoto] }, 404, 'PHOTO_NOT_FOUND'],
    ];
    const before = await count();
    const sweeper = await stack.login('fb-sweeper');
    for (const [name, body, status, code] of cases) {
      const res = await send(sweeper, body);
      expect([name, res.status, res.body.error?.code]).toEqual([name, status, code]);
    }
    const atB = await send(citizen, { ...ok, bookingId: bookingAtB }); // the citizen's own booking, at venue B
    expect([atB.status, atB.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const answers: [string, unknown][] = [
      ['empty', { text: '   ' }],
      ['huge', { text: '答'.repeat(501) }],
      ['$', { text: { $ne: '' } }],
      ['extra', { text: '好的', status: 'closed' }],
    ];
    const open = (await send(other, { target: { kind: 'venue', id: venueA.venueId }, category: 'other', text: '停车场指示牌不清楚' })).body
      .feedback;
    for (const [name, body] of answers) {
      const res = await stack.request('POST', `/manage/feedback/${open.id}/answer`, { token: managerA.token, body });
      expect([name, res.status, res.body.error?.code]).toEqual([name, 400, 'VALIDATION_FAILED']);
    }
    for (const path of [
      '/feedback/nope',
      '/feedback/mine?limit=1000',
      '/feedback/mine?status=done',
      `/feedback/mine?userId=${other.userId}`,
      '/manage/venues/nope/feedback',
    ])
      expect([path, (await stack.request('GET', path, { token: managerA.token })).status]).toEqual([path, 400]);
    expect((await stack.request('GET', '/feedback/6750a1b2c3d4e5f600000999', { token: citizen.token })).status).toBe(404);
    expect((await stack.request('GET', `/feedback/${open.id}/photos/${othersPhoto}`, { token: other.token })).status).toBe(404);
    expect((await stack.request('POST', '/feedback', { body: ok })).status).toBe(401);
    expect(await count()).toBe(before + 1); // only `open`
    const still = await db()
      .collection('feedback')
      .findOne({ _id: new mongoose.Types.ObjectId(open.id) });
    expect([still!.status, still!.answer]).toEqual(['open', null]);
    // another citizen's feedback ids in their own list: nothing of anyone else's
    const sweeperList = (await stack.request('GET', `/feedback/mine?cursor=${open.id}`, { token: sweeper.token })).body.items;
    expect(sweeperList).toEqual([]);
  });

  test(`rate-limited: ${FEEDBACK_PER_HOUR} an hour per citizen, then 429 with nothing written; malformed requests spend nothing`, async () => {
    const busy = await stack.login('fb-busy');
    const body = { target: { kind: 'bureau' }, category: 'suggestion', text: '建议延长游泳馆开放时间。' };
    for (let i = 0; i < 3; i++) expect((await send(busy, { ...body, text: 'x' })).status).toBe(400);
    const before = await count();
    const results = await Promise.all(Array.from({ length: FEEDBACK_PER_HOUR + 3 }, () => send(busy, body)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(FEEDBACK_PER_HOUR);
    expect(results.filter((r) => r.status === 429).map((r) => r.body.error.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(await count()).toBe(before + FEEDBACK_PER_HOUR);
    // another citizen is not affected
    expect((await send(await stack.login('fb-calm'), body)).status).toBe(201);
  });
});
