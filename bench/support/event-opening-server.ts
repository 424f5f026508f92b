/**
 * The stack under test for bench/event-opening.ts, in its own process: WeChat stand-ins, a fresh
 * engine, the cloud API, a demo organiser and a first-come event whose one free group has
 * BENCH_PLACES places, open for registration. Prints one JSON line, then serves until stdin closes.
 */
import { startBenchServer } from './harness';

async function main() {
  const places = Number(process.env.BENCH_PLACES ?? 20_000);
  const { server, ready } = await startBenchServer('event', { env: { WECHAT_TIMEOUT_MS: '30000' } });
  const { identity, events } = server.cloud.services;
  const { user } = await identity.upsertByOpenid('bench-organiser', undefined, 'bench-session');
  const organiserId = String(user._id);
  await identity.changeRole('system', { userId: organiserId, role: 'organiser', reason: 'bench' }, 'grant');
  const now = Date.now();
  const e = await events.create(organiserId, {
    name: '压测城市10公里',
    kind: 'road_race',
    sport: 'running',
    district: '工业园区',
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
    refundPolicy: { tiers: [] },
    transfer: { allowed: false },
    pledge: { text: '压测承诺', version: 'v1' },
    groups: [{ name: '10公里', capacity: places, feeFen: 0, eligibility: {}, bibPrefix: '', bibStart: 1 }],
  });
  for (const step of ['publish', 'open'] as const)
    await events.changeStatus(organiserId, await events.ownedEvent(organiserId, e.id, false), step);
  ready({ engineUri: server.engine.uri, dbName: server.config.DB_NAME, eventId: e.id, groupId: e.groups[0].id, places });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
