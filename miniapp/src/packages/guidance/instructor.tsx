import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { GUIDANCE_SPORT_LABELS_ZH, INSTRUCTOR_LEVEL_LABELS_ZH } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import SessionCard from '../../components/SessionCard';
import { useLoad } from '../../hooks/useLoad';
import { param } from '../../utils/params';
import { dayOf, shortDate } from '../../utils/time';
import { guidanceApi } from '../../api/guidance';
import '../../styles/guidance.scss';

const stars = (n: number) => '★'.repeat(n) + '☆'.repeat(5 - n);

/** 指导员主页 (public): level, specialities, rating, sessions this year, upcoming sessions, ratings and the instructor's replies. */
export default function InstructorProfilePage() {
  const params = Taro.getCurrentInstance().router?.params ?? {};
  const id = param(params.id);
  const page = useLoad(() => guidanceApi.instructor(id), [id], { pullToRefresh: true });
  const p = page.data?.instructor;
  return (
    <Screen className="guidance-instructor-page">
      <LoadView load={page.load} name="gd-instructor" errorText="指导员信息加载失败" onRetry={() => void page.reload()} />
      {p ? (
        <>
          <View className="gd-section gd-profile">
            <Text className="gd-section__title gd-profile__name">
              {p.name} · {INSTRUCTOR_LEVEL_LABELS_ZH[p.level]}社会体育指导员
            </Text>
            <View className="gd-kv">
              <Text>区县</Text>
              <Text>{p.district}</Text>
            </View>
            <View className="gd-kv">
              <Text>专长</Text>
              <Text>{p.specialities.map((s) => GUIDANCE_SPORT_LABELS_ZH[s]).join('、')}</Text>
            </View>
            <View className="gd-kv">
              <Text>评分</Text>
              <Text className="gd-profile__rating">{p.rating === null ? '暂无评分' : `${p.rating}分（${p.ratingCount}条评价）`}</Text>
            </View>
            <View className="gd-kv">
              <Text>今年已完成</Text>
              <Text>{p.sessionsThisYear}场</Text>
            </View>
            {p.bio ? <Text className="gd-card__line">{p.bio}</Text> : null}
          </View>
          <Text className="gd-district">近期活动</Text>
          {page.data!.upcoming.length ? (
            page.data!.upcoming.map((s) => (
              <SessionCard key={s.id} s={s} onTap={() => void Taro.navigateTo({ url: `/packages/guidance/session?id=${s.id}` })} />
            ))
          ) : (
            <Text className="gd-hint">近期暂无公开活动</Text>
          )}
          <Text className="gd-district">学员评价</Text>
          {page.data!.ratings.length ? null : <Text className="gd-hint">还没有评价</Text>}
          {page.data!.ratings.map((r) => (
            <View key={r.id} className="gd-section gd-rating" data-rating-id={r.id}>
              <View className="gd-rating__head">
                <Text className="gd-rating__stars" aria-label={`${r.stars}星`}>
                  {stars(r.stars)}
                </Text>
                <Text className="gd-rating__who">
                  {r.kind === 'organisation' ? '服务单位' : '学员'} · {shortDate(dayOf(r.createdAt))}
                </Text>
              </View>
              {r.comment ? <Text className="gd-card__line">{r.comment}</Text> : null}
              {r.reply ? (
                <View className="gd-rating__reply">
                  <Text>指导员回复：{r.reply}</Text>
                </View>
              ) : null}
            </View>
          ))}
        </>
      ) : null}
    </Screen>
  );
}
