import { businessDay, inShanghai } from '@citysport/shared';
import type { Logger } from '../platform/logger';
import type { CloudApp } from '../app';

export interface Job {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

/** Slots stay materialised through each venue's advance window (re-runs insert only what is missing). */
export function materialiseJob(services: CloudApp['services']): Job {
  return {
    name: 'materialise-slots',
    everyMs: 60 * 60 * 1000,
    async run() {
      let inserted = 0;
      for (const venueId of await services.venues.allVenueIds()) inserted += await services.venues.materialiseSlots(venueId);
      return { inserted };
    },
  };
}

export function bookingJobs(services: CloudApp['services']): Job[] {
  return [
    { name: 'expire-holds', everyMs: 15_000, run: () => services.bookings.expireHolds() },
    { name: 'mark-no-shows', everyMs: 60_000, run: () => services.bookings.markNoShows() },
    { name: 'booking-reminders', everyMs: 60_000, run: () => services.bookings.sendReminders() },
  ];
}

export function paymentJobs(services: CloudApp['services']): Job[] {
  const payment = services.payment;
  if (!payment) return [];
  return [
    { name: 'pending-orders', everyMs: 30_000, run: () => payment.reconcilePending() },
    { name: 'pending-refunds', everyMs: 60_000, run: () => payment.reconcileRefunds() },
    {
      // WeChat's bill of a day is ready from about 10:00 the next day; check yesterday once a report is missing
      name: 'daily-reconciliation',
      everyMs: 60 * 60_000,
      run: async () => {
        const yesterday = businessDay(new Date(Date.now() - 86_400_000));
        if (inShanghai(new Date()).hour() < 10 || (await services.reconciliation?.get(yesterday))) return 'skipped';
        return services.reconciliation?.run(yesterday);
      },
    },
  ];
}

/** Runs jobs on their intervals, one run of a job at a time; errors are logged, never thrown. */
export function startJobs(jobs: Job[], logger: Logger, opts: { runAtStart?: boolean } = {}) {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<string>();
  const tick = async (job: Job) => {
    if (running.has(job.name)) return;
    running.add(job.name);
    try {
      const result = await job.run();
      logger.debug({ job: job.name, result }, 'job done');
    } catch (err) {
      logger.error({ err, job: job.name }, 'job failed');
    } finally {
      running.delete(job.name);
    }
  };
  for (const job of jobs) {
    if (opts.runAtStart) void tick(job);
    const t = setInterval(() => void tick(job), job.everyMs);
    t.unref();
    timers.push(t);
  }
  return { stop: () => timers.forEach(clearInterval) };
}
