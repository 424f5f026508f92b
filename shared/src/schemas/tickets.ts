import { z } from 'zod';
import { IdSchema } from './common';
import { SportSchema } from './venues';

export const TICKET_STATUSES = ['valid', 'used', 'revoked'] as const;
export const TicketStatusSchema = z.enum(TICKET_STATUSES);

export const TicketSchema = z.object({
  id: IdSchema,
  /** what the ticket admits to: the module that issued it and its id (a booking, a registration, …) */
  source: z.object({ kind: z.string(), id: z.string() }),
  /** the booking, when the source is a booking (kept for the ticket pages) */
  bookingId: IdSchema.nullable(),
  venueId: IdSchema,
  venueName: z.string(),
  resourceName: z.string(),
  sport: SportSchema,
  startAt: z.string(),
  endAt: z.string(),
  /** 1 … quantity: one ticket per admitted person */
  seat: z.number().int().positive(),
  /** 王** — shown on the ticket and to the gate, so a screenshot of someone else's ticket is easy to spot */
  holderName: z.string(),
  status: TicketStatusSchema,
  usedAt: z.string().nullable(),
});
export type Ticket = z.infer<typeof TicketSchema>;
export const TicketListSchema = z.object({ items: z.array(TicketSchema) });

/** The string the QR code encodes; it changes every `stepSeconds` and is valid until `expiresAt`. */
export const TicketCodeSchema = z.object({
  code: z.string(),
  /** the digits under the QR (issue 10): staff may type them; good only in this step */
  shortCode: z.string().regex(/^\d{6,8}$/),
  expiresAt: z.string(),
  stepSeconds: z.number().int(),
});

/** Code strings are compact base64url; anything else is refused before any parsing. */
export const CodeStringSchema = z
  .string()
  .min(20)
  .max(400)
  .regex(/^CS1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'not a CitySport ticket code');
export const NonceSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

export const VerifyRequestSchema = z
  .object({
    code: z.string().max(400),
    /** the gate's venue */
    venueId: IdSchema,
    /** a retried upload with the same nonce answers the first result */
    nonce: NonceSchema.optional(),
    deviceId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
  })
  .strict();

export const VERIFICATION_RESULTS = [
  'admitted',
  'already_used',
  'not_for_this_venue',
  'not_yet_open',
  'expired',
  'revoked',
  'invalid',
] as const;
export const VerificationResultSchema = z.enum(VERIFICATION_RESULTS);
export type VerificationResult = z.infer<typeof VerificationResultSchema>;

/** The gate result each verification error stands for (the server's records and the staff page alike). */
export const VERIFICATION_RESULT_OF_ERROR = {
  TICKET_ALREADY_USED: 'already_used',
  TICKET_NOT_FOR_THIS_VENUE: 'not_for_this_venue',
  TICKET_NOT_YET_VALID: 'not_yet_open',
  TICKET_EXPIRED: 'expired',
  TICKET_REVOKED: 'revoked',
  TICKET_INVALID: 'invalid',
} as const satisfies Record<string, Exclude<VerificationResult, 'admitted'>>;

export const VerifyResponseSchema = z.object({
  result: z.literal('admitted'),
  ticket: TicketSchema,
  verifiedAt: z.string(),
});

export const OfflinePackSchema = z.object({
  venueId: IdSchema,
  generatedAt: z.string(),
  stepSeconds: z.number().int(),
  /** codes this many steps old are still accepted */
  acceptSteps: z.number().int(),
  /** minutes before start a ticket opens */
  opensMinutesBefore: z.number().int(),
  keys: z.array(z.object({ kid: z.string(), publicKey: z.string() })),
  /** revoked ticket ids of this venue (cancelled or refunded bookings) */
  revoked: z.array(IdSchema),
});
export type OfflinePack = z.infer<typeof OfflinePackSchema>;

export const SyncRequestSchema = z
  .object({
    venueId: IdSchema,
    scans: z
      .array(
        z
          .object({
            code: z.string().max(400),
            nonce: NonceSchema,
            scannedAt: z.iso.datetime({ offset: true }),
            deviceId: z
              .string()
              .regex(/^[A-Za-z0-9_-]{1,64}$/)
              .optional(),
          })
          .strict(),
      )
      .min(1)
      .max(500),
  })
  .strict();

export const SyncResponseSchema = z.object({
  items: z.array(
    z.object({
      nonce: z.string(),
      result: VerificationResultSchema,
      /** this scan admitted someone whose ticket another gate (or scan) had already admitted */
      duplicate: z.boolean(),
      ticketId: IdSchema.nullable(),
      firstUsedAt: z.string().nullable(),
    }),
  ),
});

export const StaffTodaySchema = z.object({
  venueId: IdSchema,
  admitted: z.number().int(),
  rejected: z.number().int(),
  duplicates: z.number().int(),
});
