import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { FITNESS_BAND_LABEL } from './format';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { fitnessApi } from '../../api/fitness';
import './fitness.scss';

const STATUS_ZH = { booked: '待测试', checked_in: '已签到', measured: '已出报告' } as const;

/** 体质测试 home: what it is, the stations, my bookings (tickets), reports and the calculator */
export default function FitnessHomePage() {
  const { load, data, reload } = useLoad(() => fitnessApi.stations({ toast: false }).then((r) => r.items), [], { isEmpty: () => false });
  const mine = useLoad(
    () =>
      fitnessApi
        .myBookings({ toast: false })
        .then((r) => r.items)
        .catch(() => []),
    [],
    { refreshOnShow: true, isEmpty: () => false },
  );
  const go = (url: string) => void Taro.navigateTo({ url });
  return (
    <Screen className="page-fitness-test fit-page">
      <View className="fit-intro cs-card">
        <Text className="fit-title">国民体质测试</Text>
        <Text className="fit-text">
          按《国民体质测定标准》(2003) 成年人部分，测身高体重、肺活量、台阶试验、握力、柔韧、平衡、反应等 7–9
          项，当场出具评分报告和运动建议，逐年对比变化。
        </Text>
        <View className="fit-actions">
          <Button className="fit-go-calc" onClick={() => go('/packages/fitness-test/calc')}>
            自测计算器
          </Button>
          <Button className="fit-go-history" onClick={() => go('/packages/fitness-test/history')}>
            我的报告
          </Button>
        </View>
      </View>

      {mine.data && mine.data.length > 0 ? (
        <View className="fit-mine cs-card">
          <Text className="fit-section">我的预约</Text>
          {mine.data.map((b) => (
            <View
              key={b.id}
              className="fit-booking"
              data-id={b.id}
              onClick={() => (b.reportId ? go(`/packages/fitness-test/report?id=${b.reportId}`) : go('/packages/ticket/index'))}
            >
              <Text className="fit-booking__name">{b.stationName}</Text>
              <Text className="fit-text">
                {b.startAt.slice(0, 10)} · {b.participantName} · {STATUS_ZH[b.status]}
              </Text>
              <Text className="fit-link">{b.reportId ? '查看报告 ›' : '出示入场码 ›'}</Text>
            </View>
          ))}
        </View>
      ) : null}

      <Text className="fit-section">测试站点</Text>
      <LoadView load={load} name="fit-stations" errorText="站点加载失败" onRetry={() => void reload()} />
      {(data ?? []).map((s) => (
        <View key={s.id} className="fit-station cs-card" data-id={s.id}>
          <Text className="fit-station__name">{s.name}</Text>
          <Text className="fit-text">
            {s.district} · {s.address}
          </Text>
          <Text className="fit-text">开放：{s.hours}</Text>
          <Text className="fit-text">服务年龄：{s.ageBands.map((b) => FITNESS_BAND_LABEL[b]).join('、')}</Text>
          <Button type="primary" className="fit-book" onClick={() => go(`/packages/fitness-test/book?stationId=${s.id}`)}>
            预约测试
          </Button>
        </View>
      ))}
    </Screen>
  );
}
