/**
 * The job runner when the engine is away (issue 18, faults): taking a job's lease is itself a
 * database write; when it throws, the run is logged and skipped. The timers call
 * `void runOnce(job)`, so a rejection there would be unhandled and end the API process.
 */
import { Writable } from 'node:stream';
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { createJobRunner } from '../../cloud/src/platform/jobs';
import { createLogger } from '../../cloud/src/platform/logger';

beforeAll(() => mongoose.set('bufferCommands', false)); // not connected: the lease write throws at once
afterAll(() => mongoose.set('bufferCommands', true));

test('a lease that cannot be taken is logged and the run skipped, never a rejection', async () => {
  const lines: { level: number; msg: string; job?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const runner = createJobRunner({ clock: new ManualClock(new Date()), logger: createLogger('info', sink) });
  let ran = 0;
  const job = { name: 'fault-job', everyMs: 1000, run: async () => void ran++ };
  await expect(runner.runOnce(job)).resolves.toEqual({ ran: false, reason: 'unavailable' });
  expect(ran).toBe(0);
  expect(lines.filter((l) => l.job === 'fault-job' && l.level >= 40).map((l) => l.msg)).toEqual(['job lease not taken; next run retries']);
  // the next run is not refused as "still running": the failed attempt let go of its local mark
  await expect(runner.runOnce(job)).resolves.toEqual({ ran: false, reason: 'unavailable' });
});
