/**
 * Issue 17 item 7 in h5: the bureau's 局端账号 page (专人专号: open a named analyst account, see it
 * listed with a masked phone, close it) and the 数据汇聚计划 page (record a department's plan, see
 * delivered against plan per month), as the seeded named bureau admin, in normal and 关怀模式.
 * Screenshots go to .shots/ (not committed) to be looked at.
 */
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';
import { seedDemoData } from '../../mock/src/seed/seed';
import { ManualClock } from '../../cloud/src/platform/clock';

const SHOTS = path.resolve(__dirname, '../../.shots');
let stack: TestStack;
let h5: H5Session;
const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();

beforeAll(async () => {
  stack = await startTestStack('e2e-bureau', { clock: new ManualClock(new Date()) });
  await seedDemoData(stack.cloud.services);
  // five first logins this month (user.registered), and what the seed emitted: marked delivered now, as
  // the feed would after the receiver's 2xx (the feed job does not run in this stack)
  for (let i = 0; i < 5; i++) await stack.login(`e2e-bureau-citizen-${i}`);
  await mongoose.connection.db!.collection('outbox').updateMany({}, { $set: { deliveredAt: new Date() } });
  fs.mkdirSync(SHOTS, { recursive: true });
  h5 = await openH5(stack);
}, 240_000);
afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

async function open(route: string, ready: string, elder: boolean) {
  await h5.page.evaluate((on) => localStorage.setItem('cs.elder', JSON.stringify({ data: on ? '1' : '0' })), elder);
  await h5.page.goto(`${h5.url}/#/${route}${route.includes('?') ? '&' : '?'}r=${Date.now()}`);
  await h5.page.reload();
  await h5.page.locator(`${ready}${elder ? '.elder' : ''}`).waitFor({ timeout: 30_000 });
  await h5.page.waitForLoadState('networkidle');
}
const shot = async (name: string) => {
  await h5.page.evaluate(() => {
    window.scrollTo(0, 0);
    document.querySelectorAll<HTMLElement>('*').forEach((e) => {
      if (e.scrollTop) e.scrollTop = 0;
    });
  });
  await h5.page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
};

for (const elder of [false, true]) {
  const mode = elder ? 'elder' : 'normal';

  test(`局端账号: open a named analyst account, listed masked, then closed (${mode})`, async () => {
    await loginAs(h5, 'admin');
    const person = await stack.login(`e2e-analyst-${mode}`);
    await open('packages/admin/accounts', '.accounts-page', elder);
    // the seeded accounts name their persons
    await h5.page.locator('.account-row__name', { hasText: '周敏' }).waitFor();
    await h5.page.locator('.account-row__name', { hasText: '陈思远' }).waitFor();

    // missing fields are named in words before anything is sent
    await h5.page.locator('.accounts-new').click();
    await h5.page.locator('.accounts-submit').click();
    await h5.page.locator('.accounts-error-name').waitFor();
    await shot(`bureau-accounts-${mode}-errors.png`);

    const name = elder ? '孙丽华' : '刘建国';
    const phone = elder ? '13900001112' : '13900001111';
    await h5.page.locator('.accounts-input-userId input').fill(person.userId);
    await h5.page.locator('.accounts-input-name input').fill(name);
    await h5.page.locator('.accounts-input-unit input').fill('市体育局青少年体育处');
    await h5.page.locator('.accounts-input-position input').fill('三级主任科员');
    await h5.page.locator('.accounts-input-phone input').fill(phone);
    const opened = h5.page.waitForResponse((r) => r.url().endsWith('/api/v1/admin/bureau-accounts') && r.request().method() === 'POST');
    await h5.page.locator('.accounts-submit').click();
    expect((await opened).status()).toBe(201);
    const row = h5.page.locator(`.account-row[data-user="${person.userId}"]`);
    await row.waitFor();
    expect(await row.locator('.account-row__phone').textContent()).toBe(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
    expect(await h5.page.content()).not.toContain(phone);
    await shot(`bureau-accounts-${mode}-list.png`);

    await row.locator('.account-close-reason input').fill('调离岗位');
    const closed = h5.page.waitForResponse((r) => r.url().includes(`/admin/bureau-accounts/${person.userId}/close`));
    await row.locator('.account-close').click();
    expect((await closed).status()).toBe(200);
    await row.waitFor({ state: 'detached' });
    await h5.page.locator('.credit-tab', { hasText: '已注销' }).click();
    await h5.page.locator(`.account-row[data-user="${person.userId}"]`).waitFor();
    await shot(`bureau-accounts-${mode}-closed.png`);
  }, 120_000);

  test(`数据汇聚计划: record a plan, delivered against plan per month (${mode})`, async () => {
    await loginAs(h5, 'admin');
    await open('packages/admin/plans', '.plans-page', elder);
    await h5.page.locator('.plans-new').click();
    const department = elder ? '竞技体育处' : '群众体育处';
    await h5.page.locator('.plans-input-department input').fill(department);
    await h5.page.locator('.plans-input-line input').fill('场馆服务');
    await h5.page.locator('.plans-volume-user-registered input').fill('120');
    await h5.page.locator('.plans-volume-booking-confirmed input').fill('2400');
    const saved = h5.page.waitForResponse((r) => r.url().endsWith('/api/v1/admin/aggregation-plans') && r.request().method() === 'POST');
    await h5.page.locator('.plans-submit').click();
    expect((await saved).status()).toBe(201);
    const row = h5.page.locator('.plan-row', { hasText: department });
    await row.waitFor();
    expect(await row.locator('.plan-chart__month').count()).toBe(12);
    // the API's figures are what the page shows
    const progress = (
      await stack.request('GET', `/admin/dashboard/aggregation?year=${year}`, { token: (await stack.login('demo-admin')).token })
    ).body.plans.find((p: { department: string }) => p.department === department);
    const registered = progress.items.find((i: { eventType: string }) => i.eventType === 'user.registered');
    expect(registered.deliveredTotal).toBeGreaterThanOrEqual(5);
    expect(await row.locator('.plan-item', { hasText: '用户注册' }).textContent()).toContain(
      `实际 ${registered.deliveredTotal} / 计划 120`,
    );
    expect(await row.locator('.plan-row__percent').textContent()).toContain(`${progress.percent}%`);
    await shot(`bureau-plans-${mode}.png`);
  }, 120_000);
}

test('the analyst reads the plans but cannot manage accounts', async () => {
  await loginAs(h5, 'analyst');
  await open('packages/admin/plans', '.plans-page', false);
  await h5.page.locator('.plan-row').first().waitFor();
  await open('packages/admin/accounts', '.accounts-page', false);
  await h5.page.locator('.admin-forbidden').waitFor();
  await shot('bureau-analyst-accounts-forbidden.png');
}, 120_000);
