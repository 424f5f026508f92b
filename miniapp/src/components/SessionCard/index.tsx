import { Text, View } from '@tarojs/components';
import { DIFFICULTY_LABELS_ZH, GUIDANCE_SPORT_LABELS_ZH, INSTRUCTOR_LEVEL_LABELS_ZH, type GuidanceSessionDto } from '@citysport/shared';
import { dayOf, dayTitle, timeRange } from '../../utils/time';

export function distanceText(m?: number): string {
  if (m === undefined) return '';
  return m < 1000 ? `${m}米` : `${(m / 1000).toFixed(1)}公里`;
}

/** One guidance session in a list: sport, title, time, place, instructor, places left. */
export default function SessionCard({ s, onTap, extra }: { s: GuidanceSessionDto; onTap?: () => void; extra?: string }) {
  const full = s.remaining <= 0;
  return (
    <View className="gd-card cs-card" data-session-id={s.id} onClick={onTap}>
      <View className="gd-card__head">
        <Text className="gd-card__sport">{GUIDANCE_SPORT_LABELS_ZH[s.sport]}</Text>
        <Text className="gd-card__title">{s.title}</Text>
        {s.distanceM !== undefined ? <Text className="gd-card__dist">{distanceText(s.distanceM)}</Text> : null}
      </View>
      <Text className="gd-card__line">
        {dayTitle(dayOf(s.startAt))} {timeRange(s.startAt, s.endAt)} · {DIFFICULTY_LABELS_ZH[s.difficulty]}
      </Text>
      <Text className="gd-card__line">
        {s.district} · {s.place.name}
      </Text>
      <View className="gd-card__foot">
        <Text className="gd-card__coach">
          {s.instructor.name} · {INSTRUCTOR_LEVEL_LABELS_ZH[s.instructor.level]}指导员
        </Text>
        <Text className={`gd-card__left${full ? ' gd-card__left--full' : ''}`}>
          {extra ?? (full ? '已满' : `余${s.remaining}/${s.capacity}`)}
        </Text>
      </View>
    </View>
  );
}
