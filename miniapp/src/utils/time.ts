import { useEffect, useState } from 'react';
import { businessDay, inShanghai, shanghaiTime } from '@citysport/shared';

/**
 * Dates and times as the user reads them: always Asia/Shanghai through `utcOffset(480)` (the
 * shared helpers), never dayjs's tz plugin (wrong on Android WeChat, TOOLCHAIN.md).
 */
export const WEEKDAYS_ZH = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] as const;

/** 'YYYY-MM-DD' of today in Shanghai */
export function todayShanghai(now: number = Date.now()): string {
  return businessDay(now);
}

/** the business day `n` days after `day` */
export function addDays(day: string, n: number): string {
  return inShanghai(shanghaiTime(day)).add(n, 'day').format('YYYY-MM-DD');
}

/** `count` consecutive days from `from` */
export function daysFrom(from: string, count: number): string[] {
  return Array.from({ length: Math.max(1, count) }, (_, i) => addDays(from, i));
}

/** '周六' */
export function weekdayZh(day: string): string {
  return WEEKDAYS_ZH[inShanghai(shanghaiTime(day)).day()];
}

/** '11/21' */
export function shortDate(day: string): string {
  return `${day.slice(5, 7)}/${day.slice(8, 10)}`;
}

/** '11月21日' */
export function monthDayZh(day: string): string {
  return `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;
}

/** '11月21日 周六' */
export function dayTitle(day: string): string {
  return `${monthDayZh(day)} ${weekdayZh(day)}`;
}

/** 'HH:mm' in Shanghai */
export function hhmm(iso: string | number | Date): string {
  return inShanghai(iso).format('HH:mm');
}

/** '19:00–21:00' */
export function timeRange(startIso: string, endIso: string): string {
  return `${hhmm(startIso)}–${hhmm(endIso)}`;
}

/** 'YYYY-MM-DD' of an instant in Shanghai */
export function dayOf(iso: string): string {
  return businessDay(iso);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** 'hh:mm:ss' of a duration (hours may exceed 24); 00:00:00 when negative */
export function hms(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
}

/** 'mm:ss' of a short duration (a payment hold) */
export function mmss(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${pad2(Math.floor(s / 60))}:${pad2(s % 60)}`;
}

/** Current time, re-rendering every `intervalMs` while `active`. */
export function useNow(active = true, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [active, intervalMs]);
  return now;
}
