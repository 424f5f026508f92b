import { useEffect, useRef, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Switch } from '@nutui/nutui-react-taro';
import type { RecommendationItem } from '@citysport/shared';
import { recommendationsApi } from '../../api/recommendations';
import { errorMessageZh } from '../../api/errors';
import { useLoad } from '../../hooks/useLoad';
import { currentFix, type Fix } from '../../utils/location';
import { notify } from '../../stores/elder';
import LoadView from '../LoadView';
import { kindLabel, metaOf } from './format';
import './index.scss';

const EXPLAIN_ON = '根据你的预订、体测记录和位置推荐，可随时关闭';
const EXPLAIN_OFF = '个性化推荐已关闭：为所有人显示相同的近期热门，不使用你的个人信息';

/**
 * 首页 为你推荐 (issue 15): up to ten cards (title, why it was picked, place · time · distance),
 * a tap opens the item's page; the 个性化 switch in the header turns personalisation off or on
 * (PUT /me/preferences). The location is asked for only while personalisation is on.
 */
export default function Recommendations({ enabled }: { enabled: boolean }) {
  const { params } = useRouter();
  const [origin, setOrigin] = useState<Fix | null>(null);
  const [saving, setSaving] = useState(false);
  const asked = useRef(false);
  const { load, data, reload } = useLoad(() => recommendationsApi.list(origin), [origin], { enabled, refreshOnShow: true });
  const personalised = data?.personalised ?? true;

  useEffect(() => {
    // after the first answer, and only when it is personalised: the location refines distances
    if (!data?.personalised || asked.current) return;
    asked.current = true;
    void currentFix(params, 4000, 60_000).then((at) => at && setOrigin(at));
  }, [data?.personalised, params]);

  const toggle = async (on: boolean) => {
    setSaving(true);
    try {
      await recommendationsApi.setPersonalisation(on);
      if (!on) setOrigin(null);
      asked.current = false;
      await reload(true); // the explanation line under the header says which list it is
    } catch (e) {
      notify(errorMessageZh(e));
    } finally {
      setSaving(false);
    }
  };

  const open = (item: RecommendationItem) => void Taro.navigateTo({ url: item.path });

  return (
    <View className="recs cs-card">
      <View className="recs__head">
        <Text className="recs__title">为你推荐</Text>
        <View className="recs__switch">
          <Text className="recs__switch-label">个性化</Text>
          <Switch
            className="recs-personalise"
            checked={personalised}
            disabled={saving || load.state === 'loading'}
            onChange={(v: boolean) => void toggle(v)}
          />
        </View>
      </View>
      <Text className={`recs__explain ${personalised ? 'recs__explain--on' : 'recs__explain--off'}`}>
        {personalised ? EXPLAIN_ON : EXPLAIN_OFF}
      </Text>
      <LoadView
        load={load}
        name="recs"
        count={2}
        errorText="推荐加载失败"
        emptyText="暂时没有可推荐的场次"
        emptyHint="去“场馆”或“赛事”页看看"
        onRetry={() => void reload()}
      />
      {data && data.items.length ? (
        <View className="recs__list">
          {data.items.map((item) => (
            <View
              key={`${item.kind}:${item.id}`}
              className={`rec-card rec-card--${item.kind}`}
              data-kind={item.kind}
              data-id={item.id}
              onClick={() => open(item)}
            >
              <View className="rec-card__head">
                <Text className={`rec-card__kind rec-card__kind--${item.kind}`}>{kindLabel(item.kind)}</Text>
                <Text className="rec-card__title">{item.title}</Text>
              </View>
              <Text className="rec-card__reason">{item.reason}</Text>
              <Text className="rec-card__meta">{metaOf(item).join(' · ')}</Text>
            </View>
          ))}
        </View>
      ) : null}
    </View>
  );
}
