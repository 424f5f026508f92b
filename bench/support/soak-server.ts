/**
 * The stack under test for bench/soak.ts, in its own process: the cloud API on the WeChat stand-ins
 * of another process (pay in public-key mode), a fresh engine, the cloud API, a venue with a 15-minute session all day (so a booking made
 * now can be scanned now), a verifier for it, and a free first-come event with room for every
 * entry. Every SOAK_SAMPLE_MS it appends this process's memory and handle counts to SOAK_SAMPLES
 * (after a full collection when run with --expose-gc, so the heap figure is what is retained).
 * Prints one JSON line, then serves until stdin closes.
 */
import fs from 'node:fs';
import net from 'node:net';
import { openFirstComeEvent, startBenchServer } from './harness';
import { benchPayEnv, benchPayKeys } from './pay-keys';
import { addDays } from '../../cloud/src/modules/venue';
import { businessDay } from '@citysport/shared';

const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (minutes: number) => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;

function startSampler(file: string, everyMs: number) {
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = () => {
    gc?.();
    const m = process.memoryUsage();
    const line = {
      at: new Date().toISOString(),
      rssMiB: m.rss / 2 ** 20,
      heapUsedMiB: m.heapUsed / 2 ** 20,
      externalMiB: m.external / 2 ** 20,
      handles: process.getActiveResourcesInfo().length,
      fds: fs.readdirSync('/proc/self/fd').length,
      afterGc: Boolean(gc),
    };
    fs.appendFileSync(file, JSON.stringify(line) + '\n');
  };
  sample();
  setInterval(sample, everyMs).unref();
}

/** A port free now: the API must know its own port before it binds, to name it in notify_url. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function main() {
  const port = await freePort();
  const keys = benchPayKeys();
  // the stand-ins run in their own process (SOAK_WECHAT_URL, bench/support/wechat-server.ts): what
  // they keep is WeChat's memory, not this API's; the in-process stand-in startBenchServer makes idles
  const wechat = process.env.SOAK_WECHAT_URL;
  if (!wechat) throw new Error('SOAK_WECHAT_URL is required (bench/soak.ts starts the stand-ins)');
  const { server, ready } = await startBenchServer('soak', {
    env: {
      WECHAT_API_BASE: wechat,
      WECHATPAY_API_BASE: wechat,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_API_BASE: `http://127.0.0.1:${port}/api/v1`,
      ...benchPayEnv(keys),
    },
  });
  const { venues, identity } = server.cloud.services;
  const today = businessDay(new Date());
  const venueId = await venues.createVenue({
    name: '长稳压测馆',
    district: '姑苏区',
    address: '压测路3号',
    location: { lat: 31.3, lng: 120.6 },
    openHours: { open: '00:00', close: '23:45' },
    rules: { advanceDays: 3, releaseTime: '00:00', maxActivePerDay: 1000, maxActivePerWeek: 10_000, maxActivePerSportPerWeek: 10_000 },
  });
  const everyDay = [1, 2, 3, 4, 5, 6, 7];
  await venues.addResource(venueId, {
    name: '全天健身课',
    sport: 'fitness',
    kind: 'session',
    // bench only: larger than the manager API allows
    templates: Array.from({ length: 95 }, (_, i) => ({
      weekdays: everyDay,
      start: hhmm(i * 15),
      end: hhmm(i * 15 + 15),
      priceFen: 1000,
      capacity: 1_000_000,
    })),
  });
  await venues.materialiseSlots(venueId);

  const { user: staff } = await identity.upsertByOpenid('soak-staff', undefined, 'soak-session');
  await identity.changeRole('system', { userId: String(staff._id), role: 'staff', scope: venueId, reason: 'bench' }, 'grant');
  const { eventId, groupId } = await openFirstComeEvent(server.cloud.services, {
    openid: 'soak-organiser',
    name: '长稳压测健步走',
    district: '姑苏区',
    group: '5公里',
    capacity: 1_000_000,
    refundTiers: [{ daysBefore: 7, percent: 100 }],
  });

  const samples = process.env.SOAK_SAMPLES;
  if (samples) startSampler(samples, Number(process.env.SOAK_SAMPLE_MS ?? 10_000));
  ready({
    pid: process.pid,
    venueId,
    days: [today, addDays(today, 1)],
    eventId,
    groupId,
    mockUrl: wechat,
    engineUri: server.engine.uri,
    dbName: server.config.DB_NAME,
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
