/**
 * Gate verification latency: each of 6,000 fresh codes is scanned once through
 * POST /api/v1/verifications — first at a steady 200 scans/s, then as fast as 32 gates can go.
 *
 *   npm run bench:verification            (writes docs/benchmarks.md)
 *   BENCH_TICKETS=600 BENCH_STEADY_SCANS=300 npm run bench:verification -- --no-write   (a smoke run: prints, writes nothing)
 */
import { machineLine, writeSection } from './support/report';
import { PHASE_HEADER, WRITE_DOC, fire, outcomeTable, phaseRow, spawnStack } from './support/harness';

const STEADY_SCANS = Number(process.env.BENCH_STEADY_SCANS ?? 3000);

interface Stack {
  url: string;
  engine: string;
  /** API processes behind the URL (BENCH_INSTANCES; 2 = two processes on one engine behind a loopback balancer) */
  instances: number;
  venueId: string;
  token: string;
  codes: string[];
}

async function main() {
  const { stack, stop } = await spawnStack<Stack>('verify-server.ts');
  try {
    console.log(`[bench] ${stack.codes.length} tickets ready; engine: ${stack.engine}`);
    // one scan by hand first, so a setup problem shows its error body instead of a wall of statuses
    const probe = await fetch(`${stack.url}/api/v1/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.token}` },
      body: JSON.stringify({ code: stack.codes[0], venueId: stack.venueId }),
    });
    if (probe.status !== 200) throw new Error(`probe scan failed: ${probe.status} ${await probe.text()}`);
    // every scan a different fresh code, once (code 0 went to the probe)
    const scans = (offset: number) => ({
      url: stack.url,
      path: '/api/v1/verifications',
      token: () => stack.token,
      body: (i: number) => ({ code: stack.codes[offset + i], venueId: stack.venueId }),
    });
    const steadyScans = Math.min(STEADY_SCANS, stack.codes.length - 2);
    const steady = await fire(`steady, target 200 scans/s (${(steadyScans / 200).toFixed(0)} s)`, scans(1), {
      connections: 16,
      amount: steadyScans,
      overallRate: 200,
    });
    const burst = await fire('as fast as 32 gates go', scans(1 + steadyScans), {
      connections: 32,
      amount: stack.codes.length - 1 - steadyScans,
    });
    const md = `## Gate verification (\`bench/verification.ts\`${stack.instances === 1 ? '' : `, ${stack.instances} instances`})

- Command: \`npm run bench:verification\` — ${new Date().toISOString().slice(0, 10)}
- Machine: ${machineLine()}
- Engine: ${stack.engine} (fresh, in memory); API (one or more processes, below) and load generator in separate processes on the same 2 cores.
- Instances: ${stack.instances === 1 ? 'one API process' : `${stack.instances} API processes on the one engine behind a loopback TCP balancer (round robin per connection); jobs, leases, rate limits and nonces shared through the database`} (\`BENCH_INSTANCES=${stack.instances}\`).
- Scenario: ${stack.codes.length} tickets of one session whose gate is open; every request scans a different fresh code once (Ed25519 check, time checks, one guarded valid → used update, the booking marked used, an outbox event, the scan recorded). 200 = admitted; socket errors and timeouts are failures, counted and timed.

${PHASE_HEADER}
${phaseRow(steady)}
${phaseRow(burst)}

${outcomeTable([steady, burst])}
`;
    console.log(md);
    const failed = Object.entries({ ...steady.statuses, ...burst.statuses }).filter(([k]) => k !== '200');
    if (failed.length) throw new Error(`unexpected outcomes: ${JSON.stringify(failed)}`);
    if (!WRITE_DOC) return console.log('[bench] --no-write: docs/benchmarks.md left as it was');
    writeSection(stack.instances === 1 ? 'verification' : `verification-${stack.instances}x`, md);
    console.log('[bench] written to docs/benchmarks.md');
  } finally {
    await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
