import type { NewResource, NewVenue } from '@citysport/cloud';
import type { SlotTemplate } from '@citysport/shared';

/** Demo accounts of API.md, by openid. */
export const DEMO_ACCOUNTS = [
  { openid: 'demo-citizen', nickname: '王小明', phone: '13812345678', idNumber: '320502199001011234' },
  { openid: 'demo-citizen-2', nickname: '李晓红', phone: '13987654321' },
  { openid: 'demo-staff', nickname: '场馆核验员小陈' },
  { openid: 'demo-instructor', nickname: '张教练' },
  { openid: 'demo-organiser', nickname: '赛事组织者老赵' },
  { openid: 'demo-admin', nickname: '体育局管理员' },
  { openid: 'demo-analyst', nickname: '体育局数据分析员' },
] as const;

/**
 * The bureau's personal accounts (专人专号, Chongqing 第十八条): each names its one person; the seed
 * opens them as the system (the first admin), everyone after is opened by an admin.
 */
export const DEMO_BUREAU_ACCOUNTS = [
  { openid: 'demo-admin', role: 'admin', name: '周敏', unit: '市体育局办公室', position: '一级主任科员', phone: '13862001001' },
  { openid: 'demo-analyst', role: 'analyst', name: '陈思远', unit: '市体育局群众体育处', position: '四级主任科员', phone: '13862001002' },
] as const;

const WEEKDAYS = [1, 2, 3, 4, 5];
const WEEKEND = [6, 7];
const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];

/** One-hour capacity-1 court slots from `from` to `to`, at one price. */
function hourly(weekdays: number[], from: number, to: number, priceFen: number): SlotTemplate[] {
  const out: SlotTemplate[] = [];
  for (let h = from; h < to; h++) {
    out.push({ weekdays, start: `${String(h).padStart(2, '0')}:00`, end: `${String(h + 1).padStart(2, '0')}:00`, priceFen, capacity: 1 });
  }
  return out;
}

function session(weekdays: number[], start: string, end: string, priceFen: number, capacity: number): SlotTemplate {
  return { weekdays, start, end, priceFen, capacity };
}

/** A court with off-peak, evening and weekend prices (public venues keep some free morning hours). */
function courtTemplates(offPeakFen: number, peakFen: number, freeMornings = false): SlotTemplate[] {
  return [
    ...hourly(WEEKDAYS, 8, 10, freeMornings ? 0 : offPeakFen),
    ...hourly(WEEKDAYS, 10, 18, offPeakFen),
    ...hourly(WEEKDAYS, 18, 22, peakFen),
    ...hourly(WEEKEND, 8, 22, peakFen),
  ];
}

