import { useState } from 'react';
import { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { fenToYuan } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import Tabs from '../../components/Tabs';
import { isForbidden, useLoad } from '../../hooks/useLoad';
import { param } from '../../utils/params';
import { dashboardApi, type Range } from './api';
import { Bars, HeatGrid } from './charts';
import './index.scss';

const SELF = '/packages/dashboard/index';
type Section = 'heat' | 'consumption' | 'dispatch';
const SECTIONS: { key: Section; label: string }[] = [
  { key: 'heat', label: '场馆利用' },
  { key: 'consumption', label: '消费与补贴' },
  { key: 'dispatch', label: '调度报表' },
];
type Preset = '30' | '90' | '365';
const PRESETS: { key: Preset; label: string }[] = [
  { key: '30', label: '近30天' },
  { key: '90', label: '近90天' },
  { key: '365', label: '近一年' },
];

/** a Shanghai calendar day, n days before today (China has no DST: a fixed +8 h) */
function dayBefore(n: number): string {
  return new Date(Date.now() + 8 * 3_600_000 - n * 86_400_000).toISOString().slice(0, 10);
}
function lastMonth(): string {
  const d = new Date(Date.now() + 8 * 3_600_000);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}
const yuan = (fen: number) => `¥${fenToYuan(fen)}`;
const change = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : ''}${v}%`);

export default function DashboardPage() {
  const { params } = useRouter();
  const [section, setSection] = useState<Section>(() =>
    ['heat', 'consumption', 'dispatch'].includes(param(params.tab)) ? (param(params.tab) as Section) : 'heat',
  );
  const [preset, setPreset] = useState<Preset>('90');
  const [district, setDistrict] = useState<string>('');
  const range: Range = { from: dayBefore(Number(preset) - 1), to: dayBefore(0), ...(district ? { district } : {}) };

  const districts = useLoad(
    async () => (await dashboardApi.consumption({ from: dayBefore(364), to: dayBefore(0), groupBy: 'district' })).items.map((r) => r.key),
    [],
    {
      login: SELF,
      isEmpty: () => false,
    },
  );

  return (
    <Screen className="dash-page">
      <View className="dash-head cs-card">
        <Text className="dash-head__title">体育大数据看板</Text>
        <Tabs items={SECTIONS} value={section} onChange={setSection} className="dash-tabs" itemClass="dash-tab" />
        {section !== 'dispatch' ? (
          <>
            <Tabs items={PRESETS} value={preset} onChange={setPreset} className="dash-chips" itemClass="dash-chip" currentSuffix="active" />
            <Tabs
              items={[{ key: '', label: '全市' }, ...(districts.data ?? []).map((d) => ({ key: d, label: d }))]}
              value={district}
              onChange={setDistrict}
              className="dash-chips"
              itemClass="dash-chip"
              currentSuffix="active"
            />
          </>
        ) : null}
      </View>
      {isForbidden(districts.load) ? (
        <View className="dash-card cs-card dash-forbidden">
          <Text>仅体育局管理员可查看数据看板</Text>
        </View>
      ) : section === 'heat' ? (
        <HeatSection range={range} />
      ) : section === 'consumption' ? (
        <ConsumptionSection range={range} />
      ) : (
        <DispatchSection />
      )}
    </Screen>
  );
}

function HeatSection({ range }: { range: Range }) {
  const heat = useLoad(() => dashboardApi.utilisation(range), [range.from, range.to, range.district], { isEmpty: (d) => d.max === 0 });
  // the opening plan of the coming week (slots are published ahead)
  const ps = useLoad(
    () => dashboardApi.publicService({ from: dayBefore(0), to: dayBefore(-6), district: range.district }),
    [range.district],
  );
  return (
    <>
      <View className="dash-card cs-card">
        <Text className="dash-card__title">利用率热力图（周几 × 时段，预订人次）</Text>
        <LoadView
          load={heat.load}
          name="dash-heat"
          errorText="热力图加载失败"
          emptyText="所选时间内没有预订"
          onRetry={() => void heat.reload()}
        />
        {heat.data && heat.data.max > 0 ? (
          <>
            <HeatGrid grid={heat.data.total} max={heat.data.max} />
            <Text className="dash-card__note">
              {heat.data.from} 至 {heat.data.to} · 共 {heat.data.venues.length} 个场馆
            </Text>
          </>
        ) : null}
      </View>
      <View className="dash-card cs-card">
        <Text className="dash-card__title">免费/低收费开放（未来7天，标准 ≥35 小时/周、≥330 天/年）</Text>
        <LoadView load={ps.load} name="dash-ps" errorText="开放情况加载失败" emptyText="暂无场馆" onRetry={() => void ps.reload()} />
        {(ps.data?.items ?? []).map((v) => (
          <View key={v.venueId} className="dash-ps">
            <View className="dash-ps__main">
              <Text className="dash-ps__name">{v.name}</Text>
              <Text className="dash-ps__sub">
                {v.district} · {v.lowFeeHoursPerWeek} 小时/周 · 折合 {v.daysPerYear} 天/年
              </Text>
            </View>
            <Text className={`dash-tag ${v.meetsWeekly && v.meetsYearly ? 'dash-tag--ok' : 'dash-tag--warn'}`}>
              {v.meetsWeekly && v.meetsYearly ? '达标' : '未达标'}
            </Text>
          </View>
        ))}
      </View>
    </>
  );
}

function ConsumptionSection({ range }: { range: Range }) {
  const [groupBy, setGroupBy] = useState<'district' | 'sport' | 'month'>('district');
  const c = useLoad(() => dashboardApi.consumption({ ...range, groupBy }), [range.from, range.to, range.district, groupBy], {
    isEmpty: (d) => d.items.length === 0,
  });
  const t = c.data?.total;
  return (
    <>
      {t ? (
        <View className="dash-kpis cs-card">
          <View className="dash-kpi">
            <Text className="dash-kpi__value">{yuan(t.amountFen)}</Text>
            <Text className="dash-kpi__label">带动消费</Text>
          </View>
          <View className="dash-kpi">
            <Text className="dash-kpi__value">{yuan(t.subsidyFen)}</Text>
            <Text className="dash-kpi__label">消费券补贴</Text>
          </View>
          <View className="dash-kpi">
            <Text className="dash-kpi__value">{t.leverage === null ? '—' : `1:${t.leverage}`}</Text>
            <Text className="dash-kpi__label">补贴撬动比</Text>
          </View>
          <View className="dash-kpi">
            <Text className="dash-kpi__value">{t.vouchersUsed}</Text>
            <Text className="dash-kpi__label">用券笔数</Text>
          </View>
        </View>
      ) : null}
      <View className="dash-card cs-card">
        <Tabs
          items={[
            { key: 'district' as const, label: '按区县' },
            { key: 'sport' as const, label: '按项目' },
            { key: 'month' as const, label: '按月份' },
          ]}
          value={groupBy}
          onChange={setGroupBy}
          className="dash-chips"
          itemClass="dash-chip"
          currentSuffix="active"
        />
        <LoadView
          load={c.load}
          name="dash-consumption"
          errorText="消费数据加载失败"
          emptyText="所选时间内没有消费"
          onRetry={() => void c.reload()}
        />
        {c.data && c.data.items.length ? (
          <Bars
            rows={c.data.items.map((r) => ({
              label: r.key,
              value: r.amountFen,
              text: `${yuan(r.amountFen)} · ${r.orders}单`,
              sub: `补贴 ${yuan(r.subsidyFen)} · 撬动比 ${r.leverage === null ? '—' : `1:${r.leverage}`} · 用券 ${r.vouchersUsed}`,
            }))}
          />
        ) : null}
      </View>
    </>
  );
}

function DispatchSection() {
  const [month] = useState(lastMonth);
  const [district, setDistrict] = useState('全市');
  const d = useLoad(async () => (await dashboardApi.dispatch(month)).report, [month], { isEmpty: (r) => r.lines.length === 0 });
  const districts = [...new Set((d.data?.lines ?? []).map((l) => l.district))];
  const lines = (d.data?.lines ?? []).filter((l) => l.district === district);
  return (
    <View className="dash-card cs-card">
      <Text className="dash-card__title">{month} 月度调度报表</Text>
      <LoadView load={d.load} name="dash-dispatch" errorText="报表加载失败" emptyText="本月暂无数据" onRetry={() => void d.reload()} />
      {districts.length > 1 ? (
        <Tabs
          items={districts.map((x) => ({ key: x, label: x }))}
          value={district}
          onChange={setDistrict}
          className="dash-chips"
          itemClass="dash-chip"
          currentSuffix="active"
        />
      ) : null}
      {lines.length ? (
        <View className="dash-table" role="table">
          <View className="dash-table__row dash-table__row--head">
            <Text className="dash-table__metric">指标</Text>
            <Text className="dash-table__num">本月</Text>
            <Text className="dash-table__num">环比</Text>
            <Text className="dash-table__num">同比</Text>
          </View>
          {lines.map((l) => (
            <View key={`${l.line}|${l.metric}`} className="dash-table__row">
              <View className="dash-table__metric">
                <Text className="dash-table__line">{l.line}</Text>
                <Text>{l.metric}</Text>
              </View>
              <Text className="dash-table__num">{l.value}</Text>
              <Text className={`dash-table__num ${l.mom !== null && l.mom < 0 ? 'dash-down' : 'dash-up'}`}>{change(l.mom)}</Text>
              <Text className={`dash-table__num ${l.yoy !== null && l.yoy < 0 ? 'dash-down' : 'dash-up'}`}>{change(l.yoy)}</Text>
            </View>
          ))}
        </View>
      ) : null}
      <Text className="dash-card__note">Excel 版：GET /api/v1/admin/reports/dispatch?month={month}&format=xlsx（导出记入审计）</Text>
    </View>
  );
}
