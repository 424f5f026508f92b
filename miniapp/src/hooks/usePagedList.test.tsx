import { beforeEach, describe, expect, it } from '@jest/globals';
import { act, renderHook, waitFor } from '@testing-library/react';
import { calls, firePageEvent, resetTaro } from '../../test/stand-ins/taro';
import { usePagedList, type Page } from './usePagedList';

/** a server list of 25 items, pages of `limit` after `cursor` (the item id) */
const ALL = Array.from({ length: 25 }, (_, i) => ({ id: `i${String(i).padStart(2, '0')}` }));
function serve(cursor: string | null, limit: number): Page<{ id: string }> {
  const start = cursor ? ALL.findIndex((x) => x.id === cursor) + 1 : 0;
  const items = ALL.slice(start, start + limit);
  return { items, nextCursor: start + limit < ALL.length ? items[items.length - 1].id : null };
}

describe('usePagedList', () => {
  beforeEach(() => resetTaro());

  it('loads the first page, then the next ones on reaching the bottom, until there are no more', async () => {
    const asked: (string | null)[] = [];
    const { result } = renderHook(() =>
      usePagedList(async (cursor, limit) => {
        asked.push(cursor);
        return serve(cursor, limit);
      }, []),
    );
    await waitFor(() => expect(result.current.items).toHaveLength(10));
    expect(result.current.hasMore).toBe(true);
    await act(async () => firePageEvent('reachBottom'));
    await waitFor(() => expect(result.current.items).toHaveLength(20));
    await act(() => result.current.loadMore());
    expect(result.current.items).toHaveLength(25);
    expect(result.current.hasMore).toBe(false);
    expect(asked).toEqual([null, 'i09', 'i19']);
    expect(new Set(result.current.items.map((x) => x.id)).size).toBe(25);
  });

  it('refreshes on pull-down and stops the spinner', async () => {
    let n = 0;
    const { result } = renderHook(() =>
      usePagedList(async (cursor, limit) => {
        n += 1;
        return serve(cursor, limit);
      }, []),
    );
    await waitFor(() => expect(result.current.load.state).toBe('ready'));
    await act(async () => firePageEvent('pullDownRefresh'));
    await waitFor(() => expect(calls.stoppedRefresh).toBe(1));
    expect(n).toBe(2);
  });

  it('marks a failed "more" for a retry and keeps what is shown', async () => {
    let failMore = true;
    const { result } = renderHook(() =>
      usePagedList(async (cursor, limit) => {
        if (cursor && failMore) throw new Error('offline');
        return serve(cursor, limit);
      }, []),
    );
    await waitFor(() => expect(result.current.items).toHaveLength(10));
    await act(() => result.current.loadMore());
    expect(result.current.more).toBe('error');
    expect(result.current.items).toHaveLength(10);
    failMore = false;
    await act(() => result.current.loadMore());
    expect(result.current.more).toBe('idle');
    expect(result.current.items).toHaveLength(20);
  });

  it('is empty when the first page has no items', async () => {
    const { result } = renderHook(() => usePagedList(async () => ({ items: [] as { id: string }[], nextCursor: null }), []));
    await waitFor(() => expect(result.current.load.state).toBe('empty'));
  });
});
