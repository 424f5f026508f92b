import { describe, expect, it } from '@jest/globals';
import { render } from '@testing-library/react';
import VoucherCard from '.';

const base = { name: '冬季健身券', validFrom: '2026-01-01T00:00:00Z', validTo: '2027-12-31T15:59:59Z', sports: [], venueIds: [] };

describe('VoucherCard', () => {
  it('shows an amount voucher as ¥ figure with its minimum spend', () => {
    const { container } = render(
      <VoucherCard voucher={{ ...base, kind: 'amount', faceFen: 1000, percentOff: 0, maxDiscountFen: 0, minSpendFen: 5000 }} />,
    );
    expect(container.querySelector('.voucher-card__value')?.textContent).toBe('¥10');
    expect(container.querySelector('.voucher-card__min')?.textContent).toBe('满50元可用');
    expect(container.querySelector('.voucher-card__scope')?.textContent).toBe('全部场馆通用');
    expect(container.querySelector('.voucher-card__valid')?.textContent).toBe('有效期至 2027.12.31 23:59');
    expect(container.querySelector('.voucher-card__headline')?.textContent).toBe('满50减10元');
  });

  it('shows a percent voucher as 折 with its cap, in the pay sheet’s classes', () => {
    const { container } = render(
      <VoucherCard
        block="voucher-option"
        voucher={{ ...base, kind: 'percent', faceFen: 0, percentOff: 20, maxDiscountFen: 3000, minSpendFen: 0, sports: ['badminton'] }}
        note={<span className="voucher-option__save">本单可减¥10.00</span>}
      />,
    );
    expect(container.querySelector('.voucher-option__value')?.textContent).toBe('8折');
    expect([...container.querySelectorAll('.voucher-option__terms')].map((e) => e.textContent)).toEqual(['无门槛', '最高减30元']);
    expect(container.querySelector('.voucher-option__valid')?.textContent).toBe('限羽毛球');
    expect(container.querySelector('.voucher-option__save')).not.toBeNull();
    expect(container.querySelector('.voucher-option__headline')?.textContent).toBe('8折 最高减30元');
  });

  it('names the venues a restricted voucher is for', () => {
    const { container } = render(
      <VoucherCard
        voucher={{
          ...base,
          kind: 'amount',
          faceFen: 500,
          percentOff: 0,
          maxDiscountFen: 0,
          minSpendFen: 0,
          venueIds: ['a', 'b'],
          venueNames: ['苏州市体育中心', '吴中区全民健身中心'],
        }}
      />,
    );
    expect(container.querySelector('.voucher-card__scope')?.textContent).toBe('限苏州市体育中心、吴中区全民健身中心使用');
    expect(container.querySelector('.voucher-card__headline')?.textContent).toBe('5元无门槛');
  });
});
