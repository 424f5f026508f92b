import Router from '@koa/router';
import type { Middleware } from 'koa';
import { Types } from 'mongoose';
import { z } from 'zod';
import {
  AdminClubListQuerySchema,
  CancelClubActivitySchema,
  ClubActivityBookingInputSchema,
  ClubApplicationSchema,
  ClubCheckinSchema,
  ClubListQuerySchema,
  ClubReasonSchema,
  ClubReviewSchema,
  ClubSettingsSchema,
  CreateAnnouncementSchema,
  CreateClubActivitySchema,
  IdSchema,
  IdempotencyKeySchema,
  JoinClubSchema,
  MemberDecisionSchema,
  MemberListQuerySchema,
  MemberRoleSchema,
  PageQuerySchema,
  ScoreQuerySchema,
  shanghaiTime,
} from '@citysport/shared';
import { currentUser, requireRole, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { AppError } from '../../platform/errors';
import { parse } from '../../platform/validate';
import type { TicketService } from '../ticket';
import type { ClubService } from './club.service';

type ClubState = AuthState & { clubId?: string };
const PinSchema = z.object({ pinned: z.boolean() }).strict();

function period(q: unknown) {
  const { from, to } = parse(ScoreQuerySchema, q);
  const f = shanghaiTime(from);
  const t = shanghaiTime(to);
  if (!(t > f) || t.getTime() - f.getTime() > 400 * 86_400_000)
    throw new AppError('VALIDATION_FAILED', 'bad period', [{ path: 'to', message: 'after from, at most 400 days' }]);
  return { from: f, to: t };
}

export function clubRoutes(service: ClubService, deps: { grantsOf: GrantLookup; tickets: TicketService }) {
  const router = new Router<ClubState>();
  const holdsGrant = requireRole(deps.grantsOf, ['club_admin'], (ctx) => (ctx.state as ClubState).clubId) as Middleware<ClubState>;
  /**
   * The scoped grant, unless its holder's membership has ended (removed, left): a removed officer loses
   * the club's admin routes at once, even while a crash leaves the grant for the sweeper to revoke.
   */
  const clubAdmin: Middleware<ClubState> = (ctx, next) =>
    holdsGrant(ctx, async () => {
      const userId = currentUser(ctx).userId;
      if (!(await deps.grantsOf(userId)).some((g) => g.role === 'admin') && (await service.membershipEnded(ctx.state.clubId!, userId)))
        throw new AppError('FORBIDDEN', 'your membership of this club has ended');
      await next();
    });
  const bureau = requireRole(deps.grantsOf, ['admin']) as Middleware<ClubState>;
  /** the club named in the path must exist (any status) before any role check */
  const club: Middleware<ClubState> = async (ctx, next) => {
    const clubId = parse(IdSchema, ctx.params.clubId);
    await service.loadClub(clubId);
    ctx.state.clubId = clubId;
    await next();
  };
  const member: Middleware<ClubState> = async (ctx, next) => {
    const m = await service.activeMember(ctx.state.clubId!, currentUser(ctx).userId);
    if (!m && !(await deps.grantsOf(currentUser(ctx).userId)).some((g) => g.role === 'admin'))
      throw new AppError('CLUB_NOT_MEMBER', 'members only');
    await next();
  };
  const uid = (ctx: { params: Record<string, string> }) => parse(IdSchema, ctx.params.userId);
  const me = (ctx: Parameters<typeof currentUser>[0]) => currentUser(ctx).userId;

  // ---------- directory, my clubs, ranking ----------
  router.get('/clubs', async (ctx) => {
    ctx.body = await service.directory(parse(ClubListQuerySchema, ctx.query));
  });
  router.get('/clubs/mine', requireUser, async (ctx) => {
    ctx.body = await service.myClubs(me(ctx));
  });
  router.get('/clubs/ranking', async (ctx) => {
    const { from, to } = period(ctx.query);
    ctx.body = { items: await service.scores(from, to) };
  });
  router.post('/clubs', requireUser, async (ctx) => {
    ctx.status = 201;
    ctx.body = { club: await service.apply(me(ctx), parse(ClubApplicationSchema, ctx.request.body)) };
  });

  // ---------- the club page ----------
  router.get('/clubs/:clubId', club, async (ctx) => {
    ctx.body = await service.detail(ctx.state.clubId!, ctx.state.user?.userId);
  });
  router.patch('/clubs/:clubId', requireUser, club, clubAdmin, async (ctx) => {
    ctx.body = { club: await service.updateSettings(me(ctx), ctx.state.clubId!, parse(ClubSettingsSchema, ctx.request.body)) };
  });
  router.get('/clubs/:clubId/score', club, async (ctx) => {
    const { from, to } = period(ctx.query);
    const [score] = await service.scores(from, to, [new Types.ObjectId(ctx.state.clubId!)]);
    if (!score) throw new AppError('CLUB_NOT_ACTIVE', 'the club is not active');
    ctx.body = { score };
  });

  // ---------- members ----------
  router.post('/clubs/:clubId/join', requireUser, club, async (ctx) => {
    const input = parse(JoinClubSchema, ctx.request.body ?? {});
    ctx.status = 201;
    ctx.body = { membership: await service.join(me(ctx), ctx.state.clubId!, input) };
  });
  router.post('/clubs/:clubId/leave', requireUser, club, async (ctx) => {
    ctx.body = await service.leave(me(ctx), ctx.state.clubId!);
  });
  router.get('/clubs/:clubId/members', requireUser, club, clubAdmin, async (ctx) => {
    ctx.body = await service.roster(ctx.state.clubId!, parse(MemberListQuerySchema, ctx.query));
  });
  router.post('/clubs/:clubId/members/:userId/approve', requireUser, club, clubAdmin, async (ctx) => {
    parse(MemberDecisionSchema, ctx.request.body ?? {});
    ctx.body = { membership: await service.approve(me(ctx), ctx.state.clubId!, uid(ctx)) };
  });
  router.post('/clubs/:clubId/members/:userId/reject', requireUser, club, clubAdmin, async (ctx) => {
    const { reason } = parse(MemberDecisionSchema, ctx.request.body ?? {});
    ctx.body = await service.reject(me(ctx), ctx.state.clubId!, uid(ctx), reason);
  });
  router.post('/clubs/:clubId/members/:userId/remove', requireUser, club, clubAdmin, async (ctx) => {
    const { reason } = parse(MemberDecisionSchema, ctx.request.body ?? {});
    ctx.body = await service.remove(me(ctx), ctx.state.clubId!, uid(ctx), reason);
  });
  router.post('/clubs/:clubId/members/:userId/role', requireUser, club, clubAdmin, async (ctx) => {
    const { role } = parse(MemberRoleSchema, ctx.request.body);
    ctx.body = { membership: await service.setRole(me(ctx), ctx.state.clubId!, uid(ctx), role) };
  });

  // ---------- activities ----------
  router.post('/clubs/:clubId/activities', requireUser, club, clubAdmin, async (ctx) => {
    const input = parse(CreateClubActivitySchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = { activity: await service.activities.create(me(ctx), await service.loadClub(ctx.state.clubId!), input) };
  });
  // the court for an activity (booking module's service): a booking the admin holds, or slots booked now
  router.post('/clubs/:clubId/activities/:activityId/booking', requireUser, club, clubAdmin, async (ctx) => {
    const input = parse(ClubActivityBookingInputSchema, ctx.request.body);
    const activityId = parse(IdSchema, ctx.params.activityId);
    ctx.body = { activity: await service.activities.attachBooking(me(ctx), ctx.state.clubId!, activityId, input) };
  });
  router.post('/clubs/:clubId/activities/:activityId/cancel', requireUser, club, clubAdmin, async (ctx) => {
    const input = parse(CancelClubActivitySchema, ctx.request.body);
    const activityId = parse(IdSchema, ctx.params.activityId);
    ctx.body = { activity: await service.activities.cancelActivity(me(ctx), ctx.state.clubId!, activityId, input) };
  });
  router.get('/clubs/:clubId/activities', club, async (ctx) => {
    const viewer = ctx.state.user?.userId;
    const isMember = viewer ? (await service.activeMember(ctx.state.clubId!, viewer)) !== null : false;
    const c = await service.loadClub(ctx.state.clubId!);
    ctx.body = { items: await service.activities.list(c._id, { member: isMember }) };
  });
  router.post('/club-activities/:activityId/signups', requireUser, async (ctx) => {
    const a = await service.activities.findActivity(parse(IdSchema, ctx.params.activityId));
    const c = await service.loadClub(String(a.clubId));
    const isMember = (await service.activeMember(c._id, me(ctx))) !== null;
    ctx.status = 201;
    ctx.body = { signup: await service.activities.signUp(me(ctx), a, c, isMember) };
  });
  // check-in by scanning: the club is the ticket's gate; its admins scan (ticket module verifies)
  router.post('/clubs/:clubId/checkins', requireUser, club, clubAdmin, async (ctx) => {
    const body = parse(ClubCheckinSchema, ctx.request.body);
    ctx.body = await deps.tickets.verify(me(ctx), { code: body.code, venueId: ctx.state.clubId!, nonce: body.nonce });
  });

  // ---------- dues ----------
  router.post('/clubs/:clubId/dues/pay', requireUser, club, async (ctx) => {
    const header = ctx.get('idempotency-key');
    const key = header ? parse(IdempotencyKeySchema, header) : undefined;
    const c = await service.loadClub(ctx.state.clubId!);
    if (c.status !== 'approved') throw new AppError('CLUB_NOT_ACTIVE', 'the club is not active');
    const m = await service.activeMember(ctx.state.clubId!, me(ctx));
    if (!m) throw new AppError('CLUB_NOT_MEMBER', 'members only');
    ctx.body = await service.dues.pay(me(ctx), c, m, key);
  });
  router.get('/clubs/:clubId/dues/ledger', requireUser, club, clubAdmin, async (ctx) => {
    ctx.body = { items: await service.dues.ledger(ctx.state.clubId!) };
  });
  router.get('/clubs/:clubId/dues/ledger.xlsx', requireUser, club, clubAdmin, async (ctx) => {
    const c = await service.loadClub(ctx.state.clubId!);
    ctx.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    ctx.set('Content-Disposition', `attachment; filename="club-dues-${c._id}.xlsx"`);
    ctx.body = await service.dues.ledgerXlsx(ctx.state.clubId!, c.name);
  });

  // ---------- announcements ----------
  router.post('/clubs/:clubId/announcements', requireUser, club, clubAdmin, async (ctx) => {
    ctx.status = 201;
    ctx.body = await service.announce(me(ctx), ctx.state.clubId!, parse(CreateAnnouncementSchema, ctx.request.body));
  });
  router.get('/clubs/:clubId/announcements', requireUser, club, member, async (ctx) => {
    ctx.body = await service.announcements(ctx.state.clubId!, parse(PageQuerySchema, ctx.query));
  });
  router.post('/clubs/:clubId/announcements/:announcementId/pin', requireUser, club, clubAdmin, async (ctx) => {
    const { pinned } = parse(PinSchema, ctx.request.body);
    ctx.body = await service.pin(me(ctx), ctx.state.clubId!, parse(IdSchema, ctx.params.announcementId), pinned);
  });

  // ---------- the bureau ----------
  router.get('/admin/clubs', requireUser, bureau, async (ctx) => {
    ctx.body = await service.adminList(parse(AdminClubListQuerySchema, ctx.query));
  });
  router.post('/admin/clubs/:clubId/review', requireUser, bureau, club, async (ctx) => {
    ctx.body = { club: await service.review(me(ctx), ctx.state.clubId!, parse(ClubReviewSchema, ctx.request.body)) };
  });
  for (const [path, to] of [
    ['suspend', 'suspended'],
    ['reinstate', 'approved'],
    ['dissolve', 'dissolved'],
  ] as const) {
    router.post(`/admin/clubs/:clubId/${path}`, requireUser, bureau, club, async (ctx) => {
      const { reason } = parse(ClubReasonSchema, ctx.request.body);
      ctx.body = { club: await service.changeStatus(me(ctx), ctx.state.clubId!, to, reason) };
    });
  }

  return router;
}
