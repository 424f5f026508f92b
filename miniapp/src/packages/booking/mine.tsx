import { useCallback, useEffect, useRef, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { BOOKING_STATUS_LABELS_ZH, formatPrice, type Booking } from '@citysport/shared';
import { api, type BookingListStatus } from '../../api/endpoints';
import { errorMessageZh } from '../../api/errors';
import Screen from '../../components/Screen';
import { EmptyState, ErrorState, SkeletonList } from '../../components/StateView';
import { ensureLoggedIn } from '../../stores/session';
import { sportLabel } from '../../utils/booking';
import { dayTitle, mmss, timeRange, useNow } from '../../utils/time';
import './mine.scss';

const PAGE_SIZE = 10;
const MINE_PAGE = '/packages/booking/mine';

type Tab = Exclude<BookingListStatus, 'all'>;
const TABS: { key: Tab; label: string }[] = [
  { key: 'active', label: '进行中' },
  { key: 'past', label: '已结束' },
];

type Load =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; items: Booking[]; nextCursor: string | null; more: 'idle' | 'loading' | 'error' };

function canCancel(b: Booking, now: number): boolean {
  return (b.status === 'held' || b.status === 'confirmed') && now < Date.parse(b.cancelDeadline);
}

/** paid (confirmed with an amount): cancelling refunds */
function isPaid(b: Booking): boolean {
  return b.status === 'confirmed' && b.amountFen > 0;
}

