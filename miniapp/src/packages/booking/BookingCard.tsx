import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { BOOKING_STATUS_LABELS_ZH, REVIEW_STATUS_LABELS_ZH, formatPrice, type Booking, type ReviewEligibility } from '@citysport/shared';
import StatusTag from '../../components/StatusTag';
import { BOOKING_TONE } from '../../components/StatusTag/tones';
import { sportLabel } from '../../utils/booking';
import { dayTitle, mmss, timeRange } from '../../utils/time';

export function canCancel(b: Booking, now: number): boolean {
  return (b.status === 'held' || b.status === 'confirmed') && now < Date.parse(b.cancelDeadline);
}

/** paid (confirmed with an amount): cancelling refunds */
export function isPaid(b: Booking): boolean {
  return b.status === 'confirmed' && b.amountFen > 0;
}

interface BookingCardProps {
  booking: Booking;
  now: number;
  cancelling: boolean;
  onCancel: () => void;
  /** 消费评价: whether this used booking may be reviewed, or its review's state */
  review?: ReviewEligibility;
}

/** the review form for a used booking (its venue) */
export function reviewUrl(b: Booking): string {
  const q = { targetKind: 'venue', targetId: b.venueId, sourceKind: 'booking', sourceId: b.id, name: b.venueName };
  return `/packages/review/index?${Object.entries(q)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')}`;
}

function Row({ label, value, className }: { label: string; value: string; className: string }) {
  return (
    <View className="booking-card__row">
      <Text className="booking-card__label">{label}</Text>
      <Text className={`booking-card__value ${className}`}>{value}</Text>
    </View>
  );
}

/** One booking of 我的预订: what, when, how many, how much, and what can be done with it now. */
export default function BookingCard({ booking: b, now, cancelling, onCancel, review }: BookingCardProps) {
  const held = b.status === 'held';
  const holdLeft = held && b.holdExpiresAt ? Date.parse(b.holdExpiresAt) - now : 0;
  const cancellable = canCancel(b, now);
  return (
    <View className={`booking-card cs-card booking-card--${b.status}`} data-id={b.id} data-status={b.status}>
      <View className="booking-card__head">
        <Text className="booking-card__venue">{b.venueName}</Text>
        <StatusTag
          text={BOOKING_STATUS_LABELS_ZH[b.status]}
          tone={BOOKING_TONE[b.status]}
          className={`booking-card__status booking-status booking-status--${b.status}`}
        />
      </View>
      <Text className="booking-card__resource">
        {b.resourceName} · {sportLabel(b.sport)}
      </Text>
      <View className="booking-card__rows">
        <Row label="时间" className="booking-card__time" value={`${dayTitle(b.day)} ${timeRange(b.startAt, b.endAt)}`} />
        <Row
          label="人数"
          className="booking-card__places"
          value={`${b.quantity}人${b.companions.length ? `（同行：${b.companions.map((c) => c.name).join('、')}）` : ''}`}
        />
        {b.paidFen !== null && b.paidFen !== b.amountFen ? (
          // a voucher paid part of it: show what was paid, with the list price beside it
          <Row
            label="实付"
            className="booking-card__amount booking-card__amount--paid"
            value={`${formatPrice(b.paidFen)}（原价 ${formatPrice(b.amountFen)}）`}
          />
        ) : (
          <Row
            label={b.paidFen !== null ? '实付' : '金额'}
            className={`booking-card__amount${b.amountFen === 0 ? ' booking-card__amount--free' : ''}`}
            value={formatPrice(b.amountFen)}
          />
        )}
        {b.status === 'cancelled' && b.cancelReason ? <Row label="原因" className="booking-card__reason" value={b.cancelReason} /> : null}
      </View>

      {held && holdLeft > 0 ? (
        <View className="booking-card__hold booking-hold">
          <Text>
            待支付，剩余 <Text className="booking-hold__left">{mmss(holdLeft)}</Text>，超时自动取消
          </Text>
        </View>
      ) : null}

      {held || cancellable || b.status === 'confirmed' ? (
        <View className="booking-card__actions">
          {cancellable ? (
            <Button className="booking-cancel" size="small" fill="outline" loading={cancelling} onClick={onCancel}>
              取消预订
            </Button>
          ) : null}
          {b.status === 'confirmed' ? (
            <Button
              className="booking-tickets"
              size="small"
              type="primary"
              onClick={() => void Taro.navigateTo({ url: `/packages/ticket/index?bookingId=${encodeURIComponent(b.id)}` })}
            >
              入场码
            </Button>
          ) : null}
          {held && holdLeft > 0 && b.orderId ? (
            <Button
              className="booking-pay"
              size="small"
              type="primary"
              onClick={() => void Taro.navigateTo({ url: `/packages/pay/index?orderId=${encodeURIComponent(b.orderId ?? '')}` })}
            >
              去支付
            </Button>
          ) : null}
        </View>
      ) : null}
      {review?.eligible ? (
        <View className="booking-card__actions">
          <Button className="booking-review" size="small" type="primary" onClick={() => void Taro.navigateTo({ url: reviewUrl(b) })}>
            评价
          </Button>
        </View>
      ) : review?.review ? (
        <Text className="booking-card__note booking-reviewed">
          {review.review.status === 'published' ? '已评价' : `评价${REVIEW_STATUS_LABELS_ZH[review.review.status as 'published'] ?? ''}`}
        </Text>
      ) : null}
      {cancellable && isPaid(b) ? <Text className="booking-card__note">已支付的订单将原路退款</Text> : null}
    </View>
  );
}
