import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { connectDatabase, disconnectDatabase, ensureIndexes } from '../../cloud/src/platform/db/connect';
import { RATE_LIMIT_COLLECTIONS } from '../../cloud/src/platform/ratelimit';

/** Connects this test file to a database of its own on the run's engine; drops it afterwards. */
export async function connectTestDatabase(label: string): Promise<{ dbName: string; engineName: string; close(): Promise<void> }> {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run through jest (globalSetup starts the engine)');
  const dbName = `t_${label.replace(/[^a-z0-9]/gi, '').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  await connectDatabase(uri, dbName);
  await ensureIndexes();
  return {
    dbName,
    engineName: process.env.TEST_ENGINE_NAME ?? 'unknown',
    async close() {
      await mongoose.connection.db?.dropDatabase().catch(() => {});
      await disconnectDatabase();
    },
  };
}

/**
 * Collections that change on every request by design: the shared rate-limit budget (its 64 shards) counts refused
 * requests too. Nothing else is left out.
 */
export const COUNTS_EVERY_REQUEST = new Set(RATE_LIMIT_COLLECTIONS);

/**
 * Every document of every collection of the connected database, as one string to compare: the
 * collections are listed from the database, so one added later is covered without editing tests.
 */
export async function snapshotDatabase(): Promise<string> {
  const db = mongoose.connection.db!;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((name) => !name.startsWith('system.') && !COUNTS_EVERY_REQUEST.has(name))
    .sort();
  const collections = await Promise.all(
    names.map(async (name) => [name, await db.collection(name).find({}).sort({ _id: 1 }).toArray()] as const),
  );
  return JSON.stringify(Object.fromEntries(collections));
}
