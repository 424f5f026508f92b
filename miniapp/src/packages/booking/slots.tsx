import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { ScrollView, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { formatPrice, formatShanghai, type Resource, type Slot, type Sport, type VenueDetail } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh } from '../../api/errors';
import { IS_H5 } from '../../api/config';
import Screen from '../../components/Screen';
import DateStrip from '../../components/DateStrip';
import { EmptyState, ErrorState, SkeletonList } from '../../components/StateView';
import { useElderMode } from '../../stores/elder';
import { MAX_PLACES, UNBOOKABLE_HINT, isSessionResource, slotState, sportLabel, toggleSlot } from '../../utils/booking';
import { daysFrom, dayTitle, hhmm, hms, monthDayZh, timeRange, todayShanghai, useNow } from '../../utils/time';
import { param } from '../../utils/params';
import './slots.scss';

type VenueLoad = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; venue: VenueDetail };
type SlotLoad = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; items: Slot[] };

/** widths of a grid cell in design px (750 wide), normal and 关怀模式 */
const CELL_W = 124;
const CELL_W_ELDER = 160;

function sportsOf(venue: VenueDetail): Sport[] {
  const out: Sport[] = [...venue.sports];
  for (const r of venue.resources) if (!out.includes(r.sport)) out.push(r.sport);
  return out;
}

interface GridRow {
  resourceId: string;
  name: string;
  cells: Map<string, Slot>;
}

