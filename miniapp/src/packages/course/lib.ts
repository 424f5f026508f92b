import {
  COURSE_LEVEL_LABELS_ZH,
  COURSE_SPORT_LABELS_ZH,
  DISTRICTS,
  ENROLMENT_STATUS_LABELS_ZH,
  inShanghai,
  type CourseLevel,
  type CourseSport,
  type EnrolmentStatus,
} from '@citysport/shared';

export const COURSE_PAGE = '/packages/course/index';
export const MINE_PAGE = '/packages/course/mine';
export const detailUrl = (id: string) => `/packages/course/detail?id=${id}`;
export const enrolUrl = (id: string) => `/packages/course/enrol?id=${id}`;
export const attendanceUrl = (id: string) => `/packages/course/attendance?id=${id}`;
export const sportZh = (s: string) => COURSE_SPORT_LABELS_ZH[s as CourseSport] ?? s;
export const levelZh = (l: string) => COURSE_LEVEL_LABELS_ZH[l as CourseLevel] ?? l;
export const statusZh = (s: string) => ENROLMENT_STATUS_LABELS_ZH[s as EnrolmentStatus] ?? s;
/** the sports courses are offered in most (the filter chips) */
export const SPORT_OPTIONS = (['swimming', 'tennis', 'basketball', 'taichi', 'badminton', 'table_tennis', 'football', 'yoga'] as const).map(
  (s) => ({ key: s, label: COURSE_SPORT_LABELS_ZH[s] }),
);
export const AGE_OPTIONS = [
  { key: 6, label: '6岁' },
  { key: 9, label: '9岁' },
  { key: 12, label: '12岁' },
  { key: 15, label: '15岁' },
  { key: 30, label: '成人' },
  { key: 60, label: '60岁+' },
];
export const DISTRICT_OPTIONS = DISTRICTS;
export const yuan = (fen: number) => (fen === 0 ? '免费' : `¥${(fen / 100).toFixed(fen % 100 === 0 ? 0 : 2)}`);
export const when = (iso: string) => inShanghai(iso).format('M月D日 HH:mm');
export const lessonWhen = (startAt: string, endAt: string) =>
  `${inShanghai(startAt)
    .format('M月D日 ddd HH:mm')
    .replace(/Sun|Mon|Tue|Wed|Thu|Fri|Sat/, (d) => WEEKDAY_ZH[d])}–${inShanghai(endAt).format('HH:mm')}`;
const WEEKDAY_ZH: Record<string, string> = { Sun: '周日', Mon: '周一', Tue: '周二', Wed: '周三', Thu: '周四', Fri: '周五', Sat: '周六' };
export const ageRange = (min: number, max: number) => (max >= 80 ? `${min}岁以上` : `${min}–${max}岁`);
/** a fresh key per tap of 提交报名: a retry of the same tap is answered from the first */
export const newKey = () => `enrol-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
