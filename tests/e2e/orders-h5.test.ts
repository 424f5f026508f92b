/// <reference lib="dom" />
/**
 * 我的订单, 订单详情, 电子发票 and the one cancel sheet (issue 10 items 6 and 8) in the h5 build,
 * headless Chromium, against the real cloud app, engine and WeChat Pay stand-in (e-invoice API
 * included) with the demo seed. Screenshots of each changed page, normal and 关怀模式.
 */
import { businessDay, isValidTaxId } from '@citysport/shared';
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
let citizen: { token: string; userId: string };
let booking: { id: string; orderId: string; slotIds: string[] };
let paidFen: number;
let batchId: string;
let venueNames: string[];

function taxId(body17: string): string {
  for (const c of '0123456789ABCDEFGHJKLMNPQRTUWXY') if (isValidTaxId(body17 + c)) return body17 + c;
  throw new Error('no check character');
}

beforeAll(async () => {
  stack = await startTestStack('e2e-orders', { clock, wechatPay: { signMode: 'public_key' } });
  const seeded = await seedDemoData(stack.cloud.services);
  citizen = await stack.login('demo-citizen');
  // a paid two-hour evening booking of one court
  const venueId = seeded.venueIds[1];
  const { items } = (await stack.request('GET', `/venues/${venueId}/slots?date=${tomorrow}&sport=badminton`)).body;
  const at = (h: number) => new Date(`${tomorrow}T${h}:00:00+08:00`).getTime();
  type S = { id: string; resourceId: string; startAt: string; remaining: number };
  const open = (items as S[]).filter((s) => s.remaining > 0);
  const first = open.find(
    (s) => Date.parse(s.startAt) === at(19) && open.some((t) => t.resourceId === s.resourceId && Date.parse(t.startAt) === at(20)),
  )!;
  const second = open.find((t) => t.resourceId === first.resourceId && Date.parse(t.startAt) === at(20))!;
  const res = await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [first.id, second.id] } });
  expect(res.status).toBe(201);
  booking = { ...res.body.booking, slotIds: [first.id, second.id] };
  await payAndConfirm(stack, citizen.token, booking.orderId);
  paidFen = (await stack.request('GET', `/orders/${booking.orderId}`, { token: citizen.token })).body.order.payableFen;
  // a voucher for two named venues, three per person; the citizen has claimed one
  const admin = await stack.login('demo-admin');
  const venues = (await stack.request('GET', '/venues')).body.items as { id: string; name: string }[];
  venueNames = [venues[0].name, venues[1].name];
  const created = await stack.request('POST', '/admin/voucher-batches', {
    token: admin.token,
    body: {
      name: '冬季羽毛球消费券',
      kind: 'amount',
      faceFen: 1000,
      minSpendFen: 5000,
      venueIds: [venues[0].id, venues[1].id],
      validFrom: new Date(NOW.getTime() - 3600_000).toISOString(),
      validTo: new Date(`${tomorrow}T23:59:00+08:00`).toISOString(),
      perPersonLimit: 3,
      total: 100,
    },
  });
  expect(created.status).toBe(201);
  batchId = created.body.batch.id;
  expect((await stack.request('POST', `/vouchers/batches/${batchId}/claim`, { token: citizen.token })).status).toBe(201);
  h5 = await openH5(stack, { fixedTime: NOW });
  await loginAs(h5, 'citizen');
}, 180_000);

afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

async function elder(on: boolean) {
  await h5.page.evaluate((v) => localStorage.setItem('cs.elder', JSON.stringify({ data: v })), on ? '1' : '0');
  await h5.page.reload();
  if (on) await h5.page.locator('.elder').first().waitFor();
}

/** the same page in both modes */
async function bothModes(url: string, ready: string, name: string) {
  await h5.page.goto(url);
  await h5.page.locator(ready).first().waitFor();
  await h5.shot(`orders-${name}.png`, true);
  await elder(true);
  await h5.page.locator(ready).first().waitFor();
  await h5.shot(`orders-${name}-elder.png`, true);
  await elder(false);
}

test('我的订单 has status tabs; 已支付 lists the paid order, 待支付 does not', async () => {
  await h5.page.goto(`${h5.url}/#/packages/pay/orders`);
  await h5.page.locator('.orders-tab:visible', { hasText: '已支付' }).click();
  const card = h5.page.locator(`.order-card[data-id="${booking.orderId}"]:visible`);
  await card.waitFor();
  expect(await card.getAttribute('data-status')).toBe('paid');
  await h5.page.locator('.orders-tab:visible', { hasText: '待支付' }).click();
  await h5.page.locator('.order-card:visible, .state-view:visible').first().waitFor();
  expect(await h5.page.locator(`.order-card[data-id="${booking.orderId}"]:visible`).count()).toBe(0);
  await bothModes(`${h5.url}/#/packages/pay/orders`, `.order-card[data-id="${booking.orderId}"]`, 'list');
});

