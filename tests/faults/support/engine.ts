import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { EmbeddedEngine } from '../../../cloud/src/platform/db/engine';
import { prepareMongod, startMongod } from '../../../cloud/src/platform/db/mongod';
import { javaAvailable, startMongoJavaServer } from '../../../cloud/src/platform/db/mongo-java-server';

/** A free loopback port (the engine must come back on the same one: the driver reconnects to its address). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RestartableEngine {
  uri: string;
  name: string;
  /** a clean shutdown (the engine commits its files), as an operator's restart or an upgrade does */
  stop(): Promise<void>;
  /** starts it again on the same port and files */
  start(): Promise<void>;
  /** stops it and removes its files */
  destroy(): Promise<void>;
}

/**
 * An engine of this test file's own that keeps its data on disk, so it can be restarted in the
 * middle of a test: the resolver's choice (mongod with WiredTiger, else mongo-java-server with its
 * H2 file), in a temporary data directory that shares the run's engine downloads (.data/engine).
 */
export async function startRestartableEngine(): Promise<RestartableEngine> {
  const shared = process.env.DATA_DIR ?? path.resolve(__dirname, '../../../.data');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citysport-faults-engine-'));
  fs.symlinkSync(path.join(shared, 'engine'), path.join(dir, 'engine'));
  const port = await freePort();
  const mongod = await prepareMongod(dir, () => {});
  if (!mongod.ok && !javaAvailable()) throw new Error(`no engine that keeps data on disk: ${mongod.reason}; no Java runtime`);
  const launch = () => (mongod.ok ? startMongod(dir, mongod.binary, true, port) : startMongoJavaServer(dir, 'h2', port));
  let running: EmbeddedEngine | null = await launch();
  const first = running;
  return {
    uri: `mongodb://127.0.0.1:${port}`,
    name: `${first.name}, on disk`,
    async stop() {
      await running?.stop();
      running = null;
    },
    async start() {
      if (!running) running = await launch();
    },
    async destroy() {
      await running?.stop();
      running = null;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
