import Router from '@koa/router';
import type { Middleware } from 'koa';
import {
  CancelRegistrationSchema,
  CertificateCodeSchema,
  CertificateQuerySchema,
  TransferRegistrationSchema,
  CreateRegistrationSchema,
  CreateTeamSchema,
  DrawEntriesQuerySchema,
  EventInputSchema,
  EventListQuerySchema,
  IdSchema,
  IfMatchRevSchema,
  IdempotencyKeySchema,
  MyRegistrationsQuerySchema,
  OrganiserRegistrationsQuerySchema,
  ResultsImportSchema,
  ResultsQuerySchema,
} from '@citysport/shared';
import { currentUser, requireRole, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { parse } from '../../platform/validate';
import type { EventDoc } from './event.model';
import type { EventService } from './event.service';

type OrgState = AuthState & { event?: EventDoc };

export function eventRoutes(service: EventService) {
  const router = new Router<AuthState>();
  const regs = service.registrations;

  router.get('/events', async (ctx) => {
    ctx.body = await service.list(parse(EventListQuerySchema, ctx.query));
  });
  router.get('/events/:eventId', async (ctx) => {
    ctx.body = { event: await service.detail(parse(IdSchema, ctx.params.eventId)) };
  });
  router.get('/events/:eventId/draw', async (ctx) => {
    ctx.body = { draw: await service.publicDraw(parse(IdSchema, ctx.params.eventId)) };
  });
  router.get('/events/:eventId/draw/entries', async (ctx) => {
    ctx.body = await service.drawEntries(parse(IdSchema, ctx.params.eventId), parse(DrawEntriesQuerySchema, ctx.query));
  });
  /** anyone checks a certificate's code: event, group, masked name, times */
  router.get('/certificates/:code', async (ctx) => {
    ctx.body = { certificate: await service.verifyCertificate(parse(CertificateCodeSchema, ctx.params.code)) };
  });
  router.get('/events/:eventId/results', async (ctx) => {
    ctx.body = await service.results(parse(IdSchema, ctx.params.eventId), parse(ResultsQuerySchema, ctx.query));
  });

  router.post('/events/:eventId/registrations', requireUser, async (ctx) => {
    const eventId = parse(IdSchema, ctx.params.eventId);
    const input = parse(CreateRegistrationSchema, ctx.request.body);
    const header = ctx.get('idempotency-key');
    const key = header ? parse(IdempotencyKeySchema, header) : undefined;
    const { registration, replayed } = await regs.register(currentUser(ctx).userId, eventId, input, key);
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.status = replayed ? 200 : 201;
    ctx.body = { registration };
  });
  router.post('/events/:eventId/teams', requireUser, async (ctx) => {
    const eventId = parse(IdSchema, ctx.params.eventId);
    const input = parse(CreateTeamSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = await service.createTeam(currentUser(ctx).userId, eventId, input);
  });
  router.get('/teams/:teamId', requireUser, async (ctx) => {
    ctx.body = await service.teamView(currentUser(ctx).userId, parse(IdSchema, ctx.params.teamId));
  });
  router.get('/registrations/mine', requireUser, async (ctx) => {
    ctx.body = await regs.listMine(currentUser(ctx).userId, parse(MyRegistrationsQuerySchema, ctx.query));
  });
  router.get('/registrations/:registrationId', requireUser, async (ctx) => {
    ctx.body = { registration: await regs.getMine(currentUser(ctx).userId, parse(IdSchema, ctx.params.registrationId)) };
  });
  router.post('/registrations/:registrationId/transfer', requireUser, async (ctx) => {
    const id = parse(IdSchema, ctx.params.registrationId);
    const input = parse(TransferRegistrationSchema, ctx.request.body);
    ctx.body = { registration: await regs.transfer(currentUser(ctx).userId, id, input) };
  });
  /** 成绩证书: the owner's own (others' → 404); an SVG to save, or `?format=json` for the data and the SVG as a data URL */
  router.get('/registrations/:registrationId/certificate', requireUser, async (ctx) => {
    const id = parse(IdSchema, ctx.params.registrationId);
    const { format } = parse(CertificateQuerySchema, ctx.query);
    const { eventId, ...certificate } = await service.myCertificate(currentUser(ctx).userId, id);
    void eventId;
    const svg = await service.certificateSvg(certificate, `${ctx.origin}/api/v1/certificates/${certificate.code}`);
    ctx.set('Cache-Control', 'private, no-store');
    if (format === 'json') {
      ctx.body = { certificate, image: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
      return;
    }
    ctx.set('Content-Type', 'image/svg+xml; charset=utf-8');
    ctx.set('Content-Disposition', `inline; filename="certificate-${certificate.code}.svg"`);
    ctx.body = svg;
  });
  router.post('/registrations/:registrationId/cancel', requireUser, async (ctx) => {
    const id = parse(IdSchema, ctx.params.registrationId);
    const { reason } = parse(CancelRegistrationSchema, ctx.request.body ?? {});
    ctx.body = { registration: await regs.cancel(currentUser(ctx).userId, id, reason) };
  });
  return router;
}

/** Organiser tools: every route names an event the organiser owns (admins: any); others' events look absent. */
export function organiserRoutes(service: EventService, deps: { grantsOf: GrantLookup }) {
  const router = new Router<OrgState>();
  const organiser = requireRole(deps.grantsOf, ['organiser']) as Middleware<OrgState>;
  const isAdmin = async (userId: string) => (await deps.grantsOf(userId)).some((g) => g.role === 'admin');
  const own: Middleware<OrgState> = async (ctx, next) => {
    const eventId = parse(IdSchema, ctx.params.eventId);
    const user = currentUser(ctx);
    ctx.state.event = await service.ownedEvent(user.userId, eventId, await isAdmin(user.userId));
    await next();
  };

  router.get('/organiser/events', requireUser, organiser, async (ctx) => {
    const user = currentUser(ctx);
    ctx.body = await service.listOwn(user.userId, await isAdmin(user.userId));
  });
  router.post('/organiser/events', requireUser, organiser, async (ctx) => {
    const input = parse(EventInputSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = { event: await service.create(currentUser(ctx).userId, input) };
  });
  router.get('/organiser/events/:eventId', requireUser, organiser, own, async (ctx) => {
    ctx.body = { event: await service.detail(String(ctx.state.event!._id), { includeDraft: true }) };
  });
  router.put('/organiser/events/:eventId', requireUser, organiser, own, async (ctx) => {
    const input = parse(EventInputSchema, ctx.request.body);
    const expectedRev = parse(IfMatchRevSchema, ctx.get('If-Match') || undefined);
    ctx.body = { event: await service.update(currentUser(ctx).userId, ctx.state.event!, input, expectedRev) };
  });
  for (const action of ['publish', 'open', 'close', 'finish'] as const)
    router.post(`/organiser/events/:eventId/${action}`, requireUser, organiser, own, async (ctx) => {
      ctx.body = { event: await service.changeStatus(currentUser(ctx).userId, ctx.state.event!, action) };
    });
  router.post('/organiser/events/:eventId/draw', requireUser, organiser, own, async (ctx) => {
    ctx.body = { draw: await service.draw(currentUser(ctx).userId, ctx.state.event!) };
  });
  router.get('/organiser/events/:eventId/registrations', requireUser, organiser, own, async (ctx) => {
    const q = parse(OrganiserRegistrationsQuerySchema, ctx.query);
    if (q.format === 'xlsx') {
      ctx.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      ctx.set('Content-Disposition', `attachment; filename="registrations-${ctx.state.event!._id}.xlsx"`);
      ctx.body = await service.exportXlsx(currentUser(ctx).userId, ctx.state.event!);
      return;
    }
    ctx.body = await service.organiserRegistrations(ctx.state.event!, q);
  });
  router.post('/organiser/events/:eventId/bibs', requireUser, organiser, own, async (ctx) => {
    ctx.body = await service.assignBibs(currentUser(ctx).userId, ctx.state.event!);
  });
  router.post('/organiser/events/:eventId/results', requireUser, organiser, own, async (ctx) => {
    const { csv } = parse(ResultsImportSchema, ctx.request.body);
    ctx.body = await service.importResults(currentUser(ctx).userId, ctx.state.event!, csv);
  });
  return router;
}
