/**
 * One gate device verifying offline: the reference client's decision (the staff page's offline
 * check — Ed25519 in pure JS, the time checks, the revocation list, the device's own admissions)
 * and its queue written to its state file after every scan, as on a turnstile. No network.
 *
 *   npm run bench:gate-offline                 (writes docs/benchmarks.md)
 *   npm run bench:gate-offline -- --no-write   (prints only)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import { TICKET_ACCEPT_STEPS, TICKET_OPENS_MINUTES_BEFORE, TICKET_STEP_SECONDS } from '@citysport/shared';
import { createTicketSigner } from '../cloud/src/platform/ticket-signer';
import { GateDevice } from '../cloud/src/modules/gate/client/device-client';
import { machineLine, writeSection } from './support/report';

const CODES = Number(process.env.BENCH_CODES ?? 1000);
const REVOKED = 5000;

function run(label: string, persist: boolean) {
  const signer = createTicketSigner(['bench-gate-offline-seed-000000000000000000']);
  const venueId = new Types.ObjectId().toHexString();
  const now = new Date();
  const step = Math.floor(now.getTime() / 1000 / TICKET_STEP_SECONDS);
  const minute = Math.floor(now.getTime() / 60_000);
  const codes = Array.from({ length: CODES }, () =>
    signer.sign({ ticketId: new Types.ObjectId().toHexString(), venueId, step, validFromMin: minute - 10, validToMin: minute + 120 }),
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'gate-bench-'));
  const device = new GateDevice(
    {
      api: 'http://127.0.0.1:1/api/v1',
      deviceId: new Types.ObjectId().toHexString(),
      venueId,
      direction: 'in',
      privateKeyPem: '',
      pack: {
        venueId,
        deviceId: new Types.ObjectId().toHexString(),
        direction: 'in',
        generatedAt: now.toISOString(),
        stepSeconds: TICKET_STEP_SECONDS,
        acceptSteps: TICKET_ACCEPT_STEPS,
        opensMinutesBefore: TICKET_OPENS_MINUTES_BEFORE,
        keys: signer.publicKeys(),
        revoked: Array.from({ length: REVOKED }, () => new Types.ObjectId().toHexString()),
        admitted: Array.from({ length: 2000 }, () => new Types.ObjectId().toHexString()),
      },
      used: [],
      queue: [],
      offlineSince: now.toISOString(),
    },
    { statePath: persist ? path.join(dir, 'device.json') : undefined, now: () => now },
  );
  const started = process.hrtime.bigint();
  let open = 0;
  for (const code of codes) if (device.checkOffline(code).open) open++;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(dir, { recursive: true, force: true });
  if (open !== CODES) throw new Error(`${label}: ${open} of ${CODES} opened`);
  return { label, codes: CODES, seconds, perSecond: CODES / seconds };
}

/** A figure taken while other work shared the two cores says little: say so in the report. */
function loadNote(): string {
  const load = os.loadavg()[0];
  return load > 1.5
    ? `- **Provisional**: measured while the machine was shared with other work (load average ${load.toFixed(1)} at the end); re-run on a quiet machine.`
    : `- Quiet machine (load average ${load.toFixed(1)} at the end).`;
}

function main() {
  run('warm-up', false);
  const rows = [run('decision only (state in memory)', false), run('decision + the scan appended to the queue file', true)];
  for (const r of rows)
    console.log(`[bench] ${r.label}: ${r.codes} codes in ${r.seconds.toFixed(2)} s = ${r.perSecond.toFixed(0)} codes/s`);
  const md = `## Gate device offline verification (\`bench/gate-offline.ts\`)

- Command: \`npm run bench:gate-offline\` — ${new Date().toISOString().slice(0, 10)}
- Machine: ${machineLine()}
${loadNote()}
- Scenario: one reference device (\`cloud/src/modules/gate/client/device-client.ts\`) with the network down decides ${CODES} different fresh codes, one after another: the staff page's offline check from \`shared/src/ticket-offline.ts\` (Ed25519 with @noble/ed25519 in pure JS, time checks, a revocation list of ${REVOKED} ids, the day's 2,000 admissions) and the scan queued (appended to the device's queue file on disk in the second run). Goal ≥ 50 codes/s (a turnstile needs about 1).

| run | codes | time | codes/s |
|---|---|---|---|
${rows.map((r) => `| ${r.label} | ${r.codes} | ${r.seconds.toFixed(2)} s | **${r.perSecond.toFixed(0)}** |`).join('\n')}
`;
  if (process.argv.includes('--no-write')) console.log(md);
  else writeSection('gate-offline', md);
}

main();
