/**
 * 体质测试 pages in the h5 build: booking with the separate consent, the staff entry form, the report
 * with its radar chart, the history trend — in normal and in elderly mode (screenshots in .shots/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { FITNESS_CONSENT_VERSION } from '@citysport/shared';
import mongoose from 'mongoose';
import { startTestStack, type TestStack } from '../support/stack';
import { dayAhead, fitnessOf, idNumberFor } from '../support/fitness-fixture';
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

    // the shareable image: made by the server, shown with 保存图片; no name on it
    await h5.page.locator('.fit-share__make:visible').click();
    await h5.page.locator('.fit-share__img:visible').waitFor();
    const src = (await h5.page.locator('.fit-share__img:visible img').first().getAttribute('src')) ?? '';
    const card = Buffer.from(src.split(',')[1] ?? '', 'base64').toString('utf8');
    expect(card).toContain('<svg');
    expect(card).not.toContain('王');
    await h5.page.locator('.fit-share:visible').scrollIntoViewIfNeeded();
    await h5.page.screenshot({ path: path.join(SHOTS, `fitness-share-${mode}.png`) });

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

/** a booked and checked-in man of 30 at the first station (tomorrow's first slot) */
async function checkedInBooking(serial: string): Promise<string> {
  const { token } = await stack.login(`e2e-fit-walkin-${serial}`);
  const day = dayAhead(clock, 1);
  const slotId = (await stack.request('GET', `/fitness-tests/stations/${stationId}/slots?date=${day}`)).body.items[0].id;
  const participant = { name: '陈测试', idNumber: idNumberFor(`${Number(day.slice(0, 4)) - 30}-01-01`, true, serial) };
  const b = await stack.request('POST', '/fitness-tests/bookings', {
    token,
    body: { slotId, participant, consent: { healthData: true, version: FITNESS_CONSENT_VERSION } },
  });
  expect(b.status).toBe(201);
  await fitnessOf(stack).markCheckedIn(b.body.booking.id);
  return b.body.booking.id as string;
}

const values: Record<string, string> = {
  heightCm: '175.3',
  weightKg: '70',
  vitalCapacityMl: '3500',
  stepIndex: '60',
  gripKg: '45',
  pushUps: '30',
  verticalJumpCm: '40',
  sitAndReachCm: '10',
  reactionTimeS: '0.45',
  oneLegStandEyesClosedS: '20',
};
async function enter(bookingId: string) {
  await h5.page.locator('.fit-code:visible input').fill(bookingId);
  for (const [k, v] of Object.entries(values)) await h5.page.locator(`.fit-input--${k}:visible input`).fill(v);
}
/** back online the page sends the queue by itself when the browser reports the network; else 立即提交 does */
async function sendWhenOnline() {
  await h5.page.waitForTimeout(300);
  const send = h5.page.locator('.fit-queue:not(.fit-queue--refused) .fit-queue__send:visible');
  if (await send.count()) await send.click({ timeout: 3000 }).catch(() => undefined);
}
const reportsOf = (bookingId: string) =>
  mongoose.connection.collection('fitness_reports').countDocuments({ bookingId: new mongoose.Types.ObjectId(bookingId) });

test('offline: the entry is kept on the device, sent once when back online; a later entry for the same person is shown as refused', async () => {
  const bookingId = await checkedInBooking('61');
  await loginAs(h5, 'staff');
  await elder(false);
  await h5.page.goto(`${h5.url}/#/packages/fitness-test/staff?stationId=${stationId}`);
  await h5.page.reload();
  await h5.page.locator('.fit-form__row:visible').first().waitFor();
  await enter(bookingId);
  await h5.page.context().setOffline(true);
  await h5.page.locator('.fit-submit:visible').click();
  await h5.page.locator('.fit-queue:visible').waitFor();
  expect(await h5.page.locator('.fit-queue:visible .fit-section').innerText()).toContain('待提交 1 条');
  expect(await reportsOf(bookingId)).toBe(0);
  await h5.page.locator('.fit-queue:visible').scrollIntoViewIfNeeded();
  await h5.page.screenshot({ path: path.join(SHOTS, 'fitness-staff-offline-normal.png') });
  await h5.page.context().setOffline(false);
  await sendWhenOnline();
  await h5.page.locator('.fit-staff-result:visible').waitFor();
  expect(await h5.page.locator('.fit-queue:visible').count()).toBe(0);
  expect(await reportsOf(bookingId)).toBe(1);
  await h5.page.locator('.fit-staff-result:visible').scrollIntoViewIfNeeded();
  await h5.page.screenshot({ path: path.join(SHOTS, 'fitness-staff-sent-normal.png') });

  // 关怀模式: another entry for the same (now measured) person, made offline, is refused when sent — and shown
  await elder(true);
  await h5.page.reload();
  await h5.page.locator('.page-fitness-staff.elder').waitFor();
  await enter(bookingId);
  await h5.page.context().setOffline(true);
  await h5.page.locator('.fit-submit:visible').click();
  await h5.page.locator('.fit-queue:visible').waitFor();
  await h5.page.context().setOffline(false);
  await sendWhenOnline();
  await h5.page.locator('.fit-queue--refused:visible').waitFor();
  expect(await h5.page.locator('.fit-queue__conflict:visible').getAttribute('data-code')).toBe('FITNESS_ALREADY_MEASURED');
  expect(await h5.page.locator('.fit-queue--refused:visible').innerText()).toContain('已有测试报告');
  expect(await reportsOf(bookingId)).toBe(1);
  await h5.page.locator('.fit-queue--refused:visible').scrollIntoViewIfNeeded();
  await h5.page.screenshot({ path: path.join(SHOTS, 'fitness-staff-conflict-elder.png') });
  await h5.page.locator('.fit-queue__drop:visible').click();
  expect(await h5.page.locator('.fit-queue--refused:visible').count()).toBe(0);
});

test('关怀模式: the calculator tells a woman of 35–39 why 坐位体前屈 is not scored and no grade is given', async () => {
  await elder(true);
  await h5.page.goto(`${h5.url}/#/packages/fitness-test/calc`);
  await h5.page.reload();
  await h5.page.locator('.page-fitness-calc.elder').waitFor();
  await h5.page.locator('.fit-sex--F:visible').click();
  await h5.page.locator('.fit-age:visible input').fill('37');
  await h5.page.locator('.fit-input--sitAndReachCm:visible input').fill('12');
  const note = h5.page.locator('.fit-item[data-item="sitAndReachCm"] .fit-item__note:visible');
  await note.waitFor();
  expect(await note.innerText()).toContain('女子35–39岁组的坐位体前屈评分表暂缺');
  expect(await h5.page.locator('.fit-grade:visible').innerText()).toContain('不评定综合等级');
  await note.scrollIntoViewIfNeeded();
  await h5.page.screenshot({ path: path.join(SHOTS, 'fitness-calc-no-table-elder.png') });
  await elder(false);
});
