/**
 * The event pages in the h5 build (headless Chromium) on the seeded demo events: the calendar,
 * an event page, the real-name entry form, the draw page, my entries and the organiser's list,
 * in normal and 关怀模式. Screenshots go to .shots/ (not committed) to be looked at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { startTestStack, type TestStack } from '../support/stack';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { idNumber } from '../support/event-fixture';
import { payAndConfirm } from '../support/pay';

const SHOTS = path.resolve(__dirname, '../../.shots');
const clock = new ManualClock(new Date());
let stack: TestStack;
let h5: H5Session;
let lottery: { id: string; groupId: string };
let firstCome: { id: string; groupId: string };

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  stack = await startTestStack('e2e-events', { clock, wechatPay: { signMode: 'public_key' } });
  await seedDemoData(stack.cloud.services);
  const events = (await stack.request('GET', '/events')).body.items as { id: string; name: string; groups: { id: string }[] }[];
  const pick = (name: string) => {
    const e = events.find((x) => x.name.includes(name));
    if (!e) throw new Error(`no seeded event ${name}`);
    return { id: e.id, groupId: e.groups[0].id };
  };
  lottery = pick('半程马拉松');
  firstCome = pick('10公里跑');
  // 我的报名 shows one paid entry (first come) and one lottery entry waiting for the draw
  const citizen = await stack.login('demo-citizen');
  const entry = (groupId: string, n: number) => ({
    groupId,
    participant: {
      name: '王小明',
      idNumber: idNumber('1990-01-01', n),
      phone: '13812345678',
      emergencyContact: { name: '王大明', phone: '13912345678' },
    },
    healthPledge: true,
  });
  const paid = await stack.request('POST', `/events/${firstCome.id}/registrations`, {
    token: citizen.token,
    body: entry(firstCome.groupId, 1),
  });
  expect(paid.status).toBe(201);
  await payAndConfirm(stack, citizen.token, paid.body.registration.orderId);
  const drawn = await stack.request('POST', `/events/${lottery.id}/registrations`, {
    token: citizen.token,
    body: entry(lottery.groupId, 2),
  });
  expect(drawn.status).toBe(201);
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

async function tour(mode: 'normal' | 'elder') {
  await open('pages/events/index', '.event-card');
  const names = await h5.page.locator('.event-card__name').allTextContents();
  expect(names.some((n) => n.includes('半程马拉松'))).toBe(true);
  await shot(`event-${mode}-calendar.png`);

  await open(`packages/event/index?id=${lottery.id}`, '.event-group');
  expect(await h5.page.locator('.event-group').count()).toBe(3);
  await shot(`event-${mode}-detail.png`);

  await open(`packages/event/register?id=${firstCome.id}&groupId=${firstCome.groupId}`, '.reg-submit');
  expect(await h5.page.locator('.reg-pledge__text').textContent()).toContain('本人承诺');
  await shot(`event-${mode}-register.png`);

  await open(`packages/event/draw?id=${lottery.id}`, '.draw-line');
  await shot(`event-${mode}-draw.png`);

  await open('packages/event/mine', '.my-reg');
  expect(await h5.page.locator('.my-reg').count()).toBe(2);
  await shot(`event-${mode}-mine.png`);
}

test('calendar, event page, entry form, draw and my entries (normal mode)', async () => {
  await tour('normal');
}, 120_000);

test('the same pages in 关怀模式', async () => {
  await h5.page.goto(`${h5.url}/#/pages/me/index`);
  await h5.page.locator('.elder-switch').click();
  await h5.page.locator('.me-page.elder').waitFor();
  await tour('elder');
  expect(await h5.page.locator('.my-reg-page.elder').count()).toBe(1);
}, 120_000);
