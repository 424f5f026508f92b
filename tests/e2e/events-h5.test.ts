/**
 * The event pages in the h5 build (headless Chromium) on the seeded demo events: the calendar,
 * an event page, the real-name entry form (and its ID-checksum error), the draw page, my entries,
 * results search and the 成绩证书 of a finished run (results imported through the organiser API),
 * and the organiser's create form, in normal and 关怀模式. Screenshots go to .shots/ (not
 * committed) to be looked at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { maskIdCard } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { grant, startTestStack, type TestStack } from '../support/stack';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { eventInput, idNumber, openEvent } from '../support/event-fixture';
import { payAndConfirm } from '../support/pay';

const SHOTS = path.resolve(__dirname, '../../.shots');
const clock = new ManualClock(new Date());
let stack: TestStack;
let h5: H5Session;
let lottery: { id: string; groupId: string };
let firstCome: { id: string; groupId: string };
let run: { id: string; registrationId: string };

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

  // a run with results: entries, close, bibs and a results CSV through the organiser API
  const org = await stack.login('demo-organiser');
  const day = (d: number) => new Date(clock.now().getTime() + d * 86_400_000).toISOString();
  const ev = await openEvent(
    stack,
    org,
    eventInput({ name: '城市夜跑 5 公里', startAt: day(10), registration: { mode: 'first_come', opensAt: day(-1), closesAt: day(5) } }, [
      { name: '5公里', distanceKm: 5, capacity: 100, feeFen: 0, eligibility: {}, bibPrefix: 'N' },
    ]),
  );
  const mine = await stack.request('POST', `/events/${ev.id}/registrations`, { token: citizen.token, body: entry(ev.groups[0].id, 3) });
  expect(mine.status).toBe(201);
  const runners = ['李娜', '张伟', '刘洋', '陈静'];
  for (const [i, name] of runners.entries()) {
    const u = await stack.login(`night-runner-${i}`);
    const body = entry(ev.groups[0].id, 10 + i);
    body.participant = { ...body.participant, name, idNumber: idNumber('1988-06-01', 10 + i, i % 2 ? 'M' : 'F') };
    expect((await stack.request('POST', `/events/${ev.id}/registrations`, { token: u.token, body })).status).toBe(201);
  }
  await stack.request('POST', `/organiser/events/${ev.id}/close`, { token: org.token });
  await stack.request('POST', `/organiser/events/${ev.id}/bibs`, { token: org.token });
  const times = [
    ['0:21:52', '0:21:40'],
    ['0:23:20', '0:23:05'],
    ['0:24:31', '0:24:18'],
    ['0:27:10', '0:26:51'],
    ['0:29:15', '0:29:02'],
  ];
  const csv = ['bib,gun,chip', ...times.map(([gun, chip], i) => `N${String(i + 1).padStart(3, '0')},${gun},${chip}`)].join('\n');
  const imported = await stack.request('POST', `/organiser/events/${ev.id}/results`, { token: org.token, body: { csv } });
  expect(imported.body.imported).toBe(5);
  run = { id: ev.id, registrationId: mine.body.registration.id };
  // the citizen also organises (the create form)
  await grant(stack, citizen.userId, 'organiser');
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
  expect(await h5.page.locator('.my-reg').count()).toBe(3);
  expect(await h5.page.locator('.my-reg__cert').count()).toBe(1);
  await shot(`event-${mode}-mine.png`);

  // the entry form with a wrong check digit
  await open(`packages/event/register?id=${firstCome.id}&groupId=${firstCome.groupId}`, '.reg-submit');
  const good = idNumber('1990-01-01', 7);
  await h5.page.locator('.reg-input--name:visible input').fill('王小明');
  await h5.page.locator('.reg-input--id:visible input').fill(good.slice(0, 17) + (good[17] === '0' ? '1' : '0'));
  await h5.page.locator('.reg-error--id').first().waitFor();
  expect(await h5.page.locator('.reg-error--id').first().textContent()).toContain('校验码');
  await shot(`event-${mode}-register-id-error.png`);

  await open(`packages/event/results?id=${run.id}`, '.result-row');
  expect(await h5.page.locator('.result-row').count()).toBe(5);
  await shot(`event-${mode}-results.png`);

  await open(`packages/event/certificate?id=${run.registrationId}`, '.cert-card__image');
  expect(await h5.page.locator('.cert-facts__code').textContent()).toMatch(/验证码 [A-Z2-9]{10}/);
  await shot(`event-${mode}-certificate.png`);

  await open('packages/event/edit', '.ev-edit-save');
  await h5.page.locator('.ev-edit-name:visible input').fill('2027 金鸡湖环湖跑');
  await h5.page.locator('.ev-edit-save').first().click();
  await h5.page.locator('.ev-edit-summary').waitFor();
  await h5.page.locator('.form-field--error').first().scrollIntoViewIfNeeded();
  await shot(`event-${mode}-organiser-create.png`);
}

test('calendar, event page, entry form, draw and my entries (normal mode)', async () => {
  await tour('normal');
}, 120_000);

test('the same pages in 关怀模式', async () => {
  await h5.page.goto(`${h5.url}/#/pages/me/index`);
  await h5.page.locator('.elder-switch').click();
  await h5.page.locator('.me-page.elder').waitFor();
  await tour('elder');
  expect(await h5.page.locator('.ev-edit.elder').count()).toBe(1);
}, 120_000);

test('名额转让 in 关怀模式: the paid first-come entry passes once to a family member, the old entry no longer offers it', async () => {
  const { page } = h5;
  await open('packages/event/mine', '.my-reg__transfer');
  expect(await page.locator('.my-reg__transfer-until').first().textContent()).toContain('可转让至');
  await page.locator('.my-reg__transfer').first().click();
  await page.locator('.reg-head__transfer').waitFor();
  await page.locator('.reg-input--name:visible input').fill('王小红');
  const newId = idNumber('1992-05-01', 21, 'F');
  await page.locator('.reg-input--id:visible input').fill(newId);
  await page.locator('.reg-input--phone:visible input').fill('13812340000');
  await page.locator('.reg-input--ec-name:visible input').fill('王小明');
  await page.locator('.reg-input--ec-phone:visible input').fill('13912340000');
  await page.locator('.reg-check:visible').click();
  expect(await page.locator('.reg-submit').first().textContent()).toContain('确认转让');
  await h5.shot('event-transfer-form.png', true);
  const transferred = page.waitForResponse((r) => r.url().includes('/transfer') && r.request().method() === 'POST');
  await page.locator('.reg-submit').first().click();
  expect((await transferred).status()).toBe(200);
  await page.locator('.my-reg__transferred:visible').waitFor();
  expect(await page.locator('.my-reg__transfer:visible').count()).toBe(0); // the page it came from stays, hidden, in the stack
  expect(await page.locator('.my-reg:visible', { has: page.locator('.my-reg__transferred') }).textContent()).toContain(maskIdCard(newId));
  await h5.shot('event-transferred.png', true);
}, 60_000);
