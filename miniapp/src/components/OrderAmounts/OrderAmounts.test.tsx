import { describe, expect, it } from '@jest/globals';
import { render } from '@testing-library/react';
import OrderAmounts from '.';

const paid = { status: 'partially_refunded' as const, amountFen: 5000, discountFen: 1000, payableFen: 4000, refundedFen: 1500 };

describe('OrderAmounts', () => {
  it('the list card: 订单金额, 消费券抵扣, 实付, 已退款 under order-card__*', () => {
    const { container } = render(<OrderAmounts order={paid} block="order-card" />);
    const rows = [...container.querySelectorAll('.order-card__row')].map((r) => r.textContent);
    expect(rows).toEqual(['订单金额¥50.00', '消费券抵扣-¥10.00', '实付¥40.00', '已退款¥15.00']);
    expect(container.querySelector('.order-card__payable')?.textContent).toBe('¥40.00');
  });

  it('the detail page: 原价 and 已退款（原路退回）, muted labels, under order-detail__*', () => {
    const { container } = render(<OrderAmounts order={paid} block="order-detail" />);
    const rows = [...container.querySelectorAll('.order-detail__row')].map((r) => r.textContent);
    expect(rows).toEqual(['原价¥50.00', '消费券抵扣-¥10.00', '实付¥40.00', '已退款（原路退回）¥15.00']);
    expect(container.querySelectorAll('.order-detail__row .cs-muted')).toHaveLength(4);
  });

  it('a pending order is 应付, and no voucher or refund rows when there are none', () => {
    const { container } = render(
      <OrderAmounts order={{ status: 'pending', amountFen: 3000, discountFen: 0, payableFen: 3000, refundedFen: 0 }} block="order-card" />,
    );
    const rows = [...container.querySelectorAll('.order-card__row')].map((r) => r.textContent);
    expect(rows).toEqual(['订单金额¥30.00', '应付¥30.00']);
  });
});
