import Router from '@koa/router';
import { IdSchema, SlotListQuerySchema, VenueListQuerySchema } from '@citysport/shared';
import type { AuthState } from '../../platform/auth';
import { parse } from '../../platform/validate';
import type { VenueService } from './venue.service';

export function venueRoutes(service: VenueService) {
  const router = new Router<AuthState>();

  router.get('/venues', async (ctx) => {
    ctx.body = { items: await service.listVenues(parse(VenueListQuerySchema, ctx.query)) };
  });

  router.get('/venues/:venueId', async (ctx) => {
    ctx.body = { venue: await service.getVenue(parse(IdSchema, ctx.params.venueId)) };
  });

  router.get('/venues/:venueId/slots', async (ctx) => {
    const venueId = parse(IdSchema, ctx.params.venueId);
    const q = parse(SlotListQuerySchema, ctx.query);
    ctx.body = { items: await service.listSlots(venueId, q.date, q.sport) };
  });

  return router;
}
