import fs from 'node:fs';
import path from 'node:path';
import { enginePaths } from './paths';
import type { EmbeddedEngine, ProgressFn } from './engine';

/** A refused download is remembered for a week so later starts do not wait for it again. */
const REFUSAL_TTL_MS = 7 * 24 * 3600 * 1000;

function refusedRecently(marker: string): boolean {
  try {
    const { at } = JSON.parse(fs.readFileSync(marker, 'utf8')) as { at: string };
    return Date.now() - new Date(at).getTime() < REFUSAL_TTL_MS;
  } catch {
    return false;
  }
}

function rememberRefusal(marker: string, reason: string): void {
  fs.mkdirSync(path.dirname(marker), { recursive: true });
  fs.writeFileSync(marker, JSON.stringify({ at: new Date().toISOString(), reason }, null, 2));
}

/** Finds (or downloads, once) a real mongod binary through mongodb-memory-server. */
export async function prepareMongod(
  dataDir: string,
  progress: ProgressFn,
): Promise<{ ok: true; binary: string } | { ok: false; reason: string }> {
  const p = enginePaths(dataDir);
  if (!process.env.MONGOMS_SYSTEM_BINARY && refusedRecently(p.mongodRefusedMarker)) {
    return { ok: false, reason: `mongod download was refused earlier (see ${p.mongodRefusedMarker})` };
  }
  try {
    const { MongoBinary } = await import('mongodb-memory-server-core');
    if (!process.env.MONGOMS_SYSTEM_BINARY) progress('looking for a mongod binary (mongodb-memory-server) …');
    const binary = await withTimeout(MongoBinary.getPath(), 120_000, 'mongod download timed out');
    return { ok: true, binary };
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    if (!process.env.MONGOMS_SYSTEM_BINARY) rememberRefusal(p.mongodRefusedMarker, reason);
    return { ok: false, reason };
  }
}

export async function startMongod(dataDir: string, binary: string, persistent: boolean, port?: number): Promise<EmbeddedEngine> {
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const p = enginePaths(dataDir);
  if (persistent) fs.mkdirSync(p.mongodDbPath, { recursive: true });
  const server = await MongoMemoryServer.create({
    binary: { systemBinary: binary },
    instance: {
      port,
      ip: '127.0.0.1',
      ...(persistent ? { dbPath: p.mongodDbPath, storageEngine: 'wiredTiger' as const } : {}),
    },
  });
  return {
    uri: server.getUri().replace(/\/$/, ''),
    name: 'mongod (mongodb-memory-server)',
    kind: 'mongod',
    stop: async () => {
      await server.stop({ doCleanup: !persistent });
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
