import http from 'node:http';
import Koa from 'koa';
import { code2SessionRoutes } from './code2session';

export interface MockWechatOptions {
  appid: string;
  secret: string;
}

export function createMockWechatApp(opts: MockWechatOptions) {
  const app = new Koa();
  const routers = [code2SessionRoutes(opts)];
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  return app;
}

export interface RunningMock {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The WeChat stand-ins on loopback (MOCK_WECHAT_PORT, 3100 by default; 0 picks a free port). */
export async function startMockWechat(opts: MockWechatOptions & { port?: number; host?: string }): Promise<RunningMock> {
  const server = http.createServer(createMockWechatApp(opts).callback());
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 3100, host, resolve);
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
