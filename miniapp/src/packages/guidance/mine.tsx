import Taro from '@tarojs/taro';
import { Text } from '@tarojs/components';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { guidanceApi } from '../../api/guidance';
import SessionCard from '../../components/SessionCard';
import '../../styles/guidance.scss';

const STATUS_ZH = { confirmed: '已报名', attended: '已参加', cancelled: '已取消', taking: '处理中', failed: '未成功' } as const;

/** 我的指导活动: sign-ups, attendance and my ratings. */
export default function MyGuidancePage() {
  const mine = useLoad(() => guidanceApi.mine(), [], { login: '/packages/guidance/mine', refreshOnShow: true });
  return (
    <Screen className="guidance-mine-page">
      <LoadView
        load={mine.load}
        name="gd-mine"
        errorText="加载失败"
        emptyText="还没有参加过健身指导"
        emptyHint="去看看附近的指导活动吧"
        onRetry={() => void mine.reload()}
      />
      {mine.data?.items.map((it) => (
        <SessionCard
          key={it.signup.id}
          s={it.session}
          extra={
            it.rating
              ? `${STATUS_ZH[it.signup.status]} · 已评${it.rating.stars}星`
              : it.canRate
                ? `${STATUS_ZH[it.signup.status]} · 去评价`
                : STATUS_ZH[it.signup.status]
          }
          onTap={() => void Taro.navigateTo({ url: `/packages/guidance/session?id=${it.session.id}` })}
        />
      ))}
      {mine.data?.items.some((it) => it.rating?.reply) ? <Text className="gd-hint">指导员已回复您的部分评价</Text> : null}
    </Screen>
  );
}
