import { useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Image, Text, Textarea, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import {
  REVIEW_PHOTOS_MAX,
  REVIEW_TAGS,
  REVIEW_TARGET_KINDS,
  REVIEW_TARGET_LABELS_ZH,
  REVIEW_TEXT_MAX,
  type ReviewTargetKind,
} from '@citysport/shared';
import { reviewApi } from '../../api/reviews';
import { IS_H5 } from '../../api/config';
import Screen from '../../components/Screen';
import FormField from '../../components/FormField';
import { ensureLoggedIn } from '../../stores/session';
import { notify } from '../../stores/elder';
import { param } from '../../utils/params';
import './index.scss';

const STAR_WORDS = ['', '很差', '较差', '一般', '满意', '非常满意'];

/**
 * The review form (消费评价): reached from 我的预订 / 我的订单 with what is reviewed (`targetKind`,
 * `targetId`, `name`) and the consumption that allows it (`sourceKind`, `sourceId`).
 */
export default function ReviewFormPage() {
  const { params } = useRouter();
  const kindParam = param(params.targetKind);
  const kind: ReviewTargetKind = (REVIEW_TARGET_KINDS as readonly string[]).includes(kindParam) ? (kindParam as ReviewTargetKind) : 'venue';
  const targetId = param(params.targetId);
  const sourceKind = param(params.sourceKind);
  const sourceId = param(params.sourceId);
  const name = param(params.name);
  const [stars, setStars] = useState(0);
  const [tags, setTags] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [photos, setPhotos] = useState<{ path: string; id: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<'published' | 'pending_moderation' | 'rejected' | null>(null);

  const toggle = (t: string) => setTags((cur) => (cur.includes(t) ? cur.filter((x) => x !== t) : cur.length < 6 ? [...cur, t] : cur));

  const addPhoto = async () => {
    try {
      const picked = await Taro.chooseImage({ count: REVIEW_PHOTOS_MAX - photos.length, sizeType: ['compressed'] });
      for (const path of picked.tempFilePaths) {
        const id = await reviewApi.uploadPhoto(path);
        setPhotos((cur) => [...cur, { path, id }]);
      }
    } catch {
      notify('照片未能上传，请重试');
    }
  };

  const submit = async () => {
    if (busy) return;
    if (!stars) {
      setError('请先选择星级');
      return;
    }
    if (
      !(await ensureLoggedIn(
        `/packages/review/index?${Object.entries(params)
          .map(([k, v]) => `${k}=${v}`)
          .join('&')}`,
      ))
    )
      return;
    setError(null);
    setBusy(true);
    try {
      const { review } = await reviewApi.create({
        target: { kind, id: targetId },
        sourceRef: { kind: sourceKind, id: sourceId },
        stars,
        tags,
        ...(text.trim() ? { text: text.trim() } : {}),
        ...(photos.length ? { photoIds: photos.map((p) => p.id) } : {}),
      });
      setDone(review.status);
    } catch {
      /* the client showed the Chinese message (已评价过, 消费后才能评价) */
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <Screen className="review-form-page">
        <View className="review-done cs-card">
          <Text className="review-done__mark">{done === 'published' ? '✓' : '…'}</Text>
          <Text className="review-done__title review-done-title">{done === 'published' ? '评价已发布' : '评价已提交，审核通过后展示'}</Text>
          <Text className="review-done__hint">
            {done === 'published'
              ? '感谢您的评价，它会帮助其他市民选择。'
              : '为保护大家的交流环境，部分内容需人工审核，通常一个工作日内完成。'}
          </Text>
          <Button className="review-done__back" type="primary" onClick={() => void Taro.navigateBack().catch(() => undefined)}>
            返回
          </Button>
        </View>
      </Screen>
    );
  }

  return (
    <Screen className="review-form-page">
      <View className="review-target cs-card">
        <Text className="review-target__kind">{REVIEW_TARGET_LABELS_ZH[kind]}</Text>
        <Text className="review-target__name">{name || '本次消费'}</Text>
      </View>

      <View className="review-form cs-card">
        <FormField label="总体评分" required error={error} errorClassName="review-stars-error" className="review-field--plain">
          <View className="review-pick">
            <View className="review-pick__row" role="radiogroup">
              {[1, 2, 3, 4, 5].map((n) => (
                <View
                  key={n}
                  className={`review-pick__star review-star-${n}${n <= stars ? ' review-pick__star--on' : ''}`}
                  role="radio"
                  aria-checked={n === stars}
                  aria-label={`${n}星`}
                  onClick={() => setStars(n)}
                >
                  ★
                </View>
              ))}
            </View>
            <Text className="review-pick__word">{stars ? `${stars}星 · ${STAR_WORDS[stars]}` : '点击星星评分'}</Text>
          </View>
        </FormField>

        <FormField label="印象标签" hint="可多选，最多 6 个" className="review-field--plain">
          <View className="review-chips">
            {REVIEW_TAGS[kind].map((t) => (
              <View
                key={t}
                className={`review-chip${tags.includes(t) ? ' review-chip--on' : ''}${t === '投诉' ? ' review-chip--complaint' : ''}`}
                role="checkbox"
                aria-checked={tags.includes(t)}
                onClick={() => toggle(t)}
              >
                {t}
              </View>
            ))}
          </View>
        </FormField>

        <FormField label="评价内容" hint={`选填，${REVIEW_TEXT_MAX} 字以内；内容经安全检测后展示`} className="review-field--area">
          <Textarea
            className="review-text"
            value={text}
            maxlength={REVIEW_TEXT_MAX}
            placeholder="说说场地、设施和服务的感受吧"
            onInput={(e) => setText(e.detail.value)}
          />
          <Text className="review-text__count">
            {text.length}/{REVIEW_TEXT_MAX}
          </Text>
        </FormField>

        <FormField label="照片" hint={`选填，最多 ${REVIEW_PHOTOS_MAX} 张；带照片的评价经人工审核后展示`} className="review-field--plain">
          <View className="review-photos">
            {photos.map((p) => (
              <View key={p.id} className="review-photos__item">
                <Image className="review-photos__img" src={p.path} mode="aspectFill" />
                <View
                  className="review-photos__remove"
                  role="button"
                  aria-label="删除照片"
                  onClick={() => setPhotos((cur) => cur.filter((x) => x.id !== p.id))}
                >
                  删除
                </View>
              </View>
            ))}
            {photos.length < REVIEW_PHOTOS_MAX && !IS_H5 ? (
              <View className="review-photos__add" role="button" onClick={() => void addPhoto()}>
                + 添加照片
              </View>
            ) : null}
            {IS_H5 && !photos.length ? <Text className="review-photos__h5">请在微信小程序中添加照片</Text> : null}
          </View>
        </FormField>
      </View>

      <View className="bottom-bar">
        <Button className="bottom-bar__main review-submit" type="primary" size="large" block loading={busy} onClick={() => void submit()}>
          提交评价
        </Button>
      </View>
    </Screen>
  );
}
