import { useEffect, useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { UpdateRulesSchema, type VenueDetail, type VenueRules } from '@citysport/shared';
import { api, type UpdateRulesInput } from '../../api/endpoints';
import { isApiError } from '../../api/errors';
import { rulesSummary } from '../../utils/booking';
import { Forbidden } from './shared';

type NumKey =
  | 'advanceDays'
  | 'holdMinutes'
  | 'cancelCutoffMinutes'
  | 'maxActivePerDay'
  | 'maxActivePerWeek'
  | 'maxActivePerSportPerWeek'
  | 'noShowLimit'
  | 'banDays';
type FieldKey = NumKey | 'releaseTime';

interface Field {
  key: FieldKey;
  label: string;
  unit: string;
  hint?: string;
  min?: number;
  max?: number;
}

/** ranges as in VenueRulesSchema */
const FIELDS: Field[] = [
  { key: 'advanceDays', label: '可提前预订', unit: '天', min: 0, max: 30 },
  { key: 'releaseTime', label: '每日放号时间', unit: '', hint: '24小时制，如 08:00' },
  { key: 'holdMinutes', label: '未支付订单保留', unit: '分钟', min: 1, max: 60 },
  { key: 'cancelCutoffMinutes', label: '开场前免费取消', unit: '分钟', hint: '如 120 表示开场前2小时', min: 0, max: 7 * 24 * 60 },
  { key: 'maxActivePerDay', label: '每人每天最多', unit: '个', min: 1, max: 20 },
  { key: 'maxActivePerWeek', label: '每人每周最多', unit: '个', min: 1, max: 100 },
  { key: 'maxActivePerSportPerWeek', label: '同一项目每周最多', unit: '个', min: 1, max: 50 },
  { key: 'noShowLimit', label: '爽约次数上限', unit: '次', min: 1, max: 20 },
  { key: 'banDays', label: '超限暂停预订', unit: '天', min: 1, max: 365 },
];

type Values = Record<FieldKey, string>;

function valuesOf(rules: VenueRules): Values {
  const out = {} as Values;
  for (const f of FIELDS) out[f.key] = String(rules[f.key]);
  return out;
}

function validate(values: Values): { errors: Partial<Record<FieldKey, string>>; parsed: Partial<VenueRules> } {
  const errors: Partial<Record<FieldKey, string>> = {};
  const parsed: Partial<VenueRules> = {};
  for (const f of FIELDS) {
    const raw = values[f.key].trim();
    if (f.key === 'releaseTime') {
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(raw)) errors.releaseTime = '请输入 HH:mm 格式的时间，如 08:00';
      else parsed.releaseTime = raw;
      continue;
    }
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < (f.min ?? 0) || n > (f.max ?? Infinity)) {
      errors[f.key] = `请输入 ${f.min}–${f.max} 之间的整数`;
      continue;
    }
    parsed[f.key as NumKey] = n;
  }
  return { errors, parsed };
}

export default function RulesPanel({ venue, onSaved }: { venue: VenueDetail; onSaved: (venue: VenueDetail) => void }) {
  const [values, setValues] = useState<Values>(() => valuesOf(venue.rules));
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [saving, setSaving] = useState(false);
  const [forbidden, setForbidden] = useState(false);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    setValues(valuesOf(venue.rules));
    setErrors({});
  }, [venue]);

  const save = async () => {
    if (saving) return;
    setNote(null);
    const { errors: errs, parsed } = validate(values);
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const changed: UpdateRulesInput = {};
    for (const f of FIELDS) {
      if (parsed[f.key] !== venue.rules[f.key]) Object.assign(changed, { [f.key]: parsed[f.key] });
    }
    if (!Object.keys(changed).length) {
      setNote('没有修改');
      return;
    }
    if (!UpdateRulesSchema.safeParse(changed).success) {
      setNote('填写的规则有误，请检查');
      return;
    }
    setSaving(true);
    try {
      const res = await api.manage.updateRules(venue.id, changed);
      onSaved(res.venue);
    } catch (e) {
      if (isApiError(e) && e.status === 403) setForbidden(true);
    } finally {
      setSaving(false);
    }
  };

  if (forbidden) return <Forbidden />;

  return (
    <View className="rules-form">
      <View className="cs-card rules-preview">
        <Text className="manage-card-title">当前规则（用户看到的）</Text>
        {rulesSummary(venue.rules).map((l) => (
          <Text key={l} className="rules-preview__line">
            · {l}
          </Text>
        ))}
      </View>
      <View className="cs-card">
        <Text className="manage-card-title">修改规则</Text>
        {FIELDS.map((f) => (
          <View key={f.key} className={`rules-field rules-field--${f.key}${errors[f.key] ? ' rules-field--error' : ''}`}>
            <View className="rules-field__row">
              <View className="rules-field__label">
                <Text>{f.label}</Text>
                {f.hint ? <Text className="rules-field__hint">{f.hint}</Text> : null}
              </View>
              <Input
                className={`rules-input rules-input--${f.key}`}
                type={f.key === 'releaseTime' ? 'text' : 'number'}
                value={values[f.key]}
                maxlength={5}
                onInput={(e) => {
                  const v = e.detail.value;
                  setValues((cur) => ({ ...cur, [f.key]: v }));
                }}
              />
              <Text className="rules-field__unit">{f.unit}</Text>
            </View>
            {errors[f.key] ? <Text className="rules-field__error">{errors[f.key]}</Text> : null}
          </View>
        ))}
        {note ? <Text className="rules-note">{note}</Text> : null}
        <Button className="rules-save" type="primary" block loading={saving} onClick={() => void save()}>
          保存规则
        </Button>
      </View>
    </View>
  );
}
