import { useCallback, useEffect, useMemo, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { formatPrice, type Booking, type Slot, type VenueDetail } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh, isApiError } from '../../api/errors';
import { IS_H5 } from '../../api/config';
import Screen from '../../components/Screen';
import { ErrorState, SkeletonList } from '../../components/StateView';
import { ensureLoggedIn } from '../../stores/session';
import { MAX_PLACES, UNBOOKABLE_HINT, minutesText, newIdempotencyKey, slotState, sportLabel } from '../../utils/booking';
import { param } from '../../utils/params';
import { dayTitle, hhmm, mmss, timeRange, useNow } from '../../utils/time';
import './confirm.scss';

const REMINDER_TEMPLATE = 'booking_reminder';
const MINE_PAGE = '/packages/booking/mine';
/** errors after which the user has to pick other slots */
const RESELECT_CODES = ['SLOT_SOLD_OUT', 'SLOT_CLOSED', 'SLOT_STARTED', 'SLOT_NOT_RELEASED', 'SLOT_NOT_FOUND'];

type Load =
  { state: 'loading' } | { state: 'error'; message: string; reselect: boolean } | { state: 'ready'; venue: VenueDetail; slots: Slot[] };

interface SubmitError {
  code: string;
  message: string;
}

/** Ask for the booking-reminder subscribe message (weapp only) and record the answer; never throws. */
async function askReminderConsent(): Promise<void> {
  if (IS_H5) return;
  try {
    const res = (await Taro.requestSubscribeMessage({
      tmplIds: [REMINDER_TEMPLATE],
    } as Taro.requestSubscribeMessage.Option)) as unknown as Record<string, string>;
    const accepted = res[REMINDER_TEMPLATE] === 'accept';
    await api.subscriptionConsent([REMINDER_TEMPLATE], accepted, { toast: false });
  } catch {
    /* declined, unsupported or offline: booking goes on without reminders */
  }
}

function goMine() {
  void Taro.redirectTo({ url: MINE_PAGE }).catch(() => Taro.navigateTo({ url: MINE_PAGE }));
}

