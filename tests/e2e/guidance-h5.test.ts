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
let first: { id: string; startAt: string; district: string; instructor: { id: string }; place: { location: { lat: number; lng: number } } };

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
    // the filters: the session's district, then its day on the date strip, soonest first
    await h5.page.locator(`.gd-district-chip[data-district="${first.district}"]`).click();
    // every card shown is in that district (the list reloads with the server's filter)
    await h5.page.waitForFunction((d) => {
      const cards = [...document.querySelectorAll('.gd-card')].filter((c) => (c as HTMLElement).offsetParent);
      return cards.length > 0 && cards.every((c) => c.textContent?.includes(d));
    }, first.district);
    const day = new Date(new Date(first.startAt).getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    const filtered = await stack.request('GET', `/guidance/sessions?district=${encodeURIComponent(first.district)}&date=${day}`);
    expect(filtered.body.items.length).toBeLessThan(11);
    await h5.page.locator(`.gd-date-strip .date-strip__item[data-date="${day}"]`).click();
    await h5.page.locator('.gd-tabs .gd-tab--soon').click();
    await h5.page.waitForFunction(
      (n) => [...document.querySelectorAll('.gd-card')].filter((c) => (c as HTMLElement).offsetParent).length === n,
      filtered.body.items.length,
    );
    await h5.page.locator(`.gd-card[data-session-id="${first.id}"]`).waitFor();
    expect(await h5.page.locator('.gd-card').first().getAttribute('data-session-id')).toBe(filtered.body.items[0].id);
    expect(await h5.page.locator('.gd-hint-near').count()).toBe(0);
    await shot(`guidance-list-filtered-${on ? 'elder' : 'normal'}.png`);

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

test.each([false, true])(
  'the rotating session code and a citizen checking in with it, the log page with photos, an organisation request (关怀模式 %s)',
  async (on) => {
    const mode = on ? 'elder' : 'normal';
    const citizen = await stack.login('demo-citizen');
    if (!on) {
      const signed = await stack.request('POST', `/guidance/sessions/${first.id}/signups`, { token: citizen.token });
      expect(signed.status).toBe(201);
    }

    // the instructor (checked in by the test above) shows the code
    await loginAs(h5, 'instructor');
    await elder(on);
    await h5.page.goto(`${h5.url}/#/packages/instructor/session?id=${first.id}`);
    await h5.page.reload();
    await h5.page.locator('.ins-code__digits').waitFor();
    expect(await h5.page.locator('.ins-code .qr-code__run').count()).toBeGreaterThan(20);
    const digits = (await h5.page.locator('.ins-code').getAttribute('data-short-code'))!;
    expect(digits).toMatch(/^\d{8}$/);
    await shot(`guidance-session-code-${mode}.png`);

    if (!on) {
      // the citizen at the place types the digits (h5 has no camera scan): a wrong code first
      await loginAs(h5, 'citizen');
      const here = north(first.place.location, 60);
      await h5.page.goto(`${h5.url}/#/packages/guidance/session?id=${first.id}&lat=${here.lat}&lng=${here.lng}&acc=10`);
      await h5.page.reload();
      await h5.page.locator('.gd-checkin-code input').fill('12345678');
      await h5.page.locator('.gd-checkin-btn').click();
      await h5.page.locator('.gd-checkin-bad').waitFor();
      expect(await h5.page.locator('.gd-checkin-bad').innerText()).toContain('签到码');
      await h5.page.locator('.gd-checkin-code input').fill(digits);
      await h5.page.locator('.gd-checkin-btn').click();
      await h5.page.locator('.gd-checkin-ok').waitFor();
      await shot('guidance-citizen-checked-in-normal.png');
      await loginAs(h5, 'instructor');
    }

    // the log page: two photos picked through <input type=file>, a wrong file refused in Chinese, one removed
    // a "photo" drawn by the browser (a park at dawn), PNG bytes
    const photo = Buffer.from(
      await h5.page.evaluate(() => {
        const c = document.createElement('canvas');
        c.width = c.height = 320;
        const g = c.getContext('2d')!;
        const sky = g.createLinearGradient(0, 0, 0, 320);
        sky.addColorStop(0, '#ffd59e');
        sky.addColorStop(0.6, '#8fd3f4');
        g.fillStyle = sky;
        g.fillRect(0, 0, 320, 320);
        g.fillStyle = '#3c9d5d';
        g.fillRect(0, 230, 320, 90);
        g.fillStyle = '#f5a623';
        g.beginPath();
        g.arc(240, 90, 36, 0, Math.PI * 2);
        g.fill();
        return c.toDataURL('image/png').split(',')[1];
      }),
      'base64',
    );
    await h5.page.goto(`${h5.url}/#/packages/instructor/log?id=${first.id}`);
    await h5.page.reload();
    await h5.page.locator('.ins-photo__file').waitFor({ state: 'attached' });
    await h5.page.locator('.ins-log-content textarea').fill('今天带领大家练习二十四式太极拳起势至云手，讲解呼吸与重心。');
    await h5.page.locator('.ins-photo__file').setInputFiles([
      { name: '现场1.png', mimeType: 'image/png', buffer: photo },
      { name: '现场2.png', mimeType: 'image/png', buffer: photo },
      { name: '现场3.png', mimeType: 'image/png', buffer: photo },
    ]);
    await h5.page.locator('.ins-photo[data-photo-id]:not([data-photo-id=""])').nth(2).waitFor();
    await h5.page.locator('.ins-photo__remove').nth(1).click();
    expect(await h5.page.locator('.ins-photo[data-photo-id]:not([data-photo-id=""])').count()).toBe(2);
    await h5.page
      .locator('.ins-photo__file')
      .setInputFiles([{ name: '说明.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') }]);
    await h5.page.locator('.ins-photo-error').waitFor();
    expect(await h5.page.locator('.ins-photo-error').innerText()).toContain('仅支持 JPG、PNG、WebP 图片');
    await shot(`guidance-log-photos-${mode}.png`);
    if (on) {
      await h5.page.locator('.ins-log-submit').click();
      await h5.page.locator('.ins-log-done').waitFor();
      const detail = await stack.request('GET', `/guidance/sessions/${first.id}`, { token: citizen.token });
      expect(detail.body.session.status).toBe('delivered');
      expect(detail.body.log.photoIds).toHaveLength(2);
    }

    // an organisation asks for an instructor (the h5 location stand-in gives the place)
    await loginAs(h5, 'citizen-2');
    const place = north(first.place.location, 500);
    if (!on) {
      await h5.page.goto(`${h5.url}/#/packages/guidance/request?lat=${place.lat}&lng=${place.lng}&acc=10`);
      await h5.page.reload();
      await h5.page.locator('.gd-req-submit').click();
      await h5.page.locator('.form-field__error').first().waitFor();
      await h5.page.locator('.gd-req-org input').fill('沧浪街道双塔社区');
      await h5.page.locator('.gd-req-sport-taichi').click();
      await h5.page.locator('.gd-req-place input').fill('双塔社区活动中心');
      await h5.page.locator('.gd-req-address input').fill('姑苏区定慧寺巷28号');
      await h5.page.locator('.gd-req-locate').click();
      await h5.page.locator('.gd-req-size input').fill('25');
      await shot('guidance-request-form-normal.png');
      await h5.page.locator('.gd-req-submit').click();
      await h5.page.locator('.gd-request-detail').waitFor();
      expect(await h5.page.locator('.gd-request-status').innerText()).toContain('待匹配');
      await shot('guidance-request-open-normal.png');
      // the bureau's 指导员选配 lists it with the suggested instructors (free at that time, same district first)
      await loginAs(h5, 'admin');
      await h5.page.goto(`${h5.url}/#/packages/guidance/assign`);
      await h5.page.reload();
      await h5.page.locator('.gd-assign-candidate').first().waitFor();
      expect(await h5.page.locator('.gd-assign-request').first().innerText()).toContain('沧浪街道双塔社区');
      await shot('guidance-assign-normal.png');
    } else {
      // the bureau assigns the open request on 指导员选配; the organisation sees the instructor
      const org = await stack.login('demo-citizen-2');
      const req = (await stack.request('GET', '/guidance/requests/mine', { token: org.token })).body.items[0];
      await h5.page.reload(); // one login page in the DOM (the h5 router keeps the last one otherwise)
      await loginAs(h5, 'admin');
      await h5.page.goto(`${h5.url}/#/packages/guidance/assign`);
      await h5.page.reload();
      const card = h5.page.locator(`.gd-assign-request[data-request-id="${req.id}"]`);
      await card.locator('.gd-assign-candidate').first().waitFor();
      const chosen = (await card.locator('.gd-assign-candidate .gd-rank__name').first().innerText()).split(' · ')[0];
      await card.locator('.gd-assign-reason input').fill('同区就近安排');
      await shot('guidance-assign-elder.png');
      await card.locator('.gd-assign-btn').first().click();
      await h5.page.locator('.taro-model__confirm').click();
      await h5.page.locator('.gd-assign-request').waitFor({ state: 'detached' });
      const after = await stack.request('GET', `/guidance/requests/${req.id}`, { token: org.token });
      expect(after.body.request).toMatchObject({ status: 'assigned', assignedBy: 'bureau' });
      const suggestions = [{ name: chosen }];
      await loginAs(h5, 'citizen-2');
      await h5.page.goto(`${h5.url}/#/packages/guidance/requests`);
      await h5.page.reload();
      await h5.page.locator('.gd-request-card').first().waitFor();
      await shot('guidance-requests-elder.png');
      await h5.page.locator('.gd-request-card').first().click();
      await h5.page.locator('.gd-request-instructor').waitFor();
      expect(await h5.page.locator('.gd-request-instructor').innerText()).toContain(suggestions[0].name);
      await shot('guidance-request-assigned-elder.png');
    }
  },
  180_000,
);

