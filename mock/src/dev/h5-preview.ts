import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import Koa from 'koa';
import serve from 'koa-static';
import httpProxy from 'http-proxy';

export const H5_DIST = path.resolve(__dirname, '../../../miniapp/dist/h5');

/**
 * Serves the built h5 mini-program and forwards /api to the cloud, so the page and its API
 * share one origin (the h5 build calls `/api/v1`).
 */
export async function startH5Preview(opts: {
  apiUrl: string;
  port: number;
  host?: string;
  distDir?: string;
  /** the WeChat stand-ins: `/mock/…` is forwarded there so the h5 "模拟支付" button can play the user paying */
  mockUrl?: string;
}) {
  const distDir = opts.distDir ?? H5_DIST;
  const proxy = httpProxy.createProxyServer({ changeOrigin: false, xfwd: true });
  proxy.on('error', (_err, _req, res) => {
    const r = res as http.ServerResponse;
    if (!r.headersSent) r.writeHead(502, { 'content-type': 'application/json' });
    r.end(JSON.stringify({ error: { code: 'UPSTREAM_UNAVAILABLE', message: 'cloud API is not reachable' } }));
  });
  const app = new Koa();
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/api/')) {
      ctx.respond = false;
      proxy.web(ctx.req, ctx.res, { target: opts.apiUrl });
      return;
    }
    if (opts.mockUrl && ctx.path.startsWith('/mock/')) {
      ctx.respond = false;
      proxy.web(ctx.req, ctx.res, { target: opts.mockUrl });
      return;
    }
    if (!fs.existsSync(path.join(distDir, 'index.html'))) {
      ctx.type = 'html';
      ctx.body = '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="3"><p>小程序 H5 版本正在构建，请稍候…</p>';
      return;
    }
    await next();
  });
  app.use(serve(distDir, { maxage: 0 }));
  const server = http.createServer(app.callback());
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, resolve);
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        proxy.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function newestMtime(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** True when the h5 build is missing or older than the mini-program or shared sources. */
export function h5BuildIsStale(): boolean {
  const index = path.join(H5_DIST, 'index.html');
  if (!fs.existsSync(index)) return true;
  const built = fs.statSync(index).mtimeMs;
  const root = path.resolve(__dirname, '../../..');
  return ['miniapp/src', 'miniapp/config', 'shared/src'].some((d) => newestMtime(path.join(root, d)) > built);
}
