/**
 * Walk-up sales (自助售票): a ticket for now, paid through the real WeChat Pay client against the
 * stand-in — JSAPI for a citizen's phone, Native (`code_url`, "scanned and paid") for a kiosk.
 * The day's places are a kernel capacity counter: a control run without the guards oversells, then
 * 100 concurrent purchases for the last 10 places make exactly 10 orders; unpaid ones go back by the sweeper.
 */
import mongoose from 'mongoose';
import { TicketListSchema } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { GateDevice } from '../../cloud/src/modules/gate/client/device-client';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue } from '../support/venue-fixture';
import { orderOf, payAndConfirm, until } from '../support/pay';

const clock = new ManualClock(new Date());
let stack: TestStack;
let control: TestStack;
let venue: Awaited<ReturnType<typeof createTestVenue>>;
let manager: { token: string; userId: string };
let users: { token: string; userId: string }[];
const db = () => mongoose.connection.db!;
/** counted by reading (this engine's countDocuments over two fields, one an ObjectId, answered the whole collection) */
const countOf = async (collection: string, filter: Record<string, unknown>) =>
  (await db().collection(collection).find(filter).toArray()).length;

beforeAll(async () => {
  stack = await startTestStack('gate-walkup', { clock, wechatPay: { signMode: 'public_key' } });
  control = await startTestStack('gate-walkup-control', {
    clock,
    reuseConnection: true,
    wechatPay: { signMode: 'public_key' },
    appDeps: { controlRunWithoutGuards: true },
  });
  venue = await createTestVenue(stack, { name: '自助售票馆' });
  manager = await stack.login('walkup-manager');
  await grant(stack, manager.userId, 'venue_manager', venue.venueId);
  users = await stack.loginMany('walkup-buyer', 100);
}, 180_000);
afterAll(async () => {
  await control.stop();
  await stack.stop();
});

async function product(dailyCapacity: number, name = '游泳 2 小时') {
  const res = await stack.request('POST', `/manage/venues/${venue.venueId}/walk-up-products`, {
    token: manager.token,
    body: { name, sport: 'swimming', durationMinutes: 120, priceFen: 1500, dailyCapacity },
  });
  expect(res.status).toBe(201);
  return res.body.product.id as string;
}
const buy = (target: TestStack, token: string, productId: string, native = false) =>
  target.request('POST', `/venues/${venue.venueId}/walk-up${native ? '?native=1' : ''}`, { token, body: { productId } });
const remaining = async (productId: string) =>
  (await stack.request('GET', `/venues/${venue.venueId}/walk-up`)).body.items.find((p: { id: string }) => p.id === productId).remaining;

test('only the venue manager adds walk-up products (audited); anyone sees them', async () => {
  const citizen = users[0];
  const res = await stack.request('POST', `/manage/venues/${venue.venueId}/walk-up-products`, {
    token: citizen.token,
    body: { name: '健身 1 小时', sport: 'fitness', durationMinutes: 60, priceFen: 1000, dailyCapacity: 5 },
  });
  expect(res.status).toBe(403);
  const id = await product(5, '健身 1 小时');
  expect(await remaining(id)).toBe(5);
  expect(await db().collection('audit_log').countDocuments({ action: 'walkup.product.create', 'details.productId': id })).toBe(1);
});

test('a citizen buys a ticket for now with JSAPI: paid → a ticket valid from now for 2 hours, admitted by a gate', async () => {
  const id = await product(5);
  const buyer = users[1];
  const res = await buy(stack, buyer.token, id);
  expect(res.status).toBe(201);
  expect(res.body.native).toBeNull();
  expect(await remaining(id)).toBe(4);
  await payAndConfirm(stack, buyer.token, res.body.orderId);
  await until(async () => (await stack.request('GET', '/tickets/mine', { token: buyer.token })).body.items.length === 1);
  const [ticket] = TicketListSchema.parse((await stack.request('GET', '/tickets/mine', { token: buyer.token })).body).items;
  expect(ticket.source).toEqual({ kind: 'walkup', id: res.body.purchaseId });
  expect(new Date(ticket.startAt).getTime()).toBe(clock.now().getTime());
  expect(new Date(ticket.endAt).getTime() - new Date(ticket.startAt).getTime()).toBe(120 * 60_000);
  const reg = await stack.request('POST', `/manage/venues/${venue.venueId}/devices`, {
    token: manager.token,
    body: { name: '1号', gate: '正门', direction: 'in' },
  });
  const device = await GateDevice.pair(`${stack.url}/api/v1`, reg.body.pairingCode, { now: () => clock.now() });
  const code = await stack.request('GET', `/tickets/${ticket.id}/code`, { token: buyer.token });
  expect((await device.scan(code.body.code)).open).toBe(true);
  expect(
    (await db()
      .collection('walkup_purchases')
      .findOne({ _id: new mongoose.Types.ObjectId(res.body.purchaseId) }))!.status,
  ).toBe('used');
});

