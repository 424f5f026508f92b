import { shanghaiTime } from '@citysport/shared';
import type { CloudApp } from '@citysport/cloud';

/** 体质测试 demo: three stations in Suzhou, a week of slots, and 王小明's reports of the last three years. */
export async function seedFitnessDemo(services: CloudApp['services'], userIds: Record<string, string>, now = new Date()) {
  const { fitness, identity } = services;
  const stations = [
    {
      name: '苏州市体育中心国民体质监测站',
      district: '姑苏区',
      address: '苏州市姑苏区三香路1131号',
      hours: '周二至周日 9:00–11:30，14:00–16:30',
    },
    {
      name: '苏州奥体中心体质测试站',
      district: '工业园区',
      address: '苏州工业园区中新大道东999号',
      hours: '周二至周日 9:00–11:30，14:00–16:30',
    },
    { name: '吴中区全民健身中心体质测试点', district: '吴中区', address: '苏州市吴中区东吴北路101号', hours: '周三至周日 9:00–11:30' },
  ];
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });
  const ids: string[] = [];
  let slotCount = 0;
  for (const [i, s] of stations.entries()) {
    const station = await fitness.createStation('system', { ...s, ageBands: ['20-39', '40-59'] });
    ids.push(station.id);
    const times = i === 2 ? ['09:00', '10:00'] : ['09:00', '10:00', '14:00', '15:00'];
    const slots = [];
    for (let d = 1; d <= 7; d++) {
      const day = fmt.format(new Date(now.getTime() + d * 86_400_000));
      for (const t of times) {
        const startAt = shanghaiTime(day, t);
        slots.push({ startAt, endAt: new Date(startAt.getTime() + 3600_000), capacity: 20 });
      }
    }
    slotCount += (await fitness.createSlots('system', station.id, slots)).length;
    await identity.changeRole(
      'system',
      { userId: userIds['demo-staff'], role: 'fitness_staff', scope: station.id, reason: '演示数据' },
      'grant',
    );
  }
  // 王小明 (demo-citizen, born 1990-01-01, man): tested each autumn; balance improves, weight creeps up, flexibility
  // (坐位体前屈) stays his weak item (为你推荐 suggests stretching sessions for it)
  const year = Number(fmt.format(now).slice(0, 4));
  const participant = { name: '王小明', idNumber: '320502199001011234' };
  const history = [
    {
      y: year - 3,
      m: {
        heightCm: 172.4,
        weightKg: 76.5,
        vitalCapacityMl: 3600,
        stepIndex: 50.2,
        gripKg: 42.1,
        pushUps: 14,
        verticalJumpCm: 31.5,
        sitAndReachCm: 3.0,
        reactionTimeS: 0.56,
        oneLegStandEyesClosedS: 9,
      },
    },
    {
      y: year - 2,
      m: {
        heightCm: 172.4,
        weightKg: 77.8,
        vitalCapacityMl: 3750,
        stepIndex: 54.0,
        gripKg: 44.0,
        pushUps: 18,
        verticalJumpCm: 32.0,
        sitAndReachCm: 6.2,
        reactionTimeS: 0.52,
        oneLegStandEyesClosedS: 14,
      },
    },
    {
      y: year - 1,
      m: {
        heightCm: 172.5,
        weightKg: 74.2,
        vitalCapacityMl: 3900,
        stepIndex: 59.5,
        gripKg: 46.3,
        pushUps: 22,
        verticalJumpCm: 33.4,
        sitAndReachCm: 4.6,
        reactionTimeS: 0.48,
        oneLegStandEyesClosedS: 21,
      },
    },
  ];
  for (const h of history)
    await fitness.importPastResult('system', {
      userId: userIds['demo-citizen'],
      stationId: ids[0],
      participant,
      testDate: `${h.y}-10-18`,
      measurements: h.m,
    });
  return { stationIds: ids, slotCount, reports: history.length };
}
