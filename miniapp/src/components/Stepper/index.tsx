import { Text, View } from '@tarojs/components';
import './index.scss';

interface StepperProps {
  value: number;
  min?: number;
  max: number;
  onChange: (value: number) => void;
  /** shown after the number, e.g. '人' */
  unit?: string;
  /** a tap past the limits: the page says why (e.g. a toast 最多可预订4个名额) */
  onLimit?: (which: 'min' | 'max') => void;
  className?: string;
}

/** − value + ; the buttons at a limit are dimmed and say so to a tap. */
export default function Stepper({ value, min = 1, max, onChange, unit = '', onLimit, className }: StepperProps) {
  const atMin = value <= min;
  const atMax = value >= max;
  const step = (d: -1 | 1) => {
    if (d < 0 ? atMin : atMax) {
      onLimit?.(d < 0 ? 'min' : 'max');
      return;
    }
    onChange(value + d);
  };
  return (
    <View className={`stepper${className ? ` ${className}` : ''}`}>
      <View
        className={`stepper__btn stepper__minus${atMin ? ' stepper__btn--off' : ''}`}
        aria-disabled={atMin}
        aria-label="减少"
        onClick={() => step(-1)}
      >
        −
      </View>
      <Text className="stepper__value">
        {value}
        {unit}
      </Text>
      <View
        className={`stepper__btn stepper__plus${atMax ? ' stepper__btn--off' : ''}`}
        aria-disabled={atMax}
        aria-label="增加"
        onClick={() => step(1)}
      >
        +
      </View>
    </View>
  );
}
