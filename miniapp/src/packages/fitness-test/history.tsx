import Taro from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import { FITNESS_GRADE_LABELS_ZH, ITEM_LABELS_ZH, type FitnessGrade, type FitnessItem } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { useElderMode } from '../../stores/elder';
import { fitnessApi } from '../../api/fitness';
import { trendSvg } from './charts';
import './fitness.scss';

/** my reports, newest first, with the trend of totals and of each item across years */
export default function FitnessHistoryPage() {
  const elder = useElderMode();
  const { load, data, reload } = useLoad(() => fitnessApi.reportsMine({ toast: false }).then((r) => r.items), [], {
    login: '/packages/fitness-test/history',
    refreshOnShow: true,
  });
  const items = data ?? [];
  const chrono = [...items].reverse();
  const itemKeys = [...new Set(chrono.flatMap((r) => r.items.map((i) => i.item)))] as FitnessItem[];
  return (
    <Screen className="page-fitness-history fit-page">
      <LoadView
        load={load}
        name="fit-history"
        errorText="报告加载失败"
        emptyText="还没有体质测试报告"
        emptyHint="预约一次测试，报告会出现在这里"
        onRetry={() => void reload()}
      />
      {chrono.length > 0 ? (
        <View className="fit-trend cs-card">
          <Text className="fit-section">总分变化</Text>
          <Image
            className="fit-trend__img"
            mode="aspectFit"
            src={trendSvg(
              chrono.map((r) => ({ label: r.testDate.slice(0, 4), value: r.total, max: r.maxTotal })),
              640,
              260,
              elder ? '#0b3d91' : '#1f6feb',
            )}
          />
          <View className="fit-trend__table">
            {itemKeys.map((k) => (
              <View key={k} className="fit-trend__row" data-item={k}>
                <Text className="fit-trend__label">{ITEM_LABELS_ZH[k]}</Text>
                <Text className="fit-trend__scores">{chrono.map((r) => r.items.find((i) => i.item === k)?.score ?? '—').join(' → ')}</Text>
              </View>
            ))}
          </View>
        </View>
      ) : null}
      {items.map((r) => (
        <View
          key={r.id}
          className="fit-history-item cs-card"
          data-id={r.id}
          onClick={() => void Taro.navigateTo({ url: `/packages/fitness-test/report?id=${r.id}` })}
        >
          <Text className="fit-booking__name">
            {r.testDate} · {r.stationName}
          </Text>
          <Text className="fit-text">
            {r.total} / {r.maxTotal} 分 · {r.grade ? FITNESS_GRADE_LABELS_ZH[r.grade as FitnessGrade] : '未评定等级'}
          </Text>
          <Text className="fit-link">查看报告 ›</Text>
        </View>
      ))}
    </Screen>
  );
}
