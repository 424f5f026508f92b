/**
 * 电子发票 (issue 10 item 8): an invoice on a paid order, issued through WeChat Pay's e-invoice
 * API — the real client against the stand-in (signed requests and answers). One per order (a race
 * shown with a control run first), the owner only, bad input refused with nothing written, a crash
 * between recording the request and asking WeChat healed by the sweeper, and a refund after the
 * invoice reversing it (红冲).
 */
import mongoose from 'mongoose';
import { isValidTaxId } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { startTestStack, type TestStack } from '../support/stack';
import { payAndConfirm, until } from '../support/pay';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

jest.setTimeout(120_000);

const clock = new ManualClock(new Date());
const crashes = new CrashSwitch();
let stack: TestStack;
let control: TestStack;
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);

/** a 统一社会信用代码 with its right check character */
function taxId(body17: string): string {
  for (const c of '0123456789ABCDEFGHJKLMNPQRTUWXY') if (isValidTaxId(body17 + c)) return body17 + c;
  throw new Error('no check character');
}
const COMPANY_TAX_ID = taxId('91320508MA1N8TQK0');

beforeAll(async () => {
  stack = await startTestStack('invoices', { clock, appDeps: { crashes }, wechatPay: { signMode: 'platform_certificate' } });
  control = await startTestStack('invoices-control', {
    clock,
    reuseConnection: true,
    appDeps: { controlRunWithoutGuards: true },
    wechatPay: { signMode: 'public_key' },
  });
}, 120_000);
afterAll(async () => {
  await control.stop();
  await stack.stop();
});
afterEach(() => crashes.disarm());

let seq = 0;
/** A paid booking of two hours at 40 元 (8000 fen). */
async function paidOrder(on: TestStack = stack, tag = 'inv') {
  const v = await createTestVenue(on, { name: `发票馆-${tag}-${seq++}`, courtPriceFen: 4000 });
  const user = await on.login(`invoice-${tag}-${seq}`);
  const [a, b] = await slotsOf(v.courtId, daysAhead(clock, 2));
  const res = await on.request('POST', '/bookings', { token: user.token, body: { slotIds: [a.id, b.id] } });
  expect(res.status).toBe(201);
  const booking = res.body.booking as { id: string; orderId: string };
  await payAndConfirm(on, user.token, booking.orderId);
  await until(async () => (await on.request('GET', `/bookings/${booking.id}`, { token: user.token })).body.booking.status === 'confirmed');
  return { user, booking, orderId: booking.orderId };
}

const company = { buyerType: 'company', title: '苏州市某某科技有限公司', taxId: COMPANY_TAX_ID, email: 'finance@example.com' };
const person = { buyerType: 'person', title: '张三', email: 'zhangsan@example.com' };
const invoicesOf = (orderId: string) =>
  db()
    .collection('invoices')
    .find({ orderId: oid(orderId) })
    .toArray();
const fapiaoAtWechat = (on: TestStack, applyIds: string[]) =>
  on.mock.wechatPay!.state.fapiao.filter((a) => applyIds.includes(a.fapiao_apply_id));

test('happy path: a company invoice is recorded, issued by WeChat (asynchronously), shown masked, and its PDF opens for the owner only', async () => {
  const { user, orderId } = await paidOrder();
  const res = await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: company });
  expect(res.status).toBe(201);
  expect(res.body.invoice).toMatchObject({ status: 'issuing', amountFen: 8000, buyerType: 'company', title: company.title, pdfUrl: null });
  expect(res.body.invoice.taxIdMasked).toBe(`${COMPANY_TAX_ID.slice(0, 4)}************${COMPANY_TAX_ID.slice(-2)}`);
  expect(res.body.invoice.emailMasked).toBe('f***@example.com');

  // stored sealed: neither the 税号 nor the e-mail is readable in the database
  const [doc] = await invoicesOf(orderId);
  expect(JSON.stringify(doc)).not.toContain(COMPANY_TAX_ID);
  expect(JSON.stringify(doc)).not.toContain('finance@example.com');
  // WeChat got the real buyer (decrypted for it only)
  const [app] = fapiaoAtWechat(stack, [doc.applyId]);
  expect(app.buyer).toEqual({ type: 'ORGANIZATION', name: company.title, taxpayer_id: COMPANY_TAX_ID, email: 'finance@example.com' });
  expect(app.fapiao[0].total_amount).toBe(8000);

  // the job asks WeChat and finds it issued
  await stack.cloud.services.payment!.invoices.runJob();
  const shown = (await stack.request('GET', `/orders/${orderId}/invoice`, { token: user.token })).body.invoice;
  expect(shown).toMatchObject({ status: 'issued', fapiaoNumber: app.fapiao[0].fapiao_number ?? expect.any(String) });
  expect(shown.pdfUrl).toMatch(/^\/invoices\/[0-9a-f]{24}\/pdf\?exp=\d+&sig=/);

  const pdf = await fetch(`${stack.url}/api/v1${shown.pdfUrl}`);
  expect(pdf.status).toBe(200);
  expect(pdf.headers.get('content-type')).toContain('application/pdf');
  expect(
    Buffer.from(await pdf.arrayBuffer())
      .subarray(0, 5)
      .toString(),
  ).toBe('%PDF-');
  // a forged or expired link opens nothing
  expect((await fetch(`${stack.url}/api/v1${shown.pdfUrl.replace(/sig=./, 'sig=A')}`)).status).toBe(404);
  const other = await stack.login('invoice-stranger');
  expect((await stack.request('GET', `/orders/${orderId}/invoice`, { token: other.token })).status).toBe(404);
  expect((await stack.request('POST', `/orders/${orderId}/invoice`, { token: other.token, body: person })).status).toBe(404);
  clock.advance(11 * 60_000);
  expect((await fetch(`${stack.url}/api/v1${shown.pdfUrl}`)).status).toBe(404);

  // audited, without the personal fields
  const audit = await db().collection('audit_log').find({ action: 'invoice.request', 'details.orderId': orderId }).toArray();
  expect(audit).toHaveLength(1);
  expect(JSON.stringify(audit)).not.toContain(COMPANY_TAX_ID);
  // a second request: 409 with the stable code
  const again = await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: person });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('INVOICE_EXISTS');
});

