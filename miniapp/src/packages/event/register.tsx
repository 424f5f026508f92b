import { useEffect, useMemo, useRef, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import {
  ADULT_AGE,
  ageOnDay,
  businessDay,
  eligibilityProblem,
  idFacts,
  isValidIdCard,
  isValidMobile,
  type EventDetailDto,
  type SubscribeTemplate,
} from '@citysport/shared';
import Screen from '../../components/Screen';
import FormField from '../../components/FormField';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { eventsApi } from '../../api/events';
import { errorMessageZh, isApiError } from '../../api/errors';
import { notify } from '../../stores/elder';
import { askSubscribe, useSubscribeTemplates } from '../../utils/subscribe';
import { yuan } from './format';
import './register.scss';

/** the draw's result, the pay-by deadline and the start reminder */
const EVENT_TEMPLATES: SubscribeTemplate[] = ['event_draw_result', 'event_pay_deadline', 'event_start_reminder'];

const newKey = () => `evreg-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** What the ID number says about the participant for this group, or what is wrong with it. */
export function checkId(idNumber: string, event: Pick<EventDetailDto, 'startAt'>, group: EventDetailDto['groups'][number]) {
  const id = idNumber.trim().toUpperCase();
  if (!id) return { error: null, facts: null };
  if (id.length !== 18 || !isValidIdCard(id)) return { error: '身份证号码有误（请核对18位号码及最后一位校验码）', facts: null };
  const { birthDate, gender } = idFacts(id);
  const age = ageOnDay(birthDate, businessDay(event.startAt));
  return { error: eligibilityProblem(group.eligibility, { age, gender }), facts: { birthDate, gender, age } };
}

function Field({
  label,
  value,
  onChange,
  error,
  type = 'text',
  name,
  maxlength = 30,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | null;
  type?: 'text' | 'idcard' | 'number';
  name: string;
  maxlength?: number;
}) {
  return (
    <FormField label={label} required error={error} errorClassName={`reg-error--${name}`}>
      <Input
        className={`reg-input reg-input--${name}`}
        type={type}
        value={value}
        maxlength={maxlength}
        onInput={(e) => onChange(e.detail.value)}
      />
    </FormField>
  );
}

/**
 * Real-name registration: participant, emergency contact, guardian for minors, the health pledge.
 * With `transfer=<registrationId>` the same form passes an entry to its new participant (名额转让).
 */
export default function RegisterPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const transferOf = params.transfer ?? '';
  useSubscribeTemplates(EVENT_TEMPLATES);
  useEffect(() => {
    if (transferOf) void Taro.setNavigationBarTitle({ title: '名额转让' });
  }, [transferOf]);
  const { load } = useLoad(() => eventsApi.detail(id), [id]);
  const event = load.state === 'ready' ? load.data : undefined;
  const group = event?.groups.find((g) => g.id === params.groupId);
  const [f, setF] = useState({ name: '', idNumber: '', phone: '', ecName: '', ecPhone: '', gName: '', gPhone: '', teamCode: '' });
  const [pledge, setPledge] = useState(false);
  const [guardianOk, setGuardianOk] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const key = useRef(newKey());
  const set = (k: keyof typeof f) => (v: string) => {
    setF((cur) => ({ ...cur, [k]: v }));
    setServerError(null);
  };
  const idCheck = useMemo(
    () => (event && group ? checkId(f.idNumber, event, group) : { error: null, facts: null }),
    [f.idNumber, event, group],
  );
  const minor = idCheck.facts !== null && idCheck.facts.age < ADULT_AGE;
  const phoneError = f.phone && !isValidMobile(f.phone) ? '请输入11位手机号' : null;
  const ecPhoneError = f.ecPhone && !isValidMobile(f.ecPhone) ? '请输入11位手机号' : null;
  const ready =
    !!group &&
    f.name.trim() &&
    idCheck.facts &&
    !idCheck.error &&
    isValidMobile(f.phone) &&
    f.ecName.trim() &&
    isValidMobile(f.ecPhone) &&
    pledge &&
    (!minor || (f.gName.trim() && isValidMobile(f.gPhone) && guardianOk)) &&
    (transferOf || !group.team || /^[A-Z0-9]{8}$/.test(f.teamCode));

  const submit = async () => {
    if (!event || !group || !ready || submitting) return;
    setSubmitting(true);
    // weapp: the subscribe sheet must come straight from the tap, before the request
    if (!transferOf) await askSubscribe(EVENT_TEMPLATES);
    const participant = {
      name: f.name.trim(),
      idNumber: f.idNumber.trim().toUpperCase(),
      phone: f.phone,
      emergencyContact: { name: f.ecName.trim(), phone: f.ecPhone },
    };
    const guardianConsent = minor ? { guardianConsent: { name: f.gName.trim(), phone: f.gPhone, accepted: true as const } } : {};
    try {
      if (transferOf) {
        await eventsApi.transfer(transferOf, { participant, healthPledge: true, pledgeVersion: event.pledge.version, ...guardianConsent });
        notify('名额已转让，新参赛人的检录凭证已生成', 2500);
        void Taro.redirectTo({ url: '/packages/event/mine' });
        return;
      }
      const r = await eventsApi.register(
        event.id,
        {
          groupId: group.id,
          participant,
          healthPledge: true,
          pledgeVersion: event.pledge.version,
          ...guardianConsent,
          ...(group.team ? { teamCode: f.teamCode } : {}),
        },
        key.current,
      );
      notify(r.status === 'entered' ? '已参加抽签，请留意抽签结果' : r.status === 'held' ? '名额已保留，请尽快支付' : '报名成功', 2500);
      if (r.orderId) void Taro.navigateTo({ url: `/packages/pay/index?orderId=${r.orderId}` });
      else void Taro.redirectTo({ url: '/packages/event/mine' });
    } catch (e) {
      setServerError(errorMessageZh(e));
      if (isApiError(e) && e.status < 500) key.current = newKey();
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Screen className="reg-page">
      <LoadView
        load={load}
        name="reg"
        errorText="赛事加载失败"
        onRetry={() =>
          void Taro.redirectTo({
            url: `/packages/event/register?id=${id}&groupId=${params.groupId}${transferOf ? `&transfer=${transferOf}` : ''}`,
          })
        }
      />
      {event && group ? (
        <>
          <View className="cs-card reg-head">
            <Text className="reg-head__name">{event.name}</Text>
            <Text className="reg-head__group">
              {group.name} · {yuan(group.feeFen)}
            </Text>
            {transferOf ? (
              <Text className="reg-head__transfer">
                转让给新参赛人后，原参赛人的检录凭证立即作废，新参赛人获得新的凭证；每个名额只能转让一次，已付报名费不退不补。
              </Text>
            ) : null}
          </View>
          <View className="cs-card">
            <Text className="reg-section">{transferOf ? '新参赛人信息（实名）' : '参赛人信息（实名，可为家人报名）'}</Text>
            <Field name="name" label="姓名" value={f.name} onChange={set('name')} />
            <Field
              name="id"
              label="身份证号"
              type="idcard"
              maxlength={18}
              value={f.idNumber}
              onChange={set('idNumber')}
              error={idCheck.error}
            />
            {idCheck.facts && !idCheck.error ? (
              <Text className="reg-facts">
                {idCheck.facts.gender === 'M' ? '男' : '女'} · 比赛日 {idCheck.facts.age} 周岁
              </Text>
            ) : null}
            <Field name="phone" label="手机号" type="number" maxlength={11} value={f.phone} onChange={set('phone')} error={phoneError} />
            <Text className="reg-section">紧急联系人</Text>
            <Field name="ec-name" label="姓名" value={f.ecName} onChange={set('ecName')} />
            <Field
              name="ec-phone"
              label="手机号"
              type="number"
              maxlength={11}
              value={f.ecPhone}
              onChange={set('ecPhone')}
              error={ecPhoneError}
            />
            {minor ? (
              <>
                <Text className="reg-section">监护人同意（比赛日未满18周岁）</Text>
                <Field name="g-name" label="监护人姓名" value={f.gName} onChange={set('gName')} />
                <Field name="g-phone" label="监护人手机号" type="number" maxlength={11} value={f.gPhone} onChange={set('gPhone')} />
                <View
                  className={`reg-check${guardianOk ? ' reg-check--on' : ''}`}
                  role="checkbox"
                  aria-checked={guardianOk}
                  onClick={() => setGuardianOk(!guardianOk)}
                >
                  {guardianOk ? '☑' : '☐'} 监护人已知悉并同意参赛
                </View>
              </>
            ) : null}
            {group.team && !transferOf ? (
              <Field name="team" label="队伍邀请码" maxlength={8} value={f.teamCode} onChange={(v) => set('teamCode')(v.toUpperCase())} />
            ) : null}
          </View>
          <View className="cs-card reg-pledge">
            <Text className="reg-section">健康承诺书（{event.pledge.version}）</Text>
            <Text className="reg-pledge__text">{event.pledge.text}</Text>
            <View
              className={`reg-check${pledge ? ' reg-check--on' : ''}`}
              role="checkbox"
              aria-checked={pledge}
              onClick={() => setPledge(!pledge)}
            >
              {pledge ? '☑' : '☐'} 我已阅读并同意健康承诺书
            </View>
          </View>
          {serverError ? <Text className="reg-server-error">⚠ {serverError}</Text> : null}
          <Button
            className="reg-submit"
            type="primary"
            block
            disabled={!ready || submitting}
            loading={submitting}
            onClick={() => void submit()}
          >
            {transferOf
              ? '确认转让'
              : event.registration.mode === 'lottery'
                ? '提交抽签报名'
                : group.feeFen > 0
                  ? `提交并支付 ${yuan(group.feeFen)}`
                  : '提交报名'}
          </Button>
        </>
      ) : null}
    </Screen>
  );
}
