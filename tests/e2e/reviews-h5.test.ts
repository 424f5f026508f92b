/**
 * Reviews (消费评价, issue 15) in the h5 build on the seeded demo data: the review form reached
 * from 我的预订's 评价 button, the venue page's reviews section (average, tags, masked reviewers,
 * the manager's reply), the bureau's moderation queue and credit page — normal and 关怀模式.
 * Screenshots go to .shots/ (not committed) to be looked at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { startTestStack, type TestStack } from '../support/stack';
import { loginAs, openH5, type H5Session } from '../support/browser';

const SHOTS = path.resolve(__dirname, '../../.shots');
const clock = new ManualClock(new Date());
let stack: TestStack;
let h5: H5Session;
let venueId: string;

/** a free place at the venue booked by demo-citizen and admitted at the gate: a used booking to review */
async function usedBooking(citizen: { token: string }) {
  for (let d = 1; d <= 7; d++) {
    const day = businessDay(new Date(clock.now().getTime() + d * 86_400_000));
    const slots = (await stack.request('GET', `/venues/${venueId}/slots?date=${day}`)).body.items as any[];
    const free = slots.find((s) => s.priceFen === 0 && s.status === 'open');
    if (!free) continue;
    const b = await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [free.id] } });
    if (b.status !== 201) continue;
    await stack.cloud.services.bookings.markUsed(b.body.booking.id);
    return b.body.booking.id as string;
  }
  throw new Error('no free place to book');
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  stack = await startTestStack('e2e-reviews', { clock });
  await seedDemoData(stack.cloud.services);
  venueId = (await stack.request('GET', '/venues')).body.items.find((v: any) => v.name === '吴中区全民健身中心').id;
  const citizen = await stack.login('demo-citizen');
  await usedBooking(citizen);
  await usedBooking(citizen);
  h5 = await openH5(stack);
}, 180_000);

afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

async function open(route: string, ready: string) {
  await h5.page.goto(`${h5.url}/#/${route}`);
  await h5.page.locator(ready).first().waitFor();
}
const shot = async (name: string) => {
  // back to the top (typing scrolled the page's own scroller, not the window)
  await h5.page.evaluate(() => {
    window.scrollTo(0, 0);
    document.querySelectorAll<HTMLElement>('*').forEach((e) => {
      if (e.scrollTop) e.scrollTop = 0;
    });
  });
  await h5.page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
};

async function tour(mode: 'normal' | 'elder') {
  await loginAs(h5, 'citizen');
  // 我的预订 → 已结束: the used booking has a 评价 button
  await open('packages/booking/mine', '.mine-tab');
  // the tab may be tapped before the page has hydrated: tap until it is the current one
  const past = h5.page.locator('.mine-tab', { hasText: '已结束' });
  for (let i = 0; i < 10 && !(await past.getAttribute('class'))?.includes('--current'); i++) {
    await past.click();
    await h5.page.waitForTimeout(200);
  }
  await h5.page.locator('.booking-card--used').first().waitFor();
  await h5.page.locator('.booking-review').first().waitFor();
  // a venue is reviewed once per citizen: the normal tour reviews 吴中区全民健身中心, the elder tour
  // another venue the demo citizen has used (his seeded badminton history)
  const reviewable = h5.page.locator('.booking-card--used:has(.booking-review)');
  const card = mode === 'normal' ? reviewable.filter({ hasText: '吴中区全民健身中心' }).first() : reviewable.first();
  const venueName = (await card.locator('.booking-card__venue').textContent())!;
  if (mode === 'normal') expect(venueName).toBe('吴中区全民健身中心');
  await card.locator('.booking-review').click();
  await h5.page.locator('.review-submit').waitFor();
  expect(await h5.page.locator('.review-target__name').textContent()).toBe(venueName);
  await h5.page.locator('.review-star-4').click();
  await h5.page.locator('.review-chip', { hasText: '场地干净' }).click();
  await h5.page.locator('.review-chip', { hasText: '服务好' }).click();
  await h5.page.locator('.review-text textarea').fill(mode === 'normal' ? '场地干净，老师讲解细致。' : '适合老年人，下次还来。');
  await shot(`reviews-${mode}-form.png`);
  await h5.page.locator('.review-submit').click();
  await h5.page.locator('.review-done-title').waitFor();
  expect(await h5.page.locator('.review-done-title').textContent()).toBe('评价已发布');

  // the venue page: average, tags, masked reviewers, the manager's reply
  await open(`packages/venue/index?id=${venueId}`, '.venue-reviews .review-item');
  await h5.page.locator('.venue-reviews').scrollIntoViewIfNeeded();
  const names = await h5.page.locator('.venue-reviews .review-item__who').allTextContents();
  expect(names.length).toBeGreaterThanOrEqual(3);
  for (const n of names) expect(n).toMatch(/^.\*+$/);
  expect(await h5.page.locator('.venue-reviews .review-item__reply').count()).toBe(1);
  expect(Number(await h5.page.locator('.review-summary__avg').textContent())).toBeGreaterThan(4);
  await shot(`reviews-${mode}-venue.png`);

  // the bureau's moderation queue holds the flagged demo review
  await loginAs(h5, 'admin');
  await open('packages/admin/reviews', '.moderation-item');
  expect(await h5.page.locator('.moderation-item').first().textContent()).toContain('加微信');
  await shot(`reviews-${mode}-moderation.png`);
  await open('packages/admin/credit', '.credit-provider');
  await shot(`reviews-${mode}-credit.png`);
}

test('review form from 我的预订, the venue page reviews, moderation and credit (normal mode)', async () => {
  await tour('normal');
}, 120_000);

test('the same pages in 关怀模式', async () => {
  await loginAs(h5, 'citizen');
  await h5.page.goto(`${h5.url}/#/pages/me/index`);
  await h5.page.locator('.elder-switch').waitFor();
  for (let i = 0; i < 10 && !(await h5.page.locator('.me-page.elder').count()); i++) {
    await h5.page.locator('.elder-switch').click();
    await h5.page.waitForTimeout(200);
  }
  await h5.page.locator('.me-page.elder').waitFor();
  await tour('elder');
  expect(await h5.page.locator('.credit-page.elder').count()).toBe(1);
}, 120_000);
