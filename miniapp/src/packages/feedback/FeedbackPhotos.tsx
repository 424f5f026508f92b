import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import { feedbackApi } from '../../api/feedback';

/**
 * The photos of a feedback as thumbnails (detail page and 反馈处理); a tap opens them full
 * screen with Taro.previewImage, swiping through all of them. Each is fetched with the
 * signed-in user's token (only the sender and the staff who may answer it can open them);
 * one that fails to load says so in its place. 关怀模式 makes them larger (feedback.scss).
 */
export default function FeedbackPhotos({ feedbackId, photoIds }: { feedbackId: string; photoIds: string[] }) {
  const [files, setFiles] = useState<Record<string, string | null>>({});
  const key = photoIds.join(',');

  useEffect(() => {
    let live = true;
    setFiles({});
    for (const p of key ? key.split(',') : [])
      feedbackApi
        .photoFile(feedbackId, p)
        .then((f) => live && setFiles((cur) => ({ ...cur, [p]: f })))
        .catch(() => live && setFiles((cur) => ({ ...cur, [p]: null })));
    return () => {
      live = false;
    };
  }, [feedbackId, key]);

  if (!photoIds.length) return null;
  const shown = photoIds.map((p) => files[p]).filter((f): f is string => !!f);
  const open = (file: string) => void Taro.previewImage({ urls: shown, current: file });

  return (
    <View className="feedback-photos">
      <Text className="feedback-card__meta">附图 {photoIds.length} 张（点击查看大图）</Text>
      <View className="feedback-photos__row">
        {photoIds.map((p, i) => {
          const f = files[p];
          return (
            <View
              key={p}
              className={`feedback-photo${f ? ' feedback-photo--ready' : ''}`}
              data-photo-id={p}
              aria-label={`查看第${i + 1}张附图`}
              onClick={(e) => {
                e.stopPropagation();
                if (f) open(f);
              }}
            >
              {f ? (
                <Image className="feedback-photo__img" src={f} mode="aspectFill" />
              ) : (
                <Text className="feedback-photo__hint">{f === null ? '加载失败' : '加载中…'}</Text>
              )}
            </View>
          );
        })}
      </View>
    </View>
  );
}
