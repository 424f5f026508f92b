import mongoose, { Types } from 'mongoose';
import { businessDay, type WalkupProduct as WalkupProductDto } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import type { Kernel } from '../../platform/kernel';
import type { PaidOutcome, PaymentPort } from '../payment';
import type { TicketService } from '../ticket';
import { WalkupDay, WalkupProduct, WalkupPurchase, type WalkupDayDoc, type WalkupProductDoc, type WalkupPurchaseDoc } from './gate.model';

/** The capacity kind of a walk-up product's places on one day (kernel.capacity). */
export const WALKUP_DAY = 'walkup-day';
/** how long a walk-up order waits for its payment before the sweeper gives the place back */
export const WALKUP_HOLD_MS = 10 * 60_000;
/**
 * How many take/give tokens a product's day keeps (kernel.capacity `keepTokens`; it kept 20,000).
 * An unpaid order's place goes back with `taken` on the first attempt right after its guarded
 * pending → released transition; the tokens only outlive a crash's heal (a purchase left `taking`,
 * a give-back re-run), minutes of one product's sales (docs/benchmarks.md, bench:capacity-tokens).
 */
export const WALKUP_KEEP_TOKENS = 500;
/** the kernel effects owner of walk-up purchases (a released purchase's place given back) */
const PURCHASES = 'walkup-purchase';
/** a purchase still `taking` after this long was left by a crash between the insert and the order */
const TAKING_STALE_MS = 2 * 60_000;

export interface WalkupDeps {
  kernel: Kernel;
  payments: () => PaymentPort;
  tickets: TicketService;
  venueName: (venueId: string) => Promise<string | null>;
}

/**
 * Walk-up sales (自助售票): a ticket for now, bought at the entrance. A purchase is inserted as
 * `taking` before its place is taken (a crash leaves a trace the sweeper rolls back), the place is
 * taken from the day's counter (kernel capacity), the order is payment's `walkup` kind; paid →
 * a ticket valid from now (the `walkup` ticket source); closed unpaid → the place given back.
 */
