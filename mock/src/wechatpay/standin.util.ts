import { randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { shanghaiDate } from './protocol';
import { WechatError } from './standin.types';
/** WeChat's notification retry intervals after a failed delivery: 15s 15s 30s 3m 10m 20m 30m 30m 30m 60m 3h 3h 3h 6h 6h. */
export const WECHAT_NOTIFY_RETRY_SCHEDULE_MS: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
].map((s) => s * 1000);

export const PREPAY_ID_TTL_MS = 2 * 3600 * 1000;
export const AUTH_MAX_SKEW_S = 300;
export const MAX_REFUNDS_PER_ORDER = 50;
export const REFUND_WINDOW_MS = 365 * 24 * 3600 * 1000;
export const BILL_URL_TTL_MS = 5 * 60 * 1000;
export const WECHAT_HOST = 'https://api.mch.weixin.qq.com';
export const MAX_BODY = 1024 * 1024;

export function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}

export const ymd = (d: Date) => shanghaiDate(d).replace(/-/g, '');

export async function readRawBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_BODY) throw new WechatError(400, 'INVALID_REQUEST', '请求体过大');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Canonical JSON (sorted keys) to compare two requests for "the same order". */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}
