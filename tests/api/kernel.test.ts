/**
 * The kernel's primitives on the real engine (cloud/src/platform): capacity and limits are
 * exactly-once per holder, idempotency answers retries with the first result and survives a
 * crashed claim, the job lease lets one instance in.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { createKernel, CrashSwitch, type Kernel } from '../../cloud/src/platform/kernel';
import { createLogger } from '../../cloud/src/platform/logger';
import { createJobRunner } from '../../cloud/src/platform/jobs';
import { connectTestDatabase } from '../support/db';

let close: () => Promise<void>;
let kernel: Kernel;
const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
const logger = createLogger('silent');
const counters = () => mongoose.connection.db!.collection<any>('kernel_counters');

beforeAll(async () => {
  close = (await connectTestDatabase('kernel')).close;
  kernel = createKernel({ clock, logger });
  kernel.capacity.define('test', { collection: 'kernel_counters', guard: { status: 'open' } });
});
afterAll(() => close());

async function counter(remaining: number, status = 'open') {
  const { insertedId } = await counters().insertOne({ remaining, status });
  return insertedId;
}
const remaining = async (id: unknown) => (await counters().findOne({ _id: id as never }))!.remaining as number;

describe('capacity', () => {
  test('a take and its retries take once; a give-back and its retries give back once', async () => {
    const id = await counter(5);
    const takes = await Promise.all(Array.from({ length: 20 }, () => kernel.capacity.take('test', id, 2, { holder: 'b1' })));
    expect(takes.every(Boolean)).toBe(true);
    expect(await remaining(id)).toBe(3);
    const gives = await Promise.all(Array.from({ length: 20 }, () => kernel.capacity.giveBack('test', id, 2, { holder: 'b1' })));
    expect(gives.filter(Boolean)).toHaveLength(1);
    expect(await remaining(id)).toBe(5);
    // a sweeper re-running the give-back after a crash creates no phantom place
    expect(await kernel.capacity.giveBack('test', id, 2, { holder: 'b1' })).toBe(false);
    expect(await remaining(id)).toBe(5);
  });

  test('a give-back before its take leaves a tombstone: the late take is refused (no place taken for nobody)', async () => {
    const id = await counter(1);
    expect(await kernel.capacity.giveBack('test', id, 1, { holder: 'late' })).toBe(false);
    expect(await kernel.capacity.take('test', id, 1, { holder: 'late' })).toBe(false);
    expect(await remaining(id)).toBe(1);
  });

  test('a take whose token slid out of the bounded list: given back once when the holder says it took, leaked (never oversold) when it cannot', async () => {
    kernel.capacity.define('test-small', { collection: 'kernel_counters', keepTokens: 4 });
    const id = await counter(10);
    expect(await kernel.capacity.take('test-small', id, 1, { holder: 'early' })).toBe(true);
    expect(await kernel.capacity.take('test-small', id, 1, { holder: 'early-2' })).toBe(true);
    for (const h of ['a', 'b', 'c', 'd']) expect(await kernel.capacity.take('test-small', id, 1, { holder: h })).toBe(true);
    expect((await counters().findOne({ _id: id }))!.applied).not.toContain('early:take'); // slid out
    expect(await remaining(id)).toBe(4);
    // a rollback that cannot tell whether it took: nothing given back (the safe direction)
    expect(await kernel.capacity.giveBack('test-small', id, 1, { holder: 'early-2' })).toBe(false);
    expect(await remaining(id)).toBe(4);
    // an ended booking knows it took: its place comes back, and only once, however often it is repeated
    const gives = await Promise.all(
      Array.from({ length: 20 }, () => kernel.capacity.giveBack('test-small', id, 1, { holder: 'early', taken: true })),
    );
    expect(gives.filter(Boolean)).toHaveLength(1);
    expect(await remaining(id)).toBe(5);
  });

  test('the guard and the count both hold: a closed counter and a short one refuse', async () => {
    const closed = await counter(10, 'closed');
    expect(await kernel.capacity.take('test', closed, 1, { holder: 'x' })).toBe(false);
    const short = await counter(1);
    expect(await kernel.capacity.take('test', short, 2, { holder: 'y' })).toBe(false);
    expect(await remaining(short)).toBe(1);
  });

  test('takeAll is all-or-nothing: losing one counter gives back the others', async () => {
    const a = await counter(1);
    const b = await counter(0);
    const res = await kernel.capacity.takeAll(
      [
        { kind: 'test', id: a, n: 1 },
        { kind: 'test', id: b, n: 1 },
      ],
      { holder: 'multi' },
    );
    expect(res).toMatchObject({ ok: false });
    expect([await remaining(a), await remaining(b)]).toEqual([1, 0]);
  });

  test('control switch: the unguarded kernel oversells under concurrency (the race the guard prevents)', async () => {
    const unguarded = createKernel({ clock, logger, unguardedForControlRun: true });
    unguarded.capacity.define('test', { collection: 'kernel_counters', guard: { status: 'open' } });
    const id = await counter(5);
    const takes = await Promise.all(Array.from({ length: 30 }, (_, i) => unguarded.capacity.take('test', id, 1, { holder: `u${i}` })));
    expect(takes.filter(Boolean).length).toBeGreaterThan(5);
  });
});

describe('limits', () => {
  const spec = (max: number) => ({ counter: `test:user1:week:${max}`, checks: [{ field: 'total', max, label: 'per week' }] });

  test('counts up to the limit once per holder, answers the limit reached, and gives back exactly once', async () => {
    const s = spec(2);
    expect(await kernel.limits.take(s, { holder: 'h1' })).toMatchObject({ ok: true });
    expect(await kernel.limits.take(s, { holder: 'h1' })).toMatchObject({ ok: true }); // a retry counts nothing
    expect(await kernel.limits.take(s, { holder: 'h2' })).toMatchObject({ ok: true });
    expect(await kernel.limits.take(s, { holder: 'h3' })).toEqual({ ok: false, over: [{ max: 2, per: 'per week' }] });
    const key = kernel.limits.keyOf(s);
    expect(await kernel.limits.giveBack(key, { holder: 'h1' })).toBe(true);
    expect(await kernel.limits.giveBack(key, { holder: 'h1' })).toBe(false);
    const doc = await mongoose.connection.db!.collection('limit_counters').findOne({ _id: s.counter as never });
    expect(doc?.total).toBe(1);
  });
});

describe('idempotency', () => {
  test('a retry gets the first result; another request under the key is refused', async () => {
    let runs = 0;
    const run = async () => ({ n: ++runs });
    const first = await kernel.claimOnce('test', 'u1', 'k1', 'hash-a', run);
    const again = await kernel.claimOnce('test', 'u1', 'k1', 'hash-a', run);
    expect([first, again]).toEqual([
      { result: { n: 1 }, replayed: false },
      { result: { n: 1 }, replayed: true },
    ]);
    await expect(kernel.claimOnce('test', 'u1', 'k1', 'hash-b', run)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(runs).toBe(1);
  });

  test('a claim left by a crash blocks the key only until its lease passes', async () => {
    const crashes = new CrashSwitch();
    const crashing = createKernel({ clock, logger, crashes });
    crashes.arm('work');
    await expect(
      crashing.claimOnce('test', 'u2', 'k2', 'h', async () => {
        crashing.crashPoint('work');
        return 1;
      }),
    ).rejects.toThrow('injected crash');
    clock.advance(61_000);
    await expect(kernel.claimOnce('test', 'u2', 'k2', 'h', async () => 2)).resolves.toEqual({ result: 2, replayed: false });
  });
});

describe('job lease', () => {
  test('two runners on one database: a job runs on one of them at a time', async () => {
    const a = createJobRunner({ clock, logger, instanceId: 'a' });
    const b = createJobRunner({ clock, logger, instanceId: 'b' });
    let running = 0;
    let overlaps = 0;
    let runs = 0;
    const job = {
      name: 'lease-test',
      everyMs: 1000,
      run: async () => {
        running++;
        if (running > 1) overlaps++;
        runs++;
        await new Promise((r) => setTimeout(r, 20));
        running--;
      },
    };
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).runOnce(job)));
    expect(overlaps).toBe(0);
    expect(runs).toBe(outcomes.filter((o) => o.ran).length);
    expect(runs).toBeGreaterThanOrEqual(1);
  });
});

describe('paging', () => {
  const Dated = mongoose.model('PagingDated', new mongoose.Schema({ startAt: Date, tag: String }, { collection: 'kernel_paging' }));
  test('in a field order, pages follow that order, ties by id, with no repeat or gap; an unknown cursor is a 400', async () => {
    const base = Date.UTC(2027, 0, 1);
    // inserted out of date order, with ties on the same day
    const days = [5, 1, 3, 1, 4, 2, 3, 0, 5, 2];
    await Dated.insertMany(days.map((d, i) => ({ startAt: new Date(base + d * 86_400_000), tag: `e${i}` })));
    const seen: { startAt: Date; _id: mongoose.Types.ObjectId }[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await kernel.cursorPage<any, any>(Dated, { tag: mongoose.trusted({ $ne: 'none' }) }, { cursor, limit: 3 }, (d) => d, {
        field: 'startAt',
        direction: 1,
      });
      seen.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(days.length);
    expect(new Set(seen.map((d) => String(d._id))).size).toBe(days.length);
    const keys = seen.map((d) => `${d.startAt.toISOString()}|${String(d._id)}`);
    expect(keys).toEqual([...keys].sort());
    await expect(
      kernel.cursorPage(Dated, {}, { cursor: String(new mongoose.Types.ObjectId()), limit: 3 }, (d) => d, {
        field: 'startAt',
        direction: 1,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('effects: checked steps (confirmed by the sweeper in bulk)', () => {
  const docs = () => mongoose.connection.db!.collection<any>('kernel_effects');
  const marks = () => mongoose.connection.db!.collection<any>('kernel_effect_marks');
  const runs: string[] = [];
  let checkCalls = 0;
  beforeAll(() => {
    // `mark` leaves a record the check can see; `plain` has no check (cleared at once, as before)
    kernel.effects.define<{ _id: unknown }>('test-checked', {
      collection: 'kernel_effects',
      staleMs: 60_000,
      steps: {
        mark: async (d) => {
          runs.push(`mark:${d._id}`);
          await marks().updateOne({ _id: String(d._id) as never }, { $set: { at: 1 } }, { upsert: true });
        },
        plain: async (d) => void runs.push(`plain:${d._id}`),
      },
      checks: {
        mark: async (batch) => {
          checkCalls++;
          const found = await marks()
            .find({ _id: { $in: batch.map((d) => String(d._id)) } as never })
            .toArray();
          return new Set(found.map((f) => String(f._id)));
        },
      },
    });
  });
  const doc = async () => (await docs().insertOne({ status: 'new' })).insertedId;
  const pendingOf = async (id: unknown) => (await docs().findOne({ _id: id as never }))!.pending as string[];

  test('its own transition runs it without a clean-up write; the sweeper confirms a batch with one check and runs nothing again', async () => {
    runs.length = 0;
    const ids = await Promise.all(Array.from({ length: 30 }, doc));
    for (const id of ids) {
      const won = await kernel.effects.transition('test-checked', { _id: id, status: 'new' }, { status: 'done' }, ['mark', 'plain']);
      expect(await kernel.effects.finish('test-checked', won!)).toEqual([]);
    }
    expect(runs).toHaveLength(60);
    // `plain` is cleared at once; `mark` ran and waits for the sweeper's check
    expect(await pendingOf(ids[0])).toEqual(['mark']);
    clock.advance(2 * 60_000);
    checkCalls = 0;
    runs.length = 0;
    expect(await kernel.effects.sweep('test-checked')).toEqual({ healed: 30, failed: 0 });
    expect(checkCalls).toBe(1);
    expect(runs).toEqual([]);
    for (const id of ids) expect(await pendingOf(id)).toEqual([]);
  });

  test('a crash before it ran: the sweeper finds it missing and runs it, once', async () => {
    runs.length = 0;
    const id = await doc();
    await kernel.effects.transition('test-checked', { _id: id, status: 'new' }, { status: 'done' }, ['mark']); // crashed: never finished
    clock.advance(2 * 60_000);
    expect(await kernel.effects.sweep('test-checked')).toEqual({ healed: 1, failed: 0 });
    expect(runs).toEqual([`mark:${id}`]);
    expect(await pendingOf(id)).toEqual([]);
    expect(await marks().countDocuments({ _id: String(id) as never })).toBe(1);
  });

  test('a later transition does not run a carried-over checked step again (it may be done): the sweeper decides', async () => {
    runs.length = 0;
    const id = await doc();
    await kernel.effects.transition('test-checked', { _id: id, status: 'new' }, { status: 'done' }, ['mark']); // crashed before it ran
    const next = await kernel.effects.transition('test-checked', { _id: id, status: 'done' }, { status: 'later' }, ['plain']);
    // not known done: reported as left, and left in pending for the sweeper
    expect(await kernel.effects.finish('test-checked', next!)).toEqual(['mark']);
    expect(runs).toEqual([`plain:${id}`]);
    expect(await pendingOf(id)).toEqual(['mark']);
    clock.advance(2 * 60_000);
    await kernel.effects.sweep('test-checked');
    expect(runs).toEqual([`plain:${id}`, `mark:${id}`]);
    expect(await pendingOf(id)).toEqual([]);
  });

  test('a backlog larger than one batch drains in one sweep (batches in _id order)', async () => {
    const ids = await Promise.all(Array.from({ length: 450 }, doc));
    await docs().updateMany({ _id: { $in: ids } }, { $set: { pending: ['mark'], pendingSince: clock.now() } });
    await marks().insertMany(ids.map((id) => ({ _id: String(id) as never })));
    clock.advance(2 * 60_000);
    checkCalls = 0;
    runs.length = 0;
    expect(await kernel.effects.sweep('test-checked')).toEqual({ healed: 450, failed: 0 });
    expect([checkCalls, runs.length]).toEqual([3, 0]);
    expect(await docs().countDocuments({ 'pending.0': { $exists: true } })).toBe(0);
  });
});
