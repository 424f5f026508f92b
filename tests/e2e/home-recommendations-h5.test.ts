/**
 * 首页 为你推荐 in the h5 build: 王小明's list (badminton, his weak flexibility, the 姑苏区 run) and
 * 李晓红's (健身课, heart-lung sessions) differ; a card opens its page; 关怀模式; the 个性化 switch
 * turns personalisation off and the list says so. Screenshots in tests/e2e/screenshots/.
 */
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';

const clock = new ManualClock(new Date());
let stack: TestStack;
let h5: H5Session;

beforeAll(async () => {
  stack = await startTestStack('e2e-recs', { clock });
  await seedDemoData(stack.cloud.services);
  h5 = await openH5(stack);
}, 120_000);
afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

const elder = (on: boolean) => h5.page.evaluate((v) => localStorage.setItem('cs.elder', JSON.stringify({ data: v })), on ? '1' : '0');
/** the top of the page, then scrolled to the end of the list (the page scrolls inside the h5 shell) */
async function shots(name: string) {
  await h5.shot(`${name}.png`);
  await h5.page.locator('.rec-card:visible').last().scrollIntoViewIfNeeded();
  await h5.shot(`${name}-more.png`);
}
const reasons = () => h5.page.locator('.rec-card__reason:visible').allTextContents();

async function home(mode: 'normal' | 'elder') {
  await elder(mode === 'elder');
  await h5.page.goto(`${h5.url}/#/pages/home/index`);
  await h5.page.reload();
  if (mode === 'elder') await h5.page.locator('.home-page.elder').waitFor();
  await h5.page.locator('.rec-card:visible').first().waitFor({ timeout: 30_000 });
}

test('王小明 sees his picks with reasons, in normal and elderly mode; a card opens its page', async () => {
  await loginAs(h5, 'citizen');
  await home('normal');
  const mine = await reasons();
  expect(mine.length).toBeGreaterThanOrEqual(4);
  expect(mine.some((r) => r.includes('你常打羽毛球'))).toBe(true);
  expect(mine.some((r) => r.includes('柔韧性'))).toBe(true);
  expect(await h5.page.locator('.recs__explain--on:visible').count()).toBe(1);
  await shots('home-recommendations');

  await home('elder');
  await shots('home-recommendations-elder');
  await elder(false);

  await h5.page.locator('.rec-card--venue:visible').first().click();
  await h5.page.waitForURL(/#\/packages\/venue\/index\?id=[0-9a-f]{24}/);
  await h5.page.locator('.venue-detail__name').waitFor();
});

test('李晓红 sees a different list; with 个性化 off it is the list for everyone', async () => {
  await loginAs(h5, 'citizen');
  await home('normal');
  const his = await reasons();
  await loginAs(h5, 'citizen-2');
  await home('normal');
  const hers = await reasons();
  expect(hers).not.toEqual(his);
  expect(hers.some((r) => r.includes('你常上健身课'))).toBe(true);
  expect(hers.some((r) => r.includes('羽毛球'))).toBe(false);
  await shots('home-recommendations-citizen2');

  const saved = h5.page.waitForResponse((r) => r.url().endsWith('/api/v1/me/preferences') && r.request().method() === 'PUT');
  await h5.page.locator('.recs-personalise:visible').click();
  expect((await saved).status()).toBe(200);
  await h5.page.locator('.recs__explain--off:visible').waitFor();
  await h5.page.waitForFunction(() =>
    [...document.querySelectorAll('.rec-card__reason')].every((e) => !(e.textContent ?? '').includes('你')),
  );
  const general = await reasons();
  expect(general.length).toBeGreaterThan(0);
  await shots('home-recommendations-off');

  // the same list for him once he turns it off too (set through the API)
  const him = await stack.login('demo-citizen');
  await stack.request('PUT', '/me/preferences', { token: him.token, body: { personalisation: false } });
  const listed = (await stack.request('GET', '/me/recommendations', { token: him.token })).body.items.map(
    (i: { reason: string }) => i.reason,
  );
  expect(listed).toEqual(general);
});
