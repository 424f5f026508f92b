import mongoose, { Types } from 'mongoose';
import {
  voucherDiscountFen,
  type CreateVoucherBatch,
  type Sport,
  type Voucher as VoucherDto,
  type VoucherBatch as VoucherBatchDto,
} from '@citysport/shared';
import { AppError } from '../../platform/errors';
import type { Kernel } from '../../platform/kernel';
import { emit } from '../../platform/outbox';
import type { Clock } from '../../platform/clock';
import type { Pseudonymizer } from '../../platform/pseudonym';
import { Voucher, VoucherBatch, type VoucherBatchDoc, type VoucherDoc } from './voucher.model';

function batchDto(b: VoucherBatchDoc, names: Map<string, string> = new Map()): VoucherBatchDto {
  return {
    id: String(b._id),
    name: b.name,
    kind: b.kind,
    faceFen: b.faceFen,
    percentOff: b.percentOff,
    maxDiscountFen: b.maxDiscountFen,
    minSpendFen: b.minSpendFen,
    sports: b.sports,
    venueIds: b.venueIds,
    venueNames: b.venueIds.map((id) => names.get(id)).filter((n): n is string => !!n),
    validFrom: b.validFrom.toISOString(),
    validTo: b.validTo.toISOString(),
    perPersonLimit: b.perPersonLimit,
    total: b.total,
    remaining: b.remaining,
  };
}

/** What a voucher takes off an order, or why it cannot be used on it. */
export function discountOf(
  b: VoucherBatchDoc,
  order: { amountFen: number; sport?: string; venueId?: string },
  now: Date,
): { ok: true; discountFen: number } | { ok: false; reason: string } {
  if (now < b.validFrom || now > b.validTo) return { ok: false, reason: 'not valid now' };
  if (order.amountFen < b.minSpendFen) return { ok: false, reason: `minimum spend ${b.minSpendFen} fen` };
  if (b.sports.length && !b.sports.includes(order.sport as Sport)) return { ok: false, reason: 'not for this sport' };
  if (b.venueIds.length && !b.venueIds.includes(order.venueId ?? '')) return { ok: false, reason: 'not for this venue' };
  return { ok: true, discountFen: voucherDiscountFen(b, order.amountFen) };
}

/** The capacity kind of voucher batches (platform/capacity): `remaining` on the batch document. */
export const VOUCHER_BATCH_CAPACITY = 'voucher_batch';

