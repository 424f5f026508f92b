/// <reference lib="dom" />
/**
 * The booking pages of the h5 build in headless Chromium against the real cloud app, engine and
 * WeChat Pay stand-in. The server clock and the page clock are pinned to 07:52:30 in Shanghai so
 * the release countdown shows. Screenshots go to tests/e2e/screenshots/.
 */
import { businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';
import { remainingOf } from '../support/venue-fixture';

const today = businessDay(new Date());
const NOW = new Date(`${today}T07:52:30+08:00`);
const clock = new ManualClock(NOW);

let stack: TestStack;
let h5: H5Session;
let venueId: string;

beforeAll(async () => {
  stack = await startTestStack('e2e-booking', { clock, wechatPay: { signMode: 'public_key' } });
  const seeded = await seedDemoData(stack.cloud.services);
  venueId = seeded.venueIds[1]; // 苏州市体育中心: free weekday mornings, paid otherwise
  h5 = await openH5(stack, { fixedTime: NOW });
  await loginAs(h5, 'citizen');
}, 120_000);

afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

test('venue detail shows the venue, its free hours and its booking rules in Chinese', async () => {
  await h5.page.goto(`${h5.url}/#/packages/venue/index?id=${venueId}`);
  await h5.page.locator('.venue-detail__name').waitFor();
  expect(await h5.page.locator('.venue-detail__name').textContent()).toContain('苏州市体育中心');
  expect(await h5.page.locator('.venue-detail__free-note').textContent()).toContain('免费');
  const rules = (await h5.page.locator('.venue-detail__rule').allTextContents()).join(' ');
  expect(rules).toMatch(/提前\s*7\s*天/);
  expect(rules).toContain('08:00');
  await h5.shot('booking-venue-detail.png', true);
});

test('the slot grid shows states at a glance, and a countdown before the day is released', async () => {
  await h5.page.locator('.venue-book-button:visible').click();
  await h5.page.waitForURL(/#\/packages\/booking\/slots/);
  await h5.page.locator('.slot-cell:visible').first().waitFor();
  expect(await h5.page.locator('.slot-cell--open:visible').count()).toBeGreaterThan(0);
  await h5.shot('booking-slot-grid.png');

  // the last day of the window opens at 08:00 today: not yet
  const lastDay = await h5.page.locator('.date-chip:visible').last().getAttribute('data-date');
  await h5.page.locator('.date-chip:visible').last().click();
  await h5.page.locator('.slots-countdown:visible').waitFor();
  expect(await h5.page.locator('.slots-countdown:visible').textContent()).toMatch(/08:00 开放预订/);
  expect(await h5.page.locator('.slot-cell--not_released:visible').count()).toBeGreaterThan(0);
  expect(lastDay).toBe(businessDay(new Date(NOW.getTime() + 7 * 86_400_000))); // advanceDays 7: the last day of the window
  await h5.shot('booking-slot-grid-countdown.png');
});

test('choosing two adjacent hours and confirming makes a held booking with its payable amount', async () => {
  const tomorrow = businessDay(new Date(NOW.getTime() + 86_400_000));
  await h5.page.goto(`${h5.url}/#/packages/booking/slots?venueId=${venueId}&date=${tomorrow}&sport=badminton`);
  await h5.page.locator('.slot-cell--open:visible').first().waitFor();
  // two adjacent paid hours of the first court
  const row = h5.page.locator('.slot-grid__row:not(.slot-grid__row--head):visible').first();
  const evening = row.locator('.slot-cell--open').filter({ hasText: '¥' });
  await evening.nth(0).click();
  await evening.nth(1).click();
  expect(await h5.page.locator('.slots-total:visible').textContent()).toContain('¥');
  await h5.page.locator('.slots-confirm:visible').click();
  await h5.page.waitForURL(/#\/packages\/booking\/confirm/);
  await h5.page.locator('.confirm-summary:visible').waitFor();
  await h5.shot('booking-confirm.png');
  const created = h5.page.waitForResponse((r) => r.url().endsWith('/api/v1/bookings') && r.request().method() === 'POST');
  await h5.page.locator('.confirm-submit:visible').click();
  const res = await created;
  expect(res.status()).toBe(201);
  expect(res.request().headers()['idempotency-key']).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  const { booking } = await res.json();
  expect(booking.slotIds).toHaveLength(2);
  await h5.page.locator('.confirm-result--held:visible').waitFor();
  expect(await h5.page.locator('.confirm-payable:visible').textContent()).toContain((booking.amountFen / 100).toFixed(2));
  await h5.shot('booking-held.png');
});

test('my bookings lists it with a hold countdown, and cancelling gives the hours back', async () => {
  await h5.page.goto(`${h5.url}/#/packages/booking/mine`);
  const card = h5.page.locator('.booking-card:visible').first();
  await card.waitFor();
  expect(await card.getAttribute('data-status')).toBe('held');
  expect(await h5.page.locator('.booking-hold__left:visible').count()).toBe(1);
  await h5.shot('booking-mine.png');
  const id = await card.getAttribute('data-id');
  const citizen = await stack.login('demo-citizen');
  const held = (await stack.request('GET', `/bookings/${id}`, { token: citizen.token })).body.booking;
  expect(held.slotIds).toHaveLength(2);
  expect(await Promise.all(held.slotIds.map(remainingOf))).toEqual([0, 0]);
  await card.locator('.booking-cancel').click();
  const cancelled = h5.page.waitForResponse((r) => r.url().endsWith(`/api/v1/bookings/${id}/cancel`));
  // the one cancel sheet: the server's quote first, then the confirm
  await h5.page.locator('.cancel-sheet__quote:visible').waitFor();
  await h5.page.locator('.cancel-submit:visible').click();
  expect((await cancelled).status()).toBe(200);
  const booking = (await stack.request('GET', `/bookings/${id}`, { token: citizen.token })).body.booking;
  expect(booking.status).toBe('cancelled');
  // the hours are back: in the database, and open again on the slot grid
  expect(await Promise.all(held.slotIds.map(remainingOf))).toEqual([1, 1]);
  const tomorrow = businessDay(new Date(NOW.getTime() + 86_400_000));
  await h5.page.goto(`${h5.url}/#/packages/booking/slots?venueId=${venueId}&date=${tomorrow}&sport=badminton`);
  for (const slotId of held.slotIds) {
    const cell = h5.page.locator(`.slot-cell[data-slot-id="${slotId}"]:visible`);
    await cell.waitFor();
    expect([await cell.getAttribute('data-status'), await cell.getAttribute('class')]).toEqual([
      'open',
      expect.stringMatching(/(^|\s)slot-cell--open(\s|$)/),
    ]);
  }
});

test("the venue manager sees the day's bookings with masked names", async () => {
  const citizen = await stack.login('demo-citizen-2');
  const tomorrow = businessDay(new Date(NOW.getTime() + 86_400_000));
  const seededVenue = (await stack.request('GET', '/manage/venues', { token: (await stack.login('demo-admin')).token })).body.items[0]
    .id as string;
  const slots = (await stack.request('GET', `/venues/${seededVenue}/slots?date=${tomorrow}&sport=badminton`)).body.items;
  const open = slots.find((s: { status: string }) => s.status === 'open');
  expect((await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [open.id] } })).status).toBe(201);
  await loginAs(h5, 'admin');
  await h5.page.goto(`${h5.url}/#/packages/manage/index?venueId=${seededVenue}&tab=day`);
  await h5.page.locator('.manage-venue-chip:visible').first().waitFor();
  await h5.page.locator(`.date-chip[data-date="${tomorrow}"]:visible`).click();
  await h5.page.locator('.manage-booking:visible').first().waitFor();
  expect(await h5.page.locator('.manage-booking:visible').first().textContent()).toContain('李*');
  await h5.shot('manage-day.png');
});
