/**
 * The stack under test for bench/booking-rush.ts, in its own process so the load generator does
 * not share its event loop: WeChat stand-in, a fresh in-memory engine (the resolver's choice),
 * the cloud API, and a rush venue: 20 capacity-1 courts and one 50-place session, released.
 * Prints one JSON line with the URLs and slot ids, then serves until stdin closes.
 */
import { startBenchServer } from './harness';
import { benchPayEnv, benchPayKeys } from './pay-keys';
import { addDays } from '../../cloud/src/modules/venue';
import { businessDay } from '@citysport/shared';

async function main() {
  const keys = benchPayKeys();
  const { server, ready } = await startBenchServer('rush', {
    wechatPay: { keys, signMode: 'public_key' },
    env: {
      ...benchPayEnv(keys),
    },
  });
  const { venues } = server.cloud.services;
  const day = addDays(businessDay(new Date()), 2);
  const venueId = await venues.createVenue({
    name: '抢场压测馆',
    district: '工业园区',
    address: '压测路1号',
    location: { lat: 31.3, lng: 120.7 },
    openHours: { open: '08:00', close: '22:00' },
    rules: { advanceDays: 3, releaseTime: '00:00', maxActivePerDay: 2, maxActivePerWeek: 4, maxActivePerSportPerWeek: 4 },
  });
  const everyDay = [1, 2, 3, 4, 5, 6, 7];
  for (let i = 1; i <= 20; i++) {
    await venues.addResource(venueId, {
      name: `羽毛球${i}号场`,
      sport: 'badminton',
      kind: 'court',
      templates: [{ weekdays: everyDay, start: '19:00', end: '20:00', priceFen: 4000, capacity: 1 }],
    });
  }
  await venues.addResource(venueId, {
    name: '晚间游泳',
    sport: 'swimming',
    kind: 'session',
    templates: [{ weekdays: everyDay, start: '19:00', end: '21:00', priceFen: 3000, capacity: 50 }],
  });
  await venues.materialiseSlots(venueId);
  const slots = await venues.listSlots(venueId, day);
  const openVenueId = await venues.createVenue({
    name: '常规预订馆',
    district: '姑苏区',
    address: '压测路2号',
    location: { lat: 31.3, lng: 120.6 },
    openHours: { open: '08:00', close: '22:00' },
    rules: { advanceDays: 3, releaseTime: '00:00', maxActivePerDay: 20, maxActivePerWeek: 100, maxActivePerSportPerWeek: 100 },
  });
  await venues.addResource(openVenueId, {
    name: '全民健身大课',
    sport: 'fitness',
    kind: 'session',
    templates: [{ weekdays: everyDay, start: '19:00', end: '20:00', priceFen: 1000, capacity: 1_000_000 }], // bench only: larger than the manager API allows
  });
  await venues.materialiseSlots(openVenueId);
  const [openSlot] = await venues.listSlots(openVenueId, day);
  ready({
    engineUri: server.engine.uri,
    dbName: server.config.DB_NAME,
    courtSlotIds: slots.filter((s) => s.capacity === 1).map((s) => s.id),
    sessionSlotId: slots.find((s) => s.capacity === 50)!.id,
    openSlotId: openSlot.id,
    day,
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
