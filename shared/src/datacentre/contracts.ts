/**
 * The data-centre event contract (issue 17): one entry per outbox event type, with its schema
 * version, what it means, the field that names its aggregate (events of one aggregate arrive in
 * order) and an example. `docs/datacentre.md` is generated from this table
 * (`npm run docs:datacentre`); `emit` refuses a payload its entry does not accept or in which the
 * personal-data scan finds anything.
 *
 * ADDING AN EVENT TYPE: add it to `OutboxEventMap` (events.ts) and ONE entry to `EVENT_CONTRACTS`
 * below (the type checker insists on both). A breaking change of a payload bumps `schemaVersion`.
 */
import { z } from 'zod';
import type { OutboxEventMap, OutboxEventType } from '../events';
import { SportSchema } from '../schemas/venues';

/** A user in the feed: HMAC-SHA256 pseudonym (base64url, 22 chars), prefixed `e<n>.` from key epoch 1 on. */
export const SubjectSchema = z
  .string()
  .regex(/^(e[1-9]\d{0,3}\.)?[A-Za-z0-9_-]{22}$/, 'not a pseudonym')
  .describe('the user as an HMAC pseudonym (keyed; `e<n>.` names the key epoch)');
const Id = z.string().regex(/^[0-9a-f]{24}$/, 'not an id');
const Iso = z.iso.datetime({ offset: true });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Fen = z.number().int().nonnegative();

export interface EventContract<P = unknown> {
  schemaVersion: number;
  /** what the event means, for the data centre's catalogue */
  about: string;
  /** the payload field naming the aggregate (per-aggregate order is kept) */
  aggregate: string;
  schema: z.ZodType<P>;
  /** paths whose Chinese text is public reference data (a venue's name, its address) */
  publicText?: readonly string[];
  example: P;
}

function contract<P>(c: EventContract<P>): EventContract<P> {
  return c;
}

const bookingShape = {
  subject: SubjectSchema,
  bookingId: Id.describe('booking id'),
  venueId: Id.describe('venue (place: the venue, its district from the venue snapshot)'),
  resourceId: Id.describe('court, lane or room'),
  sport: SportSchema.describe('sport'),
  day: Day.describe('business day of the slot (Asia/Shanghai)'),
  startAt: Iso.describe('slot start'),
  quantity: z.number().int().positive().describe('places booked'),
  amountFen: Fen.describe('price in fen before vouchers'),
};
const bookingExample = {
  subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
  bookingId: '6750a1b2c3d4e5f601234567',
  venueId: '6750a1b2c3d4e5f600000001',
  resourceId: '6750a1b2c3d4e5f600000011',
  sport: 'badminton' as const,
  day: '2026-12-05',
  startAt: '2026-12-05T10:00:00.000Z',
  quantity: 1,
  amountFen: 3000,
};
// typed loosely here; the contract test parses every example with its schema
const booking = <E extends z.ZodRawShape>(about: string, extra: E, example: z.infer<z.ZodObject<E>>): EventContract<any> =>
  contract<unknown>({
    schemaVersion: 1,
    about,
    aggregate: 'bookingId',
    schema: z.strictObject({ ...bookingShape, ...extra }),
    example: { ...bookingExample, ...example },
  });
const orderShape = {
  subject: SubjectSchema,
  orderId: Id.describe('order id'),
  kind: z.string().max(32).describe('what was sold (booking, …)'),
};
const refShape = <S extends z.ZodRawShape>(snapshot: S) => ({
  refId: Id.describe('the reference record'),
  version: z.number().int().positive().describe('snapshot version, +1 on every change'),
  removed: z.boolean().describe('true: the record was deleted (the snapshot is its last state)'),
  snapshot: z.strictObject(snapshot),
});

