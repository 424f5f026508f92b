import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { CourseSummaryDto } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView, { LoadMore } from '../../components/LoadView';
import { usePagedList } from '../../hooks/usePagedList';
import { courseApi } from './api';
import { AGE_OPTIONS, DISTRICT_OPTIONS, MINE_PAGE, SPORT_OPTIONS, ageRange, detailUrl, levelZh, sportZh, yuan } from './lib';
import './course.scss';

/** 报名培训: courses by sport, the participant's age and district; places left at a glance. */
export default function CourseListPage() {
  const [sport, setSport] = useState<string | null>(null);
  const [age, setAge] = useState<number | null>(null);
  const [district, setDistrict] = useState<string | null>(null);
  const list = usePagedList<CourseSummaryDto>(
    (cursor, limit) => courseApi.list({ sport: sport ?? undefined, age: age ?? undefined, district: district ?? undefined, cursor, limit }),
    [sport, age, district],
  );
  const chip = (on: boolean) => `course-chips__chip${on ? ' course-chips__chip--current' : ''}`;

  return (
    <Screen className="course-list">
      <View className="course-chips course-filter-sport">
        <View className={chip(sport === null)} onClick={() => setSport(null)}>
          全部项目
        </View>
        {SPORT_OPTIONS.map((s) => (
          <View key={s.key} className={chip(sport === s.key)} onClick={() => setSport(s.key)}>
            {s.label}
          </View>
        ))}
      </View>
      <View className="course-chips course-filter-age">
        <View className={chip(age === null)} onClick={() => setAge(null)}>
          不限年龄
        </View>
        {AGE_OPTIONS.map((a) => (
          <View key={a.key} className={chip(age === a.key)} onClick={() => setAge(a.key)}>
            {a.label}
          </View>
        ))}
      </View>
      <View className="course-chips course-filter-district">
        <View className={chip(district === null)} onClick={() => setDistrict(null)}>
          全市
        </View>
        {DISTRICT_OPTIONS.map((d) => (
          <View key={d} className={chip(district === d)} onClick={() => setDistrict(d)}>
            {d}
          </View>
        ))}
      </View>
      <View className="course-actions">
        <View className="course-button course-button--ghost course-mine-link" onClick={() => void Taro.navigateTo({ url: MINE_PAGE })}>
          我的培训
        </View>
      </View>
      <LoadView
        load={list.load}
        name="courses"
        errorText="课程加载失败"
        emptyText="没有找到课程"
        emptyHint="换个项目、年龄或区域试试"
        onRetry={() => void list.reload()}
      />
      {list.items.map((c) => (
        <View key={c.id} className="course-card course-item" onClick={() => void Taro.navigateTo({ url: detailUrl(c.id) })}>
          <View className="course-card__head">
            <Text className="course-card__name course-item__name">{c.title}</Text>
            <Text className="course-tag">{sportZh(c.sport)}</Text>
          </View>
          <Text className="course-card__meta">
            {ageRange(c.minAge, c.maxAge)} · {levelZh(c.level)} · {c.district} · {c.placeName}
          </Text>
          <Text className="course-card__meta">{c.scheduleSummary}</Text>
          <View className="course-card__head" style={{ marginTop: '12px' }}>
            <Text className="course-price">{yuan(c.priceFen)}</Text>
            <Text className={`course-tag${c.placesLeft === 0 ? ' course-tag--warning' : ''} course-item__places`}>
              {c.placesLeft === 0 ? '已满·可候补' : `余${c.placesLeft}个名额`}
            </Text>
          </View>
        </View>
      ))}
      {list.load.state === 'ready' ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="course-more" name="courses" />
      ) : null}
    </Screen>
  );
}
