/**
 * Activity evaluation over a seeded year, compared with figures worked out by hand below, and
 * the same figures in the admin's xlsx export.
 */
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, type TestStack } from '../support/stack';
import { adminUser } from '../support/guidance-fixture';

const clock = new ManualClock(new Date('2026-12-01T02:00:00Z'));
let stack: TestStack;
let admin: { token: string; userId: string };
const db = () => mongoose.connection.db!;
const oid = () => new mongoose.Types.ObjectId();
const A = oid(); // 三级, 姑苏区
const B = oid(); // 三级, 姑苏区
const C = oid(); // 二级, 吴中区: registered 三级 2022-03-01, 二级 2024-06-01 (2 years 3 months)
const D = oid(); // 一级, 吴中区: registered 二级 2023-01-10, 一级 2025-12-01 (2 years 11 months)
const E = oid(); // 二级, 吴中区: verified straight as 二级 here (no 三级 registration on the platform)
const F = oid(); // 国家级, 相城区
const citizens = Array.from({ length: 6 }, oid);

function session(instructorId: mongoose.Types.ObjectId, startAt: Date, status: string, minutes: number | null) {
  return {
    _id: oid(),
    instructorId,
    title: '测试活动',
    sport: 'taichi',
    district: '姑苏区',
    place: { name: '公园', address: '地址', location: { lat: 31.3, lng: 120.6 } },
    startAt,
    endAt: new Date(startAt.getTime() + 3600_000),
    capacity: 30,
    remaining: 30,
    applied: [],
    difficulty: 'easy',
    bring: '',
    geofenceM: 200,
    status,
    checkedInAt: status === 'delivered' ? startAt : null,
    log: minutes === null ? null : { content: '练习', durationMinutes: minutes, photoIds: [], at: startAt },
    logDueAt: startAt,
    seriesId: null,
    requestId: null,
    createdAt: startAt,
  };
}
/** the n-th week of 2026 at 08:00 Shanghai */
const week = (n: number) => new Date(Date.UTC(2026, 0, 5 + 7 * n, 0, 0));

