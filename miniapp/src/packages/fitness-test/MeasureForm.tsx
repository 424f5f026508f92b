import { Input, Text, View } from '@tarojs/components';
import { MEASUREMENT_SPECS, measurementKeysFor, type FitnessSex, type MeasurementKey } from '@citysport/shared';

export type Draft = Partial<Record<MeasurementKey, string>>;

/** the measuring form of one age group and sex: a field per measurement with its unit and range */
export default function MeasureForm({
  sex,
  age,
  draft,
  errors,
  onChange,
}: {
  sex: FitnessSex;
  age: number;
  draft: Draft;
  errors?: Partial<Record<string, string>>;
  onChange: (next: Draft) => void;
}) {
  let keys: MeasurementKey[] = [];
  try {
    keys = measurementKeysFor(sex, age);
  } catch {
    return <Text className="fit-note">该标准适用于 20–59 岁成年人</Text>;
  }
  return (
    <View className="fit-form">
      {keys.map((k) => {
        const s = MEASUREMENT_SPECS[k];
        return (
          <View key={k} className={`fit-form__row${errors?.[k] ? ' fit-form__row--error' : ''}`} data-key={k}>
            <View className="fit-form__label">
              <Text className="fit-form__name">{s.labelZh}</Text>
              <Text className="fit-form__range">
                {s.min}–{s.max} {s.unit}
              </Text>
            </View>
            <Input
              className={`fit-input fit-input--${k}`}
              type="digit"
              value={draft[k] ?? ''}
              placeholder={s.unit || '数值'}
              onInput={(e) => onChange({ ...draft, [k]: e.detail.value })}
            />
            {errors?.[k] ? <Text className="fit-form__error">⚠ {errors[k]}</Text> : null}
          </View>
        );
      })}
    </View>
  );
}

/** the draft as numbers; empty fields left out */
export function toMeasurements(draft: Draft): Partial<Record<MeasurementKey, number>> {
  const out: Partial<Record<MeasurementKey, number>> = {};
  for (const [k, v] of Object.entries(draft)) if (v !== undefined && v.trim() !== '') out[k as MeasurementKey] = Number(v);
  return out;
}
