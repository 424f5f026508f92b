import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import { startServer } from '../../cloud/src/server';
import { withDevSecretsAllowed } from '../../cloud/src/platform/config';
import { startMockWechat, type MockWechatOptions } from '../../mock/src/wechat/server';
import { percentile } from './report';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Runs a stack script in its own process (so the load generator never shares its event loop) and
 * waits for the one JSON line `{"url": …}` it prints when ready; stop() closes its stdin.
 */
export async function spawnStack<T>(script: string): Promise<{ stack: T; stop: () => Promise<void> }> {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(__dirname, script)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    // anything else the stack prints is passed through
    readline.createInterface({ input: child.stdout! }).on('line', (l) => (l.startsWith('{"url"') ? resolve(l) : console.log(l)));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    stack: JSON.parse(line) as T,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

/** Inside a stack script: WeChat stand-ins and the cloud API on a fresh in-memory engine, limits lifted. */
export async function startBenchServer(
  name: string,
  opts: { wechatPay?: MockWechatOptions['wechatPay']; env?: Record<string, string> } = {},
) {
  const mock = await startMockWechat({
    appid: 'wx-bench',
    secret: 'bench-secret',
    port: 0,
    ...(opts.wechatPay ? { wechatPay: opts.wechatPay } : {}),
  });
  const server = await startServer(
    {
      ...withDevSecretsAllowed(process.env),
      PORT: '0',
      LOG_LEVEL: 'warn',
      DB_NAME: `bench_${name}_${Date.now()}`,
      WECHAT_APPID: 'wx-bench',
      WECHAT_SECRET: 'bench-secret',
      WECHAT_API_BASE: mock.url,
      WECHATPAY_API_BASE: mock.url,
      LOGIN_RATE_PER_IP_PER_MIN: '1000000',
      USER_RATE_PER_MIN: '1000000',
      ...opts.env,
    },
    { persistent: false },
  );
  return {
    server,
    mock,
    /** prints the ready line, then serves until the parent closes stdin */
    ready(info: Record<string, unknown>) {
      process.stdout.write(JSON.stringify({ url: server.url, engine: server.engine.name, ...info }) + '\n');
      process.stdin.resume();
      process.stdin.on('end', async () => {
        await server.stop();
        await mock.stop();
        process.exit(0);
      });
    },
  };
}

export interface Phase {
  name: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
}

/** One autocannon phase of POSTs whose bodies the caller makes, with every latency kept for exact percentiles. */
export async function fire(
  name: string,
  target: { url: string; path: string; token: (i: number) => string; body: (i: number) => unknown },
  opts: { connections: number; amount?: number; duration?: number; overallRate?: number },
): Promise<Phase> {
  let n = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: target.url,
    connections: opts.connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration }),
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: target.path,
        setupRequest: (req: autocannon.Request) => {
          const i = n++;
          return {
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token(i)}` },
            body: JSON.stringify(target.body(i)),
          };
        },
      },
    ],
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  await instance;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    statuses,
  };
}

export function phaseRow(p: Phase): string {
  const statuses = Object.entries(p.statuses)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  return `| ${p.name} | ${p.requests} | ${p.seconds.toFixed(1)} s | **${p.rps.toFixed(0)}** | ${p.p50.toFixed(1)} | ${p.p95.toFixed(1)} | **${p.p99.toFixed(1)}** | ${statuses} |`;
}