export default function ConfirmPage() {
  const { params } = useRouter();
  const venueId = param(params.venueId);
  const date = param(params.date);
  const slotIds = useMemo(() => param(params.slotIds).split(',').filter(Boolean), [params.slotIds]);
  const quantity = Math.max(1, Math.min(MAX_PLACES, Number.parseInt(param(params.quantity), 10) || 1));

  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [companions, setCompanions] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [booking, setBooking] = useState<Booking | null>(null);
  const [error, setError] = useState<SubmitError | null>(null);
  // one key per visit: a retry after a network error returns the same booking
  const [idemKey] = useState(() => newIdempotencyKey());

  const selfUrl = `/packages/booking/confirm?venueId=${encodeURIComponent(venueId)}&date=${date}&slotIds=${slotIds.join(',')}&quantity=${quantity}`;

  const fetchAll = useCallback(async () => {
    if (!venueId || !date || !slotIds.length) {
      setLoad({ state: 'error', message: '预订信息不完整，请返回重新选择', reselect: true });
      return;
    }
    setLoad({ state: 'loading' });
    try {
      const [{ venue }, { items }] = await Promise.all([
        api.venue(venueId, { toast: false }),
        api.slots(venueId, { date }, { toast: false }),
      ]);
      const picked = slotIds.map((id) => items.find((s) => s.id === id)).filter((s): s is Slot => !!s);
      if (picked.length !== slotIds.length) {
        setLoad({ state: 'error', message: '所选时段已不存在，请返回重新选择', reselect: true });
        return;
      }
      picked.sort((a, b) => a.startAt.localeCompare(b.startAt));
      setLoad({ state: 'ready', venue, slots: picked });
    } catch (e) {
      setLoad({ state: 'error', message: errorMessageZh(e), reselect: false });
    }
  }, [venueId, date, slotIds]);

  useEffect(() => {
    void ensureLoggedIn(selfUrl).then((ok) => {
      if (ok) void fetchAll();
    });
  }, [fetchAll, selfUrl]);

  const now = useNow(!!booking && booking.status === 'held');

  const back = () => {
    const pages = Taro.getCurrentPages();
    if (pages.length > 1) void Taro.navigateBack();
    else void Taro.redirectTo({ url: `/packages/booking/slots?venueId=${encodeURIComponent(venueId)}&date=${date}` });
  };

  if (load.state === 'loading') {
    return (
      <Screen className="confirm-page">
        <SkeletonList className="confirm-loading" count={2} />
      </Screen>
    );
  }
  if (load.state === 'error') {
    return (
      <Screen className="confirm-page">
        {load.reselect ? (
          <View className="state-view confirm-invalid">
            <Text className="state-view__text">{load.message}</Text>
            <Button className="confirm-back" type="primary" onClick={back}>
              返回重新选择
            </Button>
          </View>
        ) : (
          <ErrorState className="confirm-load-error" text="预订信息加载失败" hint={load.message} onRetry={() => void fetchAll()} />
        )}
      </Screen>
    );
  }

  const { venue, slots } = load;
  const first = slots[0];
  const last = slots[slots.length - 1];
  const isSession = quantity > 1 || first.capacity > 1;
  const totalFen = slots.reduce((s, x) => s + x.priceFen, 0) * quantity;
  const blocked = slots.map(slotState).find((st) => st.key !== 'open' && st.key !== 'few');
  const companionSlots = Math.min(quantity - 1, venue.rules.maxCompanions);
  const cancelBy = Date.parse(first.startAt) - venue.rules.cancelCutoffMinutes * 60_000;

  const submit = async () => {
    if (busy || blocked) return;
    setBusy(true);
    setError(null);
    // weapp: the subscribe dialog must come straight from the tap, before the booking request
    await askReminderConsent();
    try {
      const names = companions
        .slice(0, companionSlots)
        .map((n) => n.trim())
        .filter(Boolean)
        .map((name) => ({ name }));
      const res = await api.createBooking({ slotIds: slots.map((s) => s.id), quantity, companions: names }, idemKey, { toast: false });
      setBooking(res.booking);
    } catch (e) {
      setError({ code: isApiError(e) ? e.code : 'UNKNOWN', message: errorMessageZh(e) });
    } finally {
      setBusy(false);
    }
  };

  const summary = (
    <View className="confirm-summary cs-card">
      <Text className="confirm-summary__venue confirm-venue">{venue.name}</Text>
      <View className="confirm-row">
        <Text className="confirm-row__label">场地</Text>
        <Text className="confirm-row__value confirm-resource">
          {first.resourceName.includes(sportLabel(first.sport))
            ? first.resourceName
            : `${first.resourceName}（${sportLabel(first.sport)}）`}
        </Text>
      </View>
      <View className="confirm-row">
        <Text className="confirm-row__label">日期</Text>
        <Text className="confirm-row__value confirm-date">{dayTitle(date)}</Text>
      </View>
      <View className="confirm-row">
        <Text className="confirm-row__label">时间</Text>
        <Text className="confirm-row__value confirm-time">
          {timeRange(first.startAt, last.endAt)}
          {slots.length > 1 ? `（${slots.length}个时段）` : ''}
        </Text>
      </View>
      <View className="confirm-row">
        <Text className="confirm-row__label">{isSession ? '人数' : '数量'}</Text>
        <Text className="confirm-row__value confirm-places">{isSession ? `${quantity}人` : '整场'}</Text>
      </View>
      <View className="confirm-row confirm-row--total">
        <Text className="confirm-row__label">合计</Text>
        <Text className={`confirm-total${totalFen === 0 ? ' confirm-total--free' : ''}`}>{formatPrice(totalFen)}</Text>
      </View>
    </View>
  );

  if (booking) {
    const held = booking.status === 'held';
    const left = booking.holdExpiresAt ? Date.parse(booking.holdExpiresAt) - now : 0;
    return (
      <Screen className="confirm-page">
        <View
          className={`confirm-result cs-card ${held ? 'confirm-result--held' : 'confirm-result--success'}`}
          data-booking-id={booking.id}
        >
          <View className={`confirm-result__icon${held ? ' confirm-result__icon--held' : ''}`}>{held ? '¥' : '✓'}</View>
          {held ? (
            <>
              <View className="confirm-result__title confirm-held-title">
                <Text className="confirm-result__line">订单已生成，</Text>
                <Text className="confirm-result__line">
                  请在 {booking.holdExpiresAt ? hhmm(booking.holdExpiresAt) : '--:--'} 前完成支付
                </Text>
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
          <Button className="confirm-go-mine" type="primary" fill={held ? 'outline' : 'solid'} block onClick={goMine}>
            查看我的预订
          </Button>
        </View>
        {summary}
      </Screen>
    );
  }

  const reselect = !!error && RESELECT_CODES.includes(error.code);

  return (
    <Screen className="confirm-page with-bottom-bar">
      {error ? (
        <View className="confirm-error cs-card" data-code={error.code}>
          <Text className="confirm-error__text">{error.message}</Text>
          {reselect ? (
            <Button className="confirm-back" type="primary" fill="outline" onClick={back}>
              返回重新选择
            </Button>
          ) : null}
          {error.code === 'BOOKING_LIMIT_REACHED' ? (
            <Button className="confirm-go-mine" type="primary" fill="outline" onClick={goMine}>
              查看我的预订
            </Button>
          ) : null}
        </View>
      ) : null}

      {summary}

      {blocked ? (
        <View className="confirm-warning confirm-blocked">
          <Text>{UNBOOKABLE_HINT[blocked.key as keyof typeof UNBOOKABLE_HINT]}，请返回重新选择</Text>
        </View>
      ) : null}

      {companionSlots > 0 ? (
        <View className="confirm-companions cs-card">
          <Text className="confirm-section-title">同行人（选填）</Text>
          {Array.from({ length: companionSlots }, (_, i) => (
            <View key={i} className="confirm-input-row">
              <Text className="confirm-input-row__label">同行人{i + 1}</Text>
              <Input
                className={`confirm-input companion-input companion-input--${i}`}
                value={companions[i] ?? ''}
                maxlength={20}
                placeholder={venue.rules.companionRealName ? '请输入真实姓名' : '姓名或称呼'}
                onInput={(e) => {
                  const v = e.detail.value;
                  setCompanions((cur) => {
                    const next = [...cur];
                    next[i] = v;
                    return next;
                  });
                }}
              />
            </View>
          ))}
        </View>
      ) : null}

      <View className="confirm-notes cs-card">
        <Text className="confirm-section-title">预订须知</Text>
        <Text className="confirm-note confirm-cancel-note">
          {venue.rules.cancelCutoffMinutes > 0
            ? `开场前${minutesText(venue.rules.cancelCutoffMinutes)}（${dayTitle(date)} ${hhmm(cancelBy)} 前）可免费取消，之后不可取消`
            : '开场前均可免费取消'}
        </Text>
        {totalFen > 0 ? (
          <>
            <Text className="confirm-note">提交后请在{venue.rules.holdMinutes}分钟内完成支付，超时订单将自动取消</Text>
            <Text className="confirm-note">已支付的订单取消后将原路退款</Text>
          </>
        ) : (
          <Text className="confirm-note">免费时段提交即预订成功，不来请提前取消，以免影响他人</Text>
        )}
        <Text className="confirm-note">
          累计爽约{venue.rules.noShowLimit}次将暂停预订{venue.rules.banDays}天
        </Text>
      </View>

      <View className="bottom-bar confirm-bar">
        <View className="confirm-bar__info">
          <Text className="confirm-bar__label">合计</Text>
          <Text className={`confirm-bar__total${totalFen === 0 ? ' confirm-bar__total--free' : ''}`}>{formatPrice(totalFen)}</Text>
        </View>
        <Button
          className="confirm-bar__button confirm-submit"
          type="primary"
          loading={busy}
          disabled={!!blocked || reselect}
          onClick={() => void submit()}
        >
          {error && !reselect ? '重新提交' : '提交预订'}
        </Button>
      </View>
    </Screen>
  );
}
