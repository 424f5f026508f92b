import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import { businessDay, shanghaiTime, type DispatchReport } from '@citysport/shared';
import type { Kernel } from '../../platform/kernel';
import { OutboxEvent, type OutboxDoc } from '../../platform/outbox';
import type { Dashboards } from './dashboard';
import { toWire } from './feed';

/** The dispatch report as an Excel workbook: 调度报表 (every line), 全市汇总 (the city), 说明 (what the figures mean). */
export async function dispatchWorkbook(r: DispatchReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'CitySport';
  const columns = [
    { header: '区县', key: 'district', width: 12 },
    { header: '条线', key: 'line', width: 16 },
    { header: '指标', key: 'metric', width: 14 },
    { header: `${r.month} 本月`, key: 'value', width: 14 },
    { header: '上月', key: 'previous', width: 12 },
    { header: '去年同月', key: 'lastYear', width: 12 },
    { header: '环比(%)', key: 'mom', width: 10 },
    { header: '同比(%)', key: 'yoy', width: 10 },
  ];
  const all = wb.addWorksheet('调度报表');
  all.columns = columns;
  for (const l of r.lines) all.addRow({ ...l, mom: l.mom ?? '—', yoy: l.yoy ?? '—' });
  all.getRow(1).font = { bold: true };
  const city = wb.addWorksheet('全市汇总');
  city.columns = columns;
  for (const l of r.lines.filter((x) => x.district === '全市')) city.addRow({ ...l, mom: l.mom ?? '—', yoy: l.yoy ?? '—' });
  city.getRow(1).font = { bold: true };
  const notes = wb.addWorksheet('说明');
  notes.addRows([
    ['月份', r.month],
    ['生成时间', r.generatedAt],
    ['数据来源', 'CitySport 数据中心汇总表（由业务事件增量汇总，去标识化）'],
    ['环比', '（本月 − 上月）÷ 上月；上月为 0 时记为 —'],
    ['同比', '（本月 − 去年同月）÷ 去年同月'],
    ['补贴撬动比', '消费额 ÷ 补贴额'],
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

interface StoredReport {
  _id: string;
  report: DispatchReport;
}

export function createReports(deps: { kernel: Kernel; dashboards: Dashboards; exportDir: string }) {
  const stored = () => mongoose.connection.collection<StoredReport>('datacentre_reports');

  async function generate(month: string): Promise<DispatchReport> {
    const report = await deps.dashboards.dispatch(month);
    await stored().replaceOne({ _id: month }, { report } as never, { upsert: true });
    return report;
  }

  /** The job (hourly): from the 1st on, last month's report once. */
  async function monthly(): Promise<{ generated: string | null }> {
    const today = businessDay(deps.kernel.clock.now());
    const [y, m] = today.split('-').map(Number);
    const last = new Date(Date.UTC(y, m - 2, 1));
    const month = `${last.getUTCFullYear()}-${String(last.getUTCMonth() + 1).padStart(2, '0')}`;
    if (await stored().findOne({ _id: month }, { projection: { _id: 1 } })) return { generated: null };
    await generate(month);
    return { generated: month };
  }

  /** The day's events (Shanghai day of occurrence) as NDJSON, the file-exchange fallback (front-end database / SFTP drop). */
  async function ndjsonOfDay(day: string): Promise<{ body: string; count: number }> {
    const from = shanghaiTime(day);
    const to = new Date(from.getTime() + 86_400_000);
    const docs = await (OutboxEvent.collection as unknown as mongoose.mongo.Collection<OutboxDoc>)
      .find({ occurredAt: { $gte: from, $lt: to }, quarantinedAt: null })
      .sort({ occurredAt: 1, _id: 1 })
      .toArray();
    return { body: docs.map((d) => JSON.stringify(toWire(d))).join('\n') + (docs.length ? '\n' : ''), count: docs.length };
  }

  /** The export job: yesterday's file, written once (`<DATA_DIR>/datacentre/YYYY-MM-DD.ndjson`). */
  async function exportYesterday(): Promise<{ file: string | null; count: number }> {
    const day = businessDay(new Date(deps.kernel.clock.now().getTime() - 86_400_000));
    const file = path.join(deps.exportDir, `${day}.ndjson`);
    if (fs.existsSync(file)) return { file: null, count: 0 };
    const { body, count } = await ndjsonOfDay(day);
    fs.mkdirSync(deps.exportDir, { recursive: true });
    fs.writeFileSync(`${file}.part`, body);
    fs.renameSync(`${file}.part`, file);
    return { file, count };
  }

  return {
    generate,
    monthly,
    ndjsonOfDay,
    exportYesterday,
    stored: async (month: string) => (await stored().findOne({ _id: month }))?.report ?? null,
  };
}
export type Reports = ReturnType<typeof createReports>;
