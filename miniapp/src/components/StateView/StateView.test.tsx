import { describe, expect, it } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react';
import { EmptyState, ErrorState, SkeletonList } from '.';

describe('StateView (empty state, error state, skeleton)', () => {
  it('says what is empty, in words', () => {
    const { container } = render(<EmptyState text="暂无订单" hint="预订场地后订单会显示在这里" className="orders-empty" />);
    expect(container.querySelector('.orders-empty .state-view__text')?.textContent).toBe('暂无订单');
    expect(container.querySelector('.state-view__hint')?.textContent).toBe('预订场地后订单会显示在这里');
  });

  it('offers a retry on an error', () => {
    let n = 0;
    render(<ErrorState text="加载失败" onRetry={() => (n += 1)} />);
    fireEvent.click(screen.getByText('重试'));
    expect(n).toBe(1);
  });

  it('draws as many skeleton cards as asked', () => {
    const { container } = render(<SkeletonList count={4} />);
    expect(container.querySelectorAll('.skeleton-card')).toHaveLength(4);
  });
});
