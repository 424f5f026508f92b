import { VERIFICATION_RESULT_OF_ERROR, formatShanghai, type Ticket, type TicketCodeFields } from '@citysport/shared';
import { errorMessageZh, isApiError, NETWORK_ERROR } from '../../api/errors';
import type { OfflineResult } from './offline';

/** what the full-screen result shows */
export interface Outcome {
  admitted: boolean;
  /** the verification result (VERIFICATION_RESULTS) or an error code */
  code: string;
  title: string;
  reason?: string;
  hint?: string;
  ticket?: Ticket;
  /** offline admission: only what the signed code says */
  window?: string;
  offline: boolean;
  /** the network failed and the gate fell back to offline checking for this scan */
  autoOffline?: boolean;
  at: string;
}

export const REJECT_ZH: Record<Exclude<OfflineResult, 'admitted'>, { reason: string; hint: string }> = {
  already_used: { reason: '已核销', hint: '该票券已入场，不能重复使用' },
  not_for_this_venue: { reason: '非本场馆票券', hint: '请核对场馆名称' },
  not_yet_open: { reason: '未到入场时间', hint: '开场前30分钟可入场' },
  expired: { reason: '已过期', hint: '二维码已过期或场次已结束；请对方刷新二维码后重试' },
  revoked: { reason: '已取消', hint: '该预订已取消或已退款' },
  invalid: { reason: '无效票券', hint: '不是本系统的入场码，或二维码已被篡改' },
};

const ERROR_TO_RESULT: Record<string, Exclude<OfflineResult, 'admitted'>> = {
  ...VERIFICATION_RESULT_OF_ERROR,
  TICKET_NOT_FOUND: 'invalid',
  VALIDATION_FAILED: 'invalid',
};

export { isNetworkError } from '../../api/errors';
export const shortTime = (iso: string) => formatShanghai(iso, 'M月D日 HH:mm:ss');

/** The result of checking a code on this device against the offline pack. */
export function offlineOutcome(
  result: OfflineResult,
  fields: TicketCodeFields | null,
  usedAt: string | undefined,
  scannedAt: string,
  auto: boolean,
): Outcome {
  const window = fields
    ? `${formatShanghai(fields.validFromMin * 60_000, 'M月D日 HH:mm')}–${formatShanghai(fields.validToMin * 60_000, 'HH:mm')} 可入场`
    : undefined;
  if (result === 'admitted')
    return { admitted: true, code: 'admitted', title: '允许入场', window, offline: true, autoOffline: auto, at: scannedAt };
  const zh = REJECT_ZH[result];
  return {
    admitted: false,
    code: result,
    title: '禁止入场',
    reason: zh.reason,
    hint: result === 'already_used' && usedAt ? `本机已于 ${shortTime(usedAt)} 核销` : zh.hint,
    window,
    offline: true,
    autoOffline: auto,
    at: scannedAt,
  };
}

/** The network failed and there is no offline pack to fall back on. */
export const networkOutcome = (scannedAt: string): Outcome => ({
  admitted: false,
  code: NETWORK_ERROR,
  title: '未能核验',
  reason: '网络异常',
  hint: '请检查网络后重试；网络不稳定时请先下载离线包',
  offline: false,
  at: scannedAt,
});

/** The server refused the code: why, in words the gate staff can tell the visitor. */
export function rejectedOutcome(
  e: unknown,
  ctx: { venueId: string; device: string; venueName: (id: string) => string | undefined },
  scannedAt: string,
): Outcome {
  const mapped = isApiError(e) ? ERROR_TO_RESULT[e.code] : undefined;
  let hint = mapped ? REJECT_ZH[mapped].hint : errorMessageZh(e);
  let reason = mapped ? REJECT_ZH[mapped].reason : '无法核验';
  if (isApiError(e) && e.code === 'TICKET_ALREADY_USED') {
    const d = (e.details ?? {}) as { usedAt?: unknown; venueId?: unknown; deviceId?: unknown };
    const where = typeof d.venueId === 'string' ? (ctx.venueName(d.venueId) ?? (d.venueId === ctx.venueId ? '本场馆' : '其他场馆')) : '';
    const gate = typeof d.deviceId === 'string' && d.deviceId ? (d.deviceId === ctx.device ? '（本机）' : `（设备 ${d.deviceId}）`) : '';
    hint = typeof d.usedAt === 'string' ? `已于 ${shortTime(d.usedAt)} 在 ${where || '本场馆'}${gate} 核销` : hint;
  }
  if (isApiError(e) && e.code === 'FORBIDDEN') {
    reason = '无核验权限';
    hint = '您不是本场馆的核验员';
  }
  return {
    admitted: false,
    code: mapped ?? (isApiError(e) ? e.code : 'UNKNOWN'),
    title: '禁止入场',
    reason,
    hint,
    offline: false,
    at: scannedAt,
  };
}
