import http from 'node:http';
import Koa from 'koa';
import { code2SessionRoutes } from './code2session';
import { subscribeRoutes, type SentMessage } from './subscribe';
import { createWechatPayStandIn, type WechatPayStandIn, type WechatPayStandInOptions } from '../wechatpay/standin';

export interface MockWechatOptions {
  appid: string;
  secret: string;
  /** mounts the WeChat Pay API v3 stand-in (/v3/…, /mock/pay/…) on the same app */
  wechatPay?: Omit<WechatPayStandInOptions, 'log'> & { log?: (m: string) => void };
}

export function createMockWechatApp(opts: MockWechatOptions) {
  const app = new Koa();
  const subscribe = subscribeRoutes(opts);
  const wechatPay = opts.wechatPay ? createWechatPayStandIn(opts.wechatPay) : undefined;
  const routers = [code2SessionRoutes(opts), subscribe.router, ...(wechatPay ? [wechatPay.router] : [])];
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  return { app, sentMessages: subscribe.sent, wechatPay };
}

export interface RunningMock {
  url: string;
  port: number;
  /** subscribe messages the cloud sent, in order */
  sentMessages: SentMessage[];
  /** the WeChat Pay stand-in, when started with `wechatPay` */
  wechatPay?: WechatPayStandIn;
  stop(): Promise<void>;
}

/** The WeChat stand-ins on loopback (MOCK_WECHAT_PORT, 3100 by default; 0 picks a free port). */
export async function startMockWechat(opts: MockWechatOptions & { port?: number; host?: string }): Promise<RunningMock> {
  const { app, sentMessages, wechatPay } = createMockWechatApp(opts);
  const server = http.createServer(app.callback());
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 3100, host, resolve);
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}`,
    port,
    sentMessages,
    wechatPay,
    stop: () =>
      new Promise<void>((resolve) => {
        wechatPay?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
