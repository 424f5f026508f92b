import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';

/**
 * Stand-in for the city's sports data centre (issue 17, item 3): `POST /mock/datacentre/ingest`
 * verifies `X-CitySport-Signature` (hex HMAC-SHA256 of the raw body), keeps each event once by
 * eventId, and answers `{accepted, rejected}`. For fault tests it can be told to answer 500,
 * be slow, refuse event types or ids for good (poison), or (standalone) be down.
 */
export interface HeldEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  payload: Record<string, unknown>;
}
export interface ReceiverControl {
  mode: 'ok' | 'error500' | 'slow';
  delayMs: number;
  rejectTypes: string[];
  rejectEventIds: string[];
}

export function createDataCentreReceiver(opts: { secret: string }) {
  const held = new Map<string, HeldEvent>();
  const order: string[] = [];
  const stats = { batches: 0, received: 0, duplicates: 0, badSignatures: 0, refused: 0 };
  const control: ReceiverControl = { mode: 'ok', delayMs: 0, rejectTypes: [], rejectEventIds: [] };
  const router = new Router();

  const readRaw = (req: http.IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  router.post('/mock/datacentre/ingest', async (ctx) => {
    const raw = await readRaw(ctx.req);
    if (control.mode === 'slow' || control.delayMs > 0) await new Promise((r) => setTimeout(r, control.delayMs || 5000));
    if (control.mode === 'error500') {
      ctx.status = 500;
      ctx.body = { error: 'injected failure' };
      return;
    }
    const expected = createHmac('sha256', opts.secret).update(raw).digest();
    const given = Buffer.from(String(ctx.get('x-citysport-signature') ?? ''), 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      stats.badSignatures++;
      ctx.status = 401;
      ctx.body = { error: 'bad signature' };
      return;
    }
    let batch: { batchId?: string; events?: HeldEvent[] };
    try {
      batch = JSON.parse(raw);
    } catch {
      ctx.status = 400;
      ctx.body = { error: 'not JSON' };
      return;
    }
    if (!Array.isArray(batch.events)) {
      ctx.status = 400;
      ctx.body = { error: 'no events' };
      return;
    }
    stats.batches++;
    const accepted: string[] = [];
    const rejected: { eventId: string; reason: string }[] = [];
    for (const e of batch.events) {
      if (control.rejectTypes.includes(e.type) || control.rejectEventIds.includes(e.eventId)) {
        stats.refused++;
        rejected.push({ eventId: e.eventId, reason: `schema ${e.type}@${e.schemaVersion} not accepted` });
        continue;
      }
      stats.received++;
      if (held.has(e.eventId)) stats.duplicates++;
      else {
        held.set(e.eventId, e);
        order.push(e.eventId);
      }
      accepted.push(e.eventId);
    }
    ctx.body = { accepted, rejected };
  });

  router.get('/mock/datacentre/events', (ctx) => {
    ctx.body = { stats, items: order.map((id) => held.get(id)) };
  });
  router.post('/mock/datacentre/control', async (ctx) => {
    const raw = await readRaw(ctx.req);
    const body = raw ? (JSON.parse(raw) as Partial<ReceiverControl>) : {};
    Object.assign(control, body);
    ctx.body = { control };
  });

  return {
    router,
    control,
    stats,
    /** the events held, in order of arrival (each once) */
    events: () => order.map((id) => held.get(id)!),
    reset() {
      held.clear();
      order.length = 0;
      Object.assign(stats, { batches: 0, received: 0, duplicates: 0, badSignatures: 0, refused: 0 });
      Object.assign(control, { mode: 'ok', delayMs: 0, rejectTypes: [], rejectEventIds: [] });
    },
  };
}
export type DataCentreReceiver = ReturnType<typeof createDataCentreReceiver>;

/** The receiver alone on a port; `stop()` then `start()` again on the same port plays "the data centre is down". */
export async function startDataCentreReceiver(opts: { secret: string; port?: number }) {
  const receiver = createDataCentreReceiver(opts);
  const app = new Koa();
  app.use(receiver.router.routes()).use(receiver.router.allowedMethods());
  let server: http.Server | undefined;
  let port = opts.port ?? 0;
  const start = async () => {
    server = http.createServer(app.callback());
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', resolve);
    });
    port = (server.address() as { port: number }).port;
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
      server = undefined;
    });
  await start();
  return { receiver, url: `http://127.0.0.1:${port}/mock/datacentre/ingest`, start, stop };
}
