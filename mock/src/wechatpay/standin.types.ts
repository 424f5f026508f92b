import type { WechatPayKeyMaterial } from './keys';
import type { WechatPaySignMode } from './protocol';
import type { NotificationEventType, NotificationOriginalType } from './notification';

/** The stand-in's public types (what WeChat shows, options, views) and its internal records. */
export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';
export type RefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';

export const TRADE_STATE_DESC: Record<TradeState, string> = {
  SUCCESS: '支付成功',
  REFUND: '订单发生过退款',
  NOTPAY: '订单未支付',
  CLOSED: '订单已关闭',
  REVOKED: '已撤销（付款码支付）',
  USERPAYING: '用户支付中（付款码支付）',
  PAYERROR: '支付失败，请重新下单支付',
};

/** The transaction object as WeChat returns it from the query APIs and encrypts into TRANSACTION.* notifications. */
export interface WechatTransactionObject {
  appid: string;
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_type: 'JSAPI';
  trade_state: TradeState;
  trade_state_desc: string;
  bank_type?: string;
  attach?: string;
  success_time?: string;
  payer: { openid: string };
  amount: { total: number; payer_total?: number; currency: string; payer_currency: string };
}

/** The refund object as the refund APIs return it. */
export interface WechatRefundObject {
  refund_id: string;
  out_refund_no: string;
  transaction_id: string;
  out_trade_no: string;
  channel: 'ORIGINAL';
  user_received_account: string;
  success_time?: string;
  create_time: string;
  status: RefundStatus;
  funds_account: string;
  amount: {
    total: number;
    refund: number;
    from: unknown[];
    payer_total: number;
    payer_refund: number;
    settlement_refund: number;
    settlement_total: number;
    discount_refund: number;
    currency: string;
    refund_fee: number;
  };
  promotion_detail: unknown[];
}

/** What REFUND.* notifications carry once decrypted (a different shape from the refund object). */
export interface WechatRefundNotificationResource {
  mchid: string;
  transaction_id: string;
  out_trade_no: string;
  refund_id: string;
  out_refund_no: string;
  refund_status: RefundStatus;
  success_time?: string;
  user_received_account: string;
  amount: { total: number; refund: number; payer_total: number; payer_refund: number };
}

export interface TransactionView {
  prepay_id: string;
  /** every prepay id issued for this order (a new one after the 2-hour validity) */
  prepay_ids: string[];
  description: string;
  notify_url: string;
  time_expire?: string;
  created_at: string;
  closed_at?: string;
  refunded_fen: number;
  /** as the query API answers */
  transaction: WechatTransactionObject;
}

export interface RefundView {
  source: 'api' | 'outside';
  reason?: string;
  notify_url?: string;
  refund: WechatRefundObject;
}

export interface NotificationAttempt {
  copy: number;
  /** 0 for the first delivery, n for the n-th retry */
  attempt: number;
  at: string;
  /** milliseconds since the notification was first due */
  elapsedMs: number;
  status: number | null;
  error?: string;
  acknowledged: boolean;
}

export interface NotificationView {
  id: string;
  event_type: NotificationEventType;
  original_type: NotificationOriginalType;
  url: string;
  out_trade_no: string;
  out_refund_no?: string;
  created_at: string;
  /** the same notification delivered this many times, concurrently (each copy retried on its own) */
  copies: number;
  /** per copy: still being retried, acknowledged with 200/204, or given up after the last retry */
  copyStatus: ('pending' | 'acknowledged' | 'gave_up')[];
  acknowledged: boolean;
  pending: boolean;
  attempts: NotificationAttempt[];
  /** the exact JSON body sent */
  body: string;
}

