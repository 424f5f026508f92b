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

/** '2025.11.21 23:59' in Shanghai: the exact minute a voucher lapses */
export const dateTimeDot = (iso: string) => inShanghai(iso).format('YYYY.MM.DD HH:mm');

/** '有效期至 2025.12.31 23:59', or the whole range when it has not started yet */
export function validityText(v: Pick<Voucher, 'validFrom' | 'validTo'>, now: number = Date.now()): string {
  if (now < Date.parse(v.validFrom)) return `有效期 ${dateTimeDot(v.validFrom)} 至 ${dateTimeDot(v.validTo)}`;
  return `有效期至 ${dateTimeDot(v.validTo)}`;
}

/** '满50减10元' / '10元无门槛' / '8折 最高减30元' — what the voucher does, in one readable line */
export function headline(v: VoucherTerms): string {
  const face = faceText(v);
  if (v.kind === 'amount') return v.minSpendFen > 0 ? `满${wholeYuan(v.minSpendFen)}减${face.value}元` : `${face.value}元无门槛`;
  return `${face.value}折${v.maxDiscountFen > 0 ? ` 最高减${wholeYuan(v.maxDiscountFen)}元` : ''}`;
}

/** Which sports / venues a voucher is for, when it is restricted. */
export function scopeText(
  v: Pick<VoucherBatch, 'sports' | 'venueIds'> & { venueNames?: string[] },
  sportLabel: (s: VoucherBatch['sports'][number]) => string,
): string {
  const parts: string[] = [];
  if (v.sports.length) parts.push(`限${v.sports.map(sportLabel).join('、')}`);
  const names = v.venueNames ?? [];
  if (v.venueIds.length)
    parts.push(names.length ? `限${names.slice(0, 3).join('、')}${names.length > 3 ? `等${names.length}家场馆` : ''}使用` : '限指定场馆');
  return parts.join('，') || '全部场馆通用';
}
