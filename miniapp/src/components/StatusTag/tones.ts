import type { BookingStatus, OrderStatus } from '@citysport/shared';
import type { StatusTone } from '.';

export const BOOKING_TONE: Record<BookingStatus, StatusTone> = {
  held: 'warning',
  confirmed: 'success',
  used: 'muted',
  cancelled: 'muted',
  expired: 'muted',
  no_show: 'danger',
};

export const ORDER_TONE: Record<OrderStatus, StatusTone> = {
  pending: 'warning',
  paid: 'success',
  refunding: 'info',
  refunded: 'muted',
  partially_refunded: 'info',
  closed: 'muted',
};
