import Router from '@koa/router';
import {
  AggregationDashboardQuerySchema,
  AggregationPlanInputSchema,
  AggregationPlanQuerySchema,
  ConsumptionQuerySchema,
  DashboardRangeSchema,
  DispatchQuerySchema,
  ExportDaySchema,
  FeedEventIdSchema,
  IdSchema,
} from '@citysport/shared';
import { currentUser, requireRole, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { AppError } from '../../platform/errors';
import type { Kernel } from '../../platform/kernel';
import { parse } from '../../platform/validate';
import type { DatacentreService } from './datacentre.module';
import { dispatchWorkbook } from './reports';

/** Bureau admins only. Exports (NDJSON, xlsx) and quarantine releases are audited with the admin who did them. */
export function datacentreRoutes(s: DatacentreService, deps: { grantsOf: GrantLookup; kernel: Kernel }) {
  const r = new Router<AuthState>();
  const admin = [requireUser, requireRole(deps.grantsOf, ['admin'])];
  // analysts (数据分析员) read the dashboards and the dispatch report; admins do everything
  const reader = [requireUser, requireRole(deps.grantsOf, ['analyst'])];

  r.get('/admin/feed/status', ...admin, async (ctx) => {
    ctx.body = await s.feed.status();
  });
  r.get('/admin/feed/quarantine', ...admin, async (ctx) => {
    ctx.body = { items: await s.feed.quarantine() };
  });
  r.post('/admin/feed/quarantine/:eventId/release', ...admin, async (ctx) => {
    const eventId = parse(FeedEventIdSchema, ctx.params.eventId);
    if (!(await s.feed.release(eventId))) throw new AppError('FEED_EVENT_NOT_QUARANTINED', 'no such quarantined event');
    await deps.kernel.audit(currentUser(ctx).userId, 'datacentre.quarantine.release', null, { eventId });
    ctx.body = { released: true };
  });
  r.get('/admin/feed/export', ...admin, async (ctx) => {
    const { day } = parse(ExportDaySchema, ctx.query);
    const { body, count } = await s.reports.ndjsonOfDay(day);
    await deps.kernel.audit(currentUser(ctx).userId, 'datacentre.export.ndjson', null, { day, count });
    ctx.type = 'application/x-ndjson';
    ctx.set('Content-Disposition', `attachment; filename="citysport-${day}.ndjson"`);
    ctx.body = body;
  });

  r.get('/admin/dashboard/utilisation', ...reader, async (ctx) => {
    ctx.body = await s.dashboards.utilisation(parse(DashboardRangeSchema, ctx.query));
  });
  r.get('/admin/dashboard/consumption', ...reader, async (ctx) => {
    ctx.body = await s.dashboards.consumption(parse(ConsumptionQuerySchema, ctx.query));
  });
  r.get('/admin/dashboard/activity', ...reader, async (ctx) => {
    ctx.body = await s.dashboards.activity(parse(DashboardRangeSchema.omit({ venueId: true }), ctx.query));
  });
  r.get('/admin/dashboard/public-service', ...reader, async (ctx) => {
    ctx.body = await s.dashboards.publicService(parse(DashboardRangeSchema.omit({ venueId: true }), ctx.query));
  });

  r.get('/admin/reports/dispatch', ...reader, async (ctx) => {
    const q = parse(DispatchQuerySchema, ctx.query);
    const report = await s.reports.generate(q.month);
    if (q.format === 'xlsx') {
      await deps.kernel.audit(currentUser(ctx).userId, 'datacentre.export.dispatch', null, { month: q.month, lines: report.lines.length });
      ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      ctx.set('Content-Disposition', `attachment; filename="dispatch-${q.month}.xlsx"`);
      ctx.body = await dispatchWorkbook(report);
      return;
    }
    ctx.body = { report };
  });

  // 数据汇聚计划 (Chongqing 第二十三条): each department's yearly plan, and delivered against plan
  r.get('/admin/aggregation-plans', ...reader, async (ctx) => {
    const { year } = parse(AggregationPlanQuerySchema, ctx.query);
    ctx.body = { items: await s.plans.list(year) };
  });
  r.post('/admin/aggregation-plans', ...admin, async (ctx) => {
    const input = parse(AggregationPlanInputSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = { plan: await s.plans.create(currentUser(ctx).userId, input) };
  });
  r.get('/admin/aggregation-plans/:planId', ...reader, async (ctx) => {
    ctx.body = { plan: await s.plans.get(parse(IdSchema, ctx.params.planId)) };
  });
  r.put('/admin/aggregation-plans/:planId', ...admin, async (ctx) => {
    const planId = parse(IdSchema, ctx.params.planId);
    const input = parse(AggregationPlanInputSchema, ctx.request.body);
    ctx.body = { plan: await s.plans.update(currentUser(ctx).userId, planId, input) };
  });
  r.delete('/admin/aggregation-plans/:planId', ...admin, async (ctx) => {
    await s.plans.remove(currentUser(ctx).userId, parse(IdSchema, ctx.params.planId));
    ctx.body = { deleted: true };
  });
  r.get('/admin/dashboard/aggregation', ...reader, async (ctx) => {
    const { year } = parse(AggregationDashboardQuerySchema, ctx.query);
    ctx.body = await s.plans.progress(year);
  });
  return r;
}