export const EVENT_CONTRACTS: { [K in OutboxEventType]: EventContract<OutboxEventMap[K]> } = {
  'user.registered': contract({
    schemaVersion: 1,
    about: 'a citizen registered (first login)',
    aggregate: 'subject',
    schema: z.strictObject({ subject: SubjectSchema }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW' },
  }),
  'role.granted': contract({
    schemaVersion: 1,
    about: 'a role was granted (staff, manager, …)',
    aggregate: 'subject',
    schema: z.strictObject({
      subject: SubjectSchema,
      role: z.string().max(32),
      scope: z.string().max(64).nullable().describe('venue/club id'),
    }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', role: 'staff', scope: '6750a1b2c3d4e5f600000001' },
  }),
  'role.revoked': contract({
    schemaVersion: 1,
    about: 'a role was revoked',
    aggregate: 'subject',
    schema: z.strictObject({ subject: SubjectSchema, role: z.string().max(32), scope: z.string().max(64).nullable() }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', role: 'staff', scope: null },
  }),
  'booking.booked': booking(
    'a venue slot was booked (held until paid, or confirmed when free)',
    { status: z.enum(['held', 'confirmed']) },
    { status: 'held' },
  ),
  'booking.confirmed': booking('a booking was confirmed (paid, or free)', {}, {}),
  'booking.cancelled': booking(
    'a booking was cancelled by the citizen or the venue',
    { by: z.enum(['user', 'venue']), refundStarted: z.boolean() },
    { by: 'user', refundStarted: true },
  ),
  'booking.expired': booking('an unpaid hold expired', {}, {}),
  'booking.no_show': booking('the citizen did not come', {}, {}),
  'booking.used': booking('the citizen was admitted', {}, {}),
  'order.paid': contract({
    schemaVersion: 1,
    about: 'an order was paid; subsidy = amountFen − payableFen (vouchers)',
    aggregate: 'orderId',
    schema: z.strictObject({
      ...orderShape,
      refId: z.string().max(64).optional().describe('what the order pays for (a booking id, …)'),
      amountFen: Fen.describe('price before vouchers'),
      payableFen: Fen.describe('paid by the citizen'),
    }),
    example: {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      orderId: '6750a1b2c3d4e5f601230001',
      kind: 'booking',
      refId: '6750a1b2c3d4e5f601234567',
      amountFen: 3000,
      payableFen: 2000,
    },
  }),
  'order.closed': contract({
    schemaVersion: 1,
    about: 'an unpaid order was closed',
    aggregate: 'orderId',
    schema: z.strictObject({ ...orderShape, amountFen: Fen }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', orderId: '6750a1b2c3d4e5f601230001', kind: 'booking', amountFen: 3000 },
  }),
  'order.refunded': contract({
    schemaVersion: 1,
    about: 'money went back to the citizen',
    aggregate: 'orderId',
    schema: z.strictObject({ ...orderShape, refundFen: Fen }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', orderId: '6750a1b2c3d4e5f601230001', kind: 'booking', refundFen: 2000 },
  }),
  'ticket.admitted': contract({
    schemaVersion: 1,
    about: 'a ticket was admitted at a gate (online or offline scan)',
    aggregate: 'ticketId',
    schema: z.strictObject({
      subject: SubjectSchema,
      ticketId: Id,
      source: z.strictObject({ kind: z.string().max(32), id: z.string().max(64) }).describe('what the ticket admitted to'),
      venueId: Id,
      startAt: Iso,
      offline: z.boolean(),
    }),
    example: {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      ticketId: '6750a1b2c3d4e5f601239999',
      source: { kind: 'booking', id: '6750a1b2c3d4e5f601234567' },
      venueId: '6750a1b2c3d4e5f600000001',
      startAt: '2026-12-05T10:00:00.000Z',
      offline: false,
    },
  }),
  'voucher.claimed': contract({
    schemaVersion: 1,
    about: 'a consumption voucher was claimed',
    aggregate: 'voucherId',
    schema: z.strictObject({ subject: SubjectSchema, batchId: z.string().max(64), voucherId: z.string().max(64) }),
    example: { subject: 'Q3k2b1VzZXJQc2V1ZG9ueW', batchId: '6750a1b2c3d4e5f600005555', voucherId: '6750a1b2c3d4e5f600006666' },
  }),
  'voucher.used': contract({
    schemaVersion: 1,
    about: 'a voucher was used on a paid order',
    aggregate: 'voucherId',
    schema: z.strictObject({ subject: SubjectSchema, batchId: z.string().max(64), voucherId: z.string().max(64), orderId: Id }),
    example: {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      batchId: '6750a1b2c3d4e5f600005555',
      voucherId: '6750a1b2c3d4e5f600006666',
      orderId: '6750a1b2c3d4e5f601230001',
    },
  }),
  'ref.venue': contract({
    schemaVersion: 1,
    about: 'reference data: a venue snapshot, sent on every change and on removal (Chongqing 第十四条)',
    aggregate: 'refId',
    publicText: ['snapshot.name', 'snapshot.address', 'snapshot.openHours.note'],
    schema: z.strictObject(
      refShape({
        name: z.string().max(200),
        district: z.string().max(64),
        address: z.string().max(300),
        location: z.strictObject({ lat: z.number(), lng: z.number() }),
        sports: z.array(SportSchema),
        freeOrLowFee: z.boolean(),
        openHours: z.strictObject({ open: z.string(), close: z.string(), note: z.string().optional() }),
      }),
    ),
    example: {
      refId: '6750a1b2c3d4e5f600000001',
      version: 2,
      removed: false,
      snapshot: {
        name: '渝中区全民健身中心',
        district: '渝中区',
        address: '渝中区中山一路 1 号',
        location: { lat: 29.56, lng: 106.55 },
        sports: ['badminton', 'table_tennis'],
        freeOrLowFee: true,
        openHours: { open: '08:00', close: '22:00' },
      },
    },
  }),
  'ref.resource': contract({
    schemaVersion: 1,
    about: 'reference data: a court/lane/room snapshot, sent on every change and on removal',
    aggregate: 'refId',
    publicText: ['snapshot.name'],
    schema: z.strictObject(
      refShape({
        venueId: Id,
        name: z.string().max(100),
        sport: SportSchema,
        kind: z.string().max(32),
        templates: z.number().int().nonnegative(),
      }),
    ),
    example: {
      refId: '6750a1b2c3d4e5f600000011',
      version: 1,
      removed: false,
      snapshot: { venueId: '6750a1b2c3d4e5f600000001', name: '1号场', sport: 'badminton', kind: 'court', templates: 12 },
    },
  }),
};

export const EVENT_TYPES = Object.keys(EVENT_CONTRACTS) as OutboxEventType[];

/** The wire form of one event in a batch (API.md, "Data centre"). */
export interface FeedEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  payload: Record<string, unknown>;
}
export interface FeedBatch {
  batchId: string;
  events: FeedEvent[];
}
/** The receiver's 2xx answer: ids it holds now (new or duplicates) and events it refuses for good. */
export interface FeedAck {
  accepted: string[];
  rejected?: { eventId: string; reason: string }[];
}
