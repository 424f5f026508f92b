import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { EVENT_CONTRACTS, findPersonalData, type OutboxEventMap, type OutboxEventType } from '@citysport/shared';

/**
 * An outbox event. The data-centre feed (modules/datacentre) delivers it (`deliveredAt` only after
 * the receiver's 2xx), quarantines it after repeated refusals (`quarantinedAt`, `lastError`), and
 * the rollups fold it into the analysis tables (`rolledUpAt`).
 */
export interface OutboxDoc {
  eventId: string;
  type: OutboxEventType;
  schemaVersion: number;
  occurredAt: Date;
  payload: Record<string, unknown>;
  deliveredAt: Date | null;
  attempts: number;
  quarantinedAt?: Date | null;
  lastError?: string | null;
  rolledUpAt?: Date | null;
}

const OutboxSchema = new Schema<OutboxDoc>(
  {
    eventId: { type: String, required: true, unique: true },
    type: { type: String, required: true },
    schemaVersion: { type: Number, default: 1 },
    occurredAt: { type: Date, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    deliveredAt: { type: Date, default: null, index: true },
    attempts: { type: Number, default: 0 },
    quarantinedAt: { type: Date, default: null },
    lastError: { type: String, default: null },
    rolledUpAt: { type: Date, default: null, index: true },
  },
  { collection: 'outbox', versionKey: false, minimize: false },
);
// the feed's scan: pending events in order of occurrence
OutboxSchema.index({ deliveredAt: 1, quarantinedAt: 1, occurredAt: 1 });

export const OutboxEvent = mongoose.model<OutboxDoc>('OutboxEvent', OutboxSchema);

/** A payload the event contract refuses (a personal field, an unknown field, a wrong type): a programming error, never stored. */
export class EventContractViolation extends Error {
  constructor(
    readonly type: string,
    readonly problems: string[],
  ) {
    super(`event ${type} refused: ${problems.join('; ')}`);
  }
}

/** Checks a payload against its type's contract and the personal-data scan; throws EventContractViolation. */
export function checkEvent(type: string, payload: unknown): { schemaVersion: number } {
  const contract = (EVENT_CONTRACTS as Record<string, (typeof EVENT_CONTRACTS)[OutboxEventType] | undefined>)[type];
  if (!contract)
    throw new EventContractViolation(type, ['no contract: add one entry to EVENT_CONTRACTS (shared/src/datacentre/contracts.ts)']);
  const personal = findPersonalData(payload, contract.publicText);
  if (personal.length)
    throw new EventContractViolation(
      type,
      personal.map((f) => `${f.path || '(payload)'}: ${f.why}`),
    );
  const parsed = contract.schema.safeParse(payload);
  if (!parsed.success)
    throw new EventContractViolation(
      type,
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  return { schemaVersion: contract.schemaVersion };
}

export interface EmitOptions {
  /** Deterministic id (e.g. `booking.confirmed:<bookingId>`) so a retried emit stores one event. */
  eventId?: string;
  occurredAt?: Date;
}

/**
 * Stores a business event for the data-centre feed (delivered by a job, at least once).
 * Emitting the same eventId twice keeps one event. A payload its contract refuses — or one
 * carrying personal data — is never stored (EventContractViolation).
 */
export async function emit<T extends OutboxEventType>(type: T, payload: OutboxEventMap[T], opts: EmitOptions = {}): Promise<string> {
  const { schemaVersion } = checkEvent(type, payload);
  const eventId = opts.eventId ?? randomUUID();
  try {
    await OutboxEvent.collection.insertOne({
      eventId,
      type,
      schemaVersion,
      occurredAt: opts.occurredAt ?? new Date(),
      payload,
      deliveredAt: null,
      attempts: 0,
      quarantinedAt: null,
      lastError: null,
      rolledUpAt: null,
    });
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
  }
  return eventId;
}

/**
 * An effects check (platform/effects.ts `checks`): which of these documents have their event
 * stored, in one read for the whole batch.
 */
export function eventStored<D extends { _id: unknown }>(eventIdOf: (doc: D) => string): (docs: D[]) => Promise<Set<string>> {
  return async (docs) => {
    const found = await OutboxEvent.collection.find({ eventId: { $in: docs.map(eventIdOf) } }, { projection: { eventId: 1 } }).toArray();
    const stored = new Set(found.map((f) => f.eventId));
    return new Set(docs.filter((d) => stored.has(eventIdOf(d))).map((d) => String(d._id)));
  };
}
