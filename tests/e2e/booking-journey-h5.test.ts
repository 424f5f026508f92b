/// <reference lib="dom" />
/**
 * The venue-booking journey (issue 10) in the h5 build, headless Chromium, against the real cloud
 * app, engine and WeChat Pay stand-in with the demo seed: the true price range of a mixed venue,
 * the limit shown before choosing, 查看入场码 after paying, staff typing the short code at the
 * gate. Screenshots of each changed page, normal and 关怀模式, go to tests/e2e/screenshots/.
 */
import { businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';
import { payAndConfirm } from '../support/pay';

const today = businessDay(new Date());
const NOW = new Date(`${today}T12:00:00+08:00`);
const tomorrow = businessDay(new Date(NOW.getTime() + 86_400_000));
const clock = new ManualClock(NOW);

let stack: TestStack;
let h5: H5Session;
let venueId: string;
let citizen: { token: string; userId: string };
let paidBooking: { id: string; orderId: string };

beforeAll(async () => {
  stack = await startTestStack('e2e-journey', { clock, wechatPay: { signMode: 'public_key' } });
  const seeded = await seedDemoData(stack.cloud.services);
  venueId = seeded.venueIds[1]; // 苏州市体育中心: badminton free on weekday mornings, ¥20–40 otherwise
  citizen = await stack.login('demo-citizen');
  h5 = await openH5(stack, { fixedTime: NOW });
  await loginAs(h5, 'citizen');
}, 180_000);

afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

/** the same page in 关怀模式 (the stored switch, as the 我的 page sets it), then back */
async function bothModes(url: string, ready: string, name: string) {
  // the page's clock runs on from NOW; the server's follows it, so rotating codes stay current on the page
  const syncClock = async () => clock.set(new Date(Math.max(clock.now().getTime(), await h5.page.evaluate(() => Date.now()))));
  await syncClock();
  await h5.page.goto(url);
  await h5.page.locator(ready).first().waitFor();
  await h5.shot(`journey-${name}.png`, true);
  await h5.page.evaluate(() => localStorage.setItem('cs.elder', JSON.stringify({ data: '1' })));
  await syncClock();
  await h5.page.reload();
  await h5.page.locator('.elder').first().waitFor();
  await h5.page.locator(ready).first().waitFor();
  await h5.shot(`journey-${name}-elder.png`, true);
  await h5.page.evaluate(() => localStorage.setItem('cs.elder', JSON.stringify({ data: '0' })));
  await h5.page.reload();
}

test('the venue list and detail show each sport’s real price range and free hours, not “免费”', async () => {
  await h5.page.goto(`${h5.url}/#/pages/venues/index`);
  const card = h5.page.locator(`.venue-card[data-id="${venueId}"]:visible`);
  await card.waitFor();
  const text = await card.textContent();
  expect(text).toContain('羽毛球 ¥20–40/小时 · 工作日 8–10 点免费');
  expect(text).toContain('篮球 ¥120/小时');
  // 免费 is no longer claimed for a venue whose evening badminton costs ¥40
  expect(await card.locator('.venue-card__badge').allTextContents()).not.toContain('免费');
  await bothModes(`${h5.url}/#/pages/venues/index`, `.venue-card[data-id="${venueId}"]`, 'venues');
  await bothModes(`${h5.url}/#/packages/venue/index?id=${venueId}`, '.venue-detail__prices', 'venue-detail');
  expect(await h5.page.locator('.venue-detail__prices').first().textContent()).toContain('羽毛球 ¥20–40/小时');
});

test('the slot grid shows the citizen’s standing against the day’s limit before they choose, and their own hours as 我的', async () => {
  const { items } = (await stack.request('GET', `/venues/${venueId}/slots?date=${tomorrow}&sport=badminton`)).body;
  const evening = items.filter(
    (s: { startAt: string; status: string }) => new Date(s.startAt).getTime() === new Date(`${tomorrow}T19:00:00+08:00`).getTime(),
  );
  const booked = [];
  for (const s of evening.slice(0, 2)) {
    const res = await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [s.id] } });
    expect(res.status).toBe(201);
    booked.push(res.body.booking);
  }
  paidBooking = booked[0];
  const url = `${h5.url}/#/packages/booking/slots?venueId=${venueId}&date=${tomorrow}&sport=badminton`;
  await h5.page.goto(url);
  const day = h5.page.locator('.slots-standing-day:visible');
  await day.waitFor();
  expect(await day.textContent()).toContain('当日已约 2/2');
  expect(await h5.page.locator('.slots-standing__hint:visible').textContent()).toContain('换一天');
  expect(await h5.page.locator('.slots-legend__day:visible').textContent()).toContain('明天');
  // the evening is where the next free hour is not; the citizen's own hours show as 我的 there
  await h5.page.locator('.slots-period:visible', { hasText: '晚上' }).click();
  await h5.page.locator('.slot-cell--mine:visible').first().waitFor();
  expect(await h5.page.locator('.slot-cell--mine:visible').count()).toBe(2);
  expect(await h5.page.locator('.slot-cell--mine:visible').first().textContent()).toContain('我的');
  await bothModes(url, '.slots-standing-day', 'slots');
});

