import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { GUIDANCE_SPORT_LABELS_ZH, INSTRUCTOR_LEVEL_LABELS_ZH } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import { guidanceApi } from '../../api/guidance';
import '../../styles/guidance.scss';

/** Admin: pending instructor applications; approve, or reject with a reason (audited on the server). */
export default function InstructorReviewPage() {
  const pending = useLoad(() => guidanceApi.pending(), [], { login: '/packages/guidance/review' });
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const decide = async (id: string, approved: boolean) => {
    try {
      await guidanceApi.review(id, approved, reasons[id]?.trim() || undefined);
      notify(approved ? '已通过，已授予指导员身份' : '已驳回', 2500);
      await pending.reload(true);
    } catch {
      /* toast shown */
    }
  };
  return (
    <Screen className="guidance-review-page">
      <LoadView
        load={pending.load}
        name="gd-review"
        errorText="加载失败"
        emptyText="暂无待审核的申请"
        onRetry={() => void pending.reload()}
      />
      {pending.data?.items.map((a) => (
        <View key={a.id} className="gd-section" data-applicant={a.id}>
          <Text className="gd-section__title">
            {a.name} · {INSTRUCTOR_LEVEL_LABELS_ZH[a.level]}
          </Text>
          <View className="gd-kv">
            <Text>证书编号</Text>
            <Text>{a.certificateNo}</Text>
          </View>
          <View className="gd-kv">
            <Text>区县</Text>
            <Text>{a.district}</Text>
          </View>
          <View className="gd-kv">
            <Text>专长</Text>
            <Text>{a.specialities.map((s) => GUIDANCE_SPORT_LABELS_ZH[s]).join('、')}</Text>
          </View>
          <Text className="gd-card__line">{a.bio}</Text>
          <Input
            className="gd-input"
            placeholder="驳回理由（驳回时必填）"
            value={reasons[a.id] ?? ''}
            onInput={(e) => setReasons({ ...reasons, [a.id]: e.detail.value })}
          />
          <View className="gd-actions">
            <Button type="primary" onClick={() => void decide(a.id, true)}>
              通过
            </Button>
            <Button type="danger" disabled={(reasons[a.id]?.trim().length ?? 0) < 2} onClick={() => void decide(a.id, false)}>
              驳回
            </Button>
          </View>
        </View>
      ))}
    </Screen>
  );
}
