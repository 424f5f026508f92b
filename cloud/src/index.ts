export { createApp, API_PREFIX, type AppDeps, type CloudApp } from './app';
export { startServer, type RunningServer } from './server';
export { loadConfig, withDevSecretsAllowed, type Config } from './platform/config';
export { createLogger } from './platform/logger';
export { resolveEngine, prepareEngine, type EmbeddedEngine } from './platform/db/engine';
export { connectDatabase, disconnectDatabase, ensureIndexes } from './platform/db/connect';
export { ManualClock, systemClock, type Clock } from './platform/clock';
export type { NewVenue, NewResource } from './modules/venue';
export { startJobs, type Job } from './jobs';
