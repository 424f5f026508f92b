import { useState } from 'react';
import { ScrollView, Text, View } from '@tarojs/components';
import { shortDate, todayShanghai, weekdayZh } from '../../utils/time';
import './index.scss';

interface DateStripProps {
  days: string[];
  value: string;
  onChange: (day: string) => void;
  className?: string;
}

/** A horizontal strip of business days: '今天 11/21', '周六 11/22', … (Asia/Shanghai). */
export default function DateStrip({ days, value, onChange, className }: DateStripProps) {
  const today = todayShanghai();
  // ids unique per strip: h5 keeps earlier pages in the DOM, and scroll-into-view looks ids up globally
  const [prefix] = useState(() => `ds${Math.random().toString(36).slice(2, 7)}`);
  return (
    <ScrollView className={`date-strip ${className ?? ''}`} scrollX enhanced showScrollbar={false} scrollIntoView={`${prefix}-${value}`}>
      <View className="date-strip__inner">
        {days.map((d) => (
          <View
            key={d}
            id={`${prefix}-${d}`}
            className={`date-strip__item date-chip${d === value ? ' date-strip__item--active date-chip--active' : ''}`}
            data-date={d}
            onClick={() => onChange(d)}
          >
            <Text className="date-strip__week">{d === today ? '今天' : weekdayZh(d)}</Text>
            <Text className="date-strip__date">{shortDate(d)}</Text>
          </View>
        ))}
      </View>
    </ScrollView>
  );
}
