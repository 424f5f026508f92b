import http from 'node:http';
import { loadConfig, type Config } from './platform/config';
import { createLogger, type Logger } from './platform/logger';
import { resolveEngine, type EmbeddedEngine } from './platform/db/engine';
import { connectDatabase, disconnectDatabase, ensureIndexes } from './platform/db/connect';
import { createApp, type CloudApp } from './app';
import { startJobs } from './jobs';

export interface RunningServer {
  url: string;
  port: number;
  engine: EmbeddedEngine;
  cloud: CloudApp;
  config: Config;
  logger: Logger;
  stop(): Promise<void>;
}

/** Boot: config → database engine → app.listen. Used by `npm start` and by the benchmarks. */
export async function startServer(env: NodeJS.ProcessEnv = process.env, opts: { persistent?: boolean } = {}): Promise<RunningServer> {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL);
  const engine = await resolveEngine({
    mongodbUri: config.MONGODB_URI,
    dataDir: config.DATA_DIR,
    persistent: opts.persistent ?? true,
    progress: (m) => logger.info(`[engine] ${m}`),
  });
  logger.info({ engine: engine.name }, 'database engine started');
  try {
    await connectDatabase(engine.uri, config.DB_NAME);
  } catch (err) {
    await engine.stop();
    throw err;
  }
  const cloud = createApp({ config, logger, engineName: engine.name });
  await cloud.services.tickets.migrateLegacySources(); // tickets from before `source` existed (wave 1)
  await ensureIndexes();
  const server = http.createServer(cloud.app.callback());
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const port = (server.address() as { port: number }).port;
  const jobs = startJobs(cloud, logger);
  const url = `http://${config.HOST}:${port}`;
  return {
    url,
    port,
    engine,
    cloud,
    config,
    logger,
    async stop() {
      jobs.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await disconnectDatabase();
      await engine.stop();
    },
  };
}

if (require.main === module) {
  startServer()
    .then((running) => {
      running.logger.info(`CitySport API listening on ${running.url}/api/v1 (engine: ${running.engine.name})`);
      const shutdown = () => void running.stop().then(() => process.exit(0));
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
