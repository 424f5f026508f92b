/**
 * The WeChat Pay API v3 stand-in, driven by the real wechatpay-node-v3 client (its URLs rewritten
 * from api.mch.weixin.qq.com to the stand-in), with a small HTTP receiver for notifications.
 */
import { createHash, createSign, createVerify } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Certificate } from '@fidm/x509';
import Pay from 'wechatpay-node-v3';
import { startMockWechat, type RunningMock } from '../../mock/src/wechat/server';
import { generateKeyMaterial, loadOrCreateKeyMaterial, type WechatPayKeyMaterial } from '../../mock/src/wechatpay/keys';
import { buildSignedNotification, type NotificationTamper } from '../../mock/src/wechatpay/notification';
import { shanghaiDate, toShanghaiRfc3339, verificationKeyPem, type WechatPaySignMode } from '../../mock/src/wechatpay/protocol';
import type { WechatRefundNotificationResource, WechatTransactionObject } from '../../mock/src/wechatpay/standin';

jest.setTimeout(30_000);

const WECHAT = 'https://api.mch.weixin.qq.com';
const APPID = 'wx-test-pay-app';
const MCHID = '1900000109';
const RETRY = [50, 50, 100];

let keys: WechatPayKeyMaterial;
beforeAll(() => {
  keys = generateKeyMaterial({ appid: APPID, mchid: MCHID });
});

