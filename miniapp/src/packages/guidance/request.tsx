import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, Textarea, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import {
  DISTRICTS,
  GUIDANCE_SPORTS,
  GUIDANCE_SPORT_LABELS_ZH,
  INSTRUCTOR_LEVEL_LABELS_ZH,
  ORGANISATION_KINDS,
  ORGANISATION_KIND_LABELS_ZH,
  shanghaiTime,
  type GuidanceSport,
  type InstructorLevel,
} from '@citysport/shared';
import Screen from '../../components/Screen';
import FormField from '../../components/FormField';
import LoadView from '../../components/LoadView';
import StatusTag from '../../components/StatusTag';
import DateStrip from '../../components/DateStrip';
import { useLoad } from '../../hooks/useLoad';
import { errorMessageZh } from '../../api/errors';
import { IS_H5 } from '../../api/config';
import { param } from '../../utils/params';
import { addDays, daysFrom, dayOf, dayTitle, timeRange, todayShanghai } from '../../utils/time';
import { notify } from '../../stores/elder';
import { guidanceApi } from '../../api/guidance';
import { currentFix } from '../../utils/location';
import { requestStatus } from './requestFormat';
import '../../styles/guidance.scss';

const TIMES = ['07:00', '08:30', '09:30', '14:00', '15:30', '19:00'];
const DURATIONS = [60, 90, 120];

function Chips<T extends string | number>({
  values,
  value,
  label,
  onChange,
  className,
}: {
  values: readonly T[];
  value: T;
  label: (v: T) => string;
  onChange: (v: T) => void;
  className: string;
}) {
  return (
    <View className="gd-filters">
      {values.map((v) => (
        <Text key={String(v)} className={`gd-chip ${className}-${v}${v === value ? ' gd-chip--on' : ''}`} onClick={() => onChange(v)}>
          {label(v)}
        </Text>
      ))}
    </View>
  );
}