export function createVoucherService(deps: {
  clock: Clock;
  pseudonym: Pseudonymizer;
  kernel: Kernel;
  /** the venues a restricted voucher is for, by name (the claim centre and 我的消费券 say where it works) */
  venueNames?: (venueIds: string[]) => Promise<Map<string, string>>;
}) {
  const { clock, kernel } = deps;
  const namesOf = async (batches: VoucherBatchDoc[]) => {
    const ids = [...new Set(batches.flatMap((b) => b.venueIds))];
    return ids.length && deps.venueNames ? deps.venueNames(ids) : new Map<string, string>();
  };
  kernel.capacity.define(VOUCHER_BATCH_CAPACITY, { collection: 'voucher_batches' });

  async function createBatch(actorId: string, input: CreateVoucherBatch) {
    const validFrom = new Date(input.validFrom);
    const validTo = new Date(input.validTo);
    if (validTo <= validFrom)
      throw new AppError('VALIDATION_FAILED', 'validTo must be after validFrom', [{ path: 'validTo', message: 'before validFrom' }]);
    if (input.kind === 'amount' && input.faceFen <= 0)
      throw new AppError('VALIDATION_FAILED', 'an amount voucher needs faceFen', [{ path: 'faceFen', message: 'required' }]);
    if (input.kind === 'percent' && input.percentOff <= 0)
      throw new AppError('VALIDATION_FAILED', 'a percent voucher needs percentOff', [{ path: 'percentOff', message: 'required' }]);
    const b = await VoucherBatch.create({
      ...input,
      validFrom,
      validTo,
      remaining: input.total,
      createdBy: new Types.ObjectId(actorId),
      createdAt: clock.now(),
    });
    await kernel.audit(actorId, 'voucher_batch.create', null, { batchId: String(b._id), name: input.name, total: input.total });
    return batchDto(b.toObject());
  }

  async function openBatches() {
    const now = clock.now();
    const rows = await VoucherBatch.find({ validFrom: mongoose.trusted({ $lte: now }), validTo: mongoose.trusted({ $gt: now }) })
      .sort({ createdAt: -1 })
      .limit(100)
      .lean<VoucherBatchDoc[]>();
    const names = await namesOf(rows);
    return rows.map((b) => batchDto(b, names));
  }

  /** Two guarded takes — the person's limit, then the batch's capacity — so neither is ever overspent under a rush. */
  async function claim(userId: string, batchId: string): Promise<VoucherDto> {
    const now = clock.now();
    const b = await VoucherBatch.findById(batchId).lean<VoucherBatchDoc>();
    if (!b) throw new AppError('VOUCHER_NOT_FOUND', 'no such voucher batch');
    if (now < b.validFrom || now > b.validTo) throw new AppError('VOUCHER_NOT_APPLICABLE', 'this batch is not open');
    if (b.remaining <= 0) throw new AppError('VOUCHER_SOLD_OUT', 'all vouchers of this batch are claimed');
    // the person's count (kernel limits), then the batch (kernel capacity), both exactly once per voucher
    const voucherId = new Types.ObjectId();
    const holder = `voucher:${voucherId}`;
    const perPerson = await kernel.limits.take(
      {
        counter: kernel.limits.counterId('voucher', [batchId, userId], 'all', 'all'),
        checks: [{ field: 'claims', max: b.perPersonLimit, label: 'per person' }],
      },
      { holder },
    );
    if (!perPerson.ok) throw new AppError('VOUCHER_LIMIT_REACHED', `at most ${b.perPersonLimit} per person`);
    if (!(await kernel.capacity.take(VOUCHER_BATCH_CAPACITY, b._id, 1, { holder }))) {
      await kernel.limits.giveBack(perPerson.key, { holder });
      throw new AppError('VOUCHER_SOLD_OUT', 'all vouchers of this batch are claimed');
    }
    const v = await Voucher.create({
      _id: voucherId,
      batchId: b._id,
      userId: new Types.ObjectId(userId),
      status: 'available',
      orderId: null,
      claimedAt: now,
      usedAt: null,
    });
    await emit(
      'voucher.claimed',
      { subject: deps.pseudonym(userId), batchId, voucherId: String(v._id) },
      { eventId: `voucher.claimed:${v._id}` },
    );
    return toDto(v.toObject(), b, now, await namesOf([b]));
  }

  function toDto(v: VoucherDoc, b: VoucherBatchDoc, now: Date, names?: Map<string, string>): VoucherDto {
    const { id: _batchId, total: _t, remaining: _r, perPersonLimit: _p, ...rest } = batchDto(b, names);
    return {
      ...rest,
      id: String(v._id),
      batchId: String(b._id),
      status: v.status === 'available' && now > b.validTo ? 'expired' : v.status,
      orderId: v.orderId ? String(v.orderId) : null,
    };
  }

  async function mine(userId: string): Promise<VoucherDto[]> {
    const vs = await Voucher.find({ userId }).sort({ claimedAt: -1 }).limit(200).lean<VoucherDoc[]>();
    const batches = await VoucherBatch.find({
      _id: mongoose.trusted({ $in: Array.from(new Set(vs.map((v) => String(v.batchId)))).map((id) => new Types.ObjectId(id)) }),
    }).lean<VoucherBatchDoc[]>();
    const byId = new Map(batches.map((b) => [String(b._id), b]));
    const now = clock.now();
    const names = await namesOf(batches);
    return vs.filter((v) => byId.has(String(v.batchId))).map((v) => toDto(v, byId.get(String(v.batchId))!, now, names));
  }

  /** Locks the user's voucher to an order and answers the discount; guarded, so a voucher pays one order. */
  async function lockFor(
    userId: string,
    voucherId: string,
    order: { id: string; amountFen: number; sport?: string; venueId?: string },
  ): Promise<number> {
    const v = await Voucher.findOne({ _id: voucherId, userId }).lean<VoucherDoc>();
    if (!v) throw new AppError('VOUCHER_NOT_FOUND', 'no such voucher');
    const b = await VoucherBatch.findById(v.batchId).lean<VoucherBatchDoc>();
    const d = b ? discountOf(b, order, clock.now()) : { ok: false as const, reason: 'batch gone' };
    if (!d.ok) throw new AppError('VOUCHER_NOT_APPLICABLE', `voucher cannot be used: ${d.reason}`);
    const locked = await Voucher.updateOne(
      { _id: v._id, $or: [{ status: 'available' }, { status: 'locked', orderId: new Types.ObjectId(order.id) }] } as never,
      { $set: { status: 'locked', orderId: new Types.ObjectId(order.id) } },
    );
    if (locked.matchedCount !== 1) throw new AppError('VOUCHER_NOT_APPLICABLE', 'voucher is in use or used');
    return d.discountFen;
  }

  /** Frees the vouchers locked to an order (or just `voucherId`), e.g. when it closes unpaid or the voucher is swapped. */
  async function release(orderId: string, voucherId?: string) {
    await Voucher.updateMany(
      { orderId: new Types.ObjectId(orderId), status: 'locked', ...(voucherId ? { _id: new Types.ObjectId(voucherId) } : {}) },
      { $set: { status: 'available', orderId: null } },
    );
  }

  async function consume(orderId: string) {
    const now = clock.now();
    const vs = await Voucher.find({ orderId: new Types.ObjectId(orderId), status: 'locked' }).lean<VoucherDoc[]>();
    for (const v of vs) {
      const won = await Voucher.updateOne({ _id: v._id, status: 'locked' }, { $set: { status: 'used', usedAt: now } });
      if (won.modifiedCount === 1)
        await emit(
          'voucher.used',
          { subject: deps.pseudonym(String(v.userId)), batchId: String(v.batchId), voucherId: String(v._id), orderId },
          { eventId: `voucher.used:${v._id}` },
        );
    }
  }

  /** A full refund gives the voucher back (a partial one does not: the rule the pay page states). */
  async function restore(orderId: string) {
    await Voucher.updateMany(
      { orderId: new Types.ObjectId(orderId), status: 'used' },
      { $set: { status: 'available', orderId: null, usedAt: null } },
    );
  }

  return { createBatch, openBatches, claim, mine, lockFor, release, consume, restore };
}
export type VoucherService = ReturnType<typeof createVoucherService>;
