/** The 体质测试 demo data: three Suzhou stations, a week of slots, the demo citizen's three past reports. */
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { startTestStack, type TestStack } from '../support/stack';

const clock = new ManualClock(new Date());
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('fitness-seed', { clock });
  await seedDemoData(stack.cloud.services);
}, 60_000);
afterAll(() => stack.stop());

test('three stations with a week of open slots', async () => {
  const res = await stack.request('GET', '/fitness-tests/stations');
  expect(res.body.items).toHaveLength(3);
  expect(res.body.items.every((s: { district: string }) => ['姑苏区', '工业园区', '吴中区'].includes(s.district))).toBe(true);
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });
  for (let d = 1; d <= 7; d++) {
    const day = fmt.format(new Date(clock.now().getTime() + d * 86_400_000));
    const slots = await stack.request('GET', `/fitness-tests/stations/${res.body.items[0].id}/slots?date=${day}`);
    expect(slots.body.items).toHaveLength(4);
    expect(slots.body.items[0].remaining).toBe(20);
  }
});

test('the demo citizen has three years of reports, newest first, scored by the engine', async () => {
  const { token } = await stack.login('demo-citizen');
  const mine = await stack.request('GET', '/fitness-tests/reports/mine', { token });
  expect(mine.status).toBe(200);
  const years = mine.body.items.map((r: { testDate: string }) => Number(r.testDate.slice(0, 4)));
  const y = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(clock.now()).slice(0, 4));
  expect(years).toEqual([y - 1, y - 2, y - 3]);
  const totals = mine.body.items.map((r: { total: number }) => r.total);
  expect(totals[0]).toBeGreaterThan(totals[2]); // the story of the demo: better each year
  const report = await stack.request('GET', `/fitness-tests/reports/${mine.body.items[2].id}`, { token });
  expect(report.body.report.advice.length).toBeGreaterThan(0);
  const other = await stack.login('demo-citizen-2');
  expect((await stack.request('GET', `/fitness-tests/reports/${mine.body.items[0].id}`, { token: other.token })).status).toBe(404);
});
