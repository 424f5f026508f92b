import { useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Input, Picker, Text, Textarea, View } from '@tarojs/components';
import { Button, Switch } from '@nutui/nutui-react-taro';
import {
  EVENT_KIND_LABELS_ZH,
  EVENT_KINDS,
  EVENT_SPORT_LABELS_ZH,
  EventInputSchema,
  type EventDetailDto,
  type EventGroupDto,
  type GroupInput,
  type EventKind,
  type EventSport,
} from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import FormField from '../../components/FormField';
import Stepper from '../../components/Stepper';
import Sheet from '../../components/Sheet';
import { issueMessageZh } from '../../components/FormField/validate';
import { eventsApi } from '../../api/events';
import { errorMessageZh } from '../../api/errors';
import { useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import { statusZh } from './format';
import './edit.scss';

const SPORTS: EventSport[] = ['running', 'cycling', 'triathlon', 'badminton', 'basketball', 'football', 'swimming', 'table_tennis'];
const DISTRICTS = ['姑苏区', '工业园区', '虎丘区', '吴中区', '相城区', '吴江区'];

/** Shanghai wall time ↔ ISO (the form edits local dates and times; the API takes ISO with an offset). */
const SH = 8 * 3600_000;
const dayOf = (iso: string | null | undefined) => (iso ? new Date(Date.parse(iso) + SH).toISOString().slice(0, 10) : '');
const timeOf = (iso: string | null | undefined) => (iso ? new Date(Date.parse(iso) + SH).toISOString().slice(11, 16) : '');
const isoOf = (day: string, time: string) => (day ? `${day}T${time || '00:00'}:00+08:00` : '');

interface GroupForm {
  name: string;
  distanceKm: string;
  capacity: string;
  feeYuan: string;
  minAge: string;
  maxAge: string;
  gender: '' | 'M' | 'F';
  kept?: KeptGroupFields;
}
const emptyGroup = (): GroupForm => ({ name: '', distanceKm: '', capacity: '100', feeYuan: '0', minAge: '', maxAge: '', gender: '' });

/** what the form does not edit but an edit must keep (a PUT replaces the groups) */
type KeptGroupFields = Pick<GroupInput, 'bibPrefix' | 'bibStart' | 'team' | 'waitlistSize'>;
const keptOf = (g: EventGroupDto): KeptGroupFields => ({
  bibPrefix: g.bibPrefix,
  bibStart: g.bibStart,
  ...(g.team ? { team: g.team } : {}),
  // a waitlist the organiser sized apart from the places; otherwise it follows the places again
  ...(g.waitlistSize !== g.capacity ? { waitlistSize: g.waitlistSize } : {}),
});

interface Form {
  name: string;
  kind: EventKind;
  sport: EventSport;
  district: string;
  place: string;
  startDay: string;
  startTime: string;
  description: string;
  mode: 'first_come' | 'lottery';
  opensDay: string;
  opensTime: string;
  closesDay: string;
  closesTime: string;
  holdMinutes: number;
  payDay: string;
  payTime: string;
  offerHours: number;
  tiers: { daysBefore: number; percent: number }[];
  transfer: boolean;
  transferDay: string;
  pledgeText: string;
  pledgeVersion: string;
  groups: GroupForm[];
}

const blank = (): Form => ({
  name: '',
  kind: 'road_race',
  sport: 'running',
  district: DISTRICTS[1],
  place: '',
  startDay: '',
  startTime: '07:30',
  description: '',
  mode: 'first_come',
  opensDay: '',
  opensTime: '10:00',
  closesDay: '',
  closesTime: '18:00',
  holdMinutes: 15,
  payDay: '',
  payTime: '18:00',
  offerHours: 48,
  tiers: [
    { daysBefore: 30, percent: 100 },
    { daysBefore: 7, percent: 50 },
  ],
  transfer: false,
  transferDay: '',
  pledgeText: '本人承诺身体健康，无不适合参加本项赛事的疾病，已充分了解比赛风险，自愿参赛。',
  pledgeVersion: 'v1',
  groups: [emptyGroup()],
});

export function fromDetail(e: EventDetailDto): Form {
  return {
    name: e.name,
    kind: e.kind,
    sport: e.sport,
    district: e.district,
    place: e.place,
    startDay: dayOf(e.startAt),
    startTime: timeOf(e.startAt),
    description: e.description,
    mode: e.registration.mode,
    opensDay: dayOf(e.registration.opensAt),
    opensTime: timeOf(e.registration.opensAt),
    closesDay: dayOf(e.registration.closesAt),
    closesTime: timeOf(e.registration.closesAt),
    holdMinutes: e.registration.holdMinutes,
    payDay: dayOf(e.registration.paymentDeadline),
    payTime: timeOf(e.registration.paymentDeadline) || '18:00',
    offerHours: e.registration.offerHours,
    tiers: e.refundPolicy.tiers,
    transfer: e.transfer.allowed,
    transferDay: dayOf(e.transfer.deadline),
    pledgeText: e.pledge.text,
    pledgeVersion: e.pledge.version,
    groups: e.groups.map((g) => ({
      name: g.name,
      distanceKm: g.distanceKm === null ? '' : String(g.distanceKm),
      capacity: String(g.capacity),
      feeYuan: String(g.feeFen / 100),
      minAge: g.eligibility.minAge === undefined ? '' : String(g.eligibility.minAge),
      maxAge: g.eligibility.maxAge === undefined ? '' : String(g.eligibility.maxAge),
      gender: g.eligibility.gender ?? '',
      kept: keptOf(g),
    })),
  };
}

const num = (s: string) => (s.trim() === '' ? undefined : Number(s));

/** The request body the API parses (EventInputSchema), from the form. */
export function bodyOf(f: Form) {
  return {
    name: f.name.trim(),
    kind: f.kind,
    sport: f.sport,
    district: f.district,
    place: f.place.trim(),
    startAt: isoOf(f.startDay, f.startTime),
    description: f.description,
    registration: {
      mode: f.mode,
      opensAt: isoOf(f.opensDay, f.opensTime),
      closesAt: isoOf(f.closesDay, f.closesTime),
      holdMinutes: f.holdMinutes,
      ...(f.mode === 'lottery' && f.payDay ? { paymentDeadline: isoOf(f.payDay, f.payTime) } : {}),
      offerHours: f.offerHours,
    },
    refundPolicy: { tiers: f.tiers },
    transfer: { allowed: f.transfer, ...(f.transfer && f.transferDay ? { deadline: isoOf(f.transferDay, '23:59') } : {}) },
    pledge: { text: f.pledgeText, version: f.pledgeVersion },
    groups: f.groups.map((g) => ({
      ...g.kept,
      name: g.name.trim(),
      ...(num(g.distanceKm) !== undefined ? { distanceKm: num(g.distanceKm) } : {}),
      capacity: Number(g.capacity || 0),
      feeFen: Math.round(Number(g.feeYuan || 0) * 100),
      eligibility: {
        ...(num(g.minAge) !== undefined ? { minAge: num(g.minAge) } : {}),
        ...(num(g.maxAge) !== undefined ? { maxAge: num(g.maxAge) } : {}),
        ...(g.gender ? { gender: g.gender } : {}),
      },
    })),
  };
}

const LABELS: Record<string, string> = {
  name: '赛事名称',
  place: '比赛地点',
  district: '所在区',
  startAt: '比赛时间',
  'registration.opensAt': '报名开始时间',
  'registration.closesAt': '报名截止时间',
  'registration.paymentDeadline': '中签缴费截止',
  'transfer.deadline': '转让截止日期',
  'pledge.text': '健康承诺书',
  'pledge.version': '承诺书版本',
  description: '赛事介绍',
};
const REFINE_ZH: Record<string, string> = {
  'registration must open before it closes': '报名截止时间须晚于开始时间',
  'registration must close before the start': '报名须在比赛开始前截止',
  'a lottery needs a payment deadline for winners': '抽签报名须设置中签缴费截止时间',
  'transfers must end before the start': '转让截止须早于比赛开始',
  'minAge must not exceed maxAge': '最小年龄不能大于最大年龄',
};
const GROUP_LABELS: Record<string, string> = {
  name: '组别名称',
  capacity: '名额',
  feeFen: '报名费',
  distanceKm: '距离',
  eligibility: '年龄',
};

/** Every problem the shared schema finds, keyed by the field (groups as `groups.<i>`), in Chinese. */
export function problemsOf(f: Form): Record<string, string> {
  const parsed = EventInputSchema.safeParse(bodyOf(f), { jitless: true });
  if (parsed.success) return {};
  const out: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String);
    if (path[0] === 'groups' && path.length >= 2) {
      const key = `groups.${path[1]}`;
      out[key] ??= REFINE_ZH[issue.message] ?? issueMessageZh(issue, GROUP_LABELS[path[2] ?? ''] ?? '组别');
      continue;
    }
    if (path[0] === 'groups') {
      out.groups ??= '至少设置一个组别';
      continue;
    }
    const key = path.slice(0, 2).join('.');
    const label = LABELS[key] ?? LABELS[path[0]] ?? '该项';
    out[key] ??= REFINE_ZH[issue.message] ?? (issue.code === 'invalid_format' ? `请选择${label}` : issueMessageZh(issue, label));
  }
  return out;
}

