import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { ORDER_STATUS_LABELS_ZH, type Order, type ReviewEligibility } from '@citysport/shared';
import OrderAmounts from '../../components/OrderAmounts';
import StatusTag from '../../components/StatusTag';
import { ORDER_TONE } from '../../components/StatusTag/tones';
import { mmss } from '../../utils/time';
import { dateTime, payUrl } from './lib';

export const KIND_ZH: Record<Order['kind'], string> = {
  booking: '场地预订',
  event: '赛事报名',
  fitness_test: '体质测试',
  club_dues: '社团会费',
  club_activity: '社团活动',
  course: '培训课程',
  walkup: '自助购票',
};

/** One order of 我的订单: amounts, the time left to pay, and pay / refund where they apply. */
/** order kind → the review source it is (the rest are not reviewable) */
export const REVIEW_SOURCE_OF: Partial<Record<Order['kind'], string>> = { booking: 'booking', event: 'registration', course: 'enrolment' };

function reviewUrl(o: Order, e: ReviewEligibility): string {
  const q = {
    targetKind: e.target?.kind ?? '',
    targetId: e.target?.id ?? '',
    sourceKind: REVIEW_SOURCE_OF[o.kind] ?? '',
    sourceId: e.sourceId,
    name: o.description,
  };
  return `/packages/review/index?${Object.entries(q)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')}`;
}

export default function OrderCard({
  order: o,
  now,
  onCancel,
  review,
}: {
  order: Order;
  now: number;
  /** 取消预订: the one cancel sheet (bookings) */
  onCancel: () => void;
  /** 消费评价: may this order's booking/entry be reviewed */
  review?: ReviewEligibility;
}) {
  const left = Date.parse(o.expiresAt) - now;
  const payable = o.status === 'pending' && left > 0;
  const cancellable = o.kind === 'booking' && o.status === 'paid' && !!o.refId;
  const open = () => void Taro.navigateTo({ url: `/packages/pay/order?orderId=${encodeURIComponent(o.id)}` });
  return (
    <View className={`order-card cs-card order-card--${o.status}`} data-id={o.id} data-status={o.status}>
      <View className="order-card__head">
        <Text className="order-card__title">{o.description}</Text>
        <StatusTag
          text={ORDER_STATUS_LABELS_ZH[o.status]}
          tone={ORDER_TONE[o.status]}
          className={`order-status order-status--${o.status}`}
        />
      </View>
      <Text className="order-card__time">
        {KIND_ZH[o.kind]} · 下单 {dateTime(o.createdAt)}
      </Text>
      <OrderAmounts order={o} block="order-card" />
      {o.note ? <Text className="order-card__note">{o.note}</Text> : null}
      {review?.eligible ? (
        <View className="order-card__actions">
          <Button className="order-review" size="small" type="primary" onClick={() => void Taro.navigateTo({ url: reviewUrl(o, review) })}>
            评价
          </Button>
        </View>
      ) : review?.review ? (
        <Text className="order-card__note order-reviewed">{review.review.status === 'published' ? '已评价' : '评价审核中'}</Text>
      ) : null}
      <View className="order-card__actions">
        <Button className="order-detail-link" size="small" fill="outline" onClick={open}>
          订单详情
        </Button>
        {payable ? (
          <>
            <Text className="order-card__left cs-muted">剩余 {mmss(left)}</Text>
            <Button className="order-pay" size="small" type="primary" onClick={() => void Taro.navigateTo({ url: payUrl(o.id) })}>
              去支付
            </Button>
          </>
        ) : null}
        {cancellable ? (
          <Button className="order-refund order-cancel" size="small" fill="outline" onClick={onCancel}>
            取消预订
          </Button>
        ) : null}
      </View>
    </View>
  );
}