test('an Idempotency-Key retry answers the first invoice; the same key with another body is refused', async () => {
  const { user, orderId } = await paidOrder();
  const headers = { 'idempotency-key': 'invoice-retry-0001' };
  const first = await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: person, headers });
  const retry = await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: person, headers });
  expect(first.status).toBe(201);
  expect(retry.status).toBe(201);
  expect(retry.body.invoice.id).toBe(first.body.invoice.id);
  expect(retry.headers.get('idempotent-replayed')).toBe('true');
  const reused = await stack.request('POST', `/orders/${orderId}/invoice`, {
    token: user.token,
    body: { ...person, title: '李四' },
    headers,
  });
  expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  expect((await invoicesOf(orderId)).filter((i) => i.status !== 'void')).toHaveLength(1);
  // the stored request hash is keyed: not a plain hash anyone could recompute from a name and an e-mail
  const claim = await db()
    .collection('idempotency_claims')
    .findOne({ _id: `order.invoice:${user.userId}:invoice-retry-0001` as never });
  expect(JSON.stringify(claim)).not.toContain('zhangsan@example.com');
});

test('bad input: wrong types, missing fields, huge strings, $-operators, bad 税号, other users and unpaid orders → 4xx, nothing written', async () => {
  const { user, orderId } = await paidOrder();
  const before = await db().collection('invoices').countDocuments();
  const bodies: unknown[] = [
    undefined,
    {},
    { ...company, buyerType: 'government' },
    { ...company, taxId: undefined },
    { ...company, taxId: '91320508MA1N8TQK00' }, // wrong check character
    { ...company, taxId: COMPANY_TAX_ID.replace(/^9/, 'I') }, // I is not in the code's alphabet
    { ...person, taxId: COMPANY_TAX_ID },
    { ...person, email: 'not-an-email' },
    { ...person, email: { $ne: null } },
    { ...person, title: { $gt: '' } },
    { ...person, buyerType: { $in: ['person'] } },
    { ...person, title: '张'.repeat(5000) },
    { ...person, title: 12345 },
    { ...person, title: 'a\u0000b' },
    { ...person, extra: true },
    { ...person, $where: 'sleep(1000)' },
    [person],
    'person',
  ];
  for (const body of bodies) {
    const res = await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body });
    expect([400, 422]).toContain(res.status);
    expect(res.body.error.code).toBeDefined();
  }
  // ids that are not ids, someone else's order, no token
  for (const path of ['/orders/%24ne/invoice', '/orders/000000000000000000000000/invoice', `/orders/${orderId}x/invoice`]) {
    const res = await stack.request('POST', path, { token: user.token, body: person });
    expect([400, 404]).toContain(res.status);
  }
  const stranger = await stack.login('invoice-bad-stranger');
  expect((await stack.request('POST', `/orders/${orderId}/invoice`, { token: stranger.token, body: person })).status).toBe(404);
  expect((await stack.request('POST', `/orders/${orderId}/invoice`, { body: person })).status).toBe(401);
  // the PDF route with a hostile query
  for (const q of ['?exp=abc&sig=xxxxxxxxxxxx', '?exp[$gt]=0&sig=xxxxxxxxxxxx', '', `?exp=${'9'.repeat(30)}&sig=${'a'.repeat(500)}`]) {
    const res = await fetch(`${stack.url}/api/v1/invoices/${orderId}/pdf${q}`);
    expect([400, 404]).toContain(res.status);
  }
  expect(await db().collection('invoices').countDocuments()).toBe(before);

  // an unpaid order: 422, nothing written
  const v = await createTestVenue(stack, { name: `发票未付馆-${seq++}`, courtPriceFen: 4000 });
  const [slot] = await slotsOf(v.courtId, daysAhead(clock, 3));
  const held = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } });
  const unpaid = await stack.request('POST', `/orders/${held.body.booking.orderId}/invoice`, { token: user.token, body: person });
  expect(unpaid.status).toBe(422);
  expect(unpaid.body.error.code).toBe('INVOICE_NOT_ALLOWED');
  expect(await db().collection('invoices').countDocuments()).toBe(before);
});

