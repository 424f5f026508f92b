import { formatShanghai, EVENT_SPORT_LABELS_ZH, EVENT_STATUS_LABELS_ZH, type EventSummaryDto } from '@citysport/shared';

export const yuan = (fen: number) => (fen === 0 ? '免费' : `¥${(fen / 100).toFixed(fen % 100 === 0 ? 0 : 2)}`);
export const when = (iso: string) => formatShanghai(iso, 'YYYY年M月D日 HH:mm');
export const day = (iso: string) => formatShanghai(iso, 'M月D日');
export const sportZh = (s: string) => (EVENT_SPORT_LABELS_ZH as Record<string, string>)[s] ?? s;
export const statusZh = (s: EventSummaryDto['status']) => EVENT_STATUS_LABELS_ZH[s];
export const modeZh = (m: string) => (m === 'lottery' ? '抽签' : '先到先得');
