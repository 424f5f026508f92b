import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { isForbidden, useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import { clubApi, type AdminClubItem } from './api';
import { sportZh } from './lib';
import { inShanghai } from '@citysport/shared';
import './club.scss';

/** 社团审核 (bureau admins): pending founding applications, approve or reject with a reason (audited). */
export default function ClubReviewPage() {
  const { load, data, reload } = useLoad(() => clubApi.adminList('pending'), [], { login: '/packages/club/review' });
  const month = inShanghai(new Date()).startOf('month');
  const ranking = useLoad(() => clubApi.ranking(month.format('YYYY-MM-DD'), month.add(1, 'month').format('YYYY-MM-DD')), []);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const decide = async (c: AdminClubItem, approved: boolean) => {
    const reason = (reasons[c.id] ?? '').trim() || (approved ? '材料齐全，同意成立' : '');
    if (!reason) return notify('驳回时请填写原因');
    try {
      await clubApi.review(c.id, approved, reason);
      notify(approved ? '已批准成立' : '已驳回');
      await reload(true);
    } catch {
      /* toast shown */
    }
  };
  return (
    <Screen className="club-review">
      {isForbidden(load) ? <View className="club-notice club-forbidden">仅体育局管理员可审核</View> : null}
      <LoadView load={load} name="club-review" errorText="加载失败" emptyText="暂无待审核的申请" onRetry={() => void reload()} />
      {data?.items.map((c) => (
        <View key={c.id} className="club-card club-review-item">
          <View className="club-card__head">
            <Text className="club-card__name">{c.name}</Text>
            <Text className="club-tag">{sportZh(c.sport)}</Text>
          </View>
          <Text className="club-card__meta">
            {c.district} · 联系人 {c.contactName}
            {c.registrationNo ? ` · 信用代码 ${c.registrationNo}` : ''}
          </Text>
          <Text className="club-card__desc">宗旨：{c.purpose}</Text>
          <Text className="club-card__desc">章程：{c.charter}</Text>
          <Input
            className="club-form__input club-review-reason"
            placeholder="审核意见（驳回必填）"
            value={reasons[c.id] ?? ''}
            onInput={(e) => setReasons((r) => ({ ...r, [c.id]: e.detail.value }))}
          />
          <View className="club-actions" style={{ marginTop: '16px' }}>
            <View className="club-button club-review-approve" onClick={() => void decide(c, true)}>
              批准
            </View>
            <View className="club-button club-button--danger club-review-reject" onClick={() => void decide(c, false)}>
              驳回
            </View>
          </View>
        </View>
      ))}
      <View className="club-section club-ranking">
        <Text className="club-section__title">社团活跃度排行（本月）</Text>
        <LoadView
          load={ranking.load}
          name="club-ranking"
          errorText="排行加载失败"
          emptyText="暂无社团"
          onRetry={() => void ranking.reload()}
        />
        {ranking.data?.items.slice(0, 20).map((r, i) => (
          <View key={r.clubId} className="club-row club-ranking-row">
            <View className="club-row__main">
              <Text className="club-row__title">
                {i + 1}. {r.name}
              </Text>
              <Text className="club-row__sub">
                {r.district} · 活动 {r.activitiesHeld} 场 · 签到 {r.attendance} 人次 · 会员 {r.members} · 增长 {r.growth}
              </Text>
            </View>
            <Text className="club-amount">{r.score}</Text>
          </View>
        ))}
      </View>
    </Screen>
  );
}
