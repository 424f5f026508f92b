/**
 * Fault: one API instance killed in the middle of its work (issue 18, item 4). A second API
 * process (the real server, its own jobs, on this file's database) takes bookings, payments and
 * cancellations; while WeChat holds its refund and JSAPI answers, while its payment notifications
 * are being delivered and while a burst of bookings is on its way, it is killed with SIGKILL.
 * This instance's sweepers then finish what it left: no paid order lost, no place leaked, no
 * refund or ticket doubled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

const ROOT = path.resolve(__dirname, '../..');
const clock = new ManualClock(new Date()); // the child runs on the system clock: this one starts there too
let a: TestStack;
let child: ChildProcess | null = null;
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citysport-killed-keys-'));
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wx = () => a.mock.wechatPay!;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The second instance: the real server in its own process, on this file's database and this stand-in. */
async function startChild(): Promise<string> {
  const keys = a.payKeys!;
  const files = {
    key: path.join(keyDir, 'apiclient_key.pem'),
    cert: path.join(keyDir, 'apiclient_cert.pem'),
    pub: path.join(keyDir, 'pub_key.pem'),
  };
  fs.writeFileSync(files.key, keys.merchant.privateKeyPem);
  fs.writeFileSync(files.cert, keys.merchant.certPem);
  fs.writeFileSync(files.pub, keys.publicKeyMode.publicKeyPem);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    NODE_ENV: 'test',
    CITYSPORT_DEV_SECRETS: 'allow', // the same built-in secrets as this instance: one JWT key, one pseudonym key
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: String(port),
    MONGODB_URI: process.env.TEST_MONGODB_URI!,
    DB_NAME: mongoose.connection.name,
    WECHAT_APPID: 'wx-test-app',
    WECHAT_SECRET: 'test-secret',
    WECHAT_API_BASE: a.mock.url,
    WECHATPAY_API_BASE: a.mock.url,
    WECHATPAY_MCHID: keys.mchid,
    WECHATPAY_APIV3_KEY: keys.apiV3Key,
    WECHATPAY_MERCHANT_SERIAL: keys.merchant.serialNo,
    WECHATPAY_MERCHANT_KEY_FILE: files.key,
    WECHATPAY_MERCHANT_CERT_FILE: files.cert,
    WECHATPAY_PUBLIC_KEY_ID: keys.publicKeyMode.keyId,
    WECHATPAY_PUBLIC_KEY_FILE: files.pub,
    WECHATPAY_TIMEOUT_MS: '20000',
    // WeChat's notifications of its orders and refunds come to it (and are lost with it)
    PUBLIC_API_BASE: `http://127.0.0.1:${port}/api/v1`,
    USER_RATE_PER_MIN: '100000',
    LOGIN_RATE_PER_IP_PER_MIN: '100000',
  };
  // node itself (not the tsx launcher) so that SIGKILL reaches the process that serves
  child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'support/api-child.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child!.stdout! }).on('line', (l) => l.startsWith('{"url"') && resolve(l));
    child!.once('exit', (code) => reject(new Error(`the API child exited with ${code}\n${err}`)));
  });
  return (JSON.parse(line) as { url: string }).url;
}

