import mongoose from 'mongoose';
import type { CommandStartedEvent, MongoClient } from 'mongodb';
import { DB_LIMITS, ensureIndexes } from '../../cloud/src/platform/db/connect';
import { BACKGROUND_READ } from '../../cloud/src/modules/identity/bureau';

/**
 * Counts the engine round trips (wire commands) of the connected app: a command monitor on the
 * mongoose client. Round trips are deterministic, unlike throughput on a shared machine, so they
 * are the hard evidence of what an operation costs.
 */
const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify']);
const IGNORED = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'buildInfo', 'saslStart', 'saslContinue']);

export interface RoundTrips {
  total: number;
  writes: number;
  reads: number;
  /** `<command> <collection>` → count, e.g. `update slots: 1` */
  detail: Record<string, number>;
}

export interface RoundTripCounter {
  /** counts the commands sent while `run` runs (and until `settle` resolves, if given) */
  measure<T>(run: () => Promise<T>, settle?: () => Promise<void>): Promise<{ result: T; trips: RoundTrips }>;
}

/** Connects mongoose (like tests/support/db.ts) with command monitoring on; returns the counter and a close. */
export async function connectCountingDatabase(label: string): Promise<{ counter: RoundTripCounter; close(): Promise<void> }> {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run through jest (globalSetup starts the engine)');
  const dbName = `t_${label.replace(/[^a-z0-9]/gi, '').slice(0, 20)}_${Date.now().toString(36)}`;
  await mongoose.connect(uri, {
    dbName,
    serverSelectionTimeoutMS: 10_000,
    maxPoolSize: 20,
    monitorCommands: true,
    socketTimeoutMS: DB_LIMITS.socketTimeoutMS,
  });
  await ensureIndexes();
  const client = mongoose.connection.getClient() as unknown as MongoClient;
  let current: CommandStartedEvent[] | null = null;
  client.on('commandStarted', (e) => {
    // background reads (the ended-sessions refresh, once a second at most) are no request's cost
    if (current && !IGNORED.has(e.commandName) && e.command.comment !== BACKGROUND_READ) current.push(e);
  });
  const counter: RoundTripCounter = {
    async measure(run, settle) {
      const seen: CommandStartedEvent[] = [];
      current = seen;
      try {
        const result = await run();
        if (settle) await settle();
        return { result, trips: summarise(seen) };
      } finally {
        current = null;
      }
    },
  };
  return {
    counter,
    async close() {
      await mongoose.connection.db?.dropDatabase().catch(() => {});
      await mongoose.disconnect();
    },
  };
}

function summarise(events: CommandStartedEvent[]): RoundTrips {
  const detail: Record<string, number> = {};
  let writes = 0;
  for (const e of events) {
    const coll = (e.command as Record<string, unknown>)[e.commandName];
    const key = `${e.commandName} ${typeof coll === 'string' ? coll : ''}`.trim();
    detail[key] = (detail[key] ?? 0) + 1;
    if (WRITE_COMMANDS.has(e.commandName)) writes++;
  }
  return { total: events.length, writes, reads: events.length - writes, detail };
}

export function formatTrips(label: string, t: RoundTrips): string {
  const parts = Object.entries(t.detail)
    .sort()
    .map(([k, n]) => `${k}×${n}`)
    .join(', ');
  return `${label}: ${t.total} round trips (${t.writes} writes, ${t.reads} reads) — ${parts}`;
}
