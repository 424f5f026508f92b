import { beforeEach, describe, expect, it } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react';
import type { Booking } from '@citysport/shared';
import { calls, resetTaro } from '../../../test/stand-ins/taro';
import BookingCard from './BookingCard';

const NOW = Date.parse('2026-12-02T02:00:00Z');
const held: Booking = {
  id: 'b1',
  status: 'held',
  venueId: 'v1',
  venueName: '苏州市体育中心',
  resourceId: 'r1',
  resourceName: '羽毛球1号场',
  sport: 'badminton',
  day: '2026-12-03',
  slotIds: ['s1'],
  startAt: '2026-12-03T02:00:00Z',
  endAt: '2026-12-03T04:00:00Z',
  quantity: 1,
  companions: [],
  amountFen: 4000,
  paidFen: null,
  holdExpiresAt: new Date(NOW + 9 * 60_000 + 52_000).toISOString(),
  orderId: 'o1',
  cancelDeadline: '2026-12-03T00:00:00Z',
  createdAt: '2026-12-02T01:50:00Z',
  cancelledAt: null,
  cancelReason: null,
};

describe('BookingCard (我的预订)', () => {
  beforeEach(() => resetTaro());

  it('a held booking: status in words, the hold countdown, cancel and pay', () => {
    let cancelled = 0;
    const { container } = render(<BookingCard booking={held} now={NOW} cancelling={false} onCancel={() => (cancelled += 1)} />);
    expect(container.querySelector('.booking-status--held')?.textContent).toContain('待支付');
    expect(container.querySelector('.booking-hold__left')?.textContent).toBe('09:52');
    fireEvent.click(screen.getByText('取消预订'));
    expect(cancelled).toBe(1);
    fireEvent.click(screen.getByText('去支付'));
    expect(calls.navigations).toEqual(['/packages/pay/index?orderId=o1']);
  });

  it('a hold that has run out offers no payment; past the cut-off no cancel either', () => {
    const late = Date.parse('2026-12-03T01:00:00Z');
    render(<BookingCard booking={held} now={late} cancelling={false} onCancel={() => undefined} />);
    expect(screen.queryByText('去支付')).toBeNull();
    expect(screen.queryByText('取消预订')).toBeNull();
  });

  it('a paid booking says cancelling refunds and offers the tickets', () => {
    const paid = { ...held, status: 'confirmed' as const, holdExpiresAt: null };
    const { container } = render(<BookingCard booking={paid} now={NOW} cancelling={false} onCancel={() => undefined} />);
    expect(container.querySelector('.booking-status--confirmed')?.textContent).toContain('已预订');
    expect(container.querySelector('.booking-card__note')?.textContent).toBe('已支付的订单将原路退款');
    fireEvent.click(screen.getByText('入场码'));
    expect(calls.navigations).toEqual(['/packages/ticket/index?bookingId=b1']);
  });

  it('paid with a voucher: the card shows what was paid, with the list price beside it', () => {
    const paid: Booking = { ...held, status: 'confirmed', amountFen: 8000, paidFen: 7500, holdExpiresAt: null };
    const { container } = render(<BookingCard booking={paid} now={NOW} cancelling={false} onCancel={() => undefined} />);
    expect(container.querySelector('.booking-card__amount--paid')?.textContent).toBe('¥75.00（原价 ¥80.00）');
    const full: Booking = { ...paid, paidFen: 8000 };
    const again = render(<BookingCard booking={full} now={NOW} cancelling={false} onCancel={() => undefined} />);
    expect(again.container.querySelector('.booking-card__amount')?.textContent).toBe('¥80.00');
    expect(again.container.querySelector('.booking-card__amount--paid')).toBeNull();
  });
});
