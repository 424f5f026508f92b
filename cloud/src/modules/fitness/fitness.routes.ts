import Router from '@koa/router';
import type { Middleware } from 'koa';
import {
  AdminCreateFitnessSlotsSchema,
  AdminCreateFitnessStationSchema,
  AdminUpdateFitnessStationSchema,
  CertificateQuerySchema,
  CorrectFitnessResultSchema,
  CreateFitnessBookingSchema,
  FitnessAnalysisQuerySchema,
  FitnessInputError,
  FitnessScoreRequestSchema,
  FitnessSlotsQuerySchema,
  IdSchema,
  IdempotencyKeySchema,
  SubmitFitnessResultSchema,
  assess,
} from '@citysport/shared';
import { z } from 'zod';
import { currentUser, requireRole, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { AppError } from '../../platform/errors';
import { parse } from '../../platform/validate';
import type { FitnessService } from './fitness.service';
import { reportShareSvg } from './fitness.share';

type State = AuthState & { stationId?: string; body?: unknown };
const DateQuerySchema = FitnessSlotsQuerySchema;

export function fitnessRoutes(service: FitnessService, deps: { grantsOf: GrantLookup }) {
  const router = new Router<State>();
  // station staff act on one station: the station is resolved from the request before the role check
  const stationStaff = requireRole(deps.grantsOf, ['fitness_staff'], (ctx) => (ctx.state as State).stationId);
  const admin = requireRole(deps.grantsOf, ['admin']);

  router.get('/fitness-tests/stations', async (ctx) => {
    ctx.body = { items: await service.stations() };
  });

  router.get('/fitness-tests/stations/:stationId/slots', async (ctx) => {
    const stationId = parse(IdSchema, ctx.params.stationId);
    const { date } = parse(DateQuerySchema, ctx.query);
    ctx.body = { items: await service.slots(stationId, date) };
  });

  /** the pure calculator: stores nothing */
  router.post('/fitness-tests/score', async (ctx) => {
    const input = parse(FitnessScoreRequestSchema, ctx.request.body);
    try {
      const a = assess(input);
      ctx.body = {
        standard: a.standard,
        ageGroup: a.ageGroup,
        items: a.items,
        total: a.total,
        maxTotal: a.maxTotal,
        grade: a.grade,
        ...(a.gradeWithheld ? { gradeWithheld: a.gradeWithheld } : {}),
      };
    } catch (err) {
      if (err instanceof FitnessInputError)
        throw new AppError(err.reason === 'age_not_covered' ? 'FITNESS_AGE_NOT_SERVED' : 'FITNESS_MEASUREMENT_INVALID', err.message, {
          field: err.field,
          reason: err.reason,
        });
      throw err;
    }
  });

  router.post('/fitness-tests/bookings', requireUser, async (ctx) => {
    const input = parse(CreateFitnessBookingSchema, ctx.request.body);
    const header = ctx.get('idempotency-key');
    const key = header ? parse(IdempotencyKeySchema, header) : undefined;
    const { booking, ticket, replayed } = await service.book(currentUser(ctx).userId, input, key);
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.status = replayed ? 200 : 201;
    ctx.body = { booking, ticket };
  });

  router.get('/fitness-tests/bookings/mine', requireUser, async (ctx) => {
    ctx.body = { items: await service.myBookings(currentUser(ctx).userId) };
  });

  const stationFromBody: Middleware<State> = async (ctx, next) => {
    const body = parse(SubmitFitnessResultSchema, ctx.request.body);
    ctx.state.body = body;
    ctx.state.stationId = body.stationId;
    await next();
  };
  router.post('/fitness-tests/results', requireUser, stationFromBody, stationStaff, async (ctx) => {
    const body = ctx.state.body as z.infer<typeof SubmitFitnessResultSchema>;
    const header = ctx.get('idempotency-key');
    const key = header ? parse(IdempotencyKeySchema, header) : undefined;
    if (!key) {
      ctx.status = 201;
      ctx.body = { report: await service.submitResult(currentUser(ctx).userId, body) };
      return;
    }
    const { report, replayed } = await service.submitEntry(currentUser(ctx).userId, body, key);
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.status = replayed ? 200 : 201;
    ctx.body = { report };
  });

  const stationFromReport: Middleware<State> = async (ctx, next) => {
    ctx.state.stationId = await service.stationOfReport(parse(IdSchema, ctx.params.reportId));
    await next();
  };
  router.post('/fitness-tests/reports/:reportId/corrections', requireUser, stationFromReport, stationStaff, async (ctx) => {
    const body = parse(CorrectFitnessResultSchema, ctx.request.body);
    ctx.body = { report: await service.correct(currentUser(ctx).userId, parse(IdSchema, ctx.params.reportId), body) };
  });

  const stationFromPath: Middleware<State> = async (ctx, next) => {
    ctx.state.stationId = parse(IdSchema, ctx.params.stationId);
    await next();
  };
  router.get('/fitness-tests/stations/:stationId/entries', requireUser, stationFromPath, stationStaff, async (ctx) => {
    const { date } = parse(DateQuerySchema, ctx.query);
    ctx.body = { items: await service.entries(ctx.state.stationId!, date) };
  });

  router.get('/fitness-tests/reports/mine', requireUser, async (ctx) => {
    ctx.body = { items: await service.reportsMine(currentUser(ctx).userId) };
  });

  /** the shareable card: grade, scores, age group — no name, ID or birth date; the owner's only (others → 404) */
  router.get('/fitness-tests/reports/:reportId/share', requireUser, async (ctx) => {
    const { format } = parse(CertificateQuerySchema, ctx.query);
    const report = await service.reportMine(currentUser(ctx).userId, parse(IdSchema, ctx.params.reportId));
    const svg = reportShareSvg(report);
    ctx.set('Cache-Control', 'private, no-store');
    if (format === 'json') {
      ctx.body = { image: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
      return;
    }
    ctx.set('Content-Type', 'image/svg+xml; charset=utf-8');
    ctx.set('Content-Disposition', `inline; filename="fitness-${report.testDate.slice(0, 4)}.svg"`);
    ctx.body = svg;
  });

  router.get('/fitness-tests/reports/:reportId', requireUser, async (ctx) => {
    ctx.body = { report: await service.reportMine(currentUser(ctx).userId, parse(IdSchema, ctx.params.reportId)) };
  });

  // stations and their slots (the station-staff role is granted with POST /admin/roles {role: 'fitness_staff', scope: stationId})
  router.post('/admin/fitness-tests/stations', requireUser, admin, async (ctx) => {
    const input = parse(AdminCreateFitnessStationSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = { station: await service.createStation(currentUser(ctx).userId, input) };
  });
  router.patch('/admin/fitness-tests/stations/:stationId', requireUser, admin, async (ctx) => {
    const stationId = parse(IdSchema, ctx.params.stationId);
    const input = parse(AdminUpdateFitnessStationSchema, ctx.request.body);
    ctx.body = { station: await service.updateStation(currentUser(ctx).userId, stationId, input) };
  });
  router.post('/admin/fitness-tests/stations/:stationId/slots', requireUser, admin, async (ctx) => {
    const stationId = parse(IdSchema, ctx.params.stationId);
    const { slots } = parse(AdminCreateFitnessSlotsSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = { items: await service.addSlots(currentUser(ctx).userId, stationId, slots) };
  });

  router.get('/admin/fitness-tests/analysis', requireUser, admin, async (ctx) => {
    ctx.body = await service.analysis(parse(FitnessAnalysisQuerySchema, ctx.query));
  });

  return router;
}