function DateTime({
  day,
  time,
  onDay,
  onTime,
  name,
}: {
  day: string;
  time: string;
  onDay: (v: string) => void;
  onTime: (v: string) => void;
  name: string;
}) {
  return (
    <View className="ev-edit__dt">
      <Picker mode="date" value={day} onChange={(e) => onDay(String(e.detail.value))}>
        <View className={`ev-edit__pick ev-edit__pick--${name}${day ? '' : ' ev-edit__pick--empty'}`}>{day || '选择日期'}</View>
      </Picker>
      <Picker mode="time" value={time} onChange={(e) => onTime(String(e.detail.value))}>
        <View className="ev-edit__pick">{time || '时间'}</View>
      </Picker>
    </View>
  );
}

function Chips<T extends string>({
  options,
  value,
  onChange,
  name,
}: {
  options: [T, string][];
  value: T;
  onChange: (v: T) => void;
  name: string;
}) {
  return (
    <View className={`ev-edit__chips ev-edit__chips--${name}`}>
      {options.map(([k, label]) => (
        <View key={k} className={`ev-edit__chip${value === k ? ' ev-edit__chip--on' : ''}`} onClick={() => onChange(k)}>
          {label}
        </View>
      ))}
    </View>
  );
}

type Action = 'publish' | 'open' | 'close';
const LIFECYCLE: Record<string, { action: Action; label: string }[]> = {
  draft: [{ action: 'publish', label: '发布赛事' }],
  published: [{ action: 'open', label: '开放报名' }],
  registration_open: [{ action: 'close', label: '截止报名' }],
};

