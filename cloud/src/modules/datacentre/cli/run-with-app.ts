import { createApp } from '../../../app';
import { loadConfig, withDevSecretsAllowed } from '../../../platform/config';
import { connectDatabase, disconnectDatabase, ensureIndexes } from '../../../platform/db/connect';
import { resolveEngine } from '../../../platform/db/engine';
import { createLogger } from '../../../platform/logger';
import type { DatacentreService } from '../datacentre.module';

/** The data-centre tools' frame: the configured database (stop `npm start` first with the embedded engine), the app's datacentre service. */
export async function withDatacentre(label: string, work: (dc: DatacentreService, args: string[]) => Promise<unknown>) {
  const config = loadConfig(withDevSecretsAllowed(process.env));
  const engine = await resolveEngine({
    mongodbUri: config.MONGODB_URI,
    dataDir: config.DATA_DIR,
    persistent: true,
    progress: (m) => console.log(`[engine] ${m}`),
  });
  try {
    await connectDatabase(engine.uri, config.DB_NAME);
    await ensureIndexes();
    const { modules } = createApp({ config, logger: createLogger(config.LOG_LEVEL), engineName: engine.name });
    const result = await work(modules.get('datacentre') as DatacentreService, process.argv.slice(2));
    console.log(`[${label}]`, JSON.stringify(result));
  } finally {
    await disconnectDatabase();
    await engine.stop();
  }
}

export function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

export function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
