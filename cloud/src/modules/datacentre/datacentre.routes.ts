import Router from '@koa/router';
import { ConsumptionQuerySchema, DashboardRangeSchema, DispatchQuerySchema, ExportDaySchema, FeedEventIdSchema } from '@citysport/shared';
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

  r.get('/admin/dashboard/utilisation', ...admin, async (ctx) => {
    ctx.body = await s.dashboards.utilisation(parse(DashboardRangeSchema, ctx.query));
  });
  r.get('/admin/dashboard/consumption', ...admin, async (ctx) => {
    ctx.body = await s.dashboards.consumption(parse(ConsumptionQuerySchema, ctx.query));
  });
  r.get('/admin/dashboard/activity', ...admin, async (ctx) => {
    ctx.body = await s.dashboards.activity(parse(DashboardRangeSchema.omit({ venueId: true }), ctx.query));
  });
  r.get('/admin/dashboard/public-service', ...admin, async (ctx) => {
    ctx.body = await s.dashboards.publicService(parse(DashboardRangeSchema.omit({ venueId: true }), ctx.query));
  });

  r.get('/admin/reports/dispatch', ...admin, async (ctx) => {
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
  return r;
}
