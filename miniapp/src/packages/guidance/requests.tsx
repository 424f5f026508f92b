import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { GUIDANCE_SPORT_LABELS_ZH, INSTRUCTOR_LEVEL_LABELS_ZH, ORGANISATION_KIND_LABELS_ZH, type GuidanceSport } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import StatusTag from '../../components/StatusTag';
import { useLoad } from '../../hooks/useLoad';
import { dayOf, dayTitle, timeRange } from '../../utils/time';
import { guidanceApi } from '../../api/guidance';
import { requestStatus } from './requestFormat';
import '../../styles/guidance.scss';

/** 单位申请健身指导: an organisation's requests for an instructor, their status and the matched instructor. */
export default function GuidanceRequestsPage() {
  const mine = useLoad(() => guidanceApi.myRequests(), [], {
    login: '/packages/guidance/requests',
    refreshOnShow: true,
    pullToRefresh: true,
  });
  return (
    <Screen className="guidance-requests-page">
      <Text className="gd-hint">社区、学校、企事业单位可为集体健身活动申请社会体育指导员，体育局按项目、区域和时间为您匹配。</Text>
      <View className="gd-actions">
        <Button className="gd-request-new" type="primary" onClick={() => void Taro.navigateTo({ url: '/packages/guidance/request' })}>
          申请指导员
        </Button>
      </View>
      <Text className="gd-district">我的申请</Text>
      <LoadView
        load={mine.load}
        name="gd-requests"
        errorText="申请记录加载失败"
        emptyText="还没有申请记录"
        emptyHint="点击上方按钮申请指导员"
        onRetry={() => void mine.reload()}
      />
      {mine.data?.items.map((r) => {
        const st = requestStatus(r);
        return (
          <View
            key={r.id}
            className="gd-card cs-card gd-request-card"
            data-request-id={r.id}
            onClick={() => void Taro.navigateTo({ url: `/packages/guidance/request?id=${r.id}` })}
          >
            <View className="gd-card__head">
              <Text className="gd-card__sport">{GUIDANCE_SPORT_LABELS_ZH[r.sport as GuidanceSport] ?? r.sport}</Text>
              <Text className="gd-card__title">{r.organisation.name}</Text>
              <StatusTag text={st.text} tone={st.tone} className="gd-request-status" />
            </View>
            <Text className="gd-card__line">
              {dayTitle(dayOf(r.startAt))} {timeRange(r.startAt, r.endAt)} · {r.groupSize}人
            </Text>
            <Text className="gd-card__line">
              {ORGANISATION_KIND_LABELS_ZH[r.organisation.kind]} · {r.district} {r.place.name}
            </Text>
            {r.instructor ? (
              <Text className="gd-card__line">
                指导员：{r.instructor.name}（{INSTRUCTOR_LEVEL_LABELS_ZH[r.instructor.level]}）
              </Text>
            ) : null}
          </View>
        );
      })}
    </Screen>
  );
}
