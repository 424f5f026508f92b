/** `npm run feed:export -- --day 2026-11-30 [--out file]`: the day's events as NDJSON (the file-exchange fallback). */
import fs from 'node:fs';
import { argValue, fail, withDatacentre } from './run-with-app';

withDatacentre('feed:export', async (dc, args) => {
  const day = argValue(args, '--day');
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) fail('usage: npm run feed:export -- --day YYYY-MM-DD [--out file.ndjson]');
  const out = argValue(args, '--out') ?? `citysport-${day}.ndjson`;
  const { body, count } = await dc.reports.ndjsonOfDay(day);
  fs.writeFileSync(out, body);
  return { day, count, out };
}).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
