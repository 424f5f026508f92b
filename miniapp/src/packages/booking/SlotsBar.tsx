import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { formatPrice, type Slot } from '@citysport/shared';
import Stepper from '../../components/Stepper';
import { timeRange } from '../../utils/time';
import { notify } from '../../stores/elder';

interface SlotsBarProps {
  selected: Slot[];
  /** a session picked: how many places, up to maxPlaces */
  session: boolean;
  places: number;
  maxPlaces: number;
  onPlaces: (n: number) => void;
  totalFen: number;
  onConfirm: () => void;
}

/** The bar at the bottom: what is picked, places for a session, the total, and 确认预订. */
export default function SlotsBar({ selected, session, places, maxPlaces, onPlaces, totalFen, onConfirm }: SlotsBarProps) {
  return (
    <View className="bottom-bar slots-bar">
      <View className="slots-bar__info">
        {selected.length ? (
          <>
            <Text className="slots-bar__what slots-selection">
              {selected[0].resourceName} · {timeRange(selected[0].startAt, selected[selected.length - 1].endAt)}
            </Text>
            <View className="slots-bar__line">
              {session ? (
                <Stepper
                  className="slots-quantity"
                  value={places}
                  max={maxPlaces}
                  unit="人"
                  onChange={onPlaces}
                  onLimit={(w) => (w === 'max' ? notify(`最多可预订${maxPlaces}个名额`) : undefined)}
                />
              ) : (
                <Text className="slots-bar__count">共{selected.length}个时段</Text>
              )}
              <Text className={`slots-bar__total slots-total${totalFen === 0 ? ' slots-bar__total--free' : ''}`}>
                {formatPrice(totalFen)}
              </Text>
            </View>
          </>
        ) : (
          <Text className="slots-bar__hint">请选择场地和时段</Text>
        )}
      </View>
      <Button className="slots-bar__button slots-confirm" type="primary" disabled={!selected.length} onClick={onConfirm}>
        确认预订
      </Button>
    </View>
  );
}
