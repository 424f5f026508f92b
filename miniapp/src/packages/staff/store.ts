import { OfflinePackSchema, type OfflinePack } from '@citysport/shared';
import { readJson, readString, write } from '../../stores/storage';
import { randomId, storedQueue } from '../../stores/queue';

/** Storage of the gate (one device, one venue at a time). */
export const STAFF_KEYS = {
  venue: 'cs.staff.venue',
  device: 'cs.staff.device',
  offline: 'cs.staff.offline',
  pack: (venueId: string) => `cs.staff.pack.${venueId}`,
  queue: (venueId: string) => `cs.staff.queue.${venueId}`,
  used: (venueId: string) => `cs.staff.used.${venueId}`,
} as const;

/** A scan made offline, waiting for 上传 (the nonce makes the upload safe to repeat). */
export interface QueuedScan {
  code: string;
  nonce: string;
  scannedAt: string;
  deviceId: string;
  /** what the gate decided locally */
  result: string;
  ticketId: string | null;
}

export { randomId, newNonce } from '../../stores/queue';

export function deviceId(): string {
  const cur = readString(STAFF_KEYS.device);
  if (cur && /^[A-Za-z0-9_-]{1,64}$/.test(cur)) return cur;
  const id = `gate-${randomId(12)}`;
  write(STAFF_KEYS.device, id);
  return id;
}

export const readVenueChoice = () => readString(STAFF_KEYS.venue);
export const writeVenueChoice = (venueId: string) => write(STAFF_KEYS.venue, venueId);

export const readOfflineSwitch = () => readString(STAFF_KEYS.offline) === '1';
export const writeOfflineSwitch = (on: boolean) => write(STAFF_KEYS.offline, on ? '1' : null);

export function readPack(venueId: string): OfflinePack | null {
  const parsed = OfflinePackSchema.safeParse(readJson(STAFF_KEYS.pack(venueId)), { jitless: true });
  return parsed.success && parsed.data.venueId === venueId ? parsed.data : null;
}

export const writePack = (pack: OfflinePack) => write(STAFF_KEYS.pack(pack.venueId), JSON.stringify(pack));

const isScan = (s: unknown): s is QueuedScan =>
  !!s && typeof (s as QueuedScan).code === 'string' && typeof (s as QueuedScan).nonce === 'string';
const scanQueue = (venueId: string) => storedQueue<QueuedScan>(STAFF_KEYS.queue(venueId), isScan);

export const readQueue = (venueId: string): QueuedScan[] => scanQueue(venueId).read();
export const writeQueue = (venueId: string, queue: QueuedScan[]) => scanQueue(venueId).write(queue);
/** add a scan (or replace the one with its nonce); returns the queue */
export const putScan = (venueId: string, scan: QueuedScan) => scanQueue(venueId).put(scan);
/** drop the uploaded scans; returns what is left */
export const dropScans = (venueId: string, nonces: Iterable<string>) => scanQueue(venueId).drop(nonces);

/** tickets this device admitted (ticket id → ISO time), so an offline re-scan is refused; kept 2 days */
export function readUsed(venueId: string): Record<string, string> {
  const map = readJson<Record<string, string>>(STAFF_KEYS.used(venueId));
  if (!map || typeof map !== 'object') return {};
  const cutoff = Date.now() - 2 * 86_400_000;
  const out: Record<string, string> = {};
  for (const [id, at] of Object.entries(map)) if (typeof at === 'string' && Date.parse(at) > cutoff) out[id] = at;
  return out;
}

export function markUsed(venueId: string, ticketId: string, at: string): void {
  const map = readUsed(venueId);
  if (!map[ticketId]) map[ticketId] = at;
  write(STAFF_KEYS.used(venueId), JSON.stringify(map));
}
