import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { GUIDANCE_SPORT_LABELS_ZH, INSTRUCTOR_LEVEL_LABELS_ZH, ORGANISATION_KIND_LABELS_ZH, type GuidanceSport } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView, { LoadMore } from '../../components/LoadView';
import { usePagedList } from '../../hooks/usePagedList';
import { notify } from '../../stores/elder';
import { dayOf, dayTitle, timeRange } from '../../utils/time';
import { guidanceApi, type BureauRequest } from '../../api/guidance';
import '../../styles/guidance.scss';

/**
 * 指导员选配 (体育局): organisations' open requests, soonest first, each with the instructors the
 * server suggests (the sport, free at that time, same district first); 指派 one (audited on the server).
 */
export default function GuidanceAssignPage() {
  const list = usePagedList<BureauRequest>((cursor, limit) => guidanceApi.bureauRequests(cursor, limit), [], {
    login: '/packages/guidance/assign',
  });
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const assign = async (r: BureauRequest, instructor: BureauRequest['suggestions'][number]) => {
    if (busy) return;
    const ok = await Taro.showModal({
      title: '确认指派',
      content: `将「${r.organisation.name}」的${GUIDANCE_SPORT_LABELS_ZH[r.sport as GuidanceSport] ?? r.sport}指导需求指派给${instructor.name}？`,
    }).catch(() => ({ confirm: false }));
    if (!ok.confirm) return;
    setBusy(`${r.id}:${instructor.id}`);
    try {
      await guidanceApi.assign(r.id, instructor.id, reasons[r.id]?.trim() || undefined);
      notify(`已指派给${instructor.name}，活动已生成`, 2500);
      await list.reload(true);
    } catch {
      /* the client showed the Chinese message (e.g. 该需求已处理) */
      await list.reload(true);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Screen className="guidance-assign-page">
      <Text className="gd-hint">按项目、区县和时间为单位匹配空闲的指导员；指派后生成指导活动，指导员照常签到、记录日志。</Text>
      <LoadView
        load={list.load}
        name="gd-assign"
        errorText="指导需求加载失败"
        emptyText="暂无待选配的指导需求"
        onRetry={() => void list.reload()}
      />
      {list.items.map((r) => (
        <View key={r.id} className="gd-section gd-assign-request" data-request-id={r.id}>
          <View className="gd-card__head">
            <Text className="gd-card__sport">{GUIDANCE_SPORT_LABELS_ZH[r.sport as GuidanceSport] ?? r.sport}</Text>
            <Text className="gd-card__title gd-section__title">{r.organisation.name}</Text>
          </View>
          <Text className="gd-card__line">
            {ORGANISATION_KIND_LABELS_ZH[r.organisation.kind]} · {r.groupSize}人
          </Text>
          <Text className="gd-card__line">
            {dayTitle(dayOf(r.startAt))} {timeRange(r.startAt, r.endAt)}
          </Text>
          <Text className="gd-card__line">
            {r.district} {r.place.name}（{r.place.address}）
          </Text>
          {r.note ? <Text className="gd-card__line">备注：{r.note}</Text> : null}
          <Text className="gd-assign__label">推荐指导员</Text>
          {r.suggestions.length ? null : <Text className="gd-result--bad gd-assign-none">该时段暂无空闲的对口指导员</Text>}
          {r.suggestions.map((s) => (
            <View key={s.id} className="gd-rank gd-assign-candidate" data-instructor-id={s.id}>
              <View className="gd-rank__main">
                <Text className="gd-rank__name">
                  {s.name} · {INSTRUCTOR_LEVEL_LABELS_ZH[s.level]}
                </Text>
                <Text className="gd-rank__meta">
                  {s.district}
                  {s.sameDistrict ? '（同区）' : ''} · 今年{s.sessionsThisYear}场 · 评分{s.rating ?? '—'}
                </Text>
              </View>
              <Button
                className="gd-assign-btn"
                size="small"
                type="primary"
                disabled={busy !== null}
                loading={busy === `${r.id}:${s.id}`}
                onClick={() => void assign(r, s)}
              >
                指派
              </Button>
            </View>
          ))}
          {r.suggestions.length ? (
            <Input
              className="gd-input gd-assign-reason"
              placeholder="指派说明（选填，记入审计）"
              maxlength={200}
              value={reasons[r.id] ?? ''}
              onInput={(e) => setReasons({ ...reasons, [r.id]: e.detail.value })}
            />
          ) : null}
        </View>
      ))}
      {list.items.length ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="gd-more" name="gd-assign" />
      ) : null}
    </Screen>
  );
}
