import mongoose from 'mongoose';
import { spawn } from 'node:child_process';
import net from 'node:net';
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
export async function spawnStack<T>(script: string, env?: NodeJS.ProcessEnv): Promise<{ stack: T; stop: () => Promise<void> }> {
  // BENCH_CPU_PROF=<dir>: the stack process writes a V8 CPU profile there when it stops (open it in Chrome's DevTools)
  const profile = process.env.BENCH_CPU_PROF;
  const [cmd, args] = profile
    ? [process.execPath, ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`, '--import', 'tsx', path.join(__dirname, script)]]
    : [path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(__dirname, script)]];
  const child = spawn(cmd, args, {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
    ...(env ? { env } : {}),
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

/** How many API instances the benches run (`BENCH_INSTANCES=2`: two processes on one engine behind a loopback balancer). */
export const BENCH_INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1);

/**
 * A loopback TCP balancer: each new client connection goes to the next backend in turn (what an
 * L4 load balancer does), and stays there for its keep-alive life.
 */
async function startBalancer(backends: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const targets = backends.map((u) => new URL(u));
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const t = targets[next++ % targets.length];
    const upstream = net.connect(Number(t.port), t.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.once('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
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
  const env = {
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
  };
  const server = await startServer(env, { persistent: false });
  // two-instance mode: more API processes on this engine and database, a balancer in front
  const others: { stop: () => Promise<void> }[] = [];
  const backends = [server.url];
  for (let i = 1; i < BENCH_INSTANCES; i++) {
    const other = await spawnStack<{ url: string }>('instance-server.ts', { ...env, MONGODB_URI: server.engine.uri });
    others.push(other);
    backends.push(other.stack.url);
  }
  const balancer = backends.length > 1 ? await startBalancer(backends) : null;
  return {
    server,
    mock,
    instances: backends.length,
    /** prints the ready line, then serves until the parent closes stdin */
    ready(info: Record<string, unknown>) {
      process.stdout.write(
        JSON.stringify({ url: balancer?.url ?? server.url, engine: server.engine.name, instances: backends.length, ...info }) + '\n',
      );
      process.stdin.resume();
      process.stdin.on('end', async () => {
        await balancer?.stop();
        for (const o of others) await o.stop();
        await server.stop();
        await mock.stop();
        process.exit(0);
      });
    },
  };
}

/**
 * A free first-come event, published and open for registration for the next day, with one group:
 * what the opening bench and the soak register for. Returns its id and its group's id.
 */
export async function openFirstComeEvent(
  services: Awaited<ReturnType<typeof startServer>>['cloud']['services'],
  opts: {
    openid: string;
    name: string;
    district: string;
    group: string;
    capacity: number;
    refundTiers: { daysBefore: number; percent: number }[];
  },
): Promise<{ eventId: string; groupId: string }> {
  const { identity, events } = services;
  const { user } = await identity.upsertByOpenid(opts.openid, undefined, 'bench-session');
  const organiserId = String(user._id);
  await identity.changeRole('system', { userId: organiserId, role: 'organiser', reason: 'bench' }, 'grant');
  const now = Date.now();
  const e = await events.create(organiserId, {
    name: opts.name,
    kind: 'road_race',
    sport: 'running',
    district: opts.district,
    place: '压测起点',
    startAt: new Date(now + 30 * 86_400_000).toISOString(),
    description: '',
    registration: {
      mode: 'first_come',
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 86_400_000).toISOString(),
      holdMinutes: 15,
      offerHours: 48,
    },
    refundPolicy: { tiers: opts.refundTiers },
    transfer: { allowed: false },
    pledge: { text: '压测承诺', version: 'v1' },
    groups: [{ name: opts.group, capacity: opts.capacity, feeFen: 0, eligibility: {}, bibPrefix: '', bibStart: 1 }],
  });
  for (const step of ['publish', 'open'] as const)
    await events.changeStatus(organiserId, await events.ownedEvent(organiserId, e.id, false), step);
  return { eventId: e.id, groupId: e.groups[0].id };
}

/** Latency percentiles of one outcome (an HTTP status, a socket error or a timeout). */
export interface OutcomeStats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface Phase {
  name: string;
  /** every request sent: answered ones plus failures */
  requests: number;
  /** socket errors and timeouts: counted, with the time each one took to fail */
  failures: number;
  seconds: number;
  /** answers per second (failures excluded) */
  rps: number;
  /** over every outcome, failures included */
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
  /** percentiles per outcome: '201', '409', …, 'socket error', 'timeout' */
  byOutcome: Record<string, OutcomeStats>;
}

function statsOf(sorted: number[]): OutcomeStats {
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

/**
 * One autocannon phase of POSTs whose bodies the caller makes, with every latency kept for exact
 * percentiles. Socket errors and timeouts are failures: counted and timed (from the request being
 * sent to the failure), never dropped.
 */
export async function fire(
  name: string,
  target: { url: string; path: string; token: (i: number) => string; body: (i: number) => unknown },
  opts: { connections: number; amount?: number; duration?: number; overallRate?: number; timeoutSeconds?: number },
): Promise<Phase> {
  let n = 0;
  const byOutcome: Record<string, number[]> = {};
  const record = (outcome: string, ms: number) => (byOutcome[outcome] ??= []).push(ms);
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: target.url,
    connections: opts.connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration }),
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    timeout: opts.timeoutSeconds ?? 30,
    // one request in flight per connection (no pipelining): remember when it was sent, to time a failure
    setupClient: (client: autocannon.Client) => {
      const events = client as unknown as NodeJS.EventEmitter;
      let sentAt: bigint | null = null;
      // a request still in flight when the client sends the next one was lost: autocannon reconnects
      // (and sends again) before it says 'timeout', and says nothing when the server closed the socket
      let lost: number | null = null;
      const elapsed = () => Number(process.hrtime.bigint() - sentAt!) / 1e6;
      events.on('request', () => {
        if (sentAt !== null) {
          lost = elapsed();
          queueMicrotask(() => {
            if (lost !== null) record('socket error', lost);
            lost = null;
          });
        }
        sentAt = process.hrtime.bigint();
      });
      events.on('response', () => (sentAt = null));
      events.on('timeout', () => {
        if (lost !== null) record('timeout', lost);
        else if (sentAt !== null) record('timeout', elapsed());
        lost = null;
      });
      events.on('connError', () => {
        if (sentAt !== null) record('socket error', elapsed());
        sentAt = null;
      });
    },
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
    record(String(statusCode), responseTime);
  });
  await instance;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const all: number[] = [];
  const stats: Record<string, OutcomeStats> = {};
  const statuses: Record<string, number> = {};
  for (const [outcome, times] of Object.entries(byOutcome)) {
    times.sort((a, b) => a - b);
    all.push(...times);
    stats[outcome] = statsOf(times);
    statuses[outcome] = times.length;
  }
  all.sort((a, b) => a - b);
  const failures = (statuses['socket error'] ?? 0) + (statuses.timeout ?? 0);
  return {
    name,
    requests: all.length,
    failures,
    seconds,
    rps: (all.length - failures) / seconds,
    ...statsOf(all),
    statuses,
    byOutcome: stats,
  };
}

export function phaseRow(p: Phase): string {
  const statuses = Object.entries(p.statuses)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  return `| ${p.name} | ${p.requests} | ${p.failures} | ${p.seconds.toFixed(1)} s | **${p.rps.toFixed(0)}** | ${p.p50.toFixed(1)} | ${p.p95.toFixed(1)} | **${p.p99.toFixed(1)}** | ${statuses} |`;
}

export const PHASE_HEADER = `| phase | requests | failures | time | answers/s | p50 ms | p95 ms | p99 ms | outcomes |
|---|---|---|---|---|---|---|---|---|`;

/** One row per outcome of each phase: the winners' (201/200) latency apart from the refusals'. */
export function outcomeTable(phases: Phase[]): string {
  const rows = phases.flatMap((p) =>
    Object.entries(p.byOutcome)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, s]) => `| ${p.name} | ${k} | ${s.n} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | **${s.p99.toFixed(1)}** |`),
  );
  return `| phase | outcome | n | p50 ms | p95 ms | p99 ms |
|---|---|---|---|---|---|
${rows.join('\n')}`;
}

/** `--no-write`: print the section only (tiny smoke runs must not overwrite the recorded figures). */
export const WRITE_DOC = !process.argv.includes('--no-write');

/**
 * The ceiling: single-document guarded decrements straight through the driver, 50 at a time.
 * Divided by the measured time: the callers' last updates finish after the nominal deadline.
 */
export async function engineGuardedRate(seconds: number): Promise<number> {
  const coll = mongoose.connection.db!.collection('bench_raw_counter');
  const { insertedId } = await coll.insertOne({ remaining: 1e9 });
  return callsPerSecond(seconds, () => coll.updateOne({ _id: insertedId, remaining: { $gte: 1 } }, { $inc: { remaining: -1 } }));
}

/** 50 callers repeat `call` (given how many calls ended so far) for `seconds`; calls per measured second. */
async function callsPerSecond(seconds: number, call: (done: number) => Promise<unknown>): Promise<number> {
  let ops = 0;
  const started = process.hrtime.bigint();
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 50 }, async (_, k) => {
      while (Date.now() < end) {
        await call(ops + k);
        ops++;
      }
    }),
  );
  return ops / (Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * A guarded transition's cost at a collection's real size: 50 callers update `{_id, status}` on
 * existing documents of `collection` with a status none has, so nothing changes. mongo-java-server
 * serves a filter from an index only when it names exactly the index's keys, so `{_id, status}`
 * reads the whole collection, and this rate falls as the collection grows (engineGuardedRate's
 * one-document counter does not show that).
 */
export async function guardedTransitionRate(
  db: mongoose.mongo.Db,
  collection: string,
  seconds: number,
): Promise<{ rate: number; size: number }> {
  const coll = db.collection(collection);
  const ids = (
    await coll
      .find({}, { projection: { _id: 1 } })
      .limit(1000)
      .toArray()
  ).map((d) => d._id);
  const size = await coll.estimatedDocumentCount();
  const rate = await callsPerSecond(seconds, (n) =>
    coll.updateOne({ _id: ids[n % ids.length], status: '__bench_never__' }, { $set: { benchTouched: true } }),
  );
  return { rate, size };
}
