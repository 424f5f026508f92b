import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { errorMessageZh, isApiError } from '../api/errors';
import { ensureLoggedIn } from '../stores/session';

/** The one load state every page shows: a skeleton, an error with retry, an empty state, or the data. */
export type Load<T> =
  { state: 'loading' } | { state: 'error'; message: string; error: unknown } | { state: 'empty'; data: T } | { state: 'ready'; data: T };

/**
 * A failure the page itself finds (a missing parameter, a slot that no longer exists): its message is
 * shown as written, and `reason` lets the page pick a different way out (e.g. 'reselect').
 */
export class PageError extends Error {
  readonly reason?: string;
  constructor(message: string, reason?: string) {
    super(message);
    this.name = 'PageError';
    this.reason = reason;
    Object.setPrototypeOf(this, PageError.prototype);
  }
}

/** The load failed with 403: the page shows 无权限 rather than an error with retry. */
export function isForbidden(load: Load<unknown>): boolean {
  return load.state === 'error' && isApiError(load.error) && load.error.status === 403;
}

/** The Chinese text of a load failure. */
export function loadErrorMessage(e: unknown): string {
  return e instanceof PageError ? e.message : errorMessageZh(e);
}

export interface LoadOptions<T> {
  /** false: nothing is fetched yet (waiting on another load or a parameter); the state stays 'loading' */
  enabled?: boolean;
  /** when the data counts as empty (default: an empty array, or an object whose `items` is empty) */
  isEmpty?: (data: T) => boolean;
  /** a page that needs a signed-in user: its own URL, to come back to after the login page */
  login?: string;
  /** fetch again quietly when the page is shown again (back from a page that changed things) */
  refreshOnShow?: boolean;
  /** fetch again quietly on the page's pull-down (its config sets enablePullDownRefresh) */
  pullToRefresh?: boolean;
  /** a quiet reload that fails keeps the data shown (a live page refreshing in the background) */
  keepOnQuietError?: boolean;
}

export interface LoadResult<T> {
  load: Load<T>;
  /** the data when there is some (ready or empty), else null */
  data: T | null;
  /** fetch again; quiet keeps what is shown until the answer arrives (pull-to-refresh, re-show) */
  reload: (quiet?: boolean) => Promise<void>;
  /** change the data in place (after a write the server answered) */
  update: (change: (data: T) => T) => void;
}

export function defaultIsEmpty(data: unknown): boolean {
  if (Array.isArray(data)) return data.length === 0;
  if (data && typeof data === 'object' && Array.isArray((data as { items?: unknown }).items))
    return (data as { items: unknown[] }).items.length === 0;
  return data === null || data === undefined;
}

/**
 * Runs `fetcher` when `deps` change and keeps its outcome as a `Load<T>`. Only the newest call's
 * answer is kept, so a slow first answer never overwrites a newer one.
 */
export function useLoad<T>(fetcher: () => Promise<T>, deps: DependencyList, opts: LoadOptions<T> = {}): LoadResult<T> {
  const { enabled = true, login, refreshOnShow = false, pullToRefresh = false, keepOnQuietError = false } = opts;
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const seq = useRef(0);
  const shown = useRef(false);
  // the newest fetcher and isEmpty without making them dependencies
  const latest = useRef({ fetcher, isEmpty: opts.isEmpty ?? (defaultIsEmpty as (d: T) => boolean) });
  latest.current = { fetcher, isEmpty: opts.isEmpty ?? (defaultIsEmpty as (d: T) => boolean) };

  const settle = useCallback(
    (data: T): Load<T> => (latest.current.isEmpty(data) ? { state: 'empty', data } : { state: 'ready', data }),
    [],
  );

  const reload = useCallback(
    async (quiet = false) => {
      if (!enabled) return;
      const mine = ++seq.current;
      if (!quiet) setLoad({ state: 'loading' });
      if (login !== undefined && !(await ensureLoggedIn(login))) return;
      try {
        const data = await latest.current.fetcher();
        if (mine === seq.current) setLoad(settle(data));
      } catch (error) {
        if (mine !== seq.current) return;
        setLoad((cur) =>
          quiet && keepOnQuietError && (cur.state === 'ready' || cur.state === 'empty')
            ? cur
            : { state: 'error', message: loadErrorMessage(error), error },
        );
      }
    },
    [enabled, login, settle, ...deps],
  );

  useEffect(() => {
    if (!enabled) setLoad({ state: 'loading' });
    void reload();
  }, [reload, enabled]);

  useDidShow(() => {
    if (refreshOnShow && shown.current) void reload(true);
    shown.current = true;
  });

  usePullDownRefresh(() => {
    if (pullToRefresh) void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  const update = useCallback(
    (change: (data: T) => T) => setLoad((cur) => (cur.state === 'ready' || cur.state === 'empty' ? settle(change(cur.data)) : cur)),
    [settle],
  );

  const data = load.state === 'ready' || load.state === 'empty' ? load.data : null;
  return { load, data, reload, update };
}