test.each([false, true])(
  'a citizen rates the delivered session, the instructor replies, the reply shows on the public profile (关怀模式 %s)',
  async (on) => {
    const mode = on ? 'elder' : 'normal';
    if (!on) {
      // demo-citizen checked in and the log delivered the session (the tests above)
      const citizen = await stack.login('demo-citizen');
      const rated = await stack.request('POST', `/guidance/sessions/${first.id}/rating`, {
        token: citizen.token,
        body: { stars: 5, comment: '张老师讲解很耐心，动作示范清楚，下次还来。' },
      });
      expect(rated.status).toBe(201);
    }
    await loginAs(h5, 'instructor');
    await elder(on);
    await h5.page.goto(`${h5.url}/#/packages/instructor/ratings`);
    await h5.page.reload();
    await h5.page.locator('.ins-rating').first().waitFor();
    if (!on) {
      await shot('guidance-ratings-unreplied-normal.png');
      await h5.page.locator('.ins-reply-input textarea').first().fill('谢谢您的支持，下周同一时间继续练习后八式！');
      await h5.page.locator('.ins-reply-send').first().click();
      await h5.page.locator('.ins-rating .gd-rating__reply').first().waitFor();
    }
    expect(await h5.page.locator('.ins-rating').first().innerText()).toContain('已回复');
    await shot(`guidance-ratings-${mode}.png`);

    await loginAs(h5, 'citizen');
    await h5.page.goto(`${h5.url}/#/packages/guidance/session?id=${first.id}`);
    await h5.page.reload();
    await h5.page.locator('.gd-to-instructor').click();
    await h5.page.locator('.gd-rating__reply').first().waitFor();
    expect(await h5.page.locator('.gd-rating__reply').first().innerText()).toContain('下周同一时间继续练习后八式');
    expect(await h5.page.locator('.gd-profile__rating').innerText()).toContain('5分');
    await shot(`guidance-instructor-profile-${mode}.png`);
  },
  120_000,
);
