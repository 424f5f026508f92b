/**
 * The club pages in the h5 build (headless Chromium) on the seeded demo data: the directory,
 * a club page, the club admin's requests/members and dues ledger, in normal and 关怀模式.
 * Screenshots go to .shots/ (not committed) to be looked at.
 */
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { inShanghai } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { payAndConfirm } from '../support/pay';

const SHOTS = path.resolve(__dirname, '../../.shots');
const clock = new ManualClock(new Date());
let stack: TestStack;
let h5: H5Session;
let runClub: string;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  stack = await startTestStack('e2e-clubs', { clock, wechatPay: { signMode: 'public_key' } });
  await seedDemoData(stack.cloud.services);
  const citizen = await stack.login('demo-citizen');
  const clubs = (await stack.request('GET', '/clubs?q=跑团')).body.items;
  runClub = clubs[0].id;
  // demo-citizen pays the 跑团's dues (a ledger row) and helps run it (club_admin for this club)
  const { orderId } = (await stack.request('POST', `/clubs/${runClub}/dues/pay`, { token: citizen.token, body: {} })).body;
  await payAndConfirm(stack, citizen.token, orderId);
  await grant(stack, citizen.userId, 'club_admin', runClub);
  // a court for a 跑团 activity: demo-citizen books a slot three days ahead and publishes the activity on it
  const day = inShanghai(new Date(clock.now().getTime() + 3 * 86_400_000)).format('YYYY-MM-DD');
  const slot = await mongoose.connection.db!.collection('slots').findOne({ day, sport: 'badminton', startAt: { $gt: clock.now() } });
  const booked = await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [String(slot!._id)] } });
  expect(booked.status).toBe(201);
  const court = await stack.request('POST', `/clubs/${runClub}/activities`, {
    token: citizen.token,
    body: {
      title: '跑后拉伸＋羽毛球',
      place: booked.body.booking.venueName,
      startAt: booked.body.booking.startAt,
      endAt: booked.body.booking.endAt,
      capacity: 4,
      membersOnly: false,
      booking: { bookingId: booked.body.booking.id },
    },
  });
  expect(court.status).toBe(201);
  const newcomer = await stack.login('club-e2e-newcomer');
  await stack.request('POST', `/clubs/${(await stack.request('GET', '/clubs?q=羽毛球')).body.items[0].id}/join`, {
    token: newcomer.token,
    body: { message: '<b>想</b>一起打球', phone: '13711112222' },
  });
  h5 = await openH5(stack);
  await loginAs(h5, 'citizen');
}, 180_000);

afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

async function open(route: string, ready: string) {
  await h5.page.goto(`${h5.url}/#/${route}`);
  await h5.page.locator(ready).first().waitFor();
}
const shot = (name: string) => h5.page.screenshot({ path: path.join(SHOTS, name), fullPage: true });

async function tour(mode: 'normal' | 'elder') {
  await open('packages/club/index', '.club-item');
  expect(await h5.page.locator('.club-item').count()).toBe(5);
  await shot(`club-${mode}-directory.png`);
  await h5.page.locator('.club-sport--taichi').click();
  await h5.page.waitForFunction(() => document.querySelectorAll('.club-item').length === 1);
  expect(await h5.page.locator('.club-item__name').first().textContent()).toContain('太极拳协会');

  await open(`packages/club/detail?id=${runClub}`, '.club-detail-name');
  expect(await h5.page.locator('.club-membership').count()).toBe(1);
  await shot(`club-${mode}-club-page.png`);

  await open(`packages/club/admin?id=${runClub}&tab=members`, '.club-member--member');
  // masked phones only
  const phones = await h5.page.locator('.club-member__phone').allTextContents();
  expect(phones.some((p) => /^1\d{2}\*{4}\d{4}$/.test(p))).toBe(true);
  await shot(`club-${mode}-members.png`);
  await open(`packages/club/admin?id=${runClub}&tab=dues`, '.club-ledger-row');
  await shot(`club-${mode}-dues-ledger.png`);
  // the activity's court (booking module): venue, court and time, linking to the venue
  await open(`packages/club/admin?id=${runClub}&tab=activities`, '.club-court');
  const courtLine = h5.page.locator('.club-admin-activity .club-court').first();
  expect((await courtLine.textContent()) ?? '').toContain('场地：');
  await courtLine.scrollIntoViewIfNeeded();
  await h5.page.screenshot({ path: path.join(SHOTS, `club-${mode}-activities.png`) });
}

test('directory, club page, members and dues ledger (normal mode)', async () => {
  await tour('normal');
}, 120_000);

test('the same pages in 关怀模式', async () => {
  await h5.page.goto(`${h5.url}/#/pages/me/index`);
  await h5.page.locator('.me-link--clubs').waitFor();
  await h5.page.locator('.elder-switch').click();
  await h5.page.locator('.me-page.elder').waitFor();
  await tour('elder');
  expect(await h5.page.locator('.club-admin.elder').count()).toBe(1);
}, 120_000);

test('a join request shows its message as text (HTML escaped), in the club admin’s requests', async () => {
  const badminton = (await stack.request('GET', '/clubs?q=羽毛球')).body.items[0].id;
  const founder = await stack.login('demo-club-member-2');
  expect((await stack.request('GET', `/clubs/${badminton}/members?status=requested`, { token: founder.token })).status).toBe(200);
  const citizen = await stack.login('demo-citizen');
  await grant(stack, citizen.userId, 'club_admin', badminton);
  await open(`packages/club/admin?id=${badminton}&tab=requests`, '.club-member--requested');
  const text = await h5.page.locator('.club-member--requested').allTextContents();
  expect(text.join('\n')).toContain('<b>想</b>一起打球');
  expect(await h5.page.locator('.club-member--requested b').count()).toBe(0);
  await shot('club-requests.png');
}, 120_000);
