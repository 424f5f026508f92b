import { useCallback, useRef, useState, type DependencyList } from 'react';
import Taro, { usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { useLoad, type Load } from './useLoad';

/** One page of a list endpoint: `?cursor=&limit=` → `{items, nextCursor}` (API.md, "Lists"). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type MoreState = 'idle' | 'loading' | 'error';

export interface PagedListOptions {
  /** items per request (default 10) */
  pageSize?: number;
  /** a page that needs a signed-in user: its own URL */
  login?: string;
  /** fetch the first page again quietly when the page is shown again (default true) */
  refreshOnShow?: boolean;
}

export interface PagedListResult<T> {
  /** the first page's state; `data` holds every item loaded so far */
  load: Load<Page<T>>;
  items: T[];
  hasMore: boolean;
  more: MoreState;
  loadMore: () => Promise<void>;
  /** the first page again (pull-to-refresh, after a write) */
  reload: (quiet?: boolean) => Promise<void>;
  /** change loaded items in place (e.g. the cancelled booking the server answered) */
  updateItems: (change: (items: T[]) => T[]) => void;
}

/**
 * A cursor-paged list: the first page on `deps` change and on re-show, pull-to-refresh, and the next
 * page on reaching the bottom (or a tap on "加载更多"). Items already shown are not repeated.
 */
export function usePagedList<T extends { id: string }>(
  fetchPage: (cursor: string | null, limit: number) => Promise<Page<T>>,
  deps: DependencyList,
  opts: PagedListOptions = {},
): PagedListResult<T> {
  const { pageSize = 10, login, refreshOnShow = true } = opts;
  const [more, setMore] = useState<MoreState>('idle');
  // bumped by every first-page fetch, so a late "more" answer of an older list is dropped
  const generation = useRef(0);
  const { load, data, reload, update } = useLoad(
    () => {
      generation.current += 1;
      setMore('idle');
      return fetchPage(null, pageSize);
    },
    [pageSize, ...deps],
    { login, refreshOnShow },
  );

  const loadMore = useCallback(async () => {
    if (!data?.nextCursor || more === 'loading') return;
    const mine = generation.current;
    setMore('loading');
    try {
      const next = await fetchPage(data.nextCursor, pageSize);
      if (mine !== generation.current) return;
      update((cur) => {
        const seen = new Set(cur.items.map((x) => x.id));
        return { items: [...cur.items, ...next.items.filter((x) => !seen.has(x.id))], nextCursor: next.nextCursor };
      });
      setMore('idle');
    } catch {
      if (mine === generation.current) setMore('error');
    }
  }, [data, more, fetchPage, pageSize, update]);

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  useReachBottom(() => {
    void loadMore();
  });

  const updateItems = useCallback((change: (items: T[]) => T[]) => update((cur) => ({ ...cur, items: change(cur.items) })), [update]);

  return { load, items: data?.items ?? [], hasMore: !!data?.nextCursor, more, loadMore, reload, updateItems };
}