beforeAll(async () => {
  stack = await startTestStack('guidanceactivity', { clock });
  admin = await adminUser(stack);
  const instructor = (_id: mongoose.Types.ObjectId, name: string, level: string, district: string) => ({
    _id,
    name,
    level,
    district,
    specialities: ['taichi'],
    bio: '',
    photoId: null,
    status: 'verified',
    certificateNoSealed: 'x',
    certificateNoMasked: 'x',
    appliedAt: new Date('2025-01-01'),
  });
  await db()
    .collection('guidance_instructors')
    .insertMany([
      instructor(A, '甲', 'third', '姑苏区'),
      instructor(B, '乙', 'third', '姑苏区'),
      {
        ...instructor(C, '丙', 'second', '吴中区'),
        levelHistory: [
          { level: 'third', at: new Date('2022-03-01T02:00:00Z') },
          { level: 'second', at: new Date('2024-06-01T02:00:00Z') },
        ],
      },
      {
        ...instructor(D, '丁', 'first', '吴中区'),
        levelHistory: [
          { level: 'second', at: new Date('2023-01-10T02:00:00Z') },
          { level: 'first', at: new Date('2025-12-01T02:00:00Z') },
        ],
      },
      { ...instructor(E, '戊', 'second', '吴中区'), levelHistory: [{ level: 'second', at: new Date('2025-05-01T02:00:00Z') }] },
      instructor(F, '己', 'national', '相城区'),
      { ...instructor(oid(), '未审', 'third', '姑苏区'), status: 'pending' },
    ] as never[]);
  const sessions = [
    // A: 31 delivered of 60 min in 2026, 2 not delivered, 1 still published, 1 delivered in 2025 (outside)
    ...Array.from({ length: 31 }, (_, i) => session(A, week(i), 'delivered', 60)),
    session(A, week(40), 'not_delivered', null),
    session(A, week(41), 'not_delivered', null),
    session(A, week(46), 'published', null),
    session(A, new Date('2025-12-20T00:00:00Z'), 'delivered', 60),
    // B: 29 delivered of 90 min
    ...Array.from({ length: 29 }, (_, i) => session(B, week(i), 'delivered', 90)),
    // C: 3 delivered of 45 min
    ...Array.from({ length: 3 }, (_, i) => session(C, week(i), 'delivered', 45)),
  ];
  await db()
    .collection('guidance_sessions')
    .insertMany(sessions as never[]);
  const aDelivered = sessions.filter((s) => s.instructorId === A && s.status === 'delivered' && s.startAt.getFullYear() === 2026);
  const aNotDelivered = sessions.find((s) => s.instructorId === A && s.status === 'not_delivered')!;
  const aOld = sessions.find((s) => s.instructorId === A && s.startAt.getUTCFullYear() === 2025)!;
  const bFirst = sessions.find((s) => s.instructorId === B)!;
  const signup = (s: { _id: mongoose.Types.ObjectId }, u: mongoose.Types.ObjectId, status: string) => ({
    _id: `${s._id}:${u}`,
    sessionId: s._id,
    userId: u,
    status,
    round: 0,
    ref: String(oid()),
    takingSince: new Date(),
  });
  await db()
    .collection('guidance_signups')
    .insertMany([
      // A's delivered sessions: citizens 0–3 admitted (0 and 1 twice), 4 signed up but never scanned
      signup(aDelivered[0], citizens[0], 'attended'),
      signup(aDelivered[0], citizens[1], 'attended'),
      signup(aDelivered[1], citizens[0], 'attended'),
      signup(aDelivered[1], citizens[1], 'attended'),
      signup(aDelivered[2], citizens[2], 'attended'),
      signup(aDelivered[3], citizens[3], 'attended'),
      signup(aDelivered[3], citizens[4], 'confirmed'),
      // admitted, but to a session that was not delivered, or outside the year: not counted
      signup(aNotDelivered, citizens[5], 'attended'),
      signup(aOld, citizens[5], 'attended'),
      // B: one citizen
      signup(bFirst, citizens[0], 'attended'),
    ] as never[]);
  const rating = (
    s: { _id: mongoose.Types.ObjectId; instructorId: mongoose.Types.ObjectId },
    u: mongoose.Types.ObjectId,
    stars: number,
    kind = 'citizen',
  ) => ({
    sessionId: s._id,
    instructorId: s.instructorId,
    userId: u,
    kind,
    stars,
    comment: '',
    reply: null,
    createdAt: new Date(),
  });
  await db()
    .collection('guidance_ratings')
    .insertMany([
      rating(aDelivered[0], citizens[0], 5),
      rating(aDelivered[0], citizens[1], 4),
      rating(aDelivered[1], citizens[0], 4),
      rating(aDelivered[2], citizens[2], 2),
      // an organisation's rating and a rating of last year's session: apart from the year's mean
      rating(aDelivered[3], oid(), 1, 'organisation'),
      rating(aOld, citizens[5], 1),
    ] as never[]);
}, 60_000);
afterAll(() => stack.stop());

