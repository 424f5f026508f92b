import { useEffect, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { VenueSummary } from '@citysport/shared';
import { IS_H5 } from '../../api/config';
import { api } from '../../api/endpoints';
import { distanceText, sportLabel } from '../../components/VenueCard/format';
import { currentFix, navigateTo, type Fix } from '../../utils/location';
import ElderOffer from '../../components/ElderOffer';
import Recommendations from '../../components/Recommendations';
import Screen from '../../components/Screen';
import { goToLogin, isLoggedIn, loadMe, useSession } from '../../stores/session';
import './index.scss';

interface Entry {
  key: string;
  label: string;
  glyph: string;
  color: string;
  url: string;
  tab?: boolean;
}

const ENTRIES: Entry[] = [
  { key: 'venues', label: '场馆预订', glyph: '馆', color: '#1677ff', url: '/pages/venues/index', tab: true },
  { key: 'events', label: '赛事报名', glyph: '赛', color: '#f5a623', url: '/pages/events/index', tab: true },
  { key: 'fitness-test', label: '体质测试', glyph: '测', color: '#13c2a3', url: '/packages/fitness-test/index' },
  { key: 'guidance', label: '健身指导', glyph: '健', color: '#7c5cff', url: '/packages/guidance/index' },
  { key: 'bookings', label: '我的预订', glyph: '订', color: '#0fa3b1', url: '/packages/booking/mine' },
  { key: 'tickets', label: '我的票券', glyph: '票', color: '#ff6b4a', url: '/packages/ticket/index' },
  { key: 'club', label: '体育社团', glyph: '社', color: '#2fb15c', url: '/packages/club/index' },
  { key: 'course', label: '报名培训', glyph: '培', color: '#d4380d', url: '/packages/course/index' },
  // issue 10: 领券 on the home page
  { key: 'vouchers', label: '领券中心', glyph: '券', color: '#e5484d', url: '/packages/pay/vouchers?tab=claim' },
];

const NEARBY_SHOWN = 3;

/** 附近场馆: the nearest few with their distance (the one location helper); without a fix, a few venues and 开启定位. */
function NearbyVenues() {
  const { params } = useRouter();
  const [fix, setFix] = useState<Fix | null | undefined>(undefined);
  const [venues, setVenues] = useState<VenueSummary[] | null>(null);
  const [failed, setFailed] = useState(false);

  const locate = () => {
    setFix(undefined);
    void currentFix(params, 6000, 60_000).then((f) => setFix(f));
  };
  useEffect(locate, []);
  useEffect(() => {
    if (fix === undefined) return;
    setFailed(false);
    api
      .venues(fix ? { lat: fix.lat, lng: fix.lng } : {}, { toast: false })
      .then((r) => setVenues(r.items.slice(0, NEARBY_SHOWN)))
      .catch(() => setFailed(true));
  }, [fix]);

  const open = (v: VenueSummary) => void Taro.navigateTo({ url: `/packages/venue/index?id=${encodeURIComponent(v.id)}` });
  return (
    <View className="home-nearby cs-card">
      <View className="home-nearby__head">
        <Text className="home-nearby__title">附近场馆</Text>
        <View className="home-nearby__all" role="button" onClick={() => void Taro.switchTab({ url: '/pages/venues/index' })}>
          全部场馆 ›
        </View>
      </View>
      {fix === null ? (
        <View className="home-nearby__locate" role="button" onClick={locate}>
          未获取到位置，点此开启定位查看离您最近的场馆
        </View>
      ) : null}
      {fix === undefined && !venues ? <Text className="home-nearby__hint">正在定位…</Text> : null}
      {failed ? <Text className="home-nearby__hint">场馆加载失败，下拉刷新重试</Text> : null}
      {(venues ?? []).map((v) => (
        <View key={v.id} className="home-nearby__row nearby-venue" data-id={v.id} onClick={() => open(v)}>
          <View className="home-nearby__main">
            <Text className="home-nearby__name">{v.name}</Text>
            <Text className="home-nearby__meta">
              {v.district} · {v.sports.map(sportLabel).join('、')}
            </Text>
          </View>
          {v.distanceKm !== undefined ? <Text className="home-nearby__distance">{distanceText(v.distanceKm)}</Text> : null}
          <View
            className="home-nearby__nav"
            role="button"
            aria-label={`导航到${v.name}`}
            onClick={(e) => {
              e.stopPropagation();
              void navigateTo(v).catch(() => undefined);
            }}
          >
            导航
          </View>
        </View>
      ))}
    </View>
  );
}

function greetingByHour(): string {
  // Asia/Shanghai has no DST: a fixed +8 h offset is exact
  const hour = (new Date().getUTCHours() + 8) % 24;
  if (hour < 5) return '夜深了';
  if (hour < 11) return '早上好';
  if (hour < 13) return '中午好';
  if (hour < 18) return '下午好';
  return '晚上好';
}

export default function HomePage() {
  const token = useSession((s) => s.token);
  const me = useSession((s) => s.me);

  useEffect(() => {
    // h5 has no WeChat to log in silently: start at the login page (demo accounts)
    if (IS_H5 && !isLoggedIn()) goToLogin('/pages/home/index');
  }, []);

  useEffect(() => {
    if (token && !me) void loadMe(false).catch(() => undefined);
  }, [token, me]);

  const open = (e: Entry) => {
    if (e.tab) void Taro.switchTab({ url: e.url });
    else void Taro.navigateTo({ url: e.url });
  };

  return (
    <Screen className="home-page">
      <View className="home-hero">
        <Text className="home-hero__greeting home-greeting">
          {greetingByHour()}，{me?.nickname ?? (token ? '市民朋友' : '欢迎来到城市体育')}
        </Text>
        <Text className="home-hero__sub">预订场馆、报名赛事、体质测试，一站办理</Text>
      </View>

      <View className="quick-entries cs-card">
        {ENTRIES.map((e) => (
          <View key={e.key} className={`quick-entry quick-entry--${e.key}`} onClick={() => open(e)}>
            <View className="quick-entry__icon" style={{ background: e.color }}>
              {e.glyph}
            </View>
            <Text className="quick-entry__label">{e.label}</Text>
          </View>
        ))}
      </View>

      <ElderOffer />

      <NearbyVenues />

      {token ? <Recommendations enabled /> : null}

      <View className="home-notice cs-card">
        <Text className="home-notice__title">公共体育场馆免费或低收费开放</Text>
        <Text className="home-notice__text">在“场馆”页筛选带有“免费/低收费”标识的场馆，就近预约锻炼。</Text>
      </View>
    </Screen>
  );
}
