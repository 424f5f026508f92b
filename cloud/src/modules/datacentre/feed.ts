import { createHash, createHmac } from 'node:crypto';
import mongoose from 'mongoose';
import type { FeedAck, FeedBatch, FeedEvent } from '@citysport/shared';
import type { Kernel } from '../../platform/kernel';
import { checkEvent, EventContractViolation, OutboxEvent, type OutboxDoc } from '../../platform/outbox';

/**
 * Delivery to the data centre (issue 17, item 2). One leased job (`datacentre-feed`) sends the
 * pending outbox events in order of occurrence as signed batches; an event is marked delivered
 * only after the receiver's 2xx (at least once — the receiver deduplicates by eventId). A
 * transport failure (down, 5xx, 408/429, timeout) backs the whole feed off exponentially with
 * jitter and counts against no event; a refusal of an event (listed in the 2xx answer's
 * `rejected`, or a 4xx for a batch) counts one attempt against each event in it, and an event
 * refused `maxAttempts` times is quarantined with the reason. An event with earlier refusals is
 * sent alone, so one poison event cannot hold a whole batch back.
 */
export interface FeedOptions {
  kernel: Kernel;
  url: string | undefined;
  secret: string;
  timeoutMs: number;
  batchSize: number;
  maxAttempts: number;
  /** batches per job run at most (a run catches up, then lets the lease go) */
  maxBatchesPerRun?: number;
  /** backoff base and cap (ms) */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
  fetchImpl?: typeof fetch;
}

export interface FeedState {
  _id: 'feed';
  failures: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  lastDeliveredAt: Date | null;
  delivered: number;
}

export const SIGNATURE_HEADER = 'X-CitySport-Signature';

