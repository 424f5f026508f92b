import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { courseApi } from './api';
import { attendanceUrl, sportZh, when } from './lib';
import './course.scss';

/** 培训机构管理: the courses I provide (a venue's manager or a training organisation), publish a new one. */
export default function ProviderCoursesPage() {
  const { load, data, reload } = useLoad(() => courseApi.providerList(), [], { login: '/packages/course/provider', refreshOnShow: true });
  return (
    <Screen className="course-provider">
      <View className="course-button course-provider__publish" onClick={() => void Taro.navigateTo({ url: '/packages/course/publish' })}>
        发布新课程
      </View>
      <LoadView load={load} name="provider-courses" errorText="加载失败" emptyText="还没有发布课程" onRetry={() => void reload()} />
      {data?.items.map((c) => (
        <View key={c.id} className="course-card course-provider__item" onClick={() => void Taro.navigateTo({ url: attendanceUrl(c.id) })}>
          <View className="course-card__head">
            <Text className="course-card__name">{c.title}</Text>
            <Text className={`course-tag${c.status === 'cancelled' ? ' course-tag--warning' : ''}`}>
              {c.status === 'cancelled' ? '已取消' : sportZh(c.sport)}
            </Text>
          </View>
          <Text className="course-card__meta">
            {c.scheduleSummary} · 已报 {c.capacity - c.placesLeft}/{c.capacity}
          </Text>
          <Text className="course-card__meta">报名截止 {when(c.enrolClosesAt)} · 点击查看考勤</Text>
        </View>
      ))}
    </Screen>
  );
}
