import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { ScrollView, Text, View } from '@tarojs/components';
import { DISTRICTS, SPORTS, type Sport, type VenueSummary } from '@citysport/shared';
import { api } from '../../api/endpoints';
import Screen from '../../components/Screen';
import VenueCard from '../../components/VenueCard';
import { sportLabel } from '../../components/VenueCard/format';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { locate, type LatLng } from './location';
import './index.scss';

/** Nearest first when the server returned distances; others keep their order at the end. */
function byDistance(items: VenueSummary[]): VenueSummary[] {
  if (!items.some((v) => v.distanceKm !== undefined)) return items;
  return items
    .map((v, i) => ({ v, i }))
    .sort((a, b) => (a.v.distanceKm ?? Infinity) - (b.v.distanceKm ?? Infinity) || a.i - b.i)
    .map((x) => x.v);
}

export default function VenuesPage() {
  const [sport, setSport] = useState<Sport | ''>('');
  const [district, setDistrict] = useState<string>('');
  const [position, setPosition] = useState<LatLng | null>(null);
  const { load, data, reload } = useLoad(
    async () => {
      const res = await api.venues(
        { sport: sport || undefined, district: district || undefined, lat: position?.lat, lng: position?.lng },
        { toast: false },
      );
      return byDistance(res.items);
    },
    [sport, district],
    { pullToRefresh: true },
  );

  useEffect(() => {
    let alive = true;
    void locate().then((p) => {
      if (alive && p) setPosition(p);
    });
    return () => {
      alive = false;
    };
  }, []);

  // a position that arrives later re-sorts what is shown, quietly
  useEffect(() => {
    if (position) void reload(true);
  }, [position, reload]);

  const pickSport = (s: Sport | '') => setSport(s);
  const pickDistrict = (d: string) => setDistrict(d);
  const open = (v: VenueSummary) => {
    void Taro.navigateTo({ url: `/packages/venue/index?id=${encodeURIComponent(v.id)}` });
  };

  return (
    <Screen className="venues-page">
      <View className="venue-filters">
        <ScrollView className="filter-row sport-filter" scrollX enhanced showScrollbar={false}>
          <View className="filter-row__inner">
            {(['', ...SPORTS] as const).map((s) => (
              <View
                key={s || 'all'}
                className={`filter-chip sport-chip sport-chip--${s || 'all'}${s === sport ? ' filter-chip--active' : ''}`}
                onClick={() => pickSport(s)}
              >
                {s === sport ? '✓ ' : ''}
                {s ? sportLabel(s) : '全部项目'}
              </View>
            ))}
          </View>
        </ScrollView>
        <ScrollView className="filter-row district-filter" scrollX enhanced showScrollbar={false}>
          <View className="filter-row__inner">
            {['', ...DISTRICTS].map((d) => (
              <View
                key={d || 'all'}
                className={`filter-chip district-chip${d === district ? ' filter-chip--active' : ''}`}
                data-district={d}
                onClick={() => pickDistrict(d)}
              >
                {d === district ? '✓ ' : ''}
                {d || '全部区域'}
              </View>
            ))}
          </View>
        </ScrollView>
      </View>

      <LoadView
        load={load}
        name="venue"
        errorText="场馆加载失败"
        emptyText="暂无符合条件的场馆"
        emptyHint="换个项目或区域试试"
        onRetry={() => void reload()}
      />

      {load.state === 'ready' && data ? (
        <View className="venue-list">
          <View className="venue-summary">
            <Text>共 {data.length} 家场馆</Text>
            <Text>{position ? '已按距离由近到远排序' : '开启定位后可按距离排序'}</Text>
          </View>
          {data.map((v) => (
            <VenueCard key={v.id} venue={v} onOpen={open} />
          ))}
        </View>
      ) : null}
    </Screen>
  );
}
