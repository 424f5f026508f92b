import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { param } from '../../utils/params';
import { courseApi } from './api';
import { ageRange, enrolUrl, lessonWhen, levelZh, sportZh, when, yuan } from './lib';
import TargetReviews from '../../components/ReviewList/TargetReviews';
import './course.scss';

/** 课程详情: schedule, places left, teacher, the refund rule in words, price and 报名. */
export default function CourseDetailPage() {
  const { params } = useRouter();
  const id = param(params.id);
  const { load, data, reload } = useLoad(async () => (await courseApi.detail(id)).course, [id], { refreshOnShow: true });
  const c = data;
  const open = c ? c.status === 'open' && Date.now() < Date.parse(c.enrolClosesAt) && Date.now() >= Date.parse(c.enrolOpensAt) : false;
  return (
    <Screen className="course-detail">
      <LoadView load={load} name="course" errorText="课程加载失败" emptyText="课程不存在" onRetry={() => void reload()} />
      {c ? (
        <>
          <View className="course-card">
            <View className="course-card__head">
              <Text className="course-card__name course-detail__title">{c.title}</Text>
              <Text className="course-tag">{sportZh(c.sport)}</Text>
            </View>
            <View className="course-facts">
              <Text className="course-tag course-tag--muted">{ageRange(c.minAge, c.maxAge)}</Text>
              <Text className="course-tag course-tag--muted">{levelZh(c.level)}</Text>
              <Text className="course-tag course-tag--muted">共{c.lessonCount}节</Text>
              {c.status === 'cancelled' ? <Text className="course-tag course-tag--warning">已取消</Text> : null}
            </View>
            <Text className="course-card__desc">{c.description}</Text>
            <Text className="course-card__meta">
              {c.providerName} · {c.district} {c.address}
            </Text>
            <View className="course-card__head" style={{ marginTop: '16px' }}>
              <Text className="course-price">{yuan(c.priceFen)}</Text>
              <Text className="course-amount course-detail__places">
                {c.placesLeft > 0 ? `余 ${c.placesLeft} / ${c.capacity} 个名额` : `名额已满 · ${c.waitlisted} 人候补`}
              </Text>
            </View>
          </View>
          <View className="course-section">
            <Text className="course-section__title">授课教练</Text>
            <View className="course-row">
              <View className="course-row__main">
                <Text className="course-row__title course-detail__teacher">{c.teacher.name}</Text>
                <Text className="course-row__sub">{c.teacher.verified ? '认证社会体育指导员' : '培训机构教练'}</Text>
              </View>
            </View>
          </View>
          <View className="course-section">
            <Text className="course-section__title">课程安排（{c.scheduleSummary}）</Text>
            {c.lessons.map((l) => (
              <View key={l.index} className="course-lesson">
                <Text className="course-lesson__when">
                  第{l.index}节 · {lessonWhen(l.startAt, l.endAt)}
                </Text>
              </View>
            ))}
          </View>
          <View className="course-section">
            <Text className="course-section__title">退款规则</Text>
            <Text className="course-card__desc course-detail__refund">{c.refundRuleText}</Text>
            <Text className="course-card__meta">
              出勤满 {c.certificateMinLessons} 节可获结业证书 · 报名截止 {when(c.enrolClosesAt)}
            </Text>
          </View>
          <TargetReviews kind="course" id={c.id} block="course-reviews" sectionClass="course-section" titleClass="course-section__title" />
          <View
            className={`course-button course-detail__enrol${open ? '' : ' course-button--ghost'}`}
            onClick={() => (open ? void Taro.navigateTo({ url: enrolUrl(c.id) }) : undefined)}
          >
            {!open ? '当前不可报名' : c.placesLeft > 0 ? '报名' : '加入候补'}
          </View>
        </>
      ) : null}
    </Screen>
  );
}
