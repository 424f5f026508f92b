import {
  CLUB_ROLE_LABELS_ZH,
  CLUB_SPORT_LABELS_ZH,
  CLUB_SPORTS,
  DISTRICTS,
  inShanghai,
  type ClubRole,
  type ClubSport,
} from '@citysport/shared';

export const CLUB_PAGE = '/packages/club/index';
export const detailUrl = (id: string) => `/packages/club/detail?id=${id}`;
export const adminUrl = (id: string) => `/packages/club/admin?id=${id}`;
export const sportZh = (s: string) => CLUB_SPORT_LABELS_ZH[s as ClubSport] ?? s;
export const roleZh = (r: string) => CLUB_ROLE_LABELS_ZH[r as ClubRole] ?? r;
export const SPORT_OPTIONS = CLUB_SPORTS.map((s) => ({ key: s, label: CLUB_SPORT_LABELS_ZH[s] }));
export const DISTRICT_OPTIONS = DISTRICTS;
export const yuan = (fen: number) => (fen === 0 ? '免费' : `¥${(fen / 100).toFixed(fen % 100 === 0 ? 0 : 2)}`);
export const when = (iso: string) => inShanghai(iso).format('MM月DD日 HH:mm');
export const day = (iso: string) => inShanghai(iso).format('YYYY-MM-DD');
/** a fresh key per tap of 缴纳会费: a retry of the same tap is answered from the first */
export const newKey = () => `dues-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

export const venueUrl = (venueId: string) => `/packages/venue/index?id=${encodeURIComponent(venueId)}`;
/** the court line of an activity: venue, court, time (from the booking) */
export const courtLine = (b: { venueName: string; resourceName: string; startAt: string; endAt: string }) =>
  `${b.venueName} · ${b.resourceName} · ${inShanghai(b.startAt).format('MM月DD日 HH:mm')}-${inShanghai(b.endAt).format('HH:mm')}`;
export const COURT_STATUS_ZH: Record<string, string> = {
  held: '场地待支付',
  confirmed: '场地已订',
  cancelled: '场地已退订',
  expired: '场地预约已过期',
  used: '场地已使用',
  no_show: '场地未到场',
};
export const COURT_OUTCOME_ZH = {
  cancelled: '活动取消，场地已退订',
  kept: '活动取消，场地保留',
  window_closed: '已过免费退订时间，场地保留',
} as const;
