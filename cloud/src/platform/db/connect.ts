import mongoose from 'mongoose';

// Unknown filter keys are dropped and `$`-operators in user-supplied filters are neutralised;
// our own operators in guarded updates are marked with mongoose.trusted().
mongoose.set('strictQuery', true);
mongoose.set('sanitizeFilter', true);

export interface EngineInfo {
  name: string;
  version: string;
}

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
 * Builds every registered model's indexes before serving: unique indexes are correctness
 * (ARCHITECTURE.md), and on mongo-java-server a write racing an index build can fail.
 */
export async function ensureIndexes(): Promise<void> {
  await Promise.all(mongoose.modelNames().map((name) => mongoose.model(name).init()));
}