// ---------- a receiver for notifications ----------

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** Answers per path: a status, or a function of how many times the path was hit before. */
async function startReceiver(answers: Record<string, number | ((hit: number) => number)>) {
  const received: Received[] = [];
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const p = req.url ?? '/';
      received.push({ path: p, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const n = hits.get(p) ?? 0;
      hits.set(p, n + 1);
      const answer = answers[p] ?? 404;
      res.statusCode = typeof answer === 'function' ? answer(n) : answer;
      res.end(res.statusCode === 204 ? undefined : res.statusCode >= 400 ? '{"code":"FAIL","message":"nope"}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    received,
    on: (p: string) => received.filter((r) => r.path === p),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function waitFor<T>(fn: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- the real client, its HTTP rewritten to the stand-in ----------

interface RecordedResponse {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  text: string;
}

function newPay(privateKeyPem = keys.merchant.privateKeyPem) {
  return new Pay({
    appid: APPID,
    mchid: MCHID,
    publicKey: Buffer.from(keys.merchant.certPem),
    privateKey: Buffer.from(privateKeyPem),
    serial_no: keys.merchant.serialNo,
    key: keys.apiV3Key,
  });
}

function wireHttp(pay: Pay, base: string, record: RecordedResponse[]) {
  async function send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, params?: unknown) {
    const target = url.replace(WECHAT, base);
    const res = await fetch(target, { method, headers, body: params === undefined ? undefined : JSON.stringify(params) });
    const text = await res.text();
    record.push({ method, url: target, status: res.status, headers: res.headers, text });
    if (res.status >= 200 && res.status < 300) {
      const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
      return { status: res.status, data: json ? JSON.parse(text) : text || undefined };
    }
    return { status: res.status, error: text };
  }
  pay.createHttp({
    get: (url, headers) => send('GET', url, headers),
    post: (url, params, headers) => send('POST', url, headers, params),
    upload: () => Promise.reject(new Error('not used')),
  });
}

interface Stack {
  mode: WechatPaySignMode;
  mock: RunningMock;
  pay: Pay;
  responses: RecordedResponse[];
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  clock: { ms: number };
  stop(): Promise<void>;
}

async function startStack(mode: WechatPaySignMode, answers: Record<string, number | ((hit: number) => number)>): Promise<Stack> {
  const clock = { ms: Date.now() };
  const mock = await startMockWechat({
    appid: 'wx-login-app',
    secret: 'test-secret',
    port: 0,
    wechatPay: { keys, signMode: mode, retryScheduleMs: RETRY, refundDelayMs: 30, now: () => new Date(clock.ms) },
  });
  const receiver = await startReceiver(answers);
  const pay = newPay();
  const responses: RecordedResponse[] = [];
  wireHttp(pay, mock.url, responses);
  return {
    mode,
    mock,
    pay,
    responses,
    receiver,
    clock,
    stop: async () => {
      await mock.stop();
      await receiver.stop();
    },
  };
}

function signatureOk(mode: WechatPaySignMode, headers: { get(name: string): string | null }, body: string): boolean {
  const expectedSerial = mode === 'public_key' ? keys.publicKeyMode.keyId : keys.platform.serialNo;
  if (headers.get('wechatpay-serial') !== expectedSerial) return false;
  const ts = headers.get('wechatpay-timestamp') ?? '';
  if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const message = `${ts}\n${headers.get('wechatpay-nonce')}\n${body}\n`;
  return createVerify('RSA-SHA256')
    .update(message)
    .verify(verificationKeyPem(keys, mode), headers.get('wechatpay-signature') ?? '', 'base64');
}

const nodeHeaders = (h: http.IncomingHttpHeaders) => ({ get: (n: string) => (h[n.toLowerCase()] as string | undefined) ?? null });

let seq = 0;
const orderNo = (tag: string) => `T${Date.now().toString(36)}${(seq++).toString(36)}${tag}`.slice(0, 32);

async function order(
  s: Stack,
  o: { total?: number; notifyPath?: string; outTradeNo?: string; expiresInMs?: number } = {},
  pay: Pay = s.pay,
) {
  const params = {
    description: 'CitySport 羽毛球场 1号场 19:00-20:00',
    out_trade_no: o.outTradeNo ?? orderNo('o'),
    time_expire: toShanghaiRfc3339(new Date(s.clock.ms + (o.expiresInMs ?? 15 * 60 * 1000))),
    attach: 'booking:42',
    notify_url: `${s.receiver.url}${o.notifyPath ?? '/pay-notify'}`,
    amount: { total: o.total ?? 1000, currency: 'CNY' },
    payer: { openid: 'o-demo-citizen' },
  };
  const res = await pay.transactions_jsapi(params);
  expect(res.status).toBe(200);
  const prepayId = String(res.data.package).replace(/^prepay_id=/, '');
  return { params, res, prepayId };
}

async function confirm(s: Stack, prepayId: string, body: Record<string, unknown> = {}) {
  const res = await fetch(`${s.mock.url}/mock/pay/${prepayId}/confirm`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

function decrypt(pay: Pay, body: string) {
  const n = JSON.parse(body);
  return { envelope: n, resource: pay.decipher_gcm<any>(n.resource.ciphertext, n.resource.associated_data, n.resource.nonce) };
}

const errorOf = (r: { error?: any }) => JSON.parse(r.error as string) as { code: string; message: string };

// ---------- the flows, in both signing modes ----------

describe.each(['platform_certificate', 'public_key'] as const)('WeChat Pay stand-in (%s mode)', (mode) => {
  let s: Stack;
  let paid: { outTradeNo: string; transactionId: string };
  const flakyHits = (n: number) => (n < 2 ? 500 : 204);

  beforeAll(async () => {
    s = await startStack(mode, {
      '/pay-notify': 204,
      '/flaky': flakyHits,
      '/down': 500,
      '/created': (n) => (n === 0 ? 201 : 200),
      '/refund-notify': 200,
    });
  });
  afterAll(() => s.stop());

  test('a JSAPI order gives a prepay_id and requestPayment parameters signed by the merchant', async () => {
    const { res, prepayId } = await order(s);
    const p = res.data as { appId: string; timeStamp: string; nonceStr: string; package: string; signType: string; paySign: string };
    expect(p.appId).toBe(APPID);
    expect(p.signType).toBe('RSA');
    expect(prepayId).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
    const message = `${p.appId}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`;
    expect(createVerify('RSA-SHA256').update(message).verify(keys.merchant.certPem, p.paySign, 'base64')).toBe(true);
    expect(s.mock.wechatPay!.state.transactions.find((t) => t.prepay_id === prepayId)?.transaction.trade_state).toBe('NOTPAY');
  });

  test('the same order again returns the same prepay_id; the same out_trade_no with other parameters is OUT_TRADE_NO_USED', async () => {
    const first = await order(s);
    const again = await s.pay.transactions_jsapi(first.params);
    expect(String(again.data.package)).toBe(`prepay_id=${first.prepayId}`);
    const other = await s.pay.transactions_jsapi({ ...first.params, amount: { total: 999, currency: 'CNY' } });
    expect(other.status).toBe(403);
    expect(errorOf(other).code).toBe('OUT_TRADE_NO_USED');
    const otherApp = await s.pay.transactions_jsapi({ ...first.params, appid: 'wx-not-bound', out_trade_no: orderNo('a') });
    expect(otherApp.status).toBe(400);
    expect(errorOf(otherApp).code).toBe('APPID_MCHID_NOT_MATCH');
    const bad = await s.pay.transactions_jsapi({ ...first.params, out_trade_no: orderNo('x'), amount: { total: 0, currency: 'CNY' } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.error)).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/amount/total', location: 'body' } });
  });

  test('confirm → a signed notification whose resource decrypts to the SUCCESS transaction', async () => {
    const { params, prepayId } = await order(s, { total: 1000 });
    const c = await confirm(s, prepayId);
    expect(c.status).toBe(200);
    expect(c.body.transaction_id).toMatch(/^42\d{26}$/);
    const got = await waitFor(() =>
      s.receiver
        .on('/pay-notify')
        .find((r) => r.body.includes('TRANSACTION.SUCCESS') && decrypt(s.pay, r.body).resource.out_trade_no === params.out_trade_no),
    );
    expect(got.headers['content-type']).toBe('application/json');
    expect(signatureOk(mode, nodeHeaders(got.headers), got.body)).toBe(true);
    if (mode === 'platform_certificate') {
      // the library verifies it too: it fetches and decrypts /v3/certificates to find the serial
      const ok = await s.pay.verifySign({
        timestamp: got.headers['wechatpay-timestamp'] as string,
        nonce: got.headers['wechatpay-nonce'] as string,
        serial: got.headers['wechatpay-serial'] as string,
        signature: got.headers['wechatpay-signature'] as string,
        body: got.body,
      });
      expect(ok).toBe(true);
    } else {
      expect(got.headers['wechatpay-serial']).toMatch(/^PUB_KEY_ID_\d{28}$/);
    }
    const { envelope, resource } = decrypt(s.pay, got.body);
    expect(envelope).toMatchObject({ event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', summary: '支付成功' });
    expect(envelope.resource).toMatchObject({
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      associated_data: 'transaction',
    });
    const tx = resource as WechatTransactionObject;
    expect(tx).toMatchObject({
      appid: APPID,
      mchid: MCHID,
      out_trade_no: params.out_trade_no,
      transaction_id: c.body.transaction_id,
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      attach: 'booking:42',
      payer: { openid: 'o-demo-citizen' },
      amount: { total: 1000, payer_total: 1000, currency: 'CNY', payer_currency: 'CNY' },
    });
    expect(tx.success_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    paid = { outTradeNo: params.out_trade_no, transactionId: c.body.transaction_id };
    await waitFor(() => s.mock.wechatPay!.state.notifications.find((n) => n.out_trade_no === params.out_trade_no && n.acknowledged));
    expect((await confirm(s, prepayId)).status).toBe(409);
  });

  test('query by out_trade_no and by transaction_id; an unknown order is ORDER_NOT_EXIST', async () => {
    const a = await s.pay.query({ out_trade_no: paid.outTradeNo });
    expect(a.status).toBe(200);
    expect(a.data).toMatchObject({
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      transaction_id: paid.transactionId,
      bank_type: 'OTHERS',
    });
    const b = await s.pay.query({ transaction_id: paid.transactionId });
    expect(b.data).toEqual(a.data);
    const missing = await s.pay.query({ out_trade_no: 'NO-SUCH-ORDER-1' });
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('ORDER_NOT_EXIST');
    const unpaid = await order(s);
    const q = await s.pay.query({ out_trade_no: unpaid.params.out_trade_no });
    expect(q.data).toMatchObject({ trade_state: 'NOTPAY', amount: { total: 1000 } });
    expect(q.data.transaction_id).toBeUndefined();
  });

  test('close answers 204, after which the user cannot pay; a paid order cannot be closed (ORDER_PAID)', async () => {
    const { params, prepayId } = await order(s);
    const closed = await s.pay.close(params.out_trade_no);
    expect(closed.status).toBe(204);
    expect((await s.pay.close(params.out_trade_no)).status).toBe(204);
    const c = await confirm(s, prepayId);
    expect(c.status).toBe(409);
    expect(c.body.code).toBe('ORDER_CLOSED');
    expect((await s.pay.query({ out_trade_no: params.out_trade_no })).data.trade_state).toBe('CLOSED');
    const again = await s.pay.transactions_jsapi(params);
    expect(again.status).toBe(400);
    expect(errorOf(again).code).toBe('ORDER_CLOSED');
    const paidClose = await s.pay.close(paid.outTradeNo);
    expect(paidClose.status).toBe(400);
    expect(errorOf(paidClose).code).toBe('ORDER_PAID');
    expect((await confirm(s, 'wx-unknown')).status).toBe(404);
  });

  test('past time_expire the order cannot be paid', async () => {
    const { prepayId } = await order(s, { expiresInMs: 60_000 });
    s.clock.ms += 61_000;
    try {
      const c = await confirm(s, prepayId);
      expect(c.status).toBe(409);
      expect(c.body.code).toBe('ORDER_CLOSED');
    } finally {
      s.clock.ms -= 61_000;
    }
  });

  test('a prepay_id lasts two hours (ordering again gives a new one); refunds end a year after payment', async () => {
    // a client of its own: its responses carry the time-travelled clock, unlike those the last test checks
    const pay = newPay();
    wireHttp(pay, s.mock.url, []);
    const start = s.clock.ms;
    try {
      const { params, prepayId } = await order(s, { expiresInMs: 3 * 3600 * 1000 }, pay);
      s.clock.ms += 2 * 3600 * 1000 + 60_000;
      const stale = await confirm(s, prepayId);
      expect(stale).toMatchObject({ status: 409, body: { code: 'PREPAY_ID_EXPIRED' } });
      const again = await pay.transactions_jsapi(params);
      const fresh = String(again.data.package).replace(/^prepay_id=/, '');
      expect(fresh).not.toBe(prepayId);
      expect((await confirm(s, fresh, { notify: false })).status).toBe(200);
      s.clock.ms += 366 * 24 * 3600 * 1000;
      const late = await pay.refunds({
        out_trade_no: params.out_trade_no,
        out_refund_no: orderNo('old'),
        amount: { refund: 1, total: 1000, currency: 'CNY' },
      });
      expect(late.status).toBe(400);
      expect(errorOf(late as { error?: any }).code).toBe('TRADE_OVERDUE');
    } finally {
      s.clock.ms = start;
    }
  });

  test('a receiver answering 500 is retried on the (scaled) schedule until it answers 204; 201 does not count', async () => {
    const { params, prepayId } = await order(s, { notifyPath: '/flaky' });
    expect((await confirm(s, prepayId)).status).toBe(200);
    const n = await waitFor(() =>
      s.mock.wechatPay!.state.notifications.find((x) => x.out_trade_no === params.out_trade_no && x.acknowledged),
    );
    expect(n.attempts.map((a) => a.status)).toEqual([500, 500, 204]);
    expect(n.attempts[1].elapsedMs).toBeGreaterThanOrEqual(RETRY[0]);
    expect(n.attempts[2].elapsedMs).toBeGreaterThanOrEqual(RETRY[0] + RETRY[1]);
    await sleep(RETRY[2] * 2);
    expect(s.receiver.on('/flaky')).toHaveLength(3);

    const down = await order(s, { notifyPath: '/down' });
    await confirm(s, down.prepayId);
    const gaveUp = await waitFor(() =>
      s.mock.wechatPay!.state.notifications.find((x) => x.out_trade_no === down.params.out_trade_no && !x.pending),
    );
    expect(gaveUp.attempts).toHaveLength(1 + RETRY.length);
    expect(gaveUp.copyStatus).toEqual(['gave_up']);

    const created = await order(s, { notifyPath: '/created' });
    await confirm(s, created.prepayId);
    const c = await waitFor(() =>
      s.mock.wechatPay!.state.notifications.find((x) => x.out_trade_no === created.params.out_trade_no && x.acknowledged),
    );
    expect(c.attempts.map((a) => a.status)).toEqual([201, 200]);
  });

  test('times: the same notification delivered concurrently; notify:false pays silently; delayMs defers', async () => {
    const twice = await order(s);
    const before = s.receiver.on('/pay-notify').length;
    await confirm(s, twice.prepayId, { times: 3 });
    const n = await waitFor(() => {
      const x = s.mock.wechatPay!.state.notifications.find((y) => y.out_trade_no === twice.params.out_trade_no);
      return x && x.attempts.length === 3 && x;
    });
    expect(n.copies).toBe(3);
    const ids = s.receiver
      .on('/pay-notify')
      .slice(before)
      .filter((r) => decrypt(s.pay, r.body).resource.out_trade_no === twice.params.out_trade_no)
      .map((r) => JSON.parse(r.body).id);
    expect(ids).toEqual([n.id, n.id, n.id]);

    const silent = await order(s);
    await confirm(s, silent.prepayId, { notify: false, payerTotalFen: 900 });
    const q = await s.pay.query({ out_trade_no: silent.params.out_trade_no });
    expect(q.data).toMatchObject({ trade_state: 'SUCCESS', amount: { total: 1000, payer_total: 900 } });
    await sleep(50);
    expect(s.mock.wechatPay!.state.notifications.some((x) => x.out_trade_no === silent.params.out_trade_no)).toBe(false);

    const late = await order(s);
    const t0 = Date.now();
    await confirm(s, late.prepayId, { delayMs: 150 });
    const got = await waitFor(() =>
      s.receiver.on('/pay-notify').find((r) => decrypt(s.pay, r.body).resource.out_trade_no === late.params.out_trade_no),
    );
    expect(got.at - t0).toBeGreaterThanOrEqual(140);
  });

  test('refunds: partial, full, over-refund rejected, idempotent out_refund_no, and their notifications', async () => {
    const { params, prepayId } = await order(s, { total: 1000 });
    await confirm(s, prepayId);
    const refundNotify = `${s.receiver.url}/refund-notify`;
    const r1no = orderNo('r1');
    const r1 = await s.pay.refunds({
      out_trade_no: params.out_trade_no,
      out_refund_no: r1no,
      reason: '用户取消',
      notify_url: refundNotify,
      amount: { refund: 300, total: 1000, currency: 'CNY' },
    });
    expect(r1.status).toBe(200);
    expect(r1.data!).toMatchObject({ out_refund_no: r1no, out_trade_no: params.out_trade_no, channel: 'ORIGINAL', status: 'PROCESSING' });
    expect(r1.data!.amount).toMatchObject({
      total: 1000,
      refund: 300,
      payer_total: 1000,
      payer_refund: 300,
      settlement_total: 1000,
      settlement_refund: 300,
      discount_refund: 0,
      currency: 'CNY',
    });
    expect(r1.data!.refund_id).toMatch(/^50\d{27}$/);

    const same = await s.pay.refunds({
      out_trade_no: params.out_trade_no,
      out_refund_no: r1no,
      amount: { refund: 300, total: 1000, currency: 'CNY' },
    });
    expect(same.data!.refund_id).toBe(r1.data!.refund_id);
    const changed = await s.pay.refunds({
      out_trade_no: params.out_trade_no,
      out_refund_no: r1no,
      amount: { refund: 400, total: 1000, currency: 'CNY' },
    });
    expect(changed.status).toBe(400);
    expect(errorOf(changed).code).toBe('INVALID_REQUEST');

    const got = await waitFor(() => s.receiver.on('/refund-notify').find((r) => decrypt(s.pay, r.body).resource.out_refund_no === r1no));
    expect(signatureOk(mode, nodeHeaders(got.headers), got.body)).toBe(true);
    const { envelope, resource } = decrypt(s.pay, got.body);
    expect(envelope).toMatchObject({
      event_type: 'REFUND.SUCCESS',
      summary: '退款成功',
      resource: { original_type: 'refund', associated_data: 'refund' },
    });
    expect(resource as WechatRefundNotificationResource).toMatchObject({
      mchid: MCHID,
      out_trade_no: params.out_trade_no,
      out_refund_no: r1no,
      refund_id: r1.data!.refund_id,
      refund_status: 'SUCCESS',
      amount: { total: 1000, refund: 300, payer_total: 1000, payer_refund: 300 },
    });
    const found = await s.pay.find_refunds(r1no);
    expect(found.data!).toMatchObject({ status: 'SUCCESS', refund_id: r1.data!.refund_id });
    expect(found.data!.success_time).toMatch(/\+08:00$/);

    const tooMuch = await s.pay.refunds({
      out_trade_no: params.out_trade_no,
      out_refund_no: orderNo('r2'),
      amount: { refund: 701, total: 1000, currency: 'CNY' },
    });
    expect(tooMuch.status).toBe(400);
    expect(errorOf(tooMuch)).toMatchObject({ code: 'INVALID_REQUEST', message: '申请退款金额超过订单可退金额' });
    const rest = await s.pay.refunds({
      transaction_id: (await s.pay.query({ out_trade_no: params.out_trade_no })).data.transaction_id,
      out_refund_no: orderNo('r3'),
      amount: { refund: 700, total: 1000, currency: 'CNY' },
    });
    expect(rest.status).toBe(200);
    const more = await s.pay.refunds({
      out_trade_no: params.out_trade_no,
      out_refund_no: orderNo('r4'),
      amount: { refund: 1, total: 1000, currency: 'CNY' },
    });
    expect(errorOf(more).code).toBe('INVALID_REQUEST');
    expect((await s.pay.query({ out_trade_no: params.out_trade_no })).data).toMatchObject({
      trade_state: 'REFUND',
      trade_state_desc: '订单发生过退款',
    });

    const wrongTotal = await s.pay.refunds({
      out_trade_no: paid.outTradeNo,
      out_refund_no: orderNo('r5'),
      amount: { refund: 1, total: 999, currency: 'CNY' },
    });
    expect(errorOf(wrongTotal).code).toBe('INVALID_REQUEST');
    const unpaid = await order(s);
    const notPaid = await s.pay.refunds({
      out_trade_no: unpaid.params.out_trade_no,
      out_refund_no: orderNo('r6'),
      amount: { refund: 1, total: 1000, currency: 'CNY' },
    });
    expect(notPaid.status).toBe(404);
    expect(errorOf(notPaid).code).toBe('RESOURCE_NOT_EXISTS');
    const unknown = await s.pay.find_refunds('NO-SUCH-REFUND');
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown as { error?: any }).code).toBe('RESOURCE_NOT_EXISTS');
  });

  test('at most 50 refunds per order', async () => {
    const { params, prepayId } = await order(s, { total: 100 });
    await confirm(s, prepayId, { notify: false });
    for (let i = 0; i < 50; i++) {
      const r = await s.pay.refunds({
        out_trade_no: params.out_trade_no,
        out_refund_no: `${params.out_trade_no}-${i}`.slice(-32),
        amount: { refund: 1, total: 100, currency: 'CNY' },
      });
      expect(r.status).toBe(200);
    }
    const r51 = await s.pay.refunds({
      out_trade_no: params.out_trade_no,
      out_refund_no: orderNo('r51'),
      amount: { refund: 1, total: 100, currency: 'CNY' },
    });
    expect(r51.status).toBe(400);
    expect(errorOf(r51).code).toBe('INVALID_REQUEST');
  });

  test('a refund made outside our system shows in the query and the bill, without a notification', async () => {
    const { params, prepayId } = await order(s, { total: 500 });
    await confirm(s, prepayId, { notify: false });
    const res = await fetch(`${s.mock.url}/mock/pay/transactions/${params.out_trade_no}/refund-outside`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ amountFen: 200 }),
    });
    expect(res.status).toBe(200);
    const { refund } = (await res.json()) as { refund: { out_refund_no: string; status: string } };
    expect(refund.status).toBe('SUCCESS');
    expect((await s.pay.query({ out_trade_no: params.out_trade_no })).data.trade_state).toBe('REFUND');
    expect(s.mock.wechatPay!.state.notifications.some((n) => n.out_refund_no === refund.out_refund_no)).toBe(false);
    const state = (await (await fetch(`${s.mock.url}/mock/pay/state`)).json()) as {
      refunds: { source: string; refund: { out_refund_no: string } }[];
    };
    expect(state.refunds.find((r) => r.refund.out_refund_no === refund.out_refund_no)?.source).toBe('outside');
  });

  test('the trade bill: hash, download, WeChat CSV format with SUCCESS and REFUND rows and the summary', async () => {
    const today = shanghaiDate(new Date(s.clock.ms));
    const bill = await s.pay.tradebill({ bill_date: today, bill_type: 'ALL' });
    expect(bill.status).toBe(200);
    expect(bill.data).toMatchObject({ hash_type: 'SHA1' });
    expect(bill.data.download_url).toMatch(/^https:\/\/api\.mch\.weixin\.qq\.com\/v3\/billdownload\/file\?token=/);
    const file = await s.pay.downloadBill(bill.data.download_url);
    expect(file.status).toBe(200);
    const csv = file.data as string;
    expect(createHash('sha1').update(csv, 'utf8').digest('hex')).toBe(bill.data.hash_value);
    // WeChat does not sign bill files (checked by hash_value instead)
    expect(s.responses[s.responses.length - 1].headers.get('wechatpay-signature')).toBeNull();

    const lines = csv.trimEnd().split('\n');
    const header = lines[0].split(',');
    expect(header).toHaveLength(27);
    expect(header.slice(0, 3)).toEqual(['交易时间', '公众账号ID', '商户号']);
    const summaryAt = lines.indexOf('总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额');
    expect(summaryAt).toBe(lines.length - 2);
    // every value starts with a backtick; values are not quoted, so split on ",`"
    const rows = lines.slice(1, summaryAt).map((l) => {
      expect(l.startsWith('`')).toBe(true);
      const cols = l.slice(1).split(',`');
      expect(cols).toHaveLength(27);
      return Object.fromEntries(cols.map((c, i) => [header[i], c]));
    });
    const payRow = rows.find((r) => r['商户订单号'] === paid.outTradeNo && r['交易状态'] === 'SUCCESS');
    expect(payRow).toMatchObject({
      公众账号ID: APPID,
      商户号: MCHID,
      微信订单号: paid.transactionId,
      交易类型: 'JSAPI',
      应结订单金额: '10.00',
      订单金额: '10.00',
      商户数据包: 'booking:42',
    });
    const refundRows = rows.filter((r) => r['交易状态'] === 'REFUND');
    expect(refundRows.length).toBeGreaterThanOrEqual(53);
    expect(refundRows.some((r) => r['退款金额'] === '2.00' && r['退款状态'] === 'SUCCESS')).toBe(true);
    const summary = lines[summaryAt + 1].split(',').map((c) => c.slice(1));
    expect(Number(summary[0])).toBe(rows.length);
    const sum = (col: string) => rows.reduce((t, r) => t + Math.round(Number(r[col]) * 100), 0);
    expect(Math.round(Number(summary[1]) * 100)).toBe(sum('应结订单金额'));
    expect(Math.round(Number(summary[2]) * 100)).toBe(sum('退款金额'));

    const none = await s.pay.tradebill({ bill_date: '2020-01-01', bill_type: 'ALL' });
    expect(none.status).toBe(400);
    expect(errorOf(none).code).toBe('NO_STATEMENT_EXIST');
  });

  test('the platform certificates decrypt under the APIv3 key (get_certificates)', async () => {
    const certs = await s.pay.get_certificates(keys.apiV3Key);
    expect(certs).toHaveLength(1);
    expect(certs[0].serial_no).toBe(keys.platform.serialNo);
    expect(certs[0].publicKey).toBe(Certificate.fromPEM(Buffer.from(keys.platform.certPem)).publicKey.toPEM());
  });

  test('a request with a bad merchant signature is 401 SIGN_ERROR', async () => {
    const impostor = newPay(generateKeyMaterial({ appid: APPID, mchid: MCHID }).merchant.privateKeyPem);
    wireHttp(impostor, s.mock.url, s.responses);
    const r = await impostor.query({ out_trade_no: paid.outTradeNo });
    expect(r.status).toBe(401);
    expect(errorOf(r).code).toBe('SIGN_ERROR');

    const bare = await fetch(`${s.mock.url}/v3/pay/transactions/out-trade-no/${paid.outTradeNo}?mchid=${MCHID}`);
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as { code: string }).code).toBe('SIGN_ERROR');

    // correctly signed, but ten minutes old
    const pathQ = `/v3/pay/transactions/out-trade-no/${paid.outTradeNo}?mchid=${MCHID}`;
    const ts = String(Math.floor(Date.now() / 1000) - 600);
    const sig = createSign('RSA-SHA256').update(`GET\n${pathQ}\n${ts}\nabc\n\n`).sign(keys.merchant.privateKeyPem, 'base64');
    const stale = await fetch(`${s.mock.url}${pathQ}`, {
      headers: {
        Authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${MCHID}",nonce_str="abc",timestamp="${ts}",serial_no="${keys.merchant.serialNo}",signature="${sig}"`,
      },
    });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { message: string }).message).toMatch(/timestamp/);
  });

  test('every response of the API (errors and 204 included) carries a verifying Wechatpay-Signature and a Request-ID', () => {
    const api = s.responses.filter((r) => !r.url.includes('/v3/billdownload/'));
    expect(api.length).toBeGreaterThan(80);
    expect(new Set(api.map((r) => r.status))).toEqual(new Set([200, 204, 400, 401, 403, 404]));
    for (const r of api) {
      expect(r.headers.get('request-id')).toBeTruthy();
      expect({ url: r.url, status: r.status, ok: signatureOk(mode, r.headers, r.text) }).toEqual({
        url: r.url,
        status: r.status,
        ok: true,
      });
    }
  });
});

