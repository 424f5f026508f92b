import { useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { EnrolSchema, isValidIdCard } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { param } from '../../utils/params';
import { notify } from '../../stores/elder';
import { ensureLoggedIn } from '../../stores/session';
import { courseApi } from './api';
import { MINE_PAGE, ageRange, newKey, yuan } from './lib';
import './course.scss';

type Who = 'self' | 'child';

/** 报名: for myself or a child (real name + ID number; a guardian's consent for a minor), then the pay flow. */
export default function CourseEnrolPage() {
  const { params } = useRouter();
  const id = param(params.id);
  const here = `/packages/course/enrol?id=${encodeURIComponent(id)}`;
  const { load, data: c, reload } = useLoad(async () => (await courseApi.detail(id)).course, [id]);
  const [who, setWho] = useState<Who>(c && c.minAge >= 18 ? 'self' : 'child');
  const [f, setF] = useState({ name: '', idNumber: '', guardianName: '' });
  const [relation, setRelation] = useState<'parent' | 'guardian'>('parent');
  const [consent, setConsent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newKey);
  const set = (k: keyof typeof f) => (e: { detail: { value: string } }) => setF((cur) => ({ ...cur, [k]: e.detail.value }));

  const submit = async () => {
    if (busy || !c || !(await ensureLoggedIn(here))) return;
    const idNumber = f.idNumber.trim().toUpperCase();
    if (!f.name.trim()) return setError('请填写学员姓名');
    if (!isValidIdCard(idNumber)) return setError('身份证号码有误，请检查');
    if (who === 'child' && !f.guardianName.trim()) return setError('请填写监护人姓名');
    if (who === 'child' && !consent) return setError('请先勾选监护人同意');
    const body = {
      participant: { name: f.name.trim(), idNumber },
      ...(who === 'child' ? { guardianConsent: { name: f.guardianName.trim(), relation, accepted: true } } : {}),
    };
    const parsed = EnrolSchema.safeParse(body);
    if (!parsed.success) return setError('填写的信息有误，请检查');
    setError(null);
    setBusy(true);
    try {
      const { enrolment } = await courseApi.enrol(id, parsed.data, key);
      if (enrolment.orderId && enrolment.status === 'held')
        await Taro.redirectTo({ url: `/packages/pay/index?orderId=${encodeURIComponent(enrolment.orderId)}` });
      else {
        notify(enrolment.status === 'waitlisted' ? `名额已满，已加入候补（第${enrolment.waitlistPosition ?? '-'}位）` : '报名成功');
        await Taro.redirectTo({ url: MINE_PAGE });
      }
    } catch {
      /* toast shown */
    } finally {
      setBusy(false);
    }
  };

  const tab = (w: Who, label: string) => (
    <View
      className={`course-chips__chip course-enrol__who-${w}${who === w ? ' course-chips__chip--current' : ''}`}
      onClick={() => setWho(w)}
    >
      {label}
    </View>
  );
  return (
    <Screen className="course-enrol">
      <LoadView load={load} name="course" errorText="课程加载失败" emptyText="课程不存在" onRetry={() => void reload()} />
      {c ? (
        <>
          <View className="course-card">
            <Text className="course-card__name">{c.title}</Text>
            <Text className="course-card__meta">
              {ageRange(c.minAge, c.maxAge)} · 共{c.lessonCount}节 · {yuan(c.priceFen)}
            </Text>
          </View>
          <View className="course-form">
            <Text className="course-form__label">为谁报名</Text>
            <View className="course-chips">
              {tab('self', '本人')}
              {tab('child', '我的孩子')}
            </View>
            <Text className="course-form__label">{who === 'child' ? '孩子姓名' : '姓名'}（与身份证一致）</Text>
            <Input
              className="course-form__input course-enrol__name"
              value={f.name}
              maxlength={30}
              onInput={set('name')}
              placeholder="真实姓名"
            />
            <Text className="course-form__label">身份证号码</Text>
            <Input
              className="course-form__input course-enrol__id"
              value={f.idNumber}
              maxlength={18}
              type="idcard"
              onInput={set('idNumber')}
              placeholder="18位身份证号，用于核验年龄"
            />
            {who === 'child' ? (
              <>
                <Text className="course-form__label">监护人姓名</Text>
                <Input
                  className="course-form__input course-enrol__guardian"
                  value={f.guardianName}
                  maxlength={30}
                  onInput={set('guardianName')}
                  placeholder="家长或法定监护人"
                />
                <View className="course-chips" style={{ marginTop: '16px' }}>
                  {(['parent', 'guardian'] as const).map((r) => (
                    <View
                      key={r}
                      className={`course-chips__chip${relation === r ? ' course-chips__chip--current' : ''}`}
                      onClick={() => setRelation(r)}
                    >
                      {r === 'parent' ? '父母' : '其他监护人'}
                    </View>
                  ))}
                </View>
                <View
                  className="course-form__check course-enrol__consent"
                  onClick={() => {
                    setConsent(!consent);
                    setError(null);
                  }}
                >
                  <Text>{consent ? '☑' : '☐'} 我是该未成年人的监护人，同意其参加本课程并提供上述信息</Text>
                </View>
              </>
            ) : null}
            <Text className="course-card__meta">身份证号仅用于核验年龄和实名，加密保存，不对外展示。</Text>
            {error ? <View className="course-notice course-enrol__error">{error}</View> : null}
            <View className="course-button course-enrol__submit" style={{ marginTop: '24px' }} onClick={() => void submit()}>
              {busy ? '提交中…' : c.placesLeft > 0 ? `提交报名并支付 ${yuan(c.priceFen)}` : '加入候补'}
            </View>
          </View>
        </>
      ) : null}
    </Screen>
  );
}
