import type { EventInput } from '@citysport/shared';
import type { CloudApp } from '@citysport/cloud';

type EventService = CloudApp['services']['events'];

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const SHANGHAI = 8 * 3_600_000;
/** the day `ms` falls on in Shanghai, at hh:mm there (a race starts at 07:30, not at seed time) */
const dayAt = (ms: number, hh: number, mm = 0) => {
  const d = new Date(ms + SHANGHAI);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hh, mm) - SHANGHAI).toISOString();
};
const PLEDGE =
  '本人承诺：身体健康，无心脏病、高血压等不适宜参加剧烈运动的疾病；已了解赛事风险并自愿参赛；比赛中如感不适将立即停止运动并寻求医疗帮助；所填信息真实有效。';

/** Demo events (Chinese): a half-marathon lottery with 3 groups, a first-come 10 km run, a badminton team league. */
export function demoEvents(now: number): EventInput[] {
  const opens = iso(now - DAY);
  return [
    {
      name: '2027苏州金鸡湖半程马拉松',
      kind: 'road_race',
      sport: 'running',
      district: '工业园区',
      place: '金鸡湖文化中心广场（起点）',
      startAt: dayAt(now + 60 * DAY, 7, 30),
      description:
        '环金鸡湖赛道，途经东方之门、李公堤、月光码头。报名采用公开可验证的抽签：开放报名时公布种子承诺，截止时公布名单摘要，抽签后公开种子，任何人可复算。',
      registration: {
        mode: 'lottery',
        opensAt: opens,
        closesAt: dayAt(now + 20 * DAY, 18),
        holdMinutes: 15,
        paymentDeadline: dayAt(now + 27 * DAY, 18),
        offerHours: 48,
      },
      refundPolicy: {
        tiers: [
          { daysBefore: 30, percent: 80 },
          { daysBefore: 14, percent: 50 },
        ],
      },
      transfer: { allowed: false },
      pledge: { text: PLEDGE, version: 'v2027.1' },
      groups: [
        {
          name: '半程马拉松',
          distanceKm: 21.0975,
          capacity: 8000,
          feeFen: 12000,
          eligibility: { minAge: 18 },
          bibPrefix: 'A',
          bibStart: 1,
        },
        { name: '10公里', distanceKm: 10, capacity: 3000, feeFen: 8000, eligibility: { minAge: 16 }, bibPrefix: 'B', bibStart: 1 },
        { name: '欢乐跑', distanceKm: 5, capacity: 2000, feeFen: 5000, eligibility: { minAge: 8 }, bibPrefix: 'C', bibStart: 1 },
      ],
    },
    {
      name: '姑苏古城新年10公里跑',
      kind: 'road_race',
      sport: 'running',
      district: '姑苏区',
      place: '平江路历史街区',
      startAt: dayAt(now + 30 * DAY, 8),
      description: '沿古城墙与平江河而行，先到先得，名额有限。报名截止前可将名额转让给他人一次（实名核验）。',
      registration: { mode: 'first_come', opensAt: opens, closesAt: dayAt(now + 25 * DAY, 18), holdMinutes: 15, offerHours: 48 },
      refundPolicy: {
        tiers: [
          { daysBefore: 14, percent: 100 },
          { daysBefore: 7, percent: 50 },
        ],
      },
      transfer: { allowed: true }, // 名额可转让一次，至报名截止
      pledge: { text: PLEDGE, version: 'v1' },
      groups: [{ name: '10公里', distanceKm: 10, capacity: 2000, feeFen: 6000, eligibility: { minAge: 16 }, bibPrefix: 'G', bibStart: 1 }],
    },
    {
      name: '苏州市全民健身羽毛球联赛',
      kind: 'league',
      sport: 'badminton',
      district: '高新区',
      place: '苏州高新区体育中心羽毛球馆',
      startAt: dayAt(now + 45 * DAY, 9),
      description: '以队伍报名：队长创建队伍获得邀请码，队员凭邀请码报名，4至8人成队，全员报名成功即组队完成。',
      registration: { mode: 'first_come', opensAt: opens, closesAt: dayAt(now + 35 * DAY, 18), holdMinutes: 30, offerHours: 48 },
      refundPolicy: { tiers: [{ daysBefore: 7, percent: 100 }] },
      transfer: { allowed: false },
      pledge: { text: PLEDGE, version: 'v1' },
      groups: [
        {
          name: '混合团体',
          capacity: 256,
          feeFen: 0,
          eligibility: { minAge: 16 },
          team: { minSize: 4, maxSize: 8 },
          bibPrefix: '',
          bibStart: 1,
        },
        {
          name: '青少年团体',
          capacity: 128,
          feeFen: 0,
          eligibility: { minAge: 10, maxAge: 17 },
          team: { minSize: 4, maxSize: 8 },
          bibPrefix: 'Y',
          bibStart: 1,
        },
      ],
    },
  ];
}

/** Creates, publishes and opens the demo events as the demo organiser (audited like any organiser's). */
export async function seedEvents(events: EventService, organiserId: string, now: number, log: (m: string) => void) {
  for (const input of demoEvents(now)) {
    const e = await events.create(organiserId, input);
    const doc = await events.ownedEvent(organiserId, e.id, false);
    await events.changeStatus(organiserId, doc, 'publish');
    await events.changeStatus(organiserId, await events.ownedEvent(organiserId, e.id, false), 'open');
  }
  log(`seeded ${demoEvents(now).length} events`);
}
