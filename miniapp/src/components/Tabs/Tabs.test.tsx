import { describe, expect, it } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import Tabs from '.';

function Harness() {
  const [tab, setTab] = useState<'a' | 'b'>('a');
  return (
    <>
      <Tabs
        items={[
          { key: 'a', label: '进行中' },
          { key: 'b', label: '已结束' },
        ]}
        value={tab}
        onChange={setTab}
        className="mine-tabs"
        itemClass="mine-tab"
      />
      <span data-testid="current">{tab}</span>
    </>
  );
}

describe('Tabs', () => {
  it('marks the current tab with the page classes and switches on a tap', () => {
    const { container } = render(<Harness />);
    expect(container.querySelector('.mine-tab--a.mine-tab--current')).not.toBeNull();
    fireEvent.click(screen.getByText('已结束'));
    expect(screen.getByTestId('current').textContent).toBe('b');
    expect(container.querySelector('.mine-tab--b.mine-tab--current')).not.toBeNull();
    expect(container.querySelector('.mine-tab--a.mine-tab--current')).toBeNull();
    expect(container.querySelector('[aria-selected="true"]')?.textContent).toBe('已结束');
  });

  it('uses its own look without page classes', () => {
    const { container } = render(<Tabs items={[{ key: 'x', label: 'X' }]} value="x" onChange={() => undefined} />);
    expect(container.querySelector('.tabs--default .tabs__item--current')).not.toBeNull();
  });
});
