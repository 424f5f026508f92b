import { useCallback, useEffect, useRef, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { ORDER_STATUS_LABELS_ZH, type Order } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh, isApiError } from '../../api/errors';
import Screen from '../../components/Screen';
import Sheet from '../../components/Sheet';
import { EmptyState, ErrorState, SkeletonList } from '../../components/StateView';
import { ensureLoggedIn } from '../../stores/session';
import { mmss, useNow } from '../../utils/time';
import { ORDERS_PAGE, VOUCHER_REFUND_RULE, dateTime, payUrl, yuan } from './lib';
import './pay.scss';

const PAGE_SIZE = 10;
const REASONS = ['行程有变', '时间冲突', '天气原因', '身体不适'];

type Load =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; items: Order[]; nextCursor: string | null; more: 'idle' | 'loading' | 'error' };

interface RefundDraft {
  order: Order;
  reason: string;
  busy: boolean;
  error: { code: string; message: string } | null;
}

const KIND_ZH: Record<Order['kind'], string> = {
  booking: '场地预订',
  event: '赛事报名',
  fitness_test: '体质测试',
  club_dues: '俱乐部会费',
};

export default function OrdersPage() {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [refund, setRefund] = useState<RefundDraft | null>(null);
  const seq = useRef(0);
  const shown = useRef(false);

  const fetchFirst = useCallback(async (quiet = false) => {
    const mine = ++seq.current;
    if (!quiet) setLoad({ state: 'loading' });
    if (!(await ensureLoggedIn(ORDERS_PAGE))) return;
    try {
      const res = await api.pay.myOrders({ limit: PAGE_SIZE }, { toast: false });
      if (mine === seq.current) setLoad({ state: 'ready', items: res.items, nextCursor: res.nextCursor, more: 'idle' });
    } catch (e) {
      if (mine === seq.current) setLoad({ state: 'error', message: errorMessageZh(e) });
    }
  }, []);

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
      const res = await api.pay.myOrders({ cursor, limit: PAGE_SIZE }, { toast: false });
      if (mine !== seq.current) return;
      setLoad((cur) => {
        if (cur.state !== 'ready') return cur;
        const seen = new Set(cur.items.map((o) => o.id));
        return {
          state: 'ready',
          items: [...cur.items, ...res.items.filter((o) => !seen.has(o.id))],
          nextCursor: res.nextCursor,
          more: 'idle',
        };
      });
    } catch {
      if (mine === seq.current) setLoad((cur) => (cur.state === 'ready' ? { ...cur, more: 'error' } : cur));
    }
  }, [load]);

  useReachBottom(() => {
    void loadMore();
  });

  const items = load.state === 'ready' ? load.items : [];
  const now = useNow(
    items.some((o) => o.status === 'pending'),
    1000,
  );

  const submitRefund = async () => {
    if (!refund || refund.busy) return;
    const reason = refund.reason.trim();
    if (reason.length < 2) {
      setRefund({ ...refund, error: { code: 'REASON', message: '请填写退款原因（至少2个字）' } });
      return;
    }
    setRefund({ ...refund, busy: true, error: null });
    try {
      await api.pay.refundOrder(refund.order.id, reason, { toast: false });
      setRefund(null);
      void Taro.showToast({ title: '已申请退款，款项将原路退回', icon: 'none', duration: 2500 });
      void fetchFirst(true);
    } catch (e) {
      const code = isApiError(e) ? e.code : 'UNKNOWN';
      let message = errorMessageZh(e);
      if (code === 'CANCEL_WINDOW_CLOSED') message = `${message}，该预订已不能退款`;
      setRefund((cur) => (cur ? { ...cur, busy: false, error: { code, message } } : cur));
    }
  };

  return (
    <Screen className="orders-page">
      {load.state === 'loading' ? <SkeletonList className="orders-loading" /> : null}
      {load.state === 'error' ? (
        <ErrorState className="orders-error" text="订单加载失败" hint={load.message} onRetry={() => void fetchFirst()} />
      ) : null}
      {load.state === 'ready' && items.length === 0 ? (
        <EmptyState className="orders-empty" text="暂无订单" hint="预订场地、报名赛事后，订单会显示在这里" />
      ) : null}

      {items.map((o) => {
        const left = Date.parse(o.expiresAt) - now;
        const payable = o.status === 'pending' && left > 0;
        const refundable = o.kind === 'booking' && o.status === 'paid';
        return (
          <View key={o.id} className={`order-card cs-card order-card--${o.status}`} data-id={o.id} data-status={o.status}>
            <View className="order-card__head">
              <Text className="order-card__title">{o.description}</Text>
              <Text className={`order-status order-status--${o.status}`}>{ORDER_STATUS_LABELS_ZH[o.status]}</Text>
            </View>
            <Text className="order-card__time">
              {KIND_ZH[o.kind]} · 下单 {dateTime(o.createdAt)}
            </Text>
            <View className="order-card__row">
              <Text>订单金额</Text>
              <Text className="order-card__amount">{yuan(o.amountFen)}</Text>
            </View>
            {o.discountFen > 0 ? (
              <View className="order-card__row">
                <Text>消费券抵扣</Text>
                <Text className="order-card__discount">-{yuan(o.discountFen)}</Text>
              </View>
            ) : null}
            <View className="order-card__row">
              <Text>{o.status === 'pending' || o.status === 'closed' ? '应付' : '实付'}</Text>
              <Text className="order-card__payable">{yuan(o.payableFen)}</Text>
            </View>
            {o.refundedFen > 0 ? (
              <View className="order-card__row">
                <Text>已退款</Text>
                <Text className="order-card__refunded">{yuan(o.refundedFen)}</Text>
              </View>
            ) : null}
            {o.note ? <Text className="order-card__note">{o.note}</Text> : null}
            {payable || refundable ? (
              <View className="order-card__actions">
                {payable ? (
                  <>
                    <Text className="order-card__left cs-muted">剩余 {mmss(left)}</Text>
                    <Button className="order-pay" size="small" type="primary" onClick={() => void Taro.navigateTo({ url: payUrl(o.id) })}>
                      去支付
                    </Button>
                  </>
                ) : null}
                {refundable ? (
                  <Button
                    className="order-refund"
                    size="small"
                    fill="outline"
                    onClick={() => setRefund({ order: o, reason: '', busy: false, error: null })}
                  >
                    申请退款
                  </Button>
                ) : null}
              </View>
            ) : null}
          </View>
        );
      })}

      {load.state === 'ready' && items.length > 0 ? (
        <View className="pay-more">
          {load.nextCursor ? (
            load.more === 'loading' ? (
              <Text className="pay-more__text orders-more-loading">加载中…</Text>
            ) : (
              <View className="pay-more__button orders-load-more" onClick={() => void loadMore()}>
                {load.more === 'error' ? '加载失败，点击重试' : '加载更多'}
              </View>
            )
          ) : (
            <Text className="pay-more__text orders-no-more">没有更多了</Text>
          )}
        </View>
      ) : null}

      <Sheet
        open={!!refund}
        title="申请退款"
        className="refund-sheet"
        onClose={() => (refund?.busy ? undefined : setRefund(null))}
        footer={
          <Button className="refund-submit" type="danger" block loading={refund?.busy} onClick={() => void submitRefund()}>
            确认退款
          </Button>
        }
      >
        {refund ? (
          <View>
            <Text className="refund-sheet__lead">
              退款将取消「{refund.order.description}」
              {refund.order.payableFen > refund.order.refundedFen
                ? `，${yuan(refund.order.payableFen - refund.order.refundedFen)}将原路退回。`
                : '。'}
            </Text>
            <View className="refund-reasons">
              {REASONS.map((r) => (
                <View
                  key={r}
                  className={`refund-reason-chip${refund.reason === r ? ' refund-reason-chip--on' : ''}`}
                  onClick={() => setRefund({ ...refund, reason: r, error: null })}
                >
                  {r}
                </View>
              ))}
            </View>
            <Input
              className="refund-reason"
              value={refund.reason}
              maxlength={80}
              placeholder="请填写退款原因"
              onInput={(e) => {
                const v = e.detail.value;
                setRefund((cur) => (cur ? { ...cur, reason: v, error: null } : cur));
              }}
            />
            <Text className="refund-sheet__rule">{VOUCHER_REFUND_RULE}</Text>
            {refund.error ? (
              <Text className="refund-sheet__error refund-error" data-code={refund.error.code}>
                {refund.error.message}
              </Text>
            ) : null}
          </View>
        ) : null}
      </Sheet>
    </Screen>
  );
}
