/// <reference lib="dom" />
/**
 * The booking pages of the h5 build in headless Chromium against the real cloud app, engine and
 * WeChat Pay stand-in. The server clock and the page clock are pinned to 07:52:30 in Shanghai so
 * the release countdown shows. Screenshots go to tests/e2e/screenshots/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { H5_DIST, startH5Preview } from '../../mock/src/dev/h5-preview';
import { startTestStack, type TestStack } from '../support/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.resolve(__dirname, 'screenshots');
const today = businessDay(new Date());
const NOW = new Date(`${today}T07:52:30+08:00`);
const clock = new ManualClock(NOW);

let stack: TestStack;
let preview: Awaited<ReturnType<typeof startH5Preview>>;
let context: BrowserContext;
let page: Page;
let venueId: string;
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citysport-chromium-'));

/** Waits until page transitions and other animations have finished, so a screenshot shows the page at rest. */
async function settle() {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
}

async function shot(name: string, fullPage = false) {
  await settle();
  await page.screenshot({ path: path.join(SHOTS, name), fullPage });
}

async function loginAs(account: string) {
  await page.goto(`${preview.url}/#/pages/login/index`);
  const done = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
  await page.locator(`.login-demo-${account}`).click();
  expect((await done).status()).toBe(200);
  await page.waitForURL(/#\/pages\/home\/index/);
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(H5_DIST, 'index.html')))
    throw new Error('no h5 build: run `npm run build:h5` first (npm run test:e2e does)');
  fs.mkdirSync(SHOTS, { recursive: true });
  stack = await startTestStack('e2e-booking', { clock, wechatPay: { signMode: 'public_key' } });
  const seeded = await seedDemoData(stack.cloud.services);
  venueId = seeded.venueIds[1]; // 苏州市体育中心: free weekday mornings, paid otherwise
  preview = await startH5Preview({ apiUrl: stack.url, port: 0 });
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
    locale: 'zh-CN',
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.clock.install({ time: NOW });
  await loginAs('citizen');
}, 120_000);

afterAll(async () => {
  await context?.close();
  await preview?.stop();
  await stack?.stop();
  fs.rmSync(profileDir, { recursive: true, force: true });
});

test('venue detail shows the venue, its free hours and its booking rules in Chinese', async () => {
  await page.goto(`${preview.url}/#/packages/venue/index?id=${venueId}`);
  await page.locator('.venue-detail__name').waitFor();
  expect(await page.locator('.venue-detail__name').textContent()).toContain('苏州市体育中心');
  expect(await page.locator('.venue-detail__free-note').textContent()).toContain('免费');
  const rules = (await page.locator('.venue-detail__rule').allTextContents()).join(' ');
  expect(rules).toMatch(/提前\s*7\s*天/);
  expect(rules).toContain('08:00');
  await shot('booking-venue-detail.png', true);
});

test('the slot grid shows states at a glance, and a countdown before the day is released', async () => {
  await page.locator('.venue-book-button:visible').click();
  await page.waitForURL(/#\/packages\/booking\/slots/);
  await page.locator('.slot-cell:visible').first().waitFor();
  expect(await page.locator('.slot-cell--open:visible').count()).toBeGreaterThan(0);
  await shot('booking-slot-grid.png');

  // the last day of the window opens at 08:00 today: not yet
  const lastDay = await page.locator('.date-chip:visible').last().getAttribute('data-date');
  await page.locator('.date-chip:visible').last().click();
  await page.locator('.slots-countdown:visible').waitFor();
  expect(await page.locator('.slots-countdown:visible').textContent()).toMatch(/08:00 开放预订/);
  expect(await page.locator('.slot-cell--not_released:visible').count()).toBeGreaterThan(0);
  expect(lastDay).toBeTruthy();
  await shot('booking-slot-grid-countdown.png');
});

test('choosing two adjacent hours and confirming makes a held booking with its payable amount', async () => {
  const tomorrow = businessDay(new Date(NOW.getTime() + 86_400_000));
  await page.goto(`${preview.url}/#/packages/booking/slots?venueId=${venueId}&date=${tomorrow}&sport=badminton`);
  await page.locator('.slot-cell--open:visible').first().waitFor();
  // two adjacent paid hours of the first court
  const row = page.locator('.slot-grid__row:not(.slot-grid__row--head):visible').first();
  const evening = row.locator('.slot-cell--open').filter({ hasText: '¥' });
  await evening.nth(0).click();
  await evening.nth(1).click();
  expect(await page.locator('.slots-total:visible').textContent()).toContain('¥');
  await page.locator('.slots-confirm:visible').click();
  await page.waitForURL(/#\/packages\/booking\/confirm/);
  await page.locator('.confirm-summary:visible').waitFor();
  await shot('booking-confirm.png');
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/bookings') && r.request().method() === 'POST');
  await page.locator('.confirm-submit:visible').click();
  const res = await created;
  expect(res.status()).toBe(201);
  expect(res.request().headers()['idempotency-key']).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  const { booking } = await res.json();
  expect(booking.slotIds).toHaveLength(2);
  await page.locator('.confirm-result--held:visible').waitFor();
  expect(await page.locator('.confirm-payable:visible').textContent()).toContain((booking.amountFen / 100).toFixed(2));
  await shot('booking-held.png');
});

test('my bookings lists it with a hold countdown, and cancelling gives the hours back', async () => {
  await page.goto(`${preview.url}/#/packages/booking/mine`);
  const card = page.locator('.booking-card:visible').first();
  await card.waitFor();
  expect(await card.getAttribute('data-status')).toBe('held');
  expect(await page.locator('.booking-hold__left:visible').count()).toBe(1);
  await shot('booking-mine.png');
  const id = await card.getAttribute('data-id');
  await card.locator('.booking-cancel').click();
  const cancelled = page.waitForResponse((r) => r.url().endsWith(`/api/v1/bookings/${id}/cancel`));
  await page.locator('.taro-model__confirm:visible').click();
  expect((await cancelled).status()).toBe(200);
  const booking = (await stack.request('GET', `/bookings/${id}`, { token: (await stack.login('demo-citizen')).token })).body.booking;
  expect(booking.status).toBe('cancelled');
});

test("the venue manager sees the day's bookings with masked names", async () => {
  const citizen = await stack.login('demo-citizen-2');
  const tomorrow = businessDay(new Date(NOW.getTime() + 86_400_000));
  const seededVenue = (await stack.request('GET', '/manage/venues', { token: (await stack.login('demo-admin')).token })).body.items[0]
    .id as string;
  const slots = (await stack.request('GET', `/venues/${seededVenue}/slots?date=${tomorrow}&sport=badminton`)).body.items;
  const open = slots.find((s: { status: string }) => s.status === 'open');
  expect((await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [open.id] } })).status).toBe(201);
  await loginAs('admin');
  await page.goto(`${preview.url}/#/packages/manage/index?venueId=${seededVenue}&tab=day`);
  await page.locator('.manage-venue-chip:visible').first().waitFor();
  await page.locator(`.date-chip[data-date="${tomorrow}"]:visible`).click();
  await page.locator('.manage-booking:visible').first().waitFor();
  expect(await page.locator('.manage-booking:visible').first().textContent()).toContain('李*');
  await shot('manage-day.png');
});
