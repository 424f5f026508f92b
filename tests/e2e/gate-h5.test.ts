/// <reference lib="dom" />
/**
 * The gate pages in the h5 build against the real API, in normal and 关怀模式: the manager's
 * devices page (pairing code, device list, 实时人数), the kiosk (a walk-up ticket, the WeChat Pay
 * Native code shown as a QR that reads back as the stand-in's code_url) and 实时人数 on the venue page.
 * Screenshots go to .shots/ (not committed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { readQrCode } from '../support/qr';
import { startTestStack, type TestStack } from '../support/stack';

const SHOTS = path.resolve(__dirname, '../../.shots');
const clock = new ManualClock(new Date());
let stack: TestStack;
let h5: H5Session;
let venueId: string;

beforeAll(async () => {
  stack = await startTestStack('e2e-gate', { clock, wechatPay: { signMode: 'public_key' } });
  const seeded = await seedDemoData(stack.cloud.services);
  venueId = seeded.venueIds[0];
  const admin = await stack.login('demo-admin');
  expect((await stack.request('PUT', `/manage/venues/${venueId}/occupancy`, { token: admin.token, body: { capacity: 300 } })).status).toBe(
    200,
  );
  const product = await stack.request('POST', `/manage/venues/${venueId}/walk-up-products`, {
    token: admin.token,
    body: { name: '游泳 2 小时', sport: 'swimming', durationMinutes: 120, priceFen: 1500, dailyCapacity: 80 },
  });
  expect(product.status).toBe(201);
  fs.mkdirSync(SHOTS, { recursive: true });
  h5 = await openH5(stack);
}, 180_000);
afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

const shot = async (name: string) => {
  await h5.page.waitForLoadState('networkidle');
  await h5.page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
};
async function setElder(on: boolean) {
  await h5.page.evaluate((v) => localStorage.setItem('cs.elder', JSON.stringify({ data: v })), on ? '1' : '0');
}

for (const mode of ['normal', 'elder'] as const) {
  test(`${mode}: the manager pairs a gate and sees it with 实时人数`, async () => {
    await loginAs(h5, 'admin');
    await setElder(mode === 'elder');
    await h5.page.goto(`${h5.url}/#/packages/gate/index?venueId=${venueId}`);
    await h5.page.reload();
    await h5.page.locator('.gate-occupancy:visible').waitFor();
    expect(await h5.page.locator('.gate-page').getAttribute('class')).toContain(mode === 'elder' ? 'elder' : 'screen');
    expect(await h5.page.locator('.gate-occupancy__figure:visible').textContent()).toContain('/ 300');
    await h5.page.locator('.gate-input:visible input').first().fill(`${mode}-1号闸机`);
    await h5.page.locator('.gate-input:visible input').nth(1).fill('东门');
    await h5.page.locator('.gate-register:visible').click();
    await h5.page.locator('.gate-pairing__code:visible').waitFor();
    expect(await h5.page.locator('.gate-pairing__code:visible').textContent()).toMatch(/^[A-HJ-NP-Z2-9]{10}$/);
    await h5.page.getByText(`${mode}-1号闸机`, { exact: false }).first().waitFor();
    await shot(`gate-devices-${mode}.png`);
  });

  test(`${mode}: the kiosk sells a ticket for now and shows the Native code to scan`, async () => {
    await loginAs(h5, 'citizen');
    await setElder(mode === 'elder');
    await h5.page.goto(`${h5.url}/#/packages/gate/kiosk?venueId=${venueId}`);
    await h5.page.reload();
    await h5.page.locator('.kiosk-product:visible').first().waitFor();
    expect(await h5.page.locator('.kiosk-live__figure:visible').textContent()).toContain('/ 300');
    await shot(`gate-kiosk-${mode}.png`);
    await h5.page.locator('.kiosk-product:visible').first().click();
    await h5.page.locator('.kiosk-pay__qr:visible').waitFor();
    const shown = await readQrCode(h5.page, '.kiosk-pay__qr:visible');
    expect(shown).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    await shot(`gate-kiosk-pay-${mode}.png`);
  });

  test(`${mode}: the venue page shows 实时人数`, async () => {
    await loginAs(h5, 'citizen');
    await setElder(mode === 'elder');
    await h5.page.goto(`${h5.url}/#/packages/venue/index?id=${venueId}`);
    await h5.page.reload();
    await h5.page.locator('.venue-detail__occupancy:visible').waitFor();
    expect(await h5.page.locator('.venue-detail__occupancy:visible').textContent()).toContain('实时人数');
    await shot(`gate-venue-${mode}.png`);
  });
}
