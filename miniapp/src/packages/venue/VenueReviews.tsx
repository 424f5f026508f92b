import { Text, View } from '@tarojs/components';
import type { PublicReview } from '@citysport/shared';
import { reviewApi } from '../../api/reviews';
import { LoadMore } from '../../components/LoadView';
import { ReviewItem, ReviewSummaryView } from '../../components/ReviewList';
import { useLoad } from '../../hooks/useLoad';
import { usePagedList } from '../../hooks/usePagedList';

/** 用户评价 on the venue page: average, tag counts, then published reviews (reviewers masked) with replies. */
export default function VenueReviews({ venueId }: { venueId: string }) {
  const summary = useLoad(async () => (await reviewApi.summary('venue', [venueId])).items[0] ?? null, [venueId], {
    isEmpty: () => false,
  });
  const list = usePagedList<PublicReview>((cursor, limit) => reviewApi.list('venue', venueId, cursor, limit), [venueId], { pageSize: 5 });
  return (
    <View className="vd-section cs-card venue-reviews">
      <Text className="vd-section__title">用户评价</Text>
      <ReviewSummaryView summary={summary.data} />
      {list.items.map((r) => (
        <ReviewItem key={r.id} review={r} />
      ))}
      {list.load.state === 'ready' && list.items.length ? (
        <LoadMore
          hasMore={list.hasMore}
          more={list.more}
          onMore={() => void list.loadMore()}
          block="venue-reviews-more"
          name="venue-reviews"
        />
      ) : null}
      {list.load.state === 'error' ? <Text className="venue-reviews__error">评价加载失败，下拉刷新重试</Text> : null}
    </View>
  );
}
