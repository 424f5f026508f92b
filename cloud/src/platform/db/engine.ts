import { prepareMongod, startMongod } from './mongod';
import { javaAvailable, prepareMongoJavaServer, startMongoJavaServer } from './mongo-java-server';

export type ProgressFn = (message: string) => void;

export interface EmbeddedEngine {
  uri: string;
  name: string;
  kind: 'mongod' | 'mongo-java-server' | 'external';
  stop(): Promise<void>;
}

export interface ResolveOptions {
  mongodbUri?: string;
  dataDir: string;
  /** true for `npm start` (data kept under .data/), false for tests (memory) */
  persistent: boolean;
  port?: number;
  progress?: ProgressFn;
  /** the Java launcher command (JAVA env or `java` on PATH) */
  java?: string;
}

export class EngineUnavailableError extends Error {}

function unavailableMessage(reasons: string[]): string {
  return [
    'No MongoDB-compatible database engine is available.',
    ...reasons.map((r) => `  - ${r}`),
    'Ways to get one:',
    '  1. set MONGODB_URI=mongodb://… to a MongoDB you run (a replica set in production);',
    '  2. set MONGOMS_SYSTEM_BINARY=/path/to/mongod, or allow mongodb-memory-server to download mongod',
    `     (delete .data/engine/mongod-download-refused.json to try the download again);`,
    '  3. install a Java 17+ runtime and Maven (apt-get install openjdk-17-jre-headless maven),',
    '     then `npm run engine:prepare` to fetch mongo-java-server from Maven Central.',
  ].join('\n');
}

/** Fetches whatever the embedded engine needs, once; later calls return at once. */
export async function prepareEngine(dataDir: string, progress: ProgressFn = () => {}): Promise<'mongod' | 'mongo-java-server'> {
  const reasons: string[] = [];
  const mongod = await prepareMongod(dataDir, progress);
  if (mongod.ok) return 'mongod';
  reasons.push(`mongod: ${mongod.reason}`);
  const mjs = prepareMongoJavaServer(dataDir, progress, process.env.JAVA ?? 'java');
  if (mjs.ok) return 'mongo-java-server';
  reasons.push(`mongo-java-server: ${mjs.reason}`);
  throw new EngineUnavailableError(unavailableMessage(reasons));
}

/**
 * The database engine resolver (ARCHITECTURE.md): MONGODB_URI → a real mongod via
 * mongodb-memory-server → mongo-java-server on the machine's Java → a clear error.
 */
export async function resolveEngine(opts: ResolveOptions): Promise<EmbeddedEngine> {
  const progress = opts.progress ?? (() => {});
  if (opts.mongodbUri) return { uri: opts.mongodbUri, name: 'MongoDB (MONGODB_URI)', kind: 'external', stop: async () => {} };
  const reasons: string[] = [];
  const mongod = await prepareMongod(opts.dataDir, progress);
  if (mongod.ok) return startMongod(opts.dataDir, mongod.binary, opts.persistent, opts.port);
  reasons.push(`mongod: ${mongod.reason}`);
  const java = opts.java ?? process.env.JAVA ?? 'java';
  if (!javaAvailable(java)) {
    reasons.push(`mongo-java-server: no Java runtime (${java})`);
    throw new EngineUnavailableError(unavailableMessage(reasons));
  }
  const mjs = prepareMongoJavaServer(opts.dataDir, progress, java);
  if (!mjs.ok) {
    reasons.push(`mongo-java-server: ${mjs.reason}`);
    throw new EngineUnavailableError(unavailableMessage(reasons));
  }
  return startMongoJavaServer(opts.dataDir, opts.persistent ? 'h2' : 'memory', opts.port ?? 0, java);
}
