import { useState } from 'react';
import { Text, Textarea, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import StatusTag from '../../components/StatusTag';
import { useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import { dayOf, dayTitle, shortDate } from '../../utils/time';
import { guidanceApi } from '../../api/guidance';
import '../../styles/guidance.scss';

const stars = (n: number) => '★'.repeat(n) + '☆'.repeat(5 - n);

/** 我收到的评价: citizens' and organisations' ratings of my sessions; reply once to each (shown on my public page). */
export default function InstructorRatingsPage() {
  const list = useLoad(() => guidanceApi.myRatings(), [], {
    login: '/packages/instructor/ratings',
    refreshOnShow: true,
    pullToRefresh: true,
  });
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [sending, setSending] = useState<string | null>(null);
  const send = async (id: string) => {
    const text = (drafts[id] ?? '').trim();
    if (!text || sending) return;
    setSending(id);
    try {
      await guidanceApi.reply(id, text);
      notify('已回复，学员可在您的主页看到', 2500);
      setDrafts({ ...drafts, [id]: '' });
      await list.reload(true);
    } catch {
      /* the client showed the Chinese message */
    } finally {
      setSending(null);
    }
  };
  const items = list.data?.items ?? [];
  const waiting = items.filter((r) => !r.reply).length;
  return (
    <Screen className="instructor-ratings-page">
      <LoadView
        load={list.load}
        name="ins-ratings"
        errorText="评价加载失败"
        emptyText="还没有收到评价"
        emptyHint="学员参加活动后7天内可以评价"
        onRetry={() => void list.reload()}
      />
      {items.length ? (
        <Text className="gd-hint">
          共{items.length}条评价，{waiting ? `${waiting}条待回复` : '已全部回复'}
        </Text>
      ) : null}
      {items.map((r) => (
        <View key={r.id} className="gd-section gd-rating ins-rating" data-rating-id={r.id}>
          <View className="gd-rating__head">
            <Text className="gd-rating__stars" aria-label={`${r.stars}星`}>
              {stars(r.stars)}
            </Text>
            <StatusTag text={r.reply ? '已回复' : '待回复'} tone={r.reply ? 'success' : 'warning'} />
          </View>
          <Text className="gd-rating__who">
            {r.kind === 'organisation' ? '服务单位' : '学员'} · {r.sessionTitle}
            {r.sessionStartAt ? `（${dayTitle(dayOf(r.sessionStartAt))}）` : ''} · 评于{shortDate(dayOf(r.createdAt))}
          </Text>
          <Text className="gd-card__line">{r.comment || '（未填写文字评价）'}</Text>
          {r.reply ? (
            <View className="gd-rating__reply">
              <Text>我的回复：{r.reply}</Text>
            </View>
          ) : (
            <>
              <Textarea
                className="ins-reply-input"
                value={drafts[r.id] ?? ''}
                maxlength={200}
                placeholder="回复学员（200字以内，回复后不可修改）"
                onInput={(e) => setDrafts({ ...drafts, [r.id]: e.detail.value })}
              />
              <Button
                className="ins-reply-send"
                type="primary"
                disabled={!(drafts[r.id] ?? '').trim() || sending !== null}
                loading={sending === r.id}
                onClick={() => void send(r.id)}
              >
                回复
              </Button>
            </>
          )}
        </View>
      ))}
    </Screen>
  );
}
