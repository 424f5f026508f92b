import { useState } from 'react';
import Taro from '@tarojs/taro';
import { ScrollView, Text, View } from '@tarojs/components';
import { DISTRICTS, GUIDANCE_SPORTS, GUIDANCE_SPORT_LABELS_ZH, type GuidanceSessionDto, type GuidanceSport } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView, { LoadMore } from '../../components/LoadView';
import Tabs from '../../components/Tabs';
import DateStrip from '../../components/DateStrip';
import { usePagedList } from '../../hooks/usePagedList';
import { guidanceApi } from '../../api/guidance';
import { currentFix, type Fix } from '../../utils/location';
import { daysFrom, todayShanghai } from '../../utils/time';
import SessionCard from '../../components/SessionCard';
import '../../styles/guidance.scss';

type Order = 'near' | 'soon';
const ORDER_TABS: { key: Order; label: string }[] = [
  { key: 'near', label: '离我最近' },
  { key: 'soon', label: '时间最近' },
];

/**
 * 健身指导: upcoming free sessions by sport, district and day; nearest first once the position is
 * known (one page of the nearest), else soonest first, page by page (the server's cursor).
 */
export default function GuidancePage() {
  const params = Taro.getCurrentInstance().router?.params ?? {};
  const [sport, setSport] = useState<GuidanceSport | undefined>(undefined);
  const [district, setDistrict] = useState<string | undefined>(undefined);
  const [date, setDate] = useState<string>('');
  const [order, setOrder] = useState<Order>('near');
  const [fix, setFix] = useState<Fix | null | undefined>(undefined);
  // asked once per page: the list waits for it when sorting by distance
  const [where] = useState(() =>
    currentFix(params, 5000).then((at) => {
      setFix(at);
      return at;
    }),
  );
  const list = usePagedList<GuidanceSessionDto>(
    async (cursor, limit) => {
      const at = order === 'near' ? await where : null;
      return guidanceApi.sessions({
        sport,
        district,
        date: date || undefined,
        ...(at ? { lat: at.lat, lng: at.lng } : {}),
        ...(cursor ? { cursor } : {}),
        limit,
      });
    },
    [sport, district, date, order],
    { pageSize: 20 },
  );
  const days = daysFrom(todayShanghai(), 7);
  const go = (id: string) => void Taro.navigateTo({ url: `/packages/guidance/session?id=${id}` });
  return (
    <Screen className="guidance-page">
      <Tabs items={ORDER_TABS} value={order} onChange={setOrder} className="gd-tabs" itemClass="gd-tab" />
      <ScrollView scrollX enhanced showScrollbar={false} className="gd-scroll gd-sports">
        <Text className={`gd-chip${!sport ? ' gd-chip--on' : ''}`} onClick={() => setSport(undefined)}>
          全部项目
        </Text>
        {GUIDANCE_SPORTS.map((s) => (
          <Text key={s} className={`gd-chip gd-chip-${s}${sport === s ? ' gd-chip--on' : ''}`} onClick={() => setSport(s)}>
            {GUIDANCE_SPORT_LABELS_ZH[s]}
          </Text>
        ))}
      </ScrollView>
      <View className="gd-dates">
        <Text className={`gd-chip gd-date-any${!date ? ' gd-chip--on' : ''}`} onClick={() => setDate('')}>
          不限日期
        </Text>
        <DateStrip days={days} value={date} onChange={(d) => setDate(d === date ? '' : d)} className="gd-date-strip" />
      </View>
      <ScrollView scrollX enhanced showScrollbar={false} className="gd-scroll gd-districts">
        <Text className={`gd-chip gd-district-all${!district ? ' gd-chip--on' : ''}`} onClick={() => setDistrict(undefined)}>
          全市
        </Text>
        {DISTRICTS.map((d) => (
          <Text
            key={d}
            className={`gd-chip gd-district-chip${district === d ? ' gd-chip--on' : ''}`}
            data-district={d}
            onClick={() => setDistrict(d)}
          >
            {d}
          </Text>
        ))}
      </ScrollView>
      {order === 'near' && fix === null ? (
        <Text className="gd-hint">未获取到位置，按开始时间排列。开启定位后可按距离由近到远查看。</Text>
      ) : null}
      {order === 'near' && fix ? <Text className="gd-hint gd-hint-near">已按距离由近到远排列</Text> : null}
      <LoadView
        load={list.load}
        name="guidance"
        errorText="指导活动加载失败"
        emptyText="暂无符合条件的健身指导活动"
        emptyHint="换个项目、日期或区县看看"
        onRetry={() => void list.reload()}
      />
      {list.items.map((s) => (
        <SessionCard key={s.id} s={s} onTap={() => go(s.id)} />
      ))}
      {list.items.length ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="gd-more" name="guidance" />
      ) : null}
      <View className="gd-actions">
        <Text className="gd-chip" onClick={() => void Taro.navigateTo({ url: '/packages/guidance/mine' })}>
          我的指导活动与评价
        </Text>
        <Text className="gd-chip" onClick={() => void Taro.navigateTo({ url: '/packages/instructor/index' })}>
          我是社会体育指导员
        </Text>
        <Text className="gd-chip gd-to-requests" onClick={() => void Taro.navigateTo({ url: '/packages/guidance/requests' })}>
          单位申请指导员
        </Text>
      </View>
    </Screen>
  );
}
