import type { EmbeddedEngine } from '../../cloud/src/platform/db/engine';

export default async function globalTeardown() {
  await (globalThis as { __citysportEngine?: EmbeddedEngine }).__citysportEngine?.stop();
}
