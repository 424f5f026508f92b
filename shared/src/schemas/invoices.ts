import { z } from 'zod';
import { text } from './common';

/**
 * 电子发票 (issue 10 item 8): a citizen asks for one invoice on a paid order; the cloud issues it
 * through WeChat Pay's e-invoice API, asynchronously. 税号 is the 统一社会信用代码 (GB 32100-2015,
 * 18 characters with a check character) — required for a company, not asked of a person.
 */
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** true for a well-formed 统一社会信用代码 whose 18th character is its check character */
export function isValidTaxId(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(code[i]) * USCC_WEIGHTS[i];
  const check = (31 - (sum % 31)) % 31;
  return USCC_CHARS[check] === code[17];
}

export const INVOICE_BUYER_TYPES = ['person', 'company'] as const;
export const InvoiceBuyerTypeSchema = z.enum(INVOICE_BUYER_TYPES);

export const RequestInvoiceSchema = z
  .object({
    buyerType: InvoiceBuyerTypeSchema,
    /** 抬头: the person's name or the company's registered name */
    title: text(60).pipe(z.string().min(2, '请填写发票抬头')),
    /** 税号 (统一社会信用代码), companies only */
    taxId: z.string().trim().toUpperCase().max(20).refine(isValidTaxId, '税号格式或校验位不正确').optional(),
    /** where WeChat e-mails the PDF too */
    email: z.string().trim().max(80).pipe(z.email('邮箱格式不正确')),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.buyerType === 'company' && !v.taxId) ctx.addIssue({ code: 'custom', path: ['taxId'], message: '单位抬头须填写税号' });
    if (v.buyerType === 'person' && v.taxId) ctx.addIssue({ code: 'custom', path: ['taxId'], message: '个人抬头无需税号' });
  });
export type RequestInvoice = z.infer<typeof RequestInvoiceSchema>;

/** requested (recorded, WeChat not yet asked) → issuing (WeChat accepted) → issued; a refund → reversing → reversed (红冲) */
export const INVOICE_STATUSES = ['requested', 'issuing', 'issued', 'reversing', 'reversed', 'failed'] as const;
export const InvoiceStatusSchema = z.enum(INVOICE_STATUSES);
export type InvoiceStatus = z.infer<typeof InvoiceStatusSchema>;
export const INVOICE_STATUS_LABELS_ZH: Record<InvoiceStatus, string> = {
  requested: '开票中',
  issuing: '开票中',
  issued: '已开具',
  reversing: '红冲中',
  reversed: '已红冲',
  failed: '开票失败',
};

export const InvoiceSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  status: InvoiceStatusSchema,
  buyerType: InvoiceBuyerTypeSchema,
  title: z.string(),
  /** masked: 9132************1X */
  taxIdMasked: z.string().nullable(),
  /** masked: z***@example.com */
  emailMasked: z.string(),
  amountFen: z.number().int().positive(),
  /** 发票号码, once issued */
  fapiaoNumber: z.string().nullable(),
  issuedAt: z.string().nullable(),
  reversedAt: z.string().nullable(),
  /** why it was reversed (e.g. 订单退款) */
  reverseReason: z.string().nullable(),
  /** a short-lived link to the PDF (owner only), once issued */
  pdfUrl: z.string().nullable(),
  createdAt: z.string(),
});
export type Invoice = z.infer<typeof InvoiceSchema>;
export const InvoiceResponseSchema = z.object({ invoice: InvoiceSchema.nullable() });
