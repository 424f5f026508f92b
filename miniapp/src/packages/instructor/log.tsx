import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, Textarea, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import Screen from '../../components/Screen';
import FormField from '../../components/FormField';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { errorMessageZh } from '../../api/errors';
import { param } from '../../utils/params';
import { dayOf, dayTitle, timeRange } from '../../utils/time';
import { notify } from '../../stores/elder';
import { guidanceApi } from '../../api/guidance';
import PhotoPicker, { type Photo } from '../../components/PhotoPicker';
import '../../styles/guidance.scss';

/** as many photos as a log takes (SessionLogSchema) */
const MAX_PHOTOS = 9;

/**
 * After the session: what was taught, how long, and photos of it (uploaded one by one to the
 * GridFS photo API as they are picked; thumbnails can be removed before submitting).
 */
export default function InstructorLogPage() {
  const id = param(Taro.getCurrentInstance().router?.params?.id);
  const detail = useLoad(() => guidanceApi.session(id), [id], { login: `/packages/instructor/log?id=${id}` });
  const [content, setContent] = useState('');
  const [minutes, setMinutes] = useState('60');
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [uploading, setUploading] = useState(0);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const s = detail.data?.session;

  const minutesNo = Number(minutes);
  const contentError = content.trim().length > 0 && content.trim().length < 10 ? '指导内容至少10个字' : null;
  const minutesError = minutes && (!Number.isInteger(minutesNo) || minutesNo < 10 || minutesNo > 480) ? '时长为10至480分钟' : null;
  const ready = content.trim().length >= 10 && !minutesError && uploading === 0;

  const submit = async () => {
    if (!ready || busy) return;
    setBusy(true);
    setSubmitError(null);
    try {
      await guidanceApi.log(id, {
        content: content.trim(),
        durationMinutes: minutesNo,
        photoIds: photos.flatMap((p) => (p.id ? [p.id] : [])),
      });
      notify('日志已提交，本次指导已完成', 2500);
      await detail.reload(true);
      Taro.navigateBack().catch(() => undefined);
    } catch (e) {
      setSubmitError(errorMessageZh(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen className="instructor-log-page">
      <LoadView load={detail.load} name="ins-log" errorText="活动加载失败" onRetry={() => void detail.reload()} />
      {s ? (
        <>
          <View className="gd-section">
            <Text className="gd-section__title">{s.title}</Text>
            <Text className="gd-card__line">
              {dayTitle(dayOf(s.startAt))} {timeRange(s.startAt, s.endAt)} · {s.place.name}
            </Text>
          </View>
          {s.status === 'delivered' ? (
            <Text className="gd-result ins-log-done">日志已提交，本次指导已完成</Text>
          ) : !s.checkedInAt ? (
            <Text className="gd-result--bad">请先在活动地点签到，再填写日志</Text>
          ) : (
            <View className="gd-section">
              <FormField label="指导内容" required error={contentError} hint="至少10字，例如教学内容、人数与现场情况">
                <Textarea
                  className="gd-field-textarea ins-log-content"
                  maxlength={2000}
                  placeholder="今天教了什么"
                  value={content}
                  onInput={(e) => setContent(e.detail.value)}
                />
              </FormField>
              <FormField label="时长（分钟）" required error={minutesError}>
                <Input
                  className="gd-field-input ins-log-minutes"
                  type="number"
                  value={minutes}
                  onInput={(e) => setMinutes(e.detail.value)}
                />
              </FormField>
              <PhotoPicker photos={photos} setPhotos={setPhotos} max={MAX_PHOTOS} label="现场照片" onUploading={setUploading} />
              {submitError ? <Text className="gd-result--bad ins-log-error">{submitError}</Text> : null}
              <View className="gd-actions">
                <Button className="ins-log-submit" type="primary" disabled={!ready || busy} loading={busy} onClick={() => void submit()}>
                  {uploading > 0 ? '照片上传中…' : '提交日志'}
                </Button>
              </View>
            </View>
          )}
        </>
      ) : null}
    </Screen>
  );
}
