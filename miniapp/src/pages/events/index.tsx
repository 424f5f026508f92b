import { useState } from 'react';
import Taro from '@tarojs/taro';
import { ScrollView, Text, View } from '@tarojs/components';
import { DISTRICTS, EVENT_SPORT_LABELS_ZH, EVENT_STATUS_LABELS_ZH, formatShanghai, type EventSummaryDto } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView, { LoadMore } from '../../components/LoadView';
import { usePagedList } from '../../hooks/usePagedList';
import { eventsApi } from '../../api/events';
import './index.scss';

const SPORTS = ['running', 'badminton', 'basketball', 'football', 'table_tennis', 'swimming', 'cycling'] as const;

/** the next six months, YYYY-MM, in Shanghai */
function months(now = Date.now()): string[] {
  const first = formatShanghai(now, 'YYYY-MM');
  const [y, m] = first.split('-').map(Number);
  return Array.from({ length: 6 }, (_, i) => {
    const mm = ((m - 1 + i) % 12) + 1;
    return `${y + Math.floor((m - 1 + i) / 12)}-${String(mm).padStart(2, '0')}`;
  });
}

function Chips<K extends string>({
  items,
  value,
  onChange,
  name,
}: {
  items: { key: K | ''; label: string }[];
  value: K | '';
  onChange: (k: K | '') => void;
  name: string;
}) {
  return (
    <ScrollView scrollX className={`events-chips events-chips--${name}`}>
      {items.map((i) => (
        <View
          key={i.key || 'all'}
          role="button"
          aria-selected={value === i.key}
          className={`events-chip${value === i.key ? ' events-chip--active' : ''}`}
          onClick={() => onChange(i.key)}
        >
          {i.label}
        </View>
      ))}
    </ScrollView>
  );
}

function placesLeft(e: EventSummaryDto): string {
  if (e.registration.mode === 'lottery') return `名额 ${e.groups.reduce((n, g) => n + g.capacity, 0)}（抽签）`;
  const left = e.groups.reduce((n, g) => n + g.remaining, 0);
  return left > 0 ? `剩余名额 ${left}` : '名额已满';
}

/** 赛事 tab: the city's event calendar, filtered by sport, district and month. */
export default function EventsPage() {
  const [sport, setSport] = useState<string>('');
  const [district, setDistrict] = useState<string>('');
  const [month, setMonth] = useState<string>('');
  const list = usePagedList<EventSummaryDto>(
    (cursor, limit) =>
      eventsApi.list({ sport: sport || undefined, district: district || undefined, month: month || undefined, cursor, limit }),
    [sport, district, month],
  );

  return (
    <Screen className="events-page">
      <Chips
        name="sport"
        value={sport}
        onChange={setSport}
        items={[{ key: '', label: '全部项目' }, ...SPORTS.map((s) => ({ key: s, label: EVENT_SPORT_LABELS_ZH[s] }))]}
      />
      <Chips
        name="district"
        value={district}
        onChange={setDistrict}
        items={[{ key: '', label: '全市' }, ...DISTRICTS.map((d) => ({ key: d, label: d }))]}
      />
      <Chips
        name="month"
        value={month}
        onChange={setMonth}
        items={[{ key: '', label: '全部月份' }, ...months().map((m) => ({ key: m, label: `${Number(m.slice(5))}月` }))]}
      />
      <LoadView
        load={list.load}
        name="events"
        errorText="赛事加载失败"
        emptyText="暂无符合条件的赛事"
        emptyHint="换个项目、区域或月份看看"
        onRetry={() => void list.reload()}
      />
      {list.items.map((e) => (
        <View
          key={e.id}
          className="event-card cs-card"
          role="button"
          onClick={() => void Taro.navigateTo({ url: `/packages/event/index?id=${e.id}` })}
        >
          <View className="event-card__date">
            <Text className="event-card__month">{formatShanghai(e.startAt, 'M月')}</Text>
            <Text className="event-card__day">{formatShanghai(e.startAt, 'D')}</Text>
          </View>
          <View className="event-card__body">
            <Text className="event-card__name">{e.name}</Text>
            <Text className="event-card__meta">
              {EVENT_SPORT_LABELS_ZH[e.sport]} · {e.district} · {e.registration.mode === 'lottery' ? '抽签' : '先到先得'}
            </Text>
            <View className="event-card__foot">
              <Text className={`event-card__status event-card__status--${e.status}`}>{EVENT_STATUS_LABELS_ZH[e.status]}</Text>
              <Text className="event-card__places">{placesLeft(e)}</Text>
            </View>
          </View>
        </View>
      ))}
      {list.load.state === 'ready' ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="events-more" name="events" />
      ) : null}
    </Screen>
  );
}
