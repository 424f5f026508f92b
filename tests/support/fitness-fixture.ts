import { idCardCheckChar, shanghaiTime, type FitnessStation } from '@citysport/shared';
import type { FitnessService } from '../../cloud/src/modules/fitness';
import type { Clock } from '../../cloud/src/platform/clock';
import { grant, startTestStack, type TestStack } from './stack';

/** worked example A of tests/unit/fitness-engine.test.ts: a man of 22 → 32 points, 二级 */
export const MEASUREMENTS_A = {
  heightCm: 175.3,
  weightKg: 70,
  vitalCapacityMl: 3500,
  stepIndex: 60,
  gripKg: 45,
  pushUps: 30,
  verticalJumpCm: 40,
  sitAndReachCm: 10,
  reactionTimeS: 0.45,
  oneLegStandEyesClosedS: 20,
};

export const fitnessOf = (stack: TestStack) => stack.cloud.modules.get('fitness') as FitnessService;

/** a valid 18-digit resident ID; `male` picks an odd 17th digit */
export function idNumberFor(birth: string, male: boolean, serial = '01'): string {
  const first17 = `320508${birth.replace(/-/g, '')}${serial}${male ? '1' : '2'}`;
  return first17 + idCardCheckChar(first17);
}

export function dayAhead(clock: Clock, n: number): string {
  const d = new Date(clock.now().getTime() + n * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(d);
}

export async function createTestStation(
  stack: TestStack,
  opts: { name?: string; district?: string; capacity?: number; day: string; times?: string[] },
): Promise<{ station: FitnessStation; slotIds: string[] }> {
  const f = fitnessOf(stack);
  const station = await f.createStation('system', {
    name: opts.name ?? '测试站',
    district: opts.district ?? '姑苏区',
    address: '苏州市姑苏区测试路1号',
    hours: '周二至周日 9:00–16:00',
    ageBands: ['20-39', '40-59'],
  });
  const slots = await f.createSlots(
    'system',
    station.id,
    (opts.times ?? ['09:00']).map((t) => {
      const startAt = shanghaiTime(opts.day, t);
      return { startAt, endAt: new Date(startAt.getTime() + 3600_000), capacity: opts.capacity ?? 5 };
    }),
  );
  return { station, slotIds: slots.map((s) => s.id) };
}

export type FitnessUser = { token: string; userId: string };
type StationOpts = Omit<Parameters<typeof createTestStation>[1], 'day'>;

/**
 * The setup every fitness API test starts with: a stack on `clock`, test stations with slots
 * `daysAhead` (default 2) days out, station staff signed in and granted fitness_staff for their
 * station (`[openid, index into stations]`), and plain users signed in, in that order.
 */
export async function startFitnessStack(
  name: string,
  opts: { clock: Clock; stations: StationOpts[]; staff: [openid: string, station: number][]; users: string[]; daysAhead?: number },
): Promise<{
  stack: TestStack;
  day: string;
  stations: Awaited<ReturnType<typeof createTestStation>>[];
  staff: FitnessUser[];
  users: FitnessUser[];
}> {
  const stack = await startTestStack(name, { clock: opts.clock });
  const day = dayAhead(opts.clock, opts.daysAhead ?? 2);
  const stations = [];
  for (const st of opts.stations) stations.push(await createTestStation(stack, { ...st, day }));
  const staff = [];
  for (const [openid] of opts.staff) staff.push(await stack.login(openid));
  for (const [i, [, at]] of opts.staff.entries()) await grant(stack, staff[i].userId, 'fitness_staff', stations[at].station.id);
  const users = [];
  for (const openid of opts.users) users.push(await stack.login(openid));
  return { stack, day, stations, staff, users };
}
