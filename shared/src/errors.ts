/**
 * Stable error codes of the HTTP API (ARCHITECTURE.md, "HTTP API conventions").
 * Clients and tests key on `code`; the status is fixed per code so the server and the
 * mini-program agree on what each one means.
 */
export const ERRORS = {
  VALIDATION_FAILED: 400,
  BAD_JSON: 400,
  UNAUTHENTICATED: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  LOGIN_CODE_INVALID: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  USER_NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  UPSTREAM_UNAVAILABLE: 502,
  INTERNAL: 500,
  // venues and bookings
  VENUE_NOT_FOUND: 404,
  SLOT_NOT_FOUND: 404,
  SLOT_SOLD_OUT: 409,
  SLOT_NOT_RELEASED: 422,
  SLOT_CLOSED: 409,
  SLOT_STARTED: 422,
  BOOKING_NOT_FOUND: 404,
  BOOKING_NOT_CANCELLABLE: 409,
  BAN_NOT_FOUND: 404,
  RESOURCE_NOT_FOUND: 404,
  BOOKING_LIMIT_REACHED: 422,
  BOOKING_BANNED: 403,
  CANCEL_WINDOW_CLOSED: 422,
  // orders and payment
  ORDER_NOT_PAYABLE: 409,
  ORDER_EXPIRED: 409,
  /** the order's amount is fixed for WeChat Pay: vouchers can no longer change */
  ORDER_LOCKED: 409,
  /** WeChat reported a payment of another amount than the order's: flagged for an admin, not applied */
  PAYMENT_AMOUNT_MISMATCH: 409,
  REFUND_NOT_ALLOWED: 422,
  VOUCHER_NOT_APPLICABLE: 422,
  VOUCHER_NOT_FOUND: 404,
  VOUCHER_SOLD_OUT: 409,
  VOUCHER_LIMIT_REACHED: 422,
  // tickets
  TICKET_ALREADY_USED: 409,
  TICKET_INVALID: 400,
  TICKET_EXPIRED: 409,
  TICKET_NOT_FOR_THIS_VENUE: 403,
  TICKET_NOT_YET_VALID: 409,
  TICKET_REVOKED: 409,
  TICKET_NOT_FOUND: 404,
  // data centre (issue 17)
  FEED_EVENT_NOT_QUARANTINED: 404,
  DATA_CENTRE_RANGE_TOO_LONG: 422,
} as const;

export type ErrorCode = keyof typeof ERRORS;

export function statusOf(code: ErrorCode): number {
  return ERRORS[code];
}

/** The error body every failed request carries. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Chinese messages for the mini-program's toasts; the server's `message` is for developers. */
export const ERROR_MESSAGES_ZH: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: '填写的信息有误，请检查后重试',
  UNAUTHENTICATED: '请先登录',
  TOKEN_INVALID: '登录已失效，请重新登录',
  TOKEN_EXPIRED: '登录已过期，请重新登录',
  LOGIN_CODE_INVALID: '登录失败，请重试',
  FORBIDDEN: '没有权限进行此操作',
  NOT_FOUND: '内容不存在',
  METHOD_NOT_ALLOWED: '不支持该操作',
  RATE_LIMITED: '操作太频繁，请稍后再试',
  UPSTREAM_UNAVAILABLE: '微信服务暂时不可用，请稍后再试',
  INTERNAL: '服务器开小差了，请稍后再试',
  SLOT_SOLD_OUT: '该时段已被订满',
  SLOT_NOT_RELEASED: '该时段尚未开放预订',
  SLOT_CLOSED: '该时段已关闭',
  SLOT_STARTED: '该时段已开始，无法预订',
  BOOKING_NOT_FOUND: '预订不存在',
  BOOKING_NOT_CANCELLABLE: '该预订当前不可取消',
  IDEMPOTENCY_KEY_REUSED: '请求重复，请刷新后重试',
  BOOKING_LIMIT_REACHED: '已达到预订上限',
  BOOKING_BANNED: '因多次爽约，暂时无法预订',
  CANCEL_WINDOW_CLOSED: '已过可取消时间',
  ORDER_NOT_PAYABLE: '订单当前不可支付',
  ORDER_EXPIRED: '订单已过期',
  ORDER_LOCKED: '订单已提交支付，不能再更换消费券',
  PAYMENT_AMOUNT_MISMATCH: '支付金额与订单不符，已转人工核对',
  REFUND_NOT_ALLOWED: '该订单不可退款',
  VOUCHER_NOT_APPLICABLE: '该消费券不适用于此订单',
  VOUCHER_NOT_FOUND: '消费券不存在',
  VOUCHER_SOLD_OUT: '消费券已领完',
  VOUCHER_LIMIT_REACHED: '已达到领取上限',
  TICKET_ALREADY_USED: '票券已核销',
  TICKET_INVALID: '无效的票券',
  TICKET_EXPIRED: '票券不在有效期内',
  TICKET_NOT_FOR_THIS_VENUE: '非本场馆票券',
  TICKET_NOT_YET_VALID: '未到入场时间（开场前30分钟可入场）',
  TICKET_REVOKED: '该票券已取消',
  TICKET_NOT_FOUND: '票券不存在',
  // data centre (issue 17)
  FEED_EVENT_NOT_QUARANTINED: '该事件不在隔离区',
  DATA_CENTRE_RANGE_TOO_LONG: '查询时间范围过长（最多 400 天）',
};
