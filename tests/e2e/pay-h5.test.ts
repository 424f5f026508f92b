/// <reference lib="dom" />
/**
 * Paying in the h5 build: the claim centre, the pay page with a consumption voucher, the
 * development stand-in's "模拟支付", and a result page that waits for the server's word.
 */
import { seedDemoData } from '../../mock/src/seed/seed';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';
import { daysAhead } from '../support/venue-fixture';
import { ManualClock } from '../../cloud/src/platform/clock';

const clock = new ManualClock(new Date());
let stack: TestStack;
let h5: H5Session;
let batchId: string;

beforeAll(async () => {
  stack = await startTestStack('e2e-pay', { clock, wechatPay: { signMode: 'public_key' } });
  await seedDemoData(stack.cloud.services);
  const admin = await stack.login('demo-admin');
  const created = await stack.request('POST', '/admin/voucher-batches', {
    token: admin.token,
    body: {
      name: '苏州全民健身消费券',
      kind: 'amount',
      faceFen: 1000,
      minSpendFen: 3000,
      validFrom: new Date(Date.now() - 3600_000).toISOString(),
      validTo: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      total: 200,
    },
  });
  batchId = created.body.batch.id;
  h5 = await openH5(stack);
  await loginAs(h5, 'citizen');
}, 120_000);

afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

test('a citizen claims a voucher, pays a booking with it through the stand-in, and sees 支付成功', async () => {
  const { page } = h5;
  await page.goto(`${h5.url}/#/packages/pay/vouchers?tab=claim`);
  const card = page.locator(`.batch-card[data-id="${batchId}"]:visible`);
  await card.waitFor();
  const claimed = page.waitForResponse((r) => r.url().endsWith(`/vouchers/batches/${batchId}/claim`));
  await card.locator('.batch-claim').click();
  expect((await claimed).status()).toBe(201);
  await h5.shot('vouchers.png');

  // a paid court booking (40.00) made through the API, then paid on the page
  const citizen = await stack.login('demo-citizen');
  const venues = (await stack.request('GET', '/venues?sport=badminton')).body.items;
  const olympic = venues.find((v: { name: string }) => v.name === '苏州奥林匹克体育中心');
  const slots = (await stack.request('GET', `/venues/${olympic.id}/slots?date=${daysAhead(clock, 2)}&sport=badminton`)).body.items;
  const slot = slots.find((s: { status: string; priceFen: number }) => s.status === 'open' && s.priceFen >= 3000);
  const booking = (await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [slot.id] } })).body.booking;

  await page.goto(`${h5.url}/#/packages/pay/index?orderId=${booking.orderId}`);
  await page.locator('.pay-voucher-value--on:visible').waitFor(); // the best voucher is offered once the list arrives
  const payable = (await page.locator('.pay-payable:visible').textContent()) ?? '';
  expect(payable).toContain(((booking.amountFen - 1000) / 100).toFixed(2)); // the voucher was picked
  await h5.shot('pay-confirm.png');

  const paid = page.waitForResponse((r) => r.url().endsWith(`/orders/${booking.orderId}/pay`));
  await page.locator('.pay-submit:visible').click();
  expect((await paid).status()).toBe(200);
  await page.locator('.mock-pay-confirm:visible').click();
  await page.waitForURL(/#\/packages\/pay\/result/);
  await page.locator('.pay-result--success:visible').waitFor({ timeout: 20_000 });
  await h5.shot('pay-result.png');

  const order = (await stack.request('GET', `/orders/${booking.orderId}`, { token: citizen.token })).body.order;
  expect(order).toMatchObject({ status: 'paid', discountFen: 1000, payableFen: booking.amountFen - 1000 });
  expect(stack.mock.wechatPay!.state.transaction(`CS${booking.orderId}`)!.transaction.amount.total).toBe(booking.amountFen - 1000);
  expect((await stack.request('GET', `/bookings/${booking.id}`, { token: citizen.token })).body.booking.status).toBe('confirmed');

  await page.goto(`${h5.url}/#/packages/pay/orders`);
  await page.locator(`.order-card[data-id="${booking.orderId}"]:visible`).waitFor();
  expect(await page.locator(`.order-card[data-id="${booking.orderId}"]:visible`).getAttribute('data-status')).toBe('paid');
  await h5.shot('orders.png');
});
