/**
 * The bureau dashboards in h5 (issue 17, item 5/9): a year of seeded history, then the heat map,
 * consumption by district and the dispatch preview, in normal and 关怀模式; screenshots go to
 * .shots/ (looked at by hand) and the pages are checked for what the history holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { businessDay } from '@citysport/shared';
import type { DatacentreService } from '../../cloud/src/modules/datacentre';
import { seedDemoData } from '../../mock/src/seed/seed';
import { seedBookingHistory } from '../../mock/src/seed/datacentre-history';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';
import { ManualClock } from '../../cloud/src/platform/clock';

const SHOTS = path.resolve(__dirname, '../../.shots');
let stack: TestStack;
let h5: H5Session;
let districts: string[];

beforeAll(async () => {
  stack = await startTestStack('e2e-dash', { clock: new ManualClock(new Date()) });
  await seedDemoData(stack.cloud.services);
  const ids = await stack.cloud.services.venues.allVenueIds();
  const venues = (await stack.cloud.services.venues.venueSummaries(ids)).map((v) => ({ id: v.id, district: v.district, sports: v.sports }));
  districts = [...new Set(venues.map((v) => v.district))];
  await seedBookingHistory({ venues, bookings: 20_000, lastDay: businessDay(new Date()) });
  await (stack.cloud.modules.get('datacentre') as DatacentreService).rollups.rebuildCells();
  fs.mkdirSync(SHOTS, { recursive: true });
  h5 = await openH5(stack);
  await loginAs(h5, 'admin');
}, 240_000);
afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

async function open(tab: string, elder: boolean) {
  await h5.page.evaluate((on) => localStorage.setItem('cs.elder', JSON.stringify({ data: on ? '1' : '0' })), elder);
  await h5.page.goto(`${h5.url}/#/packages/dashboard/index?tab=${tab}&r=${Date.now()}`);
  await h5.page.reload();
  await h5.page.locator(`.dash-page${elder ? '.elder' : ''}`).waitFor({ timeout: 30_000 });
  await h5.page.waitForLoadState('networkidle');
}

for (const elder of [false, true]) {
  const mode = elder ? 'elder' : 'normal';
  test(`heat map (${mode})`, async () => {
    await open('heat', elder);
    await h5.page.locator('.heat__cell--l5').first().waitFor();
    expect(await h5.page.locator('.heat__row:not(.heat__row--head) .heat__cell').count()).toBe(7 * 16);
    await h5.page.screenshot({ path: path.join(SHOTS, `dashboard-heat-${mode}.png`), fullPage: true });
  });
  test(`consumption by district (${mode})`, async () => {
    await open('consumption', elder);
    await h5.page.locator('.bars__row').first().waitFor();
    const labels = await h5.page.locator('.bars__label').allInnerTexts();
    expect(labels.sort()).toEqual([...districts].sort());
    await h5.page.screenshot({ path: path.join(SHOTS, `dashboard-consumption-${mode}.png`), fullPage: true });
  });
  test(`dispatch preview (${mode})`, async () => {
    await open('dispatch', elder);
    await h5.page.locator('.dash-table__row:not(.dash-table__row--head)').first().waitFor();
    expect(await h5.page.locator('.dash-table__row:not(.dash-table__row--head)').count()).toBeGreaterThanOrEqual(8);
    await h5.page.screenshot({ path: path.join(SHOTS, `dashboard-dispatch-${mode}.png`), fullPage: true });
  });
}
