import { idCardCheckChar, shanghaiTime, type FitnessStation } from '@citysport/shared';
import type { FitnessService } from '../../cloud/src/modules/fitness';
import type { Clock } from '../../cloud/src/platform/clock';
import type { TestStack } from './stack';

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
