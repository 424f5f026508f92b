/** Daily reconciliation against the stand-in's trade bill finds seeded mismatches. */
import { businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack('reconcile', { clock, wechatPay: { signMode: 'platform_certificate' } });
}, 60_000);
afterAll(() => stack.stop());

test('paid at WeChat but pending here is applied; a refund made outside is flagged; the admin reads the report', async () => {
  const admin = await stack.login('recon-admin');
  await grant(stack, admin.userId, 'admin');
  const v = await createTestVenue(stack, { name: '对账馆', courtPriceFen: 3000 });
  const day = daysAhead(clock, 2);
  const [a, b] = await slotsOf(v.courtId, day);
  const users = [await stack.login('recon-1'), await stack.login('recon-2')];
  const orders: string[] = [];
  for (const [i, slot] of [a, b].entries()) {
    const booking = (await stack.request('POST', '/bookings', { token: users[i].token, body: { slotIds: [slot.id] } })).body.booking;
    const paid = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: users[i].token, body: {} });
    const prepayId = String(paid.body.payParams.package).replace('prepay_id=', '');
    // seeded mismatch 1: the user paid but no notification ever reached us
    await fetch(`${stack.mock.url}/mock/pay/${prepayId}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ notify: i === 1 }),
    });
    orders.push(booking.orderId);
  }
  // seeded mismatch 2: a refund made in the merchant platform, outside CitySport
  await new Promise((r) => setTimeout(r, 300));
  await fetch(`${stack.mock.url}/mock/pay/transactions/CS${orders[1]}/refund-outside`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amountFen: 1000 }),
  });
  expect((await stack.request('GET', `/orders/${orders[0]}`, { token: users[0].token })).body.order.status).toBe('pending');

  const date = businessDay(clock.now());
  const run = await stack.request('POST', `/admin/reconciliation/${date}/run`, { token: admin.token, body: {} });
  expect(run.status).toBe(200);
  const kinds = run.body.report.items.map((i: { outTradeNo: string; kind: string }) => [i.outTradeNo, i.kind]);
  expect(kinds).toEqual(
    expect.arrayContaining([
      [`CS${orders[0]}`, 'applied_payment'],
      [`CS${orders[1]}`, 'refund_unknown_here'],
    ]),
  );
  expect((await stack.request('GET', `/orders/${orders[0]}`, { token: users[0].token })).body.order.status).toBe('paid');

  const read = await stack.request('GET', `/admin/reconciliation/${date}`, { token: admin.token });
  expect(read.body.report.items).toHaveLength(run.body.report.items.length);
  // a second run finds the payment already applied: only the outside refund is left to read about
  const again = await stack.request('POST', `/admin/reconciliation/${date}/run`, { token: admin.token, body: {} });
  expect(again.body.report.items.map((i: { kind: string }) => i.kind)).toEqual(['refund_unknown_here']);
  expect((await stack.request('GET', `/admin/reconciliation/${date}`, { token: users[0].token })).status).toBe(403);
  for (const bad of ['2026-13-45x', 'yesterday', '%7B%22%24gt%22%3A%22%22%7D']) {
    const res = await stack.request('GET', `/admin/reconciliation/${bad}`, { token: admin.token });
    expect([bad, res.status, res.body.error.code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
  }
  expect((await stack.request('GET', '/admin/reconciliation/2020-01-01', { token: admin.token })).status).toBe(404);
  // a day to come has no bill: a refusal of ours, not WeChat's 4xx passed on as a 502 (found by the fuzz)
  const tomorrow = businessDay(new Date(clock.now().getTime() + 86_400_000));
  const future = await stack.request('POST', `/admin/reconciliation/${tomorrow}/run`, { token: admin.token, body: {} });
  expect([future.status, future.body.error.code]).toEqual([422, 'RECONCILIATION_DAY_IN_FUTURE']);
});
