import { useEffect, useMemo, useState } from 'react';
import Taro from '@tarojs/taro';
import { ScrollView, Text, View } from '@tarojs/components';
import { formatPrice, type Resource, type Slot } from '@citysport/shared';
import { IS_H5 } from '../../api/config';
import { useElderMode } from '../../stores/elder';
import { slotState } from '../../utils/booking';
import { dayTitle, daysFrom, hhmm, todayShanghai } from '../../utils/time';

/** widths of a grid cell in design px (750 wide), normal and 关怀模式 */
const CELL_W = 124;
const CELL_W_ELDER = 160;

interface GridRow {
  resourceId: string;
  name: string;
  cells: Map<string, Slot>;
}

/** 上午 / 下午 / 晚上 (issue 10): the grid shows one part of the day at a time */
export const PERIODS = [
  { key: 'morning', label: '上午', from: '00:00', to: '12:00' },
  { key: 'afternoon', label: '下午', from: '12:00', to: '18:00' },
  { key: 'evening', label: '晚上', from: '18:00', to: '24:00' },
] as const;
export type Period = (typeof PERIODS)[number]['key'];
export const periodOf = (iso: string): Period => {
  const t = hhmm(iso);
  return PERIODS.find((p) => t >= p.from && t < p.to)!.key;
};

/** '今天 12月2日 周三' / '明天 …' / '12月4日 周五' */
export function dayLabel(date: string): string {
  const today = todayShanghai();
  const prefix = date === today ? '今天 ' : date === daysFrom(today, 2)[1] ? '明天 ' : '';
  return `${prefix}${dayTitle(date)}`;
}

/** courts × start times, rows in the venue's resource order */
function buildGrid(courtSlots: Slot[], resources: Resource[], period?: Period) {
  const columns = Array.from(
    new Set(courtSlots.filter((s) => !period || periodOf(s.startAt) === period).map((s) => hhmm(s.startAt))),
  ).sort();
  const rows = new Map<string, GridRow>();
  const order = resources.map((r) => r.id);
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
}

/** What the colours of the grid mean, in words beside each dot. */
export function SlotLegend({ date }: { date: string }) {
  const items: [string, string][] = [
    ['open', '可订'],
    ['selected', '已选'],
    ['few', '紧张'],
    ['off', '不可订'],
    ['mine', '我的'],
  ];
  return (
    <View className="slots-legend">
      {items.map(([key, label]) => (
        <View key={key} className="slots-legend__item">
          <View className={`slots-legend__dot slots-legend__dot--${key}`} />
          {label}
        </View>
      ))}
      <Text className="slots-legend__day">{dayLabel(date)}</Text>
    </View>
  );
}

interface SlotGridProps {
  courtSlots: Slot[];
  resources: Resource[];
  selectedIds: Set<string>;
  onTap: (slot: Slot) => void;
  /** scroll back to the first bookable hour when these change */
  scrollKey: string;
  /** the citizen's own bookings: marked 我的, not 已满 */
  mine?: Set<string>;
  period?: Period;
}

/** The court grid: one row per court, one cell per start time; each cell says its state in words. */
export default function SlotGrid({ courtSlots, resources, selectedIds, onTap, scrollKey, mine, period }: SlotGridProps) {
  const elder = useElderMode();
  const [gridId] = useState(() => `slot-grid-${Math.random().toString(36).slice(2, 8)}`);
  const grid = useMemo(() => buildGrid(courtSlots, resources, period), [courtSlots, resources, period]);

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
  }, [scrollLeft, scrollKey, grid.columns.length, gridId]);
  const scrollProps = IS_H5 ? {} : { scrollLeft };

  if (!grid.rows.length) return null;
  return (
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
                const own = mine?.has(s.id) ?? false;
                return (
                  <View
                    key={c}
                    className={`slot-cell slot-cell--${own ? 'mine' : st.key}${sel ? ' slot-cell--selected' : ''}`}
                    data-slot-id={s.id}
                    data-status={s.status}
                    onClick={() => onTap(s)}
                  >
                    <Text className="slot-cell__price">{formatPrice(s.priceFen)}</Text>
                    <Text className="slot-cell__state">{sel ? '已选' : own ? '我的' : st.label}</Text>
                  </View>
                );
              })}
            </View>
          ))}
        </View>
      </ScrollView>
    </View>
  );
}
