/**
 * The stack under test for bench/event-opening.ts, in its own process: WeChat stand-ins, a fresh
 * engine, the cloud API, a demo organiser and a first-come event whose one free group has
 * BENCH_PLACES places, open for registration. Prints one JSON line, then serves until stdin closes.
 */
import { openFirstComeEvent, startBenchServer } from './harness';

async function main() {
  const places = Number(process.env.BENCH_PLACES ?? 20_000);
  const { server, ready } = await startBenchServer('event', { env: { WECHAT_TIMEOUT_MS: '30000' } });
  const { eventId, groupId } = await openFirstComeEvent(server.cloud.services, {
    openid: 'bench-organiser',
    name: '压测城市10公里',
    district: '工业园区',
    group: '10公里',
    capacity: places,
    refundTiers: [],
  });
  ready({ engineUri: server.engine.uri, dbName: server.config.DB_NAME, eventId, groupId, places });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
