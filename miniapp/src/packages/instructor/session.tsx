import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { GUIDANCE_GEOFENCE_DEFAULT_M } from '@citysport/shared';
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
import SessionCode from './SessionCode';
import '../../styles/guidance.scss';

type CheckState = { kind: 'idle' } | { kind: 'locating' } | { kind: 'ok'; distanceM: number } | { kind: 'bad'; text: string };

/** The instructor at the place: check in by location, show the rotating session code or scan citizens' tickets, then the log. */
export default function InstructorSessionPage() {
  const params = Taro.getCurrentInstance().router?.params ?? {};
  const id = param(params.id);
  const detail = useLoad(() => guidanceApi.session(id), [id], { login: `/packages/instructor/session?id=${id}`, refreshOnShow: true });
  const [check, setCheck] = useState<CheckState>({ kind: 'idle' });
  const [code, setCode] = useState('');
  const s = detail.data?.session;

  const checkIn = async () => {
    setCheck({ kind: 'locating' });
    const fix = await currentFix(params);
    if (!fix) {
      setCheck({ kind: 'bad', text: '无法获取位置：请在系统设置中允许微信使用定位，并到活动地点后重试' });
      return;
    }
    try {
      const r = await guidanceApi.checkIn(id, fix);
      setCheck({ kind: 'ok', distanceM: r.distanceM });
      await detail.reload(true);
    } catch (e) {
      const d = isApiError(e) ? (e.details as { distanceM?: number } | undefined) : undefined;
      setCheck({ kind: 'bad', text: `${errorMessageZh(e)}${d?.distanceM !== undefined ? `（距活动地点约${d.distanceM}米）` : ''}` });
    }
  };
  const scan = async () => {
    let value = code.trim();
    if (!IS_H5 && !value)
      value = (await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] }).catch(() => ({ result: '' }))).result;
    if (!value) return;
    try {
      await guidanceApi.attendance(id, value);
      notify('签到成功', 2000);
      setCode('');
    } catch {
      /* toast shown */
    }
  };
  return (
    <Screen className="instructor-session-page">
      <LoadView load={detail.load} name="ins-session" errorText="活动加载失败" onRetry={() => void detail.reload()} />
      {s ? (
        <>
          <View className="gd-section">
            <Text className="gd-section__title">{s.title}</Text>
            <Text className="gd-card__line">
              {dayTitle(dayOf(s.startAt))} {timeRange(s.startAt, s.endAt)}
            </Text>
            <Text className="gd-card__line">
              {s.place.name} · {s.place.address}
            </Text>
          </View>
          <View className="gd-section ins-checkin">
            <Text className="gd-section__title">1. 到场签到</Text>
            <Text className="gd-card__line">
              请在活动开始前30分钟至开始后15分钟内，到达活动地点{s.geofenceM ?? GUIDANCE_GEOFENCE_DEFAULT_M}
              米范围内签到。签到需要获取您的位置。
            </Text>
            {s.checkedInAt ? (
              <Text className="gd-result ins-checkin-ok">
                已签到 {timeRange(s.checkedInAt, s.checkedInAt).slice(0, 5)}
                {check.kind === 'ok' ? `（距活动地点${check.distanceM}米）` : ''}
              </Text>
            ) : null}
            {check.kind === 'bad' ? <Text className="gd-result--bad ins-checkin-bad">{check.text}</Text> : null}
            {!s.checkedInAt && s.status === 'published' ? (
              <View className="gd-actions">
                <Button className="ins-checkin-btn" type="primary" loading={check.kind === 'locating'} onClick={() => void checkIn()}>
                  {check.kind === 'locating' ? '正在定位…' : '获取位置并签到'}
                </Button>
              </View>
            ) : null}
          </View>
          <View className="gd-section ins-attendance">
            <Text className="gd-section__title">2. 市民签到</Text>
            {!s.checkedInAt ? <Text className="gd-card__line">到场签到后，可出示签到码或扫描市民的票券码。</Text> : null}
            {s.checkedInAt && s.status !== 'not_delivered' && s.status !== 'cancelled' ? (
              <>
                <Text className="gd-card__line">方式一：出示签到码，市民扫码签到</Text>
                <SessionCode sessionId={id} />
              </>
            ) : null}
            <Text className="gd-card__line">{s.checkedInAt ? '方式二：扫描市民的票券二维码' : ''}</Text>
            {IS_H5 && s.checkedInAt ? (
              <Input className="gd-input" placeholder="输入参与者的票券码" value={code} onInput={(e) => setCode(e.detail.value)} />
            ) : null}
            <View className="gd-actions">
              <Button disabled={!s.checkedInAt} onClick={() => void scan()}>
                {IS_H5 ? '核验票券' : '扫描票券码'}
              </Button>
            </View>
          </View>
          <View className="gd-section">
            <Text className="gd-section__title">3. 填写指导日志</Text>
            {s.status === 'delivered' ? (
              <Text className="gd-result">日志已提交，本次指导已完成</Text>
            ) : (
              <>
                <Text className="gd-card__line">活动结束后填写指导内容、时长并上传现场照片，提交后本次指导记为已完成。</Text>
                <View className="gd-actions">
                  <Button
                    className="ins-log-open"
                    type="primary"
                    disabled={!s.checkedInAt || s.status !== 'published'}
                    onClick={() => void Taro.navigateTo({ url: `/packages/instructor/log?id=${id}` })}
                  >
                    填写日志
                  </Button>
                </View>
              </>
            )}
          </View>
        </>
      ) : null}
    </Screen>
  );
}
