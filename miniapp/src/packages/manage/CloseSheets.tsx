import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import type { VenueDetail } from '@citysport/shared';
import { api } from '../../api/endpoints';
import Sheet from '../../components/Sheet';
import { useLoad } from '../../hooks/useLoad';
import { slotState } from '../../utils/booking';
import { dayTitle, timeRange } from '../../utils/time';
import { reasonError } from './shared';

interface CloseSheetProps {
  open: boolean;
  venue: VenueDetail;
  date: string;
  onClose: () => void;
  /** closed: how many slots and bookings */
  onDone: (closedSlots: number, cancelledBookings: number) => void;
}

/** The reason (shown to the users whose bookings are cancelled), checked with the endpoint's schema. */
function useReason(open: boolean) {
  const [reason, setReason] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!open) return;
    setReason('');
    setFormError(null);
  }, [open]);
  const input = (cls: string) => (
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
  const error = formError ? <Text className="manage-form-error">{formError}</Text> : null;
  /** asks before a close that cancels and refunds bookings; runs `close` with the trimmed reason */
  const submit = async (title: string, content: string, close: (reason: string) => Promise<void>, precheck?: string | null) => {
    if (busy) return;
    const err = precheck ?? reasonError(reason);
    setFormError(err);
    if (err) return;
    const r = await Taro.showModal({ title, content, confirmText: '确认关闭', cancelText: '再想想', confirmColor: '#e5484d' });
    if (!r.confirm) return;
    setBusy(true);
    try {
      await close(reason.trim());
    } catch {
      /* toast shown by the client */
    } finally {
      setBusy(false);
    }
  };
  return { input, error, busy, submit };
}

/** 关闭时段: pick one slot of the day that is not past or closed, give a reason. */
export function CloseSlotSheet({ open, venue, date, onClose, onDone }: CloseSheetProps) {
  const [slotId, setSlotId] = useState<string | null>(null);
  const form = useReason(open);
  const slots = useLoad(
    async () => {
      const { items } = await api.slots(venue.id, { date }, { toast: false });
      const order = venue.resources.map((r) => r.id);
      return items
        .filter((s) => s.status !== 'past' && s.status !== 'closed')
        .sort((a, b) => order.indexOf(a.resourceId) - order.indexOf(b.resourceId) || a.startAt.localeCompare(b.startAt));
    },
    [venue.id, venue.resources, date, open],
    { enabled: open },
  );
  useEffect(() => {
    if (open) setSlotId(null);
  }, [open]);

  const submit = () =>
    form.submit(
      '关闭时段',
      '该时段的预订将被取消并退款，用户会收到通知',
      async (reason) => {
        const res = await api.manage.closeSlot(slotId ?? '', reason);
        onDone(res.closedSlots, res.cancelledBookings);
      },
      slotId ? undefined : '请选择要关闭的时段',
    );

  return (
    <Sheet
      open={open}
      title={`关闭时段 · ${dayTitle(date)}`}
      className="close-slot-sheet"
      onClose={onClose}
      footer={
        <>
          {form.input('close-reason')}
          {form.error}
          <Text className="manage-warning">该时段的预订将被取消并退款，用户会收到通知</Text>
          <Button className="close-slot-submit" type="danger" block loading={form.busy} onClick={() => void submit()}>
            确认关闭
          </Button>
        </>
      }
    >
      {slots.load.state === 'loading' ? <Text className="cs-muted">正在加载当天时段…</Text> : null}
      {slots.load.state === 'error' ? (
        <View className="manage-inline-error">
          <Text>{slots.load.message}</Text>
          <Text className="manage-link" onClick={() => void slots.reload()}>
            重试
          </Text>
        </View>
      ) : null}
      {slots.load.state === 'empty' ? <Text className="cs-muted close-slot-none">当天没有可关闭的时段</Text> : null}
      {slots.load.state === 'ready' ? (
        <View className="close-slot-list">
          {slots.load.data.map((s) => {
            const booked = s.capacity - s.remaining;
            const on = s.id === slotId;
            return (
              <View
                key={s.id}
                className={`close-slot-option${on ? ' close-slot-option--active' : ''}`}
                data-slot-id={s.id}
                aria-checked={on}
                onClick={() => setSlotId(s.id)}
              >
                <View className="close-slot-option__radio" />
                <Text className="close-slot-option__name">{s.resourceName}</Text>
                <Text className="close-slot-option__time">{timeRange(s.startAt, s.endAt)}</Text>
                <Text className="close-slot-option__state">{on ? '已选' : booked > 0 ? `已订${booked}` : slotState(s).label}</Text>
              </View>
            );
          })}
        </View>
      ) : null}
    </Sheet>
  );
}

/** 关闭全天: every slot of the day, with a reason. */
export function CloseDaySheet({ open, venue, date, onClose, onDone }: CloseSheetProps) {
  const form = useReason(open);
  const submit = () =>
    form.submit('关闭全天', `${dayTitle(date)}全天的时段将关闭，该日的预订将被取消并退款，用户会收到通知`, async (reason) => {
      const res = await api.manage.closeDay(venue.id, date, reason);
      onDone(res.closedSlots, res.cancelledBookings);
    });
  return (
    <Sheet
      open={open}
      title={`关闭全天 · ${dayTitle(date)}`}
      className="close-day-sheet"
      onClose={onClose}
      footer={
        <>
          <Text className="manage-warning">当天所有时段将关闭，预订将被取消并退款，用户会收到通知</Text>
          <Button className="close-day-submit" type="danger" block loading={form.busy} onClick={() => void submit()}>
            确认关闭全天
          </Button>
        </>
      }
    >
      {form.input('close-day-reason')}
      {form.error}
    </Sheet>
  );
}
