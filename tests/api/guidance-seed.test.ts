/** The guidance demo data loads through the service and shows what the pages need. */
import { startTestStack, type TestStack } from '../support/stack';
import { seedGuidance } from '../../mock/src/seed/guidance';
import { adminUser } from '../support/guidance-fixture';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('guidanceseed');
}, 60_000);
afterAll(() => stack.stop());

test('instructors of every level across Suzhou districts, sessions of the five sports over the next week', async () => {
  const admin = await adminUser(stack, 'demo-admin');
  const seeded = await seedGuidance(stack.cloud.services, { 'demo-admin': admin.userId });
  expect(seeded).toEqual({ instructors: 5, sessions: 11 });
  const instructors = (await stack.request('GET', '/instructors')).body.items as { level: string; district: string }[];
  expect(new Set(instructors.map((i) => i.level))).toEqual(new Set(['national', 'first', 'second', 'third']));
  expect(new Set(instructors.map((i) => i.district)).size).toBe(5);
  const sessions = (await stack.request('GET', '/guidance/sessions')).body.items as { sport: string; startAt: string }[];
  expect(sessions).toHaveLength(11);
  expect(new Set(sessions.map((s) => s.sport))).toEqual(new Set(['square_dance', 'taichi', 'baduanjin', 'walking', 'badminton_basics']));
  for (const s of sessions) expect(new Date(s.startAt).getTime() - Date.now()).toBeLessThan(7 * 86_400_000);
  // the levels' rules over the seeded register: 一级 李秀英 met (二级 2014 → 一级 2018), 二级 陈建华 not (10 months at 三级)
  const activity = (await stack.request('GET', '/admin/instructors/activity', { token: admin.token })).body.items as {
    name: string;
    thresholdMet: boolean | null;
  }[];
  const met = Object.fromEntries(activity.map((a) => [a.name, a.thresholdMet]));
  expect(met).toMatchObject({ 李秀英: true, 陈建华: false, 张卫国: null });
  const pending = await stack.request('GET', '/admin/instructors?status=pending', { token: admin.token });
  expect(pending.body.items.map((i: { name: string }) => i.name)).toEqual(['孙丽']);
});
