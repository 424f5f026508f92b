/**
 * The reference gate device as a program:
 *
 *   npm run gate -- --pair <code> [--api http://host:port/api/v1] [--state gate-device.json]
 *   npm run gate -- --state gate-device.json            (already paired)
 *
 * Reads one code per line from stdin (a scanner in keyboard mode) and prints OPEN or DENY <reason>,
 * "(offline)" when it decided without the network. Lines `sync`, `pack` and `heartbeat` run those by hand.
 */
import { createInterface } from 'node:readline';
import { GateDevice, formatDecision } from './device-client';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const statePath = arg('state') ?? 'gate-device.json';
  const pairingCode = arg('pair');
  const api = arg('api') ?? process.env.CITYSPORT_API ?? 'http://127.0.0.1:3000/api/v1';
  const device = pairingCode ? await GateDevice.pair(api, pairingCode, { statePath }) : GateDevice.load(statePath, { api: arg('api') });
  if (!device) throw new Error(`no device state in ${statePath}: pair first with --pair <code>`);
  console.log(`READY ${device.state.deviceId} ${device.state.direction}`);
  const report = async () => {
    const s = await device.sync();
    if (s && s.uploaded > 0) console.log(`SYNC ${s.uploaded} uploaded, ${s.doubleAdmissions} double admissions`);
    const packed = await device.refreshPack();
    console.log(packed ? 'PACK ok' : `PACK offline (${device.state.pack ? 'using the last pack' : 'no pack yet'})`);
  };
  await report();
  await device.heartbeat();
  const beat = setInterval(() => void device.heartbeat().catch(() => {}), 60_000);
  beat.unref();

  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    const text = line.trim();
    if (!text) continue;
    if (text === 'sync' || text === 'pack') await report();
    else if (text === 'heartbeat') console.log((await device.heartbeat()) ? 'HEARTBEAT ok' : 'HEARTBEAT offline');
    else console.log(formatDecision(await device.scan(text)));
  }
  clearInterval(beat);
}

main().catch((err) => {
  console.error(`gate: ${(err as Error).message}`);
  process.exit(1);
});
