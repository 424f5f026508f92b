import path from 'node:path';
import { resolveEngine } from '../../cloud/src/platform/db/engine';

/**
 * One engine per jest run: MONGODB_URI when set, else the embedded resolver's choice with its
 * in-memory backend. Each test file then uses its own database (tests/support/db.ts).
 */
export default async function globalSetup() {
  const engine = await resolveEngine({
    mongodbUri: process.env.MONGODB_URI,
    dataDir: process.env.DATA_DIR ?? path.resolve(__dirname, '../../.data'),
    persistent: false,
    progress: (m) => process.stdout.write(`[engine] ${m}\n`),
  });
  process.env.TEST_MONGODB_URI = engine.uri;
  process.env.TEST_ENGINE_NAME = engine.name;
  (globalThis as { __citysportEngine?: typeof engine }).__citysportEngine = engine;
}
