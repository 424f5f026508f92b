import http from 'node:http';
import { createApp, type AppDeps, type CloudApp } from '../../cloud/src/app';
import { loadConfig, type Config } from '../../cloud/src/platform/config';
import { createLogger } from '../../cloud/src/platform/logger';
import { ManualClock, type Clock } from '../../cloud/src/platform/clock';
import { startMockWechat, type RunningMock } from '../../mock/src/wechat/server';
import { connectTestDatabase } from './db';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestStack {
  url: string;
  cloud: CloudApp;
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
  } = {},
): Promise<TestStack> {
  const db = opts.reuseConnection
    ? { engineName: process.env.TEST_ENGINE_NAME ?? 'unknown', close: async () => {} }
    : await connectTestDatabase(label);
  const appid = 'wx-test-app';
  const secret = 'test-secret';
  const mock = await startMockWechat({ appid, secret, port: 0 });
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    WECHAT_APPID: appid,
    WECHAT_SECRET: secret,
    WECHAT_API_BASE: mock.url,
    LOGIN_RATE_PER_IP_PER_MIN: '100000',
    USER_RATE_PER_MIN: '100000',
    ...opts.env,
  });
  const clock = opts.clock ?? new ManualClock(new Date());
  const cloud = createApp({
    config,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    engineName: db.engineName,
    clock,
    ...opts.appDeps,
  });
  const server = http.createServer(cloud.app.callback());
  // longer than any pause between requests under load, so a kept-alive socket is never reset mid-reuse
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
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
