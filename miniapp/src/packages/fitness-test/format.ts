export const FITNESS_BAND_LABEL: Record<string, string> = { '20-39': '20–39 岁', '40-59': '40–59 岁' };

/** the next n days as YYYY-MM-DD (Shanghai) */
export function nextDays(n: number, from = new Date()): string[] {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });
  return Array.from({ length: n }, (_, i) => fmt.format(new Date(from.getTime() + i * 86_400_000)));
}

export const hhmm = (iso: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
