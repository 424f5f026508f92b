import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveEngine, EngineUnavailableError } from '../../cloud/src/platform/db/engine';
import { enginePaths } from '../../cloud/src/platform/db/paths';

test('with no mongod, no Java and no MONGODB_URI the resolver stops with a message naming the ways to get a database', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-'));
  const marker = enginePaths(dataDir).mongodRefusedMarker;
  fs.mkdirSync(path.dirname(marker), { recursive: true });
  fs.writeFileSync(marker, JSON.stringify({ at: new Date().toISOString(), reason: 'refused in test' }));
  const savedBinary = process.env.MONGOMS_SYSTEM_BINARY;
  delete process.env.MONGOMS_SYSTEM_BINARY;
  try {
    const started = Date.now();
    const result = await resolveEngine({ dataDir, persistent: false, java: path.join(dataDir, 'no-such-java') }).catch((e: unknown) => e);
    if (result && typeof (result as { stop?: unknown }).stop === 'function') await (result as { stop(): Promise<void> }).stop();
    const err = result;
    expect(err).toBeInstanceOf(EngineUnavailableError);
    const message = (err as Error).message;
    expect(message).toMatch(/refused earlier/); // the remembered refusal is not retried …
    expect(Date.now() - started).toBeLessThan(5_000); // … so nothing waits for a download
    for (const way of ['MONGODB_URI', 'MONGOMS_SYSTEM_BINARY', 'Java', 'engine:prepare']) expect(message).toContain(way);
  } finally {
    if (savedBinary) process.env.MONGOMS_SYSTEM_BINARY = savedBinary;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('MONGODB_URI wins over every embedded engine', async () => {
  const engine = await resolveEngine({
    mongodbUri: 'mongodb://db.example:27017/?replicaSet=rs0',
    dataDir: '/nonexistent',
    persistent: true,
  });
  expect(engine).toMatchObject({ kind: 'external', uri: 'mongodb://db.example:27017/?replicaSet=rs0' });
});
