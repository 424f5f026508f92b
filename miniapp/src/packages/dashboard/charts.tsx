import { Text, View } from '@tarojs/components';

/**
 * Charts drawn with plain Views (no chart library): they render the same in weapp and h5, cost a
 * few KB in this subpackage only, and follow the design tokens and 关怀模式 like any other view.
 */
const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];
export const HOURS = Array.from({ length: 16 }, (_, i) => i + 7); // 07–22 h: when venues are open

export function HeatGrid({ grid, max }: { grid: number[][]; max: number }) {
  return (
    <View className="heat" role="table" aria-label="场馆利用率热力图（周几 × 小时，预订人次）">
      <View className="heat__row heat__row--head">
        <Text className="heat__label" />
        {HOURS.map((h) => (
          <Text key={h} className="heat__hour">
            {h % 3 === 1 ? h : ''}
          </Text>
        ))}
      </View>
      {grid.map((row, d) => (
        <View key={d} className="heat__row">
          <Text className="heat__label">周{WEEKDAYS[d]}</Text>
          {HOURS.map((h) => {
            const v = row[h] ?? 0;
            const level = max > 0 ? Math.ceil((v / max) * 5) : 0;
            return <View key={h} className={`heat__cell heat__cell--l${level}`} aria-label={`周${WEEKDAYS[d]} ${h}时 ${v}人次`} />;
          })}
        </View>
      ))}
      <View className="heat__legend">
        <Text className="heat__legend-text">少</Text>
        {[0, 1, 2, 3, 4, 5].map((l) => (
          <View key={l} className={`heat__cell heat__cell--l${l} heat__legend-cell`} />
        ))}
        <Text className="heat__legend-text">多（峰值 {max} 人次）</Text>
      </View>
    </View>
  );
}

export function Bars({ rows }: { rows: { label: string; value: number; text: string; sub?: string }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <View className="bars">
      {rows.map((r) => (
        <View key={r.label} className="bars__row">
          <View className="bars__head">
            <Text className="bars__label">{r.label}</Text>
            <Text className="bars__value">{r.text}</Text>
          </View>
          <View className="bars__track">
            <View className="bars__fill" style={{ width: `${Math.max(2, (r.value / max) * 100)}%` }} />
          </View>
          {r.sub ? <Text className="bars__sub">{r.sub}</Text> : null}
        </View>
      ))}
    </View>
  );
}
