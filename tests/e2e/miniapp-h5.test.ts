/// <reference lib="dom" />
/**
 * The h5 build of the mini-program in headless Chromium against the real cloud app and engine:
 * log in as demo-citizen, see the venue list, switch on elderly mode. Screenshots are saved in
 * tests/e2e/screenshots/ for people to look at.
 */
import { seedDemoData } from '../../mock/src/seed/seed';
import { DEMO_VENUES } from '../../mock/src/seed/fixtures';
import { openH5, type H5Session } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let h5: H5Session;

beforeAll(async () => {
  stack = await startTestStack('e2e');
  await seedDemoData(stack.cloud.services);
  h5 = await openH5(stack);
}, 120_000);

afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

test('a citizen logs in with the demo account and sees the venue list in Chinese', async () => {
  await h5.page.goto(`${h5.url}/`);
  await h5.page.waitForURL(/#\/pages\/login\/index/, { timeout: 30_000 });
  await h5.page.locator('.login-demo-citizen').waitFor();
  await h5.page.locator('.home-page').waitFor({ state: 'hidden' }); // the redirect's page transition has finished
  await h5.shot('login.png');

  const login = h5.page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
  await h5.page.locator('.login-demo-citizen').click();
  expect((await login).status()).toBe(200);
  await h5.page.waitForURL(/#\/pages\/home\/index/);

  await h5.page.goto(`${h5.url}/#/pages/venues/index`);
  const cards = h5.page.locator('.venue-card');
  await cards.first().waitFor({ timeout: 30_000 });
  expect(await cards.count()).toBe(DEMO_VENUES.length);
  const names = await h5.page.locator('.venue-card__name').allTextContents();
  expect(names).toEqual(expect.arrayContaining([DEMO_VENUES[0].venue.name, DEMO_VENUES[1].venue.name]));
  expect(names.every((n) => /[\u4e00-\u9fa5]/.test(n))).toBe(true);
  expect(await h5.page.locator('.venue-card__free').count()).toBeGreaterThan(0);
  await h5.shot('venue-list.png');

  const filtered = h5.page.waitForResponse((r) => r.url().includes('/api/v1/venues') && r.url().includes('sport=tennis'));
  await h5.page.locator('.sport-chip--tennis').click();
  expect((await filtered).status()).toBe(200);
  const tennisVenues = DEMO_VENUES.filter((f) => f.resources.some((r) => r.sport === 'tennis')).length;
  await h5.page.waitForFunction((n) => document.querySelectorAll('.venue-card').length === n, tennisVenues);
  expect(await h5.page.locator('.venue-card').count()).toBe(tennisVenues);
  await h5.shot('venue-list-tennis.png');
});

test('the me page shows the masked profile and elderly mode enlarges the text', async () => {
  await h5.page.goto(`${h5.url}/#/pages/me/index`);
  await h5.page.locator('.me-nickname').waitFor();
  expect(await h5.page.locator('.me-nickname').textContent()).toContain('王小明');
  expect(await h5.page.locator('.me-phone').textContent()).toContain('138****5678');
  const fontBefore = await h5.page.locator('.me-nickname').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  await h5.page.locator('.elder-switch').click();
  await h5.page.locator('.me-page.elder').waitFor();
  const fontAfter = await h5.page.locator('.me-nickname').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(fontAfter).toBeGreaterThan(fontBefore);
  await h5.shot('me-elder-mode.png');
  await h5.page.locator('.elder-switch').click();
  await h5.page.locator('.me-page:not(.elder)').waitFor();
});
