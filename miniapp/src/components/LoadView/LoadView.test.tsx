import { describe, expect, it } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react';
import { Text } from '@tarojs/components';
import LoadView, { LoadMore, PagedList } from '.';

describe('LoadView', () => {
  it('draws the page’s loading, error (with retry) and empty states, and nothing when ready', () => {
    let retried = 0;
    const props = { name: 'mine', errorText: '预订记录加载失败', emptyText: '暂无进行中的预订', onRetry: () => (retried += 1) };
    const { container, rerender } = render(<LoadView load={{ state: 'loading' }} {...props} />);
    expect(container.querySelector('.mine-loading')).not.toBeNull();
    rerender(<LoadView load={{ state: 'error', message: '网络不可用', error: null }} {...props} />);
    expect(container.querySelector('.mine-error')?.textContent).toContain('网络不可用');
    fireEvent.click(screen.getByText('重试'));
    expect(retried).toBe(1);
    rerender(<LoadView load={{ state: 'empty', data: [] }} {...props} emptyAction={<button>去场馆看看</button>} />);
    expect(container.querySelector('.mine-empty-wrap .mine-empty')?.textContent).toContain('暂无进行中的预订');
    rerender(<LoadView load={{ state: 'ready', data: [1] }} {...props} />);
    expect(container.innerHTML).toBe('');
  });
});

describe('LoadMore', () => {
  it('offers more, shows progress, a retry after a failure, and the end', () => {
    let asked = 0;
    const p = { block: 'pay-more', name: 'orders', onMore: () => (asked += 1) };
    const { container, rerender } = render(<LoadMore hasMore more="idle" {...p} />);
    fireEvent.click(container.querySelector('.orders-load-more') as Element);
    expect(asked).toBe(1);
    rerender(<LoadMore hasMore more="loading" {...p} />);
    expect(container.querySelector('.orders-more-loading')?.textContent).toBe('加载中…');
    rerender(<LoadMore hasMore more="error" {...p} />);
    expect(container.querySelector('.orders-load-more')?.textContent).toBe('加载失败，点击重试');
    rerender(<LoadMore hasMore={false} more="idle" {...p} />);
    expect(container.querySelector('.orders-no-more')?.textContent).toBe('没有更多了');
  });
});

describe('PagedList', () => {
  const base = { hasMore: true, more: 'idle' as const, loadMore: async () => {}, reload: async () => {}, updateItems: () => {} };
  it('shows the items and 加载更多 once the first page is in, the empty state when there are none', () => {
    const items = [{ id: 'a' }, { id: 'b' }];
    const ready = render(
      <PagedList
        list={{ ...base, items, load: { state: 'ready', data: { items, nextCursor: 'c' } } }}
        name="x"
        errorText="失败"
        emptyText="暂无"
        moreBlock="x-more"
      >
        {(i) => (
          <Text key={i.id} className="x-item">
            {i.id}
          </Text>
        )}
      </PagedList>,
    );
    expect([...ready.container.querySelectorAll('.x-item')].map((e) => e.textContent)).toEqual(['a', 'b']);
    expect(ready.container.querySelector('.x-load-more')?.textContent).toBe('加载更多');
    ready.unmount();
    const empty = render(
      <PagedList
        list={{ ...base, hasMore: false, items: [], load: { state: 'empty', data: { items: [], nextCursor: null } } }}
        name="x"
        errorText="失败"
        emptyText="暂无"
        moreBlock="x-more"
      >
        {(i: { id: string }) => <Text key={i.id}>{i.id}</Text>}
      </PagedList>,
    );
    expect(empty.container.querySelector('.x-empty')?.textContent).toContain('暂无');
    expect(empty.container.querySelector('.x-load-more')).toBeNull();
  });
});