export function signBody(secret: string, rawBody: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** The pending scan: neither delivered nor quarantined, oldest occurrence first. */
export const PENDING = { deliveredAt: null, quarantinedAt: null };
const ORDER = { occurredAt: 1, _id: 1 } as const;

export function toWire(e: Pick<OutboxDoc, 'eventId' | 'type' | 'schemaVersion' | 'occurredAt' | 'payload'>): FeedEvent {
  return {
    eventId: e.eventId,
    type: e.type,
    schemaVersion: e.schemaVersion ?? 1,
    occurredAt: e.occurredAt.toISOString(),
    payload: e.payload,
  };
}

/** the raw collection: the feed's filters are its own (no request input), so no query casting */
const outbox = () => OutboxEvent.collection as unknown as mongoose.mongo.Collection<OutboxDoc>;

export function createFeed(o: FeedOptions) {
  const { kernel } = o;
  const state = () => mongoose.connection.collection<FeedState>('datacentre_feed');
  const random = o.random ?? Math.random;
  const base = o.backoffBaseMs ?? 1000;
  const cap = o.backoffMaxMs ?? 5 * 60_000;
  const doFetch = o.fetchImpl ?? fetch;

  async function getState(): Promise<FeedState> {
    return (
      (await state().findOne({ _id: 'feed' })) ?? {
        _id: 'feed',
        failures: 0,
        nextAttemptAt: null,
        lastError: null,
        lastDeliveredAt: null,
        delivered: 0,
      }
    );
  }

  /** exponential backoff with "equal jitter": half the step fixed, half random */
  function backoffMs(failures: number): number {
    const step = Math.min(cap, base * 2 ** Math.min(failures - 1, 30));
    return Math.round(step / 2 + random() * (step / 2));
  }

  async function transportFailed(reason: string) {
    const s = await getState();
    const failures = s.failures + 1;
    const nextAttemptAt = new Date(kernel.clock.now().getTime() + backoffMs(failures));
    await state().updateOne({ _id: 'feed' }, { $set: { failures, nextAttemptAt, lastError: reason } }, { upsert: true });
    kernel.logger.warn({ failures, nextAttemptAt, reason }, 'data-centre feed: delivery failed; backing off');
  }

  async function refused(events: OutboxDoc[], reason: string) {
    const now = kernel.clock.now();
    for (const e of events) {
      const attempts = (e.attempts ?? 0) + 1;
      await outbox().updateOne(
        { eventId: e.eventId, deliveredAt: null },
        { $set: { attempts, lastError: reason.slice(0, 500), ...(attempts >= o.maxAttempts ? { quarantinedAt: now } : {}) } },
      );
    }
  }

  async function post(rawBody: string): Promise<{ status: number; text: string }> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), o.timeoutMs);
    try {
      const res = await doFetch(o.url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(o.secret, rawBody) },
        body: rawBody,
        signal: ac.signal,
      });
      return { status: res.status, text: await res.text() };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next batch: a suspect (refused before) alone, else up to batchSize events with no refusals. */
  async function nextBatch(): Promise<OutboxDoc[]> {
    const docs = await outbox().find(PENDING).sort(ORDER).limit(o.batchSize).toArray();
    if (!docs.length) return [];
    if ((docs[0].attempts ?? 0) > 0) return [docs[0]];
    const cut = docs.findIndex((d) => (d.attempts ?? 0) > 0);
    return cut === -1 ? docs : docs.slice(0, cut);
  }

  /** A stored event the contract no longer accepts is never sent (it might carry personal data): quarantined at once. */
  async function screen(batch: OutboxDoc[]): Promise<OutboxDoc[]> {
    const ok: OutboxDoc[] = [];
    for (const e of batch) {
      try {
        checkEvent(e.type, e.payload);
        ok.push(e);
      } catch (err) {
        if (!(err instanceof EventContractViolation)) throw err;
        await outbox().updateOne(
          { eventId: e.eventId },
          { $set: { quarantinedAt: kernel.clock.now(), lastError: err.message.slice(0, 500) } },
        );
      }
    }
    return ok;
  }

  /** One job run: sends batches until nothing is pending, a failure backs off, or the run's batch budget is spent. */
  async function deliver(): Promise<{ batches: number; delivered: number; refused: number; skipped?: 'no-url' | 'backoff' }> {
    if (!o.url) return { batches: 0, delivered: 0, refused: 0, skipped: 'no-url' };
    const s = await getState();
    if (s.nextAttemptAt && s.nextAttemptAt > kernel.clock.now()) return { batches: 0, delivered: 0, refused: 0, skipped: 'backoff' };
    let batches = 0;
    let delivered = 0;
    let refusedCount = 0;
    while (batches < (o.maxBatchesPerRun ?? 20)) {
      const batch = await screen(await nextBatch());
      if (!batch.length) {
        if (await outbox().findOne(PENDING, { projection: { _id: 1 } })) continue; // the screened ones were quarantined: look again
        break;
      }
      batches++;
      const ids = batch.map((e) => e.eventId);
      const body: FeedBatch = {
        batchId: createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 32),
        events: batch.map(toWire),
      };
      const raw = JSON.stringify(body);
      let res: { status: number; text: string };
      try {
        res = await post(raw);
      } catch (err) {
        await transportFailed((err as Error).name === 'AbortError' ? `timed out after ${o.timeoutMs} ms` : (err as Error).message);
        break;
      }
      // the receiver has the batch but we have not written it down: a crash here resends it (deduplicated there)
      kernel.crashPoint('datacentre:feed:after-send');
      if (res.status >= 200 && res.status < 300) {
        let ack: Partial<FeedAck> = {};
        try {
          ack = JSON.parse(res.text || '{}') as Partial<FeedAck>;
        } catch {
          ack = {};
        }
        const rejected = new Map((ack.rejected ?? []).map((r) => [r.eventId, r.reason]));
        const accepted = Array.isArray(ack.accepted) ? new Set(ack.accepted) : new Set(ids.filter((id) => !rejected.has(id)));
        const now = kernel.clock.now();
        const done = ids.filter((id) => accepted.has(id) && !rejected.has(id));
        if (done.length) {
          await outbox().updateMany({ eventId: { $in: done }, deliveredAt: null }, { $set: { deliveredAt: now, lastError: null } });
        }
        for (const [eventId, reason] of rejected) {
          const e = batch.find((b) => b.eventId === eventId);
          if (e) await refused([e], `refused: ${reason}`);
        }
        refusedCount += rejected.size;
        delivered += done.length;
        await state().updateOne(
          { _id: 'feed' },
          { $set: { failures: 0, nextAttemptAt: null, lastError: null, lastDeliveredAt: now }, $inc: { delivered: done.length } },
          { upsert: true },
        );
        continue;
      }
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        await refused(batch, `HTTP ${res.status}: ${res.text.slice(0, 200)}`);
        refusedCount += batch.length;
        continue;
      }
      await transportFailed(`HTTP ${res.status}`);
      break;
    }
    return { batches, delivered, refused: refusedCount };
  }

  async function status() {
    const now = kernel.clock.now();
    const [s, pending, oldest, quarantined] = await Promise.all([
      getState(),
      outbox().countDocuments(PENDING),
      outbox().findOne(PENDING, { sort: ORDER, projection: { occurredAt: 1 } }),
      outbox().countDocuments({ quarantinedAt: { $ne: null } }),
    ]);
    return {
      configured: Boolean(o.url),
      pending,
      oldestPendingAgeSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.occurredAt.getTime()) / 1000)) : 0,
      lastDeliveredAt: s.lastDeliveredAt ? s.lastDeliveredAt.toISOString() : null,
      failures: s.failures,
      lastError: s.lastError,
      nextAttemptAt: s.nextAttemptAt ? s.nextAttemptAt.toISOString() : null,
      delivered: s.delivered,
      quarantined,
    };
  }

  async function quarantine(limit = 50) {
    const docs = await outbox()
      .find({ quarantinedAt: { $ne: null } })
      .sort({ quarantinedAt: -1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => ({
      eventId: d.eventId,
      type: d.type,
      occurredAt: d.occurredAt.toISOString(),
      attempts: d.attempts,
      reason: d.lastError ?? '',
      quarantinedAt: d.quarantinedAt!.toISOString(),
    }));
  }

  /** An admin sends a quarantined event once more (after the data centre fixed its side). */
  async function release(eventId: string): Promise<boolean> {
    const r = await outbox().updateOne({ eventId, quarantinedAt: { $ne: null } } as never, { $set: { quarantinedAt: null, attempts: 0 } });
    return r.modifiedCount === 1;
  }

  /** Replay for the data centre's re-pull: every event that occurred since `from` is sent again (deduplicated there). */
  async function replayFrom(from: Date): Promise<number> {
    const r = await outbox().updateMany({ occurredAt: { $gte: from }, quarantinedAt: null }, { $set: { deliveredAt: null } });
    return r.modifiedCount;
  }

  return { deliver, status, quarantine, release, replayFrom, backoffMs, getState };
}
export type Feed = ReturnType<typeof createFeed>;
