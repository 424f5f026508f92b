import { useCallback, useEffect, useMemo, useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { BOOKING_STATUS_LABELS_ZH, DayBookingsResponseSchema, type Slot, type VenueDetail } from '@citysport/shared';
import type { z } from 'zod';
import { api } from '../../api/endpoints';
import { errorMessageZh, isApiError } from '../../api/errors';
import DateStrip from '../../components/DateStrip';
import Sheet from '../../components/Sheet';
import { EmptyState, ErrorState, SkeletonList } from '../../components/StateView';
import { slotState } from '../../utils/booking';
import { addDays, dayTitle, daysFrom, timeRange, todayShanghai } from '../../utils/time';
import { Forbidden, reasonError } from './shared';

type ManagedBooking = z.infer<typeof DayBookingsResponseSchema>['items'][number];
type Load =
  { state: 'loading' } | { state: 'forbidden' } | { state: 'error'; message: string } | { state: 'ready'; items: ManagedBooking[] };
type SlotsLoad = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; items: Slot[] };

const LIVE = ['held', 'confirmed'];

export default function DayPanel({ venue }: { venue: VenueDetail }) {
  // yesterday too: the desk looks back at no-shows
  const days = useMemo(() => daysFrom(addDays(todayShanghai(), -1), venue.rules.advanceDays + 2), [venue.rules.advanceDays]);
  const [date, setDate] = useState(() => todayShanghai());
  const [load, setLoad] = useState<Load>({ state: 'loading' });

  const [slotSheet, setSlotSheet] = useState(false);
  const [slotsLoad, setSlotsLoad] = useState<SlotsLoad>({ state: 'loading' });
  const [slotId, setSlotId] = useState<string | null>(null);
  const [daySheet, setDaySheet] = useState(false);
  const [reason, setReason] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fetchDay = useCallback(
    async (quiet = false) => {
      if (!quiet) setLoad({ state: 'loading' });
      try {
        const { items } = await api.manage.dayBookings(venue.id, date, { toast: false });
        setLoad({
          state: 'ready',
          items: [...items].sort((a, b) => a.startAt.localeCompare(b.startAt) || a.resourceName.localeCompare(b.resourceName)),
        });
      } catch (e) {
        if (isApiError(e) && e.status === 403) setLoad({ state: 'forbidden' });
        else setLoad({ state: 'error', message: errorMessageZh(e) });
      }
    },
    [venue.id, date],
  );

  useEffect(() => {
    void fetchDay();
  }, [fetchDay]);

  const fetchSlots = useCallback(async () => {
    setSlotsLoad({ state: 'loading' });
    try {
      const { items } = await api.slots(venue.id, { date }, { toast: false });
      const order = venue.resources.map((r) => r.id);
      const closable = items
        .filter((s) => s.status !== 'past' && s.status !== 'closed')
        .sort((a, b) => order.indexOf(a.resourceId) - order.indexOf(b.resourceId) || a.startAt.localeCompare(b.startAt));
      setSlotsLoad({ state: 'ready', items: closable });
    } catch (e) {
      setSlotsLoad({ state: 'error', message: errorMessageZh(e) });
    }
  }, [venue.id, venue.resources, date]);

  const openSlotSheet = () => {
    setSlotId(null);
    setReason('');
    setFormError(null);
    setSlotSheet(true);
    void fetchSlots();
  };

  const openDaySheet = () => {
    setReason('');
    setFormError(null);
    setDaySheet(true);
  };

  const done = (closedSlots: number, cancelledBookings: number) => {
    setSlotSheet(false);
    setDaySheet(false);
    void Taro.showToast({ title: `已关闭${closedSlots}个时段，取消${cancelledBookings}笔预订`, icon: 'none', duration: 2500 });
    void fetchDay(true);
  };

  const submitSlot = async () => {
    if (busy) return;
    if (!slotId) {
      setFormError('请选择要关闭的时段');
      return;
    }
    const err = reasonError(reason);
    if (err) {
      setFormError(err);
      return;
    }
    setFormError(null);
    const r = await Taro.showModal({
      title: '关闭时段',
      content: '该时段的预订将被取消并退款，用户会收到通知',
      confirmText: '确认关闭',
      cancelText: '再想想',
      confirmColor: '#e5484d',
    });
    if (!r.confirm) return;
    setBusy(true);
    try {
      const res = await api.manage.closeSlot(slotId, reason.trim());
      done(res.closedSlots, res.cancelledBookings);
    } catch {
      /* toast shown by the client */
    } finally {
      setBusy(false);
    }
  };

  const submitDay = async () => {
    if (busy) return;
    const err = reasonError(reason);
    if (err) {
      setFormError(err);
      return;
    }
    setFormError(null);
    const r = await Taro.showModal({
      title: '关闭全天',
      content: `${dayTitle(date)}全天的时段将关闭，该日的预订将被取消并退款，用户会收到通知`,
      confirmText: '确认关闭',
      cancelText: '再想想',
      confirmColor: '#e5484d',
    });
    if (!r.confirm) return;
    setBusy(true);
    try {
      const res = await api.manage.closeDay(venue.id, date, reason.trim());
      done(res.closedSlots, res.cancelledBookings);
    } catch {
      /* toast shown by the client */
    } finally {
      setBusy(false);
    }
  };

  const items = load.state === 'ready' ? load.items : [];
  const live = items.filter((b) => LIVE.includes(b.status));
  const places = live.reduce((n, b) => n + b.quantity, 0);

  const reasonInput = (cls: string) => (
    <View className="manage-field">
      <Text className="manage-field__label">原因（用户会看到）</Text>
      <Input
        className={`manage-input ${cls}`}
        value={reason}
        maxlength={200}
        placeholder="如：场地维修、承办赛事"
        onInput={(e) => setReason(e.detail.value)}
      />
    </View>
  );

  return (
    <View className="manage-day">
      <View className="cs-card manage-day__dates">
        <DateStrip className="manage-dates" days={days} value={date} onChange={setDate} />
      </View>

      <View className="manage-actions">
        <Button className="manage-close-slot" type="primary" fill="outline" onClick={openSlotSheet}>
          关闭时段
        </Button>
        <Button className="manage-close-day" type="danger" fill="outline" onClick={openDaySheet}>
          关闭全天
        </Button>
      </View>

      {load.state === 'ready' ? (
        <View className="manage-day__summary manage-day-summary">
          <Text>{dayTitle(date)}</Text>
          <Text>
            有效预订 {live.length} 笔 · {places} 人次
          </Text>
        </View>
      ) : null}

      {load.state === 'loading' ? <SkeletonList className="manage-day-loading" count={2} /> : null}
      {load.state === 'forbidden' ? <Forbidden /> : null}
      {load.state === 'error' ? (
        <ErrorState className="manage-day-error" text="预订加载失败" hint={load.message} onRetry={() => void fetchDay()} />
      ) : null}
      {load.state === 'ready' && items.length === 0 ? <EmptyState className="manage-day-empty" text="当天暂无预订" /> : null}

      {items.length ? (
        <View className="cs-card manage-bookings">
          {items.map((b) => (
            <View key={b.id} className={`manage-booking manage-booking--${b.status}`} data-id={b.id} data-status={b.status}>
              <View className="manage-booking__time">
                <Text className="manage-booking__range">{timeRange(b.startAt, b.endAt)}</Text>
                <Text className="manage-booking__resource">{b.resourceName}</Text>
              </View>
              <View className="manage-booking__who">
                <Text className="manage-booking__holder">{b.holderName}</Text>
                <Text className="manage-booking__places">
                  {b.quantity}人{b.companions.length ? ` · 同行${b.companions.length}` : ''}
                </Text>
              </View>
              <Text className={`booking-status booking-status--${b.status} manage-booking__status`}>
                {BOOKING_STATUS_LABELS_ZH[b.status]}
              </Text>
            </View>
          ))}
        </View>
      ) : null}

      <Sheet
        open={slotSheet}
        title={`关闭时段 · ${dayTitle(date)}`}
        className="close-slot-sheet"
        onClose={() => setSlotSheet(false)}
        footer={
          <>
            {reasonInput('close-reason')}
            {formError ? <Text className="manage-form-error">{formError}</Text> : null}
            <Text className="manage-warning">该时段的预订将被取消并退款，用户会收到通知</Text>
            <Button className="close-slot-submit" type="danger" block loading={busy} onClick={() => void submitSlot()}>
              确认关闭
            </Button>
          </>
        }
      >
        {slotsLoad.state === 'loading' ? <Text className="cs-muted">正在加载当天时段…</Text> : null}
        {slotsLoad.state === 'error' ? (
          <View className="manage-inline-error">
            <Text>{slotsLoad.message}</Text>
            <Text className="manage-link" onClick={() => void fetchSlots()}>
              重试
            </Text>
          </View>
        ) : null}
        {slotsLoad.state === 'ready' && !slotsLoad.items.length ? (
          <Text className="cs-muted close-slot-none">当天没有可关闭的时段</Text>
        ) : null}
        {slotsLoad.state === 'ready' && slotsLoad.items.length ? (
          <View className="close-slot-list">
            {slotsLoad.items.map((s) => {
              const booked = s.capacity - s.remaining;
              return (
                <View
                  key={s.id}
                  className={`close-slot-option${s.id === slotId ? ' close-slot-option--active' : ''}`}
                  data-slot-id={s.id}
                  onClick={() => setSlotId(s.id)}
                >
                  <View className="close-slot-option__radio" />
                  <Text className="close-slot-option__name">{s.resourceName}</Text>
                  <Text className="close-slot-option__time">{timeRange(s.startAt, s.endAt)}</Text>
                  <Text className="close-slot-option__state">{booked > 0 ? `已订${booked}` : slotState(s).label}</Text>
                </View>
              );
            })}
          </View>
        ) : null}
      </Sheet>

      <Sheet
        open={daySheet}
        title={`关闭全天 · ${dayTitle(date)}`}
        className="close-day-sheet"
        onClose={() => setDaySheet(false)}
        footer={
          <>
            <Text className="manage-warning">当天所有时段将关闭，预订将被取消并退款，用户会收到通知</Text>
            <Button className="close-day-submit" type="danger" block loading={busy} onClick={() => void submitDay()}>
              确认关闭全天
            </Button>
          </>
        }
      >
        {reasonInput('close-day-reason')}
        {formError ? <Text className="manage-form-error">{formError}</Text> : null}
      </Sheet>
    </View>
  );
}
