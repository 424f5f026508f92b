import { useState } from 'react';
import { Text, Textarea, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { REVIEW_REPLY_MAX, type PublicReview, type VenueDetail } from '@citysport/shared';
import { reviewApi } from '../../api/reviews';
import Sheet from '../../components/Sheet';
import LoadView, { LoadMore } from '../../components/LoadView';
import { ReviewItem, ReviewSummaryView } from '../../components/ReviewList';
import { useLoad } from '../../hooks/useLoad';
import { usePagedList } from '../../hooks/usePagedList';
import { notify } from '../../stores/elder';

/** 用户评价 of the managed venue: the summary, each review, and the manager's one reply per review. */
export default function ReviewsPanel({ venue }: { venue: VenueDetail }) {
  const [replying, setReplying] = useState<PublicReview | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const summary = useLoad(async () => (await reviewApi.summary('venue', [venue.id])).items[0] ?? null, [venue.id], {
    isEmpty: () => false,
  });
  const list = usePagedList<PublicReview>((cursor, limit) => reviewApi.list('venue', venue.id, cursor, limit), [venue.id]);
  const [sent, setSent] = useState<Record<string, string>>({});

  const submit = async () => {
    if (!replying || busy || !text.trim()) return;
    setBusy(true);
    try {
      const { reply } = await reviewApi.reply(replying.id, text.trim());
      setSent((cur) => ({ ...cur, [replying.id]: reply.status }));
      if (reply.status === 'published') void list.reload(true);
      notify(reply.status === 'published' ? '回复已发布' : '回复已提交，审核通过后展示', 2500);
      setReplying(null);
    } catch {
      /* toast shown (已回复过) */
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="manage-reviews">
      <View className="cs-card">
        <ReviewSummaryView summary={summary.data} />
      </View>
      <LoadView
        load={list.load}
        name="manage-reviews"
        count={2}
        errorText="评价加载失败"
        emptyText="暂无用户评价"
        onRetry={() => void list.reload()}
      />
      {list.items.length ? (
        <View className="cs-card">
          {list.items.map((r) => (
            <ReviewItem
              key={r.id}
              review={r}
              action={
                r.reply ? null : sent[r.id] ? (
                  <Text className="manage-reviews__sent">回复审核中</Text>
                ) : (
                  <Button
                    className="review-reply-button"
                    size="small"
                    type="primary"
                    fill="outline"
                    onClick={() => {
                      setText('');
                      setReplying(r);
                    }}
                  >
                    回复
                  </Button>
                )
              }
            />
          ))}
          {list.load.state === 'ready' ? (
            <LoadMore
              hasMore={list.hasMore}
              more={list.more}
              onMore={() => void list.loadMore()}
              block="manage-reviews-more"
              name="manage-reviews"
            />
          ) : null}
        </View>
      ) : null}

      <Sheet
        open={!!replying}
        title="回复评价"
        className="reply-sheet"
        onClose={() => setReplying(null)}
        footer={
          <Button className="reply-submit" type="primary" block loading={busy} disabled={!text.trim()} onClick={() => void submit()}>
            发布回复
          </Button>
        }
      >
        {replying ? <Text className="manage-reviews__quote">“{replying.text || `${replying.stars}星评价`}”</Text> : null}
        <Textarea
          className="manage-reviews__input reply-text"
          value={text}
          maxlength={REVIEW_REPLY_MAX}
          placeholder="感谢评价，说明改进措施（每条评价只能回复一次，内容经安全检测后展示）"
          onInput={(e) => setText(e.detail.value)}
        />
      </Sheet>
    </View>
  );
}
