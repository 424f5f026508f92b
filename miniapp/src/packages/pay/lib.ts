import Taro from '@tarojs/taro';
import { fenToYuan, formatPrice, inShanghai, type Order, type Voucher } from '@citysport/shared';
import { dateDot } from '../../components/VoucherCard/format';

export { dateDot, faceText, scopeText, termsLines, validityText } from '../../components/VoucherCard/format';
export { mockConfirmPayment } from '../../api/mock';

export const PAY_PAGE = '/packages/pay/index';
export const RESULT_PAGE = '/packages/pay/result';
export const ORDERS_PAGE = '/packages/pay/orders';
export const VOUCHERS_PAGE = '/packages/pay/vouchers';
export const BOOKINGS_PAGE = '/packages/booking/mine';

export const payUrl = (orderId: string) => `${PAY_PAGE}?orderId=${encodeURIComponent(orderId)}`;
export const resultUrl = (orderId: string) => `${RESULT_PAGE}?orderId=${encodeURIComponent(orderId)}`;

export const VOUCHER_REFUND_RULE = '全额退款时消费券将退回；部分退款不退回消费券';

/** '¥12.50' (0 → '¥0.00': amounts to pay, never '免费') */
export const yuan = (fen: number) => `¥${fenToYuan(fen)}`;

/** '2025-11-21 19:05' in Shanghai */
export const dateTime = (iso: string) => inShanghai(iso).format('YYYY-MM-DD HH:mm');

/**
 * Why a voucher cannot be used on this order, as far as the client can tell (minimum spend and
 * validity; sport and venue are the server's call: VOUCHER_NOT_APPLICABLE). null = looks usable.
 */
export function inapplicableReason(v: Voucher, order: Order, now: number): string | null {
  if (v.status === 'used') return '已使用';
  if (v.status === 'expired') return '已过期';
  if (v.status === 'locked' && v.orderId !== order.id) return '正在其他订单中使用';
  if (now < Date.parse(v.validFrom)) return `${dateDot(v.validFrom)} 起可用`;
  if (now > Date.parse(v.validTo)) return '已过期';
  if (order.amountFen < v.minSpendFen) return `未满${formatPrice(v.minSpendFen)}，差${yuan(v.minSpendFen - order.amountFen)}`;
  return null;
}

/** Leave the current page for `url`, falling back to navigateTo when the stack cannot redirect. */
export function redirect(url: string): void {
  void Taro.redirectTo({ url }).catch(() => Taro.navigateTo({ url }));
}
