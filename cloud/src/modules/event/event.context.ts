import { createHmac } from 'node:crypto';
import type { Kernel } from '../../platform/kernel';
import type { Pseudonymizer } from '../../platform/pseudonym';
import type { FieldCipher } from '../../platform/crypto-field';
import type { PaymentPort } from '../payment';
import type { TicketService } from '../ticket';

export const REG_OWNER = 'event_registration';
export const EVENT_OWNER = 'event';
/** kernel.capacity kinds: a group's places (first come) or entries (lottery), and a team's member places */
export const EVENT_GROUP_CAPACITY = 'event_group';
export const EVENT_TEAM_CAPACITY = 'event_team';
/** a lottery group takes entries up to this (the guard that matters is the window flag `open`) */
export const LOTTERY_ENTRY_CEILING = 50_000_000;
/**
 * A group's counter remembers this many take/give tokens (kernel.capacity `keepTokens`). They only
 * need to outlive a crash's heal (retries, tombstones, a rolled-back take): cancellations give back
 * with `taken` and need none. Each take rewrites the list, so it is kept short — on the embedded
 * engine a take on a 2,000-token list ran at about a tenth of the rate on a 100-token one
 * (`npm run bench:capacity-tokens`, docs/benchmarks.md).
 */
export const GROUP_KEEP_TOKENS = 200;
export const MAX_BATCH = 200;
export const EXTERNAL_STEP_TIMEOUT_MS = 10_000;

export type RegStep =
  | 'capacity'
  | 'team'
  | 'order.create'
  | 'order.close'
  | 'refund'
  | 'tickets.issue'
  | 'tickets.revoke'
  | 'tickets.revoke_prior'
  | 'event.transferred'
  | 'offer.next'
  | 'event.registered'
  | 'event.confirmed'
  | 'event.cancelled'
  | 'event.lapsed'
  | 'event.checked_in';

export interface EventDeps {
  kernel: Kernel;
  payments: PaymentPort;
  tickets: TicketService;
  pseudonym: Pseudonymizer;
  cipher: FieldCipher;
  /** how long an instance reuses an open event and its groups (config EVENT_OPEN_CACHE_MS; default OPEN_EVENT_TTL_MS) */
  openEventTtlMs?: number;
  /** the keyed hash of an ID number or a name (never stored in plain for lookups) */
  keyedHash: (purpose: 'id' | 'name' | 'cert', value: string) => string;
  /** a subscribe message (the notification module: only with the user's consent; never throws) */
  notify: (userId: string, templateId: string, data: Record<string, string>) => Promise<void>;
}

/** subscribe-message templates of event registration */
export const EVENT_TEMPLATES = {
  draw: 'event_draw_result',
  pay: 'event_pay_deadline',
  start: 'event_start_reminder',
} as const;

export function keyedHasher(secret: string) {
  return (purpose: 'id' | 'name' | 'cert', value: string) =>
    createHmac('sha256', `citysport-event-${purpose}:${secret}`).update(value.trim().toUpperCase(), 'utf8').digest('base64url');
}
