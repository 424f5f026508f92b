import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { REVIEW_TARGET_LABELS_ZH, type ModerationItemSchema } from '@citysport/shared';
import type { z } from 'zod';
import { reviewApi } from '../../api/reviews';
import Screen from '../../components/Screen';
import LoadView, { LoadMore } from '../../components/LoadView';
import { ReviewItem } from '../../components/ReviewList';
import { isForbidden } from '../../hooks/useLoad';
import { usePagedList } from '../../hooks/usePagedList';
import { notify } from '../../stores/elder';
import './admin.scss';

type Item = z.infer<typeof ModerationItemSchema>;
const SELF = '/packages/admin/reviews';

function why(i: Item): string {
  if (i.pendingReply) return '回复待审';
  if (i.check && 'error' in i.check) return '检测未完成';
  if (i.check && 'suggest' in i.check) return i.check.suggest === 'risky' ? '检测为风险' : '建议人工审核';
  return i.photoIds.length ? '含照片' : '待审核';
}

/** 评价审核 (bureau admins): reviews and replies the content check held; approve or reject with a reason (audited). */
export default function ModerationPage() {
  const list = usePagedList<Item>((cursor) => reviewApi.pending(cursor), [], { login: SELF });
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);

  const decide = async (i: Item, approved: boolean) => {
    const reason = (reasons[i.id] ?? '').trim() || (approved ? '内容无违规' : '');
    if (!reason) return notify('不通过时请填写原因');
    setBusy(i.id);
    try {
      await reviewApi.moderate(i.id, approved, reason);
      notify(approved ? '已通过，评价已公开' : '已驳回，不会公开');
      list.updateItems((cur) => cur.filter((x) => x.id !== i.id));
    } catch {
      void list.reload(true);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Screen className="moderation-page">
      {isForbidden(list.load) ? <Text className="admin-forbidden">仅体育局管理员可审核评价</Text> : null}
      <LoadView
        load={list.load}
        name="moderation"
        errorText="待审核评价加载失败"
        emptyText="暂无待审核的评价"
        emptyHint="内容安全检测未通过的评价和回复会出现在这里"
        onRetry={() => void list.reload()}
      />
      {list.items.map((i) => (
        <View key={i.id} className="moderation-item" data-id={i.id}>
          <View className="moderation-item__head">
            <Text className="moderation-item__target">
              {REVIEW_TARGET_LABELS_ZH[i.target.kind]} · {i.targetName || '—'}
            </Text>
            <Text className="moderation-item__why">{why(i)}</Text>
          </View>
          <ReviewItem review={i} />
          {i.pendingReply ? <Text className="moderation-item__reply">待审回复：{i.pendingReply.text}</Text> : null}
          <Input
            className="moderation-item__input moderation-reason"
            placeholder="审核意见（不通过时必填）"
            value={reasons[i.id] ?? ''}
            onInput={(e) => setReasons({ ...reasons, [i.id]: e.detail.value })}
          />
          <View className="moderation-item__actions">
            <Button
              className="moderation-reject"
              type="danger"
              fill="outline"
              loading={busy === i.id}
              onClick={() => void decide(i, false)}
            >
              不通过
            </Button>
            <Button className="moderation-approve" type="primary" loading={busy === i.id} onClick={() => void decide(i, true)}>
              通过
            </Button>
          </View>
        </View>
      ))}
      {list.load.state === 'ready' ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="moderation-more" name="moderation" />
      ) : null}
    </Screen>
  );
}
