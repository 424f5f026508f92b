import { businessDay, type Sport } from '@citysport/shared';
import type { CloudApp } from '@citysport/cloud';

/**
 * 为你推荐 demo (issue 15): two citizens with clearly different histories, through the services
 * like real data, dated from the app's clock.
 * - 王小明 (demo-citizen): plays badminton at 苏州市体育中心 (姑苏区) most weeks (and table tennis
 *   twice); his fitness reports (weak: 坐位体前屈) are seeded by fitness.ts.
 * - 李晓红 (demo-citizen-2): takes the 公益健身课 at 吴中区全民健身中心 and had a fitness test
 *   there with weak heart-lung items (肺活量, 台阶指数).
 * The bookings are past and used (no slot, no limit held), so today's booking rules and the demo
 * flows of the booking pages are untouched.
 */
export async function seedRecommendationHistory(
  services: CloudApp['services'],
  userIds: Record<string, string>,
  opts: { venueIds: string[]; fitnessStationIds: string[] },
  log: (m: string) => void = () => {},
) {
  const { venues, bookings, fitness } = services;
  const now = services.clock.now();
  const summaries = await venues.venueSummaries(opts.venueIds);
  const venueNamed = (name: string) => summaries.find((v) => v.name === name)?.id;

  // past sessions, used: weekly evenings over the last two months
  let booked = 0;
  const plan: { openid: string; venue: string; sport: Sport; start: string; minutes: number; weeks: number }[] = [
    { openid: 'demo-citizen', venue: '苏州市体育中心', sport: 'badminton', start: '19:00', minutes: 60, weeks: 8 },
    { openid: 'demo-citizen', venue: '苏州市体育中心', sport: 'table_tennis', start: '10:00', minutes: 60, weeks: 2 },
    { openid: 'demo-citizen-2', venue: '吴中区全民健身中心', sport: 'fitness', start: '09:00', minutes: 60, weeks: 6 },
  ];
  for (const p of plan) {
    const venueId = venueNamed(p.venue);
    if (!venueId) continue;
    for (let w = 1; w <= p.weeks; w++) {
      const day = businessDay(new Date(now.getTime() - (w * 7 - 1) * 86_400_000));
      await bookings.importPastBooking({ userId: userIds[p.openid], venueId, sport: p.sport, day, start: p.start, minutes: p.minutes });
      booked++;
    }
  }

  // 李晓红's test at the 吴中区 station last spring: heart and lungs are her weak side
  const station = opts.fitnessStationIds[2];
  let reports = 0;
  if (station) {
    const year = Number(businessDay(now).slice(0, 4));
    await fitness.importPastResult('system', {
      userId: userIds['demo-citizen-2'],
      stationId: station,
      participant: { name: '李晓红', idNumber: '320594198103150027' },
      testDate: `${year - 1}-04-12`,
      measurements: {
        heightCm: 161.2,
        weightKg: 58.4,
        vitalCapacityMl: 1750,
        stepIndex: 41.0,
        gripKg: 27.5,
        sitAndReachCm: 14.5,
        reactionTimeS: 0.5,
        oneLegStandEyesClosedS: 25,
      },
    });
    reports++;
  }
  log(`seeded recommendation history: ${booked} bookings, ${reports} fitness report`);
  return { booked, reports };
}
