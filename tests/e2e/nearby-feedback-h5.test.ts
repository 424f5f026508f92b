/**
 * Issue 10 in the h5 build on the seeded demo data: venues nearest first from a location stand-in
 * (the URL's lat/lng, read by the one helper utils/location), search by name or sport, 导航 (h5:
 * the address, then 高德's marker page), 首页 附近场馆 and 领券, 爽约记录 with a ban in force, and
 * 意见反馈 sent by the citizen, answered by the bureau on 反馈处理, the answer read back in the app —
 * normal and 关怀模式. Screenshots go to .shots/ (not committed) to be looked at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { startTestStack, type TestStack } from '../support/stack';
import { loginAs, openH5, type H5Session } from '../support/browser';

const SHOTS = path.resolve(__dirname, '../../.shots');
const NOW = new Date();
const clock = new ManualClock(NOW);
// a citizen in 吴中区, a few hundred metres from 吴中区全民健身中心 (31.2682, 120.6318)
const HERE = 'lat=31.2700&lng=120.6300';
const NEAREST = '吴中区全民健身中心';
let stack: TestStack;
let h5: H5Session;
let venueId: string;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  stack = await startTestStack('e2e-nearby', { clock });
  await seedDemoData(stack.cloud.services);
  venueId = (await stack.request('GET', '/venues')).body.items.find((v: { name: string }) => v.name === NEAREST).id;
  // one no-show at the nearest venue earns a ban there (the manager's rule: 1 no-show)
  const admin = await stack.login('demo-admin');
  expect((await stack.request('PUT', `/manage/venues/${venueId}/rules`, { token: admin.token, body: { noShowLimit: 1 } })).status).toBe(
    200,
  );
  const citizen = await stack.login('demo-citizen');
  let booked: { startAt: string } | null = null;
  for (let d = 1; d <= 7 && !booked; d++) {
    const day = businessDay(new Date(NOW.getTime() + d * 86_400_000));
    const slots = (await stack.request('GET', `/venues/${venueId}/slots?date=${day}`)).body.items as {
      id: string;
      priceFen: number;
      status: string;
      startAt: string;
    }[];
    for (const s of slots.filter((x) => x.priceFen === 0 && x.status === 'open')) {
      const b = await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [s.id] } });
      if (b.status === 201) {
        booked = s;
        break;
      }
    }
  }
  if (!booked) throw new Error('no free place to book');
  clock.set(new Date(new Date(booked.startAt).getTime() + 60 * 60_000));
  expect(await stack.cloud.services.bookings.markNoShows()).toBeGreaterThanOrEqual(1);
  clock.set(NOW);
  h5 = await openH5(stack);
}, 180_000);

afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

async function open(route: string, ready: string) {
  // a fresh app each time: Taro keeps earlier tab pages (without this URL's stand-in) hidden in the DOM
  await h5.page.goto('about:blank');
  await h5.page.goto(`${h5.url}/#/${route}`);
  await h5.page.locator(ready).first().waitFor();
}
const shot = async (name: string) => {
  // sheets and dialogs have finished appearing
  await h5.page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
  await h5.page.waitForTimeout(300); // Taro's modal fades in by a CSS transition on a timer
  await h5.page.evaluate(() => {
    window.scrollTo(0, 0);
    document.querySelectorAll<HTMLElement>('*').forEach((e) => {
      if (e.scrollTop) e.scrollTop = 0;
    });
  });
  await h5.page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
};
const names = () => h5.page.locator('.venue-card__name').allTextContents();

/** a small PNG of one colour with a white disc, drawn in the page */
const photo = async (colour: string) =>
  Buffer.from(
    await h5.page.evaluate((c) => {
      const cv = document.createElement('canvas');
      cv.width = 320;
      cv.height = 240;
      const g = cv.getContext('2d')!;
      g.fillStyle = c;
      g.fillRect(0, 0, 320, 240);
      g.fillStyle = '#fff';
      g.beginPath();
      g.arc(160, 120, 50, 0, Math.PI * 2);
      g.fill();
      return cv.toDataURL('image/png').split(',')[1];
    }, colour),
    'base64',
  );
