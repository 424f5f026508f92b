import { useState } from 'react';
import type { Order, OrderTab } from '@citysport/shared';
import Tabs from '../../components/Tabs';
import CancelSheet from '../../components/CancelSheet';
import { api } from '../../api/endpoints';
import Screen from '../../components/Screen';
import LoadView, { LoadMore } from '../../components/LoadView';
import { usePagedList } from '../../hooks/usePagedList';
import { useNow } from '../../utils/time';
import { ORDERS_PAGE } from './lib';
import OrderCard, { REVIEW_SOURCE_OF } from './OrderCard';
import { useLoad } from '../../hooks/useLoad';
import { reviewApi } from '../../api/reviews';
import './pay.scss';

const TABS: { key: OrderTab; label: string }[] = [
  { key: 'all', label: '全部' },
  { key: 'pending', label: '待支付' },
  { key: 'paid', label: '已支付' },
  { key: 'refund', label: '退款' },
];
const EMPTY_ZH: Record<OrderTab, string> = { all: '暂无订单', pending: '暂无待支付订单', paid: '暂无已支付订单', refund: '暂无退款订单' };

export default function OrdersPage() {
  const [tab, setTab] = useState<OrderTab>('all');
  const [cancelling, setCancelling] = useState<string | null>(null);
  const list = usePagedList<Order>((cursor, limit) => api.pay.myOrders({ cursor, limit, status: tab }, { toast: false }), [tab], {
    login: ORDERS_PAGE,
  });
  // 评价 buttons: per reviewable kind, which paid orders' bookings/entries may still be reviewed
  const refs = list.items.filter((o) => o.status === 'paid' && o.refId && REVIEW_SOURCE_OF[o.kind]);
  const reviews = useLoad(
    async () => {
      const out = new Map<string, Awaited<ReturnType<typeof reviewApi.eligibility>>['items'][number]>();
      for (const kind of new Set(refs.map((o) => REVIEW_SOURCE_OF[o.kind]!))) {
        const ids = refs.filter((o) => REVIEW_SOURCE_OF[o.kind] === kind).map((o) => o.refId!);
        for (const e of (await reviewApi.eligibility(kind, ids.slice(0, 50))).items) out.set(`${kind}:${e.sourceId}`, e);
      }
      return out;
    },
    [refs.map((o) => o.id).join(',')],
    { enabled: refs.length > 0, refreshOnShow: true, isEmpty: () => false },
  );
  const now = useNow(
    list.items.some((o) => o.status === 'pending'),
    1000,
  );

  return (
    <Screen className="orders-page">
      <Tabs items={TABS} value={tab} onChange={setTab} className="pay-tabs orders-tabs" itemClass="pay-tab orders-tab" />
      <LoadView
        load={list.load}
        name="orders"
        errorText="订单加载失败"
        emptyText={EMPTY_ZH[tab]}
        emptyHint="预订场地、报名赛事后，订单会显示在这里"
        onRetry={() => void list.reload()}
      />
      {list.items.map((o) => (
        <OrderCard
          key={o.id}
          order={o}
          now={now}
          onCancel={() => setCancelling(o.refId ?? null)}
          review={o.refId ? reviews.data?.get(`${REVIEW_SOURCE_OF[o.kind]}:${o.refId}`) : undefined}
        />
      ))}
      {list.load.state === 'ready' ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="pay-more" name="orders" />
      ) : null}
      <CancelSheet
        bookingId={cancelling}
        onClose={() => setCancelling(null)}
        onDone={() => {
          setCancelling(null);
          void list.reload(true);
        }}
      />
    </Screen>
  );
}
