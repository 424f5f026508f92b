/**
 * 体质测试 pages in the h5 build: booking with the separate consent, the staff entry form, the report
 * with its radar chart, the history trend — in normal and in elderly mode (screenshots in .shots/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { startTestStack, type TestStack } from '../support/stack';
import { loginAs, openH5, type H5Session } from '../support/browser';

const SHOTS = path.resolve(__dirname, '../../.shots');
const clock = new ManualClock(new Date());
let stack: TestStack;
let h5: H5Session;
let stationId: string;
let reportId: string;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  stack = await startTestStack('e2e-fitness', { clock });
  await seedDemoData(stack.cloud.services);
  stationId = (await stack.request('GET', '/fitness-tests/stations')).body.items[0].id;
  const { token } = await stack.login('demo-citizen');
  reportId = (await stack.request('GET', '/fitness-tests/reports/mine', { token })).body.items[0].id;
  h5 = await openH5(stack);
}, 120_000);
afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

const shot = (name: string) => h5.page.screenshot({ path: path.join(SHOTS, name), fullPage: true });

async function elder(on: boolean) {
  await h5.page.evaluate((v) => localStorage.setItem('cs.elder', JSON.stringify({ data: v })), on ? '1' : '0');
}

for (const mode of ['normal', 'elder'] as const) {
  test(`${mode}: booking needs its own consent tick; report with radar; history with trend`, async () => {
    await loginAs(h5, 'citizen');
    await elder(mode === 'elder');
    await h5.page.goto(`${h5.url}/#/packages/fitness-test/book?stationId=${stationId}`);
    await h5.page.reload();
    if (mode === 'elder') await h5.page.locator('.page-fitness-book.elder').waitFor();
    await h5.page.locator('.fit-slot:visible').first().click();
    await h5.page.locator('.fit-name:visible input').fill('王小明');
    await h5.page.locator('.fit-id:visible input').fill('320502199001011234');
    await h5.page.locator('.fit-submit:visible').click();
    await h5.page.locator('.fit-error:visible').waitFor();
    expect(await h5.page.locator('.fit-error:visible').innerText()).toContain('健康信息');
    await h5.page.locator('.fit-consent-check:visible').click();
    expect(await h5.page.locator('.fit-consent-check:visible').getAttribute('aria-checked')).toBe('true');
    await shot(`fitness-book-consent-${mode}.png`);

    await h5.page.goto(`${h5.url}/#/packages/fitness-test/report?id=${reportId}`);
    await h5.page.locator('.fit-radar__img:visible').waitFor();
    expect(await h5.page.locator('.fit-standard:visible').innerText()).toContain('GTB2003-adult');
    expect(await h5.page.locator('.fit-item:visible').count()).toBe(9);
    await shot(`fitness-report-${mode}.png`);

    await h5.page.goto(`${h5.url}/#/packages/fitness-test/history`);
    await h5.page.locator('.fit-trend__img:visible').waitFor();
    expect(await h5.page.locator('.fit-history-item:visible').count()).toBe(3);
    await shot(`fitness-history-${mode}.png`);
  });

  test(`${mode}: the staff entry form shows the group's items with units and ranges`, async () => {
    await loginAs(h5, 'staff');
    await elder(mode === 'elder');
    await h5.page.goto(`${h5.url}/#/packages/fitness-test/staff?stationId=${stationId}`);
    await h5.page.reload();
    await h5.page.locator('.fit-form__row:visible').first().waitFor();
    expect(await h5.page.locator('.fit-form__row:visible').count()).toBe(10); // 9 items, 身高+体重 two fields
    await h5.page.locator('.fit-input--vitalCapacityMl:visible input').fill('3600');
    await shot(`fitness-staff-${mode}.png`);
  });
}
