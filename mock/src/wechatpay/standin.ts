import { createHash, randomBytes, randomUUID } from 'node:crypto';
import Router, { type RouterContext } from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import forge from 'node-forge';
import { registerFapiao } from './fapiao';
import { buildTradeBill, type BillPayment, type BillRefund, type BillType } from './bill';
import { randomAlnum } from './keys';
import { buildNotificationBody, notificationHeaders, type NotificationEventType, type NotificationOriginalType } from './notification';
import {
  ENCRYPTION_ALGORITHM,
  RFC3339,
  aesGcmEncrypt,
  parseAuthorization,
  requestMessage,
  rsaSha256Verify,
  shanghaiDate,
  signedHeaders,
  toShanghaiRfc3339,
} from './protocol';

import {
  TRADE_STATE_DESC,
  StandInError,
  WechatError,
  paramError,
  type ConfirmPaymentOptions,
  type NotificationRecord,
  type NotificationView,
  type RefundRecord,
  type RefundView,
  type ResponseFault,
  type TradeState,
  type TransactionView,
  type TxRecord,
  type WechatPayStandInOptions,
  type WechatRefundNotificationResource,
  type WechatRefundObject,
  type WechatTransactionObject,
} from './standin.types';
import {
  AUTH_MAX_SKEW_S,
  BILL_URL_TTL_MS,
  MAX_REFUNDS_PER_ORDER,
  PREPAY_ID_TTL_MS,
  REFUND_WINDOW_MS,
  WECHAT_HOST,
  WECHAT_NOTIFY_RETRY_SCHEDULE_MS,
  canonical,
  digits,
  isObject,
  readRawBody,
  ymd,
} from './standin.util';

export * from './standin.types';
export { WECHAT_NOTIFY_RETRY_SCHEDULE_MS } from './standin.util';

export type WechatPayStandIn = ReturnType<typeof createWechatPayStandIn>;

/**
 * WeChat Pay API v3 for one direct merchant, played protocol-faithfully on loopback: JSAPI order,
 * query, close, refund, refund query, trade bill, platform certificates; signed responses;
 * signed, encrypted notifications retried on WeChat's schedule; /mock endpoints that play the user
 * paying and refunds made outside our system.
 */