test('duplicate requests race: without the guard (control run) one order gets several invoices; with it exactly one, the rest 409', async () => {
  const N = 30;
  const fire = async (on: TestStack, tag: string) => {
    const { user, orderId } = await paidOrder(on, tag);
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        on.request('POST', `/orders/${orderId}/invoice`, {
          token: user.token,
          body: person,
          headers: { 'idempotency-key': `race-${tag}-${i}` },
        }),
      ),
    );
    const live = (await invoicesOf(orderId)).filter((i) => !['void', 'claiming'].includes(i.status));
    return { results, live, orderId };
  };
  const unguarded = await fire(control, 'control');
  expect(unguarded.live.length).toBeGreaterThan(1); // the race exists
  expect(
    fapiaoAtWechat(
      control,
      unguarded.live.map((i) => i.applyId),
    ).length,
  ).toBeGreaterThan(1);

  const guarded = await fire(stack, 'guarded');
  expect(guarded.results.filter((r) => r.status === 201)).toHaveLength(1);
  const losers = guarded.results.filter((r) => r.status !== 201);
  expect(losers.every((r) => r.status === 409 && r.body.error.code === 'INVOICE_EXISTS')).toBe(true);
  expect(guarded.live).toHaveLength(1);
  expect(
    fapiaoAtWechat(
      stack,
      guarded.live.map((i) => i.applyId),
    ),
  ).toHaveLength(1);
  expect(
    (await db()
      .collection('orders')
      .findOne({ _id: oid(guarded.orderId) }))!.invoiceId,
  ).toEqual(guarded.live[0]._id);
});

test.each([
  ['invoice:recorded', 'after the request is recorded, before the order is claimed'],
  ['effects:payment.invoice:apply:before', 'after the order is claimed, before WeChat is asked'],
])('crash %s (%s): the sweeper finishes it — one invoice, issued once', async (point) => {
  const { user, orderId } = await paidOrder();
  crashes.arm(point);
  const res = await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: company });
  expect(res.status).toBe(500);
  expect(crashes.hits.at(-1)).toBe(point);
  const [left] = await invoicesOf(orderId);
  expect(left.pending).toContain('apply');
  expect(fapiaoAtWechat(stack, [left.applyId])).toHaveLength(0);

  // not yet stale: the sweeper leaves a request that may still be running
  await stack.cloud.services.payment!.invoices.runJob();
  expect(fapiaoAtWechat(stack, [left.applyId])).toHaveLength(0);
  clock.advance(31_000);
  const run = await stack.cloud.services.payment!.invoices.runJob();
  expect(run.swept.healed).toBeGreaterThanOrEqual(1);
  await stack.cloud.services.payment!.invoices.runJob();
  const healed = (await stack.request('GET', `/orders/${orderId}/invoice`, { token: user.token })).body.invoice;
  expect(healed).toMatchObject({ id: String(left._id), status: 'issued' });
  expect(fapiaoAtWechat(stack, [left.applyId])).toHaveLength(1);
  expect((await db().collection('invoices').findOne({ _id: left._id }))!.pending ?? []).toEqual([]);
  // a request now is the second one
  expect((await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: person })).body.error.code).toBe(
    'INVOICE_EXISTS',
  );
});

test('a refund after the invoice reverses it (红冲); a fully refunded order cannot be invoiced again', async () => {
  const { user, booking, orderId } = await paidOrder();
  await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: person });
  await stack.cloud.services.payment!.invoices.runJob();
  const issued = (await stack.request('GET', `/orders/${orderId}/invoice`, { token: user.token })).body.invoice;
  expect(issued.status).toBe('issued');

  const cancelled = await stack.request('POST', `/bookings/${booking.id}/cancel`, { token: user.token, body: { reason: '行程变更' } });
  expect(cancelled.status).toBe(200);
  await until(async () => (await stack.request('GET', `/orders/${orderId}`, { token: user.token })).body.order.status === 'refunded');
  expect((await stack.request('GET', `/orders/${orderId}/invoice`, { token: user.token })).body.invoice.status).toBe('reversing');
  clock.advance(60_000);
  await stack.cloud.services.payment!.invoices.runJob();
  const reversed = (await stack.request('GET', `/orders/${orderId}/invoice`, { token: user.token })).body.invoice;
  expect(reversed).toMatchObject({ status: 'reversed', reverseReason: '订单退款' });
  const [app] = fapiaoAtWechat(stack, [(await invoicesOf(orderId))[0].applyId]);
  expect(app.fapiao[0].status).toBe('REVERSED');
  const again = await stack.request('POST', `/orders/${orderId}/invoice`, { token: user.token, body: person });
  expect(again.status).toBe(422);
  expect(again.body.error.code).toBe('INVOICE_NOT_ALLOWED');
});