/** 创建/编辑赛事: the event, its groups and rules — checked by the same schema as the API, saved through /organiser/events. */
export default function EventEditPage() {
  const { params } = useRouter();
  const page = useLoad(() => (params.id ? eventsApi.organiserEvent(params.id) : Promise.resolve(null)), [params.id], {
    isEmpty: () => false,
  });
  if (page.load.state !== 'ready')
    return (
      <Screen className="ev-edit">
        <LoadView load={page.load} name="ev-edit" errorText="赛事加载失败" onRetry={() => void page.reload()} />
      </Screen>
    );
  return <EventForm key={params.id ?? ''} id={params.id ?? ''} loaded={page.data} />;
}

/** The form itself, filled from the loaded event (or blank for a new one). */
function EventForm({ id: loadedId, loaded }: { id: string; loaded: EventDetailDto | null }) {
  const [id, setId] = useState(loadedId);
  const [status, setStatus] = useState<string>(loaded?.status ?? 'draft');
  const [rev, setRev] = useState(loaded?.rev ?? 0);
  const [f, setF] = useState<Form>(() => (loaded ? fromDetail(loaded) : blank()));
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [groupAt, setGroupAt] = useState<number | null>(null);
  const [draftGroup, setDraftGroup] = useState<GroupForm>(emptyGroup);

  const editable = status === 'draft' || status === 'published';
  const problems = problemsOf(f);
  const err = (k: string) => (shown ? (problems[k] ?? null) : null);
  const set =
    <K extends keyof Form>(k: K) =>
    (v: Form[K]) => {
      setF((cur) => ({ ...cur, [k]: v }));
      setServerError(null);
    };
  const text = (k: keyof Form) => (e: { detail: { value: string } }) => set(k)(e.detail.value as never);

  const save = async () => {
    setShown(true);
    if (busy || Object.keys(problems).length) return;
    setBusy(true);
    try {
      const parsed = EventInputSchema.parse(bodyOf(f), { jitless: true });
      const saved = id ? await eventsApi.updateEvent(id, parsed, rev) : await eventsApi.createEvent(parsed);
      setId(saved.id);
      setStatus(saved.status);
      setRev(saved.rev);
      notify(id ? '已保存' : '赛事已创建（草稿）', 2000);
    } catch (e) {
      setServerError(errorMessageZh(e));
    } finally {
      setBusy(false);
    }
  };

  const lifecycle = async (a: { action: Action; label: string }) => {
    const ok = await Taro.showModal({ title: a.label, content: `确定「${a.label}」吗？该操作将记入审计日志。` });
    if (!ok.confirm) return;
    setBusy(true);
    try {
      const r = (await eventsApi.organiserAction(id, a.action)) as { event: EventDetailDto };
      setStatus(r.event.status);
      notify(`${a.label}完成`, 2000);
    } catch (e) {
      setServerError(errorMessageZh(e));
    } finally {
      setBusy(false);
    }
  };

  const openGroup = (i: number | null) => {
    setDraftGroup(i === null ? emptyGroup() : f.groups[i]);
    setGroupAt(i === null ? f.groups.length : i);
  };
  const saveGroup = () => {
    if (groupAt === null) return;
    const groups = [...f.groups];
    groups[groupAt] = draftGroup;
    set('groups')(groups);
    setGroupAt(null);
  };

  return (
    <Screen className="ev-edit">
      <View className="cs-card ev-edit__status">
        <Text className="ev-edit__status-text">{id ? `状态：${statusZh(status as never)}` : '新建赛事'}</Text>
        {!editable ? <Text className="ev-edit__hint">报名开放后不可再修改赛事信息</Text> : null}
      </View>

      <View className="cs-card ev-edit__section">
        <Text className="ev-edit__title">基本信息</Text>
        <FormField label="赛事名称" required error={err('name')} errorClassName="ev-edit-error--name">
          <Input
            className="ev-edit__input ev-edit-name"
            value={f.name}
            maxlength={60}
            placeholder="如：2027 城市半程马拉松"
            onInput={text('name')}
          />
        </FormField>
        <FormField className="ev-edit__bare" label="赛事类型" required>
          <Chips name="kind" options={EVENT_KINDS.map((k) => [k, EVENT_KIND_LABELS_ZH[k]])} value={f.kind} onChange={set('kind')} />
        </FormField>
        <FormField className="ev-edit__bare" label="运动项目" required>
          <Chips name="sport" options={SPORTS.map((s) => [s, EVENT_SPORT_LABELS_ZH[s]])} value={f.sport} onChange={set('sport')} />
        </FormField>
        <FormField className="ev-edit__bare" label="所在区" required error={err('district')}>
          <Chips name="district" options={DISTRICTS.map((d) => [d, d])} value={f.district} onChange={set('district')} />
        </FormField>
        <FormField label="比赛地点" required error={err('place')} errorClassName="ev-edit-error--place">
          <Input
            className="ev-edit__input ev-edit-place"
            value={f.place}
            maxlength={80}
            placeholder="如：金鸡湖文化中心"
            onInput={text('place')}
          />
        </FormField>
        <FormField className="ev-edit__bare" label="比赛时间" required error={err('startAt')} errorClassName="ev-edit-error--start">
          <DateTime name="start" day={f.startDay} time={f.startTime} onDay={set('startDay')} onTime={set('startTime')} />
        </FormField>
        <FormField label="赛事介绍">
          <Textarea className="ev-edit__area" value={f.description} maxlength={2000} onInput={text('description')} />
        </FormField>
      </View>

      <View className="cs-card ev-edit__section">
        <Text className="ev-edit__title">报名方式</Text>
        <FormField
          className="ev-edit__bare"
          label="报名方式"
          required
          hint={f.mode === 'lottery' ? '报名期内登记，截止后公开抽签' : '先到先得，名额报满即止'}
        >
          <Chips
            name="mode"
            options={[
              ['first_come', '先到先得'],
              ['lottery', '抽签'],
            ]}
            value={f.mode}
            onChange={set('mode')}
          />
        </FormField>
        <FormField className="ev-edit__bare" label="报名开始" required error={err('registration.opensAt')}>
          <DateTime name="opens" day={f.opensDay} time={f.opensTime} onDay={set('opensDay')} onTime={set('opensTime')} />
        </FormField>
        <FormField
          className="ev-edit__bare"
          label="报名截止"
          required
          error={err('registration.closesAt')}
          errorClassName="ev-edit-error--closes"
        >
          <DateTime name="closes" day={f.closesDay} time={f.closesTime} onDay={set('closesDay')} onTime={set('closesTime')} />
        </FormField>
        {f.mode === 'first_come' ? (
          <FormField className="ev-edit__bare" label="未支付名额保留" hint="超时未支付，名额自动释放">
            <Stepper value={f.holdMinutes} min={5} max={120} unit="分钟" onChange={set('holdMinutes')} />
          </FormField>
        ) : (
          <>
            <FormField
              className="ev-edit__bare"
              label="中签缴费截止"
              required
              error={err('registration.paymentDeadline')}
              errorClassName="ev-edit-error--pay"
            >
              <DateTime name="pay" day={f.payDay} time={f.payTime} onDay={set('payDay')} onTime={set('payTime')} />
            </FormField>
            <FormField className="ev-edit__bare" label="候补递补缴费时限">
              <Stepper value={f.offerHours} min={1} max={336} unit="小时" onChange={set('offerHours')} />
            </FormField>
          </>
        )}
      </View>

      <View className="cs-card ev-edit__section">
        <View className="ev-edit__row">
          <Text className="ev-edit__title">组别</Text>
          <Button size="small" className="ev-edit-add-group" onClick={() => openGroup(null)}>
            ＋ 添加组别
          </Button>
        </View>
        {err('groups') ? <Text className="ev-edit__error">⚠ {err('groups')}</Text> : null}
        {f.groups.map((g, i) => (
          <View key={i} className={`ev-edit__group${err(`groups.${i}`) ? ' ev-edit__group--error' : ''}`} onClick={() => openGroup(i)}>
            <Text className="ev-edit__group-name">{g.name || `组别 ${i + 1}（未命名）`}</Text>
            <Text className="ev-edit__group-meta">
              名额 {g.capacity || '—'} · {Number(g.feeYuan || 0) > 0 ? `¥${g.feeYuan}` : '免费'}
              {g.minAge || g.maxAge ? ` · ${g.minAge || '不限'}–${g.maxAge || '不限'}岁` : ''}
              {g.gender ? ` · 限${g.gender === 'M' ? '男' : '女'}` : ''}
            </Text>
            {err(`groups.${i}`) ? <Text className="ev-edit__error">⚠ {err(`groups.${i}`)}</Text> : null}
          </View>
        ))}
      </View>

      <View className="cs-card ev-edit__section">
        <Text className="ev-edit__title">退赛与转让</Text>
        {f.tiers.map((t, i) => (
          <View key={i} className="ev-edit__tier">
            <View className="ev-edit__tier-line">
              <Text className="ev-edit__tier-text">赛前至少</Text>
              <Stepper
                value={t.daysBefore}
                min={0}
                max={365}
                unit="天"
                onChange={(v) => set('tiers')(f.tiers.map((x, j) => (j === i ? { ...x, daysBefore: v } : x)))}
              />
            </View>
            <View className="ev-edit__tier-line">
              <Text className="ev-edit__tier-text">退还报名费</Text>
              <Stepper
                value={t.percent}
                min={0}
                max={100}
                unit="%"
                onChange={(v) => set('tiers')(f.tiers.map((x, j) => (j === i ? { ...x, percent: v } : x)))}
              />
              <Text className="ev-edit__link ev-edit__tier-del" onClick={() => set('tiers')(f.tiers.filter((_, j) => j !== i))}>
                删除
              </Text>
            </View>
          </View>
        ))}
        {f.tiers.length < 10 ? (
          <Text className="ev-edit__link" onClick={() => set('tiers')([...f.tiers, { daysBefore: 0, percent: 0 }])}>
            ＋ 添加退费档位
          </Text>
        ) : null}
        <View className="ev-edit__row">
          <Text className="ev-edit__label">允许名额转让（每个名额限一次）</Text>
          <Switch checked={f.transfer} onChange={(on: boolean) => set('transfer')(on)} />
        </View>
        {f.transfer ? (
          <FormField className="ev-edit__bare" label="转让截止日期" hint="不填则至报名截止" error={err('transfer.deadline')}>
            <Picker mode="date" value={f.transferDay} onChange={(e) => set('transferDay')(String(e.detail.value))}>
              <View className={`ev-edit__pick${f.transferDay ? '' : ' ev-edit__pick--empty'}`}>{f.transferDay || '选择日期'}</View>
            </Picker>
          </FormField>
        ) : null}
      </View>

      <View className="cs-card ev-edit__section">
        <Text className="ev-edit__title">健康承诺书</Text>
        <FormField label="承诺书内容" required error={err('pledge.text')}>
          <Textarea className="ev-edit__area" value={f.pledgeText} maxlength={4000} onInput={text('pledgeText')} />
        </FormField>
        <FormField label="版本号" required hint="修改承诺书后请更新版本号，已报名者需重新确认" error={err('pledge.version')}>
          <Input className="ev-edit__input" value={f.pledgeVersion} maxlength={20} onInput={text('pledgeVersion')} />
        </FormField>
      </View>

      {serverError ? <View className="ev-edit__server-error">{serverError}</View> : null}
      {shown && Object.keys(problems).length ? (
        <View className="ev-edit__server-error ev-edit-summary">请先修改标出的 {Object.keys(problems).length} 处</View>
      ) : null}
      <View className="ev-edit__actions">
        {editable ? (
          <Button type="primary" block loading={busy} className="ev-edit-save" onClick={() => void save()}>
            {id ? '保存修改' : '创建赛事'}
          </Button>
        ) : null}
        {id
          ? (LIFECYCLE[status] ?? []).map((a) => (
              <Button key={a.action} block disabled={busy} className={`ev-edit-${a.action}`} onClick={() => void lifecycle(a)}>
                {a.label}
              </Button>
            ))
          : null}
      </View>

      <Sheet
        open={groupAt !== null}
        title={groupAt !== null && groupAt < f.groups.length ? '编辑组别' : '添加组别'}
        onClose={() => setGroupAt(null)}
        footer={
          <View className="ev-edit__sheet-foot">
            {groupAt !== null && groupAt < f.groups.length && f.groups.length > 1 ? (
              <Button
                onClick={() => {
                  set('groups')(f.groups.filter((_, j) => j !== groupAt));
                  setGroupAt(null);
                }}
              >
                删除组别
              </Button>
            ) : null}
            <Button type="primary" className="ev-edit-group-ok" onClick={saveGroup}>
              确定
            </Button>
          </View>
        }
      >
        <FormField label="组别名称" required>
          <Input
            className="ev-edit__input ev-edit-group-name"
            value={draftGroup.name}
            maxlength={30}
            placeholder="如：半程马拉松"
            onInput={(e) => setDraftGroup({ ...draftGroup, name: e.detail.value })}
          />
        </FormField>
        <FormField label="距离（公里，选填）">
          <Input
            className="ev-edit__input"
            type="digit"
            value={draftGroup.distanceKm}
            onInput={(e) => setDraftGroup({ ...draftGroup, distanceKm: e.detail.value })}
          />
        </FormField>
        <FormField label="名额" required>
          <Input
            className="ev-edit__input ev-edit-group-capacity"
            type="number"
            value={draftGroup.capacity}
            onInput={(e) => setDraftGroup({ ...draftGroup, capacity: e.detail.value })}
          />
        </FormField>
        <FormField label="报名费（元，0 为免费）" required>
          <Input
            className="ev-edit__input"
            type="digit"
            value={draftGroup.feeYuan}
            onInput={(e) => setDraftGroup({ ...draftGroup, feeYuan: e.detail.value })}
          />
        </FormField>
        <FormField label="比赛日年龄（选填）" hint="按比赛当天计算">
          <View className="ev-edit__dt">
            <Input
              className="ev-edit__input"
              type="number"
              placeholder="最小"
              value={draftGroup.minAge}
              onInput={(e) => setDraftGroup({ ...draftGroup, minAge: e.detail.value })}
            />
            <Input
              className="ev-edit__input"
              type="number"
              placeholder="最大"
              value={draftGroup.maxAge}
              onInput={(e) => setDraftGroup({ ...draftGroup, maxAge: e.detail.value })}
            />
          </View>
        </FormField>
        <FormField className="ev-edit__bare" label="性别">
          <Chips
            name="gender"
            options={[
              ['', '不限'],
              ['M', '限男子'],
              ['F', '限女子'],
            ]}
            value={draftGroup.gender}
            onChange={(v) => setDraftGroup({ ...draftGroup, gender: v })}
          />
        </FormField>
      </Sheet>
    </Screen>
  );
}
