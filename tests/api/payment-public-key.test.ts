/** The same flow for a merchant in WeChat-Pay public-key mode (PUB_KEY_ID_… in Wechatpay-Serial), which the library cannot verify by itself. */
import { ManualClock } from '../../cloud/src/platform/clock';
import { buildSignedNotification } from '../../mock/src/wechatpay/notification';
import { startTestStack, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

const clock = new ManualClock(new Date());
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack('paypk', { clock, wechatPay: { signMode: 'public_key' } });
}, 60_000);
afterAll(() => stack.stop());

test('pay and confirm with public-key signatures; forged public-key notifications are refused', async () => {
  const v = await createTestVenue(stack, { name: '公钥模式馆', courtPriceFen: 2500 });
  const user = await stack.login('pk-payer');
  const day = daysAhead(clock, 2);
  const [slot] = await slotsOf(v.courtId, day);
  const booking = (await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: [slot.id] } })).body.booking;

  const paid = await stack.request('POST', `/orders/${booking.orderId}/pay`, { token: user.token, body: {} });
  expect(paid.status).toBe(200); // the stand-in's answer was signed with the public-key-mode key and verified
  const tx = stack.mock.wechatPay!.state.transaction(`CS${booking.orderId}`)!.transaction;

  const success = {
    ...tx,
    trade_state: 'SUCCESS',
    transaction_id: '4200000000202611219999999999',
    success_time: clock.now().toISOString(),
  };
  for (const tamper of ['wrong-key', 'serial', 'body', 'timestamp-stale'] as const) {
    const forged = buildSignedNotification(stack.payKeys!, 'public_key', 'TRANSACTION.SUCCESS', 'transaction', success as never, tamper, {
      at: clock.now(),
    });
    if (tamper === 'serial') expect(forged.headers['Wechatpay-Serial']).not.toBe(stack.payKeys!.publicKeyMode.keyId);
    else expect(forged.headers['Wechatpay-Serial']).toBe(stack.payKeys!.publicKeyMode.keyId);
    const rejected = await stack.request('POST', '/payments/wechat/notify', {
      rawBody: forged.body,
      headers: forged.headers as Record<string, string>,
    });
    expect([tamper, rejected.status]).toEqual([tamper, 401]);
  }
  expect((await stack.request('GET', `/bookings/${booking.id}`, { token: user.token })).body.booking.status).toBe('held');

  const prepayId = String(paid.body.payParams.package).replace('prepay_id=', '');
  const confirmed = await fetch(`${stack.mock.url}/mock/pay/${prepayId}/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(confirmed.status).toBe(200);
  const end = Date.now() + 5000;
  let status = 'held';
  while (Date.now() < end && status !== 'confirmed') {
    await new Promise((r) => setTimeout(r, 25));
    status = (await stack.request('GET', `/bookings/${booking.id}`, { token: user.token })).body.booking.status;
  }
  expect(status).toBe('confirmed');
});

test('public-key mode never downloads platform certificates, whatever serial a forged notification names', async () => {
  const downloads = () => stack.mock.wechatPay!.requests.filter((r) => r.path === '/v3/certificates').length;
  const n = buildSignedNotification(
    stack.payKeys!,
    'public_key',
    'TRANSACTION.SUCCESS',
    'transaction',
    { out_trade_no: 'CSx' } as never,
    'none',
    {
      at: clock.now(),
    },
  );
  for (const serial of ['5157F09EFDC096DE15EBE81A47057A7232F1B8E1', 'PUB_KEY_ID_0000000000000000000000000000000000', 'x']) {
    const res = await stack.request('POST', '/payments/wechat/notify', {
      rawBody: n.body,
      headers: { ...(n.headers as Record<string, string>), 'Wechatpay-Serial': serial },
    });
    expect([serial, res.status]).toEqual([serial, 401]);
  }
  expect(downloads()).toBe(0);
});