export default function SlotsPage() {
  const { params } = useRouter();
  const venueId = param(params.venueId);
  const elder = useElderMode();

  const [venueLoad, setVenueLoad] = useState<VenueLoad>({ state: 'loading' });
  const [slotLoad, setSlotLoad] = useState<SlotLoad>({ state: 'loading' });
  const [date, setDate] = useState<string>(() => param(params.date) || todayShanghai());
  const [sport, setSport] = useState<Sport | ''>(() => param(params.sport) as Sport | '');
  const [selected, setSelected] = useState<Slot[]>([]);
  const [quantity, setQuantity] = useState(1);
  const seq = useRef(0);
  const shown = useRef(false);
  const [gridId] = useState(() => `slot-grid-${Math.random().toString(36).slice(2, 8)}`);

  const fetchVenue = useCallback(async () => {
    if (!venueId) {
      setVenueLoad({ state: 'error', message: '缺少场馆编号' });
      return;
    }
    try {
      const { venue } = await api.venue(venueId, { toast: false });
      setVenueLoad({ state: 'ready', venue });
    } catch (e) {
      setVenueLoad({ state: 'error', message: errorMessageZh(e) });
    }
  }, [venueId]);

  useEffect(() => {
    void fetchVenue();
  }, [fetchVenue]);

  const venue = venueLoad.state === 'ready' ? venueLoad.venue : null;
  const sports = useMemo(() => (venue ? sportsOf(venue) : []), [venue]);
  const days = useMemo(() => (venue ? daysFrom(todayShanghai(), venue.rules.advanceDays + 1) : []), [venue]);

  // a date or sport from the URL that the venue does not offer falls back to the first one
  useEffect(() => {
    if (!venue) return;
    if (days.length && !days.includes(date)) setDate(days[0]);
    if (sports.length && (!sport || !sports.includes(sport))) setSport(sports[0]);
  }, [venue, days, sports, date, sport]);

  const ready = !!venue && days.includes(date) && (!sports.length || (!!sport && sports.includes(sport)));

  const fetchSlots = useCallback(
    async (quiet = false) => {
      if (!venueId || !ready) return;
      const mine = ++seq.current;
      if (!quiet) setSlotLoad({ state: 'loading' });
      try {
        const res = await api.slots(venueId, { date, sport: sport || undefined }, { toast: false });
        if (mine !== seq.current) return;
        setSlotLoad({ state: 'ready', items: res.items });
        // keep what is still bookable of the selection (after a refresh)
        setSelected((sel) => sel.map((s) => res.items.find((x) => x.id === s.id)).filter((s): s is Slot => !!s && s.status === 'open'));
      } catch (e) {
        if (mine === seq.current) setSlotLoad({ state: 'error', message: errorMessageZh(e) });
      }
    },
    [venueId, ready, date, sport],
  );

  useEffect(() => {
    setSelected([]);
    setQuantity(1);
    void fetchSlots();
  }, [fetchSlots]);

  // back from the confirm page (sold out, cancelled …): refresh quietly
  useDidShow(() => {
    if (shown.current) void fetchSlots(true);
    shown.current = true;
  });

  const slots = slotLoad.state === 'ready' ? slotLoad.items : [];
  const resourceById = useMemo(() => new Map<string, Resource>((venue?.resources ?? []).map((r) => [r.id, r])), [venue]);
  const isSession = useCallback((s: Slot) => isSessionResource(resourceById.get(s.resourceId), s), [resourceById]);

  const sessionSlots = useMemo(
    () => slots.filter((s) => isSession(s)).sort((a, b) => a.startAt.localeCompare(b.startAt)),
    [slots, isSession],
  );

  const grid = useMemo(() => {
    const courtSlots = slots.filter((s) => !isSession(s));
    const columns = Array.from(new Set(courtSlots.map((s) => hhmm(s.startAt)))).sort();
    const rows = new Map<string, GridRow>();
    const order = (venue?.resources ?? []).map((r) => r.id);
    for (const s of courtSlots) {
      let row = rows.get(s.resourceId);
      if (!row) {
        row = { resourceId: s.resourceId, name: s.resourceName, cells: new Map() };
        rows.set(s.resourceId, row);
      }
      row.cells.set(hhmm(s.startAt), s);
    }
    const rank = (id: string) => {
      const i = order.indexOf(id);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    const sorted = [...rows.values()].sort((a, b) => rank(a.resourceId) - rank(b.resourceId) || a.name.localeCompare(b.name));
    return { columns, rows: sorted };
  }, [slots, venue, isSession]);

  // countdown to the release of the day's slots
  const releaseAt = useMemo(() => {
    const pending = slots.filter((s) => s.status === 'not_released').map((s) => s.releaseAt);
    return pending.length ? pending.sort()[0] : null;
  }, [slots]);
  const releaseMs = releaseAt ? Date.parse(releaseAt) : NaN;
  const now = useNow(!!releaseAt);
  const releaseLeft = releaseAt ? releaseMs - now : 0;
  const released = useRef<string | null>(null);
  useEffect(() => {
    if (releaseAt && releaseLeft <= 0 && released.current !== releaseAt) {
      released.current = releaseAt;
      void fetchSlots(true);
    }
  }, [releaseAt, releaseLeft, fetchSlots]);

  // start the grid at the first bookable hour
  const windowWidth = useMemo(() => Taro.getWindowInfo().windowWidth, []);
  const cellPx = ((elder ? CELL_W_ELDER : CELL_W) * windowWidth) / 750;
  const firstOpenCol = grid.columns.findIndex((c) => grid.rows.some((r) => r.cells.get(c)?.status === 'open'));
  const scrollLeft = firstOpenCol > 1 ? Math.round((firstOpenCol - 1) * cellPx) : 0;
  // h5: Taro's React wrapper writes every prop onto the element on each update, so a `scrollLeft`
  // prop would throw the grid back after every tap; scroll the element once per target instead
  useEffect(() => {
    if (!IS_H5 || typeof document === 'undefined') return;
    const el = document.getElementById(gridId);
    if (el) el.scrollLeft = scrollLeft;
  }, [scrollLeft, date, sport, grid.columns.length]);
  const scrollProps = IS_H5 ? {} : { scrollLeft };

  const tap = (slot: Slot) => {
    const st = slotState(slot);
    if (st.key !== 'open' && st.key !== 'few') {
      void Taro.showToast({ title: UNBOOKABLE_HINT[st.key], icon: 'none' });
      return;
    }
    if (isSession(slot)) {
      setSelected((cur) => (cur.length === 1 && cur[0].id === slot.id ? [] : [slot]));
      setQuantity(1);
      return;
    }
    const res = toggleSlot(selected, slot);
    if (res.message) void Taro.showToast({ title: res.message, icon: 'none' });
    setSelected(res.next);
    setQuantity(1);
  };

  const selectedIds = new Set(selected.map((s) => s.id));
  const sessionPick = selected.length === 1 && isSession(selected[0]) ? selected[0] : null;
  const maxPlaces = sessionPick ? Math.max(1, Math.min(sessionPick.remaining, MAX_PLACES)) : 1;
  const places = sessionPick ? Math.min(quantity, maxPlaces) : 1;
  const totalFen = selected.reduce((sum, s) => sum + s.priceFen, 0) * places;

  const confirm = () => {
    if (!selected.length || !venue) return;
    const q = [
      `venueId=${encodeURIComponent(venue.id)}`,
      `date=${date}`,
      `slotIds=${selected.map((s) => s.id).join(',')}`,
      `quantity=${places}`,
    ].join('&');
    void Taro.navigateTo({ url: `/packages/booking/confirm?${q}` });
  };

  const retryAll = () => {
    if (venueLoad.state === 'error') {
      setVenueLoad({ state: 'loading' });
      void fetchVenue();
    } else void fetchSlots();
  };

  if (venueLoad.state === 'loading') {
    return (
      <Screen className="slots-page">
        <SkeletonList className="slots-loading" count={3} />
      </Screen>
    );
  }
  if (venueLoad.state === 'error') {
    return (
      <Screen className="slots-page">
        <ErrorState className="slots-error" text="场馆信息加载失败" hint={venueLoad.message} onRetry={retryAll} />
      </Screen>
    );
  }

  return (
    <Screen className="slots-page with-bottom-bar">
      <View className="slots-head cs-card">
        <Text className="slots-head__venue slots-venue-name">{venue?.name}</Text>
        <DateStrip
          className="slots-dates"
          days={days}
          value={date}
          onChange={(d) => {
            if (d !== date) setDate(d);
          }}
        />
        {sports.length > 1 ? (
          <View className="slots-sports">
            {sports.map((s) => (
              <View
                key={s}
                className={`slots-sport sport-tab sport-tab--${s}${s === sport ? ' slots-sport--active sport-tab--active' : ''}`}
                onClick={() => {
                  if (s !== sport) setSport(s);
                }}
              >
                {sportLabel(s)}
              </View>
            ))}
          </View>
        ) : null}
      </View>

      {releaseAt && releaseLeft > 0 ? (
        <View className="slots-countdown">
          <Text className="slots-countdown__text">
            {formatShanghai(releaseAt, 'MM月DD日 HH:mm')} 开放预订，还剩 <Text className="slots-countdown__time">{hms(releaseLeft)}</Text>
          </Text>
          <Text className="slots-countdown__hint">{monthDayZh(date)}的场地尚未放号，到点后自动刷新</Text>
        </View>
      ) : null}

      <View className="slots-legend">
        <View className="slots-legend__item">
          <View className="slots-legend__dot slots-legend__dot--open" />
          可订
        </View>
        <View className="slots-legend__item">
          <View className="slots-legend__dot slots-legend__dot--selected" />
          已选
        </View>
        <View className="slots-legend__item">
          <View className="slots-legend__dot slots-legend__dot--few" />
          紧张
        </View>
        <View className="slots-legend__item">
          <View className="slots-legend__dot slots-legend__dot--off" />
          不可订
        </View>
        <Text className="slots-legend__day">{dayTitle(date)}</Text>
      </View>

      {slotLoad.state === 'loading' ? <SkeletonList className="slots-loading" count={2} /> : null}
      {slotLoad.state === 'error' ? (
        <ErrorState className="slots-error" text="时段加载失败" hint={slotLoad.message} onRetry={() => void fetchSlots()} />
      ) : null}
      {slotLoad.state === 'ready' && slots.length === 0 ? (
        <EmptyState className="slots-empty" text="当天暂无可预订时段" hint="换个日期或项目看看" />
      ) : null}

      {grid.rows.length ? (
        <View className="slot-grid cs-card">
          <View className="slot-grid__names">
            <View className="slot-grid__corner">场地</View>
            {grid.rows.map((r) => (
              <View key={r.resourceId} className="slot-grid__name" data-resource-id={r.resourceId}>
                {r.name}
              </View>
            ))}
          </View>
          <ScrollView id={gridId} className="slot-grid__scroll" scrollX enhanced showScrollbar={false} {...scrollProps}>
            <View className="slot-grid__table">
              <View className="slot-grid__row slot-grid__row--head">
                {grid.columns.map((c) => (
                  <View key={c} className="slot-grid__time">
                    {c}
                  </View>
                ))}
              </View>
              {grid.rows.map((r) => (
                <View key={r.resourceId} className="slot-grid__row" data-resource-id={r.resourceId}>
                  {grid.columns.map((c) => {
                    const s = r.cells.get(c);
                    if (!s) return <View key={c} className="slot-cell slot-cell--none" />;
                    const st = slotState(s);
                    const sel = selectedIds.has(s.id);
                    return (
                      <View
                        key={c}
                        className={`slot-cell slot-cell--${st.key}${sel ? ' slot-cell--selected' : ''}`}
                        data-slot-id={s.id}
                        data-status={s.status}
                        onClick={() => tap(s)}
                      >
                        <Text className="slot-cell__price">{formatPrice(s.priceFen)}</Text>
                        <Text className="slot-cell__state">{sel ? '已选' : st.label}</Text>
                      </View>
                    );
                  })}
                </View>
              ))}
            </View>
          </ScrollView>
        </View>
      ) : null}

      {sessionSlots.length ? (
        <View className="session-list">
          {sessionSlots.map((s) => {
            const st = slotState(s);
            const sel = selectedIds.has(s.id);
            return (
              <View
                key={s.id}
                className={`session-item cs-card session-item--${st.key}${sel ? ' session-item--selected' : ''}`}
                data-slot-id={s.id}
                data-status={s.status}
                onClick={() => tap(s)}
              >
                <View className="session-item__main">
                  <Text className="session-item__time">{timeRange(s.startAt, s.endAt)}</Text>
                  <Text className="session-item__name">{s.resourceName}</Text>
                </View>
                <View className="session-item__side">
                  <Text className="session-item__price">
                    {formatPrice(s.priceFen)}
                    {s.priceFen ? <Text className="session-item__unit">/人</Text> : null}
                  </Text>
                  <Text className={`session-item__state session-item__state--${st.key}`}>
                    {st.key === 'open' ? `余${s.remaining}/${s.capacity}` : st.label}
                  </Text>
                </View>
              </View>
            );
          })}
        </View>
      ) : null}

      <View className="bottom-bar slots-bar">
        <View className="slots-bar__info">
          {selected.length ? (
            <>
              <Text className="slots-bar__what slots-selection">
                {selected[0].resourceName} · {timeRange(selected[0].startAt, selected[selected.length - 1].endAt)}
              </Text>
              <View className="slots-bar__line">
                {sessionPick ? (
                  <View className="stepper slots-quantity">
                    <View
                      className={`stepper__btn stepper__minus${places <= 1 ? ' stepper__btn--off' : ''}`}
                      onClick={() => setQuantity(Math.max(1, places - 1))}
                    >
                      −
                    </View>
                    <Text className="stepper__value">{places}人</Text>
                    <View
                      className={`stepper__btn stepper__plus${places >= maxPlaces ? ' stepper__btn--off' : ''}`}
                      onClick={() => {
                        if (places >= maxPlaces) {
                          void Taro.showToast({ title: `最多可预订${maxPlaces}个名额`, icon: 'none' });
                          return;
                        }
                        setQuantity(places + 1);
                      }}
                    >
                      +
                    </View>
                  </View>
                ) : (
                  <Text className="slots-bar__count">共{selected.length}个时段</Text>
                )}
                <Text className={`slots-bar__total slots-total${totalFen === 0 ? ' slots-bar__total--free' : ''}`}>
                  {formatPrice(totalFen)}
                </Text>
              </View>
            </>
          ) : (
            <Text className="slots-bar__hint">请选择场地和时段</Text>
          )}
        </View>
        <Button className="slots-bar__button slots-confirm" type="primary" disabled={!selected.length} onClick={confirm}>
          确认预订
        </Button>
      </View>
    </Screen>
  );
}
