import { createHmac } from 'node:crypto';
import mongoose from 'mongoose';
import { SHORT_CODE_DIGITS, TICKET_STEP_SECONDS } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import type { Clock } from '../../platform/clock';

/**
 * Short gate codes (issue 10): under the QR, 8 digits that rotate with it. The digits carry
 * nothing themselves: the server keeps, per venue and 30-second step, which signed code they
 * stand for (`ticket_short_codes`, `_id` = `<venue>:<step>:<digits>`, unique). Staff type them
 * on the gate page; the gate then checks the signed code exactly as if it had been scanned.
 * A code is good only in its own step; guessing is bounded by the per-staff rate limit on the
 * verification route (kernel ratelimit, kept in the database).
 */
const COLLECTION = 'ticket_short_codes';
const coll = () => mongoose.connection.collection<ShortCodeDoc>(COLLECTION);

interface ShortCodeDoc {
  _id: string;
  venueId: string;
  ticketId: string;
  step: number;
  digits: string;
  code: string;
  /** TTL index (where the engine has TTL): rows go a few minutes after their step */
  expiresAt: Date;
}

export function createShortCodes(deps: { clock: Clock; secret: string }) {
  let indexed: Promise<unknown> | null = null;
  const ensureIndexes = () =>
    (indexed ??= Promise.all([
      coll().createIndex({ step: 1, digits: 1 }),
      coll().createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }),
    ]).catch((err) => {
      indexed = null;
      throw err;
    }));

  function digitsOf(ticketId: string, step: number, salt: number): string {
    const mac = createHmac('sha256', deps.secret).update(`short:${ticketId}:${step}:${salt}`).digest();
    const n = mac.readUInt32BE(0) * 256 + mac[4]; // 40 bits, reduced below
    return String(n % 10 ** SHORT_CODE_DIGITS).padStart(SHORT_CODE_DIGITS, '0');
  }

  /** The digits for this ticket's signed code of `step` (the same digits for every request in the step). */
  async function issue(t: { ticketId: string; venueId: string }, step: number, code: string): Promise<string> {
    await ensureIndexes();
    const expiresAt = new Date((step + 10) * TICKET_STEP_SECONDS * 1000);
    for (let salt = 0; salt < 5; salt++) {
      const digits = digitsOf(t.ticketId, step, salt);
      const _id = `${t.venueId}:${step}:${digits}`;
      try {
        await coll().insertOne({ _id, venueId: t.venueId, ticketId: t.ticketId, step, digits, code, expiresAt });
        return digits;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        const held = await coll().findOne({ _id });
        if (held?.ticketId === t.ticketId) return digits; // asked again in the same step
        // another ticket of this venue drew the same digits in this step: the next salt
      }
    }
    throw new AppError('CONFLICT', 'no short code free in this step; try again');
  }

  /** The signed code the digits stand for at this venue, now; refused outside its step or for another venue. */
  async function resolve(venueId: string, digits: string): Promise<string> {
    const step = Math.floor(deps.clock.now().getTime() / 1000 / TICKET_STEP_SECONDS);
    const row = await coll().findOne({ _id: `${venueId}:${step}:${digits}` });
    if (row) return row.code;
    const elsewhere = await coll().findOne({ step, digits });
    if (elsewhere) throw new AppError('TICKET_NOT_FOR_THIS_VENUE', 'this ticket is for another venue', { venueId: elsewhere.venueId });
    throw new AppError('SHORT_CODE_UNKNOWN', 'no ticket has these digits in this step');
  }

  return { issue, resolve };
}
export type ShortCodes = ReturnType<typeof createShortCodes>;