/** The request form: who asks, what sport, when, where, how many. */
function RequestForm() {
  const params = Taro.getCurrentInstance().router?.params ?? {};
  const days = daysFrom(addDays(todayShanghai(), 1), 14);
  const [orgName, setOrgName] = useState('');
  const [kind, setKind] = useState<(typeof ORGANISATION_KINDS)[number]>('community');
  const [sport, setSport] = useState<GuidanceSport>('taichi');
  const [district, setDistrict] = useState<(typeof DISTRICTS)[number]>(DISTRICTS[0]);
  const [placeName, setPlaceName] = useState('');
  const [address, setAddress] = useState('');
  const [loc, setLoc] = useState<{ lat: number; lng: number } | null>(null);
  const [day, setDay] = useState(days[1] ?? days[0]);
  const [time, setTime] = useState(TIMES[2]);
  const [minutes, setMinutes] = useState(DURATIONS[0]);
  const [size, setSize] = useState('20');
  const [note, setNote] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const pick = async () => {
    // weapp: the map picker; h5 has none (the location stand-in of location.ts instead)
    const chosen = IS_H5 ? null : await Taro.chooseLocation({}).catch(() => null);
    if (chosen) {
      setLoc({ lat: chosen.latitude, lng: chosen.longitude });
      if (!placeName) setPlaceName(chosen.name);
      if (!address) setAddress(chosen.address);
      return;
    }
    const fix = await currentFix(params);
    if (fix) setLoc({ lat: fix.lat, lng: fix.lng });
    else notify('无法获取位置，请允许定位后重试', 2500);
  };

  const groupSize = Number(size);
  const errors = {
    orgName: orgName.trim().length < 2 ? '请填写单位名称（至少2个字）' : null,
    placeName: placeName.trim().length < 2 ? '请填写活动地点' : null,
    address: address.trim().length < 2 ? '请填写详细地址' : null,
    loc: loc ? null : '请选择地点位置',
    size: !Number.isInteger(groupSize) || groupSize < 1 || groupSize > 500 ? '人数为1至500人' : null,
  };
  const show = (e: string | null) => (tried ? e : null);

  const submit = async () => {
    setTried(true);
    if (Object.values(errors).some(Boolean) || !loc || busy) return;
    setBusy(true);
    setError(null);
    try {
      const startAt = shanghaiTime(day, time);
      const r = await guidanceApi.createRequest({
        organisation: { name: orgName.trim(), kind },
        sport,
        district,
        place: { name: placeName.trim(), address: address.trim(), location: loc },
        startAt: startAt.toISOString(),
        endAt: new Date(startAt.getTime() + minutes * 60_000).toISOString(),
        groupSize,
        note: note.trim() || undefined,
      });
      notify('申请已提交，请等待匹配指导员', 2500);
      void Taro.redirectTo({ url: `/packages/guidance/request?id=${r.request.id}` });
    } catch (e) {
      setError(errorMessageZh(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="gd-section gd-request-form">
      <FormField label="单位名称" required error={show(errors.orgName)}>
        <Input
          className="gd-field-input gd-req-org"
          placeholder="如：沧浪街道双塔社区"
          value={orgName}
          onInput={(e) => setOrgName(e.detail.value)}
        />
      </FormField>
      <FormField className="gd-field--plain" label="单位类型" required>
        <Chips
          values={ORGANISATION_KINDS}
          value={kind}
          label={(k) => ORGANISATION_KIND_LABELS_ZH[k]}
          onChange={setKind}
          className="gd-req-kind"
        />
      </FormField>
      <FormField className="gd-field--plain" label="指导项目" required>
        <Chips
          values={GUIDANCE_SPORTS}
          value={sport}
          label={(s) => GUIDANCE_SPORT_LABELS_ZH[s]}
          onChange={setSport}
          className="gd-req-sport"
        />
      </FormField>
      <FormField className="gd-field--plain" label="所在区县" required>
        <Chips values={DISTRICTS} value={district} label={(d) => d} onChange={setDistrict} className="gd-req-district" />
      </FormField>
      <FormField label="活动地点" required error={show(errors.placeName)}>
        <Input
          className="gd-field-input gd-req-place"
          placeholder="如：社区活动中心广场"
          value={placeName}
          onInput={(e) => setPlaceName(e.detail.value)}
        />
      </FormField>
      <FormField label="详细地址" required error={show(errors.address)}>
        <Input
          className="gd-field-input gd-req-address"
          placeholder="街道、门牌号"
          value={address}
          onInput={(e) => setAddress(e.detail.value)}
        />
      </FormField>
      <FormField className="gd-field--plain" label="地点位置" required error={show(errors.loc)} hint="指导员到场签到以此位置为准">
        <Button className="gd-req-locate" type="primary" fill={loc ? 'outline' : 'solid'} onClick={() => void pick()}>
          {loc ? `已选位置（${loc.lat.toFixed(4)}, ${loc.lng.toFixed(4)}），点击重新选择` : '选择地点位置'}
        </Button>
      </FormField>
      <FormField className="gd-field--plain" label="活动日期" required>
        <DateStrip days={days} value={day} onChange={setDay} />
      </FormField>
      <FormField className="gd-field--plain" label="开始时间" required>
        <Chips values={TIMES} value={time} label={(t) => t} onChange={setTime} className="gd-req-time" />
      </FormField>
      <FormField className="gd-field--plain" label="活动时长" required>
        <Chips values={DURATIONS} value={minutes} label={(m) => `${m}分钟`} onChange={setMinutes} className="gd-req-minutes" />
      </FormField>
      <FormField label="参加人数" required error={show(errors.size)} hint="预计参加的人数，1至500人">
        <Input className="gd-field-input gd-req-size" type="number" value={size} onInput={(e) => setSize(e.detail.value)} />
      </FormField>
      <FormField label="备注" hint="选填，如参加者年龄、场地条件（300字以内）">
        <Textarea className="gd-field-textarea gd-req-note" maxlength={300} value={note} onInput={(e) => setNote(e.detail.value)} />
      </FormField>
      {error ? <Text className="gd-result--bad gd-req-error">{error}</Text> : null}
      <View className="gd-actions">
        <Button className="gd-req-submit" type="primary" loading={busy} disabled={busy} onClick={() => void submit()}>
          提交申请
        </Button>
      </View>
    </View>
  );
}

/** One request: its status, the matched instructor (or the suggested ones), and the rating after the session. */
function RequestDetail({ id }: { id: string }) {
  const detail = useLoad(() => guidanceApi.request(id), [id], { login: `/packages/guidance/request?id=${id}`, refreshOnShow: true });
  const [stars, setStars] = useState(5);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const r = detail.data?.request;
  const rate = async () => {
    if (busy) return;
    setBusy(true);
    try {
      await guidanceApi.rateRequest(id, { stars, comment: comment.trim() || undefined });
      notify('感谢您的评价', 2500);
      await detail.reload(true);
    } catch {
      /* the client showed the Chinese message */
    } finally {
      setBusy(false);
    }
  };
  const st = r ? requestStatus(r) : null;
  return (
    <>
      <LoadView load={detail.load} name="gd-request" errorText="申请加载失败" onRetry={() => void detail.reload()} />
      {r && st ? (
        <>
          <View className="gd-section gd-request-detail" data-status={r.status}>
            <View className="gd-card__head">
              <Text className="gd-card__title">{r.organisation.name}</Text>
              <StatusTag text={st.text} tone={st.tone} className="gd-request-status" />
            </View>
            <View className="gd-kv">
              <Text>单位类型</Text>
              <Text>{ORGANISATION_KIND_LABELS_ZH[r.organisation.kind]}</Text>
            </View>
            <View className="gd-kv">
              <Text>项目</Text>
              <Text>{GUIDANCE_SPORT_LABELS_ZH[r.sport as GuidanceSport] ?? r.sport}</Text>
            </View>
            <View className="gd-kv">
              <Text>时间</Text>
              <Text>
                {dayTitle(dayOf(r.startAt))} {timeRange(r.startAt, r.endAt)}
              </Text>
            </View>
            <View className="gd-kv">
              <Text>地点</Text>
              <Text>
                {r.district} {r.place.name}
              </Text>
            </View>
            <View className="gd-kv">
              <Text>人数</Text>
              <Text>{r.groupSize}人</Text>
            </View>
            {r.note ? (
              <View className="gd-kv">
                <Text>备注</Text>
                <Text>{r.note}</Text>
              </View>
            ) : null}
          </View>
          {r.instructor ? (
            <View className="gd-section gd-request-instructor">
              <Text className="gd-section__title">指导员</Text>
              <Text className="gd-card__line">
                {r.instructor.name} · {INSTRUCTOR_LEVEL_LABELS_ZH[r.instructor.level]}社会体育指导员
              </Text>
              <Text className="gd-card__line">
                {r.assignedBy === 'bureau' ? '由体育局安排' : '由指导员接单'}，请按时到场；指导员将在现场签到并出示签到码。
              </Text>
            </View>
          ) : (
            <View className="gd-section gd-request-suggestions">
              <Text className="gd-section__title">正在为您匹配指导员</Text>
              {detail.data?.suggestions.length ? (
                <>
                  <Text className="gd-card__line">以下指导员擅长该项目且当时有空，指导员接单或体育局安排后会显示在这里：</Text>
                  {detail.data.suggestions.map((x) => (
                    <Text key={x.id} className="gd-card__line gd-suggestion">
                      · {x.name}（{INSTRUCTOR_LEVEL_LABELS_ZH[x.level as InstructorLevel] ?? x.level}，{x.district}）
                    </Text>
                  ))}
                </>
              ) : (
                <Text className="gd-card__line">暂无空闲的该项目指导员，体育局将协调安排。</Text>
              )}
            </View>
          )}
          {r.rating ? (
            <View className="gd-section gd-request-rated">
              <Text className="gd-section__title">您的评价</Text>
              <Text className="gd-card__line">
                {'★'.repeat(r.rating.stars)}
                {'☆'.repeat(5 - r.rating.stars)} {r.rating.stars}星
              </Text>
              {r.rating.comment ? <Text className="gd-card__line">{r.rating.comment}</Text> : null}
              {r.rating.reply ? <Text className="gd-card__line">指导员回复：{r.rating.reply}</Text> : null}
            </View>
          ) : r.sessionStatus === 'delivered' ? (
            <View className="gd-section gd-request-rate">
              <Text className="gd-section__title">评价本次服务</Text>
              <View className="gd-filters">
                {[1, 2, 3, 4, 5].map((n) => (
                  <Text key={n} className={`gd-chip${n <= stars ? ' gd-chip--on' : ''}`} onClick={() => setStars(n)}>
                    {n}星
                  </Text>
                ))}
              </View>
              <Textarea
                className="gd-input"
                value={comment}
                maxlength={200}
                placeholder="说说本次指导服务（选填，200字以内）"
                onInput={(e) => setComment(e.detail.value)}
              />
              <View className="gd-actions">
                <Button className="gd-request-rate-btn" type="primary" disabled={busy} onClick={() => void rate()}>
                  提交评价
                </Button>
              </View>
            </View>
          ) : null}
          <View className="gd-actions">
            <Button className="gd-request-all" onClick={() => void Taro.redirectTo({ url: '/packages/guidance/requests' })}>
              查看我的全部申请
            </Button>
          </View>
        </>
      ) : null}
    </>
  );
}

/** 健身指导申请: a new request (no id), or one request's status, instructor and rating. */
export default function GuidanceRequestPage() {
  const id = param(Taro.getCurrentInstance().router?.params?.id);
  return <Screen className="guidance-request-page">{id ? <RequestDetail id={id} /> : <RequestForm />}</Screen>;
}