test('a kiosk pays with WeChat Pay Native: the code_url is scanned and paid at the stand-in, signed notification, ticket issued', async () => {
  const id = await product(5);
  const kiosk = users[2];
  const res = await buy(stack, kiosk.token, id, true);
  expect(res.status).toBe(201);
  expect(res.body.native.codeUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
  expect((await orderOf(stack, kiosk.token, res.body.orderId)).status).toBe('pending');
  const scan = await fetch(`${stack.mock.url}/mock/pay/native/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ codeUrl: res.body.native.codeUrl, openid: 'walk-in-payer' }),
  });
  expect(scan.status).toBe(200);
  await until(async () => (await orderOf(stack, kiosk.token, res.body.orderId)).status === 'paid');
  await until(async () => (await countOf('tickets', { 'source.kind': 'walkup', 'source.id': res.body.purchaseId })) === 1);
  // a code_url that is not the stand-in's is refused by it
  const bad = await fetch(`${stack.mock.url}/mock/pay/native/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"codeUrl":"weixin://wxpay/bizpayurl?pr=nope"}',
  });
  expect(bad.status).toBe(404);
});

test('control run without the guards: 100 concurrent walk-up purchases for 10 places oversell', async () => {
  const id = await product(10, '游泳 对照');
  const results = await Promise.all(users.map((u) => buy(control, u.token, id)));
  const ok = results.filter((r) => r.status === 201).length;
  expect(ok).toBeGreaterThan(10);
});

test('100 concurrent walk-up purchases for the last 10 places → exactly 10; unpaid ones released by the sweeper', async () => {
  const id = await product(12);
  for (const u of users.slice(0, 2)) expect((await buy(stack, u.token, id)).status).toBe(201);
  expect(await remaining(id)).toBe(10);
  const results = await Promise.all(users.map((u) => buy(stack, u.token, id)));
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 201)).toHaveLength(10);
  expect(statuses.filter((s) => s !== 201).every((s) => s === 409)).toBe(true);
  expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'WALKUP_SOLD_OUT')).toBe(true);
  expect(await remaining(id)).toBe(0);
  expect(await countOf('walkup_purchases', { productId: new mongoose.Types.ObjectId(id), status: 'pending' })).toBe(12);
  // nobody pays: past the hold the sweeper closes the orders and gives the places back, once
  clock.advance(11 * 60_000);
  const job = stack.cloud.jobs.find((j) => j.name === 'walkup-expire')!;
  await job.run();
  await job.run();
  expect(await remaining(id)).toBe(12);
  // the 12 unpaid and the 90 refused at the door
  expect(await countOf('walkup_purchases', { productId: new mongoose.Types.ObjectId(id), status: 'released' })).toBe(102);
  expect(await countOf('walkup_purchases', { productId: new mongoose.Types.ObjectId(id), status: 'pending' })).toBe(0);
  const buyer = results.find((r) => r.status === 201)!;
  const owner = users[statuses.indexOf(201)];
  expect((await orderOf(stack, owner.token, buyer.body.orderId)).status).toBe('closed');
}, 120_000);

test('100 concurrent walk-up purchases for the last 10 places, all 10 paid → exactly 10 tickets; the earlier unpaid ones released by the sweeper', async () => {
  const id = await product(13, '游泳 售罄');
  const early = [];
  for (const u of users.slice(0, 3)) {
    const r = await buy(stack, u.token, id);
    expect(r.status).toBe(201);
    early.push(r.body.purchaseId as string);
  }
  expect(await remaining(id)).toBe(10);
  const results = await Promise.all(users.map((u) => buy(stack, u.token, id)));
  const won = results.flatMap((r, i) =>
    r.status === 201 ? [{ owner: users[i], orderId: r.body.orderId as string, purchaseId: r.body.purchaseId as string }] : [],
  );
  expect(won).toHaveLength(10);
  expect(results.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.body.error.code === 'WALKUP_SOLD_OUT')).toBe(true);
  for (const w of won) await payAndConfirm(stack, w.owner.token, w.orderId);
  const all = [...early, ...won.map((w) => w.purchaseId)];
  const tickets = () => countOf('tickets', { 'source.kind': 'walkup', 'source.id': { $in: all } });
  await until(async () => (await tickets()) === 10);
  expect(await remaining(id)).toBe(0);
  // the three bought first and never paid: past the hold the sweeper closes them and gives their places back, once
  clock.advance(11 * 60_000);
  const job = stack.cloud.jobs.find((j) => j.name === 'walkup-expire')!;
  await job.run();
  await job.run();
  expect(await remaining(id)).toBe(3);
  expect(await tickets()).toBe(10);
  expect(
    await countOf('walkup_purchases', { _id: { $in: won.map((w) => new mongoose.Types.ObjectId(w.purchaseId)) }, status: 'paid' }),
  ).toBe(10);
  expect(await countOf('walkup_purchases', { _id: { $in: early.map((p) => new mongoose.Types.ObjectId(p)) }, status: 'released' })).toBe(3);
}, 120_000);
