/**
 * Proves the running engine keeps the guarantees our correctness rules rely on
 * (ARCHITECTURE.md, "Correctness rules" and "Database engine"). Runs before every other suite.
 */
import mongoose from 'mongoose';
import { connectTestDatabase } from '../support/db';
import { engineVersion } from '../../cloud/src/platform/db/connect';

let close: () => Promise<void>;
const coll = (name: string) => mongoose.connection.db!.collection(name);
const CALLERS = 200;

beforeAll(async () => {
  const db = await connectTestDatabase('fidelity');
  close = db.close;
  process.stdout.write(`\n[fidelity] engine: ${db.engineName}, reports MongoDB ${await engineVersion()}\n`);
});
afterAll(() => close());

test('a unique index rejects a duplicate with code 11000', async () => {
  const c = coll('uniq');
  await c.createIndex({ key: 1 }, { unique: true });
  await c.insertOne({ key: 'a' });
  await expect(c.insertOne({ key: 'a' })).rejects.toMatchObject({ code: 11000 });
  expect(await c.countDocuments({ key: 'a' })).toBe(1);
});

test('a compound unique index holds under concurrent inserts', async () => {
  const c = coll('uniq2');
  await c.createIndex({ resourceId: 1, startAt: 1 }, { unique: true });
  const startAt = new Date('2026-12-01T00:00:00Z');
  const results = await Promise.allSettled(Array.from({ length: CALLERS }, () => c.insertOne({ resourceId: 'r1', startAt })));
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  expect(await c.countDocuments({})).toBe(1);
});

test('control: naive read-then-write under 200 concurrent callers oversells (the race exists)', async () => {
  const c = coll('naive');
  const { insertedId } = await c.insertOne({ remaining: 50 });
  let successes = 0;
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      const doc = await c.findOne({ _id: insertedId });
      if (doc && doc.remaining >= 1) {
        await c.updateOne({ _id: insertedId }, { $set: { remaining: doc.remaining - 1 } });
        successes++;
      }
    }),
  );
  const final = await c.findOne({ _id: insertedId });
  process.stdout.write(`[fidelity] control: naive pattern sold ${successes} of 50, final remaining ${final?.remaining}\n`);
  expect(successes).toBeGreaterThan(50);
});

test('200 concurrent guarded decrements on remaining: 50 give exactly 50 successes and remaining 0', async () => {
  const c = coll('guarded');
  const { insertedId } = await c.insertOne({ remaining: 50 });
  const results = await Promise.all(
    Array.from({ length: CALLERS }, () => c.updateOne({ _id: insertedId, remaining: { $gte: 1 } }, { $inc: { remaining: -1 } })),
  );
  const successes = results.filter((r) => r.modifiedCount === 1).length;
  const final = await c.findOne({ _id: insertedId });
  process.stdout.write(`[fidelity] guarded: ${successes} successes, final remaining ${final?.remaining}\n`);
  expect(successes).toBe(50);
  expect(final?.remaining).toBe(0);
});

test('guarded multi-place takes ($gte n) never go below zero', async () => {
  const c = coll('guardedN');
  const { insertedId } = await c.insertOne({ remaining: 50 });
  const sizes = Array.from({ length: CALLERS }, (_, i) => (i % 3) + 1);
  const results = await Promise.all(
    sizes.map((n) => c.updateOne({ _id: insertedId, remaining: { $gte: n } }, { $inc: { remaining: -n } })),
  );
  const taken = results.reduce((sum, r, i) => sum + (r.modifiedCount === 1 ? sizes[i] : 0), 0);
  const final = await c.findOne({ _id: insertedId });
  expect(final?.remaining).toBe(50 - taken);
  expect(final?.remaining).toBeGreaterThanOrEqual(0);
  expect(taken).toBeGreaterThan(45);
});

test('guarded state transitions through mongoose (sanitizeFilter on, operators marked trusted) happen exactly once', async () => {
  const Hold = mongoose.model('FidelityHold', new mongoose.Schema({ status: String, remaining: Number }));
  // As ensureIndexes() does before the app serves: mongoose's autoCreate sends `create` on
  // another connection, and mongo-java-server's `create` checks-then-creates outside the lock
  // the first insert takes, so a late `create` can replace the collection the insert just made.
  await Hold.init();
  const hold = await Hold.create({ status: 'held', remaining: 1 });
  const results = await Promise.all(
    Array.from({ length: CALLERS }, () => Hold.updateOne({ _id: hold._id, status: 'held' }, { $set: { status: 'expired' } })),
  );
  expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(1);
  // sanitizeFilter wraps an operator smuggled in as a value in $eq, so it is never run as a query
  // (it fails to cast, which the error middleware answers with 400) …
  await expect(Hold.countDocuments({ status: { $ne: 'nothing' } } as never)).rejects.toBeInstanceOf(mongoose.Error.CastError);
  // … while trusted() keeps ours working
  expect(await Hold.countDocuments({ remaining: mongoose.trusted({ $gte: 1 }) })).toBe(1);
});

