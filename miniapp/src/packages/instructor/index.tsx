import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { GUIDANCE_SPORT_LABELS_ZH, type GuidanceSport } from '@citysport/shared';
import { notify } from '../../stores/elder';
import { dayOf, dayTitle, timeRange } from '../../utils/time';
import { guidanceApi } from '../../api/guidance';
import SessionCard from '../../components/SessionCard';
import '../../styles/guidance.scss';

const STATUS_ZH = { pending: '审核中', verified: '已认证', rejected: '未通过' } as const;
const SESSION_ZH = { published: '待开展', delivered: '已完成', not_delivered: '未履约', cancelled: '已取消' } as const;

/** 指导员工作台: my application's state, organisations' open requests to take, my sessions (check-in, code, log), publish. */
export default function InstructorHomePage() {
  const profile = useLoad(() => guidanceApi.myProfile(), [], {
    login: '/packages/instructor/index',
    refreshOnShow: true,
    isEmpty: () => false,
  });
  const verified = profile.data?.profile?.status === 'verified';
  const sessions = useLoad(() => guidanceApi.mySessions(), [verified], { enabled: verified, refreshOnShow: true });
  const requests = useLoad(() => guidanceApi.openRequests(), [verified], { enabled: verified, refreshOnShow: true });
  const [taking, setTaking] = useState<string | null>(null);
  const accept = async (id: string) => {
    if (taking) return;
    setTaking(id);
    try {
      await guidanceApi.acceptRequest(id);
      notify('已接单，活动已加入“我的指导活动”', 2500);
      await Promise.all([requests.reload(true), sessions.reload(true)]);
    } catch {
      /* the client showed the Chinese message */
    } finally {
      setTaking(null);
    }
  };
  const p = profile.data?.profile;
  return (
    <Screen className="instructor-page">
      <LoadView load={profile.load} name="ins-profile" errorText="加载失败" onRetry={() => void profile.reload()} />
      {profile.data ? (
        <View className="gd-section">
          <Text className="gd-section__title">{p ? `${p.name} · ${STATUS_ZH[p.status]}` : '尚未申请指导员资格'}</Text>
          {p?.status === 'rejected' && p.reason ? <Text className="gd-result--bad">驳回理由：{p.reason}</Text> : null}
          <View className="gd-actions">
            <Button className="ins-apply" onClick={() => void Taro.navigateTo({ url: '/packages/instructor/apply' })}>
              {p ? '修改资料' : '申请成为社会体育指导员'}
            </Button>
            {verified ? (
              <Button className="ins-publish" type="primary" onClick={() => void Taro.navigateTo({ url: '/packages/instructor/publish' })}>
                发布指导活动
              </Button>
            ) : null}
            {verified ? (
              <Button className="ins-ratings" onClick={() => void Taro.navigateTo({ url: '/packages/instructor/ratings' })}>
                我收到的评价
              </Button>
            ) : null}
          </View>
        </View>
      ) : null}
      {verified && requests.data?.items.length ? (
        <View className="gd-section ins-requests">
          <Text className="gd-section__title">单位指导需求（可接单）</Text>
          {requests.data.items.map((r) => (
            <View key={r.id} className="gd-rank ins-request" data-request-id={r.id}>
              <View className="gd-rank__main">
                <Text className="gd-rank__name">
                  {r.organisation.name} · {GUIDANCE_SPORT_LABELS_ZH[r.sport as GuidanceSport] ?? r.sport}
                </Text>
                <Text className="gd-rank__meta">
                  {dayTitle(dayOf(r.startAt))} {timeRange(r.startAt, r.endAt)} · {r.district} {r.place.name} · {r.groupSize}人
                </Text>
              </View>
              <Button
                className="ins-request-accept"
                size="small"
                type="primary"
                loading={taking === r.id}
                onClick={() => void accept(r.id)}
              >
                接单
              </Button>
            </View>
          ))}
        </View>
      ) : null}
      {verified
        ? sessions.data?.items.map((s) => (
            <SessionCard
              key={s.id}
              s={s}
              extra={`${SESSION_ZH[s.status]} · 报名${s.signedUp} · 到场${s.attended}`}
              onTap={() => void Taro.navigateTo({ url: `/packages/instructor/session?id=${s.id}` })}
            />
          ))
        : null}
    </Screen>
  );
}
