import { fenToYuan, inShanghai, type Voucher, type VoucherBatch, type VoucherTerms } from '@citysport/shared';

/** '2025.11.21' in Shanghai */
export const dateDot = (iso: string) => inShanghai(iso).format('YYYY.MM.DD');

const wholeYuan = (fen: number) => fenToYuan(fen).replace(/\.00$/, '');

/** '10' 元 / '8' 折 — the big figure on a voucher */
export function faceText(v: VoucherTerms): { value: string; unit: string } {
  if (v.kind === 'amount') return { value: wholeYuan(v.faceFen), unit: '元' };
  const zhe = (100 - v.percentOff) / 10;
  return { value: String(Number.isInteger(zhe) ? zhe : zhe.toFixed(1)), unit: '折' };
}

/** ['满50元可用', '最高减30元'] / ['无门槛'] — one short line each */
export function termsLines(v: VoucherTerms): string[] {
  const lines = [v.minSpendFen > 0 ? `满${wholeYuan(v.minSpendFen)}元可用` : '无门槛'];
  if (v.kind === 'percent' && v.maxDiscountFen > 0) lines.push(`最高减${wholeYuan(v.maxDiscountFen)}元`);
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
