/**
 * Guidance pages in the h5 build (headless Chromium): the session list sorted by distance, the
 * instructor's check-in outside and inside the fence (the h5 location stand-in: `lat`/`lng`/`acc`
 * on the page URL), and the admin's activity ranking, each in normal and in 关怀模式.
 * Screenshots go to .shots/ (not committed) to be looked at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { openH5, loginAs, type H5Session } from '../support/browser';
import { seedGuidance } from '../../mock/src/seed/guidance';
import { north } from '../support/guidance-fixture';

const SHOTS = path.resolve(__dirname, '../../.shots');
let stack: TestStack;
let h5: H5Session;
let first: { id: string; startAt: string; place: { location: { lat: number; lng: number } } };

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const clock = new ManualClock(new Date());
  stack = await startTestStack('e2e-guidance', { clock });
  const admin = await stack.login('demo-admin');
  await grant(stack, admin.userId, 'admin');
  await seedGuidance(stack.cloud.services, { 'demo-admin': admin.userId });
  const sessions = (await stack.request('GET', '/guidance/sessions')).body.items;
  first = sessions.find((s: { instructor: { name: string } }) => s.instructor.name === '张卫国');
  // the server at 10 minutes before that session: the check-in window is open
  const at = new Date(new Date(first.startAt).getTime() - 10 * 60_000);
  clock.set(at);
  h5 = await openH5(stack);
}, 120_000);
afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

async function elder(on: boolean) {
  await h5.page.evaluate((v) => localStorage.setItem('cs.elder', JSON.stringify({ data: v })), on ? '1' : '0');
}
async function shot(name: string) {
  await h5.page.waitForTimeout(600);
  await h5.page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
}

test.each([false, true])(
  'session list, check-in outside and inside, ranking (关怀模式 %s)',
  async (on) => {
    await loginAs(h5, 'citizen');
    await elder(on);
    const near = north(first.place.location, 300);
    await h5.page.goto(`${h5.url}/#/packages/guidance/index?lat=${near.lat}&lng=${near.lng}&acc=10`);
    await h5.page.reload();
    await h5.page.locator('.gd-card').first().waitFor();
    expect(await h5.page.locator(`.screen${on ? '.elder' : ':not(.elder)'}`).count()).toBeGreaterThan(0);
    expect(await h5.page.locator('.gd-card').count()).toBe(11);
    expect(await h5.page.locator('.gd-card').first().getAttribute('data-session-id')).toBe(first.id);
    await shot(`guidance-list-${on ? 'elder' : 'normal'}.png`);

    await loginAs(h5, 'instructor');
    const outside = north(first.place.location, 250);
    await h5.page.goto(`${h5.url}/#/packages/instructor/session?id=${first.id}&lat=${outside.lat}&lng=${outside.lng}&acc=10`);
    await h5.page.reload();
    if (!on) {
      await h5.page.locator('.ins-checkin-btn').click();
      await h5.page.locator('.ins-checkin-bad').waitFor();
      expect(await h5.page.locator('.ins-checkin-bad').innerText()).toContain('250米');
      await shot('guidance-checkin-outside-normal.png');
      const inside = north(first.place.location, 120);
      await h5.page.goto(`${h5.url}/#/packages/instructor/session?id=${first.id}&lat=${inside.lat}&lng=${inside.lng}&acc=10`);
      await h5.page.reload();
      await h5.page.locator('.ins-checkin-btn').click();
      await h5.page.locator('.ins-checkin-ok').waitFor();
      await shot('guidance-checkin-inside-normal.png');
    } else {
      await h5.page.locator('.ins-checkin-ok').waitFor();
      await shot('guidance-checkin-inside-elder.png');
    }

    await loginAs(h5, 'admin');
    await h5.page.goto(`${h5.url}/#/packages/guidance/ranking`);
    await h5.page.reload();
    await h5.page.locator('.gd-rank').first().waitFor();
    expect(await h5.page.locator('.gd-rank').count()).toBe(5);
    await shot(`guidance-ranking-${on ? 'elder' : 'normal'}.png`);
  },
  180_000,
);