function courts(prefix: string, count: number, sport: NewResource['sport'], templates: SlotTemplate[]): NewResource[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}${i + 1}号场`, sport, kind: 'court' as const, templates }));
}

export interface VenueFixture {
  venue: NewVenue;
  resources: NewResource[];
}

export const DEMO_VENUES: VenueFixture[] = [
  {
    venue: {
      name: '苏州奥林匹克体育中心',
      district: '工业园区',
      address: '苏州工业园区中新大道东999号',
      location: { lat: 31.3236, lng: 120.7352 },
      openHours: { open: '08:00', close: '22:00' },
      facilities: ['停车场', '淋浴间', '储物柜', '母婴室', '无障碍通道'],
      contactPhone: '0512-62888999',
      intro: '集体育场、体育馆、游泳馆于一体的综合性体育中心，承办过多项国际赛事。',
      freeOrLowFee: false,
      photos: [],
    },
    resources: [
      ...courts('羽毛球', 6, 'badminton', courtTemplates(3000, 5000)),
      {
        name: '游泳馆（50米池）',
        sport: 'swimming',
        kind: 'session',
        templates: [
          session(ALL_DAYS, '09:00', '11:00', 3000, 60),
          session(ALL_DAYS, '14:00', '16:00', 3000, 60),
          session(ALL_DAYS, '18:30', '20:30', 4000, 60),
        ],
      },
      { name: '综合训练馆', sport: 'fitness', kind: 'session', templates: [session(ALL_DAYS, '19:00', '20:00', 2500, 25)] },
    ],
  },
  {
    venue: {
      name: '苏州市体育中心',
      district: '姑苏区',
      address: '苏州市姑苏区三香路1131号',
      location: { lat: 31.2988, lng: 120.5862 },
      openHours: { open: '07:00', close: '21:30' },
      facilities: ['停车场', '淋浴间', '自动售货机'],
      contactPhone: '0512-68256688',
      intro: '市属公共体育场馆，工作日上午羽毛球场免费开放。',
      freeOrLowFee: true,
      freeHoursNote: '工作日 08:00–10:00 羽毛球场免费开放，需提前预约',
      photos: [],
    },
    resources: [
      ...courts('羽毛球', 4, 'badminton', courtTemplates(2000, 4000, true)),
      ...courts('乒乓球', 3, 'table_tennis', [...hourly(ALL_DAYS, 8, 21, 1000)]),
      { name: '篮球馆', sport: 'basketball', kind: 'court', templates: hourly(ALL_DAYS, 9, 21, 12000) },
    ],
  },
  {
    venue: {
      name: '苏州高新区体育中心',
      district: '高新区',
      address: '苏州高新区滨河路1688号',
      location: { lat: 31.2963, lng: 120.5447 },
      openHours: { open: '08:00', close: '22:00' },
      facilities: ['停车场', '淋浴间', '器材租赁'],
      contactPhone: '0512-66618899',
      intro: '室外网球场灯光齐全，游泳馆常年恒温。',
      freeOrLowFee: false,
      photos: [],
    },
    resources: [
      ...courts('网球', 4, 'tennis', courtTemplates(6000, 10000)),
      {
        name: '恒温游泳馆',
        sport: 'swimming',
        kind: 'session',
        templates: [session(ALL_DAYS, '10:00', '12:00', 2500, 40), session(ALL_DAYS, '18:00', '20:00', 3500, 40)],
      },
    ],
  },
  {
    venue: {
      name: '吴中区全民健身中心',
      district: '吴中区',
      address: '苏州市吴中区东吴北路88号',
      location: { lat: 31.2682, lng: 120.6318 },
      openHours: { open: '06:30', close: '21:00' },
      facilities: ['淋浴间', '储物柜', '健身步道'],
      contactPhone: '0512-65218866',
      intro: '公益性全民健身场馆，每日公益健身课免费参加。',
      freeOrLowFee: true,
      freeHoursNote: '每日 09:00 公益健身课免费，名额有限',
      photos: [],
    },
    resources: [
      ...courts('羽毛球', 4, 'badminton', courtTemplates(1500, 3000)),
      {
        name: '公益健身课',
        sport: 'fitness',
        kind: 'session',
        templates: [session(ALL_DAYS, '09:00', '10:00', 0, 30), session(WEEKDAYS, '19:00', '20:00', 1500, 30)],
      },
    ],
  },
  {
    venue: {
      name: '相城区体育中心',
      district: '相城区',
      address: '苏州市相城区阳澄湖西路2000号',
      location: { lat: 31.3719, lng: 120.6421 },
      openHours: { open: '08:00', close: '21:00' },
      facilities: ['停车场', '淋浴间'],
      contactPhone: '0512-65768899',
      intro: '新建区级体育中心，网球与篮球场地低收费开放。',
      freeOrLowFee: true,
      freeHoursNote: '篮球场工作日白天免费开放',
      photos: [],
    },
    resources: [
      ...courts('网球', 2, 'tennis', courtTemplates(3000, 6000)),
      {
        name: '室外篮球场',
        sport: 'basketball',
        kind: 'court',
        templates: [...hourly(WEEKDAYS, 8, 18, 0), ...hourly(WEEKDAYS, 18, 21, 8000), ...hourly(WEEKEND, 8, 21, 8000)],
      },
    ],
  },
  {
    venue: {
      name: '吴江区游泳馆',
      district: '吴江区',
      address: '苏州市吴江区中山北路1599号',
      location: { lat: 31.1672, lng: 120.6437 },
      openHours: { open: '09:00', close: '21:00', note: '周一上午闭馆换水' },
      facilities: ['淋浴间', '储物柜', '吹风机'],
      contactPhone: '0512-63428877',
      intro: '标准 25 米恒温池，设瑜伽教室。',
      freeOrLowFee: false,
      photos: [],
    },
    resources: [
      {
        name: '25米恒温池',
        sport: 'swimming',
        kind: 'session',
        templates: [
          session([2, 3, 4, 5, 6, 7], '09:00', '11:00', 2500, 50),
          session(ALL_DAYS, '14:00', '16:00', 2500, 50),
          session(ALL_DAYS, '18:30', '20:30', 3000, 50),
        ],
      },
      { name: '瑜伽教室', sport: 'yoga', kind: 'session', templates: [session(ALL_DAYS, '19:00', '20:15', 4000, 20)] },
    ],
  },
  {
    venue: {
      name: '昆山市体育中心',
      district: '昆山市',
      address: '昆山市前进西路1288号',
      location: { lat: 31.3847, lng: 120.9476 },
      openHours: { open: '08:00', close: '22:00' },
      facilities: ['停车场', '淋浴间', '器材租赁', '餐饮'],
      contactPhone: '0512-57528899',
      intro: '县级市综合体育中心，羽毛球和乒乓球场地充足。',
      freeOrLowFee: false,
      photos: [],
    },
    resources: [
      ...courts('羽毛球', 5, 'badminton', courtTemplates(2500, 4500)),
      ...courts('乒乓球', 2, 'table_tennis', hourly(ALL_DAYS, 8, 22, 1500)),
    ],
  },
  {
    venue: {
      name: '姑苏区社区健身馆（平江路）',
      district: '姑苏区',
      address: '苏州市姑苏区平江路白塔东路26号',
      location: { lat: 31.3168, lng: 120.6336 },
      openHours: { open: '07:00', close: '20:00' },
      facilities: ['储物柜', '饮水机'],
      contactPhone: '0512-67271234',
      intro: '社区公益健身馆，老年人健身课程免费。',
      freeOrLowFee: true,
      freeHoursNote: '全天免费，需预约',
      photos: [],
    },
    resources: [
      {
        name: '长者健身操',
        sport: 'fitness',
        kind: 'session',
        templates: [session(ALL_DAYS, '08:30', '09:30', 0, 25), session(ALL_DAYS, '15:00', '16:00', 0, 25)],
      },
      ...courts('乒乓球', 2, 'table_tennis', hourly(ALL_DAYS, 8, 20, 0)),
    ],
  },
];
