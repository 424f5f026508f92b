import { useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import type { Ticket } from '@citysport/shared';
import Screen from '../../components/Screen';
import { EmptyState } from '../../components/StateView';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { sportLabel } from '../../utils/booking';
import { param } from '../../utils/params';
import { ticketApi } from '../../api/tickets';
import { TICKET_STATUS_ZH, seatLabel, ticketWhen } from './format';
import './index.scss';

const SELF = '/packages/ticket/index';

const ORDER: Record<Ticket['status'], number> = { valid: 0, used: 1, revoked: 2 };

export default function TicketListPage() {
  const { params } = useRouter();
  const bookingId = param(params.bookingId);
  // a friend's share card opens this page with ?claim=<token> (issue 10)
  const claimToken = param(params.claim);
  const [claimed, setClaimed] = useState<'idle' | 'done' | 'failed'>('idle');
  const { load, data, reload } = useLoad(
    async () => {
      const { items } = await ticketApi.mine({ toast: false });
      return [...items].sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.startAt.localeCompare(b.startAt) || a.seat - b.seat);
    },
    [],
    { login: SELF, refreshOnShow: true, pullToRefresh: true, isEmpty: () => false },
  );

  const all = data ?? [];
  const items = bookingId ? all.filter((t) => t.bookingId === bookingId) : all;

  return (
    <Screen className="ticket-list-page page-ticket">
      <LoadView load={load} name="tickets" errorText="票券加载失败" onRetry={() => void reload()} />
      {claimToken && claimed !== 'done' ? (
        <View className="tickets-claim cs-card">
          <Text className="tickets-claim__title">好友转赠给你一张入场票券</Text>
          <Text className="tickets-claim__hint">领取后票券归你所有，原持有人不能再使用；每张只能领取一次</Text>
          <Button
            className="tickets-claim__btn"
            type="primary"
            onClick={async () => {
              try {
                await ticketApi.claim(claimToken);
                setClaimed('done');
                void Taro.showToast({ title: '领取成功', icon: 'success' });
                void reload();
              } catch {
                setClaimed('failed');
              }
            }}
          >
            领取票券
          </Button>
        </View>
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
