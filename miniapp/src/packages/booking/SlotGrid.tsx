import { useEffect, useMemo, useState } from 'react';
import Taro from '@tarojs/taro';
import { ScrollView, Text, View } from '@tarojs/components';
import { formatPrice, type Resource, type Slot } from '@citysport/shared';
import { IS_H5 } from '../../api/config';
import { useElderMode } from '../../stores/elder';
import { slotState } from '../../utils/booking';
import { dayTitle, hhmm } from '../../utils/time';

/** widths of a grid cell in design px (750 wide), normal and 关怀模式 */
const CELL_W = 124;
const CELL_W_ELDER = 160;

interface GridRow {
  resourceId: string;
  name: string;
  cells: Map<string, Slot>;
}

/** courts × start times, rows in the venue's resource order */
function buildGrid(courtSlots: Slot[], resources: Resource[]) {
  const columns = Array.from(new Set(courtSlots.map((s) => hhmm(s.startAt)))).sort();
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
  ];
  return (
    <View className="slots-legend">
      {items.map(([key, label]) => (
        <View key={key} className="slots-legend__item">
          <View className={`slots-legend__dot slots-legend__dot--${key}`} />
          {label}
        </View>
      ))}
      <Text className="slots-legend__day">{dayTitle(date)}</Text>
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
}

/** The court grid: one row per court, one cell per start time; each cell says its state in words. */
export default function SlotGrid({ courtSlots, resources, selectedIds, onTap, scrollKey }: SlotGridProps) {
  const elder = useElderMode();
  const [gridId] = useState(() => `slot-grid-${Math.random().toString(36).slice(2, 8)}`);
  const grid = useMemo(() => buildGrid(courtSlots, resources), [courtSlots, resources]);

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
                return (
                  <View
                    key={c}
                    className={`slot-cell slot-cell--${st.key}${sel ? ' slot-cell--selected' : ''}`}
                    data-slot-id={s.id}
                    data-status={s.status}
                    onClick={() => onTap(s)}
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
  );
}
