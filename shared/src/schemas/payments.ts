import { z } from 'zod';
import { IdSchema, pageOf, text } from './common';
import { SportSchema } from './venues';

/** what can be sold through the unified payment flow: one list for the cloud's order kinds and the client's parser */
export const ORDER_KINDS = ['booking', 'event', 'fitness_test', 'club_dues', 'club_activity', 'course', 'walkup'] as const;
export const OrderKindSchema = z.enum(ORDER_KINDS);
export const ORDER_STATUSES = ['pending', 'paid', 'refunding', 'refunded', 'partially_refunded', 'closed'] as const;
export const OrderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

export const ORDER_STATUS_LABELS_ZH: Record<OrderStatus, string> = {
  pending: '待支付',
  paid: '已支付',
  refunding: '退款中',
  refunded: '已退款',
  partially_refunded: '部分退款',
  closed: '已关闭',
};

export const OrderSchema = z.object({
  id: IdSchema,
  kind: OrderKindSchema,
  /** the booking, registration, … the order pays for */
  refId: z.string().optional(),
  description: z.string(),
  items: z.array(z.object({ name: z.string(), quantity: z.number().int(), unitFen: z.number().int() })),
  amountFen: z.number().int().nonnegative(),
  /** what the citizen pays after vouchers */
  payableFen: z.number().int().nonnegative(),
  discountFen: z.number().int().nonnegative(),
  voucherId: IdSchema.nullable(),
  status: OrderStatusSchema,
  expiresAt: z.string(),
  paidAt: z.string().nullable(),
  refundedFen: z.number().int().nonnegative(),
  /** e.g. why a late payment was refunded */
  note: z.string().nullable(),
  createdAt: z.string(),
});
export type Order = z.infer<typeof OrderSchema>;
export const OrderResponseSchema = z.object({ order: OrderSchema });
export const OrderPageSchema = pageOf(OrderSchema);
/** 我的订单's tabs: 全部 / 待支付 / 已支付 / 退款 (refunding, refunded, partly refunded) */
export const ORDER_TABS = ['all', 'pending', 'paid', 'refund'] as const;
export type OrderTab = (typeof ORDER_TABS)[number];
export const ORDER_TAB_STATUSES: Record<OrderTab, OrderStatus[] | null> = {
  all: null,
  pending: ['pending'],
  paid: ['paid'],
  refund: ['refunding', 'refunded', 'partially_refunded'],
};
export const MyOrdersQuerySchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(ORDER_TABS).default('all'),
});

export const PayOrderSchema = z.object({ voucherIds: z.array(IdSchema).max(1).optional() }).strict();
/** the fields wx.requestPayment / Taro.requestPayment take */
export const PayParamsSchema = z.object({
  timeStamp: z.string(),
  nonceStr: z.string(),
  package: z.string(),
  signType: z.string(),
  paySign: z.string(),
});
export const PayResponseSchema = z.union([z.object({ payParams: PayParamsSchema }), z.object({ order: OrderSchema })]);

export const RefundOrderSchema = z
  .object({ reason: text(80).pipe(z.string().min(2)), amountFen: z.number().int().positive().max(100_000_00).optional() })
  .strict();
export const RefundResponseSchema = z.object({
  refund: z.object({ id: z.string(), status: z.string(), amountFen: z.number().int() }).nullable(),
});

// --- consumption vouchers (体育消费券) ---
export const VoucherKindSchema = z.enum(['amount', 'percent']);
export const VoucherBatchSchema = z.object({
  id: IdSchema,
  name: z.string(),
  kind: VoucherKindSchema,
  /** amount vouchers: face value */
  faceFen: z.number().int().nonnegative(),
  /** percent vouchers: e.g. 20 = 20% off, capped by maxDiscountFen */
  percentOff: z.number().int().min(0).max(100),
  maxDiscountFen: z.number().int().nonnegative(),
  minSpendFen: z.number().int().nonnegative(),
  sports: z.array(SportSchema),
  venueIds: z.array(IdSchema),
  /** the names of venueIds (empty: every venue) */
  venueNames: z.array(z.string()).default([]),
  validFrom: z.string(),
  validTo: z.string(),
  perPersonLimit: z.number().int().positive(),
  total: z.number().int().positive(),
  remaining: z.number().int().nonnegative(),
});
export type VoucherBatch = z.infer<typeof VoucherBatchSchema>;
export const VoucherBatchListSchema = z.object({ items: z.array(VoucherBatchSchema) });

export const VOUCHER_STATUSES = ['available', 'locked', 'used', 'expired'] as const;
export const VoucherSchema = VoucherBatchSchema.omit({ id: true, total: true, remaining: true, perPersonLimit: true }).extend({
  id: IdSchema,
  batchId: IdSchema,
  status: z.enum(VOUCHER_STATUSES),
  orderId: IdSchema.nullable(),
});
export type Voucher = z.infer<typeof VoucherSchema>;
export const VoucherListSchema = z.object({ items: z.array(VoucherSchema) });
export const VoucherClaimResponseSchema = z.object({ voucher: VoucherSchema });

export const CreateVoucherBatchSchema = z
  .object({
    name: text(40).pipe(z.string().min(2)),
    kind: VoucherKindSchema,
    faceFen: z.number().int().min(0).max(100_000).default(0),
    percentOff: z.number().int().min(0).max(90).default(0),
    maxDiscountFen: z.number().int().min(0).max(100_000).default(0),
    minSpendFen: z.number().int().min(0).max(1_000_000).default(0),
    sports: z.array(SportSchema).max(8).default([]),
    venueIds: z.array(IdSchema).max(200).default([]),
    validFrom: z.iso.datetime({ offset: true }),
    validTo: z.iso.datetime({ offset: true }),
    perPersonLimit: z.number().int().min(1).max(20).default(1),
    total: z.number().int().min(1).max(1_000_000),
  })
  .strict();
export type CreateVoucherBatch = z.infer<typeof CreateVoucherBatchSchema>;

export const SubsidyReportSchema = z.object({
  items: z.array(
    z.object({
      venueId: z.string(),
      venueName: z.string(),
      orders: z.number().int(),
      subsidisedFen: z.number().int(),
      paidFen: z.number().int(),
    }),
  ),
});

export const ReconciliationReportSchema = z.object({
  billDate: z.string(),
  checkedAt: z.string(),
  trades: z.number().int(),
  items: z.array(
    z.object({
      outTradeNo: z.string(),
      kind: z.enum(['applied_payment', 'refund_unknown_here', 'missing_at_wechat', 'amount_mismatch']),
      detail: z.string(),
    }),
  ),
});