async function call(base: string, method: string, p: string, token: string, body?: unknown) {
  const res = await fetch(`${base}/api/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  a = await startTestStack('api-killed', { clock, wechatPay: { signMode: 'public_key' } });
}, 60_000);
afterAll(async () => {
  child?.kill('SIGKILL');
  await a?.stop();
  fs.rmSync(keyDir, { recursive: true, force: true });
});

test('an API process killed with SIGKILL mid-work: the other instance heals it, nothing lost or doubled', async () => {
  const b = await startChild();
  const venue = await createTestVenue(a, { name: '进程被杀馆', courtPriceFen: 2000, sessionPriceFen: 1000, sessionCapacity: 30 });
  const day = daysAhead(clock, 2);
  const courts = await slotsOf(venue.courtId, day);
  const [session] = await slotsOf(venue.sessionId, day);
  const citizen = async (name: string) => {
    const { user } = await a.cloud.services.identity.upsertByOpenid(`killed-${name}`, undefined, 'test');
    const { token } = await a.cloud.tokens.sign({ userId: String(user._id), roles: ['citizen'] });
    return { token, userId: String(user._id) };
  };
  // on the child: 12 court bookings; 4 are paid and then cancelled (refunds), 4 are paid (notifications), 4 start paying
  const booked: { token: string; bookingId: string; orderId: string; slotId: string }[] = [];
  for (let i = 0; i < 12; i++) {
    const c = await citizen(`court-${i}`);
    const res = await call(b, 'POST', '/bookings', c.token, { slotIds: [courts[i].id] });
    expect(res.status).toBe(201);
    booked.push({ token: c.token, bookingId: res.body.booking.id, orderId: res.body.booking.orderId, slotId: courts[i].id });
  }
  const [toCancel, toPay, paying] = [booked.slice(0, 4), booked.slice(4, 8), booked.slice(8, 12)];
  const prepay = async (x: (typeof booked)[number]) => {
    const res = await call(b, 'POST', `/orders/${x.orderId}/pay`, x.token, {});
    expect(res.status).toBe(200);
    return String(res.body.payParams.package).replace('prepay_id=', '');
  };
  for (const x of toCancel) {
    wx().confirmPayment(await prepay(x)); // paid, and the child is told by WeChat's notification
  }
  const paidOnChild = async (x: (typeof booked)[number]) =>
    (await db()
      .collection('bookings')
      .findOne({ _id: oid(x.bookingId) }))!.status === 'confirmed';
  for (let i = 0; i < 200 && !(await Promise.all(toCancel.map(paidOnChild))).every(Boolean); i++) await sleep(50);
  expect(await Promise.all(toCancel.map(paidOnChild))).toEqual([true, true, true, true]);
  const toPayPrepay = await Promise.all(toPay.map(prepay));

  // WeChat holds its answers to the refunds and JSAPI orders the child asks for (having done the work)
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  wx().fault({ route: 'POST /v3/refund/domestic/refunds', hold: gate });
  wx().fault({ route: 'POST /v3/pay/transactions/jsapi', hold: gate });
  const asked = (p: string) => wx().requests.filter((r) => r.method === 'POST' && r.path === p).length;
  const refundsBefore = asked('/v3/refund/domestic/refunds');
  const jsapiBefore = asked('/v3/pay/transactions/jsapi');
  const inFlight: Promise<unknown>[] = [];
  const swallow = (p: Promise<unknown>) => inFlight.push(p.catch(() => 'killed'));
  for (const x of toCancel) swallow(call(b, 'POST', `/bookings/${x.bookingId}/cancel`, x.token, { reason: '临时有事' }));
  for (const x of paying) swallow(call(b, 'POST', `/orders/${x.orderId}/pay`, x.token, {}));
  for (
    let i = 0;
    i < 200 && (asked('/v3/refund/domestic/refunds') < refundsBefore + 4 || asked('/v3/pay/transactions/jsapi') < jsapiBefore + 4);
    i++
  )
    await sleep(25);
  // the citizens of toPay pay now: WeChat's notifications go to the child as it dies
  for (const p of toPayPrepay) wx().confirmPayment(p);
  // and a burst of session bookings is on its way
  const burst: { token: string; userId: string }[] = [];
  for (let i = 0; i < 20; i++) burst.push(await citizen(`burst-${i}`));
  let answered = 0;
  const burstResults = burst.map((c) =>
    call(b, 'POST', '/bookings', c.token, { slotIds: [session.id] }).then(
      (r) => (answered++, r),
      () => 'killed' as const,
    ),
  );
  for (let i = 0; i < 400 && answered < 5; i++) await sleep(5);
  child!.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));
  child = null;
  open();
  await Promise.all(inFlight);
  const burstSeen = await Promise.all(burstResults);
  const burstBooked = burstSeen
    .filter((r) => r !== 'killed' && r.status === 201)
    .map((r) => (r as { body: any }).body.booking.id as string);

  // the child's leases lapse on their own (5 min); this instance's sweepers do the work meanwhile
  const jobs = new Map(a.cloud.jobs.map((j) => [j.name, j]));
  const sweep = async () => {
    for (const name of ['payment.pending-orders', 'payment.effects-sweeper', 'payment.pending-refunds', 'booking-heal'])
      await jobs.get(name)!.run();
    await sleep(200); // WeChat's notifications of what these settled (they go to the dead child: lost)
  };
  for (let round = 0; round < 4; round++) {
    clock.advance(2 * 60_000 + 1_000); // past the stale windows (taking 2 min, effects 60 s) and the query backoff; inside the hold
    await sweep();
  }

  // no paid order lost: each one WeChat took money for is paid here with its booking confirmed and one ticket
  for (const x of toPay) {
    const o = await db()
      .collection('orders')
      .findOne({ _id: oid(x.orderId) });
    expect(o).toMatchObject({ status: 'paid' });
    expect(
      (await db()
        .collection('bookings')
        .findOne({ _id: oid(x.bookingId) }))!.status,
    ).toBe('confirmed');
    expect(
      await db()
        .collection('tickets')
        .countDocuments({ bookingId: oid(x.bookingId), status: 'valid' }),
    ).toBe(1);
  }
  // every cancel the child began is finished once: one refund at WeChat and here, booking cancelled, ticket revoked
  for (const x of toCancel) {
    const b0 = (await db()
      .collection('bookings')
      .findOne({ _id: oid(x.bookingId) }))!;
    expect([b0.status, b0.pending]).toEqual(['cancelled', []]);
    const atWechat = wx().state.refunds.filter((r) => r.refund.out_trade_no === `CS${x.orderId}`);
    expect(atWechat.map((r) => [r.refund.amount.refund, r.refund.status])).toEqual([[2000, 'SUCCESS']]);
    const here = await db()
      .collection('refunds')
      .find({ orderId: oid(x.orderId) })
      .toArray();
    expect(here.map((r) => [r._id, r.amountFen, r.status])).toEqual([[atWechat[0].refund.out_refund_no, 2000, 'success']]);
    expect(
      await db()
        .collection('orders')
        .findOne({ _id: oid(x.orderId) }),
    ).toMatchObject({ status: 'refunded', refundedFen: 2000, refundCount: 1, pending: [] });
    expect(
      await db()
        .collection('tickets')
        .countDocuments({ bookingId: oid(x.bookingId), status: 'valid' }),
    ).toBe(0);
  }

  // the holds run out: unpaid ones (the JSAPI orders cut off, the burst) give their places back
  clock.advance(15 * 60_000);
  for (const name of ['expire-holds', 'payment.pending-orders', 'booking-heal']) await jobs.get(name)!.run();
  for (const x of paying) {
    expect(
      (await db()
        .collection('bookings')
        .findOne({ _id: oid(x.bookingId) }))!.status,
    ).toBe('expired');
    expect(wx().state.transaction(`CS${x.orderId}`)?.transaction.trade_state ?? 'NOTPAY').not.toBe('SUCCESS');
  }
  for (const id of burstBooked)
    expect(
      (await db()
        .collection('bookings')
        .findOne({ _id: oid(id) }))!.status,
    ).toBe('expired');

  // every place is booked or free, exactly: nothing leaked, nothing given back twice
  const active = await db()
    .collection('bookings')
    .find({ status: { $in: ['held', 'confirmed'] } })
    .toArray();
  for (const s of [...courts.slice(0, 12), session]) {
    const slot = (await db()
      .collection('slots')
      .findOne({ _id: oid(s.id) }))!;
    const taken = active
      .filter((x) => x.slotIds.some((id: mongoose.Types.ObjectId) => String(id) === s.id))
      .reduce((n, x) => n + x.quantity, 0);
    expect([s.id, taken + slot.remaining]).toEqual([s.id, s.capacity]);
  }
  // attempts the kill cut short were rolled back ('failed', nothing owed), none left half-taken
  const cut = await db()
    .collection('bookings')
    .find({ status: { $in: ['taking', 'failed'] } })
    .toArray();
  expect(cut.map((x) => [x.status, x.pending])).toEqual(cut.map(() => ['failed', []]));
  // the expiries just made owe their events' confirmation: the sweeper's next turn checks them in bulk
  clock.advance(2 * 60_000);
  await jobs.get('booking-heal')!.run();
  expect(
    await db()
      .collection('bookings')
      .countDocuments({ 'pending.0': { $exists: true } }),
  ).toBe(0);
  // booking limits count exactly the active bookings
  const limits = await db()
    .collection('limit_counters')
    .aggregate<{ n: number }>([
      { $match: { _id: { $regex: `^booking:${venue.venueId}:` } } },
      { $group: { _id: null, n: { $sum: '$total' } } },
    ])
    .toArray();
  expect(limits[0]?.n ?? 0).toBe(active.length);
  // none refunded twice, at WeChat or here (paid once is the one valid ticket per paid booking above;
  // order.paid events have one id per order, so counting them could not fail)
  const orders = await db()
    .collection('orders')
    .find({ refId: { $in: booked.map((x) => x.bookingId) } })
    .toArray();
  for (const o of orders) {
    const refundedAtWechat = wx()
      .state.refunds.filter((r) => r.refund.out_trade_no === `CS${String(o._id)}`)
      .reduce((sum, r) => sum + r.refund.amount.refund, 0);
    expect([String(o._id), refundedAtWechat]).toEqual([String(o._id), (o.refundedFen as number | undefined) ?? 0]);
    expect(refundedAtWechat).toBeLessThanOrEqual(o.amountFen as number);
  }
  expect(wx().state.refunds.length).toBe(4);
  console.log(
    `[faults] api killed: ${burstSeen.filter((r) => r === 'killed').length} of 20 burst requests cut off, ${burstBooked.length} booked, ` +
      `${cut.length} attempts rolled back by the other instance; ` +
      `4 cancels and 4 JSAPI orders held at WeChat, 4 payment notifications in flight`,
  );
}, 180_000);