// ---------- the builder for tests of the receiving side ----------

describe.each(['platform_certificate', 'public_key'] as const)('buildSignedNotification (%s mode)', (mode) => {
  const tx: WechatTransactionObject = {
    appid: APPID,
    mchid: MCHID,
    out_trade_no: 'ORDER-1',
    transaction_id: '4200000000202601010000000001',
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    success_time: '2026-01-01T10:00:00+08:00',
    payer: { openid: 'o-1' },
    amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
  };
  const lower = (h: Record<string, string>) => ({
    get: (n: string) => Object.entries(h).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1] ?? null,
  });

  /** the RSA signature alone, whatever the serial and the timestamp say */
  const cryptoOk = (h: Record<string, string>, body: string) =>
    createVerify('RSA-SHA256')
      .update(`${h['Wechatpay-Timestamp']}\n${h['Wechatpay-Nonce']}\n${body}\n`)
      .verify(verificationKeyPem(keys, mode), h['Wechatpay-Signature'], 'base64');

  test.each([
    ['signature', false],
    ['body', false],
    ['wrong-key', false],
    // these two carry a genuine signature: only the serial check or the freshness check catches them
    ['serial', true],
    ['timestamp-stale', true],
  ] as [NotificationTamper, boolean][])('tamper %s fails verification (signature itself valid: %s)', (tamper, genuine) => {
    const n = buildSignedNotification(keys, mode, 'TRANSACTION.SUCCESS', 'transaction', tx, tamper);
    expect(signatureOk(mode, lower(n.headers), n.body)).toBe(false);
    expect(cryptoOk(n.headers, n.body)).toBe(genuine);
    if (tamper === 'timestamp-stale') expect(Date.now() / 1000 - Number(n.headers['Wechatpay-Timestamp'])).toBeGreaterThanOrEqual(599);
    if (tamper === 'serial')
      expect(n.headers['Wechatpay-Serial']).not.toBe(mode === 'public_key' ? keys.publicKeyMode.keyId : keys.platform.serialNo);
    // the body still decrypts: the receiver must not rely on decryption to detect tampering
    expect(decrypt(newPay(), n.body).resource).toEqual(tx);
  });

  test("'none' verifies and decrypts to the resource", async () => {
    const n = buildSignedNotification(keys, mode, 'TRANSACTION.SUCCESS', 'transaction', tx, 'none');
    expect(signatureOk(mode, lower(n.headers), n.body)).toBe(true);
    const pay = newPay();
    expect(decrypt(pay, n.body).resource).toEqual(tx);
    if (mode === 'platform_certificate') {
      // the library's own check; it fetches /v3/certificates from a stand-in to learn the serial
      const mock = await startMockWechat({ appid: 'wx-login-app', secret: 'x', port: 0, wechatPay: { keys, signMode: mode } });
      wireHttp(pay, mock.url, []);
      const verify = (h: Record<string, string>, body: string) =>
        pay.verifySign({
          timestamp: h['Wechatpay-Timestamp'],
          nonce: h['Wechatpay-Nonce'],
          serial: h['Wechatpay-Serial'],
          signature: h['Wechatpay-Signature'],
          body,
        });
      try {
        expect(await verify(n.headers, n.body)).toBe(true);
        const unknownSerial = buildSignedNotification(keys, mode, 'TRANSACTION.SUCCESS', 'transaction', tx, 'serial');
        await expect(verify(unknownSerial.headers, unknownSerial.body)).rejects.toThrow();
        const bad = buildSignedNotification(keys, mode, 'TRANSACTION.SUCCESS', 'transaction', tx, 'body');
        expect(await verify(bad.headers, bad.body)).toBe(false);
      } finally {
        await mock.stop();
      }
    }
  });
});

// ---------- key material on disk ----------

test('loadOrCreateKeyMaterial writes 0600 files once and reads the same keys back; the certificates parse with @fidm/x509', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechatpay-keys-'));
  try {
    const a = loadOrCreateKeyMaterial(dir, { appid: APPID, mchid: MCHID });
    const b = loadOrCreateKeyMaterial(dir, { appid: APPID, mchid: MCHID });
    expect(b).toEqual(a);
    expect(a.apiV3Key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(a.publicKeyMode.keyId).toMatch(/^PUB_KEY_ID_\d{28}$/);
    for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    for (const c of [a.merchant, a.platform]) {
      expect(c.serialNo).toMatch(/^[0-9A-F]{40}$/);
      expect(Certificate.fromPEM(Buffer.from(c.certPem)).serialNumber.toUpperCase()).toBe(c.serialNo);
    }
    expect(
      new Pay({ appid: APPID, mchid: MCHID, publicKey: Buffer.from(a.merchant.certPem), privateKey: Buffer.from(a.merchant.privateKeyPem) })
        .getSN()
        .toUpperCase(),
    ).toBe(a.merchant.serialNo);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
