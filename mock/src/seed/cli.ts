/** `npm run seed`: loads the demo data into the configured database (stop `npm start` first when using the embedded engine). */
import {
  connectDatabase,
  ensureIndexes,
  createApp,
  createLogger,
  disconnectDatabase,
  loadConfig,
  resolveEngine,
  withDevSecretsAllowed,
} from '@citysport/cloud';
import { isDatabaseEmpty, seedDemoData } from './seed';

async function main() {
  const config = loadConfig(withDevSecretsAllowed(process.env));
  const logger = createLogger(config.LOG_LEVEL);
  const engine = await resolveEngine({
    mongodbUri: config.MONGODB_URI,
    dataDir: config.DATA_DIR,
    persistent: true,
    progress: (m) => console.log(`[engine] ${m}`),
  });
  try {
    await connectDatabase(engine.uri, config.DB_NAME);
    if (!(await isDatabaseEmpty()) && !process.argv.includes('--force')) {
      console.log('[seed] the database already has data; nothing done (use `npm run seed -- --force` to add the demo data anyway)');
      return;
    }
    const { services } = createApp({ config, logger, engineName: engine.name });
    await ensureIndexes();
    await seedDemoData(services, (m) => console.log(`[seed] ${m}`));
  } finally {
    await disconnectDatabase();
    await engine.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
