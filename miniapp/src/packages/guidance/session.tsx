import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, Textarea, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { DIFFICULTY_LABELS_ZH, GUIDANCE_SPORT_LABELS_ZH, INSTRUCTOR_LEVEL_LABELS_ZH, SESSION_SHORT_CODE_RE } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { errorMessageZh, isApiError } from '../../api/errors';
import { IS_H5 } from '../../api/config';
import { param } from '../../utils/params';
import { dayOf, dayTitle, timeRange } from '../../utils/time';
import { notify } from '../../stores/elder';
import { guidanceApi } from '../../api/guidance';
import { currentFix } from '../../utils/location';
import '../../styles/guidance.scss';

const newKey = () => `gd-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** Session detail: place, time, what to bring, the instructor; sign up (a ticket), cancel, rate. */
export default function GuidanceSessionPage() {
  const params = Taro.getCurrentInstance().router?.params ?? {};
  const id = param(params.id);
  const [typed, setTyped] = useState('');
  const [checkError, setCheckError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [stars, setStars] = useState(5);
  const [comment, setComment] = useState('');
  const detail = useLoad(() => guidanceApi.session(id), [id], { refreshOnShow: true });
  const d = detail.data;
  const act = async (work: () => Promise<unknown>, done: string) => {
    if (busy) return;
    setBusy(true);
    try {
      await work();
      notify(done, 2500);
      await detail.reload(true);
    } catch {
      /* the client showed the Chinese message */
    } finally {
      setBusy(false);
    }
  };
  const s = d?.session;
  const status = d?.mySignup?.status;

  /** the session's rotating code, scanned (weapp) or typed (h5, or no camera), from where the citizen stands */
  const checkIn = async () => {
    if (busy) return;
    setCheckError(null);
    let code = typed.replace(/\s+/g, '');
    if (!IS_H5 && !code)
      code = (await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] }).catch(() => ({ result: '' }))).result.trim();
    if (!code) return;
    if (!SESSION_SHORT_CODE_RE.test(code) && !code.startsWith('CS1.')) {
      setCheckError('请扫描指导员出示的签到码，或输入8位数字签到码');
      return;
    }
    setBusy(true);
    try {
      const fix = await currentFix(params);
      if (!fix) {
        setCheckError('无法获取位置：请允许微信使用定位，到活动地点后重试');
        return;
      }
      await guidanceApi.checkInByCode(id, { code, ...fix });
      setTyped('');
      notify('签到成功，祝您锻炼愉快', 2500);
      await detail.reload(true);
    } catch (e) {
      const far = isApiError(e) ? (e.details as { distanceM?: number } | undefined)?.distanceM : undefined;
      setCheckError(`${errorMessageZh(e)}${far !== undefined ? `（距活动地点约${far}米）` : ''}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Screen className="guidance-session-page">
      <LoadView load={detail.load} name="gd-session" errorText="活动加载失败" onRetry={() => void detail.reload()} />
      {s ? (
        <>
          <View className="gd-section">
            <Text className="gd-section__title">{s.title}</Text>
            <View className="gd-kv">
              <Text>项目</Text>
              <Text>
                {GUIDANCE_SPORT_LABELS_ZH[s.sport]} · {DIFFICULTY_LABELS_ZH[s.difficulty]}
              </Text>
            </View>
            <View className="gd-kv">
              <Text>时间</Text>
              <Text>
                {dayTitle(dayOf(s.startAt))} {timeRange(s.startAt, s.endAt)}
              </Text>
            </View>
            <View className="gd-kv">
              <Text>地点</Text>
              <Text>{s.place.name}</Text>
            </View>
            <View className="gd-kv">
              <Text>地址</Text>
              <Text>
                {s.district} {s.place.address}
              </Text>
            </View>
            <View
              className="gd-kv gd-to-instructor"
              role="link"
              onClick={() => void Taro.navigateTo({ url: `/packages/guidance/instructor?id=${s.instructor.id}` })}
            >
              <Text>指导员</Text>
              <Text className="gd-link">
                {s.instructor.name}（{INSTRUCTOR_LEVEL_LABELS_ZH[s.instructor.level]}）›
              </Text>
            </View>
            <View className="gd-kv">
              <Text>名额</Text>
              <Text>
                余{s.remaining}/{s.capacity}
              </Text>
            </View>
            {s.bring ? (
              <View className="gd-kv">
                <Text>请携带</Text>
                <Text>{s.bring}</Text>
              </View>
            ) : null}
          </View>
          <View className="gd-actions">
            {!status || status === 'cancelled' || status === 'failed' ? (
              <Button
                className="gd-signup"
                type="primary"
                disabled={busy || s.remaining <= 0 || s.status !== 'published'}
                onClick={() => void act(() => guidanceApi.signUp(id, newKey()), '报名成功，入场凭证在“我的票券”')}
              >
                {s.remaining <= 0 ? '名额已满' : '免费报名'}
              </Button>
            ) : null}
            {status === 'confirmed' ? (
              <>
                <Text className="gd-result">已报名。到场后扫描指导员出示的签到码，或出示票券二维码由指导员扫码</Text>
                <View className="gd-section gd-checkin">
                  <Text className="gd-section__title">扫码签到</Text>
                  {IS_H5 ? (
                    <Input
                      className="gd-input gd-checkin-code"
                      type="number"
                      maxlength={8}
                      placeholder="输入指导员屏幕上的8位数字签到码"
                      value={typed}
                      onInput={(e) => setTyped(e.detail.value)}
                    />
                  ) : null}
                  {checkError ? <Text className="gd-result--bad gd-checkin-bad">{checkError}</Text> : null}
                  <Button className="gd-checkin-btn" type="primary" disabled={busy} onClick={() => void checkIn()}>
                    {IS_H5 ? '签到' : '扫描签到码'}
                  </Button>
                </View>
                <Button className="gd-ticket" type="primary" onClick={() => void Taro.navigateTo({ url: '/packages/ticket/index' })}>
                  查看票券
                </Button>
                <Button className="gd-cancel" disabled={busy} onClick={() => void act(() => guidanceApi.cancel(id), '已取消报名')}>
                  取消报名（开始前2小时）
                </Button>
              </>
            ) : null}
            {status === 'attended' ? <Text className="gd-result gd-checkin-ok">已签到</Text> : null}
            {status === 'attended' ? (
              <View className="gd-section">
                <Text className="gd-section__title">评价本次指导</Text>
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
                  placeholder="说说您的感受（选填，200字以内）"
                  onInput={(e) => setComment(e.detail.value)}
                />
                <Button
                  type="primary"
                  disabled={busy}
                  onClick={() => void act(() => guidanceApi.rate(id, { stars, comment: comment.trim() || undefined }), '感谢您的评价')}
                >
                  提交评价
                </Button>
              </View>
            ) : null}
          </View>
          {d?.log ? (
            <View className="gd-section">
              <Text className="gd-section__title">指导日志</Text>
              <Text className="gd-card__line">{d.log.content}</Text>
              <Text className="gd-card__line">时长 {d.log.durationMinutes} 分钟</Text>
            </View>
          ) : null}
        </>
      ) : null}
    </Screen>
  );
}