test('an upsert race on a unique key yields one document', async () => {
  const c = coll('upserts');
  await c.createIndex({ openid: 1 }, { unique: true });
  const results = await Promise.allSettled(
    Array.from({ length: CALLERS }, (_, i) =>
      c.findOneAndUpdate(
        { openid: 'same' },
        { $set: { lastSeen: i }, $setOnInsert: { createdBy: i } },
        { upsert: true, returnDocument: 'after' },
      ),
    ),
  );
  const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  // a losing insert may surface as E11000 (as on mongod); a retry then finds the winner
  for (const r of rejected) expect(r.reason).toMatchObject({ code: 11000 });
  expect(await c.countDocuments({ openid: 'same' })).toBe(1);
});

test('insertMany with ordered:false skips duplicates and inserts the rest', async () => {
  const c = coll('bulk');
  await c.createIndex({ k: 1 }, { unique: true });
  await c.insertOne({ k: 2 });
  const err = await c.insertMany([{ k: 1 }, { k: 2 }, { k: 3 }], { ordered: false }).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 11000 });
  expect(await c.countDocuments({})).toBe(3);
});

test('aggregation: $match, $group with $sum, $sort, $project and date bucketing in Asia/Shanghai', async () => {
  const c = coll('events');
  await c.insertMany([
    { venue: 'A', amountFen: 3000, at: new Date('2026-11-20T15:30:00Z') }, // 2026-11-20 23:30 +08:00
    { venue: 'A', amountFen: 2000, at: new Date('2026-11-20T16:30:00Z') }, // 2026-11-21 00:30 +08:00
    { venue: 'B', amountFen: 5000, at: new Date('2026-11-21T02:00:00Z') }, // 2026-11-21 10:00 +08:00
    { venue: 'B', amountFen: 100, at: new Date('2026-11-21T03:00:00Z'), refunded: true },
  ]);
  const byVenue = await c
    .aggregate([
      { $match: { refunded: { $ne: true } } },
      { $group: { _id: '$venue', total: { $sum: '$amountFen' }, n: { $sum: 1 } } },
      { $sort: { total: -1 } },
      { $project: { _id: 0, venue: '$_id', total: 1, n: 1 } },
    ])
    .toArray();
  expect(byVenue).toEqual(
    [
      { venue: 'A', total: 5000, n: 2 },
      { venue: 'B', total: 5000, n: 1 },
    ]
      .sort((a, b) => b.total - a.total || (a.venue < b.venue ? -1 : 1))
      .map((x) => expect.objectContaining(x)),
  );

  const byDay = await c
    .aggregate([
      { $match: { refunded: { $ne: true } } },
      { $group: { _id: { $dateToString: { format: '%Y-%m-%d', date: '$at', timezone: '+08:00' } }, total: { $sum: '$amountFen' } } },
      { $sort: { _id: 1 } },
    ])
    .toArray();
  expect(byDay).toEqual([
    { _id: '2026-11-20', total: 3000 },
    { _id: '2026-11-21', total: 7000 },
  ]);

  const byHour = await c
    .aggregate([{ $project: { _id: 0, h: { $hour: { date: '$at', timezone: '+08:00' } } } }, { $sort: { h: 1 } }])
    .toArray();
  expect(byHour.map((r) => r.h)).toEqual([0, 10, 11, 23]);
});

// ---- operators the kernel relies on (cloud/src/platform: capacity, limits, effects, jobs, idempotency) ----
// (updates are cast: the driver's types do not model $push with $each/$slice on an untyped collection)
const op = (update: object) => update as never;

test('exactly-once tokens: $nin on an array field in the filter, $push with $each/$slice in the update', async () => {
  const c = coll('tokens');
  const { insertedId } = await c.insertOne({ remaining: 50 });
  // 200 concurrent takes by 20 holders (10 retries each): 20 places taken, one token per holder
  const results = await Promise.all(
    Array.from({ length: CALLERS }, (_, i) =>
      c.updateOne(
        { _id: insertedId, remaining: { $gte: 1 }, applied: { $nin: [`h${i % 20}:take`, `h${i % 20}:give`] } },
        op({ $inc: { remaining: -1 }, $push: { applied: { $each: [`h${i % 20}:take`], $slice: -500 } } }),
      ),
    ),
  );
  expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(20);
  const doc = await c.findOne({ _id: insertedId });
  expect(doc?.remaining).toBe(30);
  expect(new Set(doc?.applied).size).toBe(20);
  // $slice keeps the newest entries only
  await c.updateOne({ _id: insertedId }, op({ $push: { applied: { $each: ['x1', 'x2', 'x3'], $slice: -2 } } }));
  expect((await c.findOne({ _id: insertedId }))?.applied).toEqual(['x2', 'x3']);
});

