/**
 * The stack under test for bench/verification.ts: cloud API on a fresh in-memory engine, a venue
 * whose session starts in 20 minutes (so its gate is open), 6,000 tickets, a gate account, and a
 * fresh code for every ticket. Prints one JSON line, then serves until stdin closes.
 */
import { startBenchServer } from './harness';
import { businessDay, inShanghai } from '@citysport/shared';

async function main() {
  const { server, ready } = await startBenchServer('verify');
  const { venues, identity, bookings, tickets } = server.cloud.services;
  const start = inShanghai(new Date(Date.now() + 20 * 60_000)).startOf('minute');
  // a slot lives within one business day: near midnight it ends at 23:59
  const end = start.add(60, 'minute').isSame(start, 'day') ? start.add(60, 'minute') : start.hour(23).minute(59);
  const venueId = await venues.createVenue({
    name: '核验压测馆',
    district: '姑苏区',
    address: '压测路3号',
    location: { lat: 31.3, lng: 120.6 },
    openHours: { open: '00:00', close: '23:59' },
    rules: { advanceDays: 1, releaseTime: '00:00', maxActivePerDay: 5, maxActivePerWeek: 50, maxActivePerSportPerWeek: 50 },
  });
  await venues.addResource(venueId, {
    name: '全民健身大课',
    sport: 'fitness',
    kind: 'session',
    templates: [
      { weekdays: [1, 2, 3, 4, 5, 6, 7], start: start.format('HH:mm'), end: end.format('HH:mm'), priceFen: 0, capacity: 1_000_000 },
    ], // bench only
  });
  await venues.materialiseSlots(venueId);
  const [slot] = (await venues.listSlots(venueId, businessDay(start.toDate()))).filter((s) => s.status === 'open');
  const ticketIds: { userId: string; ticketId: string }[] = [];
  // 20 tickets per holder; BENCH_TICKETS makes smoke runs small
  const holders = Math.ceil(Number(process.env.BENCH_TICKETS ?? 6000) / 20);
  for (let i = 0; i < holders; i++) {
    const { user } = await identity.upsertByOpenid(`ticket-holder-${i}`, undefined, 'bench');
    const userId = String(user._id);
    await bookings.book(userId, { slotIds: [slot.id], quantity: 20, companions: [] });
    for (const t of await tickets!.mine(userId)) ticketIds.push({ userId, ticketId: t.id });
  }
  const { user: gate } = await identity.upsertByOpenid('bench-gate', undefined, 'bench');
  await identity.changeRole('system', { userId: String(gate._id), role: 'staff', scope: venueId }, 'grant');
  const { token } = await server.cloud.tokens.sign({ userId: String(gate._id), roles: ['citizen', 'staff'] });
  const codes = [];
  for (const t of ticketIds) codes.push((await tickets!.code(t.userId, t.ticketId)).code);
  ready({ venueId, token, codes });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
