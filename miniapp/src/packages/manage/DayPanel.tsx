import { useMemo, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { BOOKING_STATUS_LABELS_ZH, type VenueDetail } from '@citysport/shared';
import { api } from '../../api/endpoints';
import DateStrip from '../../components/DateStrip';
import LoadView from '../../components/LoadView';
import StatusTag from '../../components/StatusTag';
import { BOOKING_TONE } from '../../components/StatusTag/tones';
import { isForbidden, useLoad } from '../../hooks/useLoad';
import { addDays, dayTitle, daysFrom, timeRange, todayShanghai } from '../../utils/time';
import { CloseDaySheet, CloseSlotSheet } from './CloseSheets';
import { Forbidden } from './shared';
import { notify } from '../../stores/elder';

const LIVE = ['held', 'confirmed'];

export default function DayPanel({ venue }: { venue: VenueDetail }) {
  // yesterday too: the desk looks back at no-shows
  const days = useMemo(() => daysFrom(addDays(todayShanghai(), -1), venue.rules.advanceDays + 2), [venue.rules.advanceDays]);
  const [date, setDate] = useState(() => todayShanghai());
  const [slotSheet, setSlotSheet] = useState(false);
  const [daySheet, setDaySheet] = useState(false);
  const { load, data, reload } = useLoad(async () => {
    const { items } = await api.manage.dayBookings(venue.id, date, { toast: false });
    return [...items].sort((a, b) => a.startAt.localeCompare(b.startAt) || a.resourceName.localeCompare(b.resourceName));
  }, [venue.id, date]);

  const done = (closedSlots: number, cancelledBookings: number) => {
    setSlotSheet(false);
    setDaySheet(false);
    notify(`已关闭${closedSlots}个时段，取消${cancelledBookings}笔预订`, 2500);
    void reload(true);
  };

  const items = data ?? [];
  const live = items.filter((b) => LIVE.includes(b.status));
  const places = live.reduce((n, b) => n + b.quantity, 0);

  return (
    <View className="manage-day">
      <View className="cs-card manage-day__dates">
        <DateStrip className="manage-dates" days={days} value={date} onChange={setDate} />
      </View>

      <View className="manage-actions">
        <Button className="manage-close-slot" type="primary" fill="outline" onClick={() => setSlotSheet(true)}>
          关闭时段
        </Button>
        <Button className="manage-close-day" type="danger" fill="outline" onClick={() => setDaySheet(true)}>
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

      {isForbidden(load) ? (
        <Forbidden />
      ) : (
        <LoadView load={load} name="manage-day" count={2} errorText="预订加载失败" emptyText="当天暂无预订" onRetry={() => void reload()} />
      )}

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
              <StatusTag
                text={BOOKING_STATUS_LABELS_ZH[b.status]}
                tone={BOOKING_TONE[b.status]}
                className={`booking-status booking-status--${b.status} manage-booking__status`}
              />
            </View>
          ))}
        </View>
      ) : null}

      <CloseSlotSheet open={slotSheet} venue={venue} date={date} onClose={() => setSlotSheet(false)} onDone={done} />
      <CloseDaySheet open={daySheet} venue={venue} date={date} onClose={() => setDaySheet(false)} onDone={done} />
    </View>
  );
}
