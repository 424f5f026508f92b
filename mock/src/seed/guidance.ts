import type { CloudApp } from '@citysport/cloud';
import { businessDay, shanghaiTime, type CreateGuidanceSession, type InstructorProfileInput } from '@citysport/shared';

/**
 * Fitness-guidance demo data (issue 12), through the guidance service like real data: instructors
 * of every level across Suzhou's districts apply and are approved by the demo admin, then publish
 * sessions over the next seven days; one application stays pending for the review page.
 */
const PLACES = {
  guihua: { name: '桂花公园', address: '苏州市姑苏区东环路1号', location: { lat: 31.3061, lng: 120.6392 } },
  dongyuan: { name: '东园', address: '苏州市姑苏区东北街', location: { lat: 31.3187, lng: 120.6398 } },
  shihu: { name: '石湖景区 渔庄广场', address: '苏州市吴中区石湖路', location: { lat: 31.2531, lng: 120.5869 } },
  jinjihu: { name: '金鸡湖 湖滨公园', address: '苏州工业园区星港街', location: { lat: 31.3186, lng: 120.6718 } },
  shishan: { name: '狮山公园', address: '苏州高新区狮山路', location: { lat: 31.2986, lng: 120.5562 } },
  xiangcheng: { name: '相城区体育中心 羽毛球馆', address: '苏州市相城区华元路', location: { lat: 31.3729, lng: 120.6415 } },
} as const;

type Demo = {
  openid: string;
  nickname: string;
  profile: InstructorProfileInput;
  /** registrations in the bureau's register before the platform (the 二级/一级 service rules read them) */
  register?: { level: InstructorProfileInput['level']; day: string }[];
  sessions: {
    title: string;
    sport: CreateGuidanceSession['sport'];
    place: keyof typeof PLACES;
    day: number;
    at: string;
    minutes: number;
    capacity: number;
    difficulty: 'easy' | 'medium' | 'hard';
    bring: string;
  }[];
};

const DEMO: Demo[] = [
  {
    openid: 'demo-instructor',
    nickname: '张教练',
    profile: {
      name: '张卫国',
      level: 'national',
      certificateNo: 'GJ-2015-00321',
      specialities: ['taichi', 'baduanjin'],
      district: '姑苏区',
      bio: '国家级社会体育指导员，陈式太极拳第十二代传人，从事群众健身指导二十年。',
    },
    sessions: [
      {
        title: '晨练二十四式太极拳',
        sport: 'taichi',
        place: 'guihua',
        day: 1,
        at: '07:00',
        minutes: 60,
        capacity: 30,
        difficulty: 'easy',
        bring: '宽松衣服、平底运动鞋',
      },
      {
        title: '太极拳进阶：推手入门',
        sport: 'taichi',
        place: 'dongyuan',
        day: 3,
        at: '07:00',
        minutes: 90,
        capacity: 20,
        difficulty: 'medium',
        bring: '运动鞋、水杯',
      },
      {
        title: '八段锦养生课',
        sport: 'baduanjin',
        place: 'guihua',
        day: 5,
        at: '08:00',
        minutes: 45,
        capacity: 40,
        difficulty: 'easy',
        bring: '水杯',
      },
    ],
  },
  {
    openid: 'demo-instructor-2',
    nickname: '李老师',
    profile: {
      name: '李秀英',
      level: 'first',
      certificateNo: 'SZ1-2018-01877',
      specialities: ['square_dance', 'fitness'],
      district: '吴中区',
      bio: '一级社会体育指导员，石湖广场舞队领队，多次获市级广场舞比赛一等奖。',
    },
    // 二级 2014 → 一级 2018: more than the three years 一级 asks
    register: [
      { level: 'second', day: '2014-06-01' },
      { level: 'first', day: '2018-03-01' },
    ],
    sessions: [
      {
        title: '石湖广场舞 新曲教学',
        sport: 'square_dance',
        place: 'shihu',
        day: 1,
        at: '19:00',
        minutes: 60,
        capacity: 50,
        difficulty: 'easy',
        bring: '舒适的鞋子',
      },
      {
        title: '广场舞 队形编排',
        sport: 'square_dance',
        place: 'shihu',
        day: 4,
        at: '19:00',
        minutes: 60,
        capacity: 50,
        difficulty: 'medium',
        bring: '舒适的鞋子、扇子',
      },
    ],
  },
  {
    openid: 'demo-instructor-3',
    nickname: '陈老师',
    profile: {
      name: '陈建华',
      level: 'second',
      certificateNo: 'SZ2-2020-03412',
      specialities: ['baduanjin', 'taichi'],
      district: '工业园区',
      bio: '二级社会体育指导员，园区社区健身站站长，擅长八段锦与中老年功能性训练。',
    },
    // 三级 2019-04 → 二级 2020-02: short of the two years 二级 asks (the ranking shows 未达标)
    register: [
      { level: 'third', day: '2019-04-01' },
      { level: 'second', day: '2020-02-01' },
    ],
    sessions: [
      {
        title: '金鸡湖畔八段锦',
        sport: 'baduanjin',
        place: 'jinjihu',
        day: 2,
        at: '06:30',
        minutes: 45,
        capacity: 30,
        difficulty: 'easy',
        bring: '水杯、毛巾',
      },
      {
        title: '八段锦 + 拉伸放松',
        sport: 'baduanjin',
        place: 'jinjihu',
        day: 6,
        at: '06:30',
        minutes: 60,
        capacity: 30,
        difficulty: 'easy',
        bring: '瑜伽垫（可选）',
      },
    ],
  },
  {
    openid: 'demo-instructor-4',
    nickname: '刘老师',
    profile: {
      name: '刘芳',
      level: 'third',
      certificateNo: 'SZ3-2023-08815',
      specialities: ['walking'],
      district: '高新区',
      bio: '三级社会体育指导员，狮山健步走团队发起人，每周带队健步走。',
    },
    sessions: [
      {
        title: '狮山公园 健步走 5 公里',
        sport: 'walking',
        place: 'shishan',
        day: 2,
        at: '18:30',
        minutes: 60,
        capacity: 60,
        difficulty: 'easy',
        bring: '运动鞋、水',
      },
      {
        title: '健步走 间歇快走训练',
        sport: 'walking',
        place: 'shishan',
        day: 5,
        at: '18:30',
        minutes: 75,
        capacity: 40,
        difficulty: 'medium',
        bring: '运动鞋、心率手环（可选）',
      },
    ],
  },
  {
    openid: 'demo-instructor-5',
    nickname: '周教练',
    profile: {
      name: '周磊',
      level: 'third',
      certificateNo: 'SZ3-2024-09920',
      specialities: ['badminton_basics'],
      district: '相城区',
      bio: '三级社会体育指导员，前市队羽毛球运动员，专注青少年与成人零基础教学。',
    },
    sessions: [
      {
        title: '羽毛球基础：握拍与发球',
        sport: 'badminton_basics',
        place: 'xiangcheng',
        day: 3,
        at: '19:00',
        minutes: 90,
        capacity: 16,
        difficulty: 'easy',
        bring: '羽毛球拍（可现场借用）、运动鞋',
      },
      {
        title: '羽毛球基础：步法训练',
        sport: 'badminton_basics',
        place: 'xiangcheng',
        day: 6,
        at: '15:00',
        minutes: 90,
        capacity: 16,
        difficulty: 'medium',
        bring: '羽毛球拍、运动鞋',
      },
    ],
  },
];

