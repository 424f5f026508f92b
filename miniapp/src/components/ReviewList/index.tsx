import type { ReactNode } from 'react';
import { Image, Text, View } from '@tarojs/components';
import type { PublicReview, ReviewSummary } from '@citysport/shared';
import { reviewApi } from '../../api/reviews';
import './index.scss';

/** ★★★★☆ with the number beside it: the stars are a picture, the figure says it */
export function Stars({ value, className }: { value: number; className?: string }) {
  const full = Math.floor(value + 0.25);
  return (
    <Text className={`review-stars${className ? ` ${className}` : ''}`} aria-label={`${value}星`}>
      <Text className="review-stars__on">{'★'.repeat(full)}</Text>
      <Text className="review-stars__off">{'★'.repeat(Math.max(0, 5 - full))}</Text>
    </Text>
  );
}

/** Average, count and the tags people picked most. */
export function ReviewSummaryView({ summary }: { summary: ReviewSummary | null | undefined }) {
  if (!summary || summary.count === 0)
    return (
      <View className="review-summary review-summary--empty">
        <Text className="review-summary__none">暂无评价，消费后可来评价</Text>
      </View>
    );
  return (
    <View className="review-summary">
      <View className="review-summary__top">
        <Text className="review-summary__avg">{summary.average?.toFixed(1)}</Text>
        <View className="review-summary__side">
          <Stars value={summary.average ?? 0} />
          <Text className="review-summary__count">{summary.count} 条评价</Text>
        </View>
      </View>
      {summary.tags.length ? (
        <View className="review-summary__tags">
          {summary.tags.slice(0, 6).map((t) => (
            <Text key={t.tag} className="review-tag">
              {t.tag} {t.count}
            </Text>
          ))}
        </View>
      ) : null}
    </View>
  );
}

function day(iso: string) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** One review: masked reviewer, stars, tags, text, photos and the provider's reply. */
export function ReviewItem({ review: r, action }: { review: PublicReview; action?: ReactNode }) {
  return (
    <View className="review-item" data-id={r.id}>
      <View className="review-item__head">
        <Text className="review-item__who">{r.reviewer}</Text>
        <Stars value={r.stars} />
        <Text className="review-item__date">{day(r.createdAt)}</Text>
      </View>
      {r.tags.length ? (
        <View className="review-item__tags">
          {r.tags.map((t) => (
            <Text key={t} className="review-tag review-tag--small">
              {t}
            </Text>
          ))}
        </View>
      ) : null}
      {r.text ? <Text className="review-item__text">{r.text}</Text> : null}
      {r.photoIds.length ? (
        <View className="review-item__photos">
          {r.photoIds.map((p) => (
            <Image key={p} className="review-item__photo" src={reviewApi.photoUrl(r.id, p)} mode="aspectFill" />
          ))}
        </View>
      ) : null}
      {r.reply ? (
        <View className="review-item__reply">
          <Text className="review-item__reply-who">商家回复</Text>
          <Text className="review-item__reply-text">{r.reply.text}</Text>
        </View>
      ) : null}
      {action ? <View className="review-item__action">{action}</View> : null}
    </View>
  );
}
