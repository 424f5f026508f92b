import { createHmac, timingSafeEqual } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { maskName, type Invoice as InvoiceDto, type RequestInvoice } from '@citysport/shared';
import type { Clock } from '../../platform/clock';
import { AppError } from '../../platform/errors';
import type { FieldCipher } from '../../platform/crypto-field';
import type { Kernel } from '../../platform/kernel';
import type { Logger } from '../../platform/logger';
import type { WechatPay } from '../../platform/wechatpay';
import { Invoice, type InvoiceDoc } from './invoice.model';
import { Order, type OrderDoc } from './payment.model';
import { expectedFen } from './payment.context';

/** The effects owner of an invoice's steps (claim the order's slot, apply at WeChat, reverse). */
export const INVOICE_EFFECTS = 'payment.invoice';
/** 税收分类编码 307020100…: 文化体育服务 — 体育服务 */
const TAX_CODE_SPORTS_SERVICE = '3070201000000000000';
/** orders an invoice can be asked for: paid, or partly refunded with something left */
const INVOICEABLE = ['paid', 'partially_refunded'];
const PDF_LINK_TTL_S = 10 * 60;
const MAX_QUERIES = 60;

export const maskEmail = (email: string) => {
  const [user, domain] = email.split('@');
  return `${user.slice(0, 1)}***@${domain}`;
};
export const maskTaxId = (id: string) => `${id.slice(0, 4)}${'*'.repeat(Math.max(0, id.length - 6))}${id.slice(-2)}`;

/**
 * 电子发票 through WeChat Pay's e-invoice API. One live invoice per order: the order's `invoiceId`
 * is taken by one guarded transition (the claim); the request is recorded first, with what it owes
 * (`pending: ['claim', 'apply']`), so a crash between recording it and asking WeChat is finished by
 * the sweeper. Issuing is asynchronous: a job asks WeChat until the fapiao is issued. A refund
 * after the invoice reverses it (红冲) — the whole fapiao, as WeChat's reversal does; an order
 * refunded only in part can then be invoiced again for what it kept.
 */
