import type { TestStack } from './stack';

export async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not reached in time');
}

export const orderOf = async (stack: TestStack, token: string, orderId: string) =>
  (await stack.request('GET', `/orders/${orderId}`, { token })).body.order;

/** The citizen pays through the real flow: JSAPI order at the stand-in, "the user paid", signed notification, order paid. */
export async function payAndConfirm(stack: TestStack, token: string, orderId: string): Promise<void> {
  const paid = await stack.request('POST', `/orders/${orderId}/pay`, { token, body: {} });
  if (paid.status !== 200) throw new Error(`pay failed: ${paid.status} ${JSON.stringify(paid.body)}`);
  const prepayId = String(paid.body.payParams.package).replace('prepay_id=', '');
  const res = await fetch(`${stack.mock.url}/mock/pay/${prepayId}/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (res.status !== 200) throw new Error(`confirm failed: ${res.status}`);
  await until(async () => (await orderOf(stack, token, orderId)).status === 'paid');
  // the order shows paid before the handler has told the domain; done means WeChat got our 204
  await until(async () => stack.mock.wechatPay!.state.notifications.some((n) => n.out_trade_no === `CS${orderId}` && n.acknowledged));
}

export function refundsAtWechat(stack: TestStack, orderId: string) {
  return stack.mock.wechatPay!.state.refunds.filter((r) => r.refund.out_trade_no === `CS${orderId}`).map((r) => r.refund);
}
