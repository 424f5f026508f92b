import { describe, expect, it } from '@jest/globals';
import { act, renderHook, waitFor } from '@testing-library/react';
import { ApiError } from '../api/errors';
import { PageError, useLoad } from './useLoad';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useLoad', () => {
  it('goes loading → ready, and empty for an empty list', async () => {
    const { result, rerender } = renderHook(({ items }: { items: number[] }) => useLoad(async () => items, [items]), {
      initialProps: { items: [1, 2] },
    });
    expect(result.current.load.state).toBe('loading');
    await waitFor(() => expect(result.current.load.state).toBe('ready'));
    expect(result.current.data).toEqual([1, 2]);
    rerender({ items: [] });
    await waitFor(() => expect(result.current.load.state).toBe('empty'));
  });

  it('shows the Chinese message of a failure and loads again on retry', async () => {
    let fail = true;
    const { result } = renderHook(() =>
      useLoad(async () => {
        if (fail) throw new ApiError('NETWORK_ERROR', 0, 'offline');
        return { items: ['a'] };
      }, []),
    );
    await waitFor(() => expect(result.current.load.state).toBe('error'));
    expect(result.current.load.state === 'error' && result.current.load.message).toBe('网络不可用，请检查网络后重试');
    fail = false;
    await act(() => result.current.reload());
    expect(result.current.load.state).toBe('ready');
  });

  it('keeps a page error as written, with its reason', async () => {
    const { result } = renderHook(() =>
      useLoad(async () => {
        throw new PageError('缺少场馆编号', 'reselect');
      }, []),
    );
    await waitFor(() => expect(result.current.load.state).toBe('error'));
    const load = result.current.load;
    expect(load.state === 'error' && load.message).toBe('缺少场馆编号');
    expect(load.state === 'error' && (load.error as PageError).reason).toBe('reselect');
  });

  it('keeps only the newest answer when an older one arrives late', async () => {
    const slow = deferred<string>();
    const fast = deferred<string>();
    const { result, rerender } = renderHook(({ p }: { p: Promise<string> }) => useLoad(() => p, [p]), {
      initialProps: { p: slow.promise },
    });
    rerender({ p: fast.promise });
    await act(async () => fast.resolve('new'));
    await act(async () => slow.resolve('old'));
    expect(result.current.data).toBe('new');
  });

  it('fetches nothing while disabled', async () => {
    let calls = 0;
    const { result } = renderHook(() =>
      useLoad(
        async () => {
          calls += 1;
          return 1;
        },
        [],
        { enabled: false },
      ),
    );
    await act(async () => undefined);
    expect(calls).toBe(0);
    expect(result.current.load.state).toBe('loading');
  });
});
