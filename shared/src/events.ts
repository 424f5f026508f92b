/**
 * Business events stored in the outbox and fed, de-identified, to the city's sports data centre.
 * Payloads carry ids, amounts, places and times — never names, phone or ID numbers; a user
 * appears only as an HMAC pseudonym (`subject`).
 */
export interface OutboxEventMap {
  'user.registered': { subject: string };
  'role.granted': { subject: string; role: string; scope: string | null };
  'role.revoked': { subject: string; role: string; scope: string | null };
}

export type OutboxEventType = keyof OutboxEventMap;
