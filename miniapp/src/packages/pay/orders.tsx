import { useState } from 'react';
import type { Order } from '@citysport/shared';
import { api } from '../../api/endpoints';
import Screen from '../../components/Screen';
import LoadView, { LoadMore } from '../../components/LoadView';
import { usePagedList } from '../../hooks/usePagedList';
import { useNow } from '../../utils/time';
import { ORDERS_PAGE } from './lib';
import OrderCard, { REVIEW_SOURCE_OF } from './OrderCard';
import { useLoad } from '../../hooks/useLoad';
import { reviewApi } from '../../api/reviews';
import RefundSheet from './RefundSheet';
import './pay.scss';

export default function OrdersPage() {
  const [refunding, setRefunding] = useState<Order | null>(null);
  const list = usePagedList<Order>((cursor, limit) => api.pay.myOrders({ cursor, limit }, { toast: false }), [], { login: ORDERS_PAGE });
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
      <LoadView
        load={list.load}
        name="orders"
        errorText="订单加载失败"
        emptyText="暂无订单"
        emptyHint="预订场地、报名赛事后，订单会显示在这里"
        onRetry={() => void list.reload()}
      />
      {list.items.map((o) => (
        <OrderCard
          key={o.id}
          order={o}
          now={now}
          onRefund={() => setRefunding(o)}
          review={o.refId ? reviews.data?.get(`${REVIEW_SOURCE_OF[o.kind]}:${o.refId}`) : undefined}
        />
      ))}
      {list.load.state === 'ready' ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="pay-more" name="orders" />
      ) : null}
      <RefundSheet
        order={refunding}
        onClose={() => setRefunding(null)}
        onDone={() => {
          setRefunding(null);
          void list.reload(true);
        }}
      />
    </Screen>
  );
}
