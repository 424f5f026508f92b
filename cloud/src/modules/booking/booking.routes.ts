import Router from '@koa/router';
import {
  CancelBookingSchema,
  CancelQuoteQuerySchema,
  JoinWaitlistSchema,
  ReleaseReminderInputSchema,
  ReleaseReminderQuerySchema,
  SlotListQuerySchema,
  CloseDaySchema,
  CreateBookingSchema,
  DayQuerySchema,
  IdSchema,
  IdempotencyKeySchema,
  ManageReasonSchema,
  MyBookingsQuerySchema,
  MyNoShowsQuerySchema,
  UpdateRulesSchema,
  UpdateTemplatesSchema,
} from '@citysport/shared';
import { z } from 'zod';
import type { Middleware } from 'koa';
import { currentUser, requireRole, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { AppError } from '../../platform/errors';
import { parse } from '../../platform/validate';
import type { VenueService } from '../venue';
import type { BookingService } from './booking.service';
import { toDto } from './booking.dto';

type ManageState = AuthState & { venueId?: string; slotId?: string; resourceId?: string; banId?: string };

// <user>:<venue>:<the no-show that earned it> (bans made before that rule end in the day instead)
const BanIdSchema = z.string().regex(/^[0-9a-f]{24}:[0-9a-f]{24}:(?:[0-9a-f]{24}|\d{4}-\d{2}-\d{2})$/, 'not a ban id');

export function bookingRoutes(service: BookingService) {
  const router = new Router<AuthState>();

  router.post('/bookings', requireUser, async (ctx) => {
    const input = parse(CreateBookingSchema, ctx.request.body);
    const header = ctx.get('idempotency-key');
    const key = header ? parse(IdempotencyKeySchema, header) : undefined;
    const { booking, replayed } = await service.book(currentUser(ctx).userId, input, key);
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.status = replayed ? 200 : 201;
    ctx.body = { booking };
  });

  router.get('/bookings/mine', requireUser, async (ctx) => {
    ctx.body = await service.listMine(currentUser(ctx).userId, parse(MyBookingsQuerySchema, ctx.query));
  });

  // 爽约记录 (issue 10): the caller's own no-shows and bans; nothing of anyone else's
  router.get('/me/no-shows', requireUser, async (ctx) => {
    ctx.body = await service.myNoShows(currentUser(ctx).userId, parse(MyNoShowsQuerySchema, ctx.query));
  });

  router.get('/bookings/:bookingId', requireUser, async (ctx) => {
    ctx.body = { booking: await service.getMine(currentUser(ctx).userId, parse(IdSchema, ctx.params.bookingId)) };
  });

  router.post('/bookings/:bookingId/cancel', requireUser, async (ctx) => {
    const bookingId = parse(IdSchema, ctx.params.bookingId);
    const { reason, slotIds } = parse(CancelBookingSchema, ctx.request.body ?? {});
    const userId = currentUser(ctx).userId;
    // a subset cancels that part (issue 10); all of the slots is the whole cancel
    const part = slotIds ? await service.cancelPart(userId, bookingId, slotIds) : null;
    ctx.body = { booking: part ? toDto(part) : await service.cancel(userId, bookingId, reason) };
  });

  router.get('/bookings/:bookingId/cancel-quote', requireUser, async (ctx) => {
    const bookingId = parse(IdSchema, ctx.params.bookingId);
    const { slotIds } = parse(CancelQuoteQuerySchema, ctx.query);
    const ids = slotIds ? parse(CancelBookingSchema.shape.slotIds, slotIds.split(',')) : undefined;
    ctx.body = { quote: await service.cancelQuote(currentUser(ctx).userId, bookingId, ids) };
  });

  router.post('/slots/:slotId/waitlist', requireUser, async (ctx) => {
    const slotId = parse(IdSchema, ctx.params.slotId);
    parse(JoinWaitlistSchema, ctx.request.body ?? {});
    ctx.status = 201;
    ctx.body = { entry: await service.waitlist.join(currentUser(ctx).userId, slotId) };
  });

  router.get('/slots/:slotId/waitlist', requireUser, async (ctx) => {
    ctx.body = { entry: await service.waitlist.mine(currentUser(ctx).userId, parse(IdSchema, ctx.params.slotId)) };
  });

  router.delete('/slots/:slotId/waitlist', requireUser, async (ctx) => {
    ctx.body = { entry: await service.waitlist.leave(currentUser(ctx).userId, parse(IdSchema, ctx.params.slotId)) };
  });

  router.get('/venues/:venueId/standing', requireUser, async (ctx) => {
    const venueId = parse(IdSchema, ctx.params.venueId);
    const { date, sport } = parse(SlotListQuerySchema, ctx.query);
    ctx.body = { standing: await service.standing(currentUser(ctx).userId, venueId, date, sport) };
  });

  router.post('/release-reminders', requireUser, async (ctx) => {
    const input = parse(ReleaseReminderInputSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = { reminder: await service.releaseReminders.ask(currentUser(ctx).userId, input) };
  });

  // the caller's own 放号提醒 for a venue's day: nothing of anyone else's
  router.get('/release-reminders', requireUser, async (ctx) => {
    const { venueId, date } = parse(ReleaseReminderQuerySchema, ctx.query);
    ctx.body = { items: await service.releaseReminders.mine(currentUser(ctx).userId, venueId, date) };
  });

  return router;
}

/**
 * Venue manager tools. Every route resolves the venue it acts on first (from the path, or from
 * the slot / resource / ban named), then checks the manager role for that venue.
 */
export function manageRoutes(
  service: BookingService,
  venues: VenueService,
  deps: { grantsOf: GrantLookup; scopesOf: (userId: string) => Promise<string[] | 'all'> },
) {
  const router = new Router<ManageState>();
  const managerOf = requireRole(deps.grantsOf, ['venue_manager'], (ctx) => (ctx.state as ManageState).venueId);

  const venueFromPath: Middleware<ManageState> = async (ctx, next) => {
    const venueId = parse(IdSchema, ctx.params.venueId);
    if (!(await venues.venueExists(venueId))) throw new AppError('VENUE_NOT_FOUND', 'no such venue');
    ctx.state.venueId = venueId;
    await next();
  };

  router.get('/manage/venues', requireUser, async (ctx) => {
    const scopes = await deps.scopesOf(currentUser(ctx).userId);
    const ids = scopes === 'all' ? await venues.allVenueIds() : scopes;
    ctx.body = { items: await venues.venueSummaries(ids) };
  });

  router.get('/manage/venues/:venueId/bookings', requireUser, venueFromPath, managerOf, async (ctx) => {
    const { date } = parse(DayQuerySchema, ctx.query);
    ctx.body = { items: await service.dayBookings(ctx.state.venueId!, date) };
  });

  router.put('/manage/venues/:venueId/rules', requireUser, venueFromPath, managerOf, async (ctx) => {
    const patch = parse(UpdateRulesSchema, ctx.request.body);
    const venue = await venues.updateRules(currentUser(ctx).userId, ctx.state.venueId!, patch);
    ctx.body = { venue };
  });

  router.post('/manage/venues/:venueId/close-day', requireUser, venueFromPath, managerOf, async (ctx) => {
    const { date, reason } = parse(CloseDaySchema, ctx.request.body);
    ctx.body = await service.closeDay(currentUser(ctx).userId, ctx.state.venueId!, date, reason);
  });

  router.get('/manage/venues/:venueId/bans', requireUser, venueFromPath, managerOf, async (ctx) => {
    ctx.body = { items: await service.listBans(ctx.state.venueId!) };
  });

  /** Resolves the venue a resource, slot or ban belongs to, then checks the manager role for it. */
  const managerOfOwner = (param: 'resourceId' | 'slotId' | 'banId', owner: (id: string) => Promise<string>): Middleware<ManageState>[] => [
    async (ctx, next) => {
      const id = parse(param === 'banId' ? BanIdSchema : IdSchema, ctx.params[param]);
      ctx.state[param] = id;
      ctx.state.venueId = await owner(id);
      await next();
    },
    managerOf as Middleware<ManageState>,
  ];

  router.put(
    '/manage/resources/:resourceId/templates',
    requireUser,
    ...managerOfOwner('resourceId', venues.resourceVenueId),
    async (ctx) => {
      const { templates } = parse(UpdateTemplatesSchema, ctx.request.body);
      ctx.body = { resource: await venues.updateTemplates(currentUser(ctx).userId, ctx.state.resourceId!, templates) };
    },
  );

  router.post('/manage/slots/:slotId/close', requireUser, ...managerOfOwner('slotId', venues.slotVenueId), async (ctx) => {
    const { reason } = parse(ManageReasonSchema, ctx.request.body);
    ctx.body = await service.closeSlot(currentUser(ctx).userId, ctx.state.slotId!, reason);
  });

  router.post('/manage/bans/:banId/lift', requireUser, ...managerOfOwner('banId', service.banVenueId), async (ctx) => {
    const { reason } = parse(ManageReasonSchema, ctx.request.body);
    ctx.body = { ban: await service.liftBan(currentUser(ctx).userId, ctx.state.banId!, reason) };
  });

  return router;
}
