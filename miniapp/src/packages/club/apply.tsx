import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, Textarea, View } from '@tarojs/components';
import { Switch } from '@nutui/nutui-react-taro';
import { ClubApplicationSchema } from '@citysport/shared';
import Screen from '../../components/Screen';
import { notify } from '../../stores/elder';
import { ensureLoggedIn } from '../../stores/session';
import { clubApi } from './api';
import { DISTRICT_OPTIONS, SPORT_OPTIONS } from './lib';
import './club.scss';

const APPLY_PAGE = '/packages/club/apply';

/** 申请成立社团: name, sport, district, purpose, charter, contact, optional 社会组织 registration number. */
export default function ClubApplyPage() {
  const [f, setF] = useState({ name: '', purpose: '', charter: '', contactName: '', contactPhone: '', registrationNo: '', duesYuan: '' });
  const [sport, setSport] = useState<string>('running');
  const [district, setDistrict] = useState<string>(DISTRICT_OPTIONS[0]);
  const [openJoin, setOpenJoin] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: { detail: { value: string } }) => setF((cur) => ({ ...cur, [k]: e.detail.value }));

  const submit = async () => {
    if (busy || !(await ensureLoggedIn(APPLY_PAGE))) return;
    const body = {
      name: f.name,
      sport,
      district,
      purpose: f.purpose,
      charter: f.charter,
      contactName: f.contactName,
      contactPhone: f.contactPhone,
      ...(f.registrationNo.trim() ? { registrationNo: f.registrationNo.trim().toUpperCase() } : {}),
      openJoin,
      duesFen: Math.round(Number(f.duesYuan || '0') * 100),
    };
    const parsed = ClubApplicationSchema.safeParse(body);
    if (!parsed.success) {
      setError(`请检查：${parsed.error.issues.map((i) => i.path.join('.')).join('、')}`);
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await clubApi.apply(parsed.data);
      notify('申请已提交，等待体育局审核');
      await Taro.redirectTo({ url: '/packages/club/mine' });
    } catch {
      /* toast shown */
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen className="club-apply">
      <View className="club-form">
        <Text className="club-form__label">社团名称（同一区内不能重名）</Text>
        <Input
          className="club-form__input club-apply-name"
          value={f.name}
          maxlength={40}
          onInput={set('name')}
          placeholder="如：金鸡湖跑团"
        />
        <Text className="club-form__label">运动项目</Text>
        <View className="club-chips">
          {SPORT_OPTIONS.map((s) => (
            <View
              key={s.key}
              className={`club-chips__chip${sport === s.key ? ' club-chips__chip--current' : ''}`}
              onClick={() => setSport(s.key)}
            >
              {s.label}
            </View>
          ))}
        </View>
        <Text className="club-form__label">所在区域</Text>
        <View className="club-chips">
          {DISTRICT_OPTIONS.map((d) => (
            <View
              key={d}
              className={`club-chips__chip${district === d ? ' club-chips__chip--current' : ''}`}
              onClick={() => setDistrict(d)}
            >
              {d}
            </View>
          ))}
        </View>
        <Text className="club-form__label">宗旨</Text>
        <Textarea className="club-form__area club-apply-purpose" value={f.purpose} maxlength={500} onInput={set('purpose')} />
        <Text className="club-form__label">章程</Text>
        <Textarea className="club-form__area club-apply-charter" value={f.charter} maxlength={5000} onInput={set('charter')} />
        <Text className="club-form__label">联系人</Text>
        <Input className="club-form__input club-apply-contact" value={f.contactName} maxlength={20} onInput={set('contactName')} />
        <Text className="club-form__label">联系电话</Text>
        <Input
          className="club-form__input club-apply-phone"
          type="number"
          value={f.contactPhone}
          maxlength={11}
          onInput={set('contactPhone')}
        />
        <Text className="club-form__label">社会组织统一社会信用代码（选填）</Text>
        <Input className="club-form__input" value={f.registrationNo} maxlength={18} onInput={set('registrationNo')} />
        <Text className="club-form__label">年度会费（元，0 为不收）</Text>
        <Input className="club-form__input" type="digit" value={f.duesYuan} onInput={set('duesYuan')} />
        <View className="club-form__check">
          <Text>无需审核，自由加入</Text>
          <Switch checked={openJoin} onChange={(on: boolean) => setOpenJoin(on)} />
        </View>
        {error ? <View className="club-notice club-apply-error">{error}</View> : null}
        <View className="club-button club-apply-submit" style={{ marginTop: '24px' }} onClick={() => void submit()}>
          提交申请
        </View>
      </View>
    </Screen>
  );
}
