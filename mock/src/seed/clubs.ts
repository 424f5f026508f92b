import { ClubApplicationSchema, CreateClubActivitySchema, type ClubApplication } from '@citysport/shared';
import type { CloudApp } from '@citysport/cloud';

/** Demo clubs (issue 14): five approved Suzhou clubs with members and activities, one pending application. */
const MEMBERS = [
  { openid: 'demo-club-member-1', nickname: '陈跑跑', phone: '13900000001' },
  { openid: 'demo-club-member-2', nickname: '刘羽', phone: '13900000002' },
  { openid: 'demo-club-member-3', nickname: '周太极', phone: '13900000003' },
  { openid: 'demo-club-member-4', nickname: '吴骑士', phone: '13900000004' },
  { openid: 'demo-club-member-5', nickname: '郑游游', phone: '13900000005' },
  { openid: 'demo-club-member-6', nickname: '孙健', phone: '13900000006' },
  { openid: 'demo-club-member-7', nickname: '马丽', phone: '13900000007' },
  { openid: 'demo-club-member-8', nickname: '黄强', phone: '13900000008' },
];

const base = { contactName: '社团联系人', charter: '第一条 本会是由体育爱好者自愿组成的群众性体育组织。\n第二条 会员自愿入会、自由退会。' };
const CLUBS: (Partial<ClubApplication> & {
  founder: string;
  activities: { title: string; place: string; days: number; capacity: number; feeFen?: number; membersOnly?: boolean }[];
})[] = [
  {
    founder: 'demo-club-member-1',
    name: '金鸡湖跑团',
    sport: 'running',
    district: '工业园区',
    purpose: '每周三夜跑、周六晨跑，环金鸡湖 10 公里，新手友好。',
    openJoin: true,
    duesFen: 10000,
    duesPolicy: 'prorata',
    activities: [
      { title: '周六环湖晨跑', place: '金鸡湖东岸 文化艺术中心', days: 3, capacity: 50, membersOnly: false },
      { title: '周三夜跑 10 公里', place: '李公堤入口', days: 1, capacity: 30 },
    ],
  },
  {
    founder: 'demo-club-member-2',
    name: '姑苏羽毛球俱乐部',
    sport: 'badminton',
    district: '姑苏区',
    purpose: '周末双打约球，定期组织俱乐部内部联赛。',
    duesFen: 20000,
    activities: [{ title: '周日双打约球', place: '苏州市体育中心 羽毛球馆', days: 4, capacity: 16, feeFen: 3000 }],
  },
  {
    founder: 'demo-club-member-3',
    name: '沧浪太极拳协会',
    sport: 'taichi',
    district: '姑苏区',
    purpose: '传承杨式太极拳，每天清晨公园晨练，欢迎中老年朋友。',
    openJoin: true,
    activities: [{ title: '清晨太极晨练', place: '沧浪亭南广场', days: 1, capacity: 40, membersOnly: false }],
  },
  {
    founder: 'demo-club-member-4',
    name: '太湖骑行俱乐部',
    sport: 'cycling',
    district: '吴中区',
    purpose: '环太湖骑行，安全第一，每月一次长途骑行。',
    duesFen: 15000,
    duesPolicy: 'prorata',
    activities: [{ title: '环太湖 60 公里骑行', place: '东山镇 太湖大桥', days: 6, capacity: 25 }],
  },
  {
    founder: 'demo-club-member-5',
    name: '相城游泳协会',
    sport: 'swimming',
    district: '相城区',
    purpose: '冬泳与泳池训练，组织游泳技术交流。',
    activities: [{ title: '周末泳池训练', place: '相城区体育中心 游泳馆', days: 2, capacity: 20, feeFen: 2000 }],
  },
];

export async function seedClubs(services: CloudApp['services'], userIds: Record<string, string>, log: (m: string) => void = () => {}) {
  const { identity, clubs } = services;
  const ids: Record<string, string> = { ...userIds };
  for (const m of MEMBERS) {
    const { user } = await identity.upsertByOpenid(m.openid, undefined, 'seeded-session-key');
    ids[m.openid] = String(user._id);
    await identity.setPersonalFields(ids[m.openid], { nickname: m.nickname, phone: m.phone });
  }
  const adminId = ids['demo-admin'];
  const day = 86_400_000;
  const now = services.clock.now().getTime();
  const clubIds: string[] = [];
  for (const [i, c] of CLUBS.entries()) {
    const { founder, activities, ...fields } = c;
    const input = ClubApplicationSchema.parse({ ...base, contactPhone: `1390000000${i + 1}`, ...fields });
    const club = await clubs.apply(ids[founder], input);
    await clubs.review(adminId, club.id, { approved: true, reason: '演示数据：材料齐全' });
    clubIds.push(club.id);
    // members: the demo citizens and a few of the others
    const joiners = ['demo-citizen', 'demo-citizen-2', ...MEMBERS.filter((m) => m.openid !== founder).map((m) => m.openid)].slice(0, 4 + i);
    for (const [j, openid] of joiners.entries()) {
      const member = MEMBERS.find((m) => m.openid === openid);
      await clubs.join(ids[openid], club.id, { message: '想加入，一起锻炼！', phone: member?.phone, notifyOptIn: true });
      // one request per club stays open for the club admins to decide
      if (!input.openJoin && j < joiners.length - 1) await clubs.approve(ids[founder], club.id, ids[openid]);
    }
    const doc = await clubs.loadClub(club.id);
    for (const a of activities) {
      const start = new Date(Math.ceil((now + a.days * day) / 3600_000) * 3600_000);
      await clubs.activities.create(
        ids[founder],
        doc,
        CreateClubActivitySchema.parse({
          title: a.title,
          place: a.place,
          description: `${c.name}${a.title}，请提前 10 分钟到达。`,
          startAt: start.toISOString(),
          endAt: new Date(start.getTime() + 2 * 3600_000).toISOString(),
          capacity: a.capacity,
          feeFen: a.feeFen ?? 0,
          membersOnly: a.membersOnly ?? true,
        }),
      );
    }
    await clubs.announce(ids[founder], club.id, { title: '欢迎新会员', body: `欢迎加入${c.name}！活动安排请看本页。`, pinned: true });
    await clubs.announce(ids[founder], club.id, {
      title: '本月活动安排',
      body: '本月活动以俱乐部页面发布为准，请关注报名时间。',
      pinned: false,
    });
  }
  // one pending application for the bureau's review page
  await clubs.apply(
    ids['demo-citizen-2'],
    ClubApplicationSchema.parse({
      ...base,
      name: '高新区登山协会',
      sport: 'other',
      district: '高新区',
      purpose: '组织周末登山徒步，穹窿山、大阳山线路。',
      contactPhone: '13987654321',
      registrationNo: '51320505MJ1234567X',
    }),
  );
  log(`seeded ${clubIds.length} clubs (and one pending application)`);
  return { clubIds };
}
