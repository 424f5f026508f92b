import { useMemo, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import {
  FITNESS_CONSENT_TEXT_ZH,
  FITNESS_CONSENT_VERSION,
  ageOnDate,
  identityFromIdNumber,
  isValidIdCard,
  missingTablesFor,
} from '@citysport/shared';
import Screen from '../../components/Screen';
import FormField from '../../components/FormField';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { param } from '../../utils/params';
import { fitnessApi } from '../../api/fitness';
import { errorMessageZh } from '../../api/errors';
import { hhmm, nextDays } from './format';
import './fitness.scss';

function Check({
  checked,
  onChange,
  className,
  children,
}: {
  checked: boolean;
  onChange: (v: boolean) => void;
  className: string;
  children: string;
}) {
  return (
    <View
      className={`fit-check ${className}${checked ? ' fit-check--on' : ''}`}
      role="checkbox"
      aria-checked={checked}
      onClick={() => onChange(!checked)}
    >
      <Text className="fit-check__box">{checked ? '☑' : '☐'}</Text>
      <Text className="fit-check__text">{children}</Text>
    </View>
  );
}

/** booking: day, slot, who is tested, and the separate health-data consent (guardian's under 14) */
export default function FitnessBookPage() {
  const { params } = useRouter();
  const stationId = param(params.stationId);
  const days = useMemo(() => nextDays(7), []);
  const [day, setDay] = useState(days[1] ?? days[0]);
  const [slotId, setSlotId] = useState('');
  const [name, setName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [consent, setConsent] = useState(false);
  const [guardian, setGuardian] = useState(false);
  const [guardianName, setGuardianName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(() => `fit-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`);
  const { load, data, reload } = useLoad(() => fitnessApi.slots(stationId, day, { toast: false }).then((r) => r.items), [stationId, day], {
    login: `/packages/fitness-test/book?stationId=${stationId}`,
    isEmpty: (d) => d.length === 0,
  });
  const idOk = isValidIdCard(idNumber);
  const who = idOk ? identityFromIdNumber(idNumber) : null;
  const age = who ? ageOnDate(who.birthDate, day) : null;
  // said before booking: an item of this group has no sourced table, so the report will have no overall grade
  const missing = who && age !== null ? missingTablesFor(who.sex, age) : [];
  const child = age !== null && age < 14;

  async function submit() {
    setError(null);
    if (!slotId) return setError('请选择时段');
    if (!name.trim()) return setError('请填写受测人姓名');
    if (!idOk) return setError('请填写正确的身份证号');
    if (!consent) return setError('请单独勾选同意收集健康信息');
    if (child && (!guardian || !guardianName.trim())) return setError('未满14周岁，须由监护人同意并填写监护人姓名');
    setBusy(true);
    try {
      await fitnessApi.book(
        {
          slotId,
          participant: { name: name.trim(), idNumber: idNumber.toUpperCase() },
          consent: { healthData: true, version: FITNESS_CONSENT_VERSION },
          ...(child
            ? { guardianConsent: { given: true, guardianName: guardianName.trim(), relation: 'parent', version: FITNESS_CONSENT_VERSION } }
            : {}),
        },
        key,
        { toast: false },
      );
      void Taro.showToast({ title: '预约成功', icon: 'success' });
      void Taro.redirectTo({ url: '/packages/ticket/index' });
    } catch (e) {
      setError(errorMessageZh(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Screen className="page-fitness-book fit-page">
      <View className="fit-days">
        {days.map((d) => (
          <View key={d} className={`fit-day${d === day ? ' fit-day--on' : ''}`} data-day={d} onClick={() => (setDay(d), setSlotId(''))}>
            <Text>{d.slice(5)}</Text>
          </View>
        ))}
      </View>
      <LoadView load={load} name="fit-slots" errorText="时段加载失败" emptyText="当天没有可预约的时段" onRetry={() => void reload()} />
      <View className="fit-slots">
        {(data ?? []).map((s) => (
          <View
            key={s.id}
            className={`fit-slot${s.id === slotId ? ' fit-slot--on' : ''}${s.remaining === 0 ? ' fit-slot--full' : ''}`}
            data-id={s.id}
            onClick={() => s.remaining > 0 && setSlotId(s.id)}
          >
            <Text className="fit-slot__time">
              {hhmm(s.startAt)}–{hhmm(s.endAt)}
            </Text>
            <Text className="fit-slot__left">{s.remaining > 0 ? `余 ${s.remaining}` : '已约满'}</Text>
          </View>
        ))}
      </View>

      <View className="fit-person cs-card">
        <FormField label="受测人姓名" required>
          <Input
            className="fit-input fit-name"
            value={name}
            maxlength={20}
            placeholder="真实姓名"
            onInput={(e) => setName(e.detail.value)}
          />
        </FormField>
        <FormField label="身份证号" required hint="用于按测试当天的周岁年龄评分，加密保存">
          <Input
            className="fit-input fit-id"
            value={idNumber}
            maxlength={18}
            placeholder="18 位身份证号"
            onInput={(e) => setIdNumber(e.detail.value.trim())}
          />
        </FormField>
        {age !== null ? <Text className="fit-note">测试当天 {age} 周岁</Text> : null}
        {missing.map((m) => (
          <Text key={m} className="fit-item__note fit-missing">
            ⚠ {m}
          </Text>
        ))}
      </View>

      <View className="fit-consent cs-card">
        <Text className="fit-section">健康信息单独同意</Text>
        <Text className="fit-consent__text">{FITNESS_CONSENT_TEXT_ZH}</Text>
        <Text className="fit-consent__version">文本版本：{FITNESS_CONSENT_VERSION}</Text>
        <Check className="fit-consent-check" checked={consent} onChange={(v) => (setConsent(v), setError(null))}>
          我已阅读并同意收集、使用上述健康信息（敏感个人信息）
        </Check>
        {child ? (
          <View className="fit-guardian">
            <Check className="fit-guardian-check" checked={guardian} onChange={setGuardian}>
              我是受测人的监护人，同意上述处理
            </Check>
            <Input
              className="fit-input fit-guardian-name"
              value={guardianName}
              maxlength={20}
              placeholder="监护人姓名"
              onInput={(e) => setGuardianName(e.detail.value)}
            />
          </View>
        ) : null}
      </View>
      {error ? <Text className="fit-error">⚠ {error}</Text> : null}
      <Button type="primary" block className="fit-submit" loading={busy} disabled={busy} onClick={() => void submit()}>
        确认预约
      </Button>
    </Screen>
  );
}
