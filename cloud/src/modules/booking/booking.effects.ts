import { inShanghai } from '@citysport/shared';
import { emit, eventStored } from '../../platform/outbox';
import { AppError } from '../../platform/errors';
import { withTimeout } from '../../platform/jobs';
import type { EffectStep } from '../../platform/effects';
import { SLOT_CAPACITY } from '../venue';
import type { BookingDoc } from './booking.model';
import { EFFECTS_OWNER, type BookingDeps, type BookingStep } from './booking.context';
import { admissionOf, factsOf } from './booking.dto';
import type { Bans } from './booking.bans';
import { partialCancelSteps } from './booking.partial-cancel';

/**
 * What each booking step does (kernel.effects). Every step is idempotent: capacity and limits
 * are exactly-once per booking (its id is the holder), tickets are unique per source and seat,
 * events have deterministic ids, refunds and closes are guarded on the order.
 */
/** An external call inside a step never holds a sweep longer than this; a timed-out step stays pending and is retried. */
export const EXTERNAL_STEP_TIMEOUT_MS = 10_000;

export function defineBookingEffects(deps: BookingDeps, bans: Bans) {
  const { kernel, payments } = deps;
  const facts = (b: BookingDoc) => factsOf(deps.pseudonym, b);
  const at = (b: BookingDoc, d: Date | null) => d ?? b.createdAt;
  const EVENTS = ['booked', 'confirmed', 'cancelled', 'expired', 'used', 'no_show'] as const;
  const eventId = (kind: (typeof EVENTS)[number], b: BookingDoc) => `booking.${kind}:${b._id}`;

  const steps: Record<BookingStep, EffectStep<BookingDoc>> = {
    capacity: (b, { firstRun }) =>
      kernel.capacity.giveBackAll(
        b.slotIds.map((id) => ({ kind: SLOT_CAPACITY, id, n: b.quantity })),
        // only a rolled-back attempt (`failed`) may have taken nothing; a booking that ended had its places
        { holder: String(b._id), taken: firstRun && b.status !== 'failed' },
      ),
    limits: async (b) => {
      for (const key of b.limitKeys) await kernel.limits.giveBack(key, { holder: String(b._id) });
    },
    'tickets.issue': async (b) => {
      // a booking that ended before its tickets were issued (a crash, then a cancel whose revoke found
      // none) is owed none: the sweeper runs this step after that cancel, on the document as it is now
      if (b.status !== 'confirmed' && b.status !== 'used') return;
      await deps.tickets.issue(admissionOf(b));
    },
    'tickets.revoke': (b) => deps.tickets.revokeFor({ kind: 'booking', id: String(b._id) }),
    'order.close': async (b) => {
      // places and limits went back in the steps before: a slow close never holds them
      if (b.orderId)
        await withTimeout(payments.closeOrder(b.orderId, b.refundReason ?? 'booking ended'), EXTERNAL_STEP_TIMEOUT_MS, 'order close');
    },
    refund: async (b) => {
      if (!b.orderId) return;
      try {
        await withTimeout(
          payments.refundOrder(b.orderId, { reason: b.refundReason ?? '用户取消' }),
          EXTERNAL_STEP_TIMEOUT_MS,
          'refund start',
        );
      } catch (err) {
        // refunded already (a retry after a crash, or an admin's refund): nothing left to start
        if (err instanceof AppError && err.code === 'REFUND_NOT_ALLOWED') return;
        throw err;
      }
    },
    'event.booked': async (b) => {
      await emit(
        'booking.booked',
        { ...facts(b), status: b.amountFen > 0 ? 'held' : 'confirmed' },
        { eventId: eventId('booked', b), occurredAt: b.createdAt },
      );
    },
    'event.confirmed': async (b) => {
      await emit('booking.confirmed', facts(b), { eventId: eventId('confirmed', b), occurredAt: at(b, b.confirmedAt) });
    },
    'event.cancelled': async (b) => {
      await emit(
        'booking.cancelled',
        { ...facts(b), by: b.cancelledBy ?? 'user', refundStarted: b.refundStarted },
        { eventId: eventId('cancelled', b), occurredAt: at(b, b.cancelledAt) },
      );
    },
    'event.expired': async (b) => {
      await emit('booking.expired', facts(b), { eventId: eventId('expired', b), occurredAt: at(b, b.holdExpiresAt) });
    },
    'event.used': async (b) => {
      await emit('booking.used', facts(b), { eventId: eventId('used', b), occurredAt: at(b, b.usedAt) });
    },
    'event.no_show': async (b) => {
      await emit('booking.no_show', facts(b), { eventId: eventId('no_show', b), occurredAt: at(b, b.noShowAt) });
    },
    ban: (b) => bans.considerBan(b, at(b, b.noShowAt)),
    'notify.venue_cancelled': (b) =>
      withTimeout(
        deps.notify(String(b.userId), 'booking_cancelled', {
          thing1: b.venueName,
          time2: inShanghai(b.startAt).format('YYYY-MM-DD HH:mm'),
          thing3: (b.refundReason ?? '场馆关闭').slice(0, 20),
        }),
        EXTERNAL_STEP_TIMEOUT_MS,
        'subscribe message',
      ),
    ...partialCancelSteps(deps),
  };
  // tickets and events are confirmed by the sweeper in bulk (one read each), not cleared one by one on the hot path
  const checks: Record<string, (docs: BookingDoc[]) => Promise<Set<string>>> = {
    'tickets.issue': (docs) =>
      deps.tickets.issuedFor(
        'booking',
        docs.map((b) => ({ id: String(b._id), seats: b.quantity })),
      ),
  };
  for (const kind of EVENTS) checks[`event.${kind}`] = eventStored((b) => eventId(kind, b));
  kernel.effects.define<BookingDoc>(EFFECTS_OWNER, { collection: 'bookings', steps, staleMs: 60_000, checks });
}
