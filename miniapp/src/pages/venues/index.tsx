import { useEffect, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Input, ScrollView, Text, View } from '@tarojs/components';
import { DISTRICTS, SPORTS, type Sport, type VenueSummary } from '@citysport/shared';
import { api } from '../../api/endpoints';
import Screen from '../../components/Screen';
import VenueCard from '../../components/VenueCard';
import { sportLabel } from '../../components/VenueCard/format';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { currentFix, navigateTo, type Fix } from '../../utils/location';
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
  const { params } = useRouter();
  const [position, setPosition] = useState<Fix | null>(null);
  const [locating, setLocating] = useState(true);
  // what is typed, and what was searched (the list follows the latter)
  const [typed, setTyped] = useState('');
  const [query, setQuery] = useState('');
  const { load, data, reload } = useLoad(
    async () => {
      const res = await api.venues(
        { sport: sport || undefined, district: district || undefined, lat: position?.lat, lng: position?.lng, q: query || undefined },
        { toast: false },
      );
      return byDistance(res.items);
    },
    [sport, district, query],
    { pullToRefresh: true },
  );

  // the one location helper (utils/location): Taro.getLocation, in h5 the URL's lat/lng stand-in or the browser's fix
  const locate = () => {
    setLocating(true);
    return currentFix(params, 6000).then((p) => {
      setLocating(false);
      if (p) setPosition(p);
      return p;
    });
  };
  useEffect(() => {
    void locate();
    // once, when the tab first opens (重新定位 asks again)
  }, []);

  // a position that arrives later re-sorts what is shown, quietly
  useEffect(() => {
    if (position) void reload(true);
  }, [position, reload]);

  const search = (text: string) => setQuery(text.trim().slice(0, 30));
  const clearSearch = () => {
    setTyped('');
    setQuery('');
  };
  const pickSport = (s: Sport | '') => setSport(s);
  const pickDistrict = (d: string) => setDistrict(d);
  const open = (v: VenueSummary) => {
    void Taro.navigateTo({ url: `/packages/venue/index?id=${encodeURIComponent(v.id)}` });
  };

  return (
    <Screen className="venues-page">
      <View className="venue-filters">
        <View className="venue-search">
          <Input
            className="venue-search__input"
            type="text"
            confirmType="search"
            maxlength={30}
            placeholder="搜索场馆名称或运动项目，如“羽毛球”"
            value={typed}
            onInput={(e) => setTyped(e.detail.value)}
            onConfirm={(e) => search(e.detail.value)}
          />
          {query ? (
            <View className="venue-search__clear" role="button" aria-label="清除搜索" onClick={clearSearch}>
              清除
            </View>
          ) : null}
          <View className="venue-search__go" role="button" onClick={() => search(typed)}>
            搜索
          </View>
        </View>
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
        emptyText={query ? `没有找到“${query}”相关的场馆` : '暂无符合条件的场馆'}
        emptyHint={query ? '换个名称或项目试试，如“游泳”“篮球”' : '换个项目或区域试试'}
        onRetry={() => void reload()}
      />

      {load.state === 'ready' && data ? (
        <View className="venue-list">
          <View className="venue-summary">
            <Text className="venue-summary__count">
              {query ? `“${query}” ` : ''}共 {data.length} 家场馆
            </Text>
            {position ? (
              <Text className="venue-summary__sort">已按距离由近到远排序</Text>
            ) : (
              <View className="venue-summary__locate" role="button" onClick={() => void locate()}>
                {locating ? '正在定位…' : '开启定位，按距离排序'}
              </View>
            )}
          </View>
          {data.map((v) => (
            <VenueCard key={v.id} venue={v} onOpen={open} onNavigate={(x) => void navigateTo(x).catch(() => undefined)} />
          ))}
        </View>
      ) : null}
    </Screen>
  );
}