let normalThumbWidth = 0;
/** the feedback's photos shown as loaded images (not a count); their widths */
async function thumbnails(n: number, within = h5.page.locator('.feedback-detail-page:visible')) {
  const imgs = within.locator('.feedback-photo--ready img');
  await imgs.nth(n - 1).waitFor();
  expect(await imgs.count()).toBe(n);
  await h5.page.waitForFunction(
    (k) => [...document.querySelectorAll<HTMLImageElement>('.feedback-photo--ready img')].filter((i) => i.naturalWidth === 320).length >= k,
    n,
  );
  const widths = await imgs.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
  if (!normalThumbWidth) normalThumbWidth = widths[0];
  return widths;
}
/** a tap on the second thumbnail opens Taro.previewImage on it; a tap closes it */
async function preview(name: string) {
  await h5.page.locator('.feedback-detail-page:visible .feedback-photo--ready').nth(1).click();
  const viewer = h5.page.locator('.preview-image');
  await viewer.waitFor();
  await h5.page.waitForFunction(() => {
    const imgs = [...document.querySelectorAll<HTMLImageElement>('.preview-image img')];
    return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth === 320);
  });
  await h5.page.waitForTimeout(300);
  await h5.page.screenshot({ path: path.join(SHOTS, name) });
  await viewer.click();
  await viewer.waitFor({ state: 'detached' });
}
const kmOf = (t: string) => (t.endsWith('km') ? Number(t.slice(0, -2)) : Number(t.slice(0, -1)) / 1000);

async function venuesAndHome(mode: 'normal' | 'elder') {
  // 场馆: nearest first, each with its distance
  await open(`pages/venues/index?${HERE}`, '.venue-card');
  await h5.page.locator('.venue-summary__sort').waitFor();
  await h5.page.waitForFunction((n) => document.querySelector('.venue-card__name')?.textContent === n, NEAREST);
  const distances = (await h5.page.locator('.venue-card__distance').allTextContents()).map(kmOf);
  expect(distances.length).toBe((await names()).length);
  expect([...distances].sort((a, b) => a - b)).toEqual(distances);
  await shot(`nearby-venues-${mode}.png`);

  // search by sport: only venues with swimming, still nearest first
  const input = h5.page.locator('.venue-search__input input');
  await input.fill('游泳');
  await h5.page.locator('.venue-search__go').click();
  await h5.page.locator('.venue-summary__count', { hasText: '“游泳”' }).waitFor();
  const swimming = await names();
  expect(swimming.length).toBeGreaterThan(0);
  expect(swimming).toContain('吴江区游泳馆');
  const cards = await h5.page.locator('.venue-card').all();
  for (const c of cards)
    expect((await c.locator('.venue-card__sport--swimming').count()) + ((await c.textContent())?.includes('游泳') ? 1 : 0)).toBeGreaterThan(
      0,
    );
  await shot(`nearby-venues-search-${mode}.png`);
  // a pattern is text, not a pattern: nothing is called ".*"
  await input.fill('.*');
  await h5.page.locator('.venue-search__go').click();
  await h5.page.locator('.venue-empty', { hasText: '没有找到“.*”相关的场馆' }).waitFor();
  await h5.page.locator('.venue-search__clear').click();
  await h5.page.waitForFunction((n) => document.querySelector('.venue-card__name')?.textContent === n, NEAREST);

  if (mode === 'normal') {
    // 导航 in h5: the address, then 高德's marker page in a new tab
    await h5.page.locator('.venue-card__nav').first().click();
    await h5.page.getByText(/^地址：/).waitFor();
    await shot('nearby-navigate-normal.png');
    // the machine is offline: 高德's page is answered by a stand-in, so the tab's address can be read
    await h5.page
      .context()
      .route('https://uri.amap.com/**', (r) => r.fulfill({ contentType: 'text/html', body: '<title>高德地图</title>' }));
    const popup = h5.page.context().waitForEvent('page');
    await h5.page.getByText('打开地图', { exact: true }).click();
    const map = await popup;
    expect(map.url()).toMatch(/^https:\/\/uri\.amap\.com\/marker\?position=120\.6318,31\.2682/);
    await map.close();
  }

  // 首页: 附近场馆 nearest first with distances; 领券 opens the claim tab
  await open(`pages/home/index?${HERE}`, '.nearby-venue');
  await h5.page.waitForFunction((n) => document.querySelector('.nearby-venue .home-nearby__name')?.textContent === n, NEAREST);
  expect(await h5.page.locator('.nearby-venue').count()).toBe(3);
  expect(await h5.page.locator('.nearby-venue .home-nearby__distance').first().textContent()).toMatch(/^\d+m$/);
  await shot(`nearby-home-${mode}.png`);
  await h5.page.locator('.quick-entry--vouchers').click();
  await h5.page.waitForURL(/packages\/pay\/vouchers\?tab=claim/);
}

async function noShows(mode: 'normal' | 'elder') {
  await open('pages/me/index', '.me-link--no-shows');
  await h5.page.locator('.me-link--no-shows').click();
  await h5.page.locator('.noshow-item').first().waitFor();
  expect(await h5.page.locator('.noshow-item__venue').first().textContent()).toBe(NEAREST);
  const ban = h5.page.locator('.noshow-ban--active');
  await ban.waitFor();
  expect(await ban.textContent()).toMatch(/限制中.*因 1 次爽约.*将于 .*恢复预约/);
  await shot(`nearby-no-shows-${mode}.png`);
}

