/** The voucher rules both sides apply: the server's figure binds, the page shows the same one. */
export interface VoucherTerms {
  kind: 'amount' | 'percent';
  faceFen: number;
  percentOff: number;
  /** 0 = no cap */
  maxDiscountFen: number;
  minSpendFen: number;
}

/**
 * The discount a voucher gives on `amountFen`: amount vouchers take min(faceFen, amount); percent
 * vouchers floor(amount × percentOff / 100), capped by maxDiscountFen when set. Never more than the
 * amount, never negative; 0 below the minimum spend.
 */
export function voucherDiscountFen(v: VoucherTerms, amountFen: number): number {
  if (amountFen < v.minSpendFen) return 0;
  let d = v.kind === 'amount' ? v.faceFen : Math.floor((amountFen * v.percentOff) / 100);
  if (v.kind === 'percent' && v.maxDiscountFen > 0) d = Math.min(d, v.maxDiscountFen);
  return Math.max(0, Math.min(d, amountFen));
}
