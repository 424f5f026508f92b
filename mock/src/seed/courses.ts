import { idCardCheckChar, PublishCourseSchema, type PublishCourse } from '@citysport/shared';
import type { CloudApp } from '@citysport/cloud';

/**
 * Demo training courses (报名培训, issue 15): one approved training organisation with its provider
 * account, four Suzhou courses dated from the app's clock, and some enrolments (a child in the
 * swimming class awaiting payment, adults in the free 太极拳 class with lesson tickets).
 */
const DAY = 86_400_000;
export const COURSE_PROVIDER = { openid: 'demo-course-provider', nickname: '苏体培训王老师' };
const ORG = { name: '苏州市青少年体育培训中心', district: '姑苏区', creditCode: '52320500MJ5012345X', contactName: '王老师' } as const;

/** a valid GB 11643 number (Suzhou 姑苏区 region code) for a birth date */
export function demoIdNumber(birth: string, seq: number): string {
  const first17 = `320508${birth}${String(seq).padStart(3, '0')}`;
  return first17 + idCardCheckChar(first17);
}

/** `weeks` weekly lessons from `firstDays` days after `now` (Asia/Shanghai hh:mm) */
function weekly(now: number, firstDays: number, hh: number, mm: number, minutes: number, weeks: number) {
  // the business day `firstDays` ahead at hh:mm +08:00
  const d = new Date(now + firstDays * DAY + 8 * 3600_000);
  const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hh - 8, mm);
  return Array.from({ length: weeks }, (_, i) => ({
    startAt: new Date(first + i * 7 * DAY).toISOString(),
    endAt: new Date(first + i * 7 * DAY + minutes * 60_000).toISOString(),
  }));
}

export async function seedCourses(services: CloudApp['services'], userIds: Record<string, string>, log: (m: string) => void = () => {}) {
  const { identity, courses, clock } = services;
  const { user } = await identity.upsertByOpenid(COURSE_PROVIDER.openid, undefined, 'seeded-session-key');
  const providerId = String(user._id);
  await identity.setPersonalFields(providerId, { nickname: COURSE_PROVIDER.nickname });
  const org = await courses.createOrg(userIds['demo-admin'], { ...ORG, managerUserId: providerId });
  const now = clock.now().getTime();
  const opens = new Date(now - DAY).toISOString();
  const base = { provider: { organisationId: org.id }, enrolOpensAt: opens };
  const standard = (n: number) => ({ beforeStart: 'full', afterStart: 'pro_rata', noRefundFromLesson: Math.ceil(n / 2) }) as const;
  const defs: (Omit<PublishCourse, 'provider' | 'enrolOpensAt' | 'enrolClosesAt'> & { closesDaysBefore?: number })[] = [
    {
      title: '少儿游泳暑期班',
      description: '零基础学蛙泳，小班教学（每班不超过 12 人），救生员全程在岸。结业可达 25 米独立游。',
      sport: 'swimming',
      level: 'beginner',
      minAge: 6,
      maxAge: 12,
      place: { address: '苏州市体育中心游泳馆（姑苏区三香路 1131 号）', district: '姑苏区' },
      lessons: weekly(now, 5, 9, 0, 90, 8),
      capacity: 12,
      priceFen: 128_000,
      refundRule: standard(8),
      certificateMinLessons: 6,
      teacher: { name: '李晓雯' },
    },
    {
      title: '成人网球入门',
      description: '正反手、发球与基本步法，8 次课掌握对拉；提供球拍借用。',
      sport: 'tennis',
      level: 'beginner',
      minAge: 18,
      maxAge: 60,
      place: { address: '吴中区网球中心（东吴北路 88 号）', district: '吴中区' },
      lessons: weekly(now, 6, 19, 0, 90, 8),
      capacity: 8,
      priceFen: 168_000,
      refundRule: standard(8),
      certificateMinLessons: 6,
      teacher: { name: '陈昊' },
    },
    {
      title: '青少年篮球训练营',
      description: '运球、传切配合与团队战术，每节课后有分组对抗；适合有一定基础的青少年。',
      sport: 'basketball',
      level: 'intermediate',
      minAge: 10,
      maxAge: 17,
      place: { address: '工业园区体育中心篮球馆（中新大道东 999 号）', district: '工业园区' },
      lessons: weekly(now, 4, 15, 0, 120, 10),
      capacity: 20,
      priceFen: 150_000,
      refundRule: standard(10),
      certificateMinLessons: 8,
      teacher: { name: '张伟' },
    },
    {
      title: '太极拳提高班',
      description: '杨式太极拳二十四式精练与推手入门，公益课程免费参加，欢迎中老年朋友。',
      sport: 'taichi',
      level: 'intermediate',
      minAge: 30,
      maxAge: 80,
      place: { address: '沧浪亭南广场（姑苏区人民路 3 号）', district: '姑苏区' },
      lessons: weekly(now, 3, 7, 0, 60, 8),
      capacity: 30,
      priceFen: 0,
      refundRule: { beforeStart: 'full', afterStart: 'none', noRefundFromLesson: 1 },
      certificateMinLessons: 6,
      teacher: { name: '周国华' },
    },
  ];
  const ids: Record<string, string> = {};
  for (const d of defs) {
    const first = Date.parse(d.lessons[0].startAt);
    const input = PublishCourseSchema.parse({ ...base, ...d, enrolClosesAt: new Date(first - DAY).toISOString() });
    ids[d.title] = (await courses.publish(providerId, input)).id;
  }
  // enrolments: demo-citizen's child in swimming (awaiting payment), demo-citizen-2 in tennis, adults in 太极拳
  // paid enrolments need WeChat Pay (its stand-in in development); a database tool without it seeds the free ones only
  const paid = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (err) {
      if ((err as { code?: string }).code !== 'UPSTREAM_UNAVAILABLE') throw err;
    }
  };
  await paid(() =>
    courses.enrol(userIds['demo-citizen'], ids['少儿游泳暑期班'], {
      participant: { name: '李小萌', idNumber: demoIdNumber('20170412', 101) },
      guardianConsent: { name: '李娜', relation: 'parent', accepted: true },
    }),
  );
  await paid(() =>
    courses.enrol(userIds['demo-citizen-2'], ids['成人网球入门'], {
      participant: { name: '王建国', idNumber: demoIdNumber('19880916', 102) },
    }),
  );
  const taichi = [
    ['demo-citizen', '张秀英', '19620305'],
    ['demo-club-member-3', '周太极', '19580721'],
    ['demo-club-member-6', '孙健', '19701111'],
  ] as const;
  let seq = 110;
  for (const [openid, name, birth] of taichi) {
    const userId = userIds[openid] ?? (await identity.findIdByOpenid(openid));
    if (userId) await courses.enrol(userId, ids['太极拳提高班'], { participant: { name, idNumber: demoIdNumber(birth, seq++) } });
  }
  log(`seeded 1 training organisation, ${defs.length} courses`);
  return { orgId: org.id, providerId, courseIds: ids };
}
