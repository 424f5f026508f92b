/**
 * `npm run engine:prepare` (also run by `npm install`): makes the embedded engine ready once.
 * With --if-needed it never fails the install; `npm start` and the tests say what is missing.
 */
import { loadConfig, withDevSecretsAllowed } from '../config';
import { prepareEngine } from './engine';

async function main() {
  const soft = process.argv.includes('--if-needed');
  // only the engine settings are read here: no secret is used
  const config = loadConfig(withDevSecretsAllowed(process.env));
  if (config.MONGODB_URI) {
    console.log('[engine] MONGODB_URI is set: no embedded engine needed');
    return;
  }
  try {
    const kind = await prepareEngine(config.DATA_DIR, (m) => console.log(`[engine] ${m}`));
    console.log(`[engine] ready: ${kind}`);
  } catch (err) {
    console.error(`[engine] ${(err as Error).message}`);
    if (!soft) process.exitCode = 1;
  }
}

void main();