export function createWechatPayStandIn(opts: WechatPayStandInOptions) {
  const { keys, signMode } = opts;
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => {});
  const schedule = opts.retryScheduleMs ?? [...WECHAT_NOTIFY_RETRY_SCHEDULE_MS];
  const refundDelayMs = opts.refundDelayMs ?? 1000;
  const notifyTimeoutMs = opts.notifyTimeoutMs ?? 5000;
  const billHost = (opts.billDownloadHost ?? WECHAT_HOST).replace(/\/$/, '');

  const byOutTradeNo = new Map<string, TxRecord>();
  const byPrepayId = new Map<string, TxRecord>();
  const byTransactionId = new Map<string, TxRecord>();
  const refunds = new Map<string, RefundRecord>();
  const notifications: NotificationRecord[] = [];
  const bills = new Map<string, { content: string; issuedAt: Date }>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<AbortController>();
  const faults: ResponseFault[] = [];
  const requestLog: { method: string; path: string; at: Date }[] = [];
  let closed = false;

  function faultFor(method: string, path: string): ResponseFault | undefined {
    const key = `${method} ${path.split('?')[0]}`;
    const f = faults.find((x) => key.startsWith(x.route) && (x.times === undefined || x.times > 0));
    if (f && f.times !== undefined) f.times--;
    return f;
  }

  // refunds settle refundDelayMs after they are asked; a test can hold them until it has read the answer
  let refundsHeld = false;
  const heldRefunds: (() => void)[] = [];
  function settleRefund(fn: () => void) {
    if (refundsHeld) heldRefunds.push(fn);
    else later(refundDelayMs, fn);
  }

  function later(ms: number, fn: () => void) {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  }

  // ---------- objects as WeChat shows them ----------

  function refundsOf(tx: TxRecord): RefundRecord[] {
    return [...refunds.values()].filter((r) => r.out_trade_no === tx.out_trade_no);
  }

  function tradeState(tx: TxRecord): TradeState {
    if (tx.state === 'SUCCESS' && refundsOf(tx).length > 0) return 'REFUND';
    return tx.state;
  }

  function transactionObject(tx: TxRecord): WechatTransactionObject {
    const state = tradeState(tx);
    const paid = tx.transaction_id !== undefined;
    return {
      appid: tx.appid,
      mchid: tx.mchid,
      out_trade_no: tx.out_trade_no,
      ...(paid ? { transaction_id: tx.transaction_id } : {}),
      trade_type: 'JSAPI',
      trade_state: state,
      trade_state_desc: TRADE_STATE_DESC[state],
      ...(paid ? { bank_type: tx.bankType } : {}),
      ...(tx.attach !== undefined ? { attach: tx.attach } : {}),
      ...(tx.successAt ? { success_time: toShanghaiRfc3339(tx.successAt) } : {}),
      payer: { openid: tx.openid },
      amount: paid
        ? { total: tx.total, payer_total: tx.payerTotal ?? tx.total, currency: tx.currency, payer_currency: tx.currency }
        : { total: tx.total, currency: tx.currency, payer_currency: tx.currency },
    };
  }

  function refundObject(r: RefundRecord): WechatRefundObject {
    const tx = byOutTradeNo.get(r.out_trade_no)!;
    return {
      refund_id: r.refund_id,
      out_refund_no: r.out_refund_no,
      transaction_id: tx.transaction_id!,
      out_trade_no: r.out_trade_no,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      ...(r.successAt ? { success_time: toShanghaiRfc3339(r.successAt) } : {}),
      create_time: toShanghaiRfc3339(r.createdAt),
      status: r.status,
      funds_account: 'AVAILABLE',
      amount: {
        total: r.total,
        refund: r.refund,
        from: [],
        payer_total: tx.payerTotal ?? tx.total,
        payer_refund: r.payerRefund,
        settlement_refund: r.refund,
        settlement_total: r.total,
        discount_refund: r.discountRefund,
        currency: 'CNY',
        refund_fee: 0,
      },
      promotion_detail: [],
    };
  }

  function refundNotificationResource(r: RefundRecord): WechatRefundNotificationResource {
    const tx = byOutTradeNo.get(r.out_trade_no)!;
    return {
      mchid: tx.mchid,
      transaction_id: tx.transaction_id!,
      out_trade_no: r.out_trade_no,
      refund_id: r.refund_id,
      out_refund_no: r.out_refund_no,
      refund_status: r.status,
      ...(r.successAt ? { success_time: toShanghaiRfc3339(r.successAt) } : {}),
      user_received_account: '支付用户零钱',
      amount: { total: r.total, refund: r.refund, payer_total: tx.payerTotal ?? tx.total, payer_refund: r.payerRefund },
    };
  }

  function isExpired(tx: TxRecord): boolean {
    return tx.state === 'NOTPAY' && tx.expiresAt !== undefined && tx.expiresAt.getTime() <= now().getTime();
  }

  // ---------- notifications ----------

  function notify(
    eventType: NotificationEventType,
    originalType: NotificationOriginalType,
    resource: unknown,
    url: string,
    refs: { out_trade_no: string; out_refund_no?: string },
    o: { delayMs?: number; times?: number } = {},
  ): string {
    const built = buildNotificationBody(keys, eventType, originalType, resource, { createdAt: now() });
    const copies = Math.min(20, Math.max(1, Math.floor(o.times ?? 1)));
    const rec: NotificationRecord = {
      id: built.id,
      event_type: eventType,
      original_type: originalType,
      url,
      ...refs,
      created_at: new Date().toISOString(),
      copies,
      copyStatus: Array.from({ length: copies }, () => 'pending' as const),
      attempts: [],
      body: built.body,
      firstDueAt: Date.now() + (o.delayMs ?? 0),
    };
    notifications.push(rec);
    for (let copy = 0; copy < copies; copy++) later(o.delayMs ?? 0, () => void deliver(rec, copy, 0));
    return built.id;
  }

  async function deliver(rec: NotificationRecord, copy: number, attempt: number): Promise<void> {
    const controller = new AbortController();
    inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), notifyTimeoutMs);
    const startedAt = Date.now();
    let status: number | null = null;
    let error: string | undefined;
    try {
      // each delivery is signed afresh, so a retry hours later still carries a current timestamp
      const res = await fetch(rec.url, {
        method: 'POST',
        headers: { ...notificationHeaders(keys, signMode, rec.body, now()), 'User-Agent': 'Mozilla/4.0 (WeChat Pay stand-in)' },
        body: rec.body,
        signal: controller.signal,
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      error = controller.signal.aborted ? (closed ? 'stand-in closed' : `no answer within ${notifyTimeoutMs} ms`) : (err as Error).message;
    } finally {
      clearTimeout(timeout);
      inFlight.delete(controller);
    }
    const acknowledged = status === 200 || status === 204;
    rec.attempts.push({
      copy,
      attempt,
      at: new Date(startedAt).toISOString(),
      elapsedMs: startedAt - rec.firstDueAt,
      status,
      ...(error ? { error } : {}),
      acknowledged,
    });
    log(`[wechatpay] ${rec.event_type} ${rec.id} copy ${copy} attempt ${attempt} → ${status ?? error}`);
    if (acknowledged) rec.copyStatus[copy] = 'acknowledged';
    else if (closed) return;
    else if (attempt < schedule.length) later(schedule[attempt], () => void deliver(rec, copy, attempt + 1));
    else rec.copyStatus[copy] = 'gave_up';
  }

  // ---------- the user's side and the merchant platform ----------

  function confirmPayment(prepayId: string, o: ConfirmPaymentOptions = {}): { transaction_id: string } {
    const tx = byPrepayId.get(prepayId);
    if (!tx) throw new StandInError(404, 'PREPAY_ID_NOT_FOUND', `unknown prepay_id ${prepayId}`);
    const issued = tx.prepay.find((p) => p.id === prepayId)!;
    if (tx.state === 'SUCCESS') throw new StandInError(409, 'ORDER_PAID', 'the order is already paid');
    if (tx.state === 'CLOSED' || isExpired(tx)) throw new StandInError(409, 'ORDER_CLOSED', 'the order is closed or past time_expire');
    if (now().getTime() - issued.issuedAt.getTime() > PREPAY_ID_TTL_MS)
      throw new StandInError(409, 'PREPAY_ID_EXPIRED', 'prepay_id is valid for 2 hours; order again to get a new one');
    const payerTotal = o.payerTotalFen ?? tx.total;
    if (!Number.isInteger(payerTotal) || payerTotal < 1 || payerTotal > tx.total)
      throw new StandInError(400, 'INVALID_PAYER_TOTAL', 'payerTotalFen must be an integer in 1..total');
    tx.state = 'SUCCESS';
    tx.successAt = now();
    tx.payerTotal = payerTotal;
    tx.bankType = 'OTHERS';
    tx.transaction_id = `42000${digits(5)}${ymd(tx.successAt)}${digits(10)}`;
    byTransactionId.set(tx.transaction_id, tx);
    log(`[wechatpay] paid ${tx.out_trade_no} → ${tx.transaction_id}`);
    if (o.notify !== false)
      notify('TRANSACTION.SUCCESS', 'transaction', transactionObject(tx), tx.notify_url, { out_trade_no: tx.out_trade_no }, o);
    return { transaction_id: tx.transaction_id };
  }

  function refundable(tx: TxRecord): number {
    return tx.total - refundsOf(tx).reduce((s, r) => s + (r.status === 'CLOSED' || r.status === 'ABNORMAL' ? 0 : r.refund), 0);
  }

  function splitRefund(tx: TxRecord, refund: number) {
    const payerTotal = tx.payerTotal ?? tx.total;
    const payerRefund = Math.min(refund, Math.round((refund * payerTotal) / tx.total));
    return { payerRefund, discountRefund: refund - payerRefund };
  }

  /** A refund made on the merchant platform, outside our system: no notification reaches us. */
  function refundOutside(outTradeNo: string, amountFen: number): WechatRefundObject {
    const tx = byOutTradeNo.get(outTradeNo);
    if (!tx || tx.transaction_id === undefined) throw new StandInError(404, 'RESOURCE_NOT_EXISTS', 'order not found or not paid');
    if (!Number.isInteger(amountFen) || amountFen < 1) throw new StandInError(400, 'PARAM_ERROR', 'amountFen must be a positive integer');
    if (refundsOf(tx).length >= MAX_REFUNDS_PER_ORDER) throw new StandInError(400, 'INVALID_REQUEST', 'at most 50 refunds per order');
    if (amountFen > refundable(tx)) throw new StandInError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
    const at = now();
    const rec: RefundRecord = {
      source: 'outside',
      refund_id: `50${digits(9)}${ymd(at)}${digits(10)}`,
      out_refund_no: `MP${ymd(at)}${randomBytes(6).toString('hex').toUpperCase()}`,
      out_trade_no: outTradeNo,
      reason: 'merchant platform',
      refund: amountFen,
      total: tx.total,
      ...splitRefund(tx, amountFen),
      status: 'SUCCESS',
      createdAt: at,
      successAt: at,
      requestKey: '',
    };
    refunds.set(rec.out_refund_no, rec);
    return refundObject(rec);
  }

  // ---------- HTTP: request verification and signed responses ----------

  function verifyMerchant(method: string, pathWithQuery: string, rawBody: string, header: string | undefined) {
    const auth = parseAuthorization(header);
    if (!auth) throw new WechatError(401, 'SIGN_ERROR', 'Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》');
    if (auth.mchid !== keys.mchid) throw new WechatError(401, 'SIGN_ERROR', '商户号不存在或未开通APIv3');
    if (auth.serial_no.toUpperCase() !== keys.merchant.serialNo.toUpperCase())
      throw new WechatError(401, 'SIGN_ERROR', '商户证书序列号有误。请使用签名私钥匹配的证书序列号');
    // the merchant signs with its own clock (the library uses the real one), so compare with the real one
    const ts = Number(auth.timestamp);
    if (!/^\d{1,12}$/.test(auth.timestamp) || Math.abs(Date.now() / 1000 - ts) > AUTH_MAX_SKEW_S)
      throw new WechatError(401, 'SIGN_ERROR', 'Http头Authorization中的timestamp与发起请求的时间不得超过5分钟');
    const message = requestMessage(method, pathWithQuery, auth.timestamp, auth.nonce_str, rawBody);
    if (!rsaSha256Verify(keys.merchant.certPem, message, auth.signature)) throw new WechatError(401, 'SIGN_ERROR', '签名错误');
  }

  type Ctx = RouterContext;
  type Handler = (ctx: Ctx, body: unknown) => void | Promise<void>;

  /** Every /v3 route: Request-ID, merchant signature check, WeChat's error body, Wechatpay-* signature of the answer. */
  function v3(handler: Handler, o: { unsignedSuccess?: boolean } = {}) {
    return async (ctx: Ctx) => {
      ctx.set('Request-ID', randomUUID().replace(/-/g, '').toUpperCase());
      requestLog.push({ method: ctx.method, path: ctx.path, at: now() });
      const fault = faultFor(ctx.method, ctx.path);
      let unsigned = false;
      const systemError = (status: number) => {
        ctx.status = status;
        ctx.body = { code: 'SYSTEM_ERROR', message: '系统错误' };
      };
      try {
        const raw = await readRawBody(ctx.req);
        if (fault?.before) {
          if (fault.hold) await fault.hold;
          if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        }
        if (fault?.before && fault.status) throw new WechatError(fault.status, 'SYSTEM_ERROR', '系统错误');
        verifyMerchant(ctx.method, ctx.originalUrl, raw, ctx.get('Authorization') || undefined);
        let body: unknown = undefined;
        if (raw) {
          try {
            body = JSON.parse(raw);
          } catch {
            throw new WechatError(400, 'PARAM_ERROR', '请求体不是合法的JSON');
          }
        }
        await handler(ctx, body);
        unsigned = !!o.unsignedSuccess && ctx.status === 200;
      } catch (err) {
        if (err instanceof WechatError) {
          ctx.status = err.status;
          ctx.body = { code: err.code, message: err.message, ...(err.detail ? { detail: err.detail } : {}) };
        } else {
          log(`[wechatpay] internal error: ${(err as Error).stack ?? String(err)}`);
          ctx.status = 500;
          ctx.body = { code: 'SYSTEM_ERROR', message: '系统错误' };
        }
      }
      if (fault && !fault.before) {
        if (fault.hold) await fault.hold;
        if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        // the work is done (WeChat's state changed) but the merchant is told it failed
        if (fault.status) {
          systemError(fault.status);
          unsigned = false;
        }
      }
      // WeChat does not sign bill files; the merchant checks them by hash_value
      if (unsigned) return;
      let text = '';
      if (ctx.status !== 204 && ctx.body !== undefined && ctx.body !== null) {
        text = typeof ctx.body === 'string' ? ctx.body : JSON.stringify(ctx.body);
        ctx.body = text;
        ctx.type = 'application/json; charset=utf-8';
      }
      if (fault?.signature === 'missing') return;
      const signed = signedHeaders(keys, signMode, fault?.signature === 'forged' ? `${text} ` : text, now());
      for (const [k, v] of Object.entries(signed)) ctx.set(k, v);
    };
  }

  function checkMchid(value: unknown, location: 'body' | 'query') {
    if (typeof value !== 'string' || value === '') throw paramError('mchid', value, 'mchid is required', location);
    if (value !== keys.mchid) throw new WechatError(400, 'MCH_NOT_EXISTS', '商户号不存在');
  }

  function str(
    obj: Record<string, unknown>,
    key: string,
    pointer: string,
    o: { required?: boolean; max?: number; min?: number; pattern?: RegExp } = {},
  ): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (o.required !== false) throw paramError(pointer, v, `${pointer} is required`);
      return undefined;
    }
    if (typeof v !== 'string') throw paramError(pointer, v, `${pointer} must be a string`);
    if (o.required !== false && v === '') throw paramError(pointer, v, `${pointer} must not be empty`);
    if (o.max !== undefined && [...v].length > o.max) throw paramError(pointer, v, `${pointer} is longer than ${o.max}`);
    if (o.min !== undefined && [...v].length < o.min) throw paramError(pointer, v, `${pointer} is shorter than ${o.min}`);
    if (o.pattern && !o.pattern.test(v)) throw paramError(pointer, v, `${pointer} has an invalid format`);
    return v;
  }

  function int(obj: Record<string, unknown>, key: string, pointer: string, min = 1): number {
    const v = obj[key];
    if (v === undefined) throw paramError(pointer, v, `${pointer} is required`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw paramError(pointer, v, `${pointer} must be an integer >= ${min}`);
    return v;
  }

  function obj(parent: Record<string, unknown>, key: string, pointer: string): Record<string, unknown> {
    const v = parent[key];
    if (!isObject(v)) throw paramError(pointer, v, `${pointer} is required and must be an object`);
    return v;
  }

  function validUrl(v: string, pointer: string) {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw paramError(pointer, v, `${pointer} is not a valid URL`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw paramError(pointer, v, `${pointer} must be an http(s) URL`);
    // WeChat: "通知URL必须为外网可访问的URL，不能携带参数" (https is required in production; the stand-in allows http)
    if (u.search || u.hash) throw paramError(pointer, v, `${pointer} must not carry a query string`);
  }

  // ---------- routes ----------

  const router = new Router();

  /** JSAPI (a payer's openid, answers a prepay_id) and Native (no payer, answers a code_url to scan) share the order rules. */
  const placeOrder = (kind: 'jsapi' | 'native') =>
    v3((ctx, body) => {
      if (!isObject(body)) throw paramError('/', body, 'the request body must be a JSON object');
      const appid = str(body, 'appid', '/appid', { max: 32 })!;
      checkMchid(body.mchid, 'body');
      const description = str(body, 'description', '/description', { max: 127 })!;
      const outTradeNo = str(body, 'out_trade_no', '/out_trade_no', { min: 6, max: 32, pattern: /^[0-9A-Za-z_\-|*]+$/ })!;
      const timeExpire = str(body, 'time_expire', '/time_expire', { required: false, max: 64, pattern: RFC3339 });
      const attach = str(body, 'attach', '/attach', { required: false, max: 128 });
      const notifyUrl = str(body, 'notify_url', '/notify_url', { max: 256 })!;
      validUrl(notifyUrl, '/notify_url');
      const amount = obj(body, 'amount', '/amount');
      const total = int(amount, 'total', '/amount/total');
      const currency = str(amount, 'currency', '/amount/currency', { required: false }) ?? 'CNY';
      if (currency !== 'CNY') throw paramError('/amount/currency', currency, 'currency must be CNY');
      const openid = kind === 'jsapi' ? str(obj(body, 'payer', '/payer'), 'openid', '/payer/openid', { max: 128 })! : '';
      if (appid !== keys.appid) throw new WechatError(400, 'APPID_MCHID_NOT_MATCH', 'AppID和mch_id不匹配');
      const expiresAt = timeExpire ? new Date(timeExpire) : undefined;
      if (expiresAt && Number.isNaN(expiresAt.getTime()))
        throw paramError('/time_expire', timeExpire, 'time_expire is not a valid RFC 3339 time');

      // "the same order" ignores only the payer's IP, as WeChat does
      const sceneInfo = isObject(body.scene_info) ? { ...body.scene_info, payer_client_ip: undefined } : body.scene_info;
      const requestKey = canonical({ ...body, scene_info: sceneInfo });
      const existing = byOutTradeNo.get(outTradeNo);
      if (existing) {
        if (existing.requestKey !== requestKey) throw new WechatError(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
        if (existing.state === 'SUCCESS') throw new WechatError(400, 'ORDER_PAID', '该订单已支付');
        if (existing.state === 'CLOSED' || isExpired(existing)) throw new WechatError(400, 'ORDER_CLOSED', '订单已关闭');
        let current = existing.prepay[existing.prepay.length - 1];
        if (now().getTime() - current.issuedAt.getTime() > PREPAY_ID_TTL_MS) {
          current = { id: newPrepayId(), issuedAt: now() };
          existing.prepay.push(current);
          byPrepayId.set(current.id, existing);
        }
        ctx.body = answer(kind, current.id);
        return;
      }
      if (expiresAt && expiresAt.getTime() <= now().getTime())
        throw paramError('/time_expire', timeExpire, 'time_expire must be later than the current time');
      const prepay = { id: newPrepayId(), issuedAt: now() };
      const tx: TxRecord = {
        appid,
        mchid: keys.mchid,
        description,
        out_trade_no: outTradeNo,
        attach,
        notify_url: notifyUrl,
        time_expire: timeExpire,
        expiresAt,
        total,
        currency,
        openid,
        requestKey,
        prepay: [prepay],
        createdAt: now(),
        state: 'NOTPAY',
      };
      byOutTradeNo.set(outTradeNo, tx);
      byPrepayId.set(prepay.id, tx);
      ctx.body = answer(kind, prepay.id);
    });
  const answer = (kind: 'jsapi' | 'native', prepayId: string) =>
    kind === 'jsapi' ? { prepay_id: prepayId } : { code_url: `weixin://wxpay/bizpayurl?pr=${prepayId}` };
  router.post('/v3/pay/transactions/jsapi', placeOrder('jsapi'));
  router.post('/v3/pay/transactions/native', placeOrder('native'));

  function newPrepayId(): string {
    const stamp = new Date(now().getTime() + 8 * 3600 * 1000).toISOString().replace(/\D/g, '').slice(0, 14);
    return `wx${stamp}${randomBytes(10).toString('hex')}`;
  }

  router.get(
    '/v3/pay/transactions/out-trade-no/:outTradeNo',
    v3((ctx) => {
      checkMchid(ctx.query.mchid, 'query');
      const tx = byOutTradeNo.get(ctx.params.outTradeNo);
      if (!tx) throw new WechatError(404, 'ORDER_NOT_EXIST', '订单不存在');
      ctx.body = transactionObject(tx);
    }),
  );

  router.get(
    '/v3/pay/transactions/id/:transactionId',
    v3((ctx) => {
      checkMchid(ctx.query.mchid, 'query');
      const tx = byTransactionId.get(ctx.params.transactionId);
      if (!tx) throw new WechatError(404, 'ORDER_NOT_EXIST', '订单不存在');
      ctx.body = transactionObject(tx);
    }),
  );

  router.post(
    '/v3/pay/transactions/out-trade-no/:outTradeNo/close',
    v3((ctx, body) => {
      if (!isObject(body)) throw paramError('/', body, 'the request body must be a JSON object');
      checkMchid(body.mchid, 'body');
      const tx = byOutTradeNo.get(ctx.params.outTradeNo);
      if (!tx) throw new WechatError(404, 'ORDER_NOT_EXIST', '订单不存在');
      if (tx.state === 'SUCCESS') throw new WechatError(400, 'ORDER_PAID', '订单已支付');
      // closing is re-entrant: a closed order answers 204 again
      if (tx.state !== 'CLOSED') {
        tx.state = 'CLOSED';
        tx.closedAt = now();
      }
      ctx.status = 204;
    }),
  );

  router.post(
    '/v3/refund/domestic/refunds',
    v3((ctx, body) => {
      if (!isObject(body)) throw paramError('/', body, 'the request body must be a JSON object');
      const transactionId = str(body, 'transaction_id', '/transaction_id', { required: false, max: 32 });
      const outTradeNo = str(body, 'out_trade_no', '/out_trade_no', { required: false, max: 32 });
      if (!transactionId && !outTradeNo) throw paramError('/out_trade_no', undefined, 'transaction_id or out_trade_no is required');
      const outRefundNo = str(body, 'out_refund_no', '/out_refund_no', { max: 64, pattern: /^[0-9A-Za-z_\-|*@]+$/ })!;
      const reason = str(body, 'reason', '/reason', { required: false, max: 80 });
      const notifyUrl = str(body, 'notify_url', '/notify_url', { required: false, max: 256 });
      if (notifyUrl) validUrl(notifyUrl, '/notify_url');
      const amount = obj(body, 'amount', '/amount');
      const refund = int(amount, 'refund', '/amount/refund');
      const total = int(amount, 'total', '/amount/total');
      const currency = str(amount, 'currency', '/amount/currency');
      if (currency !== 'CNY') throw paramError('/amount/currency', currency, 'currency must be CNY');

      const tx = transactionId ? byTransactionId.get(transactionId) : byOutTradeNo.get(outTradeNo!);
      if (!tx || tx.transaction_id === undefined || (transactionId && outTradeNo && tx.out_trade_no !== outTradeNo))
        throw new WechatError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
      const requestKey = canonical({ out_trade_no: tx.out_trade_no, refund, total });
      const existing = refunds.get(outRefundNo);
      if (existing) {
        if (existing.requestKey !== requestKey)
          throw new WechatError(400, 'INVALID_REQUEST', '订单金额或退款金额与之前请求不一致，请核实后再试');
        ctx.body = refundObject(existing);
        return;
      }
      if (total !== tx.total) throw new WechatError(400, 'INVALID_REQUEST', '您的请求参数与订单信息不一致');
      if (now().getTime() - tx.successAt!.getTime() > REFUND_WINDOW_MS)
        throw new WechatError(400, 'TRADE_OVERDUE', '订单已经超过可退款的最大期限（一年）');
      if (refundsOf(tx).length >= MAX_REFUNDS_PER_ORDER)
        throw new WechatError(400, 'INVALID_REQUEST', '该订单已发生50笔退款，不能继续申请退款');
      if (refund > refundable(tx)) throw new WechatError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
      const at = now();
      const rec: RefundRecord = {
        source: 'api',
        refund_id: `50${digits(9)}${ymd(at)}${digits(10)}`,
        out_refund_no: outRefundNo,
        out_trade_no: tx.out_trade_no,
        reason,
        notify_url: notifyUrl,
        refund,
        total,
        ...splitRefund(tx, refund),
        status: 'PROCESSING',
        createdAt: at,
        requestKey,
      };
      refunds.set(outRefundNo, rec);
      settleRefund(() => {
        rec.status = 'SUCCESS';
        rec.successAt = now();
        log(`[wechatpay] refund ${rec.out_refund_no} SUCCESS`);
        if (rec.notify_url)
          notify('REFUND.SUCCESS', 'refund', refundNotificationResource(rec), rec.notify_url, {
            out_trade_no: rec.out_trade_no,
            out_refund_no: rec.out_refund_no,
          });
      });
      ctx.body = refundObject(rec);
    }),
  );

  router.get(
    '/v3/refund/domestic/refunds/:outRefundNo',
    v3((ctx) => {
      const r = refunds.get(ctx.params.outRefundNo);
      if (!r) throw new WechatError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      ctx.body = refundObject(r);
    }),
  );

  router.get(
    '/v3/bill/tradebill',
    v3((ctx) => {
      const billDate = ctx.query.bill_date;
      if (typeof billDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(billDate) || Number.isNaN(Date.parse(`${billDate}T00:00:00+08:00`)))
        throw paramError('bill_date', billDate, 'bill_date must be YYYY-MM-DD', 'query');
      const billType = (ctx.query.bill_type ?? 'ALL') as string;
      if (!['ALL', 'SUCCESS', 'REFUND'].includes(billType))
        throw paramError('bill_type', billType, 'bill_type must be ALL, SUCCESS or REFUND', 'query');
      if (ctx.query.tar_type !== undefined)
        throw paramError('tar_type', ctx.query.tar_type, 'the stand-in serves uncompressed bills only', 'query');
      const today = shanghaiDate(now());
      if (billDate > today) throw paramError('bill_date', billDate, 'bill_date must not be in the future', 'query');
      if (opts.billsReady === 'next-day') {
        const readyAt = Date.parse(`${billDate}T10:00:00+08:00`) + 24 * 3600 * 1000;
        if (now().getTime() < readyAt) throw new WechatError(400, 'STATEMENT_CREATING', '账单生成中');
      }
      const dayOf = (d: Date) => shanghaiDate(d) === billDate;
      const payments: BillPayment[] = [];
      for (const tx of byOutTradeNo.values()) if (tx.successAt && dayOf(tx.successAt)) payments.push(billPayment(tx));
      const billRefunds: BillRefund[] = [];
      for (const r of refunds.values()) {
        if (!dayOf(r.createdAt)) continue;
        const tx = byOutTradeNo.get(r.out_trade_no)!;
        billRefunds.push({
          at: r.createdAt,
          successAt: r.successAt,
          payment: billPayment(tx),
          refund_id: r.refund_id,
          out_refund_no: r.out_refund_no,
          refundFen: r.refund,
          discountRefundFen: r.discountRefund,
          status: r.status,
        });
      }
      const bill = buildTradeBill(billType as BillType, payments, billRefunds);
      if (bill.rows === 0) throw new WechatError(400, 'NO_STATEMENT_EXIST', '账单文件不存在');
      const token = randomBytes(24).toString('base64url');
      bills.set(token, { content: bill.content, issuedAt: now() });
      ctx.body = {
        hash_type: 'SHA1',
        hash_value: createHash('sha1').update(bill.content, 'utf8').digest('hex'),
        download_url: `${billHost}/v3/billdownload/file?token=${token}`,
      };
    }),
  );

  function billPayment(tx: TxRecord): BillPayment {
    return {
      at: tx.successAt!,
      appid: tx.appid,
      mchid: tx.mchid,
      transaction_id: tx.transaction_id!,
      out_trade_no: tx.out_trade_no,
      openid: tx.openid,
      trade_type: 'JSAPI',
      bank_type: tx.bankType ?? 'OTHERS',
      totalFen: tx.total,
      payerTotalFen: tx.payerTotal ?? tx.total,
      description: tx.description,
      attach: tx.attach ?? '',
    };
  }

  router.get(
    '/v3/billdownload/file',
    v3(
      (ctx) => {
        const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
        const bill = bills.get(token);
        if (!bill || now().getTime() - bill.issuedAt.getTime() > BILL_URL_TTL_MS)
          throw new WechatError(400, 'INVALID_REQUEST', '账单下载链接无效或已过期，请重新申请账单');
        ctx.status = 200;
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = bill.content;
      },
      { unsignedSuccess: true },
    ),
  );

  router.get(
    '/v3/certificates',
    v3((ctx) => {
      const cert = forge.pki.certificateFromPem(keys.platform.certPem);
      const nonce = randomAlnum(12);
      ctx.body = {
        data: [
          {
            serial_no: keys.platform.serialNo,
            effective_time: toShanghaiRfc3339(cert.validity.notBefore),
            expire_time: toShanghaiRfc3339(cert.validity.notAfter),
            encrypt_certificate: {
              algorithm: ENCRYPTION_ALGORITHM,
              nonce,
              associated_data: 'certificate',
              ciphertext: aesGcmEncrypt(keys.apiV3Key, nonce, 'certificate', keys.platform.certPem),
            },
          },
        ],
      };
    }),
  );

  // 电子发票 (new-tax-control-fapiao): apply, query, reverse, files and the PDF
  const fapiao = registerFapiao(router, v3, { mchid: keys.mchid, now, host: billHost, delayMs: opts.fapiaoDelayMs ?? 0 });

  // ---------- /mock: plays the user and the merchant platform (not WeChat API; unsigned) ----------

  function mockError(ctx: { status: number; body: unknown }, err: unknown) {
    if (err instanceof StandInError) {
      ctx.status = err.status;
      ctx.body = { code: err.code, message: err.message };
      return;
    }
    throw err;
  }

  // "scan and pay" a Native code_url (tests, the demo): the payer's openid, then as a confirmed payment
  router.post('/mock/pay/native/scan', bodyParser({ enableTypes: ['json'] }), (ctx) => {
    const b = (isObject(ctx.request.body) ? ctx.request.body : {}) as { codeUrl?: unknown; openid?: unknown };
    try {
      const pr =
        typeof b.codeUrl === 'string' && b.codeUrl.startsWith('weixin://wxpay/bizpayurl?')
          ? new URL(b.codeUrl).searchParams.get('pr')
          : null;
      const tx = pr ? byPrepayId.get(pr) : undefined;
      if (!pr || !tx) throw new StandInError(404, 'ORDER_NOT_EXIST', 'not a code_url of this stand-in');
      if (!tx.openid) tx.openid = typeof b.openid === 'string' && b.openid ? b.openid : 'native-payer';
      ctx.body = confirmPayment(pr, {});
    } catch (err) {
      mockError(ctx, err);
    }
  });

  router.post('/mock/pay/:prepayId/confirm', bodyParser({ enableTypes: ['json'] }), (ctx) => {
    const b = (isObject(ctx.request.body) ? ctx.request.body : {}) as ConfirmPaymentOptions;
    try {
      ctx.body = confirmPayment(ctx.params.prepayId, {
        delayMs: typeof b.delayMs === 'number' ? b.delayMs : undefined,
        times: typeof b.times === 'number' ? b.times : undefined,
        notify: typeof b.notify === 'boolean' ? b.notify : undefined,
        payerTotalFen: typeof b.payerTotalFen === 'number' ? b.payerTotalFen : undefined,
      });
    } catch (err) {
      mockError(ctx, err);
    }
  });

  router.post('/mock/pay/transactions/:outTradeNo/refund-outside', bodyParser({ enableTypes: ['json'] }), (ctx) => {
    const b = (isObject(ctx.request.body) ? ctx.request.body : {}) as { amountFen?: unknown };
    try {
      ctx.body = { refund: refundOutside(ctx.params.outTradeNo, typeof b.amountFen === 'number' ? b.amountFen : NaN) };
    } catch (err) {
      mockError(ctx, err);
    }
  });

  router.get('/mock/pay/state', (ctx) => {
    ctx.body = snapshot();
  });

  // ---------- read-only views ----------

  function transactionView(tx: TxRecord): TransactionView {
    return {
      prepay_id: tx.prepay[tx.prepay.length - 1].id,
      prepay_ids: tx.prepay.map((p) => p.id),
      description: tx.description,
      notify_url: tx.notify_url,
      ...(tx.time_expire ? { time_expire: tx.time_expire } : {}),
      created_at: toShanghaiRfc3339(tx.createdAt),
      ...(tx.closedAt ? { closed_at: toShanghaiRfc3339(tx.closedAt) } : {}),
      refunded_fen: tx.total - refundable(tx),
      transaction: transactionObject(tx),
    };
  }

  function notificationView(n: NotificationRecord): NotificationView {
    const { firstDueAt: _firstDueAt, ...rest } = n;
    return structuredClone({
      ...rest,
      acknowledged: n.copyStatus.includes('acknowledged'),
      pending: n.copyStatus.includes('pending'),
    });
  }

  function snapshot() {
    return {
      transactions: [...byOutTradeNo.values()].map(transactionView),
      refunds: [...refunds.values()].map((r): RefundView => ({
        source: r.source,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.notify_url ? { notify_url: r.notify_url } : {}),
        refund: refundObject(r),
      })),
      notifications: notifications.map(notificationView),
    };
  }

  const state = {
    get transactions(): readonly TransactionView[] {
      return snapshot().transactions;
    },
    get refunds(): readonly RefundView[] {
      return snapshot().refunds;
    },
    get notifications(): readonly NotificationView[] {
      return notifications.map(notificationView);
    },
    transaction(outTradeNo: string): TransactionView | undefined {
      const tx = byOutTradeNo.get(outTradeNo);
      return tx && transactionView(tx);
    },
    /** fapiao applications as WeChat holds them (status computed at read time) */
    get fapiao() {
      return fapiao.applications();
    },
  };

  return {
    router,
    keys,
    signMode,
    /** plays "the user paid" for a prepay id; throws StandInError (404 unknown, 409 ORDER_CLOSED / ORDER_PAID / PREPAY_ID_EXPIRED) */
    confirmPayment,
    refundOutside,
    state,
    /** what the merchant asked, in order (method and path, no query string) */
    requests: requestLog as readonly { method: string; path: string; at: Date }[],
    /** plays a fault on matching /v3 answers until `clearFaults` (or `times` runs out) */
    fault(f: ResponseFault): void {
      faults.push(f);
    },
    clearFaults(): void {
      faults.length = 0;
    },
    /** refunds asked from now on stay PROCESSING (no notification) until `releaseRefunds` */
    holdRefunds(): void {
      refundsHeld = true;
    },
    releaseRefunds(): void {
      refundsHeld = false;
      for (const fn of heldRefunds.splice(0)) later(refundDelayMs, fn);
    },
    /** stops retries and pending refunds; in-flight deliveries are aborted */
    close(): void {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const c of inFlight) c.abort();
    },
  };
}
