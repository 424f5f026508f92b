import type { Measurements } from '@citysport/shared';
import { storedQueue } from '../../stores/queue';

/**
 * A station's measurement entries that could not be sent (no network), kept on this device in the
 * same stored queue as the gate's offline scans and sent when the network is back. The nonce is the
 * entry's Idempotency-Key: an entry that did reach the server before the connection dropped answers
 * its first report when sent again, never a second one.
 */
export interface QueuedEntry {
  nonce: string;
  stationId: string;
  body: { stationId: string; ticketCode?: string; bookingId?: string; measurements: Measurements };
  /** what staff see in the list: the code or booking number, shortened */
  label: string;
  savedAt: string;
  /** set when the server refused it (e.g. another device's entry for the same person came first) */
  conflict?: { code: string; message: string; reportId?: string };
}

const isEntry = (x: unknown): x is QueuedEntry =>
  !!x &&
  typeof (x as QueuedEntry).nonce === 'string' &&
  typeof (x as QueuedEntry).stationId === 'string' &&
  typeof (x as QueuedEntry).body === 'object' &&
  (x as QueuedEntry).body !== null;

export const entryQueue = (stationId: string) => storedQueue<QueuedEntry>(`cs.fitness.queue.${stationId}`, isEntry);
