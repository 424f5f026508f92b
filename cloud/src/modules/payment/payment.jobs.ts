import { businessDay, inShanghai } from '@citysport/shared';
import type { Clock } from '../../platform/clock';
import type { PaymentService } from './payment.service';
import type { Reconciliation } from './reconciliation';

export interface PaymentJob {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

/** WeChat's bill of a Shanghai day is ready from about 10:00 the next day. */
const BILL_READY_HOUR = 10;

/**
 * Payment's jobs, for the job registry. Time comes from the injected clock only, so the daily
 * reconciliation's schedule can be tested (and two instances agree on "yesterday").
 */
export function paymentJobs(deps: { clock: Clock; payment: PaymentService; reconciliation: Reconciliation }): PaymentJob[] {
  const { clock, payment, reconciliation } = deps;
  return [
    { name: 'payment.pending-orders', everyMs: 30_000, run: () => payment.reconcilePending() },
    { name: 'payment.pending-refunds', everyMs: 60_000, run: () => payment.reconcileRefunds() },
    { name: 'payment.effects-sweeper', everyMs: 60_000, run: () => payment.sweepEffects() },
    // 电子发票: crashed requests finished, issuing and reversing asked about, refunded orders' invoices reversed
    { name: 'payment.invoices', everyMs: 10_000, run: () => payment.invoices.runJob() },
    {
      name: 'payment.daily-reconciliation',
      everyMs: 60 * 60_000,
      run: async () => {
        const now = clock.now();
        const yesterday = businessDay(new Date(now.getTime() - 86_400_000));
        if (inShanghai(now).hour() < BILL_READY_HOUR) return 'skipped: bill not ready';
        if (await reconciliation.get(yesterday)) return 'skipped: done';
        const report = await reconciliation.run(yesterday);
        return { billDate: report.billDate, items: report.items.length };
      },
    },
  ];
}