export function createWalkupService(deps: WalkupDeps) {
  const { kernel } = deps;
  const { clock } = kernel;
  kernel.capacity.define(WALKUP_DAY, { collection: 'walkup_days', keepTokens: WALKUP_KEEP_TOKENS });
  // a released purchase owes its place back: recorded in the releasing update, done at once, healed by the sweeper
  kernel.effects.define<WalkupPurchaseDoc>(PURCHASES, {
    collection: 'walkup_purchases',
    steps: {
      // an order was opened (`orderId`), so the take had landed; on the first attempt right after the guarded
      // release nothing can have given it back: no token needed. A `taking` purchase may have taken nothing, and
      // a sweeper's re-run may follow a give-back a crash did not record: those rely on the tokens.
      capacity: async (p, { firstRun }) =>
        void (await kernel.capacity.giveBack(WALKUP_DAY, p.dayId, 1, { holder: String(p._id), taken: firstRun && p.orderId !== null })),
    },
  });

  const dayIdOf = (productId: Types.ObjectId | string, at: Date) => `${productId}:${businessDay(at)}`;

  async function toDto(p: WalkupProductDoc): Promise<WalkupProductDto> {
    const day = await WalkupDay.findById(dayIdOf(p._id, clock.now())).lean<WalkupDayDoc>();
    return {
      id: String(p._id),
      venueId: String(p.venueId),
      name: p.name,
      sport: p.sport,
      durationMinutes: p.durationMinutes,
      priceFen: p.priceFen,
      remaining: day ? day.remaining : p.dailyCapacity,
    };
  }

  async function createProduct(
    actorId: string,
    venueId: string,
    input: { name: string; sport: WalkupProductDoc['sport']; durationMinutes: number; priceFen: number; dailyCapacity: number },
  ) {
    const venueName = await deps.venueName(venueId);
    if (venueName === null) throw new AppError('VENUE_NOT_FOUND', 'no such venue');
    const doc = await WalkupProduct.create({
      venueId: new Types.ObjectId(venueId),
      venueName,
      ...input,
      active: true,
      createdAt: clock.now(),
    });
    await kernel.audit(actorId, 'walkup.product.create', null, { venueId, productId: String(doc._id), ...input });
    return { product: await toDto(doc.toObject()) };
  }

  async function listProducts(venueId: string) {
    const rows = await WalkupProduct.find({ venueId, active: true }).sort({ createdAt: 1 }).limit(50).lean<WalkupProductDoc[]>();
    return { items: await Promise.all(rows.map(toDto)) };
  }

  async function purchase(userId: string, venueId: string, productId: string, native: boolean) {
    const product = await WalkupProduct.findOne({ _id: productId, venueId, active: true }).lean<WalkupProductDoc>();
    if (!product) throw new AppError('WALKUP_PRODUCT_NOT_FOUND', 'no such walk-up ticket at this venue');
    const now = clock.now();
    const dayId = dayIdOf(product._id, now);
    await WalkupDay.updateOne({ _id: dayId }, { $setOnInsert: { remaining: product.dailyCapacity, applied: [] } }, { upsert: true });
    const _id = new Types.ObjectId();
    const expiresAt = new Date(now.getTime() + WALKUP_HOLD_MS);
    await WalkupPurchase.create({
      _id,
      productId: product._id,
      venueId: product.venueId,
      userId: new Types.ObjectId(userId),
      dayId,
      status: 'taking',
      orderId: null,
      priceFen: product.priceFen,
      createdAt: now,
      expiresAt,
      paidAt: null,
    });
    kernel.crashPoint('walkup.purchase:before-take');
    if (!(await kernel.capacity.take(WALKUP_DAY, dayId, 1, { holder: String(_id) }))) {
      await WalkupPurchase.updateOne({ _id, status: 'taking' }, { $set: { status: 'released' } });
      throw new AppError('WALKUP_SOLD_OUT', 'no places left today');
    }
    let orderId: string;
    try {
      ({ orderId } = await deps.payments().createOrder({
        kind: 'walkup',
        ownerId: userId,
        refId: String(_id),
        description: `${product.venueName} ${product.name}`.slice(0, 60),
        items: [{ name: product.name, quantity: 1, unitFen: product.priceFen }],
        amountFen: product.priceFen,
        expiresAt,
        tags: { venueId: String(product.venueId), sport: product.sport },
      }));
    } catch (err) {
      await release(String(_id));
      throw err;
    }
    await WalkupPurchase.updateOne({ _id, status: 'taking' }, { $set: { status: 'pending', orderId } });
    const payNative = native ? deps.payments().payNative : undefined;
    if (native && !payNative) throw new AppError('UPSTREAM_UNAVAILABLE', 'WeChat Pay Native is not configured');
    const nativePay = payNative ? await payNative(orderId) : null;
    return { purchaseId: String(_id), orderId, amountFen: product.priceFen, expiresAt: expiresAt.toISOString(), native: nativePay };
  }

  /** taking|pending → released, the place owed back in the same update (kernel effects: once per purchase, swept after a crash) */
  async function release(purchaseId: string): Promise<void> {
    const p = await kernel.effects.transition<WalkupPurchaseDoc>(
      PURCHASES,
      { _id: new Types.ObjectId(purchaseId), status: { $in: ['taking', 'pending'] } },
      { status: 'released' },
      ['capacity'],
    );
    if (p) await kernel.effects.finish(PURCHASES, p);
  }

  /** paid: the ticket, valid from now for the product's time (issuing again is harmless) */
  async function onPaid(purchaseId: string): Promise<PaidOutcome> {
    const now = clock.now();
    const won = await kernel.transition<WalkupPurchaseDoc>(
      'walkup_purchases',
      { _id: new Types.ObjectId(purchaseId), status: { $in: ['taking', 'pending'] } },
      { $set: { status: 'paid', paidAt: now } },
    );
    const p = won ?? (await WalkupPurchase.findById(purchaseId).lean<WalkupPurchaseDoc>());
    if (!p || p.status === 'released') return 'rejected';
    const product = (await WalkupProduct.findById(p.productId).lean<WalkupProductDoc>())!;
    const from = p.paidAt ?? now;
    await deps.tickets.issue({
      source: { kind: 'walkup', id: purchaseId },
      userId: String(p.userId),
      venueId: String(p.venueId),
      venueName: product.venueName,
      resourceName: product.name,
      sport: product.sport,
      startAt: from,
      endAt: new Date(from.getTime() + product.durationMinutes * 60_000),
      quantity: 1,
    });
    return 'applied';
  }

  async function onAdmitted(purchaseId: string) {
    await WalkupPurchase.updateOne({ _id: purchaseId, status: 'paid' }, { $set: { status: 'used' } });
  }

  /**
   * The sweeper (leased job): unpaid orders past their time are closed through payment (which
   * tells `onClosed`: the place back); purchases a crash left `taking` are rolled back.
   */
  async function sweep() {
    const now = clock.now();
    let closed = 0;
    const expired = await WalkupPurchase.find({ status: 'pending', expiresAt: mongoose.trusted({ $lte: now }) })
      .limit(500)
      .lean<WalkupPurchaseDoc[]>();
    for (const p of expired) {
      await deps.payments().closeOrder(p.orderId!, 'walk-up order not paid in time');
      await release(String(p._id));
      closed++;
    }
    const stale = await WalkupPurchase.find({
      status: 'taking',
      createdAt: mongoose.trusted({ $lte: new Date(now.getTime() - TAKING_STALE_MS) }),
    })
      .limit(500)
      .lean<WalkupPurchaseDoc[]>();
    for (const p of stale) await release(String(p._id));
    const swept = await kernel.effects.sweep(PURCHASES);
    return { closed, healed: stale.length, swept };
  }

  async function productVenue(productId: string) {
    const p = await WalkupProduct.findById(productId, { venueId: 1 }).lean<{ venueId: Types.ObjectId }>();
    return p ? String(p.venueId) : null;
  }

  return { createProduct, listProducts, purchase, release, onPaid, onAdmitted, sweep, productVenue };
}
export type WalkupService = ReturnType<typeof createWalkupService>;
