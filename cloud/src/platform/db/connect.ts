import mongoose from 'mongoose';
import { ensureRateLimitIndexes } from '../ratelimit';

// Unknown filter keys are dropped and `$`-operators in user-supplied filters are neutralised;
// our own operators in guarded updates are marked with mongoose.trusted().
mongoose.set('strictQuery', true);
mongoose.set('sanitizeFilter', true);

export interface EngineInfo {
  name: string;
  version: string;
}

/**
 * Time limits on every database operation: a stalled engine or network answers with an error in
 * bounded time instead of holding a request (or a job's lease) forever. `socketTimeoutMS` bounds
 * one wire round trip, `waitQueueTimeoutMS` the wait for a pooled connection, and `maxTimeMS`
 * (applied to every query below) asks the server to stop work that runs too long.
 */
export const DB_LIMITS = { socketTimeoutMS: 30_000, waitQueueTimeoutMS: 15_000, maxTimeMS: 20_000 };

mongoose.plugin((schema) => {
  const withLimit = function (this: mongoose.Query<unknown, unknown>) {
    if (this.getOptions().maxTimeMS === undefined) this.maxTimeMS(DB_LIMITS.maxTimeMS);
  };
  for (const op of ['find', 'findOne', 'countDocuments', 'findOneAndUpdate', 'distinct'] as const) schema.pre(op, withLimit);
});

export async function connectDatabase(uri: string, dbName: string): Promise<typeof mongoose> {
  // No serverApi: mongo-java-server answers only the legacy isMaster handshake (TOOLCHAIN.md).
  // A warm pool: at a release rush hundreds of requests arrive at once, and the driver opens at
  // most `maxConnecting` new connections at a time.
  await mongoose.connect(uri, {
    dbName,
    serverSelectionTimeoutMS: 10_000,
    maxPoolSize: 50,
    minPoolSize: 20,
    maxConnecting: 10,
    autoIndex: true,
    socketTimeoutMS: DB_LIMITS.socketTimeoutMS,
    waitQueueTimeoutMS: DB_LIMITS.waitQueueTimeoutMS,
  });
  return mongoose;
}

export async function engineVersion(): Promise<string> {
  const info = (await mongoose.connection.db!.admin().command({ buildInfo: 1 })) as { version?: string };
  return info.version ?? 'unknown';
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}

/**
 * Builds every registered model's indexes, and the rate-limit store's, before serving: unique indexes are correctness
 * (ARCHITECTURE.md), and on mongo-java-server a write racing an index build can fail.
 */
export async function ensureIndexes(): Promise<void> {
  const db = mongoose.connection.db!;
  await Promise.all([
    ...mongoose.modelNames().map((name) => mongoose.model(name).init()),
    ensureRateLimitIndexes(db),
    ensureExactKeyIndexes(db),
  ]);
}

/**
 * The hot guarded transitions that filter on exactly `{_id, status}` (a registration or booking
 * leaving `taking`, a booking leaving `held`). MongoDB serves them from the `_id` index. The
 * embedded mongo-java-server uses an index only for a filter naming exactly its keys
 * (`AbstractUniqueIndex.canHandle`), so they read the whole collection: 212 transitions/s at 30,000
 * documents against 4,890/s with this index (docs/benchmarks.md). Built on that engine only.
 */
const EXACT_KEY_INDEXES = ['bookings', 'event_registrations'];

/** True on an engine that serves a filter from an index only when it names exactly the index's keys (mongo-java-server). */
export async function servesExactKeyFiltersOnly(db: mongoose.mongo.Db): Promise<boolean> {
  const info = await db.admin().command({ buildInfo: 1 });
  return !('gitVersion' in info); // a mongod (or a MongoDB service) answers with the commit it was built from; mongo-java-server does not
}

async function ensureExactKeyIndexes(db: mongoose.mongo.Db): Promise<void> {
  if (!(await servesExactKeyFiltersOnly(db))) return;
  await Promise.all(
    EXACT_KEY_INDEXES.map((name) => db.collection(name).createIndex({ _id: 1, status: 1 }, { unique: true, name: 'exact_id_status' })),
  );
}
