import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Button } from '@nutui/nutui-react-taro';
import { formatPrice, type Booking } from '@citysport/shared';
import { api, type BookingListStatus } from '../../api/endpoints';
import Screen from '../../components/Screen';
import Tabs from '../../components/Tabs';
import LoadView, { LoadMore } from '../../components/LoadView';
import { usePagedList } from '../../hooks/usePagedList';
import { useLoad } from '../../hooks/useLoad';
import { reviewApi } from '../../api/reviews';
import { dayTitle, timeRange, useNow } from '../../utils/time';
import BookingCard, { canCancel, isPaid } from './BookingCard';
import './mine.scss';
import { notify } from '../../stores/elder';

const MINE_PAGE = '/packages/booking/mine';

type Tab = Exclude<BookingListStatus, 'all'>;
const TABS: { key: Tab; label: string }[] = [
  { key: 'active', label: '进行中' },
  { key: 'past', label: '已结束' },
];

const VOUCHER_FATE_ZH = { none: '', returned: '使用的消费券将退回账户。', kept_used: '部分取消不退回消费券。' } as const;

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

  const cancel = async (b: Booking) => {
    if (cancelling) return;
    const when = `${dayTitle(b.day)} ${timeRange(b.startAt, b.endAt)}`;
    // the money first (issue 10): what comes back after vouchers, the voucher's fate, when it arrives
    const quote = await api
      .cancelQuote(b.id, { toast: false })
      .then((x) => x.quote)
      .catch(() => null);
    const money = quote
      ? quote.refundFen > 0
        ? `退款 ${formatPrice(quote.refundFen)}（实付 ${formatPrice(quote.paidFen)}），${quote.arrives}。${VOUCHER_FATE_ZH[quote.voucher]}`
        : quote.arrives
      : isPaid(b)
        ? '已支付的订单将原路退款。'
        : '';
    const r = await Taro.showModal({
      title: '取消预订',
      content: `确定取消 ${when} 的预订吗？${money}`,
      confirmText: '确定取消',
      cancelText: '再想想',
      confirmColor: '#e5484d',
    });
    if (!r.confirm) return;
    setCancelling(b.id);
    try {
      const res = await api.cancelBooking(b.id);
      list.updateItems((cur) => cur.map((x) => (x.id === b.id ? res.booking : x)));
      notify(isPaid(b) ? '已取消，将原路退款' : '已取消预订', 2500);
    } catch {
      /* the client showed the Chinese message (e.g. 已过可取消时间) */
      void list.reload(true);
    } finally {
      setCancelling(null);
    }
  };

  return (
    <Screen className="mine-page">
      <Tabs items={TABS} value={tab} onChange={setTab} className="mine-tabs" itemClass="mine-tab" />
      <LoadView
        load={list.load}
        name="mine"
        errorText="预订记录加载失败"
        emptyText={tab === 'active' ? '暂无进行中的预订' : '暂无已结束的预订'}
        emptyHint="去场馆页挑选附近的场地吧"
        emptyAction={
          <Button className="mine-go-venues" type="primary" onClick={() => void Taro.switchTab({ url: '/pages/venues/index' })}>
            去场馆看看
          </Button>
        }
        onRetry={() => void list.reload()}
      />
      {items.map((b) => (
        <BookingCard
          key={b.id}
          booking={b}
          now={now}
          cancelling={cancelling === b.id}
          onCancel={() => void cancel(b)}
          review={reviews.data?.get(b.id)}
        />
      ))}
      {list.load.state === 'ready' ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="mine-more" name="mine" />
      ) : null}
    </Screen>
  );
}
