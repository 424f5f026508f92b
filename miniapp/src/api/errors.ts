import { ERROR_MESSAGES_ZH, type ErrorCode } from '@citysport/shared';

export const NETWORK_ERROR = 'NETWORK_ERROR';
export const BAD_RESPONSE = 'BAD_RESPONSE';

export const NETWORK_MESSAGE_ZH = '网络不可用，请检查网络后重试';

/** A failed API call: `code` is the server's stable code (or NETWORK_ERROR / BAD_RESPONSE / HTTP_<status>). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: string, status: number, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
    // keep `instanceof` working when classes are down-compiled
    Object.setPrototypeOf(this, ApiError.prototype);
  }
}

/** the request did not reach the server (or its answer did not come back): safe to queue and send again with the same key */
export const isNetworkError = (e: unknown): boolean => isApiError(e) && e.code === NETWORK_ERROR;

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'ApiError');
}

/** Codes the server sends that the shared ErrorCode list does not (yet) carry. */
const EXTRA_MESSAGES_ZH: Record<string, string> = {
  VOUCHER_SOLD_OUT: '消费券已被领完',
  VOUCHER_LIMIT_REACHED: '已达到该券的领取上限',
};

const BY_STATUS_ZH: Record<number, string> = {
  400: '请求有误，请检查后重试',
  401: '请先登录',
  403: '没有权限进行此操作',
  404: '内容不存在',
  409: '操作冲突，请刷新后重试',
  413: '提交的内容过大',
  422: '暂时无法办理，请稍后再试',
  429: '操作太频繁，请稍后再试',
};

/** The Chinese text shown to users for an error. */
export function errorMessageZh(e: unknown): string {
  if (!isApiError(e)) return '操作失败，请稍后重试';
  if (e.code === NETWORK_ERROR) return NETWORK_MESSAGE_ZH;
  if (e.code === BAD_RESPONSE) return '数据异常，请稍后再试';
  // not an error body of our API (a proxy or gateway answered): say so, whatever the status
  if (e.code.startsWith('HTTP_')) return `服务暂时不可用，请稍后再试（${e.status}）`;
  const known = ERROR_MESSAGES_ZH[e.code as ErrorCode];
  if (known) return known;
  if (EXTRA_MESSAGES_ZH[e.code]) return EXTRA_MESSAGES_ZH[e.code];
  if (BY_STATUS_ZH[e.status]) return BY_STATUS_ZH[e.status];
  if (e.status >= 500) return '服务器开小差了，请稍后再试';
  return '操作失败，请稍后重试';
}
