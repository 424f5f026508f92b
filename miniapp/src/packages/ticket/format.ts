import type { Ticket } from '@citysport/shared';
import { dayOf, dayTitle, timeRange } from '../../utils/time';

export const TICKET_STATUS_ZH: Record<Ticket['status'], string> = { valid: '待使用', used: '已使用', revoked: '已取消' };

/** '11月21日 周六 19:00–21:00' */
export function ticketWhen(t: Ticket): string {
  return `${dayTitle(dayOf(t.startAt))} ${timeRange(t.startAt, t.endAt)}`;
}

export const seatLabel = (seat: number) => `第${seat}人`;
