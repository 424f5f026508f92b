import Router from '@koa/router';
import {
  AdminRoleChangeSchema,
  BureauAccountCloseSchema,
  BureauAccountOpenSchema,
  BureauAccountQuerySchema,
  IdSchema,
  LoginRequestSchema,
  PageQuerySchema,
  PreferencesSchema,
} from '@citysport/shared';
import { currentUser, requireRole, requireUser, type AuthState } from '../../platform/auth';
import { parse } from '../../platform/validate';
import type { Middleware } from 'koa';
import type { IdentityService } from './identity.service';

export function identityRoutes(service: IdentityService, opts: { loginLimiter: Middleware<AuthState> }) {
  const router = new Router<AuthState>();
  const admin = requireRole(service.grantsOf, ['admin']);

  router.post('/auth/login', opts.loginLimiter, async (ctx) => {
    const { code } = parse(LoginRequestSchema, ctx.request.body);
    ctx.body = await service.login(code);
  });

  router.get('/me', requireUser, async (ctx) => {
    ctx.body = { user: await service.getMe(currentUser(ctx).userId) };
  });

  // 个性化推荐 (issue 15): the citizen's own switch, stored on the account
  router.get('/me/preferences', requireUser, async (ctx) => {
    ctx.body = { preferences: await service.getPreferences(currentUser(ctx).userId) };
  });

  router.put('/me/preferences', requireUser, async (ctx) => {
    const prefs = parse(PreferencesSchema, ctx.request.body);
    ctx.body = { preferences: await service.setPreferences(currentUser(ctx).userId, prefs) };
  });

  router.post('/admin/roles', requireUser, admin, async (ctx) => {
    const change = parse(AdminRoleChangeSchema, ctx.request.body);
    ctx.body = await service.changeRole(currentUser(ctx).userId, change, 'grant');
  });

  router.delete('/admin/roles', requireUser, admin, async (ctx) => {
    const change = parse(AdminRoleChangeSchema, ctx.request.body);
    ctx.body = await service.changeRole(currentUser(ctx).userId, change, 'revoke');
  });

  router.get('/admin/audit', requireUser, admin, async (ctx) => {
    ctx.body = await service.listAudit(parse(PageQuerySchema, ctx.query));
  });

  // 专人专号 (Chongqing 第十八条): bureau accounts, opened and closed by a bureau admin (audited)
  router.get('/admin/bureau-accounts', requireUser, admin, async (ctx) => {
    const { status } = parse(BureauAccountQuerySchema, ctx.query);
    // audited as a personal-data read (identity's descriptor, personalData)
    ctx.body = { items: await service.bureau.list(currentUser(ctx).userId, status) };
  });

  router.post('/admin/bureau-accounts', requireUser, admin, async (ctx) => {
    const input = parse(BureauAccountOpenSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = { account: await service.bureau.open(currentUser(ctx).userId, input) };
  });

  router.post('/admin/bureau-accounts/:userId/close', requireUser, admin, async (ctx) => {
    const userId = parse(IdSchema, ctx.params.userId);
    const { reason } = parse(BureauAccountCloseSchema, ctx.request.body);
    ctx.body = { account: await service.bureau.close(currentUser(ctx).userId, userId, reason) };
  });

  return router;
}
