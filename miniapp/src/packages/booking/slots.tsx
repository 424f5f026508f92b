import { useCallback, useEffect, useMemo, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { formatShanghai, type Resource, type Slot, type Sport } from '@citysport/shared';
import { api } from '../../api/endpoints';
import Screen from '../../components/Screen';
import DateStrip from '../../components/DateStrip';
import Tabs from '../../components/Tabs';
import LoadView from '../../components/LoadView';
import { useCountdown } from '../../components/Countdown';
import { PageError, useLoad } from '../../hooks/useLoad';
import { MAX_PLACES, UNBOOKABLE_HINT, isSessionResource, slotState, sportLabel, toggleSlot, venueSports } from '../../utils/booking';
import { daysFrom, hms, monthDayZh, todayShanghai } from '../../utils/time';
import { param } from '../../utils/params';
import SlotGrid, { PERIODS, SlotLegend, periodOf, type Period } from './SlotGrid';
import { ensureLoggedIn, isLoggedIn } from '../../stores/session';
import { errorMessageZh } from '../../api/errors';
import { askSubscribe, useSubscribeTemplates } from '../../utils/subscribe';
import WaitlistSheet, { WAITLIST_TEMPLATES } from './WaitlistSheet';
import SessionList from './SessionList';
import SlotsBar from './SlotsBar';
import './slots.scss';
import { notify } from '../../stores/elder';

export default function SlotsPage() {
  const { params } = useRouter();
  const venueId = param(params.venueId);
  const [date, setDate] = useState<string>(() => param(params.date) || todayShanghai());
  const [sport, setSport] = useState<Sport | ''>(() => param(params.sport) as Sport | '');
  const [selected, setSelected] = useState<Slot[]>([]);
  const [quantity, setQuantity] = useState(1);
  const [waitFor, setWaitFor] = useState<Slot | null>(null);
  const [reminded, setReminded] = useState<string | null>(null);
  useSubscribeTemplates([...WAITLIST_TEMPLATES, 'release_reminder']);

  const venueLoad = useLoad(async () => {
    if (!venueId) throw new PageError('缺少场馆编号');
    return (await api.venue(venueId, { toast: false })).venue;
  }, [venueId]);
  const venue = venueLoad.data;
  const sports = useMemo(() => (venue ? venueSports(venue) : []), [venue]);
  const days = useMemo(() => (venue ? daysFrom(todayShanghai(), venue.rules.advanceDays + 1) : []), [venue]);

  // a date or sport from the URL that the venue does not offer falls back to the first one
  useEffect(() => {
    if (!venue) return;
    if (days.length && !days.includes(date)) setDate(days[0]);
    if (sports.length && (!sport || !sports.includes(sport))) setSport(sports[0]);
  }, [venue, days, sports, date, sport]);

  const ready = !!venue && days.includes(date) && (!sports.length || (!!sport && sports.includes(sport)));
  const slotLoad = useLoad(
    async () => {
      const { items } = await api.slots(venueId, { date, sport: sport || undefined }, { toast: false });
      // keep what is still bookable of the selection (after a refresh)
      setSelected((sel) => sel.map((s) => items.find((x) => x.id === s.id)).filter((s): s is Slot => !!s && s.status === 'open'));
      return items;
    },
    [venueId, date, sport],
    // back from the confirm page (sold out, cancelled …): refresh quietly
    { enabled: ready, refreshOnShow: true },
  );
  const reloadSlots = slotLoad.reload;
  // the citizen's standing against each limit and their own slots, before they choose (issue 10)
  const standingLoad = useLoad(
    async () => (isLoggedIn() ? (await api.standing(venueId, { date, sport: sport || undefined }, { toast: false })).standing : null),
    [venueId, date, sport],
    { enabled: ready, refreshOnShow: true, keepOnQuietError: true },
  );
  const standing = standingLoad.data ?? null;
  const mine = useMemo(() => new Set(standing?.mySlotIds ?? []), [standing]);
  const fullRule = standing?.limits.find((l) => l.used >= l.max) ?? null;

  useEffect(() => {
    setSelected([]);
    setQuantity(1);
    setPeriod(null);
  }, [date, sport]);

  const slots = useMemo(() => slotLoad.data ?? [], [slotLoad.data]);
  const resourceById = useMemo(() => new Map<string, Resource>((venue?.resources ?? []).map((r) => [r.id, r])), [venue]);
  const isSession = useCallback((s: Slot) => isSessionResource(resourceById.get(s.resourceId), s), [resourceById]);
  const sessionSlots = useMemo(
    () => slots.filter((s) => isSession(s)).sort((a, b) => a.startAt.localeCompare(b.startAt)),
    [slots, isSession],
  );
  const courtSlots = useMemo(() => slots.filter((s) => !isSession(s)), [slots, isSession]);
  // the part of the day shown: the one with the next free hour, until the citizen picks another
  const [period, setPeriod] = useState<Period | null>(null);
  const firstFree = courtSlots.filter((s) => s.status === 'open').sort((a, b) => a.startAt.localeCompare(b.startAt))[0];
  const shownPeriod: Period = period ?? (firstFree ? periodOf(firstFree.startAt) : 'morning');
  const periods = PERIODS.filter((p) => courtSlots.some((s) => periodOf(s.startAt) === p.key));

  // countdown to the release of the day's slots; at zero the slots are fetched again
  const releaseAt = useMemo(() => {
    const pending = slots.filter((s) => s.status === 'not_released').map((s) => s.releaseAt);
    return pending.length ? pending.sort()[0] : null;
  }, [slots]);
  const releaseLeft = useCountdown(releaseAt, () => void reloadSlots(true));

  const tap = (slot: Slot) => {
    const st = slotState(slot);
    if (mine.has(slot.id)) {
      notify('这是你已预订的时段，可在“我的预订”查看');
      return;
    }
    if (st.key === 'sold_out') {
      setWaitFor(slot); // 候补
      return;
    }
    if (st.key !== 'open' && st.key !== 'few') {
      notify(UNBOOKABLE_HINT[st.key]);
      return;
    }
    if (isSession(slot)) {
      setSelected((cur) => (cur.length === 1 && cur[0].id === slot.id ? [] : [slot]));
      setQuantity(1);
      return;
    }
    const res = toggleSlot(selected, slot);
    if (res.message) notify(res.message);
    setSelected(res.next);
    setQuantity(1);
  };

  const selectedIds = new Set(selected.map((s) => s.id));
  const sessionPick = selected.length === 1 && isSession(selected[0]) ? selected[0] : null;
  const maxPlaces = sessionPick ? Math.max(1, Math.min(sessionPick.remaining, MAX_PLACES)) : 1;
  const places = sessionPick ? Math.min(quantity, maxPlaces) : 1;
  const totalFen = selected.reduce((sum, s) => sum + s.priceFen, 0) * places;

  // 放号提醒: a subscribe message at the release minute of this day; one set earlier (for this
  // sport or for all of them) is read back, so the button still says so after a reload
  const remindKey = `${venueId}|${sport}|${date}`;
  const remindersLoad = useLoad(
    async () => (isLoggedIn() && releaseAt ? (await api.releaseReminders(venueId, date, { toast: false })).items : []),
    [venueId, date, !!releaseAt],
    { enabled: ready, refreshOnShow: true, keepOnQuietError: true },
  );
  const remindedBefore = (remindersLoad.data ?? []).some((r) => r.sport === null || r.sport === (sport || null));
  const isReminded = reminded === remindKey || remindedBefore;
  const remind = async () => {
    if (!(await ensureLoggedIn())) return;
    await askSubscribe(['release_reminder']);
    try {
      await api.releaseReminder({ venueId, sport: sport || undefined, date }, { toast: false });
      setReminded(remindKey);
      notify('已设置放号提醒，开放预订时会通知你', 2500);
    } catch (e) {
      notify(errorMessageZh(e), 2500);
    }
  };

  const confirm = () => {
    if (!selected.length || !venue) return;
    const q = [
      `venueId=${encodeURIComponent(venue.id)}`,
      `date=${date}`,
      `slotIds=${selected.map((s) => s.id).join(',')}`,
      `quantity=${places}`,
    ];
    void Taro.navigateTo({ url: `/packages/booking/confirm?${q.join('&')}` });
  };

  if (!venue) {
    return (
      <Screen className="slots-page">
        <LoadView load={venueLoad.load} name="slots" errorText="场馆信息加载失败" onRetry={() => void venueLoad.reload()} />
      </Screen>
    );
  }

  return (
    <Screen className="slots-page with-bottom-bar">
      <View className="slots-head cs-card">
        <Text className="slots-head__venue slots-venue-name">{venue.name}</Text>
        <DateStrip className="slots-dates" days={days} value={date} onChange={setDate} />
        {sports.length > 1 ? (
          <Tabs
            items={sports.map((s) => ({ key: s, label: sportLabel(s) }))}
            value={sport || sports[0]}
            onChange={setSport}
            className="slots-sports"
            itemClass="slots-sport sport-tab"
            currentSuffix="active"
          />
        ) : null}
      </View>

      {releaseAt && releaseLeft > 0 ? (
        <View className="slots-countdown">
          <Text className="slots-countdown__text">
            {formatShanghai(releaseAt, 'MM月DD日 HH:mm')} 开放预订，还剩 <Text className="slots-countdown__time">{hms(releaseLeft)}</Text>
          </Text>
          <Text className="slots-countdown__hint">{monthDayZh(date)}的场地尚未放号，到点后自动刷新</Text>
          <Button
            className="slots-remind"
            size="small"
            type={isReminded ? 'default' : 'primary'}
            disabled={isReminded}
            onClick={() => void remind()}
          >
            {isReminded ? '已设置放号提醒' : '放号提醒'}
          </Button>
        </View>
      ) : null}

      {standing ? (
        <View className="slots-standing cs-card">
          {standing.limits.map((l) => (
            <Text
              key={l.rule}
              className={`slots-standing__item slots-standing-${l.rule}${l.used >= l.max ? ' slots-standing__item--full' : ''}`}
            >
              {l.label} {l.used}/{l.max}
            </Text>
          ))}
          {fullRule ? (
            <Text className="slots-standing__hint">
              已达“{fullRule.label.replace('已约', '')}最多{fullRule.max}个”的上限，
              {fullRule.rule === 'day' ? '可换一天预订' : '请取消已有预订或下周再约'}
            </Text>
          ) : null}
        </View>
      ) : null}
      {periods.length > 1 ? (
        <Tabs
          items={periods.map((p) => ({ key: p.key, label: p.label }))}
          value={shownPeriod}
          onChange={(k) => setPeriod(k as Period)}
          className="slots-periods"
          itemClass="slots-sport slots-period"
          currentSuffix="active"
        />
      ) : null}
      <SlotLegend date={date} />
      <LoadView
        load={slotLoad.load}
        name="slots"
        count={2}
        errorText="时段加载失败"
        emptyText="当天暂无可预订时段"
        emptyHint="换个日期或项目看看"
        onRetry={() => void reloadSlots()}
      />
      <SlotGrid
        courtSlots={courtSlots}
        resources={venue.resources}
        selectedIds={selectedIds}
        onTap={tap}
        scrollKey={`${date}|${sport}|${shownPeriod}`}
        mine={mine}
        period={periods.length > 1 ? shownPeriod : undefined}
      />
      <SessionList slots={sessionSlots} selectedIds={selectedIds} onTap={tap} />
      {waitFor ? (
        <WaitlistSheet
          slot={waitFor}
          courtName={venue.resources.find((r) => r.id === waitFor.resourceId)?.name ?? ''}
          holdMinutes={venue.rules.holdMinutes}
          onClose={() => setWaitFor(null)}
        />
      ) : null}
      <SlotsBar
        selected={selected}
        session={!!sessionPick}
        places={places}
        maxPlaces={maxPlaces}
        onPlaces={setQuantity}
        totalFen={totalFen}
        onConfirm={confirm}
      />
    </Screen>
  );
}