export default function MyBookingsPage() {
  const [tab, setTab] = useState<Tab>('active');
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [cancelling, setCancelling] = useState<string | null>(null);
  const seq = useRef(0);
  const shown = useRef(false);

  const fetchFirst = useCallback(
    async (quiet = false) => {
      const mine = ++seq.current;
      if (!quiet) setLoad({ state: 'loading' });
      if (!(await ensureLoggedIn(MINE_PAGE))) return;
      try {
        const res = await api.myBookings({ status: tab, limit: PAGE_SIZE }, { toast: false });
        if (mine === seq.current) setLoad({ state: 'ready', items: res.items, nextCursor: res.nextCursor, more: 'idle' });
      } catch (e) {
        if (mine === seq.current) setLoad({ state: 'error', message: errorMessageZh(e) });
      }
    },
    [tab],
  );

  useEffect(() => {
    void fetchFirst();
  }, [fetchFirst]);

  useDidShow(() => {
    if (shown.current) void fetchFirst(true);
    shown.current = true;
  });

  usePullDownRefresh(() => {
    void fetchFirst(true).finally(() => Taro.stopPullDownRefresh());
  });

  const loadMore = useCallback(async () => {
    if (load.state !== 'ready' || !load.nextCursor || load.more === 'loading') return;
    const mine = seq.current;
    const cursor = load.nextCursor;
    setLoad({ ...load, more: 'loading' });
    try {
      const res = await api.myBookings({ status: tab, cursor, limit: PAGE_SIZE }, { toast: false });
      if (mine !== seq.current) return;
      setLoad((cur) => {
        if (cur.state !== 'ready') return cur;
        const seen = new Set(cur.items.map((b) => b.id));
        return {
          state: 'ready',
          items: [...cur.items, ...res.items.filter((b) => !seen.has(b.id))],
          nextCursor: res.nextCursor,
          more: 'idle',
        };
      });
    } catch {
      if (mine === seq.current) setLoad((cur) => (cur.state === 'ready' ? { ...cur, more: 'error' } : cur));
    }
  }, [load, tab]);

  useReachBottom(() => {
    void loadMore();
  });

  const items = load.state === 'ready' ? load.items : [];
  // every second while a payment hold counts down; otherwise often enough to hide lapsed cancel buttons
  const holding = items.some((b) => b.status === 'held');
  const now = useNow(holding || items.some((b) => canCancel(b, Date.now())), holding ? 1000 : 30_000);

  const cancel = async (b: Booking) => {
    if (cancelling) return;
    const when = `${dayTitle(b.day)} ${timeRange(b.startAt, b.endAt)}`;
    const r = await Taro.showModal({
      title: '取消预订',
      content: `确定取消 ${when} 的预订吗？${isPaid(b) ? '已支付的订单将原路退款。' : ''}`,
      confirmText: '确定取消',
      cancelText: '再想想',
      confirmColor: '#e5484d',
    });
    if (!r.confirm) return;
    setCancelling(b.id);
    try {
      const res = await api.cancelBooking(b.id);
      setLoad((cur) => (cur.state === 'ready' ? { ...cur, items: cur.items.map((x) => (x.id === b.id ? res.booking : x)) } : cur));
      void Taro.showToast({ title: isPaid(b) ? '已取消，将原路退款' : '已取消预订', icon: 'none', duration: 2500 });
    } catch {
      /* the client showed the Chinese message (e.g. 已过可取消时间) */
      void fetchFirst(true);
    } finally {
      setCancelling(null);
    }
  };

  const switchTab = (t: Tab) => {
    if (t === tab) return;
    setLoad({ state: 'loading' });
    setTab(t);
  };

  return (
    <Screen className="mine-page">
      <View className="mine-tabs">
        {TABS.map((t) => (
          <View
            key={t.key}
            className={`mine-tab mine-tab--${t.key}${t.key === tab ? ' mine-tab--current' : ''}`}
            onClick={() => switchTab(t.key)}
          >
            <Text>{t.label}</Text>
          </View>
        ))}
      </View>

      {load.state === 'loading' ? <SkeletonList className="mine-loading" /> : null}
      {load.state === 'error' ? (
        <ErrorState className="mine-error" text="预订记录加载失败" hint={load.message} onRetry={() => void fetchFirst()} />
      ) : null}
      {load.state === 'ready' && items.length === 0 ? (
        <View className="mine-empty-wrap">
          <EmptyState
            className="mine-empty"
            text={tab === 'active' ? '暂无进行中的预订' : '暂无已结束的预订'}
            hint="去场馆页挑选附近的场地吧"
          />
          <Button className="mine-go-venues" type="primary" onClick={() => void Taro.switchTab({ url: '/pages/venues/index' })}>
            去场馆看看
          </Button>
        </View>
      ) : null}

      {items.map((b) => {
        const held = b.status === 'held';
        const holdLeft = held && b.holdExpiresAt ? Date.parse(b.holdExpiresAt) - now : 0;
        const cancellable = canCancel(b, now);
        return (
          <View key={b.id} className={`booking-card cs-card booking-card--${b.status}`} data-id={b.id} data-status={b.status}>
            <View className="booking-card__head">
              <Text className="booking-card__venue">{b.venueName}</Text>
              <Text className={`booking-card__status booking-status booking-status--${b.status}`}>
                {BOOKING_STATUS_LABELS_ZH[b.status]}
              </Text>
            </View>
            <Text className="booking-card__resource">
              {b.resourceName} · {sportLabel(b.sport)}
            </Text>
            <View className="booking-card__rows">
              <View className="booking-card__row">
                <Text className="booking-card__label">时间</Text>
                <Text className="booking-card__value booking-card__time">
                  {dayTitle(b.day)} {timeRange(b.startAt, b.endAt)}
                </Text>
              </View>
              <View className="booking-card__row">
                <Text className="booking-card__label">人数</Text>
                <Text className="booking-card__value booking-card__places">
                  {b.quantity}人{b.companions.length ? `（同行：${b.companions.map((c) => c.name).join('、')}）` : ''}
                </Text>
              </View>
              <View className="booking-card__row">
                <Text className="booking-card__label">金额</Text>
                <Text className={`booking-card__value booking-card__amount${b.amountFen === 0 ? ' booking-card__amount--free' : ''}`}>
                  {formatPrice(b.amountFen)}
                </Text>
              </View>
              {b.status === 'cancelled' && b.cancelReason ? (
                <View className="booking-card__row">
                  <Text className="booking-card__label">原因</Text>
                  <Text className="booking-card__value booking-card__reason">{b.cancelReason}</Text>
                </View>
              ) : null}
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
                  <Button
                    className="booking-cancel"
                    size="small"
                    fill="outline"
                    loading={cancelling === b.id}
                    onClick={() => void cancel(b)}
                  >
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
            {cancellable && isPaid(b) ? <Text className="booking-card__note">已支付的订单将原路退款</Text> : null}
          </View>
        );
      })}

      {load.state === 'ready' && items.length > 0 ? (
        <View className="mine-more">
          {load.nextCursor ? (
            load.more === 'loading' ? (
              <Text className="mine-more__text mine-more-loading">加载中…</Text>
            ) : (
              <View className="mine-more__button mine-load-more" onClick={() => void loadMore()}>
                {load.more === 'error' ? '加载失败，点击重试' : '加载更多'}
              </View>
            )
          ) : (
            <Text className="mine-more__text mine-no-more">没有更多了</Text>
          )}
        </View>
      ) : null}
    </Screen>
  );
}
