import { useCallback, useEffect, useRef, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import type { Ticket } from '@citysport/shared';
import { errorMessageZh } from '../../api/errors';
import Screen from '../../components/Screen';
import { EmptyState, ErrorState, SkeletonList } from '../../components/StateView';
import { ensureLoggedIn } from '../../stores/session';
import { sportLabel } from '../../utils/booking';
import { param } from '../../utils/params';
import { ticketApi } from '../../api/tickets';
import { TICKET_STATUS_ZH, seatLabel, ticketWhen } from './format';
import './index.scss';

const SELF = '/packages/ticket/index';

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; items: Ticket[] };

const ORDER: Record<Ticket['status'], number> = { valid: 0, used: 1, revoked: 2 };

export default function TicketListPage() {
  const { params } = useRouter();
  const bookingId = param(params.bookingId);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const shown = useRef(false);

  const fetchList = useCallback(async (quiet = false) => {
    if (!quiet) setLoad({ state: 'loading' });
    if (!(await ensureLoggedIn(SELF))) return;
    try {
      const { items } = await ticketApi.mine({ toast: false });
      const sorted = [...items].sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.startAt.localeCompare(b.startAt) || a.seat - b.seat);
      setLoad({ state: 'ready', items: sorted });
    } catch (e) {
      setLoad({ state: 'error', message: errorMessageZh(e) });
    }
  }, []);

  useEffect(() => {
    void fetchList();
  }, [fetchList]);

  useDidShow(() => {
    if (shown.current) void fetchList(true);
    shown.current = true;
  });

  usePullDownRefresh(() => {
    void fetchList(true).finally(() => Taro.stopPullDownRefresh());
  });

  const all = load.state === 'ready' ? load.items : [];
  const items = bookingId ? all.filter((t) => t.bookingId === bookingId) : all;

  return (
    <Screen className="ticket-list-page page-ticket">
      {load.state === 'loading' ? <SkeletonList className="tickets-loading" /> : null}
      {load.state === 'error' ? (
        <ErrorState className="tickets-error" text="票券加载失败" hint={load.message} onRetry={() => void fetchList()} />
      ) : null}
      {load.state === 'ready' && items.length === 0 ? (
        <View className="tickets-empty-wrap">
          <EmptyState className="tickets-empty" text="暂无票券" hint="预订成功后，入场二维码会出现在这里" />
          <Button className="tickets-go-venues" type="primary" onClick={() => void Taro.switchTab({ url: '/pages/venues/index' })}>
            去预订场地
          </Button>
        </View>
      ) : null}
      {bookingId && load.state === 'ready' ? (
        <View className="tickets-filter" onClick={() => void Taro.redirectTo({ url: SELF })}>
          <Text>仅显示该预订的票券 · 查看全部 ›</Text>
        </View>
      ) : null}

      {items.map((t) => (
        <View
          key={t.id}
          className={`ticket-card cs-card ticket-card--${t.status}`}
          data-id={t.id}
          data-status={t.status}
          onClick={() => void Taro.navigateTo({ url: `/packages/ticket/detail?id=${encodeURIComponent(t.id)}` })}
        >
          <View className="ticket-card__head">
            <Text className="ticket-card__venue">{t.venueName}</Text>
            <Text className={`ticket-card__status ticket-status ticket-status--${t.status}`}>{TICKET_STATUS_ZH[t.status]}</Text>
          </View>
          <Text className="ticket-card__resource">
            {t.resourceName} · {sportLabel(t.sport)}
          </Text>
          <Text className="ticket-card__time">{ticketWhen(t)}</Text>
          <View className="ticket-card__foot">
            <Text className="ticket-card__seat">
              {seatLabel(t.seat)} · {t.holderName}
            </Text>
            <Text className="ticket-card__open">{t.status === 'valid' ? '出示二维码 ›' : '查看 ›'}</Text>
          </View>
        </View>
      ))}
    </Screen>
  );
}
