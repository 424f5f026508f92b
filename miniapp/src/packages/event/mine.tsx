import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { REGISTRATION_STATUS_LABELS_ZH, type RegistrationDto } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView, { LoadMore } from '../../components/LoadView';
import { usePagedList } from '../../hooks/usePagedList';
import { useNow } from '../../utils/time';
import { eventsApi } from '../../api/events';
import { notify } from '../../stores/elder';
import { when, yuan } from './format';
import './mine.scss';

const CANCELLABLE = ['held', 'confirmed', 'entered', 'won', 'waitlisted', 'offered'];
const OWES = ['held', 'won', 'offered'];

/** 我的报名: status, draw rank, bib, payment deadline; cancel by the event's refund policy. */
export default function MyRegistrationsPage() {
  const [busy, setBusy] = useState<string | null>(null);
  const list = usePagedList<RegistrationDto>((cursor, limit) => eventsApi.mine(cursor, limit), [], { login: '/packages/event/mine' });
  const now = useNow(true, 60_000);
  const canTransfer = (r: RegistrationDto) => !!r.transferUntil && now < new Date(r.transferUntil).getTime();

  const cancel = async (r: RegistrationDto) => {
    const ok = await Taro.showModal({
      title: '取消报名',
      content: `确定取消「${r.eventName} ${r.groupName}」吗？已付报名费按退赛规则退还。`,
      confirmText: '确定取消',
      cancelText: '再想想',
    });
    if (!ok.confirm) return;
    setBusy(r.id);
    try {
      const next = await eventsApi.cancel(r.id);
      list.updateItems((cur) => cur.map((x) => (x.id === r.id ? next : x)));
      notify('已取消报名', 2000);
    } catch {
      void list.reload(true);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Screen className="my-reg-page">
      <LoadView
        load={list.load}
        name="my-reg"
        errorText="报名记录加载失败"
        emptyText="还没有报名记录"
        emptyHint="去赛事日历挑一场比赛吧"
        onRetry={() => void list.reload()}
      />
      {list.items.map((r) => (
        <View key={r.id} className={`cs-card my-reg my-reg--${r.status}`}>
          <View className="my-reg__head">
            <Text className="my-reg__name">{r.eventName}</Text>
            <Text className={`my-reg__status my-reg__status--${r.status}`}>{REGISTRATION_STATUS_LABELS_ZH[r.status]}</Text>
          </View>
          <Text className="my-reg__line">
            {r.groupName} · {r.participant.name} · {r.participant.idNumber}
          </Text>
          <Text className="my-reg__line">比赛时间：{when(r.startAt)}</Text>
          {r.drawRank !== null ? <Text className="my-reg__line">抽签序号：第 {r.drawRank + 1} 位</Text> : null}
          {r.bib ? <Text className="my-reg__bib">号码布 {r.bib}</Text> : null}
          {r.transferredAt ? <Text className="my-reg__line my-reg__transferred">已于 {when(r.transferredAt)} 转让给现参赛人</Text> : null}
          {canTransfer(r) ? <Text className="my-reg__line my-reg__transfer-until">可转让至 {when(r.transferUntil!)}（仅一次）</Text> : null}
          {OWES.includes(r.status) && (r.holdExpiresAt || r.payDeadline) ? (
            <Text className="my-reg__due">
              请在 {when((r.holdExpiresAt ?? r.payDeadline)!)} 前支付 {yuan(r.feeFen)}
            </Text>
          ) : null}
          <View className="my-reg__actions">
            {OWES.includes(r.status) && r.orderId ? (
              <Button type="primary" size="small" onClick={() => void Taro.navigateTo({ url: `/packages/pay/index?orderId=${r.orderId}` })}>
                去支付
              </Button>
            ) : null}
            {r.status === 'confirmed' ? (
              <Button size="small" onClick={() => void Taro.navigateTo({ url: '/packages/ticket/index' })}>
                检录凭证
              </Button>
            ) : null}
            {canTransfer(r) ? (
              <Button
                size="small"
                className="my-reg__transfer"
                onClick={() =>
                  void Taro.navigateTo({ url: `/packages/event/register?id=${r.eventId}&groupId=${r.groupId}&transfer=${r.id}` })
                }
              >
                转让名额
              </Button>
            ) : null}
            {r.hasResult ? (
              <Button
                size="small"
                type="primary"
                className="my-reg__cert"
                onClick={() => void Taro.navigateTo({ url: `/packages/event/certificate?id=${r.id}` })}
              >
                成绩证书
              </Button>
            ) : null}
            {CANCELLABLE.includes(r.status) ? (
              <Button size="small" loading={busy === r.id} className="my-reg__cancel" onClick={() => void cancel(r)}>
                取消报名
              </Button>
            ) : null}
          </View>
        </View>
      ))}
      {list.load.state === 'ready' ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="my-reg-more" name="my-reg" />
      ) : null}
    </Screen>
  );
}
