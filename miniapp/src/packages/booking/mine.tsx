import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Button } from '@nutui/nutui-react-taro';
import type { Booking } from '@citysport/shared';
import { api, type BookingListStatus } from '../../api/endpoints';
import Screen from '../../components/Screen';
import Tabs from '../../components/Tabs';
import { PagedList } from '../../components/LoadView';
import { usePagedList } from '../../hooks/usePagedList';
import { useLoad } from '../../hooks/useLoad';
import { reviewApi } from '../../api/reviews';
import { useNow } from '../../utils/time';
import BookingCard, { canCancel } from './BookingCard';
import CancelSheet from '../../components/CancelSheet';
import './mine.scss';

const MINE_PAGE = '/packages/booking/mine';

type Tab = Exclude<BookingListStatus, 'all'>;
const TABS: { key: Tab; label: string }[] = [
  { key: 'active', label: '进行中' },
  { key: 'past', label: '已结束' },
];

export default function MyBookingsPage() {
  const [tab, setTab] = useState<Tab>('active');
  const [cancelling, setCancelling] = useState<string | null>(null);
  const list = usePagedList<Booking>((cursor, limit) => api.myBookings({ status: tab, cursor, limit }, { toast: false }), [tab], {
    login: MINE_PAGE,
  });
  const { items } = list;
  // 评价 buttons: which used bookings may still be reviewed (one call for the shown page)
  const usedIds = items.filter((b) => b.status === 'used').map((b) => b.id);
  const reviews = useLoad(
    async () => new Map((await reviewApi.eligibility('booking', usedIds.slice(0, 50))).items.map((e) => [e.sourceId, e])),
    [usedIds.join(',')],
    { enabled: usedIds.length > 0, refreshOnShow: true, isEmpty: () => false },
  );

  // every second while a payment hold counts down; otherwise often enough to hide lapsed cancel buttons
  const holding = items.some((b) => b.status === 'held');
  const now = useNow(holding || items.some((b) => canCancel(b, Date.now())), holding ? 1000 : 30_000);

  return (
    <Screen className="mine-page">
      <Tabs items={TABS} value={tab} onChange={setTab} className="mine-tabs" itemClass="mine-tab" />
      <PagedList
        list={list}
        name="mine"
        errorText="预订记录加载失败"
        emptyText={tab === 'active' ? '暂无进行中的预订' : '暂无已结束的预订'}
        emptyHint="去场馆页挑选附近的场地吧"
        emptyAction={
          <Button className="mine-go-venues" type="primary" onClick={() => void Taro.switchTab({ url: '/pages/venues/index' })}>
            去场馆看看
          </Button>
        }
        moreBlock="mine-more"
      >
        {(b) => (
          <BookingCard
            key={b.id}
            booking={b}
            now={now}
            cancelling={false}
            onCancel={() => setCancelling(b.id)}
            review={reviews.data?.get(b.id)}
          />
        )}
      </PagedList>
      <CancelSheet
        bookingId={cancelling}
        onClose={() => setCancelling(null)}
        onDone={(booking) => {
          setCancelling(null);
          list.updateItems((cur) => cur.map((x) => (x.id === booking.id ? booking : x)));
        }}
      />
    </Screen>
  );
}
