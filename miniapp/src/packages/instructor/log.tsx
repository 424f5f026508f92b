import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Image, Input, Text, Textarea, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { GUIDANCE_PHOTO_MAX_BYTES, GUIDANCE_PHOTO_TYPES } from '@citysport/shared';
import Screen from '../../components/Screen';
import FormField from '../../components/FormField';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { errorMessageZh } from '../../api/errors';
import { IS_H5 } from '../../api/config';
import type { UploadSource } from '../../api/client';
import { param } from '../../utils/params';
import { dayOf, dayTitle, timeRange } from '../../utils/time';
import { notify } from '../../stores/elder';
import { guidanceApi } from '../guidance/api';
import '../guidance/guidance.scss';

/** as many photos as a log takes (SessionLogSchema) */
const MAX_PHOTOS = 9;
const MAX_MB = GUIDANCE_PHOTO_MAX_BYTES / 1024 / 1024;

interface Photo {
  /** the server's id once uploaded */
  id: string | null;
  /** what the thumbnail shows: the picked file, so no signed-in image request is needed */
  preview: string;
  name: string;
  error: string | null;
}

/** a picked file, whichever way it came */
interface Picked {
  source: UploadSource;
  preview: string;
  name: string;
  size: number;
  type?: string;
}

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
  const [pickError, setPickError] = useState<string | null>(null);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const s = detail.data?.session;
  const room = MAX_PHOTOS - photos.length;

  const add = async (files: Picked[]) => {
    setPickError(null);
    const take = files.slice(0, room);
    if (files.length > room) setPickError(`最多上传${MAX_PHOTOS}张照片`);
    for (const f of take) {
      if (f.size > GUIDANCE_PHOTO_MAX_BYTES) {
        setPickError(`“${f.name}”超过${MAX_MB}MB，请压缩后再上传`);
        continue;
      }
      if (f.type && !(GUIDANCE_PHOTO_TYPES as readonly string[]).includes(f.type)) {
        setPickError(`“${f.name}”不是 JPG、PNG 或 WebP 图片`);
        continue;
      }
      setUploading((n) => n + 1);
      try {
        const r = await guidanceApi.uploadPhoto(f.source);
        setPhotos((ps) => [...ps, { id: r.photo.id, preview: f.preview, name: f.name, error: null }]);
      } catch (e) {
        // the server decides the type by the bytes: its answer, in Chinese
        setPickError(`“${f.name}”上传失败：${errorMessageZh(e)}`);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };

  const choose = async () => {
    if (room <= 0) return;
    const r = await Taro.chooseImage({ count: room, sizeType: ['compressed'], sourceType: ['camera', 'album'] }).catch(() => null);
    if (!r) return;
    await add(
      r.tempFiles.map((f, i) => ({
        source: { filePath: f.path },
        preview: f.path,
        name: `第${photos.length + i + 1}张`,
        size: f.size,
      })),
    );
  };

  const onFiles = (list: FileList | null) => {
    if (!list) return;
    void add(
      Array.from(list).map((f) => ({
        source: { file: f, name: f.name },
        preview: URL.createObjectURL(f),
        name: f.name,
        size: f.size,
        type: f.type,
      })),
    );
  };

  const remove = (i: number) => setPhotos((ps) => ps.filter((_, j) => j !== i));

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
              <FormField
                className="gd-field--plain"
                label={`现场照片（${photos.length}/${MAX_PHOTOS}）`}
                hint={`JPG、PNG 或 WebP，每张不超过${MAX_MB}MB`}
                error={pickError}
                errorClassName="ins-photo-error"
              >
                <View className="ins-photos">
                  {photos.map((p, i) => (
                    <View key={`${p.id}-${i}`} className="ins-photo" data-photo-id={p.id ?? ''}>
                      <Image className="ins-photo__img" src={p.preview} mode="aspectFill" />
                      <Text className="ins-photo__remove" onClick={() => remove(i)} aria-label={`删除${p.name}`}>
                        删除
                      </Text>
                    </View>
                  ))}
                  {uploading > 0 ? (
                    <View className="ins-photo ins-photo--busy">
                      <Text>上传中…</Text>
                    </View>
                  ) : null}
                  {room > 0 ? (
                    IS_H5 ? (
                      <View className="ins-photo ins-photo--add">
                        <Text>＋ 添加照片</Text>
                        <input
                          className="ins-photo__file"
                          type="file"
                          accept={GUIDANCE_PHOTO_TYPES.join(',')}
                          multiple
                          onChange={(e) => {
                            onFiles(e.currentTarget.files);
                            e.currentTarget.value = '';
                          }}
                        />
                      </View>
                    ) : (
                      <View className="ins-photo ins-photo--add" onClick={() => void choose()}>
                        <Text>＋ 添加照片</Text>
                      </View>
                    )
                  ) : null}
                </View>
              </FormField>
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