test('after paying, the result page leads to the entry code, with the entry window', async () => {
  await payAndConfirm(stack, citizen.token, paidBooking.orderId);
  await h5.page.goto(`${h5.url}/#/packages/pay/result?orderId=${paidBooking.orderId}`);
  const go = h5.page.locator('.pay-result-ticket:visible');
  await go.waitFor();
  expect(await h5.page.locator('.pay-result__window:visible').textContent()).toContain('开场前30分钟');
  await h5.shot('journey-pay-result.png', true);
  await go.click();
  await h5.page.waitForURL(/#\/packages\/ticket\/index/);
  const { items } = (await stack.request('GET', '/tickets/mine', { token: citizen.token })).body;
  const ticket = items.find((t: { bookingId: string }) => t.bookingId === paidBooking.id);
  await bothModes(`${h5.url}/#/packages/ticket/detail?id=${ticket.id}`, '.ticket-short-code', 'ticket');
  expect(await h5.page.locator('.ticket-short-code:visible').textContent()).toMatch(/^\d{4} \d{4}$/);
  expect(await h5.page.locator('.ticket-window:visible').textContent()).toContain('18:30');
});

test('staff land on the gate page and admit by typing the short code; the result names venue, court, time and holder', async () => {
  const { items } = (await stack.request('GET', '/tickets/mine', { token: citizen.token })).body;
  const ticket = items.find((t: { bookingId: string }) => t.bookingId === paidBooking.id);
  clock.set(new Date(`${tomorrow}T18:45:00+08:00`)); // inside the entry window
  const { shortCode } = (await stack.request('GET', `/tickets/${ticket.id}/code`, { token: citizen.token })).body;
  await loginAs(h5, 'staff'); // lands on the gate page
  await h5.page.locator(`.staff-venue-chip[data-id="${venueId}"]:visible`).click();
  await h5.page.locator('.staff-short-input input:visible, input.staff-short-input:visible').first().fill(shortCode);
  const answered = h5.page.waitForResponse((r) => r.url().endsWith('/api/v1/verifications'));
  await h5.page.locator('.staff-short-button:visible').click();
  expect((await answered).status()).toBe(200);
  const result = h5.page.locator('.verify-result--admitted:visible');
  await result.waitFor();
  const text = await result.textContent();
  expect(text).toContain('苏州市体育中心');
  expect(text).toContain('王**');
  expect(text).toMatch(/羽毛球\d号场/);
  expect(text).toContain('19:00');
  await h5.shot('journey-staff-admitted.png');
  await h5.page.locator('.verify-result-next:visible').click();
  await bothModes(`${h5.url}/#/packages/staff/index`, '.staff-short', 'staff');
});
