import http from 'node:http';
import { createApp, type AppDeps, type CloudApp } from '../../cloud/src/app';
import { loadConfig, type Config } from '../../cloud/src/platform/config';
import { createLogger } from '../../cloud/src/platform/logger';
import { ManualClock, type Clock } from '../../cloud/src/platform/clock';
import { startMockWechat, type RunningMock } from '../../mock/src/wechat/server';
import { generateKeyMaterial, type WechatPayKeyMaterial } from '../../mock/src/wechatpay/keys';
import { connectTestDatabase } from './db';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestStack {
  url: string;
  cloud: CloudApp;
  payKeys?: WechatPayKeyMaterial;
  config: Config;
  mock: RunningMock;
  clock: Clock;
  request<T = any>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  login(openid: string): Promise<{ token: string; userId: string }>;
  loginMany(prefix: string, n: number): Promise<{ token: string; userId: string }[]>;
  stop(): Promise<void>;
}

/**
 * The real Koa app on a real engine, listening on a loopback port, with the WeChat stand-ins;
 * tests talk to it over HTTP only.
 */
export async function startTestStack(
  label: string,
  opts: {
    env?: Record<string, string>;
    clock?: Clock;
    /** a second app on the database the file already uses */
    reuseConnection?: boolean;
    /** e.g. the control runs' controlRunWithoutGuards */
    appDeps?: Partial<AppDeps>;
    /** run the real payment module against the WeChat Pay stand-in (default: the in-memory stub) */
    wechatPay?: { signMode: 'platform_certificate' | 'public_key'; retryScheduleMs?: number[] };
  } = {},
): Promise<TestStack> {
  const db = opts.reuseConnection
    ? { engineName: process.env.TEST_ENGINE_NAME ?? 'unknown', close: async () => {} }
    : await connectTestDatabase(label);
  const appid = 'wx-test-app';
  const secret = 'test-secret';
  const clock = opts.clock ?? new ManualClock(new Date());
  const payKeys: WechatPayKeyMaterial | undefined = opts.wechatPay ? generateKeyMaterial({ appid, mchid: '1900000109' }) : undefined;
  const mock = await startMockWechat({
    appid,
    secret,
    port: 0,
    ...(opts.wechatPay && payKeys
      ? {
          wechatPay: {
            keys: payKeys,
            signMode: opts.wechatPay.signMode,
            retryScheduleMs: opts.wechatPay.retryScheduleMs ?? [50, 50, 100, 200],
            refundDelayMs: 50,
            now: () => clock.now(),
          },
        }
      : {}),
  });
  // bind first: the app's notify_url must name this server's port
  let handler: http.RequestListener = () => {};
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    CITYSPORT_DEV_SECRETS: 'allow',
    LOG_LEVEL: 'silent',
    WECHAT_APPID: appid,
    WECHAT_SECRET: secret,
    WECHAT_API_BASE: mock.url,
    LOGIN_RATE_PER_IP_PER_MIN: '100000',
    WECHATPAY_API_BASE: mock.url,
    PUBLIC_API_BASE: `${url}/api/v1`,
    USER_RATE_PER_MIN: '100000',
    // the stand-in shares the machine with the test runner and the engine: under a full suite a
    // burst of 50 logins can wait longer than production's 5 s (tests of timeouts set their own)
    WECHAT_TIMEOUT_MS: '20000',
    ...opts.env,
  });
  const cloud = createApp({
    config,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    engineName: db.engineName,
    clock,
    ...(payKeys
      ? {
          wechatPayCredentials: {
            appid,
            mchid: payKeys.mchid,
            apiV3Key: payKeys.apiV3Key,
            merchantSerialNo: payKeys.merchant.serialNo,
            merchantPrivateKeyPem: payKeys.merchant.privateKeyPem,
            merchantCertPem: payKeys.merchant.certPem,
            ...(opts.wechatPay?.signMode === 'public_key'
              ? { publicKey: { keyId: payKeys.publicKeyMode.keyId, pem: payKeys.publicKeyMode.publicKeyPem } }
              : {}),
          },
        }
      : {}),
    ...opts.appDeps,
  });
  // longer than any pause between requests under load, so a kept-alive socket is never reset mid-reuse
  server.keepAliveTimeout = 120_000;
  handler = cloud.app.callback();
  // a generous pool: the concurrency tests open hundreds of requests at once
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

  const request: TestStack['request'] = (method, path, o = {}) =>
    new Promise((resolve, reject) => {
      const payload = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
      const req = http.request(
        `${url}/api/v1${path}`,
        {
          method,
          agent,
          headers: {
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
            ...o.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: body as any, headers: new Headers(res.headers as Record<string, string>) });
          });
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });

  const login = async (openid: string) => {
    const res = await request('POST', '/auth/login', { body: { code: `mock:${openid}` } });
    if (res.status !== 200) throw new Error(`login ${openid} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { token: res.body.token as string, userId: res.body.user.id as string };
  };

  return {
    url,
    cloud,
    payKeys,
    config,
    mock,
    clock,
    request,
    login,
    async loginMany(prefix: string, n: number) {
      const users: { token: string; userId: string }[] = [];
      for (let i = 0; i < n; i += 50) {
        const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => login(`${prefix}-${i + j}`));
        users.push(...(await Promise.all(batch)));
      }
      return users;
    },
    async stop() {
      agent.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await mock.stop();
      await db.close();
    },
  };
}

/** Grants a role as the system would (audited), for test setup. */
export async function grant(stack: TestStack, userId: string, role: any, scope?: string) {
  await stack.cloud.services.identity.changeRole('system', { userId, role, ...(scope ? { scope } : {}) }, 'grant');
}