const PENDING: { openid: string; nickname: string; profile: InstructorProfileInput } = {
  openid: 'demo-applicant',
  nickname: '孙丽',
  profile: {
    name: '孙丽',
    level: 'third',
    certificateNo: 'SZ3-2026-10233',
    specialities: ['yoga', 'fitness'],
    district: '吴江区',
    bio: '瑜伽教练，申请成为社会体育指导员，为社区居民提供免费瑜伽课。',
  },
};

export async function seedGuidance(services: CloudApp['services'], userIds: Record<string, string>, log: (m: string) => void = () => {}) {
  const { identity, guidance } = services;
  const adminId = userIds['demo-admin'];
  const idOf = async (openid: string, nickname: string) => {
    if (userIds[openid]) return userIds[openid];
    const { user } = await identity.upsertByOpenid(openid, undefined, 'seeded-session-key');
    const id = String(user._id);
    await identity.setPersonalFields(id, { nickname });
    userIds[openid] = id;
    return id;
  };
  const today = businessDay(services.clock.now());
  let sessions = 0;
  for (const d of DEMO) {
    const id = await idOf(d.openid, d.nickname);
    await guidance.guidance.applyProfile(id, d.profile);
    for (const r of d.register ?? []) await guidance.guidance.recordLevelRegistration(id, r.level, shanghaiTime(r.day));
    await guidance.guidance.review(adminId, id, { approved: true, reason: '演示数据：证书核验通过' });
    for (const s of d.sessions) {
      const startAt = new Date(shanghaiTime(today, s.at).getTime() + s.day * 86_400_000);
      const created = await guidance.guidance.createSessions(id, {
        title: s.title,
        sport: s.sport,
        district: d.profile.district,
        place: PLACES[s.place],
        startAt: startAt.toISOString(),
        endAt: new Date(startAt.getTime() + s.minutes * 60_000).toISOString(),
        capacity: s.capacity,
        difficulty: s.difficulty,
        bring: s.bring,
      });
      sessions += created.length;
    }
  }
  await guidance.guidance.applyProfile(await idOf(PENDING.openid, PENDING.nickname), PENDING.profile);
  log(`seeded ${DEMO.length} guidance instructors (国家级/一级/二级/三级), ${sessions} sessions over the next week, 1 pending application`);
  return { instructors: DEMO.length, sessions };
}
