import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import type { OutboxEventMap, OutboxEventType } from '@citysport/shared';

interface OutboxDoc {
  eventId: string;
  type: OutboxEventType;
  occurredAt: Date;
  payload: Record<string, unknown>;
  deliveredAt: Date | null;
  attempts: number;
}

const OutboxSchema = new Schema<OutboxDoc>(
  {
    eventId: { type: String, required: true, unique: true },
    type: { type: String, required: true },
    occurredAt: { type: Date, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    deliveredAt: { type: Date, default: null, index: true },
    attempts: { type: Number, default: 0 },
  },
  { collection: 'outbox', versionKey: false, minimize: false },
);

export const OutboxEvent = mongoose.model<OutboxDoc>('OutboxEvent', OutboxSchema);

export interface EmitOptions {
  /** Deterministic id (e.g. `booking.confirmed:<bookingId>`) so a retried emit stores one event. */
  eventId?: string;
  occurredAt?: Date;
}

/**
 * Stores a business event for the data-centre feed (delivered by a job, at least once).
 * Emitting the same eventId twice keeps one event.
 */
export async function emit<T extends OutboxEventType>(type: T, payload: OutboxEventMap[T], opts: EmitOptions = {}): Promise<string> {
  const eventId = opts.eventId ?? randomUUID();
  try {
    await OutboxEvent.collection.insertOne({
      eventId,
      type,
      occurredAt: opts.occurredAt ?? new Date(),
      payload,
      deliveredAt: null,
      attempts: 0,
    });
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
  }
  return eventId;
}
