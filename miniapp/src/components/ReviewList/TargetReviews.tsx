import { Text, View } from '@tarojs/components';
import type { PublicReview, ReviewTargetKind } from '@citysport/shared';
import { reviewApi } from '../../api/reviews';
import { LoadMore } from '../LoadView';
import { useLoad } from '../../hooks/useLoad';
import { usePagedList } from '../../hooks/usePagedList';
import { ReviewItem, ReviewSummaryView } from './index';

/**
 * 用户评价 of one target (a venue's page, a course's page): average, tag counts, then published
 * reviews (reviewers masked) with the provider's replies. `block` names the section's classes.
 */
export default function TargetReviews({
  kind,
  id,
  block,
  sectionClass,
  titleClass,
}: {
  kind: ReviewTargetKind;
  id: string;
  block: string;
  sectionClass: string;
  titleClass: string;
}) {
  const summary = useLoad(async () => (await reviewApi.summary(kind, [id])).items[0] ?? null, [kind, id], { isEmpty: () => false });
  const list = usePagedList<PublicReview>((cursor, limit) => reviewApi.list(kind, id, cursor, limit), [kind, id], { pageSize: 5 });
  return (
    <View className={`${sectionClass} ${block}`}>
      <Text className={titleClass}>用户评价</Text>
      <ReviewSummaryView summary={summary.data} />
      {list.items.map((r) => (
        <ReviewItem key={r.id} review={r} />
      ))}
      {list.load.state === 'ready' && list.items.length ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block={`${block}-more`} name={block} />
      ) : null}
      {list.load.state === 'error' ? <Text className={`${block}__error`}>评价加载失败，下拉刷新重试</Text> : null}
    </View>
  );
}
