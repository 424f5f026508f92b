import mongoose from 'mongoose';
import { Order, type OrderDoc } from './payment.model';
import type { PaymentContext } from './payment.context';

/** At most this many orders are checked at WeChat at once; each on its own, so one slow call holds up only itself. */
const ITEM_CONCURRENCY = 8;

/** Runs `work` for each item in a small pool; an item's failure or slowness never stops the others. */
export async function eachIsolated<T>(items: T[], work: (item: T) => Promise<void>, concurrency = ITEM_CONCURRENCY): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return failed;
}

/**
 * The pending-order job: asks WeChat about orders with no notification (backing off), closes the
 * expired ones and those a domain asked to close (WeChat's close has the client's timeout), and
 * tells domains of payments a crash kept from them.
 */
export function createPending(ctx: PaymentContext, closeAtWechat: (o: OrderDoc, reason: string) => Promise<void>) {
  const { deps } = ctx;
  const { clock, wechatPay } = deps;

  async function checkOne(o: OrderDoc, now: Date, counts: { paid: number; closed: number }) {
    await Order.updateOne({ _id: o._id }, { $set: { nextQueryAt: ctx.backoff(o.queryCount + 1) }, $inc: { queryCount: 1 } });
    try {
      if (o.prepayId) {
        const tx = await wechatPay.query(o.outTradeNo);
        if (tx?.trade_state === 'SUCCESS') {
          if ((await ctx.applyPaid(o, tx, 'query')) === 'applied') counts.paid++;
          return;
        }
      }
      if (o.expiresAt <= now || o.closeRequestedAt) {
        await closeAtWechat(o, o.closeReason ?? 'expired');
        if ((await Order.exists({ _id: o._id, status: 'closed' })) !== null) counts.closed++;
      }
    } catch (err) {
      deps.logger.warn({ err, orderId: String(o._id) }, 'pending order check failed; will retry');
      throw err;
    }
  }

  async function reconcilePending(): Promise<{ paid: number; closed: number; failed: number }> {
    const now = clock.now();
    const due = await Order.find({ status: 'pending', nextQueryAt: mongoose.trusted({ $lte: now }) })
      .limit(200)
      .lean<OrderDoc[]>();
    const counts = { paid: 0, closed: 0 };
    const failed = await eachIsolated(due, (o) => checkOne(o, now, counts));
    // paid orders whose domain was not told (a crash between the two): tell it now
    const untold = await Order.find({
      status: 'paid',
      domainNotifiedAt: null,
      paidAt: mongoose.trusted({ $lte: new Date(now.getTime() - 30_000) }),
    })
      .limit(200)
      .lean<OrderDoc[]>();
    await eachIsolated(untold, (o) => ctx.tellDomain(o._id));
    return { ...counts, failed };
  }

  return { reconcilePending };
}
