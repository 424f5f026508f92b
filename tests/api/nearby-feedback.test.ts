/**
 * Issue 10, item 7 and 我的 (8): venue search and distance order, 爽约记录, 意见反馈.
 * One stack and one engine for all three (the API test budget).
 */
import mongoose from 'mongoose';
import { MyNoShowsResponseSchema, VenueListResponseSchema } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, type TestStack } from '../support/stack';
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
