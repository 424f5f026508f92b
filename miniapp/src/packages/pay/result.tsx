import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { ORDER_STATUS_LABELS_ZH, type Order } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh } from '../../api/errors';
import Screen from '../../components/Screen';
import { ensureLoggedIn } from '../../stores/session';
import { param } from '../../utils/params';
import { BOOKINGS_PAGE, ORDERS_PAGE, dateTime, payUrl, redirect, resultUrl, yuan } from './lib';

const TICKETS_PAGE = '/packages/ticket/index';
import './pay.scss';

const POLL_MS = 1500;
const POLL_FOR_MS = 30_000;

type Phase = 'checking' | 'settled' | 'timeout';

/** What the page says about an order the server has decided on. */
function verdict(o: Order): { key: 'success' | 'closed' | 'refunded'; icon: string; title: string; hint: string } | null {
  switch (o.status) {
    case 'paid':
      return { key: 'success', icon: '✓', title: '支付成功', hint: o.paidAt ? `支付时间 ${dateTime(o.paidAt)}` : '' };
    case 'closed':
      return { key: 'closed', icon: '×', title: '订单已关闭', hint: o.note ?? '订单未在规定时间内支付，已自动关闭' };
    case 'refunding':
    case 'refunded':
    case 'partially_refunded':
      return { key: 'refunded', icon: '¥', title: ORDER_STATUS_LABELS_ZH[o.status], hint: o.note ?? '款项将原路退回' };
    default:
      return null;
  }
}

export default function PayResultPage() {
  const { params } = useRouter();
  const orderId = param(params.orderId);
  const [order, setOrder] = useState<Order | null>(null);
  const [phase, setPhase] = useState<Phase>('checking');
  const [lastError, setLastError] = useState<string | null>(null);
  const run = useRef(0);

  /** poll until the server decides or POLL_FOR_MS passes; a new call supersedes the old one */
  const poll = useCallback(async () => {
    const mine = ++run.current;
    setPhase('checking');
    const until = Date.now() + POLL_FOR_MS;
    for (;;) {
      try {
        const res = await api.pay.order(orderId, { toast: false });
        if (mine !== run.current) return;
        setOrder(res.order);
        setLastError(null);
        if (res.order.status !== 'pending') {
          setPhase('settled');
          return;
        }
      } catch (e) {
        if (mine !== run.current) return;
        setLastError(errorMessageZh(e));
      }
      if (Date.now() + POLL_MS > until) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (mine !== run.current) return;
    }
    setPhase('timeout');
  }, [orderId]);

  useEffect(() => {
    if (!orderId) return undefined;
    void ensureLoggedIn(resultUrl(orderId)).then((ok) => {
      if (ok) void poll();
    });
    return () => {
      run.current += 1; // stop polling when the page goes away
    };
  }, [orderId, poll]);

  if (!orderId) {
    return (
      <Screen className="pay-result-page">
        <View className="pay-result pay-result--error cs-card">
          <Text className="pay-result__title">缺少订单号</Text>
          <Button className="pay-result-orders" type="primary" block onClick={() => redirect(ORDERS_PAGE)}>
            查看我的订单
          </Button>
        </View>
      </Screen>
    );
  }

  const v = order && phase === 'settled' ? verdict(order) : null;
  const isBooking = order?.kind === 'booking';

  let body: ReactNode;
  if (v && order) {
    body = (
      <View className={`pay-result pay-result--${v.key} cs-card`} data-status={order.status}>
        <View className={`pay-result__icon pay-result__icon--${v.key}`}>{v.icon}</View>
        <Text className="pay-result__title">{v.title}</Text>
        {v.key === 'success' ? <Text className="pay-result__amount">{yuan(order.payableFen)}</Text> : null}
        {v.hint ? <Text className="pay-result__note">{v.hint}</Text> : null}
        {v.key === 'success' && order.discountFen > 0 ? (
          <Text className="pay-result__saved">消费券已抵扣 {yuan(order.discountFen)}</Text>
        ) : null}
        <Text className="pay-result__desc">{order.description}</Text>
        {v.key === 'success' && isBooking ? (
          <>
            <Button className="pay-result-ticket" type="primary" block onClick={() => redirect(TICKETS_PAGE)}>
              查看入场码
            </Button>
            <Text className="pay-result__window">开场前30分钟起可凭入场码入场</Text>
            <Button className="pay-result-bookings" type="primary" fill="outline" block onClick={() => redirect(BOOKINGS_PAGE)}>
              查看我的预订
            </Button>
          </>
        ) : null}
        <Button
          className="pay-result-orders"
          type="primary"
          fill={v.key === 'success' && isBooking ? 'outline' : 'solid'}
          block
          onClick={() => redirect(ORDERS_PAGE)}
        >
          查看我的订单
        </Button>
      </View>
    );
  } else if (phase === 'timeout') {
    body = (
      <View className="pay-result pay-result--pending cs-card" data-status={order?.status ?? 'unknown'}>
        <View className="pay-result__icon pay-result__icon--pending">…</View>
        <Text className="pay-result__title">支付结果确认中</Text>
        <Text className="pay-result__note">
          {lastError && !order ? `暂时无法查询订单：${lastError}` : '暂未收到支付结果。如已付款，请稍后刷新查看，请勿重复支付'}
        </Text>
        <Button className="pay-result-refresh" type="primary" block onClick={() => void poll()}>
          刷新
        </Button>
        <Button className="pay-result-repay" type="primary" fill="outline" block onClick={() => redirect(payUrl(orderId))}>
          尚未付款，返回支付
        </Button>
      </View>
    );
  } else {
    body = (
      <View className="pay-result pay-result--checking cs-card" data-status={order?.status ?? 'unknown'}>
        <View className="pay-result__icon pay-result__icon--pending pay-result__spinner" />
        <Text className="pay-result__title">正在确认支付结果…</Text>
        <Text className="pay-result__note">请稍候，不要关闭页面</Text>
        {order ? <Text className="pay-result__desc">{order.description}</Text> : null}
      </View>
    );
  }

  return (
    <Screen className="pay-result-page">
      {body}
      <View className="pay-result__foot">
        <Text className="cs-muted">支付结果以服务器确认为准</Text>
      </View>
    </Screen>
  );
}
