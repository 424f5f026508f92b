import type { Logger } from '../platform/logger';
import { createJobRunner, type JobSpec } from '../platform/jobs';
import type { CloudApp } from '../app';

export type Job = JobSpec;

/**
 * Starts every module's jobs (the registry is fed by the module descriptors, see app.ts) on this
 * instance. Each run first takes the job's lease in the database, so with several API instances
 * a job runs on one of them at a time (platform/jobs.ts).
 */
export function startJobs(cloud: CloudApp, logger: Logger, opts: { runAtStart?: boolean; instanceId?: string } = {}) {
  const runner = createJobRunner({ clock: cloud.clock, logger, instanceId: opts.instanceId });
  const running = runner.start(cloud.jobs, opts);
  return { runner, stop: running.stop };
}
