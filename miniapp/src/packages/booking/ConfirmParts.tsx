import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { formatPrice, type Booking, type Slot, type VenueDetail } from '@citysport/shared';
import { minutesText, sportLabel } from '../../utils/booking';
import { dayTitle, hhmm, mmss, timeRange } from '../../utils/time';

function Row({ label, value, className }: { label: string; value: string; className: string }) {
  return (
    <View className="confirm-row">
      <Text className="confirm-row__label">{label}</Text>
      <Text className={`confirm-row__value ${className}`}>{value}</Text>
    </View>
  );
}

/** What is being booked: venue, court, day, time, places and the total. */
export function ConfirmSummary({ venue, slots, date, quantity }: { venue: VenueDetail; slots: Slot[]; date: string; quantity: number }) {
  const first = slots[0];
  const last = slots[slots.length - 1];
  const isSession = quantity > 1 || first.capacity > 1;
  const totalFen = slots.reduce((s, x) => s + x.priceFen, 0) * quantity;
  const sport = sportLabel(first.sport);
  return (
    <View className="confirm-summary cs-card">
      <Text className="confirm-summary__venue confirm-venue">{venue.name}</Text>
      <Row
        label="场地"
        className="confirm-resource"
        value={first.resourceName.includes(sport) ? first.resourceName : `${first.resourceName}（${sport}）`}
      />
      <Row label="日期" className="confirm-date" value={dayTitle(date)} />
      <Row
        label="时间"
        className="confirm-time"
        value={`${timeRange(first.startAt, last.endAt)}${slots.length > 1 ? `（${slots.length}个时段）` : ''}`}
      />
      <Row label={isSession ? '人数' : '数量'} className="confirm-places" value={isSession ? `${quantity}人` : '整场'} />
      <View className="confirm-row confirm-row--total">
        <Text className="confirm-row__label">合计</Text>
        <Text className={`confirm-total${totalFen === 0 ? ' confirm-total--free' : ''}`}>{formatPrice(totalFen)}</Text>
      </View>
    </View>
  );
}

/** After submitting: 预订成功, or 订单已生成 with the time left to pay. */
export function ConfirmResult({ booking, now, onMine }: { booking: Booking; now: number; onMine: () => void }) {
  const held = booking.status === 'held';
  const left = booking.holdExpiresAt ? Date.parse(booking.holdExpiresAt) - now : 0;
  return (
    <View className={`confirm-result cs-card ${held ? 'confirm-result--held' : 'confirm-result--success'}`} data-booking-id={booking.id}>
      <View className={`confirm-result__icon${held ? ' confirm-result__icon--held' : ''}`}>{held ? '¥' : '✓'}</View>
      {held ? (
        <>
          <View className="confirm-result__title confirm-held-title">
            <Text className="confirm-result__line">订单已生成，</Text>
            <Text className="confirm-result__line">请在 {booking.holdExpiresAt ? hhmm(booking.holdExpiresAt) : '--:--'} 前完成支付</Text>
          </View>
          <Text className="confirm-result__amount confirm-payable">应付 {formatPrice(booking.amountFen)}</Text>
          {booking.holdExpiresAt && left > 0 ? (
            <Text className="confirm-result__hint confirm-hold-left">剩余 {mmss(left)}，超时订单将自动取消</Text>
          ) : null}
          {booking.orderId ? (
            <Button
              className="confirm-pay"
              type="primary"
              block
              disabled={!!booking.holdExpiresAt && left <= 0}
              onClick={() => void Taro.navigateTo({ url: `/packages/pay/index?orderId=${encodeURIComponent(booking.orderId ?? '')}` })}
            >
              去支付
            </Button>
          ) : null}
        </>
      ) : (
        <>
          <Text className="confirm-result__title confirm-success-title">预订成功</Text>
          <Text className="confirm-result__hint">请按时到场，入场时出示预订记录</Text>
        </>
      )}
      <Button className="confirm-go-mine" type="primary" fill={held ? 'outline' : 'solid'} block onClick={onMine}>
        查看我的预订
      </Button>
    </View>
  );
}

interface CompanionsProps {
  count: number;
  names: string[];
  realName: boolean;
  onChange: (names: string[]) => void;
}

/** 同行人（选填）: one name per extra place, up to the venue's limit. */
export function Companions({ count, names, realName, onChange }: CompanionsProps) {
  if (count <= 0) return null;
  return (
    <View className="confirm-companions cs-card">
      <Text className="confirm-section-title">同行人（选填）</Text>
      {Array.from({ length: count }, (_, i) => (
        <View key={i} className="confirm-input-row">
          <Text className="confirm-input-row__label">同行人{i + 1}</Text>
          <Input
            className={`confirm-input companion-input companion-input--${i}`}
            value={names[i] ?? ''}
            maxlength={20}
            placeholder={realName ? '请输入真实姓名' : '姓名或称呼'}
            onInput={(e) => {
              const next = [...names];
              next[i] = e.detail.value;
              onChange(next);
            }}
          />
        </View>
      ))}
    </View>
  );
}

/** 预订须知: cancellation, payment time, refunds and the no-show rule of this venue. */
export function ConfirmNotes({ venue, date, startAt, totalFen }: { venue: VenueDetail; date: string; startAt: string; totalFen: number }) {
  const r = venue.rules;
  const cancelBy = Date.parse(startAt) - r.cancelCutoffMinutes * 60_000;
  return (
    <View className="confirm-notes cs-card">
      <Text className="confirm-section-title">预订须知</Text>
      <Text className="confirm-note confirm-cancel-note">
        {r.cancelCutoffMinutes > 0
          ? `开场前${minutesText(r.cancelCutoffMinutes)}（${dayTitle(date)} ${hhmm(cancelBy)} 前）可免费取消，之后不可取消`
          : '开场前均可免费取消'}
      </Text>
      {totalFen > 0 ? (
        <>
          <Text className="confirm-note">提交后请在{r.holdMinutes}分钟内完成支付，超时订单将自动取消</Text>
          <Text className="confirm-note">已支付的订单取消后将原路退款</Text>
        </>
      ) : (
        <Text className="confirm-note">免费时段提交即预订成功，不来请提前取消，以免影响他人</Text>
      )}
      <Text className="confirm-note">
        累计爽约{r.noShowLimit}次将暂停预订{r.banDays}天
      </Text>
    </View>
  );
}
