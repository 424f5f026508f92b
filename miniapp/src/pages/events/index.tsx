import { Text, View } from '@tarojs/components';
import Screen from '../../components/Screen';
import './index.scss';

const COMING = [
  { key: 'calendar', glyph: '历', name: '赛事日历', meta: '全市群众性体育赛事一览' },
  { key: 'register', glyph: '报', name: '在线报名', meta: '个人与团体报名、名额实时查看' },
  { key: 'results', glyph: '绩', name: '成绩与证书', meta: '赛后查询成绩、下载电子证书' },
];

export default function EventsPage() {
  return (
    <Screen className="events-page">
      <View className="events-placeholder cs-card">
        <Text className="events-placeholder__title">赛事报名即将上线</Text>
        <Text className="events-placeholder__text">全市群众性体育赛事将在这里发布，敬请期待</Text>
      </View>
      <View className="cs-section-title">即将开放的功能</View>
      {COMING.map((e) => (
        <View key={e.key} className="event-preview cs-card">
          <View className="event-preview__date">{e.glyph}</View>
          <View className="event-preview__body">
            <Text className="event-preview__name">{e.name}</Text>
            <Text className="event-preview__meta">{e.meta}</Text>
          </View>
        </View>
      ))}
    </Screen>
  );
}
