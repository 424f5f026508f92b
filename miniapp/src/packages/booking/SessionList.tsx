import { Text, View } from '@tarojs/components';
import { formatPrice, type Slot } from '@citysport/shared';
import { slotState } from '../../utils/booking';
import { timeRange } from '../../utils/time';

/** Sessions with places (a class, a pool time): time, name, price per person and places left. */
export default function SessionList({ slots, selectedIds, onTap }: { slots: Slot[]; selectedIds: Set<string>; onTap: (s: Slot) => void }) {
  if (!slots.length) return null;
  return (
    <View className="session-list">
      {slots.map((s) => {
        const st = slotState(s);
        const sel = selectedIds.has(s.id);
        return (
          <View
            key={s.id}
            className={`session-item cs-card session-item--${st.key}${sel ? ' session-item--selected' : ''}`}
            data-slot-id={s.id}
            data-status={s.status}
            onClick={() => onTap(s)}
          >
            <View className="session-item__main">
              <Text className="session-item__time">{timeRange(s.startAt, s.endAt)}</Text>
              <Text className="session-item__name">{s.resourceName}</Text>
            </View>
            <View className="session-item__side">
              <Text className="session-item__price">
                {formatPrice(s.priceFen)}
                {s.priceFen ? <Text className="session-item__unit">/人</Text> : null}
              </Text>
              <Text className={`session-item__state session-item__state--${st.key}`}>
                {sel ? '已选' : st.key === 'open' ? `余${s.remaining}/${s.capacity}` : st.label}
              </Text>
            </View>
          </View>
        );
      })}
    </View>
  );
}