export interface WechatPayStandInOptions {
  keys: WechatPayKeyMaterial;
  /** how long after acceptance a fapiao is issued or reversed (default 0: at the next query) */
  fapiaoDelayMs?: number;
  signMode: WechatPaySignMode;
  /** replaces WeChat's retry intervals (WECHAT_NOTIFY_RETRY_SCHEDULE_MS), e.g. [50, 50, 100] in tests */
  retryScheduleMs?: number[];
  /** WeChat's clock: business times, expiry, bills, and the Wechatpay-Timestamp of responses and notifications */
  now?: () => Date;
  log?: (m: string) => void;
  /** how long a refund stays PROCESSING before SUCCESS (default 1000 ms) */
  refundDelayMs?: number;
  /** WeChat gives up on a delivery after 5 s */
  notifyTimeoutMs?: number;
  /** host of the bill download_url (default WeChat's, which the merchant's URL rewriting maps to the stand-in) */
  billDownloadHost?: string;
  /** 'next-day': a day's bill exists from 10:00 (Asia/Shanghai) the next day, STATEMENT_CREATING before; default 'immediately' */
  billsReady?: 'immediately' | 'next-day';
}

export interface ConfirmPaymentOptions {
  /** the first delivery waits this long */
  delayMs?: number;
  /** deliver the same notification this many times (1–20), concurrently; each copy is retried on its own */
  times?: number;
  /** false: paid at WeChat, but no notification is sent (reconciliation tests) */
  notify?: boolean;
  /** what the payer paid when a coupon covered the rest (default: the total) */
  payerTotalFen?: number;
}

/**
 * A fault the stand-in plays on its /v3 answers (tests of the merchant's wrapper): the answer is
 * computed as usual — WeChat's state changes — and then held, delayed, replaced by a 5xx, or sent
 * with a forged or no signature. With `before`, the hold, delay or 5xx comes before the work: a
 * 5xx then changes nothing, and a delayed request is worked on after the delay (when the merchant
 * may have given up waiting).
 */
export interface ResponseFault {
  /** e.g. 'POST /v3/pay/transactions/jsapi'; a prefix of `METHOD path` (the query string is ignored) */
  route: string;
  /** answer only after this resolves (a test's gate) */
  hold?: Promise<void>;
  delayMs?: number;
  /** answer this 5xx with WeChat's SYSTEM_ERROR body (signed, as WeChat signs its error answers) */
  status?: 500 | 502 | 503 | 504;
  /** play the fault before the work instead of after it (default: after) */
  before?: boolean;
  /** 'forged': signed over another body; 'missing': no Wechatpay-* headers at all */
  signature?: 'forged' | 'missing';
  /** how many answers it applies to (default: until cleared) */
  times?: number;
}

/** An error of the stand-in's own /mock endpoints and helpers. */
export class StandInError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** WeChat's error body {code, message, detail?} with its HTTP status. */
export class WechatError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: { field?: string; value?: unknown; issue?: string; location?: string },
  ) {
    super(message);
  }
}

export function paramError(field: string, value: unknown, issue: string, location = 'body'): WechatError {
  return new WechatError(400, 'PARAM_ERROR', `参数错误：${issue}`, { field, value, issue, location });
}

export interface TxRecord {
  appid: string;
  mchid: string;
  description: string;
  out_trade_no: string;
  attach?: string;
  notify_url: string;
  time_expire?: string;
  expiresAt?: Date;
  total: number;
  currency: string;
  openid: string;
  requestKey: string;
  prepay: { id: string; issuedAt: Date }[];
  createdAt: Date;
  state: TradeState;
  closedAt?: Date;
  transaction_id?: string;
  successAt?: Date;
  payerTotal?: number;
  bankType?: string;
}

export interface RefundRecord {
  source: 'api' | 'outside';
  refund_id: string;
  out_refund_no: string;
  out_trade_no: string;
  reason?: string;
  notify_url?: string;
  refund: number;
  total: number;
  payerRefund: number;
  discountRefund: number;
  status: RefundStatus;
  createdAt: Date;
  successAt?: Date;
  requestKey: string;
}

export interface NotificationRecord extends Omit<NotificationView, 'acknowledged' | 'pending'> {
  firstDueAt: number;
}
