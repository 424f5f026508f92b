/// <reference lib="dom" />
/**
 * 候补 and 放号提醒 on the slot grid (issue 10) in the h5 build against the real app and the demo
 * seed, at 07:00 on a weekday: a sold-out court hour opens the waitlist sheet and the citizen
 * joins the line; the last day of the booking window is not released until 08:00, and its
 * countdown offers 放号提醒. Both in normal and 关怀模式; screenshots to tests/e2e/screenshots/.
 */
import { businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';

const today = businessDay(new Date());
const NOW = new Date(`${today}T07:00:00+08:00`);
const dayAfter = (n: number) => businessDay(new Date(NOW.getTime() + n * 86_400_000));
const clock = new ManualClock(NOW);

let stack: TestStack;
let h5: H5Session;
let venueId: string;
let citizen: { token: string; userId: string };

beforeAll(async () => {
  stack = await startTestStack('e2e-waitlist', { clock, wechatPay: { signMode: 'public_key' } });
  const seeded = await seedDemoData(stack.cloud.services);
  venueId = seeded.venueIds[1];
  citizen = await stack.login('demo-citizen');
  h5 = await openH5(stack, { fixedTime: NOW });
  await loginAs(h5, 'citizen');
}, 180_000);

afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

const elder = async (on: boolean) => {
  await h5.page.evaluate((v) => localStorage.setItem('cs.elder', JSON.stringify({ data: v })), on ? '1' : '0');
  await h5.page.reload();
};

test('a sold-out hour opens 候补: the citizen joins the line and sees their place, in both modes', async () => {
  const date = dayAfter(1);
  const { items } = (await stack.request('GET', `/venues/${venueId}/slots?date=${date}&sport=badminton`)).body;
  const slot = items.find((s: { status: string; remaining: number }) => s.status === 'open' && s.remaining > 0);
  const other = await stack.login('waitlist-e2e-other');
  expect((await stack.request('POST', '/bookings', { token: other.token, body: { slotIds: [slot.id] } })).status).toBe(201);

  await h5.page.goto(`${h5.url}/#/packages/booking/slots?venueId=${venueId}&date=${date}&sport=badminton`);
  const cell = h5.page.locator(`.slot-cell[data-slot-id="${slot.id}"]:visible`);
  await cell.waitFor();
  expect(await cell.getAttribute('class')).toContain('slot-cell--sold_out');
  await cell.click();
  const sheet = h5.page.locator('.waitlist-sheet:visible');
  await sheet.waitFor();
  expect(await sheet.textContent()).toContain('按候补顺序');
  await h5.shot('waitlist-sheet.png');
  const joined = h5.page.waitForResponse((r) => r.url().endsWith(`/slots/${slot.id}/waitlist`) && r.request().method() === 'POST');
  await h5.page.locator('.waitlist-join:visible').click();
  expect((await joined).status()).toBe(201);
  await h5.page.locator('.waitlist-sheet__position:visible').waitFor();
  expect(await h5.page.locator('.waitlist-sheet__position:visible').textContent()).toContain('第 1 位');
  expect(await h5.page.locator('.waitlist-leave:visible').count()).toBe(1);
  await h5.shot('waitlist-joined.png');

  // 关怀模式: the same sheet, read back from the server (the citizen is still first in line)
  await elder(true);
  await cell.waitFor();
  await cell.click();
  await h5.page.locator('.waitlist-sheet__position:visible').waitFor();
  expect(await h5.page.locator('.waitlist-sheet.elder, .elder .waitlist-sheet').count()).toBeGreaterThan(0);
  expect(await h5.page.locator('.waitlist-sheet__position:visible').textContent()).toContain('第 1 位');
  await h5.shot('waitlist-joined-elder.png');
  await elder(false);
  const entry = (await stack.request('GET', `/slots/${slot.id}/waitlist`, { token: citizen.token })).body.entry;
  expect(entry).toMatchObject({ status: 'waiting', position: 1 });
});

test('the last day of the window, released at 08:00, offers 放号提醒 on its countdown', async () => {
  const venue = (await stack.request('GET', `/venues/${venueId}`)).body.venue;
  const date = dayAfter(venue.rules.advanceDays);
  await h5.page.goto(`${h5.url}/#/packages/booking/slots?venueId=${venueId}&date=${date}&sport=badminton`);
  const remind = h5.page.locator('.slots-remind:visible');
  await remind.waitFor();
  expect(await h5.page.locator('.slots-countdown__text:visible').textContent()).toContain('08:00 开放预订');
  await elder(true);
  await remind.waitFor();
  await h5.shot('release-reminder-elder.png');
  const asked = h5.page.waitForResponse((r) => r.url().endsWith('/release-reminders'));
  await remind.click();
  expect((await asked).status()).toBe(201);
  await h5.page.locator('.slots-remind:visible', { hasText: '已设置放号提醒' }).waitFor();
  await h5.shot('release-reminder-set-elder.png');
  // after a reload the page reads the reminder back from the server: still 已设置, not offered again
  const readBack = h5.page.waitForResponse((r) => r.url().includes('/release-reminders?') && r.request().method() === 'GET');
  await elder(false);
  expect((await readBack).status()).toBe(200);
  const set = h5.page.locator('.slots-remind:visible', { hasText: '已设置放号提醒' });
  await set.waitFor();
  expect(await set.getAttribute('class')).toContain('nut-button-disabled');
  await h5.shot('release-reminder-normal.png');
  // the server holds the one reminder, unsent
  const reminders = (await stack.request('GET', `/release-reminders?venueId=${venueId}&date=${date}`, { token: citizen.token })).body.items;
  expect(reminders).toEqual([expect.objectContaining({ venueId, date, sentAt: null })]);
});
