import { useState } from 'react';
import type { Order } from '@citysport/shared';
import { api } from '../../api/endpoints';
import Screen from '../../components/Screen';
import LoadView, { LoadMore } from '../../components/LoadView';
import { usePagedList } from '../../hooks/usePagedList';
import { useNow } from '../../utils/time';
import { ORDERS_PAGE } from './lib';
import OrderCard from './OrderCard';
import RefundSheet from './RefundSheet';
import './pay.scss';

export default function OrdersPage() {
  const [refunding, setRefunding] = useState<Order | null>(null);
  const list = usePagedList<Order>((cursor, limit) => api.pay.myOrders({ cursor, limit }, { toast: false }), [], { login: ORDERS_PAGE });
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
        <OrderCard key={o.id} order={o} now={now} onRefund={() => setRefunding(o)} />
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
