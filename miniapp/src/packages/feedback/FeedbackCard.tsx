import { Text, View } from '@tarojs/components';
import { FEEDBACK_CATEGORY_LABELS_ZH, FEEDBACK_STATUS_LABELS_ZH, type Feedback } from '@citysport/shared';
import StatusTag, { type StatusTone } from '../../components/StatusTag';
import { dayOf, dayTitle, hhmm } from '../../utils/time';
import FeedbackPhotos from './FeedbackPhotos';

export const STATUS_TONE: Record<Feedback['status'], StatusTone> = { open: 'warning', answered: 'success', closed: 'muted' };
export const when = (iso: string) => `${dayTitle(dayOf(iso))} ${hhmm(iso)}`;

/** One feedback: to whom, what about, its status, its photos (thumbnails when `full`), and the answer when there is one. */
export default function FeedbackCard({ feedback: f, onOpen, full }: { feedback: Feedback; onOpen?: () => void; full?: boolean }) {
  return (
    <View className={`feedback-card feedback-card--${f.status}`} data-id={f.id} onClick={onOpen}>
      <View className="feedback-card__head">
        <View className="feedback-card__to">
          <Text className="feedback-card__kind">{f.target.kind === 'venue' ? '场馆' : '体育局'}</Text>
          <Text className="feedback-card__name">{f.target.name}</Text>
        </View>
        <StatusTag className="feedback-status" text={FEEDBACK_STATUS_LABELS_ZH[f.status]} tone={STATUS_TONE[f.status]} />
      </View>
      <Text className="feedback-card__meta">
        {FEEDBACK_CATEGORY_LABELS_ZH[f.category]} · {when(f.createdAt)}
        {f.sender ? ` · ${f.sender}` : ''}
      </Text>
      {f.booking ? (
        <Text className="feedback-card__meta">
          关于预订：{f.booking.resourceName} {when(f.booking.startAt)}
        </Text>
      ) : null}
      <Text className={`feedback-card__text${full ? '' : ' feedback-card__text--clip'}`}>{f.text}</Text>
      {f.photoIds.length && full ? <FeedbackPhotos feedbackId={f.id} photoIds={f.photoIds} /> : null}
      {f.photoIds.length && !full ? <Text className="feedback-card__meta">附图 {f.photoIds.length} 张</Text> : null}
      {f.held && f.sender ? <Text className="feedback-card__held">内容安全检测未通过，由体育局处理</Text> : null}
      {f.answer ? (
        <View className="feedback-card__answer feedback-answer">
          <Text className="feedback-card__answer-by">
            {f.answer.by === 'venue' ? '场馆回复' : '体育局回复'} · {when(f.answer.at)}
          </Text>
          <Text className={`feedback-card__answer-text${full ? '' : ' feedback-card__text--clip'}`}>{f.answer.text}</Text>
        </View>
      ) : null}
    </View>
  );
}
