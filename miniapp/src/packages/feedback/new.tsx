import { useEffect, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Text, Textarea, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import {
  FEEDBACK_CATEGORIES,
  FEEDBACK_CATEGORY_LABELS_ZH,
  FEEDBACK_PHOTOS_MAX,
  FEEDBACK_TEXT_MAX,
  FEEDBACK_TEXT_MIN,
  type Booking,
  type FeedbackCategory,
  type VenueSummary,
} from '@citysport/shared';
import { api } from '../../api/endpoints';
import { feedbackApi } from '../../api/feedback';
import { errorMessageZh } from '../../api/errors';
import Screen from '../../components/Screen';
import FormField from '../../components/FormField';
import Sheet from '../../components/Sheet';
import PhotoPicker, { type Photo } from '../../components/PhotoPicker';
import { ensureLoggedIn } from '../../stores/session';
import { notify } from '../../stores/elder';
import { param } from '../../utils/params';
import { dayOf, dayTitle, timeRange } from '../../utils/time';
import './feedback.scss';

const SELF = '/packages/feedback/new';

/**
 * 写反馈: to a venue (optionally about one of my bookings there) or to the bureau. Reached from 我的
 * (`venueId`, `venueName`, `bookingId` may preset it). Text 5–500 characters, up to 3 photos.
 */
export default function NewFeedbackPage() {
  const { params } = useRouter();
  const [to, setTo] = useState<'venue' | 'bureau'>(param(params.to) === 'bureau' ? 'bureau' : 'venue');
  const [venue, setVenue] = useState<{ id: string; name: string } | null>(
    param(params.venueId) ? { id: param(params.venueId), name: param(params.venueName) || '所选场馆' } : null,
  );
  const [bookingId, setBookingId] = useState(param(params.bookingId));
  const [category, setCategory] = useState<FeedbackCategory | null>(null);
  const [text, setText] = useState('');
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [uploading, setUploading] = useState(0);
  const [picking, setPicking] = useState(false);
  const [venues, setVenues] = useState<VenueSummary[] | null>(null);
  const [bookings, setBookings] = useState<Booking[]>([]);
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [busy, setBusy] = useState(false);
  // a field's message goes once the field is changed
  const fixed = (field: string) => setErrors((e) => (e[field] ? { ...e, [field]: null } : e));

  useEffect(() => {
    void ensureLoggedIn(SELF);
  }, []);
  // my recent bookings at the chosen venue: "about which visit" (optional)
  useEffect(() => {
    if (!venue) return setBookings([]);
    api
      .myBookings({ status: 'all', limit: 50 }, { toast: false })
      .then((p) => setBookings(p.items.filter((b) => b.venueId === venue.id).slice(0, 6)))
      .catch(() => setBookings([]));
  }, [venue]);

  const openPicker = () => {
    setPicking(true);
    if (!venues)
      api
        .venues({}, { toast: false })
        .then((r) => setVenues(r.items))
        .catch(() => setVenues([]));
  };

  const submit = async () => {
    if (busy) return;
    const t = text.trim();
    const e: Record<string, string | null> = {
      venue: to === 'venue' && !venue ? '请选择场馆' : null,
      category: category ? null : '请选择问题类型',
      text: t.length < FEEDBACK_TEXT_MIN ? `请至少写 ${FEEDBACK_TEXT_MIN} 个字，说明具体情况` : null,
    };
    setErrors(e);
    if (Object.values(e).some(Boolean)) return;
    if (uploading) return notify('照片上传中，请稍候');
    setBusy(true);
    try {
      const { feedback } = await feedbackApi.create({
        target: to === 'venue' ? { kind: 'venue', id: venue!.id } : { kind: 'bureau' },
        category: category!,
        text: t,
        ...(to === 'venue' && bookingId ? { bookingId } : {}),
        ...(photos.length ? { photoIds: photos.map((p) => p.id!).filter(Boolean) } : {}),
      });
      notify('反馈已提交');
      void Taro.redirectTo({ url: `/packages/feedback/detail?id=${encodeURIComponent(feedback.id)}` });
    } catch (err) {
      setErrors({ text: errorMessageZh(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen className="feedback-new-page with-bottom-bar">
      <View className="feedback-form cs-card">
        <FormField label="反馈对象" required error={errors.venue} errorClassName="feedback-venue-error" className="feedback-field--plain">
          <View className="feedback-choices">
            {(['venue', 'bureau'] as const).map((k) => (
              <View
                key={k}
                className={`feedback-chip feedback-to feedback-to--${k}${to === k ? ' feedback-chip--on' : ''}`}
                onClick={() => {
                  setTo(k);
                  fixed('venue');
                }}
              >
                {to === k ? '✓ ' : ''}
                {k === 'venue' ? '场馆' : '市体育局'}
              </View>
            ))}
          </View>
          {to === 'venue' ? (
            <View className="feedback-venue" role="button" onClick={openPicker}>
              <Text className={venue ? 'feedback-venue__name' : 'feedback-venue__placeholder'}>{venue ? venue.name : '选择场馆'}</Text>
              <Text className="feedback-venue__arrow">›</Text>
            </View>
          ) : (
            <Text className="feedback-hint">场馆布局、开放政策、消费券等建议，请反馈给体育局</Text>
          )}
        </FormField>

        {to === 'venue' && bookings.length ? (
          <FormField label="关于哪次预订" hint="选填" className="feedback-field--plain">
            <View className="feedback-choices">
              {bookings.map((b) => (
                <View
                  key={b.id}
                  className={`feedback-chip feedback-booking${bookingId === b.id ? ' feedback-chip--on' : ''}`}
                  onClick={() => setBookingId(bookingId === b.id ? '' : b.id)}
                >
                  {dayTitle(dayOf(b.startAt))} {timeRange(b.startAt, b.endAt)}
                </View>
              ))}
            </View>
          </FormField>
        ) : null}

        <FormField
          label="问题类型"
          required
          error={errors.category}
          errorClassName="feedback-category-error"
          className="feedback-field--plain"
        >
          <View className="feedback-choices">
            {FEEDBACK_CATEGORIES.map((c) => (
              <View
                key={c}
                className={`feedback-chip feedback-category feedback-category--${c}${category === c ? ' feedback-chip--on' : ''}`}
                onClick={() => {
                  setCategory(c);
                  fixed('category');
                }}
              >
                {FEEDBACK_CATEGORY_LABELS_ZH[c]}
              </View>
            ))}
          </View>
        </FormField>

        <FormField
          label="反馈内容"
          required
          error={errors.text}
          errorClassName="feedback-text-error"
          hint={`${FEEDBACK_TEXT_MIN}–${FEEDBACK_TEXT_MAX} 字；请写明时间、地点和具体情况`}
          className="feedback-field--area"
        >
          <Textarea
            className="feedback-text"
            value={text}
            maxlength={FEEDBACK_TEXT_MAX}
            placeholder="例如：3号场地灯光太暗，晚上打球看不清"
            onInput={(e) => {
              setText(e.detail.value);
              fixed('text');
            }}
          />
          <Text className="feedback-text__count">
            {text.trim().length}/{FEEDBACK_TEXT_MAX}
          </Text>
        </FormField>

        <PhotoPicker photos={photos} setPhotos={setPhotos} max={FEEDBACK_PHOTOS_MAX} label="照片（选填）" onUploading={setUploading} />
      </View>

      <View className="bottom-bar">
        <Button className="bottom-bar__main feedback-submit" type="primary" size="large" block loading={busy} onClick={() => void submit()}>
          提交反馈
        </Button>
      </View>

      <Sheet open={picking} title="选择场馆" onClose={() => setPicking(false)} className="feedback-venue-sheet">
        {venues === null ? <Text className="feedback-hint">加载中…</Text> : null}
        {(venues ?? []).map((v) => (
          <View
            key={v.id}
            className="feedback-venue-option"
            data-id={v.id}
            onClick={() => {
              setVenue({ id: v.id, name: v.name });
              fixed('venue');
              setBookingId('');
              setPicking(false);
            }}
          >
            <Text className="feedback-venue-option__name">{v.name}</Text>
            <Text className="feedback-venue-option__district">{v.district}</Text>
          </View>
        ))}
      </Sheet>
    </Screen>
  );
}
