/**
 * The course pages in the h5 build (headless Chromium) on the seeded demo data: the course list,
 * a course page, enrolling a child (guardian consent) up to the pay page, and my courses with
 * lesson tickets and attendance, in normal and 关怀模式. Screenshots go to .shots/ to be looked at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { demoIdNumber } from '../../mock/src/seed/courses';
import { startTestStack, type TestStack } from '../support/stack';
import { loginAs, openH5, type H5Session } from '../support/browser';

const SHOTS = path.resolve(__dirname, '../../.shots');
const clock = new ManualClock(new Date());
let stack: TestStack;
let h5: H5Session;
let swimming: string;
let basketball: string;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  stack = await startTestStack('e2e-courses', { clock, wechatPay: { signMode: 'public_key' } });
  await seedDemoData(stack.cloud.services);
  swimming = (await stack.request('GET', '/courses?sport=swimming')).body.items[0].id;
  basketball = (await stack.request('GET', '/courses?sport=basketball')).body.items[0].id;
  h5 = await openH5(stack);
  await loginAs(h5, 'citizen');
}, 180_000);

afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

async function open(route: string, ready: string) {
  await h5.page.goto(`${h5.url}/#/${route}`);
  await h5.page.locator(ready).first().waitFor();
}
const shot = (name: string) => h5.page.screenshot({ path: path.join(SHOTS, name), fullPage: true });

async function tour(mode: 'normal' | 'elder', childId: string) {
  await open('packages/course/index', '.course-item');
  expect(await h5.page.locator('.course-item').count()).toBe(4);
  await shot(`course-${mode}-list.png`);

  await open(`packages/course/detail?id=${swimming}`, '.course-detail__title');
  expect(await h5.page.locator('.course-detail__refund').textContent()).toContain('按未上课时比例退款');
  expect(await h5.page.locator('.course-lesson').count()).toBe(8);
  await shot(`course-${mode}-detail.png`);

  await open(`packages/course/enrol?id=${basketball}`, '.course-enrol__name');
  await h5.page.locator('.course-enrol__who-child').click();
  await h5.page.locator('.course-enrol__name input').fill('李小宇');
  await h5.page.locator('.course-enrol__id input').fill(childId);
  await h5.page.locator('.course-enrol__guardian input').fill('李娜');
  // without the consent box the form says so in words
  await h5.page.locator('.course-enrol__submit').click();
  await h5.page.locator('.course-enrol__error').waitFor();
  await h5.page.locator('.course-enrol__consent').click();
  await shot(`course-${mode}-enrol-child.png`);
  await h5.page.locator('.course-enrol__submit').click();
  await h5.page.locator('.pay-page').first().waitFor();
  await shot(`course-${mode}-enrol-pay.png`);

  await open('packages/course/mine', '.course-mine__item');
  expect(await h5.page.locator('.course-mine__lesson').count()).toBeGreaterThanOrEqual(8);
  await shot(`course-${mode}-mine.png`);
}

test('course list, course page, enrolling a child, my courses (normal mode)', async () => {
  await tour('normal', demoIdNumber('20140505', 901));
}, 120_000);

test('the same pages in 关怀模式', async () => {
  await h5.page.goto(`${h5.url}/#/pages/me/index`);
  await h5.page.locator('.me-link--courses').waitFor();
  await h5.page.locator('.elder-switch').click();
  await h5.page.locator('.me-page.elder').waitFor();
  await tour('elder', demoIdNumber('20130606', 902));
  expect(await h5.page.locator('.course-mine.elder').count()).toBe(1);
}, 120_000);
