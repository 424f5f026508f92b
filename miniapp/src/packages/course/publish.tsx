import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, Textarea, View } from '@tarojs/components';
import { COURSE_LEVELS, PublishCourseSchema, shanghaiTime } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import { courseApi } from './api';
import { DISTRICT_OPTIONS, SPORT_OPTIONS, levelZh } from './lib';
import './course.scss';

const DAY = 86_400_000;
const REFUND_PRESETS = [
  {
    key: 'standard',
    label: '开课前全退·按课时退·过半不退',
    rule: (n: number) => ({ beforeStart: 'full', afterStart: 'pro_rata', noRefundFromLesson: Math.max(1, Math.ceil(n / 2)) }),
  },
  { key: 'before', label: '仅开课前可全额退', rule: () => ({ beforeStart: 'full', afterStart: 'none', noRefundFromLesson: 1 }) },
] as const;

/** 发布课程: a weekly schedule of lessons (first date, time, weeks), capacity, price, enrolment window, refund and certificate rules. */
export default function PublishCoursePage() {
  const { load, data } = useLoad(() => courseApi.providerList(), [], { login: '/packages/course/publish' });
  const [f, setF] = useState({
    title: '',
    description: '',
    minAge: '6',
    maxAge: '12',
    address: '',
    firstDate: '',
    time: '09:00',
    minutes: '90',
    weeks: '8',
    capacity: '20',
    priceYuan: '',
    teacher: '',
    certificate: '6',
  });
  const [sport, setSport] = useState<string>('swimming');
  const [level, setLevel] = useState<string>('beginner');
  const [district, setDistrict] = useState<string>(DISTRICT_OPTIONS[0]);
  const [preset, setPreset] = useState<(typeof REFUND_PRESETS)[number]['key']>('standard');
  const [providerIdx, setProviderIdx] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (e: { detail: { value: string } }) => setF((cur) => ({ ...cur, [k]: e.detail.value }));

  const submit = async () => {
    const provider = data?.providers[providerIdx];
    if (!provider) return setError('你还没有可发布课程的场馆或机构');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(f.firstDate) || !/^\d{2}:\d{2}$/.test(f.time))
      return setError('请按 YYYY-MM-DD 和 HH:mm 填写首节课时间');
    const first = shanghaiTime(f.firstDate, f.time).getTime();
    const weeks = Number(f.weeks);
    const lessons = Array.from({ length: weeks }, (_, i) => ({
      startAt: new Date(first + i * 7 * DAY).toISOString(),
      endAt: new Date(first + i * 7 * DAY + Number(f.minutes) * 60_000).toISOString(),
    }));
    const body = {
      provider: provider.kind === 'venue' ? { venueId: provider.id } : { organisationId: provider.id },
      title: f.title,
      description: f.description,
      sport,
      level,
      minAge: Number(f.minAge),
      maxAge: Number(f.maxAge),
      place: { address: f.address, district },
      lessons,
      capacity: Number(f.capacity),
      priceFen: Math.round(Number(f.priceYuan || '0') * 100),
      enrolOpensAt: new Date().toISOString(),
      enrolClosesAt: new Date(first - DAY).toISOString(),
      refundRule: REFUND_PRESETS.find((p) => p.key === preset)!.rule(weeks),
      certificateMinLessons: Math.min(Number(f.certificate), weeks),
      teacher: { name: f.teacher },
    };
    const parsed = PublishCourseSchema.safeParse(body);
    if (!parsed.success) return setError(`请检查：${parsed.error.issues.map((i) => i.path.join('.')).join('、')}`);
    setError(null);
    try {
      await courseApi.publish(parsed.data);
      notify('课程已发布');
      await Taro.redirectTo({ url: '/packages/course/provider' });
    } catch {
      /* toast shown */
    }
  };
  const chips = <T extends string>(options: readonly { key: T; label: string }[], value: T, onPick: (v: T) => void) => (
    <View className="course-chips">
      {options.map((o) => (
        <View
          key={o.key}
          className={`course-chips__chip${value === o.key ? ' course-chips__chip--current' : ''}`}
          onClick={() => onPick(o.key)}
        >
          {o.label}
        </View>
      ))}
    </View>
  );
  const field = (label: string, k: keyof typeof f, opts: { type?: 'number' | 'digit' | 'text'; placeholder?: string } = {}) => (
    <>
      <Text className="course-form__label">{label}</Text>
      <Input
        className={`course-form__input course-publish__${k}`}
        type={opts.type ?? 'text'}
        value={f[k]}
        onInput={set(k)}
        placeholder={opts.placeholder}
      />
    </>
  );
  return (
    <Screen className="course-publish">
      <LoadView load={load} name="publish" errorText="加载失败" emptyText="" onRetry={() => undefined} />
      {data ? (
        <View className="course-form">
          <Text className="course-form__label">发布单位</Text>
          {chips(
            data.providers.map((p, i) => ({ key: String(i), label: p.name })),
            String(providerIdx),
            (v) => setProviderIdx(Number(v)),
          )}
          {field('课程名称', 'title', { placeholder: '如：少儿游泳暑期班' })}
          <Text className="course-form__label">课程介绍</Text>
          <Textarea className="course-form__area" value={f.description} maxlength={2000} onInput={set('description')} />
          <Text className="course-form__label">运动项目</Text>
          {chips(SPORT_OPTIONS, sport as (typeof SPORT_OPTIONS)[number]['key'], setSport)}
          <Text className="course-form__label">难度</Text>
          {chips(
            COURSE_LEVELS.map((l) => ({ key: l, label: levelZh(l) })),
            level as (typeof COURSE_LEVELS)[number],
            setLevel,
          )}
          {field('最小年龄', 'minAge', { type: 'number' })}
          {field('最大年龄', 'maxAge', { type: 'number' })}
          <Text className="course-form__label">上课区域</Text>
          {chips(
            DISTRICT_OPTIONS.map((d) => ({ key: d, label: d })),
            district,
            setDistrict,
          )}
          {field('上课地址', 'address')}
          {field('首节课日期（YYYY-MM-DD）', 'firstDate', { placeholder: '2026-12-12' })}
          {field('上课时间（HH:mm）', 'time')}
          {field('每节时长（分钟）', 'minutes', { type: 'number' })}
          {field('共几周（每周一节）', 'weeks', { type: 'number' })}
          {field('名额', 'capacity', { type: 'number' })}
          {field('价格（元，0 为免费）', 'priceYuan', { type: 'digit' })}
          {field('授课教练', 'teacher')}
          {field('结业要求：出勤节数', 'certificate', { type: 'number' })}
          <Text className="course-form__label">退款规则</Text>
          {chips(REFUND_PRESETS, preset, setPreset)}
          {error ? <View className="course-notice course-publish__error">{error}</View> : null}
          <View className="course-button course-publish__submit" style={{ marginTop: '24px' }} onClick={() => void submit()}>
            发布课程
          </View>
        </View>
      ) : null}
    </Screen>
  );
}
