import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { formatShanghai, type FitnessReport, type FitnessSex } from '@citysport/shared';
import Screen from '../../components/Screen';
import FormField from '../../components/FormField';
import { notify, useElderMode } from '../../stores/elder';
import { newNonce } from '../../stores/queue';
import { param } from '../../utils/params';
import { fitnessApi } from '../../api/fitness';
import { errorMessageZh, isApiError, isNetworkError } from '../../api/errors';
import MeasureForm, { toMeasurements, type Draft } from './MeasureForm';
import ScoreTable from './ScoreTable';
import { entryQueue, type QueuedEntry } from './entryQueue';
import './fitness.scss';

const GROUP_AGE: Record<string, number> = { '20-39': 30, '40-59': 50 };

/**
 * station staff: scan the ticket, enter the group's items with units and ranges, submit → the report.
 * Without a network the entry is kept on this device (the stored queue the gate uses for offline
 * scans) and sent when the network is back, with its own Idempotency-Key: one report however often
 * it is sent; an entry the server refuses (another device measured the person first) is shown.
 */
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
  const queue = useMemo(() => entryQueue(stationId), [stationId]);
  const [queued, setQueued] = useState<QueuedEntry[]>(() => queue.read());
  const [flushing, setFlushing] = useState(false);
  const flushingRef = useRef(false);

  /** send what was kept offline, oldest first; stops at the first network failure */
  const flush = useCallback(async () => {
    if (flushingRef.current || !stationId) return;
    const todo = queue.read().filter((e) => !e.conflict);
    if (!todo.length) return;
    flushingRef.current = true;
    setFlushing(true);
    let sent = 0;
    let refused = 0;
    try {
      for (const entry of todo) {
        try {
          const r = await fitnessApi.submit(entry.body, entry.nonce, { toast: false });
          queue.drop([entry.nonce]);
          setReport(r.report);
          sent++;
        } catch (e) {
          if (isNetworkError(e)) break;
          const details = isApiError(e) ? (e.details as { reportId?: string } | undefined) : undefined;
          queue.put({
            ...entry,
            conflict: {
              code: isApiError(e) ? e.code : 'UNKNOWN',
              message: errorMessageZh(e),
              ...(details?.reportId ? { reportId: details.reportId } : {}),
            },
          });
          refused++;
        }
      }
    } finally {
      flushingRef.current = false;
      setFlushing(false);
      setQueued(queue.read());
    }
    if (sent || refused)
      notify(
        refused ? `${sent ? `已提交 ${sent} 条；` : ''}${refused} 条录入未能提交，请查看页面下方的原因` : `已提交 ${sent} 条离线录入`,
        2500,
      );
  }, [queue, stationId]);

  useEffect(() => {
    setQueued(queue.read());
    void flush();
    const onNet = (r: { isConnected: boolean }) => {
      if (r.isConnected) void flush();
    };
    try {
      Taro.onNetworkStatusChange(onNet);
    } catch {
      /* not available: 立即提交 sends the queue */
    }
    return () => {
      try {
        Taro.offNetworkStatusChange(onNet);
      } catch {
        /* not available */
      }
    };
  }, [queue, flush]);
  useDidShow(() => void flush());

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
    const body = {
      stationId,
      ...(code.startsWith('CS1.') ? { ticketCode: code } : { bookingId: code }),
      measurements: toMeasurements(draft),
    };
    const entry: QueuedEntry = {
      nonce: newNonce(),
      stationId,
      body,
      label: code.length > 16 ? `${code.slice(0, 8)}…${code.slice(-6)}` : code,
      savedAt: new Date().toISOString(),
    };
    try {
      const r = await fitnessApi.submit(body, entry.nonce, { toast: false });
      setReport(r.report);
      setDraft({});
      setCode('');
    } catch (e) {
      if (isNetworkError(e)) {
        // kept on this device; sent (with the same key) when the network is back
        setQueued(queue.put(entry));
        setDraft({});
        setCode('');
        setReport(null);
        notify('网络不可用：本条已保存在本机，联网后自动提交', 2500);
        return;
      }
      const field = isApiError(e) ? (e.details as { field?: string } | undefined)?.field : undefined;
      if (field) setErrors({ [field]: errorMessageZh(e) });
      setMessage(errorMessageZh(e));
    } finally {
      setBusy(false);
    }
  }

  const waiting = queued.filter((e) => !e.conflict);
  const refused = queued.filter((e) => e.conflict);

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
      {waiting.length ? (
        <View className="fit-queue cs-card">
          <Text className="fit-section">待提交 {waiting.length} 条（已保存在本机）</Text>
          {waiting.map((e) => (
            <Text key={e.nonce} className="fit-queue__item" data-nonce={e.nonce}>
              {e.label} · {formatShanghai(e.savedAt, 'HH:mm:ss')} 录入
            </Text>
          ))}
          <Button className="fit-queue__send" loading={flushing} disabled={flushing} onClick={() => void flush()}>
            立即提交
          </Button>
        </View>
      ) : null}
      {refused.length ? (
        <View className="fit-queue fit-queue--refused cs-card">
          <Text className="fit-section">未能提交 {refused.length} 条</Text>
          {refused.map((e) => (
            <View key={e.nonce} className="fit-queue__conflict" data-code={e.conflict?.code}>
              <Text className="fit-queue__item">
                {e.label} · {formatShanghai(e.savedAt, 'HH:mm:ss')} 录入
              </Text>
              <Text className="fit-error">⚠ {e.conflict?.message}</Text>
              {e.conflict?.code === 'FITNESS_ALREADY_MEASURED' ? (
                <Text className="fit-note">该受测人的报告已存在，本条数据未采用；如需修改请对已有报告做“更正”。</Text>
              ) : null}
              <Text className="fit-link fit-queue__drop" onClick={() => setQueued(queue.drop([e.nonce]))}>
                移除本条
              </Text>
            </View>
          ))}
        </View>
      ) : null}
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
