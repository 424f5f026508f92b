import ExcelJS from 'exceljs';

type Cell = string | number | null | undefined;

export interface XlsxColumn<R> {
  header: string;
  width?: number;
  value: (row: R) => Cell;
}

export interface XlsxSheet<R> {
  name: string;
  columns: XlsxColumn<R>[];
  rows: Iterable<R> | AsyncIterable<R>;
  /** lines written under the table after an empty row (the period a report covers, …) */
  notes?: string[];
  /** the printed page header */
  pageHeader?: string;
  created?: Date;
}

/** A text cell starting with = + - @ would run as a formula when the sheet is opened: kept as text. */
const asCell = (v: Cell) => (typeof v === 'string' && /^[=+\-@]/.test(v) ? `'${v}` : (v ?? ''));

/** One sheet with a bold header row, the exports' common shape (ledgers, rankings, registration lists). */
export async function xlsxOf<R>(sheet: XlsxSheet<R>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'CitySport';
  if (sheet.created) wb.created = sheet.created;
  const ws = wb.addWorksheet(sheet.name);
  ws.columns = sheet.columns.map((c, i) => ({ header: c.header, key: String(i), width: c.width }));
  for await (const row of sheet.rows) ws.addRow(sheet.columns.map((c) => asCell(c.value(row))));
  ws.getRow(1).font = { bold: true };
  if (sheet.notes?.length) {
    ws.addRow([]);
    for (const line of sheet.notes) ws.addRow([line]);
  }
  if (sheet.pageHeader) ws.headerFooter.oddHeader = sheet.pageHeader;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
