import { useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { type FitnessReport, type FitnessSex } from '@citysport/shared';
import Screen from '../../components/Screen';
import FormField from '../../components/FormField';
import { useElderMode } from '../../stores/elder';
import { param } from '../../utils/params';
import { fitnessApi } from '../../api/fitness';
import { errorMessageZh, isApiError } from '../../api/errors';
import MeasureForm, { toMeasurements, type Draft } from './MeasureForm';
import ScoreTable from './ScoreTable';
import './fitness.scss';

const GROUP_AGE: Record<string, number> = { '20-39': 30, '40-59': 50 };

/** station staff: scan the ticket, enter the group's items with units and ranges, submit → the report */
export default function FitnessStaffPage() {
  const { params } = useRouter();
  const elder = useElderMode();
  const stationId = param(params.stationId);
  const [code, setCode] = useState('');
  const [sex, setSex] = useState<FitnessSex>('M');
  const [band, setBand] = useState<'20-39' | '40-59'>('20-39');
  const [draft, setDraft] = useState<Draft>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [report, setReport] = useState<FitnessReport | null>(null);
  const [busy, setBusy] = useState(false);

  async function scan() {
    try {
      const r = await Taro.scanCode({ onlyFromCamera: true });
      setCode(r.result);
    } catch {
      /* cancelled, or no camera (h5): type the code instead */
    }
  }

  async function submit() {
    setMessage(null);
    setErrors({});
    setBusy(true);
    try {
      const body = code.startsWith('CS1.') ? { ticketCode: code } : { bookingId: code };
      const r = await fitnessApi.submit({ stationId, ...body, measurements: toMeasurements(draft) }, { toast: false });
      setReport(r.report);
      setDraft({});
      setCode('');
    } catch (e) {
      const field = isApiError(e) ? (e.details as { field?: string } | undefined)?.field : undefined;
      if (field) setErrors({ [field]: errorMessageZh(e) });
      setMessage(errorMessageZh(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Screen className="page-fitness-staff fit-page">
      <View className="fit-person cs-card">
        <Text className="fit-section">测试录入</Text>
        <FormField label="入场码 / 预约号" required hint="扫描受测人出示的二维码">
          <Input className="fit-input fit-code" value={code} placeholder="扫码或输入" onInput={(e) => setCode(e.detail.value.trim())} />
        </FormField>
        <Button className="fit-scan" onClick={() => void scan()}>
          扫码
        </Button>
        <View className="fit-sex">
          {(['M', 'F'] as FitnessSex[]).map((s) => (
            <View key={s} className={`fit-day${sex === s ? ' fit-day--on' : ''}`} onClick={() => setSex(s)}>
              <Text>{s === 'M' ? '男' : '女'}</Text>
            </View>
          ))}
          {(['20-39', '40-59'] as const).map((b) => (
            <View key={b} className={`fit-day${band === b ? ' fit-day--on' : ''}`} onClick={() => setBand(b)}>
              <Text>{b} 岁</Text>
            </View>
          ))}
        </View>
      </View>
      <View className="cs-card">
        <MeasureForm sex={sex} age={GROUP_AGE[band]} draft={draft} errors={errors} onChange={setDraft} />
      </View>
      {message ? <Text className="fit-error">⚠ {message}</Text> : null}
      <Button type="primary" block className="fit-submit" loading={busy} disabled={busy || !code} onClick={() => void submit()}>
        提交并生成报告
      </Button>
      {report ? (
        <View className="fit-staff-result">
          <Text className="fit-section">已生成报告（{report.participantName}）</Text>
          <ScoreTable
            items={report.items}
            total={report.total}
            maxTotal={report.maxTotal}
            grade={report.grade}
            gradeWithheld={report.gradeWithheld}
            elder={elder}
          />
        </View>
      ) : null}
    </Screen>
  );
}
