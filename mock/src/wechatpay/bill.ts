import { fenToYuan, shanghaiDateTime } from './protocol';

/**
 * WeChat Pay's trade bill (交易账单) as the download URL serves it: a header row, one row per
 * successful payment and per refund of the day, every value prefixed with a backtick, then the
 * summary header and summary row. Amounts are yuan; fees have five decimals.
 */
export type BillType = 'ALL' | 'SUCCESS' | 'REFUND';

export interface BillPayment {
  at: Date;
  appid: string;
  mchid: string;
  transaction_id: string;
  out_trade_no: string;
  openid: string;
  trade_type: string;
  bank_type: string;
  totalFen: number;
  payerTotalFen: number;
  description: string;
  attach: string;
}

export interface BillRefund {
  /** when the refund was applied for (the day it belongs to) */
  at: Date;
  successAt?: Date;
  payment: Omit<BillPayment, 'at'> & { at: Date };
  refund_id: string;
  out_refund_no: string;
  refundFen: number;
  discountRefundFen: number;
  status: string;
}

export const FEE_RATE_PERMILLE = 6; // 0.60 %
const FEE_RATE = '0.60%';

export function feeFen(amountFen: number): number {
  return Math.round((amountFen * FEE_RATE_PERMILLE) / 1000);
}

const ALL_HEADER = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
];
const SUCCESS_HEADER = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '费率备注',
];
const REFUND_HEADER = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '退款申请时间',
  '退款成功时间',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
];
export const SUMMARY_HEADER = [
  '总交易单数',
  '应结订单总金额',
  '退款总金额',
  '充值券退款总金额',
  '手续费总金额',
  '订单总金额',
  '申请退款总金额',
];

const y = (fen: number) => fenToYuan(fen);
const fee = (fen: number) => fenToYuan(fen, 5);

interface Totals {
  count: number;
  settlement: number;
  refund: number;
  couponRefund: number;
  fee: number;
  order: number;
  appliedRefund: number;
}

function commonColumns(p: BillPayment, at: Date, tradeState: string): string[] {
  return [
    shanghaiDateTime(at),
    p.appid,
    p.mchid,
    '0',
    '',
    p.transaction_id,
    p.out_trade_no,
    p.openid,
    p.trade_type,
    tradeState,
    p.bank_type,
    'CNY',
  ];
}

export function buildTradeBill(billType: BillType, payments: BillPayment[], refunds: BillRefund[]): { content: string; rows: number } {
  const t: Totals = { count: 0, settlement: 0, refund: 0, couponRefund: 0, fee: 0, order: 0, appliedRefund: 0 };
  const rows: string[][] = [];
  const byTime = <T extends { at: Date }>(a: T, b: T) => a.at.getTime() - b.at.getTime();

  if (billType !== 'REFUND') {
    for (const p of [...payments].sort(byTime)) {
      const f = feeFen(p.totalFen);
      const coupon = p.totalFen - p.payerTotalFen;
      t.count++;
      t.settlement += p.totalFen;
      t.fee += f;
      t.order += p.totalFen;
      rows.push(
        billType === 'ALL'
          ? [
              ...commonColumns(p, p.at, 'SUCCESS'),
              y(p.totalFen),
              y(coupon),
              '0',
              '0',
              y(0),
              y(0),
              '',
              '',
              p.description,
              p.attach,
              fee(f),
              FEE_RATE,
              y(p.totalFen),
              y(0),
              '',
            ]
          : [...commonColumns(p, p.at, 'SUCCESS'), y(p.totalFen), y(coupon), p.description, p.attach, fee(f), FEE_RATE, y(p.totalFen), ''],
      );
    }
  }
  if (billType !== 'SUCCESS') {
    for (const r of [...refunds].sort(byTime)) {
      const p = r.payment;
      const f = -feeFen(r.refundFen);
      t.count++;
      t.refund += r.refundFen;
      t.couponRefund += r.discountRefundFen;
      t.fee += f;
      t.appliedRefund += r.refundFen;
      const refundCols = [r.refund_id, r.out_refund_no, y(r.refundFen), y(r.discountRefundFen), 'ORIGINAL', r.status];
      if (billType === 'ALL') {
        rows.push([
          ...commonColumns(p, r.at, 'REFUND'),
          y(0),
          y(0),
          ...refundCols,
          p.description,
          p.attach,
          fee(f),
          FEE_RATE,
          y(0),
          y(r.refundFen),
          '',
        ]);
      } else {
        t.settlement += p.totalFen;
        t.order += p.totalFen;
        rows.push([
          ...commonColumns(p, p.at, 'REFUND'),
          y(p.totalFen),
          y(p.totalFen - p.payerTotalFen),
          shanghaiDateTime(r.at),
          r.successAt ? shanghaiDateTime(r.successAt) : '',
          ...refundCols,
          p.description,
          p.attach,
          fee(f),
          FEE_RATE,
          y(p.totalFen),
          y(r.refundFen),
          '',
        ]);
      }
    }
  }

  const header = billType === 'ALL' ? ALL_HEADER : billType === 'SUCCESS' ? SUCCESS_HEADER : REFUND_HEADER;
  const tick = (cols: string[]) => cols.map((c) => `\`${c}`).join(',');
  const lines = [
    header.join(','),
    ...rows.map(tick),
    SUMMARY_HEADER.join(','),
    tick([String(t.count), y(t.settlement), y(t.refund), y(t.couponRefund), fee(t.fee), y(t.order), y(t.appliedRefund)]),
  ];
  return { content: `${lines.join('\n')}\n`, rows: rows.length };
}
