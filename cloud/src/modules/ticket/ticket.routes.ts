import Router from '@koa/router';
import type { Middleware } from 'koa';
import {
  ClaimTicketSchema,
  IdSchema,
  SHORT_CODE_TRIES_PER_MIN,
  SyncRequestSchema,
  VerifyRequestSchema,
  isShortCode,
} from '@citysport/shared';
import { rateLimit } from '../../platform/ratelimit';
import { currentUser, requireRole, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { parse } from '../../platform/validate';
import type { TicketService } from './ticket.service';

type GateState = AuthState & { venueId?: string; body?: unknown };

export function ticketRoutes(service: TicketService, deps: { grantsOf: GrantLookup }) {
  const router = new Router<GateState>();
  // staff (and managers) of the gate's venue; the venue is named by the request, checked before anything else
  const gateStaff = requireRole(deps.grantsOf, ['staff', 'venue_manager'], (ctx) => (ctx.state as GateState).venueId);
  const venueFromQuery: Middleware<GateState> = async (ctx, next) => {
    ctx.state.venueId = parse(IdSchema, ctx.query.venueId);
    await next();
  };
  const bodyWith =
    (schema: typeof VerifyRequestSchema | typeof SyncRequestSchema): Middleware<GateState> =>
    async (ctx, next) => {
      const body = parse(schema, ctx.request.body);
      ctx.state.body = body;
      ctx.state.venueId = body.venueId;
      await next();
    };

  router.get('/tickets/mine', requireUser, async (ctx) => {
    ctx.body = { items: await service.mine(currentUser(ctx).userId) };
  });

  router.get('/tickets/:ticketId/code', requireUser, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await service.code(currentUser(ctx).userId, parse(IdSchema, ctx.params.ticketId));
  });

  // short gate codes (issue 10): each typed code counts against the staff account, in the database (kernel ratelimit)
  const shortCodeTries = rateLimit({
    max: SHORT_CODE_TRIES_PER_MIN,
    durationMs: 60_000,
    key: (ctx) => {
      const body = (ctx.state as GateState).body as { code?: string } | undefined;
      return body?.code && isShortCode(body.code) ? `short-code:${currentUser(ctx).userId}` : false;
    },
  });

  router.post('/verifications', requireUser, bodyWith(VerifyRequestSchema), gateStaff, shortCodeTries, async (ctx) => {
    const body = ctx.state.body as ReturnType<typeof VerifyRequestSchema.parse>;
    // the digits typed stand for the signed code of this step; the gate then checks it as if scanned
    const code = isShortCode(body.code) ? await service.resolveShortCode(body.venueId, body.code) : body.code;
    ctx.body = await service.verify(currentUser(ctx).userId, { ...body, code });
  });

  router.post('/tickets/claim', requireUser, async (ctx) => {
    const { claimToken } = parse(ClaimTicketSchema, ctx.request.body);
    ctx.body = { ticket: await service.claimTransfer(currentUser(ctx).userId, claimToken) };
  });

  router.post('/tickets/:ticketId/transfer', requireUser, async (ctx) => {
    ctx.body = await service.offerTransfer(currentUser(ctx).userId, parse(IdSchema, ctx.params.ticketId));
  });

  router.get('/verifications/offline-pack', requireUser, venueFromQuery, gateStaff, async (ctx) => {
    ctx.body = await service.offlinePack(ctx.state.venueId!);
  });

  router.post('/verifications/sync', requireUser, bodyWith(SyncRequestSchema), gateStaff, async (ctx) => {
    const body = ctx.state.body as ReturnType<typeof SyncRequestSchema.parse>;
    ctx.body = await service.sync(currentUser(ctx).userId, body.venueId, body.scans);
  });

  router.get('/verifications/today', requireUser, venueFromQuery, gateStaff, async (ctx) => {
    ctx.body = await service.today(ctx.state.venueId!);
  });

  return router;
}
