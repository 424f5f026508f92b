import Taro from '@tarojs/taro';

/** Storage keys of the mini-program (one place, so tests and support know what is kept). */
export const KEYS = {
  token: 'cs.token',
  user: 'cs.user',
  demoOpenid: 'cs.demoOpenid',
  elder: 'cs.elder',
} as const;

export function readString(key: string): string | null {
  try {
    const v: unknown = Taro.getStorageSync(key);
    return typeof v === 'string' && v !== '' ? v : null;
  } catch {
    return null;
  }
}

export function readJson<T>(key: string): T | null {
  const raw = readString(key);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

export function write(key: string, value: string | null): void {
  try {
    if (value === null) Taro.removeStorageSync(key);
    else Taro.setStorageSync(key, value);
  } catch {
    /* storage full or unavailable: the session simply will not survive a restart */
  }
}
