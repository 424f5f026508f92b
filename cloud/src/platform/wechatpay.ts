import { createHash, createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import Pay from 'wechatpay-node-v3';
import { AppError } from './errors';

/**
 * WeChat Pay API v3 through wechatpay-node-v3, wrapped for what the library lacks
 * (TOOLCHAIN.md; its open issues): an HTTP timeout, a configurable base URL (the stand-in in
 * development; the library hard-codes api.mch.weixin.qq.com), verification of every response's
 * signature, and WeChat-Pay public-key mode next to platform certificates.
 */
export interface WechatPayCredentials {
  appid: string;
  mchid: string;
  /** 32-character APIv3 key */
  apiV3Key: string;
  merchantSerialNo: string;
  merchantPrivateKeyPem: string;
  merchantCertPem: string;
  /** WeChat-Pay public-key mode: the key id (PUB_KEY_ID_…) and its public key */
  publicKey?: { keyId: string; pem: string };
}

export interface WechatPayOptions {
  apiBase: string;
  timeoutMs: number;
  credentials: WechatPayCredentials;
  /** allowed clock skew of signed responses and notifications */
  maxSkewSeconds?: number;
  now?: () => Date;
}

export interface SignedMessage {
  timestamp: string;
  nonce: string;
  serial: string;
  signature: string;
  body: string;
}

export interface WechatTransaction {
  appid: string;
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_state: 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';
  success_time?: string;
  payer?: { openid: string };
  amount?: { total: number; payer_total?: number; currency?: string };
}

export interface WechatRefund {
  refund_id: string;
  out_refund_no: string;
  transaction_id: string;
  out_trade_no: string;
  status: 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';
  success_time?: string;
  amount: { total: number; refund: number; payer_refund?: number };
}

/** 电子发票 (new-tax-control-fapiao) */
export interface FapiaoApplication {
  applyId: string;
  fapiaoId: string;
  buyer: { type: 'INDIVIDUAL' | 'ORGANIZATION'; name: string; taxpayerId?: string; email?: string };
  totalFen: number;
  /** 税收分类编码 of the service sold (19 digits) */
  taxCode: string;
  items: { name: string; quantity: number; totalFen: number }[];
}
interface WechatFapiao {
  fapiao_id: string;
  status: FapiaoState['status'];
  total_amount: number;
  blue_fapiao?: { fapiao_code: string; fapiao_number: string; fapiao_time: string };
  red_fapiao?: { fapiao_code: string; fapiao_number: string; fapiao_time: string };
}
export interface FapiaoState {
  fapiaoId: string;
  status: 'ISSUE_ACCEPTED' | 'ISSUED' | 'REVERSE_ACCEPTED' | 'REVERSED';
  totalFen: number;
  blue: { code: string; number: string; time: string } | null;
  red: { code: string; number: string; time: string } | null;
}

export class WechatPaySignatureError extends Error {}

const WECHAT_HOST = 'https://api.mch.weixin.qq.com';
/** platform certificates are downloaded at most this often, however many unknown serials arrive */
const CERT_REFRESH_MIN_MS = 60_000;

export function createWechatPay(opts: WechatPayOptions) {
  const creds = opts.credentials;
  const now = opts.now ?? (() => new Date());
  const maxSkew = opts.maxSkewSeconds ?? 300;
  const pay = new Pay({
    appid: creds.appid,
    mchid: creds.mchid,
    serial_no: creds.merchantSerialNo,
    publicKey: Buffer.from(creds.merchantCertPem),
    privateKey: Buffer.from(creds.merchantPrivateKeyPem),
    key: creds.apiV3Key,
  });

  // serial → verification key: the public-key-mode key, plus platform certificates fetched on demand
  const keys = new Map<string, KeyObject>();
  if (creds.publicKey) keys.set(creds.publicKey.keyId, createPublicKey(creds.publicKey.pem));
  let certificatesFetched: Promise<void> | null = null;
  let lastRefreshAt = -Infinity;

  /**
   * A serial we do not know costs an attacker one request; a download must not follow each one.
   * Public-key mode never downloads (the key is configured); platform-certificate mode refreshes
   * at most once per CERT_REFRESH_MIN_MS, whatever serials arrive meanwhile.
   */
  async function keyFor(serial: string): Promise<KeyObject> {
    const known = keys.get(serial);
    if (known) return known;
    if (!creds.publicKey) {
      const at = now().getTime();
      if (!certificatesFetched && at - lastRefreshAt >= CERT_REFRESH_MIN_MS) {
        lastRefreshAt = at;
        certificatesFetched = (async () => {
          const certs = await pay.get_certificates(creds.apiV3Key);
          for (const c of certs) keys.set(c.serial_no, createPublicKey(c.publicKey as string));
        })().finally(() => {
          certificatesFetched = null;
        });
      }
      if (certificatesFetched) await certificatesFetched.catch(() => {});
      const fetched = keys.get(serial);
      if (fetched) return fetched;
    }
    throw new WechatPaySignatureError(`unknown Wechatpay-Serial ${serial}`);
  }

  /** RSA-SHA256 over `timestamp\nnonce\nbody\n`, with a fresh timestamp, by the key the serial names. */
  async function verify(msg: SignedMessage, checkSkew = true): Promise<void> {
    if (!msg.timestamp || !msg.nonce || !msg.serial || !msg.signature) throw new WechatPaySignatureError('missing Wechatpay-* headers');
    const ts = Number(msg.timestamp);
    if (checkSkew && (!Number.isFinite(ts) || Math.abs(now().getTime() / 1000 - ts) > maxSkew))
      throw new WechatPaySignatureError('stale or bad Wechatpay-Timestamp');
    const key = await keyFor(msg.serial);
    const ok = createVerify('RSA-SHA256').update(`${msg.timestamp}\n${msg.nonce}\n${msg.body}\n`).verify(key, msg.signature, 'base64');
    if (!ok) throw new WechatPaySignatureError('Wechatpay-Signature does not verify');
  }

  /** The library's HTTP service: our base URL, a timeout, and verified response signatures. */
  async function send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, params?: unknown) {
    const target = url.replace(WECHAT_HOST, opts.apiBase.replace(/\/$/, ''));
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        headers: { Accept: 'application/json', ...headers },
        body: params === undefined ? undefined : JSON.stringify(params),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch {
      return { status: 599, error: 'WeChat Pay did not answer in time' };
    }
    const text = await res.text();
    // Certificates are checked by decrypting them and a bill file by its SHA-1 (WeChat signs neither);
    // error answers change no state and WeChat leaves some (auth failures) unsigned, so only 2xx must verify.
    const unsigned = target.endsWith('/v3/certificates') || target.includes('/v3/billdownload/');
    const mustVerify = !unsigned && (res.ok || res.headers.has('wechatpay-signature'));
    if (mustVerify) {
      try {
        await verify({
          timestamp: res.headers.get('wechatpay-timestamp') ?? '',
          nonce: res.headers.get('wechatpay-nonce') ?? '',
          serial: res.headers.get('wechatpay-serial') ?? '',
          signature: res.headers.get('wechatpay-signature') ?? '',
          body: text,
        });
      } catch (err) {
        return { status: 598, error: `response signature: ${(err as Error).message}` };
      }
    }
    let data: unknown = undefined;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = text;
    }
    return res.status >= 200 && res.status < 300 ? { status: res.status, data } : { status: res.status, error: data ?? text };
  }
  pay.createHttp({
    get: (url: string, headers: Record<string, string>) => send('GET', url, headers),
    post: (url: string, params: Record<string, unknown>, headers: Record<string, string>) => send('POST', url, headers, params),
    upload: async () => ({ status: 501, error: 'not used' }),
  });

  /** The merchant's Authorization header (WECHATPAY2-SHA256-RSA2048) for a path the library has no method for. */
  const authorization = (method: 'GET' | 'POST', path: string, body?: unknown): string =>
    (pay as unknown as { buildAuthorization(m: string, u: string, p?: unknown): string }).buildAuthorization(
      method,
      `${WECHAT_HOST}${path}`,
      body,
    );
  /** A signed request through the same HTTP service (timeout, verified answer) as the library's own calls. */
  const signedCall = (method: 'GET' | 'POST', path: string, body?: unknown) =>
    send(method, `${WECHAT_HOST}${path}`, { 'Content-Type': 'application/json', Authorization: authorization(method, path, body) }, body);

  /** WeChat's own error body stays on the error for logs; clients get only our code and message. */
  function unwrap<T>(res: { status: number; data?: unknown; error?: unknown }, what: string): T {
    if (res.status >= 200 && res.status < 300) return res.data as T;
    const err = new AppError('UPSTREAM_UNAVAILABLE', `WeChat Pay ${what} failed (${res.status})`);
    Object.defineProperties(err, {
      wechatStatus: { value: res.status, enumerable: false },
      wechatCode: { value: (res.error as { code?: string } | undefined)?.code, enumerable: false },
      wechatError: { value: res.error, enumerable: false },
    });
    throw err;
  }

  return {
    credentials: { appid: creds.appid, mchid: creds.mchid },
    async jsapi(input: {
      description: string;
      outTradeNo: string;
      timeExpire: Date;
      notifyUrl: string;
      totalFen: number;
      openid: string;
      attach?: string;
    }) {
      const res = await pay.transactions_jsapi({
        description: input.description,
        out_trade_no: input.outTradeNo,
        time_expire: rfc3339Shanghai(input.timeExpire),
        notify_url: input.notifyUrl,
        amount: { total: input.totalFen, currency: 'CNY' },
        payer: { openid: input.openid },
        ...(input.attach ? { attach: input.attach } : {}),
      } as never);
      const params = unwrap<{ appId: string; timeStamp: string; nonceStr: string; package: string; signType: string; paySign: string }>(
        res,
        'JSAPI order',
      );
      return { prepayId: params.package.replace(/^prepay_id=/, ''), payParams: params };
    },
    /** Native (a QR code on a kiosk screen): WeChat answers a `code_url` the payer scans. */
    async native(input: { description: string; outTradeNo: string; timeExpire: Date; notifyUrl: string; totalFen: number }) {
      const res = await pay.transactions_native({
        description: input.description,
        out_trade_no: input.outTradeNo,
        time_expire: rfc3339Shanghai(input.timeExpire),
        notify_url: input.notifyUrl,
        amount: { total: input.totalFen, currency: 'CNY' },
      } as never);
      return { codeUrl: unwrap<{ code_url: string }>(res, 'Native order').code_url };
    },
    async query(outTradeNo: string): Promise<WechatTransaction | null> {
      const res = await pay.query({ out_trade_no: outTradeNo });
      if (res.status === 404) return null;
      return unwrap<WechatTransaction>(res, 'order query');
    },
    /** true when closed; false when WeChat says it was paid meanwhile (ORDER_PAID) */
    async close(outTradeNo: string): Promise<boolean> {
      const res = await pay.close(outTradeNo);
      if (res.status === 204 || res.status === 200) return true;
      if ((res.error as { code?: string } | undefined)?.code === 'ORDER_PAID') return false;
      return unwrap<never>(res, 'close');
    },
    async refund(input: {
      outTradeNo: string;
      outRefundNo: string;
      reason: string;
      notifyUrl: string;
      refundFen: number;
      totalFen: number;
    }): Promise<WechatRefund> {
      const res = await pay.refunds({
        out_trade_no: input.outTradeNo,
        out_refund_no: input.outRefundNo,
        reason: input.reason.slice(0, 80),
        notify_url: input.notifyUrl,
        amount: { refund: input.refundFen, total: input.totalFen, currency: 'CNY' },
      } as never);
      return unwrap<WechatRefund>(res, 'refund');
    },
    async queryRefund(outRefundNo: string): Promise<WechatRefund | null> {
      const res = await pay.find_refunds(outRefundNo);
      if (res.status === 404) return null;
      return unwrap<WechatRefund>(res, 'refund query');
    },
    async tradeBill(billDate: string): Promise<string | null> {
      const res = await pay.tradebill({ bill_date: billDate, bill_type: 'ALL' } as never);
      if (res.status === 400 && (res.error as { code?: string } | undefined)?.code === 'NO_STATEMENT_EXIST') return null;
      const bill = unwrap<{ download_url: string; hash_type: string; hash_value: string }>(res, 'trade bill');
      // sign the path as WeChat would see it, whichever host served the link
      const file = await pay.downloadBill(bill.download_url.replace(/^https?:\/\/[^/]+/, WECHAT_HOST));
      const text = unwrap<string>(file as never, 'bill download');
      if (createHash('sha1').update(text).digest('hex').toLowerCase() !== bill.hash_value.toLowerCase())
        throw new AppError('UPSTREAM_UNAVAILABLE', 'trade bill does not match its SHA-1');
      return text;
    },
    /** 开具电子发票 (new-tax-control-fapiao): accepted now, issued asynchronously; the same request again is accepted again. */
    async applyFapiao(input: FapiaoApplication): Promise<void> {
      const body = {
        scene: 'WITH_WECHATPAY',
        fapiao_apply_id: input.applyId,
        buyer_information: {
          type: input.buyer.type,
          name: input.buyer.name,
          ...(input.buyer.taxpayerId ? { taxpayer_id: input.buyer.taxpayerId } : {}),
          ...(input.buyer.email ? { email: input.buyer.email } : {}),
        },
        fapiao_information: [
          {
            fapiao_id: input.fapiaoId,
            total_amount: input.totalFen,
            need_list: false,
            items: input.items.map((it) => ({
              tax_code: input.taxCode,
              goods_name: it.name.slice(0, 100),
              quantity: it.quantity,
              total_amount: it.totalFen,
              discount: false,
            })),
          },
        ],
      };
      unwrap(await signedCall('POST', '/v3/new-tax-control-fapiao/fapiao-applications', body), 'fapiao apply');
    },
    /** 查询电子发票: the fapiao's status and numbers, or null when WeChat has no such application */
    async queryFapiao(applyId: string): Promise<FapiaoState[] | null> {
      const res = await signedCall('GET', `/v3/new-tax-control-fapiao/fapiao-applications/${encodeURIComponent(applyId)}`);
      if (res.status === 404) return null;
      const data = unwrap<{ fapiao_information: WechatFapiao[] }>(res, 'fapiao query');
      return data.fapiao_information.map((f) => ({
        fapiaoId: f.fapiao_id,
        status: f.status,
        totalFen: f.total_amount,
        blue: f.blue_fapiao
          ? { code: f.blue_fapiao.fapiao_code, number: f.blue_fapiao.fapiao_number, time: f.blue_fapiao.fapiao_time }
          : null,
        red: f.red_fapiao ? { code: f.red_fapiao.fapiao_code, number: f.red_fapiao.fapiao_number, time: f.red_fapiao.fapiao_time } : null,
      }));
    },
    /** 冲红: reverses an issued fapiao (asynchronous; asking again is harmless) */
    async reverseFapiao(applyId: string, input: { fapiaoId: string; code: string; number: string; reason: string }): Promise<void> {
      const res = await signedCall('POST', `/v3/new-tax-control-fapiao/fapiao-applications/${encodeURIComponent(applyId)}/reverse`, {
        reverse_reason: input.reason.slice(0, 100),
        fapiao_information: [{ fapiao_id: input.fapiaoId, fapiao_code: input.code, fapiao_number: input.number }],
      });
      unwrap(res, 'fapiao reverse');
    },
    /** The fapiao's PDF: its short-lived link from WeChat, then the file (WeChat does not sign files; we check it is a PDF). */
    async fapiaoPdf(applyId: string, fapiaoId: string): Promise<Buffer | null> {
      const res = await signedCall('GET', `/v3/new-tax-control-fapiao/fapiao-applications/${encodeURIComponent(applyId)}/fapiao-files`);
      const data = unwrap<{ fapiao_download_info_list: { fapiao_id: string; download_url: string; status: string }[] }>(
        res,
        'fapiao files',
      );
      const info = data.fapiao_download_info_list.find((f) => f.fapiao_id === fapiaoId && f.status === 'DOWNLOAD_AVAILABLE');
      if (!info) return null;
      // sign the path as WeChat would see it, whichever host served the link
      const path = info.download_url.replace(/^https?:\/\/[^/]+/, '');
      const target = `${opts.apiBase.replace(/\/$/, '')}${path}`;
      let file: Response;
      try {
        file = await fetch(target, {
          headers: { Accept: 'application/pdf', Authorization: authorization('GET', path) },
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
      } catch {
        throw new AppError('UPSTREAM_UNAVAILABLE', 'WeChat Pay did not answer in time');
      }
      const bytes = Buffer.from(await file.arrayBuffer());
      if (!file.ok || bytes.subarray(0, 5).toString('latin1') !== '%PDF-')
        throw new AppError('UPSTREAM_UNAVAILABLE', `fapiao download failed (${file.status})`);
      return bytes;
    },
    /** Verifies a notification over its raw body, then decrypts its resource (AES-256-GCM, APIv3 key). */
    async openNotification<T>(msg: SignedMessage): Promise<{ id: string; eventType: string; resource: T }> {
      await verify(msg);
      const body = JSON.parse(msg.body) as {
        id: string;
        event_type: string;
        resource: { ciphertext: string; associated_data: string; nonce: string };
      };
      let resource: T;
      try {
        resource = pay.decipher_gcm<T>(body.resource.ciphertext, body.resource.associated_data, body.resource.nonce, creds.apiV3Key);
      } catch {
        throw new WechatPaySignatureError('resource does not decrypt');
      }
      return { id: body.id, eventType: body.event_type, resource: typeof resource === 'string' ? (JSON.parse(resource) as T) : resource };
    },
  };
}
export type WechatPay = ReturnType<typeof createWechatPay>;

/** RFC 3339 in +08:00, as WeChat's time_expire wants. */
export function rfc3339Shanghai(date: Date): string {
  const shifted = new Date(date.getTime() + 8 * 3600_000);
  return shifted.toISOString().replace(/\.\d{3}Z$/, '+08:00');
}
