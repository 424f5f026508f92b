/// <reference lib="dom" />
/**
 * The h5 build of the mini-program in headless Chromium against the real cloud app and engine:
 * log in as demo-citizen, see the venue list, switch on elderly mode. Screenshots are saved in
 * tests/e2e/screenshots/ for people to look at.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { seedDemoData } from '../../mock/src/seed/seed';
import { DEMO_VENUES } from '../../mock/src/seed/fixtures';
import { H5_DIST, startH5Preview } from '../../mock/src/dev/h5-preview';
import { startTestStack, type TestStack } from '../support/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.resolve(__dirname, 'screenshots');

let stack: TestStack;
let preview: Awaited<ReturnType<typeof startH5Preview>>;
let context: BrowserContext;
let page: Page;
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citysport-chromium-'));

beforeAll(async () => {
  if (!fs.existsSync(path.join(H5_DIST, 'index.html')))
    throw new Error('no h5 build: run `npm run build:h5` first (npm run test:e2e does)');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does)`);
  fs.mkdirSync(SHOTS, { recursive: true });
  stack = await startTestStack('e2e');
  await seedDemoData(stack.cloud.services);
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
}, 120_000);

afterAll(async () => {
  await context?.close();
  await preview?.stop();
  await stack?.stop();
  fs.rmSync(profileDir, { recursive: true, force: true });
});

test('a citizen logs in with the demo account and sees the venue list in Chinese', async () => {
  await page.goto(`${preview.url}/`);
  await page.waitForURL(/#\/pages\/login\/index/, { timeout: 30_000 });
  await page.locator('.login-demo-citizen').waitFor();
  await page.locator('.home-page').waitFor({ state: 'hidden' }); // the redirect's page transition has finished
  await page.screenshot({ path: path.join(SHOTS, 'login.png') });

  const login = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
  await page.locator('.login-demo-citizen').click();
  expect((await login).status()).toBe(200);
  await page.waitForURL(/#\/pages\/home\/index/);

  await page.goto(`${preview.url}/#/pages/venues/index`);
  const cards = page.locator('.venue-card');
  await cards.first().waitFor({ timeout: 30_000 });
  expect(await cards.count()).toBe(DEMO_VENUES.length);
  const names = await page.locator('.venue-card__name').allTextContents();
  expect(names).toEqual(expect.arrayContaining([DEMO_VENUES[0].venue.name, DEMO_VENUES[1].venue.name]));
  expect(names.every((n) => /[\u4e00-\u9fa5]/.test(n))).toBe(true);
  expect(await page.locator('.venue-card__free').count()).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(SHOTS, 'venue-list.png') });

  const filtered = page.waitForResponse((r) => r.url().includes('/api/v1/venues') && r.url().includes('sport=tennis'));
  await page.locator('.sport-chip--tennis').click();
  expect((await filtered).status()).toBe(200);
  const tennisVenues = DEMO_VENUES.filter((f) => f.resources.some((r) => r.sport === 'tennis')).length;
  await page.waitForFunction((n) => document.querySelectorAll('.venue-card').length === n, tennisVenues);
  expect(await page.locator('.venue-card').count()).toBe(tennisVenues);
  await page.screenshot({ path: path.join(SHOTS, 'venue-list-tennis.png') });
});

test('the me page shows the masked profile and elderly mode enlarges the text', async () => {
  await page.goto(`${preview.url}/#/pages/me/index`);
  await page.locator('.me-nickname').waitFor();
  expect(await page.locator('.me-nickname').textContent()).toContain('王小明');
  expect(await page.locator('.me-phone').textContent()).toContain('138****5678');
  const fontBefore = await page.locator('.me-nickname').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  await page.locator('.elder-switch').click();
  await page.locator('.me-page.elder').waitFor();
  const fontAfter = await page.locator('.me-nickname').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(fontAfter).toBeGreaterThan(fontBefore);
  await page.screenshot({ path: path.join(SHOTS, 'me-elder-mode.png') });
  await page.locator('.elder-switch').click();
  await page.locator('.me-page:not(.elder)').waitFor();
});