test('exactly-once give-back: $and of "contains take" and "$ne give" matches once under 200 concurrent callers', async () => {
  const c = coll('giveback');
  const { insertedId } = await c.insertOne({ remaining: 0, applied: ['h1:take'] });
  const results = await Promise.all(
    Array.from({ length: CALLERS }, () =>
      c.updateOne(
        { _id: insertedId, $and: [{ applied: 'h1:take' }, { applied: { $ne: 'h1:give' } }] },
        op({ $inc: { remaining: 1 }, $push: { applied: { $each: ['h1:give'], $slice: -500 } } }),
      ),
    ),
  );
  expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(1);
  expect((await c.findOne({ _id: insertedId }))?.remaining).toBe(1);
  // and a give-back without its take matches nothing
  const orphan = await c.updateOne(
    { _id: insertedId, $and: [{ applied: 'h2:take' }, { applied: { $ne: 'h2:give' } }] },
    { $inc: { remaining: 1 } },
  );
  expect(orphan.modifiedCount).toBe(0);
});

test('a guarded upsert ($not $gte on dotted fields) counts up to its limit and answers E11000 beyond it', async () => {
  const c = coll('limitcounters');
  const filter = { _id: 'u1:week' as never, total: { $not: { $gte: 3 } }, 'days.2026-11-24': { $not: { $gte: 2 } } };
  const update = { $inc: { total: 1, 'days.2026-11-24': 1 } };
  const results = await Promise.allSettled(Array.from({ length: 50 }, () => c.updateOne(filter, update, { upsert: true })));
  const ok = results.filter((r) => r.status === 'fulfilled');
  for (const r of results.filter((x) => x.status === 'rejected') as PromiseRejectedResult[])
    expect(r.reason).toMatchObject({ code: 11000 });
  expect(ok).toHaveLength(2);
  expect(await c.findOne({ _id: 'u1:week' as never })).toEqual({ _id: 'u1:week', total: 2, days: { '2026-11-24': 2 } });
});

test('effects: $addToSet $each with $set, find by "pending.0" $exists, $pull of one step', async () => {
  const c = coll('effects');
  const { insertedId } = await c.insertOne({ status: 'confirmed' });
  const after = await c.findOneAndUpdate(
    { _id: insertedId, status: 'confirmed' },
    op({
      $set: { status: 'cancelled', pendingSince: new Date('2026-11-23T00:00:00Z') },
      $addToSet: { pending: { $each: ['capacity', 'limits'] } },
    }),
    { returnDocument: 'after' },
  );
  expect(after).toMatchObject({ status: 'cancelled', pending: ['capacity', 'limits'] });
  expect(
    await c.findOneAndUpdate({ _id: insertedId, status: 'confirmed' }, { $set: { status: 'x' } }, { returnDocument: 'after' }),
  ).toBeNull();
  const stale = { 'pending.0': { $exists: true }, pendingSince: { $lte: new Date('2026-11-23T00:01:00Z') } };
  expect(await c.countDocuments(stale)).toBe(1);
  await c.updateOne({ _id: insertedId }, op({ $pull: { pending: 'capacity' } }));
  expect((await c.findOne({ _id: insertedId }))?.pending).toEqual(['limits']);
  await c.updateOne({ _id: insertedId }, op({ $pull: { pending: 'limits' } }));
  expect(await c.countDocuments(stale)).toBe(0);
});

test('a lease document: a guarded upsert on `until` lets exactly one of 200 concurrent callers in', async () => {
  const c = coll('leases');
  const now = new Date('2026-11-23T00:00:00Z');
  const take = (owner: number) =>
    c.updateOne(
      { _id: 'job' as never, until: { $lte: now } },
      { $set: { owner, until: new Date(now.getTime() + 60_000) } },
      { upsert: true },
    );
  const results = await Promise.allSettled(Array.from({ length: CALLERS }, (_, i) => take(i)));
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  for (const r of results.filter((x) => x.status === 'rejected') as PromiseRejectedResult[])
    expect(r.reason).toMatchObject({ code: 11000 });
  // let go (until in the past): the next caller gets it
  await c.updateOne({ _id: 'job' as never }, { $set: { until: new Date(0) } });
  await expect(take(999)).resolves.toMatchObject({ modifiedCount: 1 });
});
