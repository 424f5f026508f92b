import mongoose from 'mongoose';
import type { CloudApp } from '@citysport/cloud';
import { DEMO_ACCOUNTS, DEMO_BUREAU_ACCOUNTS, DEMO_VENUES } from './fixtures';
import { seedEvents } from './events';
import { seedGuidance } from './guidance';
import { seedFitnessDemo } from './fitness';
import { seedClubs } from './clubs';
import { seedRecommendationHistory } from './recommendations';
import { seedGates } from './gates';
import { seedReviews } from './reviews';
import { seedCourses } from './courses';

export { DEMO_ACCOUNTS };

export async function isDatabaseEmpty(): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const [users, venues] = await Promise.all([
    db.collection('users').estimatedDocumentCount(),
    db.collection('venues').estimatedDocumentCount(),
  ]);
  return users === 0 && venues === 0;
}

/**
 * Loads the demo accounts and Suzhou venues through the cloud's own services (so the same rules
 * apply as for real data), then materialises each venue's bookable days.
 */
export async function seedDemoData(services: CloudApp['services'], log: (m: string) => void = () => {}) {
  const { identity, venues } = services;
  const userIds: Record<string, string> = {};
  for (const acc of DEMO_ACCOUNTS) {
    const { user } = await identity.upsertByOpenid(acc.openid, undefined, 'seeded-session-key');
    userIds[acc.openid] = String(user._id);
    await identity.setPersonalFields(userIds[acc.openid], {
      nickname: acc.nickname,
      ...('phone' in acc ? { phone: acc.phone } : {}),
      ...('idNumber' in acc ? { idNumber: acc.idNumber } : {}),
    });
  }

  const venueIds: string[] = [];
  let slotCount = 0;
  for (const fixture of DEMO_VENUES) {
    const venueId = await venues.createVenue(fixture.venue);
    for (const r of fixture.resources) await venues.addResource(venueId, r);
    slotCount += await venues.materialiseSlots(venueId);
    venueIds.push(venueId);
  }

  const reason = '演示数据';
  for (const b of DEMO_BUREAU_ACCOUNTS) {
    if ((await identity.bureau.get(userIds[b.openid]))?.status === 'open') continue;
    const { openid, ...person } = b;
    await identity.bureau.open('system', { userId: userIds[openid], ...person, reason });
  }
  await identity.changeRole('system', { userId: userIds['demo-instructor'], role: 'instructor', reason }, 'grant');
  await identity.changeRole('system', { userId: userIds['demo-organiser'], role: 'organiser', reason }, 'grant');
  for (const venueId of venueIds) {
    await identity.changeRole('system', { userId: userIds['demo-staff'], role: 'staff', scope: venueId, reason }, 'grant');
  }
  await identity.changeRole('system', { userId: userIds['demo-admin'], role: 'venue_manager', scope: venueIds[0], reason }, 'grant');
  await seedGuidance(services, { ...userIds }, log);

  await seedEvents(services.events, userIds['demo-organiser'], services.clock.now().getTime(), log);
  const fitnessDemo = await seedFitnessDemo(services, userIds, services.clock.now());

  await seedClubs(services, userIds, log);
  await seedRecommendationHistory(services, userIds, { venueIds, fitnessStationIds: fitnessDemo.stationIds }, log);
  const gates = await seedGates(services, userIds, venueIds[0], log);
  await seedReviews(services, log);
  await seedCourses(services, userIds, log);
  log(`seeded ${DEMO_ACCOUNTS.length} demo accounts, ${venueIds.length} venues, ${slotCount} slots`);
  return { userIds, venueIds, slotCount, gates };
}
