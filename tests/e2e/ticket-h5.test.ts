/// <reference lib="dom" />
/**
 * The ticket and the gate in the h5 build against the real API: the citizen's rotating QR code,
 * then a staff account entering that code by hand (h5 has no camera) — admitted once, refused twice.
 */
import { businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { readQrCode } from '../support/qr';
import { startTestStack, type TestStack } from '../support/stack';

const tomorrow = businessDay(new Date(Date.now() + 86_400_000));
const NOW = new Date(`${tomorrow}T08:50:00+08:00`); // ten minutes before the 09:00 class
const clock = new ManualClock(NOW);
let stack: TestStack;
let h5: H5Session;
let venueId: string;
/** seat 1: its QR is read off the page and scanned; seat 2: its code is typed in at the staff page */
let ticketId: string;
let secondTicketId: string;
let citizenToken: string;

beforeAll(async () => {
  stack = await startTestStack('e2e-ticket', { clock });
  const seeded = await seedDemoData(stack.cloud.services);
  venueId = seeded.venueIds[3]; // 吴中区全民健身中心: free 09:00 class
  const citizen = await stack.login('demo-citizen');
  citizenToken = citizen.token;
  const slots = (await stack.request('GET', `/venues/${venueId}/slots?date=${tomorrow}&sport=fitness`)).body.items;
  const nine = slots.find((s: { startAt: string }) => s.startAt === new Date(`${tomorrow}T09:00:00+08:00`).toISOString());
  const booked = await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [nine.id], quantity: 2 } });
  expect(booked.status).toBe(201);
  // the booking's own tickets (the demo citizen holds others: a seeded course's lessons)
  const tickets = (await stack.request('GET', '/tickets/mine', { token: citizen.token })).body.items.filter(
    (t: { bookingId: string | null }) => t.bookingId === booked.body.booking.id,
  );
  expect(tickets.map((t: { seat: number }) => t.seat)).toEqual([1, 2]);
  [ticketId, secondTicketId] = tickets.map((t: { id: string }) => t.id);
  h5 = await openH5(stack, { fixedTime: NOW });
  await loginAs(h5, 'citizen');
}, 120_000);

afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

test('the ticket shows a QR code that the gate admits, the masked holder and a live clock', async () => {
  await h5.page.goto(`${h5.url}/#/packages/ticket/detail?id=${ticketId}`);
  await h5.page.locator('.ticket-qr:visible').waitFor();
  expect(await h5.page.locator('.ticket-holder:visible').textContent()).toContain('王**');
  expect(await h5.page.locator('.ticket-clock:visible').textContent()).toMatch(/\d{2}:\d{2}:\d{2}/);
  expect(await h5.page.locator('.ticket-screenshot-note:visible').textContent()).toContain('截图');
  await h5.shot('ticket.png');

  // the code a gate camera reads off this page, not the one the API would hand a test
  const shown = await readQrCode(h5.page, '.ticket-qr-box:visible');
  expect(shown).toMatch(/^CS1\./);
  const staff = await stack.login('demo-staff');
  const scanned = await stack.request('POST', '/verifications', { token: staff.token, body: { code: shown, venueId } });
  expect([scanned.status, scanned.body.result, scanned.body.ticket?.id]).toEqual([200, 'admitted', ticketId]);
  const again = await stack.request('POST', '/verifications', { token: staff.token, body: { code: shown, venueId } });
  expect([again.status, again.body.error?.code]).toEqual([409, 'TICKET_ALREADY_USED']);
});

test('staff enter the code at the gate: admitted once, then refused as already used', async () => {
  const { code } = (await stack.request('GET', `/tickets/${secondTicketId}/code`, { token: citizenToken })).body;
  await loginAs(h5, 'staff');
  await h5.page.goto(`${h5.url}/#/packages/staff/index`);
  await h5.page.locator(`.staff-venue-chip[data-id="${venueId}"]:visible`).click();
  const scan = async () => {
    await h5.page.locator('.staff-code-input textarea:visible').fill(code);
    const answered = h5.page.waitForResponse((r) => r.url().endsWith('/api/v1/verifications'));
    await h5.page.locator('.staff-scan-button:visible').click();
    return (await answered).status();
  };
  expect(await scan()).toBe(200);
  await h5.page.locator('.verify-result--admitted:visible').waitFor();
  expect(await h5.page.locator('.verify-result--admitted:visible').textContent()).toContain('王**');
  await h5.shot('staff-admitted.png');
  await h5.page.locator('.verify-result-next:visible').click();
  expect(await scan()).toBe(409);
  await h5.page.locator('.verify-result--rejected:visible').waitFor();
  expect(await h5.page.locator('.verify-result--rejected:visible').getAttribute('data-code')).toBe('already_used');
  await h5.shot('staff-rejected.png');
  const tickets = (await stack.request('GET', '/tickets/mine', { token: citizenToken })).body.items.filter((t: { id: string }) =>
    [ticketId, secondTicketId].includes(t.id),
  );
  expect(tickets.map((t: { id: string; status: string }) => [t.id, t.status])).toEqual([
    [ticketId, 'used'],
    [secondTicketId, 'used'],
  ]);
  const booking = (await stack.request('GET', '/bookings/mine', { token: citizenToken })).body.items[0];
  expect(booking.status).toBe('used');
});
