/**
 * What a capacity counter's token list costs a take (kernel.capacity `keepTokens`): guarded takes
 * of fresh holders, 50 at a time, through `platform/capacity.ts` itself, on counters whose
 * `applied` list is kept at different lengths. Each size runs twice; the first pass warms the
 * engine up and is not reported.
 *
 *   npm run bench:capacity-tokens                 (writes docs/benchmarks.md)
 *   BENCH_TAKES=500 npm run bench:capacity-tokens -- --no-write
 *   BENCH_SIZES=500,20000 BENCH_TAKES=1000 npm run bench:capacity-tokens -- --no-write
 */
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { createCapacity } from '../cloud/src/platform/capacity';
import { noCrashes } from '../cloud/src/platform/crash';
import { resolveEngine } from '../cloud/src/platform/db/engine';
import { machineLine, writeSection } from './support/report';

const TAKES = Number(process.env.BENCH_TAKES ?? 3000);
const CONCURRENCY = 50;
// BENCH_SIZES=500,20000 measures only those list lengths (prints; use with --no-write)
const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : [50, 200, 500, 2000, 20000];

// the kernel's own capacity (no crash points, no control-run switch), one counter kind per list length
const capacity = createCapacity({ crashPoint: noCrashes });

async function takesPerSecond(keep: number): Promise<number> {
  const kind = `bench-tokens-${keep}`;
  capacity.define(kind, { collection: `bench_tokens_${keep}`, guard: { open: true }, keepTokens: keep });
  const coll = mongoose.connection.db!.collection(`bench_tokens_${keep}`);
  const applied = Array.from({ length: keep }, () => `${new mongoose.Types.ObjectId()}:take`);
  const { insertedId } = await coll.insertOne({ remaining: 1e9, open: true, applied });
  let started = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started < TAKES) {
        started++;
        await capacity.take(kind, insertedId, 1, { holder: String(new mongoose.Types.ObjectId()), fresh: true });
      }
    }),
  );
  await coll.drop();
  return TAKES / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function main() {
  const engine = await resolveEngine({ dataDir: path.resolve('.data'), persistent: false } as never);
  await mongoose.connect(engine.uri, { dbName: 'bench_capacity_tokens' });
  const rates = new Map<number, number>();
  for (const pass of [0, 1])
    for (const keep of SIZES) {
      const r = await takesPerSecond(keep);
      if (pass === 1) rates.set(keep, r);
      console.log(`pass ${pass} keepTokens ${keep}: ${r.toFixed(0)} takes/s`);
    }
  await mongoose.disconnect();
  await engine.stop();
  const rows = SIZES.map((k) => `| ${k.toLocaleString('en')} | ${Math.round(rates.get(k)!).toLocaleString('en')} |`);
  if (process.argv.includes('--no-write')) return;
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
  writeSection(
    'capacity-tokens',
    [
      '## Capacity token list length and the cost of a take (`npm run bench:capacity-tokens`)',
      '',
      `Command: \`npm run bench:capacity-tokens\` · ${new Date().toISOString().slice(0, 10)} · ${machineLine()}, engine ${engine.name}, load average ${load} (1/5/15 min) · ${TAKES} guarded takes of fresh holders per size, ${CONCURRENCY} at a time, second pass (the first warms the engine up).`,
      '',
      '| `keepTokens` (list length) | takes/s |',
      '|---|---|',
      ...rows,
      '',
      'Each take filters on the list (`$nin`) and rewrites it (`$push` with `$slice`), so its cost grows with the',
      'list on this engine; the load average above includes this script and the engine it drives. The list only',
      'has to outlive a crash heal (retries, tombstones, a rollback), because a holder whose own record shows its',
      'take landed gives back with `taken` on its first attempt (`platform/capacity.ts`). Event groups therefore',
      'keep 200 tokens (they kept 2,000); gate occupancy and walk-up days keep 500 (they kept 20,000).',
    ].join('\n'),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
