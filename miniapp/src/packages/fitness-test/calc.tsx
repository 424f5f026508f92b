import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { assess, FitnessInputError, type FitnessSex } from '@citysport/shared';
import Screen from '../../components/Screen';
import FormField from '../../components/FormField';
import { useElderMode } from '../../stores/elder';
import MeasureForm, { toMeasurements, type Draft } from './MeasureForm';
import ScoreTable from './ScoreTable';
import './fitness.scss';

/** self-assessment: the shared engine scores as you type; nothing is sent */
export default function FitnessCalcPage() {
  const elder = useElderMode();
  const [sex, setSex] = useState<FitnessSex>('M');
  const [ageText, setAgeText] = useState('30');
  const [draft, setDraft] = useState<Draft>({});
  const age = Number(ageText);
  let result: ReturnType<typeof assess> | null = null;
  let error: { field: string; message: string } | null = null;
  try {
    if (Number.isInteger(age) && age >= 20 && age <= 59)
      result = assess({ standard: 'GTB2003-adult', sex, age, measurements: toMeasurements(draft) });
  } catch (e) {
    if (e instanceof FitnessInputError) error = { field: e.field, message: e.message };
    else throw e;
  }
  return (
    <Screen className="page-fitness-calc fit-page">
      <View className="fit-person cs-card">
        <Text className="fit-section">自测计算器</Text>
        <Text className="fit-text">按《国民体质测定标准》(2003) 成年人部分估算，仅在本机计算，不上传数据。</Text>
        <View className="fit-sex">
          {(['M', 'F'] as FitnessSex[]).map((s) => (
            <View key={s} className={`fit-day${sex === s ? ' fit-day--on' : ''} fit-sex--${s}`} onClick={() => setSex(s)}>
              <Text>{s === 'M' ? '男' : '女'}</Text>
            </View>
          ))}
        </View>
        <FormField label="年龄（周岁）" hint="20–59 岁">
          <Input className="fit-input fit-age" type="number" value={ageText} maxlength={2} onInput={(e) => setAgeText(e.detail.value)} />
        </FormField>
      </View>
      <View className="cs-card">
        <MeasureForm sex={sex} age={age} draft={draft} errors={error ? { [error.field]: error.message } : undefined} onChange={setDraft} />
      </View>
      {result ? (
        <ScoreTable
          items={result.items}
          total={result.total}
          maxTotal={result.maxTotal}
          grade={result.grade}
          gradeWithheld={result.gradeWithheld}
          elder={elder}
        />
      ) : null}
    </Screen>
  );
}
