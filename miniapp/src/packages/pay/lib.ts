import Taro from '@tarojs/taro';
import { z } from 'zod';
import { fenToYuan, formatPrice, voucherDiscountFen, type Order, type Voucher, type VoucherBatch } from '@citysport/shared';
import { ApiError, NETWORK_ERROR } from '../../api/errors';
import { MOCK_BASE } from '../../api/config';
import { inShanghai } from '@citysport/shared';

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
/** '2025.11.21' in Shanghai */
export const dateDot = (iso: string) => inShanghai(iso).format('YYYY.MM.DD');

type VoucherTerms = Pick<Voucher, 'kind' | 'faceFen' | 'percentOff' | 'maxDiscountFen' | 'minSpendFen'>;

/** The discount a voucher gives on `amountFen`: the shared rule the server applies too. */
export const discountFen = (v: VoucherTerms, amountFen: number): number => voucherDiscountFen(v, amountFen);

/** '¥10' / '8折' — the big figure on a voucher */
export function faceText(v: VoucherTerms): { value: string; unit: string } {
  if (v.kind === 'amount') {
    const y = fenToYuan(v.faceFen).replace(/\.00$/, '');
    return { value: y, unit: '元' };
  }
  const zhe = (100 - v.percentOff) / 10;
  return { value: String(Number.isInteger(zhe) ? zhe : zhe.toFixed(1)), unit: '折' };
}

/** ['满50元可用', '最高减30元'] / ['无门槛'] — one short line each */
export function termsLines(v: VoucherTerms): string[] {
  const lines = [v.minSpendFen > 0 ? `满${fenToYuan(v.minSpendFen).replace(/\.00$/, '')}元可用` : '无门槛'];
  if (v.kind === 'percent' && v.maxDiscountFen > 0) lines.push(`最高减${fenToYuan(v.maxDiscountFen).replace(/\.00$/, '')}元`);
  return lines;
}

/** '有效期至 2025.12.31', or the whole range when it has not started yet */
export function validityText(v: Pick<Voucher, 'validFrom' | 'validTo'>, now: number = Date.now()): string {
  if (now < Date.parse(v.validFrom)) return `有效期 ${dateDot(v.validFrom)}–${dateDot(v.validTo)}`;
  return `有效期至 ${dateDot(v.validTo)}`;
}

/** Which sports / venues a voucher is for, when it is restricted. */
export function scopeText(v: Pick<VoucherBatch, 'sports' | 'venueIds'>, sportLabel: (s: VoucherBatch['sports'][number]) => string): string {
  const parts: string[] = [];
  if (v.sports.length) parts.push(`限${v.sports.map(sportLabel).join('、')}`);
  if (v.venueIds.length) parts.push('限指定场馆');
  return parts.join('，') || '全部场馆通用';
}

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

const MockConfirmSchema = z.object({ transaction_id: z.string() });

/**
 * The WeChat Pay stand-in's "the user paid" (h5 with TARO_APP_WECHAT_MOCK only).
 * `pkg` is payParams.package: 'prepay_id=<id>'.
 */
export async function mockConfirmPayment(pkg: string): Promise<void> {
  const prepayId = pkg.replace(/^prepay_id=/, '');
  let res: Taro.request.SuccessCallbackResult;
  try {
    res = await Taro.request({
      url: `${MOCK_BASE}/mock/pay/${encodeURIComponent(prepayId)}/confirm`,
      method: 'POST',
      data: {},
      header: { 'Content-Type': 'application/json', Accept: 'application/json' },
      dataType: 'json',
    });
  } catch (e) {
    throw new ApiError(NETWORK_ERROR, 0, (e as { errMsg?: string })?.errMsg ?? String(e));
  }
  if (res.statusCode < 200 || res.statusCode >= 300 || !MockConfirmSchema.safeParse(res.data).success) {
    const body = res.data as { code?: unknown; message?: unknown } | null;
    throw new ApiError(
      typeof body?.code === 'string' ? body.code : `HTTP_${res.statusCode}`,
      res.statusCode,
      String(body?.message ?? 'mock confirm failed'),
    );
  }
}

/** Leave the current page for `url`, falling back to navigateTo when the stack cannot redirect. */
export function redirect(url: string): void {
  void Taro.redirectTo({ url }).catch(() => Taro.navigateTo({ url }));
}
