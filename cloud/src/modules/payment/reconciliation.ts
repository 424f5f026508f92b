import mongoose, { Schema } from 'mongoose';
import { businessDay, shanghaiTime } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import type { Clock } from '../../platform/clock';
import type { WechatPay } from '../../platform/wechatpay';
import { Order, Refund, type OrderDoc } from './payment.model';

type ItemKind = 'applied_payment' | 'refund_unknown_here' | 'missing_at_wechat' | 'amount_mismatch';
interface ReportDoc {
  _id: string; // bill date
  billDate: string;
  checkedAt: Date;
  trades: number;
  items: { outTradeNo: string; kind: ItemKind; detail: string }[];
}
export const ReconciliationReport = mongoose.model<ReportDoc>(
  'ReconciliationReport',
  new Schema<ReportDoc>(
    {
      _id: String,
      billDate: String,
      checkedAt: Date,
      trades: Number,
      items: [{ outTradeNo: String, kind: String, detail: String, _id: false }],
    },
    { collection: 'reconciliation_reports', versionKey: false },
  ),
);

interface BillRow {
  transactionId: string;
  outTradeNo: string;
  state: string;
  settledFen: number;
  outRefundNo: string;
  refundFen: number;
}

const yuanToFen = (v: string) => Math.round(Number(v || '0') * 100);

/** WeChat's ALL trade bill: backtick-prefixed values, rows until the summary header. */
export function parseTradeBill(csv: string): BillRow[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim());
  const rows: BillRow[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith('总交易单数')) break;
    const v = line.replace(/^`/, '').split(',`');
    rows.push({
      transactionId: v[5],
      outTradeNo: v[6],
      state: v[9],
      settledFen: yuanToFen(v[12]),
      outRefundNo: v[15],
      refundFen: yuanToFen(v[16]),
    });
  }
  return rows;
}

/**
 * Daily reconciliation: WeChat's trade bill of a Shanghai day against local orders. Paid there
 * but pending here is applied (through the normal payment path); everything else is recorded
 * for an admin to read.
 */
export function createReconciliation(deps: {
  clock: Clock;
  wechatPay: WechatPay;
  applyPaidByQuery: (o: OrderDoc) => Promise<'applied' | 'duplicate' | 'mismatch' | 'not_paid'>;
}) {
  async function run(billDate: string): Promise<ReportDoc> {
    // asked of WeChat, a day to come is its 4xx, which would read as our upstream failing (502)
    if (billDate > businessDay(deps.clock.now())) throw new AppError('RECONCILIATION_DAY_IN_FUTURE', `${billDate} has not begun`);
    const csv = await deps.wechatPay.tradeBill(billDate);
    const rows = csv ? parseTradeBill(csv) : [];
    const items: ReportDoc['items'] = [];
    const successByTrade = new Map(rows.filter((r) => r.state === 'SUCCESS').map((r) => [r.outTradeNo, r]));
    for (const row of successByTrade.values()) {
      const o = await Order.findOne({ outTradeNo: row.outTradeNo }).lean<OrderDoc>();
      if (!o) {
        items.push({ outTradeNo: row.outTradeNo, kind: 'amount_mismatch', detail: 'paid at WeChat, unknown here' });
        continue;
      }
      const expected = o.lockedFen ?? o.payableFen;
      if (row.settledFen !== expected)
        items.push({
          outTradeNo: row.outTradeNo,
          kind: 'amount_mismatch',
          detail: `WeChat ${row.settledFen} fen, here ${expected} fen`,
        });
      if (o.status === 'pending' || o.status === 'closed') {
        // applied through the normal path, which checks the amount again and flags a mismatch instead
        const outcome = await deps.applyPaidByQuery(o);
        if (outcome !== 'mismatch')
          items.push({
            outTradeNo: row.outTradeNo,
            kind: 'applied_payment',
            detail: outcome === 'not_paid' ? `was ${o.status} here; WeChat query disagreed` : `was ${o.status} here; payment applied`,
          });
      }
    }
    for (const row of rows.filter((r) => r.state === 'REFUND' && r.outRefundNo)) {
      if (!(await Refund.exists({ _id: row.outRefundNo })))
        items.push({
          outTradeNo: row.outTradeNo,
          kind: 'refund_unknown_here',
          detail: `refund ${row.outRefundNo} of ${row.refundFen} fen made outside CitySport`,
        });
    }
    const from = shanghaiTime(billDate, '00:00');
    const to = new Date(from.getTime() + 86_400_000);
    const paidHere = await Order.find(
      { paidAt: mongoose.trusted({ $gte: from, $lt: to }), payableFen: mongoose.trusted({ $gt: 0 }) },
      { outTradeNo: 1 },
    ).lean<{ outTradeNo: string }[]>();
    for (const o of paidHere)
      if (!successByTrade.has(o.outTradeNo))
        items.push({ outTradeNo: o.outTradeNo, kind: 'missing_at_wechat', detail: 'paid here, not in the bill' });
    const report: ReportDoc = { _id: billDate, billDate, checkedAt: deps.clock.now(), trades: rows.length, items };
    await ReconciliationReport.replaceOne({ _id: billDate }, report, { upsert: true });
    return report;
  }

  async function get(billDate: string) {
    const r = await ReconciliationReport.findById(billDate).lean<ReportDoc>();
    return r && { billDate: r.billDate, checkedAt: r.checkedAt.toISOString(), trades: r.trades, items: r.items };
  }

  return { run, get };
}
export type Reconciliation = ReturnType<typeof createReconciliation>;
