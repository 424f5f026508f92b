/**
 * Gate verification latency: each of 6,000 fresh codes is scanned once through
 * POST /api/v1/verifications — first at a steady 200 scans/s, then as fast as 32 gates can go.
 *
 *   npm run bench:verification            (writes docs/benchmarks.md)
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import { machineLine, percentile, writeSection } from './support/report';

interface Stack {
  url: string;
  engine: string;
  venueId: string;
  token: string;
  codes: string[];
}

async function main() {
  const root = path.resolve(__dirname, '..');
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(__dirname, 'support/verify-server.ts')], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const stack = JSON.parse(
    await new Promise<string>((resolve, reject) => {
      // the stack prints one JSON line when ready; anything else it prints is passed through
      readline.createInterface({ input: child.stdout! }).on('line', (l) => (l.startsWith('{"url"') ? resolve(l) : console.log(l)));
      child.once('exit', (code) => reject(new Error(`verify server exited with ${code}`)));
    }),
  ) as Stack;
  try {
    console.log(`[bench] ${stack.codes.length} tickets ready; engine: ${stack.engine}`);
    // one scan by hand first, so a setup problem shows its error body instead of a wall of statuses
    const probe = await fetch(`${stack.url}/api/v1/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.token}` },
      body: JSON.stringify({ code: stack.codes[0], venueId: stack.venueId }),
    });
    if (probe.status !== 200) throw new Error(`probe scan failed: ${probe.status} ${await probe.text()}`);
    let next = 1;
    const phase = async (name: string, opts: { connections: number; amount: number; overallRate?: number }) => {
      const latencies: number[] = [];
      const statuses: Record<string, number> = {};
      const started = process.hrtime.bigint();
      const instance = autocannon({
        url: stack.url,
        connections: opts.connections,
        amount: opts.amount,
        ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
        requests: [
          {
            method: 'POST',
            path: '/api/v1/verifications',
            setupRequest: (req: autocannon.Request) => ({
              ...req,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.token}` },
              body: JSON.stringify({ code: stack.codes[next++ % stack.codes.length], venueId: stack.venueId }),
            }),
          },
        ],
      }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
      instance.on('response', (_c: unknown, status: number, _b: number, ms: number) => {
        latencies.push(ms);
        statuses[status] = (statuses[status] ?? 0) + 1;
      });
      await instance;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      latencies.sort((a, b) => a - b);
      return {
        name,
        n: latencies.length,
        seconds,
        rps: latencies.length / seconds,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        statuses,
      };
    };
    const steady = await phase('steady, target 200 scans/s (15 s)', { connections: 16, amount: 3000, overallRate: 200 });
    const burst = await phase('as fast as 32 gates go', { connections: 32, amount: stack.codes.length - 3001 });
    const row = (p: Awaited<ReturnType<typeof phase>>) =>
      `| ${p.name} | ${p.n} | ${p.seconds.toFixed(1)} s | **${p.rps.toFixed(0)}** | ${p.p50.toFixed(1)} | ${p.p95.toFixed(1)} | **${p.p99.toFixed(1)}** | ${Object.entries(
        p.statuses,
      )
        .map(([k, v]) => `${k}×${v}`)
        .join(' ')} |`;
    const md = `## Gate verification (\`bench/verification.ts\`)

- Command: \`npm run bench:verification\` — ${new Date().toISOString().slice(0, 10)}
- Machine: ${machineLine()}
- Engine: ${stack.engine} (fresh, in memory); API and load generator in separate processes on the same 2 cores.
- Scenario: 6,000 tickets of one session whose gate is open; every request scans a different fresh code once (Ed25519 check, time checks, one guarded valid → used update, the booking marked used, an outbox event, the scan recorded). 200 = admitted.

| phase | scans | time | scans/s | p50 ms | p95 ms | p99 ms | statuses |
|---|---|---|---|---|---|---|---|
${row(steady)}
${row(burst)}
`;
    console.log(md);
    const failed = Object.entries({ ...steady.statuses, ...burst.statuses }).filter(([k]) => k !== '200');
    if (failed.length) throw new Error(`unexpected statuses: ${JSON.stringify(failed)}`);
    writeSection('verification', md);
    console.log('[bench] written to docs/benchmarks.md');
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin!.end();
    });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
