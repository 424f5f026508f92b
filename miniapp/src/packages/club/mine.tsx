import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { clubApi } from './api';
import { day, detailUrl, roleZh, sportZh } from './lib';
import './club.scss';

const STATUS_ZH: Record<string, string> = { pending: '审核中', rejected: '未通过' };

/** 我的社团: clubs I belong to (or asked to join), and my founding applications. */
export default function MyClubsPage() {
  const { load, data, reload } = useLoad(() => clubApi.mine(), [], {
    login: '/packages/club/mine',
    refreshOnShow: true,
    isEmpty: (d) => d.items.length === 0 && d.applications.length === 0,
  });
  return (
    <Screen className="club-mine">
      <LoadView
        load={load}
        name="club-mine"
        errorText="加载失败"
        emptyText="还没有加入社团"
        emptyHint="去社团目录看看身边的体育社团"
        onRetry={() => void reload()}
      />
      {data?.items.map(({ club, membership }) => (
        <View key={club.id} className="club-card club-mine-item" onClick={() => void Taro.navigateTo({ url: detailUrl(club.id) })}>
          <View className="club-card__head">
            <Text className="club-card__name">{club.name}</Text>
            <Text className="club-tag">{membership.status === 'member' ? roleZh(membership.role) : '待审核'}</Text>
          </View>
          <Text className="club-card__meta">
            {sportZh(club.sport)} · {club.district}
            {membership.paidUntil ? ` · 会费至 ${day(membership.paidUntil)}` : ''}
          </Text>
        </View>
      ))}
      {data?.applications.length ? (
        <View className="club-section">
          <Text className="club-section__title">我的成立申请</Text>
          {data.applications.map((a) => (
            <View key={a.id} className="club-row club-application">
              <View className="club-row__main">
                <Text className="club-row__title">{a.name}</Text>
                {a.reviewReason ? <Text className="club-row__sub">审核意见：{a.reviewReason}</Text> : null}
              </View>
              <Text className={`club-tag${a.status === 'rejected' ? ' club-tag--warning' : ''}`}>{STATUS_ZH[a.status] ?? a.status}</Text>
            </View>
          ))}
        </View>
      ) : null}
      <View className="club-button club-button--ghost" onClick={() => void Taro.navigateTo({ url: '/packages/club/index' })}>
        浏览社团目录
      </View>
    </Screen>
  );
}
