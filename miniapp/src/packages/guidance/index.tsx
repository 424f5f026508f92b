import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { GUIDANCE_SPORTS, GUIDANCE_SPORT_LABELS_ZH, type GuidanceSport } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { guidanceApi } from '../../api/guidance';
import { currentFix, type Fix } from '../../utils/location';
import SessionCard from '../../components/SessionCard';
import '../../styles/guidance.scss';

/** 健身指导: upcoming free sessions near the user, by sport; nearest first once the position is known. */
export default function GuidancePage() {
  const params = Taro.getCurrentInstance().router?.params ?? {};
  const [sport, setSport] = useState<GuidanceSport | undefined>(undefined);
  const [fix, setFix] = useState<Fix | null | undefined>(undefined);
  const list = useLoad(
    async () => {
      const at = fix === undefined ? await currentFix(params, 5000) : fix;
      if (fix === undefined) setFix(at);
      return guidanceApi.sessions({ sport, ...(at ? { lat: at.lat, lng: at.lng } : {}) });
    },
    [sport, fix === undefined],
    { pullToRefresh: true },
  );
  const go = (id: string) => void Taro.navigateTo({ url: `/packages/guidance/session?id=${id}` });
  return (
    <Screen className="guidance-page">
      <View className="gd-filters">
        <Text className={`gd-chip${!sport ? ' gd-chip--on' : ''}`} onClick={() => setSport(undefined)}>
          全部
        </Text>
        {GUIDANCE_SPORTS.map((s) => (
          <Text key={s} className={`gd-chip gd-chip-${s}${sport === s ? ' gd-chip--on' : ''}`} onClick={() => setSport(s)}>
            {GUIDANCE_SPORT_LABELS_ZH[s]}
          </Text>
        ))}
      </View>
      {fix === null ? <Text className="gd-hint">未获取到位置，按开始时间排列。开启定位后可按距离由近到远查看。</Text> : null}
      {fix ? <Text className="gd-hint">已按距离由近到远排列</Text> : null}
      <LoadView
        load={list.load}
        name="guidance"
        errorText="指导活动加载失败"
        emptyText="近期暂无健身指导活动"
        emptyHint="换个项目看看，或稍后再来"
        onRetry={() => void list.reload()}
      />
      {list.data?.items.map((s) => (
        <SessionCard key={s.id} s={s} onTap={() => go(s.id)} />
      ))}
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
