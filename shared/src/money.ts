/** Money is integer fen everywhere; these helpers are for display only. */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function formatPrice(fen: number): string {
  return fen === 0 ? '免费' : `¥${fenToYuan(fen)}`;
}
