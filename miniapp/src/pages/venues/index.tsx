import { useCallback, useEffect, useRef, useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { ScrollView, Text, View } from '@tarojs/components';
import { DISTRICTS, SPORTS, type Sport, type VenueSummary } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh } from '../../api/errors';
import Screen from '../../components/Screen';
import VenueCard from '../../components/VenueCard';
import { sportLabel } from '../../components/VenueCard/format';
import { EmptyState, ErrorState, SkeletonList } from '../../components/StateView';
import { locate, type LatLng } from './location';
import './index.scss';

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; items: VenueSummary[] };

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
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const seq = useRef(0);

  const fetchVenues = useCallback(async () => {
    const mine = ++seq.current;
    setLoad((prev) => (prev.state === 'ready' ? prev : { state: 'loading' }));
    try {
      const res = await api.venues(
        { sport: sport || undefined, district: district || undefined, lat: position?.lat, lng: position?.lng },
        { toast: false },
      );
      if (mine === seq.current) setLoad({ state: 'ready', items: byDistance(res.items) });
    } catch (e) {
      if (mine === seq.current) setLoad({ state: 'error', message: errorMessageZh(e) });
    }
  }, [sport, district, position]);

  useEffect(() => {
    void fetchVenues();
  }, [fetchVenues]);

  useEffect(() => {
    let alive = true;
    void locate().then((p) => {
      if (alive && p) setPosition(p);
    });
    return () => {
      alive = false;
    };
  }, []);

  usePullDownRefresh(() => {
    void fetchVenues().finally(() => Taro.stopPullDownRefresh());
  });

  const pickSport = (s: Sport | '') => {
    if (s === sport) return;
    setLoad({ state: 'loading' });
    setSport(s);
  };
  const pickDistrict = (d: string) => {
    if (d === district) return;
    setLoad({ state: 'loading' });
    setDistrict(d);
  };
  const retry = () => {
    setLoad({ state: 'loading' });
    void fetchVenues();
  };
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
                {d || '全部区域'}
              </View>
            ))}
          </View>
        </ScrollView>
      </View>

      {load.state === 'loading' ? <SkeletonList className="venue-loading" /> : null}

      {load.state === 'error' ? <ErrorState className="venue-error" text="场馆加载失败" hint={load.message} onRetry={retry} /> : null}

      {load.state === 'ready' && load.items.length === 0 ? (
        <EmptyState className="venue-empty" text="暂无符合条件的场馆" hint="换个项目或区域试试" />
      ) : null}

      {load.state === 'ready' && load.items.length > 0 ? (
        <View className="venue-list">
          <View className="venue-summary">
            <Text>共 {load.items.length} 家场馆</Text>
            <Text>{position ? '已按距离由近到远排序' : '开启定位后可按距离排序'}</Text>
          </View>
          {load.items.map((v) => (
            <VenueCard key={v.id} venue={v} onOpen={open} />
          ))}
        </View>
      ) : null}
    </Screen>
  );
}
