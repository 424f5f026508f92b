import http from 'node:http';
import Koa from 'koa';
import { code2SessionRoutes } from './code2session';
import { subscribeRoutes, type SentMessage, type SubscribeStandIn } from './subscribe';
import { secCheckRoutes, type SecCheckStandIn } from './seccheck';
import { createDataCentreReceiver } from '../datacentre/receiver';
import { createWechatPayStandIn, type WechatPayStandIn, type WechatPayStandInOptions } from '../wechatpay/standin';

export interface MockWechatOptions {
  appid: string;
  secret: string;
  /** how long a replaced access_token keeps working (WeChat: 5 minutes; 0 in tests that show what a second token does) */
  tokenGraceMs?: number;
  /** mounts the WeChat Pay API v3 stand-in (/v3/…, /mock/pay/…) on the same app */
  wechatPay?: Omit<WechatPayStandInOptions, 'log'> & { log?: (m: string) => void };
  /** the data-centre stand-in's signature key (DATA_CENTRE_SECRET) */
  dataCentreSecret?: string;
  /** words the msgSecCheck stand-in flags (default DEFAULT_SECCHECK_WORDS; the dev start reads MOCK_SECCHECK_WORDS) */
  secCheckWords?: readonly string[];
}

export function createMockWechatApp(opts: MockWechatOptions) {
  const app = new Koa();
  const subscribe = subscribeRoutes({ appid: opts.appid, secret: opts.secret, tokenGraceMs: opts.tokenGraceMs });
  const wechatPay = opts.wechatPay ? createWechatPayStandIn(opts.wechatPay) : undefined;
  const secCheck = secCheckRoutes({ words: opts.secCheckWords, tokenValid: subscribe.tokenValid });
  // the data-centre receiver stand-in (issue 17) shares the port: POST /mock/datacentre/ingest
  const datacentre = createDataCentreReceiver({ secret: opts.dataCentreSecret ?? 'citysport-development-only-datacentre-key' });
  const routers = [
    code2SessionRoutes(opts),
    subscribe.router,
    secCheck.router,
    ...(wechatPay ? [wechatPay.router] : []),
    datacentre.router,
  ];
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  return { app, sentMessages: subscribe.sent, subscribe, wechatPay, secCheck };
}

export interface RunningMock {
  url: string;
  port: number;
  /** subscribe messages the cloud sent, in order */
  sentMessages: SentMessage[];
  /** access_token and send controls: tokens issued so far, failures to inject */
  subscribe: Pick<SubscribeStandIn, 'tokensIssued' | 'failNextSends'>;
  /** the WeChat Pay stand-in, when started with `wechatPay` */
  wechatPay?: WechatPayStandIn;
  /** the msgSecCheck stand-in: every check it answered, and faults to inject */
  secCheck: Pick<SecCheckStandIn, 'calls' | 'failNextChecks'>;
  stop(): Promise<void>;
}

/** The WeChat stand-ins on loopback (MOCK_WECHAT_PORT, 3100 by default; 0 picks a free port). */
export async function startMockWechat(opts: MockWechatOptions & { port?: number; host?: string }): Promise<RunningMock> {
  const { app, sentMessages, subscribe, wechatPay, secCheck } = createMockWechatApp(opts);
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
    subscribe: { tokensIssued: subscribe.tokensIssued, failNextSends: subscribe.failNextSends },
    wechatPay,
    secCheck: { calls: secCheck.calls, failNextChecks: secCheck.failNextChecks },
    stop: () =>
      new Promise<void>((resolve) => {
        wechatPay?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
