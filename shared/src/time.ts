import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);

/**
 * The business day and every display use Asia/Shanghai. China has no DST, so a fixed +08:00
 * offset is exact; dayjs's tz plugin is wrong on Android WeChat (TOOLCHAIN.md), so it is not used here.
 */
export const SHANGHAI_OFFSET_MINUTES = 480;

export function inShanghai(date: Date | string | number) {
  return dayjs(date).utcOffset(SHANGHAI_OFFSET_MINUTES);
}

/** 'YYYY-MM-DD' of the Shanghai business day containing `date`. */
export function businessDay(date: Date | string | number): string {
  return inShanghai(date).format('YYYY-MM-DD');
}

/** The UTC instant of `HH:mm` on a Shanghai business day 'YYYY-MM-DD'. */
export function shanghaiTime(day: string, hhmm = '00:00'): Date {
  return new Date(`${day}T${hhmm}:00+08:00`);
}

export function formatShanghai(date: Date | string | number, pattern = 'YYYY-MM-DD HH:mm'): string {
  return inShanghai(date).format(pattern);
}
