import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import type { EventSummaryDto } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { eventsApi } from '../../api/events';
import { notify } from '../../stores/elder';
import { modeZh, statusZh, when } from './format';
import './organiser.scss';

type Action = 'publish' | 'open' | 'close' | 'draw' | 'bibs' | 'finish';
const ACTIONS: Record<string, { action: Action; label: string }[]> = {
  draft: [{ action: 'publish', label: '发布' }],
  published: [{ action: 'open', label: '开放报名' }],
  registration_open: [{ action: 'close', label: '截止报名' }],
  closed: [
    { action: 'draw', label: '抽签' },
    { action: 'bibs', label: '分配号码布' },
    { action: 'finish', label: '结束赛事' },
  ],
  drawn: [
    { action: 'bibs', label: '分配号码布' },
    { action: 'finish', label: '结束赛事' },
  ],
};

/** Organiser: own events with counts, and the lifecycle actions (each audited on the server). */
export default function OrganiserPage() {
  const { load, reload } = useLoad(() => eventsApi.organiserEvents(), [], { login: '/packages/event/organiser' });
  const [busy, setBusy] = useState<string | null>(null);
  const run = async (e: EventSummaryDto, a: { action: Action; label: string }) => {
    const ok = await Taro.showModal({ title: a.label, content: `确定对「${e.name}」执行「${a.label}」吗？该操作将记入审计日志。` });
    if (!ok.confirm) return;
    setBusy(`${e.id}:${a.action}`);
    try {
      await eventsApi.organiserAction(e.id, a.action);
      notify(`${a.label}完成`, 2000);
      await reload(true);
    } catch {
      /* the client showed the message */
    } finally {
      setBusy(null);
    }
  };
  return (
    <Screen className="org-page">
      <Button type="primary" block className="org-create" onClick={() => void Taro.navigateTo({ url: '/packages/event/edit' })}>
        ＋ 创建赛事
      </Button>
      <LoadView load={load} name="org" errorText="赛事加载失败" emptyText="还没有创建赛事" onRetry={() => void reload()} />
      {load.state === 'ready'
        ? load.data.items.map((e) => (
            <View key={e.id} className="cs-card org-event">
              <Text className="org-event__name">{e.name}</Text>
              <Text className="org-event__meta">
                {when(e.startAt)} · {modeZh(e.registration.mode)} · {statusZh(e.status)}
              </Text>
              {e.groups.map((g) => (
                <Text key={g.id} className="org-event__group">
                  {g.name}：名额 {g.capacity}
                  {e.registration.mode === 'first_come' ? `，已报 ${g.capacity - g.remaining}` : ''}
                </Text>
              ))}
              <View className="org-event__actions">
                {e.status === 'draft' || e.status === 'published' ? (
                  <Button
                    size="small"
                    className="org-edit"
                    onClick={() => void Taro.navigateTo({ url: `/packages/event/edit?id=${e.id}` })}
                  >
                    编辑
                  </Button>
                ) : null}
                {(ACTIONS[e.status] ?? [])
                  .filter((a) => a.action !== 'draw' || e.registration.mode === 'lottery')
                  .map((a) => (
                    <Button
                      key={a.action}
                      size="small"
                      type="primary"
                      loading={busy === `${e.id}:${a.action}`}
                      onClick={() => void run(e, a)}
                    >
                      {a.label}
                    </Button>
                  ))}
              </View>
            </View>
          ))
        : null}
    </Screen>
  );
}
