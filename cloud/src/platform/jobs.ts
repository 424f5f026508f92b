import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import type { Clock } from './clock';
import type { Logger } from './logger';
import { isInjectedCrash } from './crash';

/**
 * Jobs (ARCHITECTURE.md, "The kernel"): each module exports its jobs; one runner per API
 * instance runs them on their intervals. Before each run the instance takes the job's lease, a
 * document `{_id: name, owner, until}` taken by a guarded upsert (free when `until` has passed),
 * so two instances never run the same job at once. The lease is let go after the run; a crashed
 * run's lease simply lapses.
 */
export interface JobSpec {
  name: string;
  everyMs: number;
  /** longest a run may hold the lease (default: 5 minutes) */
  leaseMs?: number;
  run(): Promise<unknown>;
}

/** `unavailable`: the lease could not be taken at all (the engine is away); the next interval tries again */
export type JobOutcome = { ran: true; result: unknown } | { ran: false; reason: 'leased' | 'running' | 'unavailable' };

const LEASES = 'job_leases';

export function createJobRunner(opts: { clock: Clock; logger: Logger; instanceId?: string }) {
  const owner = opts.instanceId ?? randomUUID();
  const coll = () => mongoose.connection.collection(LEASES);
  const local = new Set<string>();

  async function acquire(name: string, leaseMs: number): Promise<boolean> {
    const now = opts.clock.now();
    try {
      await coll().updateOne(
        { _id: name as never, until: { $lte: now } },
        { $set: { owner, until: new Date(now.getTime() + leaseMs), takenAt: now } },
        { upsert: true },
      );
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false; // someone else holds it
      throw err;
    }
  }

  async function release(name: string) {
    await coll().updateOne({ _id: name as never, owner }, { $set: { until: new Date(0) } });
  }

  /** One run of a job if this instance gets its lease; errors (the lease's own included) are logged and returned, never thrown. */
  async function runOnce(job: JobSpec): Promise<JobOutcome> {
    if (local.has(job.name)) return { ran: false, reason: 'running' };
    local.add(job.name);
    try {
      let leased: boolean;
      try {
        leased = await acquire(job.name, job.leaseMs ?? 5 * 60_000);
      } catch (err) {
        // the timers call `void runOnce(job)`: a rejection here would be unhandled and end the process
        opts.logger.warn({ err, job: job.name }, 'job lease not taken; next run retries');
        return { ran: false, reason: 'unavailable' };
      }
      if (!leased) return { ran: false, reason: 'leased' };
      try {
        const result = await job.run();
        opts.logger.debug({ job: job.name, result }, 'job done');
        return { ran: true, result };
      } catch (err) {
        opts.logger.error({ err, job: job.name }, 'job failed');
        return { ran: true, result: { error: (err as Error).message } };
      } finally {
        await release(job.name).catch((err) => opts.logger.warn({ err, job: job.name }, 'lease not released; it lapses'));
      }
    } finally {
      local.delete(job.name);
    }
  }

  function start(jobs: JobSpec[], o: { runAtStart?: boolean } = {}) {
    const timers: NodeJS.Timeout[] = [];
    for (const job of jobs) {
      if (o.runAtStart) void runOnce(job);
      const t = setInterval(() => void runOnce(job), job.everyMs);
      t.unref();
      timers.push(t);
    }
    return { stop: () => timers.forEach(clearInterval) };
  }

  return { owner, runOnce, start };
}
export type JobRunner = ReturnType<typeof createJobRunner>;

/** Runs `work` on each item; one failing item is logged and counted, never stops the batch. */
export async function eachIsolated<T>(
  items: T[],
  work: (item: T) => Promise<boolean | void>,
  log: { logger: Logger; job: string },
): Promise<{ done: number; failed: number }> {
  let done = 0;
  let failed = 0;
  for (const item of items) {
    try {
      if ((await work(item)) !== false) done++;
    } catch (err) {
      if (isInjectedCrash(err)) throw err; // a crash test's "process died here" is not an item failure
      failed++;
      log.logger.warn({ err, job: log.job }, 'item failed; the next run retries it');
    }
  }
  return { done, failed };
}

/** An external call with a deadline: rejects with `TimeoutError` after `ms`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${label} timed out after ${ms} ms`), { name: 'TimeoutError' })), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