// worked out by hand from the seed above
const EXPECTED = [
  // A: 31 × 60 min = 31 h; citizens 0,1,2,3 → 4; (5+4+4+2)/4 = 3.75; 2 not delivered; 31 ≥ 30
  {
    name: '甲',
    district: '姑苏区',
    delivered: 31,
    hours: 31,
    peopleServed: 4,
    rating: 3.75,
    notDelivered: 2,
    threshold: 30,
    thresholdRule: '近12个月完成30场',
    thresholdMet: true,
    rankInDistrict: 1,
  },
  // B: 29 × 90 min = 43.5 h; 1 citizen; no ratings; 29 < 30
  {
    name: '乙',
    district: '姑苏区',
    delivered: 29,
    hours: 43.5,
    peopleServed: 1,
    rating: null,
    notDelivered: 0,
    threshold: 30,
    thresholdRule: '近12个月完成30场',
    thresholdMet: false,
    rankInDistrict: 2,
  },
  // C: 3 × 45 min = 2.25 h; 二级's rule is service, not sessions: 三级 2022-03-01 + 2 years ≤ 二级 2024-06-01 → met
  {
    name: '丙',
    district: '吴中区',
    delivered: 3,
    hours: 2.25,
    peopleServed: 0,
    rating: null,
    notDelivered: 0,
    threshold: null,
    thresholdRule: '三级注册满2年',
    thresholdMet: true,
    rankInDistrict: 1,
  },
  // D: 二级 2023-01-10 + 3 years = 2026-01-10 > 一级 2025-12-01 → not met
  { name: '丁', district: '吴中区', delivered: 0, threshold: null, thresholdRule: '二级注册满3年', thresholdMet: false, rankInDistrict: 2 },
  // E: no 三级 registration on the platform → cannot be decided
  { name: '戊', district: '吴中区', delivered: 0, threshold: null, thresholdRule: '三级注册满2年', thresholdMet: null, rankInDistrict: 3 },
  // F: 国家级 has no rule in the issue or the bureau documents → cannot be decided
  { name: '己', district: '相城区', delivered: 0, threshold: null, thresholdRule: '暂无标准', thresholdMet: null, rankInDistrict: 1 },
];

test('the 2026 evaluation matches the hand-computed figures', async () => {
  const res = await stack.request('GET', '/admin/instructors/activity?year=2026', { token: admin.token });
  expect(res.status).toBe(200);
  const byName = (n: string) => res.body.items.find((i: { name: string }) => i.name === n);
  expect(res.body.items).toHaveLength(6);
  for (const e of EXPECTED) expect(byName(e.name)).toMatchObject(e);
  const district = await stack.request('GET', `/admin/instructors/activity?year=2026&district=${encodeURIComponent('吴中区')}`, {
    token: admin.token,
  });
  expect(district.body.items.map((i: { name: string }) => i.name)).toEqual(['丙', '丁', '戊']);
  const citizen = await stack.login('not-an-admin');
  expect((await stack.request('GET', '/admin/instructors/activity?year=2026', { token: citizen.token })).status).toBe(403);
});

test('the xlsx export carries the same figures', async () => {
  const res = await fetch(`${stack.url}/api/v1/admin/instructors/activity?year=2026&format=xlsx`, {
    headers: { authorization: `Bearer ${admin.token}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('spreadsheetml');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
  const ws = wb.getWorksheet('指导员活跃度')!;
  expect(ws.getRow(1).values).toEqual([
    undefined,
    '区县',
    '区内排名',
    '姓名',
    '等级',
    '已完成场次',
    '指导时长（小时）',
    '服务人数',
    '平均评分',
    '未履约场次',
    '达标要求',
    '是否达标',
  ]);
  const rows = [2, 3, 4, 5, 6, 7].map((r) => (ws.getRow(r).values as unknown[]).slice(1));
  expect(rows).toEqual(
    expect.arrayContaining([
      ['姑苏区', 1, '甲', '三级', 31, 31, 4, 3.75, 2, '近12个月完成30场', '是'],
      ['姑苏区', 2, '乙', '三级', 29, 43.5, 1, '—', 0, '近12个月完成30场', '否'],
      ['吴中区', 1, '丙', '二级', 3, 2.25, 0, '—', 0, '三级注册满2年', '是'],
      ['吴中区', 2, '丁', '一级', 0, 0, 0, '—', 0, '二级注册满3年', '否'],
      ['吴中区', 3, '戊', '二级', 0, 0, 0, '—', 0, '三级注册满2年', '无法判定'],
      ['相城区', 1, '己', '国家级', 0, 0, 0, '—', 0, '暂无标准', '无法判定'],
    ]),
  );
});