export function createInvoices(deps: {
  clock: Clock;
  logger: Logger;
  kernel: Kernel;
  wechatPay: WechatPay;
  cipher: FieldCipher;
  /** signs the owner's short-lived PDF link */
  linkSecret: string;
}) {
  const { clock, kernel, wechatPay, cipher } = deps;

  kernel.effects.define<InvoiceDoc>(INVOICE_EFFECTS, {
    collection: 'invoices',
    staleMs: 30_000,
    steps: {
      claim: claimStep,
      apply: applyStep,
      reverse: reverseStep,
    },
  });

  /** Takes the order's one invoice slot for this invoice (or finds it lost, and voids it). Idempotent. */
  async function claimStep(doc: InvoiceDoc) {
    const inv = await Invoice.findById(doc._id).lean<InvoiceDoc>();
    if (!inv || inv.status !== 'claiming') return;
    const won = await kernel.transition<OrderDoc>(
      'orders',
      {
        _id: inv.orderId,
        ownerId: inv.ownerId,
        status: { $in: INVOICEABLE },
        // the amount invoiced is what was paid less what was refunded when it was asked for
        refundedFen: inv.basisRefundedFen,
        invoiceId: { $in: [null] },
      },
      { $set: { invoiceId: inv._id } },
    );
    const order = won ?? (await Order.findById(inv.orderId).lean<OrderDoc>());
    if (order && String(order.invoiceId) === String(inv._id)) {
      const moved = await Invoice.updateOne({ _id: inv._id, status: 'claiming' }, { $set: { status: 'requested' } });
      if (moved.modifiedCount === 1)
        await kernel.audit(String(inv.ownerId), 'invoice.request', String(inv.ownerId), {
          orderId: String(inv.orderId),
          invoiceId: String(inv._id),
          buyerType: inv.buyerType,
          amountFen: inv.amountFen,
        });
      return;
    }
    await Invoice.updateOne({ _id: inv._id, status: 'claiming' }, { $set: { status: 'void' }, $pull: { pending: 'apply' } } as never);
  }

  /** Asks WeChat to issue the fapiao (the same fapiao_apply_id on every retry: WeChat accepts a repeat). */
  async function applyStep(doc: InvoiceDoc) {
    const inv = await Invoice.findById(doc._id).lean<InvoiceDoc>();
    if (!inv || inv.status !== 'requested') return;
    try {
      await wechatPay.applyFapiao({
        applyId: inv.applyId,
        fapiaoId: inv.fapiaoId,
        buyer: {
          type: inv.buyerType === 'company' ? 'ORGANIZATION' : 'INDIVIDUAL',
          name: cipher.decrypt(inv.titleSealed),
          ...(inv.taxIdSealed ? { taxpayerId: cipher.decrypt(inv.taxIdSealed) } : {}),
          email: cipher.decrypt(inv.emailSealed),
        },
        totalFen: inv.amountFen,
        taxCode: TAX_CODE_SPORTS_SERVICE,
        items: inv.items,
      });
    } catch (err) {
      const status = (err as { wechatStatus?: number }).wechatStatus;
      if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
        // WeChat refuses the request itself: retrying cannot help; the order's slot is freed for a corrected request
        await Invoice.updateOne({ _id: inv._id, status: 'requested' }, { $set: { status: 'failed', failure: `WeChat ${status}` } });
        await Order.updateOne({ _id: inv.orderId, invoiceId: inv._id }, { $set: { invoiceId: null } });
        return;
      }
      throw err;
    }
    await Invoice.updateOne({ _id: inv._id, status: 'requested' }, { $set: { status: 'issuing', nextQueryAt: clock.now() } });
  }

  /** Asks WeChat to reverse (红冲) the issued fapiao; asking again is harmless. */
  async function reverseStep(doc: InvoiceDoc) {
    const inv = await Invoice.findById(doc._id).lean<InvoiceDoc>();
    if (!inv || inv.status !== 'reversing' || !inv.fapiaoCode || !inv.fapiaoNumber) return;
    await wechatPay.reverseFapiao(inv.applyId, {
      fapiaoId: inv.fapiaoId,
      code: inv.fapiaoCode,
      number: inv.fapiaoNumber,
      reason: inv.reverseReason ?? '订单退款',
    });
  }

  function pdfLink(inv: InvoiceDoc): string {
    const exp = Math.floor(clock.now().getTime() / 1000) + PDF_LINK_TTL_S;
    return `/invoices/${String(inv._id)}/pdf?exp=${exp}&sig=${sign(String(inv._id), String(inv.ownerId), exp)}`;
  }
  const sign = (id: string, owner: string, exp: number) =>
    createHmac('sha256', deps.linkSecret).update(`invoice-pdf:${id}:${owner}:${exp}`).digest('base64url');

  function dto(inv: InvoiceDoc): InvoiceDto {
    const shown = inv.status === 'claiming' ? 'requested' : inv.status === 'void' ? 'failed' : inv.status;
    return {
      id: String(inv._id),
      orderId: String(inv.orderId),
      status: shown,
      buyerType: inv.buyerType,
      title: cipher.decrypt(inv.titleSealed),
      taxIdMasked: inv.taxIdMasked,
      emailMasked: inv.emailMasked,
      amountFen: inv.amountFen,
      fapiaoNumber: inv.fapiaoNumber,
      issuedAt: inv.issuedAt?.toISOString() ?? null,
      reversedAt: inv.reversedAt?.toISOString() ?? null,
      reverseReason: inv.reverseReason,
      pdfUrl: inv.issuedAt ? pdfLink(inv) : null,
      createdAt: inv.createdAt.toISOString(),
    };
  }

  /** The owner asks for the order's invoice. 201 with the invoice (issuing goes on in the background). */
  async function request(userId: string, orderId: string, input: RequestInvoice): Promise<InvoiceDto> {
    const order = await Order.findOne({ _id: new Types.ObjectId(orderId), ownerId: new Types.ObjectId(userId) }).lean<OrderDoc>();
    if (!order) throw new AppError('NOT_FOUND', 'no such order');
    if (order.invoiceId) throw new AppError('INVOICE_EXISTS', 'this order has its invoice already');
    if (!INVOICEABLE.includes(order.status)) throw new AppError('INVOICE_NOT_ALLOWED', `a ${order.status} order cannot be invoiced`);
    const amountFen = expectedFen(order) - order.refundedFen;
    if (amountFen <= 0) throw new AppError('INVOICE_NOT_ALLOWED', 'nothing was paid that an invoice could name');
    const now = clock.now();
    const _id = new Types.ObjectId();
    const doc: InvoiceDoc = {
      _id,
      orderId: order._id,
      ownerId: order.ownerId,
      status: 'claiming',
      applyId: `CSFP${_id.toHexString()}`,
      fapiaoId: `F${_id.toHexString()}`,
      buyerType: input.buyerType,
      titleSealed: cipher.encrypt(input.title),
      titleMasked: input.buyerType === 'person' ? maskName(input.title) : input.title,
      taxIdSealed: input.taxId ? cipher.encrypt(input.taxId) : null,
      taxIdMasked: input.taxId ? maskTaxId(input.taxId) : null,
      emailSealed: cipher.encrypt(input.email),
      emailMasked: maskEmail(input.email),
      amountFen,
      basisRefundedFen: order.refundedFen,
      items: invoiceItems(order, amountFen),
      fapiaoCode: null,
      fapiaoNumber: null,
      issuedAt: null,
      reverseReason: null,
      reversedAt: null,
      failure: null,
      nextQueryAt: now,
      queryCount: 0,
      createdAt: now,
      pending: ['claim', 'apply'],
      pendingSince: now,
    };
    // recorded, with what it owes, before anything else: a crash from here on is finished by the sweeper
    await Invoice.collection.insertOne(doc as never);
    kernel.crashPoint('invoice:recorded');
    await kernel.effects.finish(INVOICE_EFFECTS, doc);
    const after = (await Invoice.findById(_id).lean<InvoiceDoc>())!;
    if (after.status === 'void') {
      const now2 = await Order.findById(order._id).lean<OrderDoc>();
      if (now2?.invoiceId) throw new AppError('INVOICE_EXISTS', 'this order has its invoice already');
      throw new AppError('INVOICE_NOT_ALLOWED', 'the order changed meanwhile; it cannot be invoiced now');
    }
    if (after.status === 'claiming') throw new AppError('CONFLICT', 'the invoice request is being recorded; please try again');
    return dto(after);
  }

  /** The order's live invoice (or the latest one, reversed or failed), for its owner. */
  async function forOrder(userId: string, orderId: string): Promise<InvoiceDto | null> {
    const order = await Order.findOne({ _id: new Types.ObjectId(orderId), ownerId: new Types.ObjectId(userId) }).lean<OrderDoc>();
    if (!order) throw new AppError('NOT_FOUND', 'no such order');
    const inv = order.invoiceId
      ? await Invoice.findById(order.invoiceId).lean<InvoiceDoc>()
      : await Invoice.findOne({ orderId: order._id, status: mongoose.trusted({ $nin: ['void', 'claiming'] }) })
          .sort({ _id: -1 })
          .lean<InvoiceDoc>();
    return inv ? dto(inv) : null;
  }

  /** The PDF behind a signed link (the owner's, short-lived): the blue fapiao, or the red one once reversed. */
  async function pdf(invoiceId: string, exp: number, sig: string): Promise<{ bytes: Buffer; name: string }> {
    const inv = Types.ObjectId.isValid(invoiceId) ? await Invoice.findById(invoiceId).lean<InvoiceDoc>() : null;
    const nowS = Math.floor(clock.now().getTime() / 1000);
    const expected = inv ? Buffer.from(sign(String(inv._id), String(inv.ownerId), exp)) : Buffer.alloc(0);
    const given = Buffer.from(sig);
    if (!inv || expected.length !== given.length || !timingSafeEqual(expected, given) || exp < nowS || exp > nowS + PDF_LINK_TTL_S)
      throw new AppError('NOT_FOUND', 'no such invoice file (the link may have expired)');
    if (!inv.issuedAt) throw new AppError('INVOICE_NOT_FOUND', 'the invoice is not issued yet');
    const bytes = await wechatPay.fapiaoPdf(inv.applyId, inv.fapiaoId);
    if (!bytes) throw new AppError('INVOICE_NOT_FOUND', 'WeChat has no file for this invoice yet');
    return { bytes, name: `fapiao-${inv.fapiaoNumber ?? inv.fapiaoId}.pdf` };
  }

  /**
   * A refund was reserved on the order (its `invoiceCheck` set in the same update): an issued
   * invoice is reversed; one not issued yet is reversed once it is (the flag stays until then).
   */
  async function checkOrder(orderId: Types.ObjectId) {
    const order = await Order.findById(orderId).lean<OrderDoc>();
    if (!order) return;
    const inv = order.invoiceId ? await Invoice.findById(order.invoiceId).lean<InvoiceDoc>() : null;
    const refundedSince = !!inv && order.refundedFen > inv.basisRefundedFen;
    if (inv && refundedSince && inv.status === 'issued') {
      const moved = await kernel.effects.transition<InvoiceDoc>(
        INVOICE_EFFECTS,
        { _id: inv._id, status: 'issued' },
        { status: 'reversing', reverseReason: '订单退款', nextQueryAt: clock.now() },
        ['reverse'],
      );
      if (moved) {
        await kernel.audit('system', 'invoice.reverse', String(inv.ownerId), { orderId: String(order._id), invoiceId: String(inv._id) });
        await kernel.effects.finish(INVOICE_EFFECTS, moved);
      }
    }
    const settled = !inv || !refundedSince || !['claiming', 'requested', 'issuing', 'issued'].includes(inv.status);
    if (settled) await Order.updateOne({ _id: order._id, refundedFen: order.refundedFen }, { $unset: { invoiceCheck: '' } });
  }

  /** Best effort right after a refund; the job repeats it for every flagged order. */
  async function afterRefund(orderId: Types.ObjectId) {
    try {
      await checkOrder(orderId);
    } catch (err) {
      if (kernel.isInjectedCrash(err)) throw err;
      deps.logger.warn({ err, orderId: String(orderId) }, 'invoice check after a refund failed; the job repeats it');
    }
  }

  /** The job: finishes what crashes left, asks WeChat about fapiao being issued or reversed, reverses after refunds. */
  async function runJob() {
    const swept = await kernel.effects.sweep(INVOICE_EFFECTS);
    const now = clock.now();
    const due = await Invoice.find({
      status: mongoose.trusted({ $in: ['issuing', 'reversing'] }),
      nextQueryAt: mongoose.trusted({ $lte: now }),
      'pending.0': mongoose.trusted({ $exists: false }),
    })
      .limit(100)
      .lean<InvoiceDoc[]>();
    let polled = 0;
    for (const inv of due) {
      try {
        await poll(inv);
        polled++;
      } catch (err) {
        deps.logger.warn({ err, invoiceId: String(inv._id) }, 'fapiao query failed; will retry');
      }
    }
    const flagged = await Order.find({ invoiceCheck: true }).limit(100).lean<OrderDoc[]>();
    for (const o of flagged) await afterRefund(o._id);
    return { swept, polled, flagged: flagged.length };
  }

  async function poll(inv: InvoiceDoc) {
    const wait = Math.min(2 ** inv.queryCount * 5_000, 30 * 60_000);
    await Invoice.updateOne({ _id: inv._id }, { $set: { nextQueryAt: new Date(clock.now().getTime() + wait) }, $inc: { queryCount: 1 } });
    const states = await wechatPay.queryFapiao(inv.applyId);
    const f = states?.find((s) => s.fapiaoId === inv.fapiaoId);
    if (!f) {
      // WeChat never got it (or lost it): apply again (same apply id) unless it has been asked too often
      if (inv.status === 'issuing' && inv.queryCount < MAX_QUERIES)
        await Invoice.updateOne({ _id: inv._id, status: 'issuing' }, { $set: { status: 'requested' } }).then(() =>
          applyStep({ ...inv, status: 'requested' }),
        );
      return;
    }
    if (inv.status === 'issuing' && (f.status === 'ISSUED' || f.status === 'REVERSE_ACCEPTED' || f.status === 'REVERSED') && f.blue) {
      const moved = await Invoice.updateOne(
        { _id: inv._id, status: 'issuing' },
        {
          $set: { status: 'issued', fapiaoCode: f.blue.code, fapiaoNumber: f.blue.number, issuedAt: new Date(f.blue.time), queryCount: 0 },
        },
      );
      // a refund that came while it was being issued reverses it now
      if (moved.modifiedCount === 1) await afterRefund(inv.orderId);
    } else if (inv.status === 'reversing' && f.status === 'REVERSED') {
      const moved = await Invoice.updateOne(
        { _id: inv._id, status: 'reversing' },
        { $set: { status: 'reversed', reversedAt: f.red ? new Date(f.red.time) : clock.now() } },
      );
      // the order's slot is free again: a part-refunded order can be invoiced for what it kept
      if (moved.modifiedCount === 1) await Order.updateOne({ _id: inv.orderId, invoiceId: inv._id }, { $set: { invoiceId: null } });
    }
  }

  /** The Idempotency-Key request hash: keyed, so a stored hash is no dictionary of names, 税号 and e-mails. */
  const requestHash = (orderId: string, input: RequestInvoice) =>
    createHmac('sha256', deps.linkSecret)
      .update(JSON.stringify(['invoice-request', orderId, input.buyerType, input.title, input.taxId ?? null, input.email]))
      .digest('hex');

  return { request, forOrder, pdf, afterRefund, runJob, requestHash, sweep: () => kernel.effects.sweep(INVOICE_EFFECTS) };
}
export type Invoices = ReturnType<typeof createInvoices>;

/** The fapiao's lines: the order's items, scaled so they add up to what was paid (vouchers are not invoiced). */
function invoiceItems(order: OrderDoc, amountFen: number): { name: string; quantity: number; totalFen: number }[] {
  const items = order.items.filter((i) => i.quantity > 0 && i.unitFen > 0);
  const gross = items.reduce((s, i) => s + i.quantity * i.unitFen, 0);
  if (items.length === 0 || gross <= 0) return [{ name: order.description.slice(0, 100) || '体育服务', quantity: 1, totalFen: amountFen }];
  let left = amountFen;
  return items
    .map((i, idx) => {
      const share = idx === items.length - 1 ? left : Math.floor((amountFen * i.quantity * i.unitFen) / gross);
      left -= share;
      return { name: i.name, quantity: i.quantity, totalFen: share };
    })
    .filter((i) => i.totalFen > 0);
}
