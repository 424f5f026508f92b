import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { SPORT_LABELS_ZH, type MyBan, type MyNoShow, type Sport } from '@citysport/shared';
import { api } from '../../api/endpoints';
import Screen from '../../components/Screen';
import StatusTag from '../../components/StatusTag';
import LoadView, { LoadMore } from '../../components/LoadView';
import { usePagedList } from '../../hooks/usePagedList';
import { dayOf, dayTitle, hhmm, timeRange } from '../../utils/time';
import './no-shows.scss';

const SELF = '/packages/booking/no-shows';
const when = (iso: string) => `${dayTitle(dayOf(iso))} ${hhmm(iso)}`;

function BanCard({ ban }: { ban: MyBan }) {
  return (
    <View className={`noshow-ban${ban.active ? ' noshow-ban--active' : ''}`} data-id={ban.id}>
      <View className="noshow-ban__head">
        <Text className="noshow-ban__venue">{ban.venueName}</Text>
        <StatusTag text={ban.active ? '限制中' : ban.liftedAt ? '已解除' : '已结束'} tone={ban.active ? 'danger' : 'muted'} />
      </View>
      <Text className="noshow-ban__line">
        因 {ban.noShowCount} 次爽约，自 {when(ban.since)} 起暂停在该场馆预约
      </Text>
      <Text className="noshow-ban__line noshow-ban__until">
        {ban.liftedAt ? `已于 ${when(ban.liftedAt)} 由场馆解除` : `${ban.active ? '将于' : '已于'} ${when(ban.until)} 恢复预约`}
      </Text>
    </View>
  );
}

/** 爽约记录: which bookings were missed and when, and any booking ban in force with its end. */
export default function NoShowsPage() {
  const [bans, setBans] = useState<MyBan[] | null>(null);
  const list = usePagedList<MyNoShow & { id: string }>(
    async (cursor, limit) => {
      const page = await api.noShows(cursor, limit);
      if (!cursor) setBans(page.bans);
      return { items: page.items.map((x) => ({ ...x, id: x.bookingId })), nextCursor: page.nextCursor };
    },
    [],
    { login: SELF, pageSize: 20 },
  );
  const active = (bans ?? []).filter((b) => b.active);

  return (
    <Screen className="noshow-page">
      <View className="noshow-rule">
        预订后未在开场后的入场时限内核验入场，即记为爽约。同一场馆在规定天数内爽约达到次数上限，将暂停在该场馆预约一段时间。不能前往时请提前取消预订。
      </View>

      {bans && bans.length ? (
        <View className="noshow-section">
          <Text className="noshow-section__title">{active.length ? `预约限制（${active.length} 个场馆限制中）` : '预约限制'}</Text>
          {bans.map((b) => (
            <BanCard key={b.id} ban={b} />
          ))}
        </View>
      ) : null}

      <Text className="noshow-section__title">爽约记录</Text>
      <LoadView
        load={list.load}
        name="noshow"
        errorText="爽约记录加载失败"
        emptyText="暂无爽约记录"
        emptyHint="按时入场、不能前往时提前取消，保持良好信用"
        onRetry={() => void list.reload()}
      />
      {list.items.map((n) => (
        <View
          key={n.id}
          className="noshow-item"
          data-id={n.id}
          onClick={() => void Taro.navigateTo({ url: `/packages/venue/index?id=${encodeURIComponent(n.venueId)}` })}
        >
          <View className="noshow-item__head">
            <Text className="noshow-item__venue">{n.venueName}</Text>
            <StatusTag text="爽约" tone="warning" />
          </View>
          <Text className="noshow-item__line">
            {SPORT_LABELS_ZH[n.sport as Sport] ?? n.sport} · {n.resourceName}
          </Text>
          <Text className="noshow-item__line">
            预订时段：{dayTitle(dayOf(n.startAt))} {timeRange(n.startAt, n.endAt)}
          </Text>
          <Text className="noshow-item__line noshow-item__at">记为爽约：{when(n.noShowAt)}</Text>
        </View>
      ))}
      {list.load.state === 'ready' ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="noshow-more" name="noshow" />
      ) : null}
    </Screen>
  );
}
