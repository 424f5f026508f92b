import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { BureauAccountOpenSchema, ROLE_LABELS_ZH, formatShanghai, type BureauAccountOpen } from '@citysport/shared';
import { bureauApi, type BureauAccountItem } from '../../api/bureau';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import Tabs from '../../components/Tabs';
import FormField from '../../components/FormField';
import { fieldError } from '../../components/FormField/validate';
import { isForbidden, useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import { sessionStore } from '../../stores/session';
import './admin.scss';

type Status = 'open' | 'closed';
const STATUS_TABS: { key: Status; label: string }[] = [
  { key: 'open', label: '在用' },
  { key: 'closed', label: '已注销' },
];
const ROLE_TABS: { key: 'admin' | 'analyst'; label: string }[] = [
  { key: 'analyst', label: ROLE_LABELS_ZH.analyst },
  { key: 'admin', label: ROLE_LABELS_ZH.admin },
];
const EMPTY: BureauAccountOpen = { userId: '', role: 'analyst', name: '', unit: '', position: '', phone: '', reason: '' };
const FIELDS: { key: 'userId' | 'name' | 'unit' | 'position' | 'phone' | 'reason'; label: string; hint?: string; max: number }[] = [
  { key: 'userId', label: '用户ID', hint: '使用人先登录小程序，在“我的”页查看并提供', max: 24 },
  { key: 'name', label: '姓名', max: 30 },
  { key: 'unit', label: '单位（处室）', max: 60 },
  { key: 'position', label: '职务', max: 40 },
  { key: 'phone', label: '联系电话', hint: '加密保存，列表中只显示部分号码', max: 11 },
  { key: 'reason', label: '开通事由', max: 200 },
];

/** 局端账号 (专人专号, 重庆 第十八条): bureau admins open and close the named personal accounts of admins and analysts. */
export default function AccountsPage() {
  const [status, setStatus] = useState<Status>('open');
  const { load, data, reload } = useLoad(() => bureauApi.accounts(status), [status], { login: '/packages/admin/accounts' });
  const [form, setForm] = useState<BureauAccountOpen>(EMPTY);
  const [tried, setTried] = useState(false);
  const [showForm, setShowForm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [closing, setClosing] = useState<Record<string, string>>({});

  const input = { ...form, reason: form.reason?.trim() ? form.reason : undefined };
  const err = (key: string, label: string) => (tried ? fieldError(BureauAccountOpenSchema, input, key, label) : null);

  const submit = async () => {
    setTried(true);
    if (!BureauAccountOpenSchema.safeParse(input).success) return notify('请检查标红的内容');
    setBusy(true);
    try {
      const { account } = await bureauApi.open(input);
      notify(`已为${account.name}开通${ROLE_LABELS_ZH[account.role]}账号`);
      setForm(EMPTY);
      setTried(false);
      setShowForm(false);
      if (status === 'open') void reload(true);
    } catch {
      // the toast says why (已开通、手机号已被使用…)
    } finally {
      setBusy(false);
    }
  };

  const close = async (a: BureauAccountItem) => {
    const reason = (closing[a.userId] ?? '').trim();
    if (!reason) return notify('请填写注销原因');
    try {
      await bureauApi.close(a.userId, reason);
      notify(`${a.name}的账号已注销，登录已失效`);
      void reload(true);
    } catch {
      /* toast shown */
    }
  };

  return (
    <Screen className="accounts-page">
      {isForbidden(load) ? <Text className="admin-forbidden">仅体育局管理员可管理局端账号</Text> : null}
      <Text className="credit-note">账号实行专人专号：每个管理员、分析员账号登记使用人姓名、单位、职务和联系电话，不得共用。</Text>

      <Tabs items={STATUS_TABS} value={status} onChange={setStatus} className="credit-tabs" itemClass="credit-tab" currentSuffix="active" />
      <LoadView
        load={load}
        name="accounts"
        errorText="账号列表加载失败"
        emptyText={status === 'open' ? '暂无在用账号' : '暂无已注销账号'}
        onRetry={() => void reload()}
      />
      {data?.items.map((a) => (
        <View key={a.userId} className="credit-row account-row" data-user={a.userId}>
          <View className="credit-row__head">
            <Text className="credit-row__name account-row__name">{a.name}</Text>
            <Text className="credit-row__kind">{ROLE_LABELS_ZH[a.role]}</Text>
          </View>
          <View className="credit-row__figures">
            <Text className="credit-row__figure">{a.unit}</Text>
            <Text className="credit-row__figure">{a.position}</Text>
            <Text className="credit-row__figure account-row__phone">{a.phone}</Text>
            <Text className="credit-row__figure">开通于 {formatShanghai(a.openedAt, 'YYYY-MM-DD')}</Text>
            {a.closedAt ? (
              <Text className="credit-row__figure credit-row__figure--bad">
                注销于 {formatShanghai(a.closedAt, 'YYYY-MM-DD')}：{a.closeReason}
              </Text>
            ) : null}
          </View>
          {a.status === 'open' && a.userId === sessionStore.get().user?.id ? (
            <Text className="credit-note account-row__self">这是您本人的账号，需由另一位管理员注销</Text>
          ) : a.status === 'open' ? (
            <View className="account-row__close">
              <Input
                className="moderation-item__input account-close-reason"
                placeholder="注销原因（如调离岗位）"
                value={closing[a.userId] ?? ''}
                maxlength={200}
                onInput={(e) => setClosing({ ...closing, [a.userId]: e.detail.value })}
              />
              <Button className="account-close" type="danger" fill="outline" onClick={() => void close(a)}>
                注销账号
              </Button>
            </View>
          ) : null}
        </View>
      ))}
      {showForm ? (
        <View className="cs-card accounts-form">
          <Text className="accounts-form__title">开通账号</Text>
          <Tabs
            items={ROLE_TABS}
            value={form.role}
            onChange={(role) => setForm({ ...form, role })}
            className="credit-tabs accounts-role"
            itemClass="credit-tab"
            currentSuffix="active"
          />
          {FIELDS.map((f) => (
            <FormField
              key={f.key}
              label={f.label}
              hint={f.hint}
              required={f.key !== 'reason'}
              error={err(f.key, f.label)}
              errorClassName={`accounts-error-${f.key}`}
            >
              <Input
                className={`moderation-item__input accounts-input-${f.key}`}
                value={form[f.key] ?? ''}
                maxlength={f.max}
                type={f.key === 'phone' ? 'number' : 'text'}
                onInput={(e) => setForm({ ...form, [f.key]: e.detail.value })}
              />
            </FormField>
          ))}
          <Button className="accounts-submit" type="primary" block loading={busy} onClick={() => void submit()}>
            开通
          </Button>
        </View>
      ) : (
        <Button className="accounts-new" type="primary" fill="outline" block onClick={() => setShowForm(true)}>
          开通新账号
        </Button>
      )}
    </Screen>
  );
}
