/**
 * `npm run feed:replay -- --from 2026-11-01`: every event that occurred since that day (Asia/Shanghai)
 * is sent to the data centre again by the feed job (the receiver deduplicates by eventId).
 */
import { shanghaiTime } from '@citysport/shared';
import { argValue, fail, withDatacentre } from './run-with-app';

withDatacentre('feed:replay', async (dc, args) => {
  const from = argValue(args, '--from');
  if (!from || !/^\d{4}-\d{2}-\d{2}$/.test(from)) fail('usage: npm run feed:replay -- --from YYYY-MM-DD');
  return { from, queued: await dc.feed.replayFrom(shanghaiTime(from)) };
}).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
