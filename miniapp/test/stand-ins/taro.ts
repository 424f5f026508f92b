/**
 * A stand-in for @tarojs/taro in component tests: in-memory storage, recorded toasts and navigation,
 * and page events (`pullDownRefresh`, `reachBottom`, `didShow`) a test fires with `firePageEvent`.
 */
import { useEffect, useRef } from 'react';

type PageEvent = 'didShow' | 'pullDownRefresh' | 'reachBottom';
const listeners: Record<PageEvent, Set<() => void>> = { didShow: new Set(), pullDownRefresh: new Set(), reachBottom: new Set() };

function pageHook(event: PageEvent) {
  return (fn: () => void) => {
    const ref = useRef(fn);
    ref.current = fn;
    useEffect(() => {
      const call = () => ref.current();
      listeners[event].add(call);
      return () => {
        listeners[event].delete(call);
      };
    }, []);
  };
}

export const useDidShow = pageHook('didShow');
export const usePullDownRefresh = pageHook('pullDownRefresh');
export const useReachBottom = pageHook('reachBottom');
export const useRouter = () => ({ params: {} as Record<string, string> });

/** what the code under test asked Taro to do */
export const calls = { toasts: [] as string[], navigations: [] as string[], stoppedRefresh: 0 };

export function firePageEvent(event: PageEvent): void {
  for (const fn of [...listeners[event]]) fn();
}

export function resetTaro(): void {
  calls.toasts.length = 0;
  calls.navigations.length = 0;
  calls.stoppedRefresh = 0;
  storage.clear();
}

const storage = new Map<string, unknown>();

const Taro = {
  getStorageSync: (key: string) => storage.get(key) ?? '',
  setStorageSync: (key: string, value: unknown) => void storage.set(key, value),
  removeStorageSync: (key: string) => void storage.delete(key),
  showToast: async ({ title }: { title: string }) => {
    calls.toasts.push(title);
  },
  showModal: async () => ({ confirm: true, cancel: false }),
  navigateTo: async ({ url }: { url: string }) => {
    calls.navigations.push(url);
  },
  redirectTo: async ({ url }: { url: string }) => {
    calls.navigations.push(url);
  },
  switchTab: async ({ url }: { url: string }) => {
    calls.navigations.push(url);
  },
  reLaunch: async ({ url }: { url: string }) => {
    calls.navigations.push(url);
  },
  stopPullDownRefresh: () => {
    calls.stoppedRefresh += 1;
  },
  getCurrentPages: () => [],
  getWindowInfo: () => ({ windowWidth: 375, windowHeight: 812 }),
  login: async () => ({ code: 'mock:test' }),
  request: async () => {
    throw new Error('component tests make no requests: hand the component its data');
  },
};

export default Taro;
