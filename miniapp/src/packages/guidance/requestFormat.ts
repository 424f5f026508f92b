import type { StatusTone } from '../../components/StatusTag';
import type { RequestOut } from '../../api/guidance';

/** An organisation's request in words: waiting for a match, an instructor arranged, delivered, … */
export function requestStatus(r: Pick<RequestOut, 'status' | 'sessionStatus'>): { text: string; tone: StatusTone } {
  if (r.status === 'open') return { text: '待匹配指导员', tone: 'warning' };
  switch (r.sessionStatus) {
    case 'delivered':
      return { text: '已完成', tone: 'success' };
    case 'not_delivered':
      return { text: '未履约', tone: 'danger' };
    case 'cancelled':
      return { text: '已取消', tone: 'muted' };
    default:
      return { text: '已安排指导员', tone: 'info' };
  }
}