test('场馆 by distance and search, 导航, 首页 附近场馆 and 领券, 爽约记录, 意见反馈 sent, answered and read', async () => {
  await loginAs(h5, 'citizen');
  await venuesAndHome('normal');
  await noShows('normal');

  // 意见反馈: write to the nearest venue
  await open('pages/me/index', '.me-link--feedback');
  await h5.page.locator('.me-link--feedback').click();
  await h5.page.locator('.feedback-write').click();
  await h5.page.locator('.feedback-submit').waitFor();
  await h5.page.locator('.feedback-submit').click(); // nothing chosen yet: each field says what is missing
  await h5.page.locator('.feedback-venue-error').waitFor();
  await h5.page.locator('.feedback-venue').click();
  await h5.page.locator('.feedback-venue-option', { hasText: NEAREST }).click();
  await h5.page.locator('.feedback-category--facility').click();
  await h5.page.locator('.feedback-text textarea').fill('羽毛球馆3号场灯光太暗，晚上打球看不清。');
  await h5.page.locator('.ins-photo__file').setInputFiles([
    { name: '灯光1.png', mimeType: 'image/png', buffer: await photo('#f5c542') },
    { name: '灯光2.png', mimeType: 'image/png', buffer: await photo('#4a7bd0') },
  ]);
  await h5.page.locator('.ins-photo[data-photo-id]:not([data-photo-id=""])').nth(1).waitFor();
  await shot('nearby-feedback-new-normal.png');
  await h5.page.locator('.feedback-submit').click();
  await h5.page.waitForURL(/packages\/feedback\/detail/);
  await h5.page.locator('.feedback-status', { hasText: '待处理' }).waitFor();
  await h5.page.locator('.feedback-wait').waitFor();
  // 附图: thumbnails fetched with the citizen's token, a tap previews them full screen
  await thumbnails(2);
  await shot('nearby-feedback-photos-normal.png');
  await preview('nearby-feedback-photo-preview-normal.png');

  // the bureau answers on 反馈处理
  await loginAs(h5, 'admin');
  await open('pages/me/index', '.me-link--feedback-inbox');
  await h5.page.locator('.me-link--feedback-inbox').click();
  const item = h5.page.locator('.inbox-item', { hasText: '灯光太暗' });
  await item.waitFor();
  // the bureau sees the photos too (its own token)
  await thumbnails(2, item);
  await item.locator('.inbox-answer textarea').fill('感谢反馈，已安排更换3号场灯管，本周内完成。');
  await shot('nearby-feedback-inbox-normal.png');
  await item.locator('.inbox-send').click();
  await item.waitFor({ state: 'detached' });

  // the citizen reads the answer
  await loginAs(h5, 'citizen');
  await open('packages/feedback/index', '.feedback-card');
  await h5.page.locator('.feedback-card', { hasText: '灯光太暗' }).locator('.feedback-status', { hasText: '已回复' }).waitFor();
  await h5.page.locator('.feedback-card', { hasText: '灯光太暗' }).click();
  // the list page stays in the DOM, hidden, with the same card: look inside the detail page only
  const detail = h5.page.locator('.feedback-detail-page:visible');
  await detail.locator('.feedback-answer', { hasText: '本周内完成' }).waitFor();
  expect(await detail.locator('.feedback-card__answer-by').textContent()).toMatch(/^体育局回复/);
  await shot('nearby-feedback-answered-normal.png');
}, 120_000);

test('the same pages in 关怀模式', async () => {
  await loginAs(h5, 'citizen');
  await open('pages/me/index', '.elder-switch');
  for (let i = 0; i < 10 && !(await h5.page.locator('.me-page.elder').count()); i++) {
    await h5.page.locator('.elder-switch').click();
    await h5.page.waitForTimeout(200);
  }
  await h5.page.locator('.me-page.elder').waitFor();
  await venuesAndHome('elder');
  await noShows('elder');
  await open('packages/feedback/new', '.feedback-submit');
  expect(await h5.page.locator('.feedback-new-page.elder').count()).toBe(1);
  await shot('nearby-feedback-new-elder.png');
  await open('packages/feedback/index', '.feedback-card');
  await h5.page.locator('.feedback-card', { hasText: '灯光太暗' }).click();
  await h5.page.locator('.feedback-detail-page:visible .feedback-answer', { hasText: '本周内完成' }).waitFor();
  // 关怀模式: the thumbnails are larger than in the normal mode
  const [w] = await thumbnails(2);
  expect(w).toBeGreaterThan(normalThumbWidth);
  await shot('nearby-feedback-answered-elder.png');
  await preview('nearby-feedback-photo-preview-elder.png');
}, 120_000);