test('订单详情 shows items, 原价 / 实付, the progress, and the invoice requested then shown issued with its PDF', async () => {
  const url = `${h5.url}/#/packages/pay/order?orderId=${booking.orderId}`;
  await bothModes(url, '.order-invoice-apply', 'detail');
  await h5.page.goto(url);
  expect(await h5.page.locator('.order-detail__payable:visible').textContent()).toContain((paidFen / 100).toFixed(2));
  expect(await h5.page.locator('.order-timeline__step:visible').count()).toBeGreaterThanOrEqual(2);
  await h5.page.locator('.order-invoice-apply:visible').click();
  await h5.page.locator('.invoice-type--company:visible').click();
  await h5.page.locator('.invoice-title:visible input, input.invoice-title:visible').first().fill('苏州市某某科技有限公司');
  await h5.page.locator('.invoice-taxid:visible input, input.invoice-taxid:visible').first().fill('91320508MA1N8TQK00');
  await h5.page.locator('.invoice-email:visible input, input.invoice-email:visible').first().fill('finance@example.com');
  await h5.page.locator('.invoice-submit:visible').click();
  // a wrong check character is named before anything is sent
  expect(await h5.page.locator('.form-field__error:visible').first().textContent()).toContain('税号');
  await h5.shot('orders-invoice-sheet.png');
  await h5.page.locator('.invoice-taxid:visible input, input.invoice-taxid:visible').first().fill(taxId('91320508MA1N8TQK0'));
  const sent = h5.page.waitForResponse(
    (r) => r.url().endsWith(`/api/v1/orders/${booking.orderId}/invoice`) && r.request().method() === 'POST',
  );
  await h5.page.locator('.invoice-submit:visible').click();
  expect((await sent).status()).toBe(201);
  await h5.page.locator('.order-invoice[data-invoice="issuing"]:visible').waitFor();
  // WeChat issues it; the job finds it issued
  await stack.cloud.services.payment!.invoices.runJob();
  await bothModes(url, '.order-invoice-pdf', 'invoice-issued');
  expect(await h5.page.locator('.invoice-number:visible').textContent()).toMatch(/^\d{8}$/);
  expect(await h5.page.locator('.order-invoice:visible').textContent()).toContain('9132************');
});

test('the one cancel sheet shows the refund amount and cancels the last hour of the two', async () => {
  const url = `${h5.url}/#/packages/pay/order?orderId=${booking.orderId}`;
  await h5.page.goto(url);
  await h5.page.locator('.order-detail-cancel:visible').click();
  const quote = h5.page.locator('.cancel-sheet__quote:visible');
  await quote.waitFor();
  expect(Number(await quote.getAttribute('data-refund'))).toBe(paidFen);
  expect(await h5.page.locator('.cancel-arrives:visible').textContent()).toContain('原路');
  await h5.shot('orders-cancel-sheet.png');
  await h5.page.locator('.cancel-part[data-part="last-1"]:visible').click();
  await h5.page.waitForFunction(
    (fen) => document.querySelector('.cancel-sheet__quote')?.getAttribute('data-refund') === String(fen),
    paidFen / 2,
  );
  await elder(true);
  await h5.page.locator('.order-detail-cancel:visible').click();
  await h5.page.locator('.cancel-part[data-part="last-1"]:visible').click();
  await h5.page.waitForFunction(
    (fen) => document.querySelector('.cancel-sheet__quote')?.getAttribute('data-refund') === String(fen),
    paidFen / 2,
  );
  await h5.shot('orders-cancel-sheet-elder.png');
  const cancelled = h5.page.waitForResponse((r) => r.url().endsWith(`/api/v1/bookings/${booking.id}/cancel`));
  await h5.page.locator('.cancel-submit:visible').click();
  expect((await cancelled).status()).toBe(200);
  await elder(false);
  const after = (await stack.request('GET', `/bookings/${booking.id}`, { token: citizen.token })).body.booking;
  expect(after.status).toBe('confirmed');
  expect(after.slotIds).toEqual([booking.slotIds[0]]);
  const order = (await stack.request('GET', `/orders/${booking.orderId}`, { token: citizen.token })).body.order;
  expect(order.refundedFen).toBe(paidFen / 2);
});

test('coupons: a readable title, the venues by name, the exact expiry minute, 已领 n 张; the pay sheet links to 领券中心', async () => {
  const url = `${h5.url}/#/packages/pay/vouchers?tab=claim`;
  await bothModes(url, `.batch-card[data-id="${batchId}"]`, 'vouchers-claim');
  await h5.page.goto(url);
  const card = h5.page.locator(`.batch-card[data-id="${batchId}"]:visible`);
  await card.waitFor();
  const text = (await card.textContent()) ?? '';
  expect(text).toContain('满50减10元');
  expect(text).toContain(`限${venueNames.join('、')}使用`);
  expect(text).toContain(`有效期至 ${tomorrow.replace(/-/g, '.')} 23:59`);
  expect(await card.locator('.batch-claimed').textContent()).toBe('已领 1 张（限3张）');
  // the pay page's voucher sheet leads to 领券中心
  const v = (await stack.request('GET', '/venues')).body.items[0];
  const slots = (await stack.request('GET', `/venues/${v.id}/slots?date=${tomorrow}`)).body.items as {
    id: string;
    remaining: number;
    priceFen: number;
  }[];
  const slot = slots.find((s) => s.remaining > 0 && s.priceFen > 0)!;
  const held = (await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [slot.id] } })).body.booking;
  await h5.page.goto(`${h5.url}/#/packages/pay/index?orderId=${held.orderId}`);
  await h5.page.locator('.pay-voucher-row:visible').click();
  await h5.page.locator('.voucher-sheet__claim:visible').waitFor();
  await h5.shot('orders-voucher-sheet.png');
  await h5.page.locator('.voucher-sheet__claim:visible').click();
  await h5.page.waitForURL(/#\/packages\/pay\/vouchers\?tab=claim/);
  await h5.page.locator(`.batch-card[data-id="${batchId}"]:visible`).waitFor();
});
