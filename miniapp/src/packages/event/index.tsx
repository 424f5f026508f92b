import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { EVENT_KIND_LABELS_ZH, type EventDetailDto, type EventGroupDto } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { eventsApi } from '../../api/events';
import { modeZh, sportZh, statusZh, when, yuan } from './format';
import './index.scss';

function eligibility(g: EventGroupDto): string {
  const e = g.eligibility;
  const parts: string[] = [];
  if (e.minAge !== undefined && e.maxAge !== undefined) parts.push(`${e.minAge}–${e.maxAge}周岁`);
  else if (e.minAge !== undefined) parts.push(`${e.minAge}周岁以上`);
  else if (e.maxAge !== undefined) parts.push(`${e.maxAge}周岁以下`);
  if (e.gender) parts.push(e.gender === 'M' ? '男子' : '女子');
  if (e.qualifying) parts.push(`资格：${e.qualifying}`);
  return parts.length ? `${parts.join(' · ')}（年龄以比赛日计）` : '不限';
}

/** Event detail: groups with places left, rules, pledge, and the way to register, the draw and results. */
export default function EventDetailPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const { load } = useLoad(() => eventsApi.detail(id), [id], { refreshOnShow: true });
  const e: EventDetailDto | undefined = load.state === 'ready' ? load.data : undefined;
  const open = e?.status === 'registration_open';

  return (
    <Screen className="event-page">
      <LoadView
        load={load}
        name="event"
        errorText="赛事加载失败"
        onRetry={() => void Taro.redirectTo({ url: `/packages/event/index?id=${id}` })}
      />
      {e ? (
        <>
          <View className="cs-card event-head">
            <Text className="event-head__name">{e.name}</Text>
            <Text className="event-head__meta">
              {EVENT_KIND_LABELS_ZH[e.kind]} · {sportZh(e.sport)} · {e.district}
            </Text>
            <Text className="event-head__line">比赛时间：{when(e.startAt)}</Text>
            <Text className="event-head__line">地点：{e.place}</Text>
            <Text className="event-head__line">
              报名：{when(e.registration.opensAt)} 至 {when(e.registration.closesAt)}（{modeZh(e.registration.mode)}）
            </Text>
            <Text className={`event-head__status event-head__status--${e.status}`}>{statusZh(e.status)}</Text>
          </View>

          <View className="cs-section-title">组别与名额</View>
          {e.groups.map((g) => (
            <View key={g.id} className="cs-card event-group">
              <View className="event-group__head">
                <Text className="event-group__name">{g.name}</Text>
                <Text className="event-group__fee">{yuan(g.feeFen)}</Text>
              </View>
              <Text className="event-group__line">条件：{eligibility(g)}</Text>
              <Text className="event-group__line">
                {e.registration.mode === 'lottery' ? `名额 ${g.capacity}，抽签决定` : `剩余 ${g.remaining} / ${g.capacity}`}
                {g.team ? ` · 团体报名 ${g.team.minSize}–${g.team.maxSize} 人` : ''}
              </Text>
              {open ? (
                <Button
                  className="event-group__register"
                  type="primary"
                  block
                  disabled={e.registration.mode === 'first_come' && g.remaining === 0}
                  onClick={() => void Taro.navigateTo({ url: `/packages/event/register?id=${e.id}&groupId=${g.id}` })}
                >
                  {e.registration.mode === 'first_come' && g.remaining === 0
                    ? '名额已满'
                    : e.registration.mode === 'lottery'
                      ? '参加抽签'
                      : '立即报名'}
                </Button>
              ) : null}
            </View>
          ))}

          {e.description ? (
            <View className="cs-card event-text">
              <Text className="event-text__title">赛事介绍</Text>
              <Text className="event-text__body">{e.description}</Text>
            </View>
          ) : null}
          <View className="cs-card event-text">
            <Text className="event-text__title">退赛与转让</Text>
            <Text className="event-text__body">
              {e.refundPolicy.tiers.length
                ? [...e.refundPolicy.tiers]
                    .sort((a, b) => b.daysBefore - a.daysBefore)
                    .map((t) => `赛前${t.daysBefore}天及以前取消退${t.percent}%`)
                    .join('；')
                : '报名后不退费'}
              {e.transfer.allowed ? '；可转让一次' : '；名额限本人使用，不可转让'}
            </Text>
          </View>
          <View className="event-links">
            {e.registration.mode === 'lottery' ? (
              <Button className="event-links__draw" onClick={() => void Taro.navigateTo({ url: `/packages/event/draw?id=${e.id}` })}>
                抽签公示
              </Button>
            ) : null}
            <Button className="event-links__results" onClick={() => void Taro.navigateTo({ url: `/packages/event/results?id=${e.id}` })}>
              成绩查询
            </Button>
            <Button className="event-links__mine" onClick={() => void Taro.navigateTo({ url: '/packages/event/mine' })}>
              我的报名
            </Button>
          </View>
        </>
      ) : null}
    </Screen>
  );
}
