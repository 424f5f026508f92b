import { randomUUID } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import {
  CLUB_ADMIN_ROLES,
  maskMobile,
  type ClubApplication,
  type ClubMember as ClubMemberDto,
  type ClubRole,
  type ClubScore,
} from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { escapeRegex } from '../../platform/validate';
import { emit } from '../../platform/outbox';
import { eachIsolated } from '../../platform/jobs';
import { isDuplicate, MEMBER_PLACES, normaliseName, notFound, oid, OWNERS, TEMPLATES, type ClubDeps } from './club.context';
import { announcementDto, clubSummary, membershipDto } from './club.dto';
import {
  Club,
  ClubActivity,
  ClubAnnouncement,
  ClubAnnouncementDelivery,
  ClubMember,
  ClubSignup,
  type AnnouncementDoc,
  type ClubDoc,
  type MemberDoc,
} from './club.model';
import { createClubActivities } from './club.activities';
import { createClubDues } from './club.dues';

const JOINING_STALE_MS = 60_000;
const isAdminRole = (r: ClubRole) => CLUB_ADMIN_ROLES.includes(r);

/**
 * Clubs (体育社团): founding and review, members and roles, activities, dues, announcements and
 * the activity score. Member places are the club's capacity counter (`club_member`); every state
 * change is a guarded transition; what a change owes (places back, role grants revoked, dues
 * refunded by policy, members told) is recorded with it (kernel.effects) and swept after a crash.
 */
export function createClubService(deps: ClubDeps) {
  const { kernel, cipher } = deps;
  const activities = createClubActivities(deps);
  const dues = createClubDues(deps);

  kernel.capacity.define(MEMBER_PLACES, { collection: 'clubs', guard: { status: 'approved' } });

  async function notifyMembers(club: ClubDoc, templateId: string, data: Record<string, string>, onlyOptIn: boolean) {
    const members = await ClubMember.find(
      { clubId: club._id, status: 'member', ...(onlyOptIn ? { notifyOptIn: true } : {}) },
      { userId: 1 },
    )
      .limit(5000)
      .lean<Pick<MemberDoc, 'userId'>[]>();
    return eachIsolated(members, (m) => deps.notify(String(m.userId), templateId, data), { logger: kernel.logger, job: 'club-notify' });
  }

  kernel.effects.define<MemberDoc>(OWNERS.member, {
    collection: 'club_members',
    steps: {
      'place.back': async (m) =>
        void (m.placeHolder && (await kernel.capacity.giveBack(MEMBER_PLACES, m.clubId, 1, { holder: m.placeHolder }))),
      // both bring identity's grant in line with the member's live record, so steps of transitions that
      // raced (a role given while the member was removed) end where the last of them left the record
      'role.grant': async (m) => void (await syncClubAdmin(m.clubId, m.userId)),
      'role.revoke': async (m) => void (await syncClubAdmin(m.clubId, m.userId)),
      /** the old president stepped down naming the heir: the heir is made president, or (gone meanwhile) the old one is again */
      'president.handover': async (m) => {
        if (!m.handoverTo) return;
        const heir = await kernel.effects.transition<MemberDoc>(
          OWNERS.member,
          { _id: m.handoverTo, status: 'member' },
          { role: 'president' },
          ['role.grant'],
        );
        if (heir) await kernel.effects.finish(OWNERS.member, heir);
        else {
          const back = await kernel.effects.transition<MemberDoc>(
            OWNERS.member,
            { _id: m._id, status: 'member', role: 'vice_president', handoverTo: m.handoverTo },
            { role: 'president' },
            ['role.grant'],
          );
          if (back) await kernel.effects.finish(OWNERS.member, back);
        }
        await ClubMember.collection.updateOne({ _id: m._id, handoverTo: m.handoverTo }, { $set: { handoverTo: null } });
      },
      'dues.close': async (m) => void (await dues.closeHeld({ memberId: m._id })),
      'dues.policy': async (m) => {
        const club = await Club.findById(m.clubId).lean<ClubDoc>();
        if (club) await dues.applyPolicy({ memberId: m._id }, club.duesPolicy, '退出社团，按会费规则退还');
      },
      'signups.end': async (m) => {
        await activities.endAllOf(m.clubId, m.userId);
      },
      'event.joined': async (m) => {
        const club = await Club.findById(m.clubId).lean<ClubDoc>();
        await emit(
          'club.member_joined',
          {
            subject: deps.pseudonym(String(m.userId)),
            clubId: String(m.clubId),
            sport: club?.sport ?? 'other',
            district: club?.district ?? '',
          },
          { eventId: `club.member_joined:${m._id}` },
        );
      },
      'event.left': async (m) => {
        await emit(
          'club.member_left',
          { subject: deps.pseudonym(String(m.userId)), clubId: String(m.clubId), by: m.endedBy ?? 'self' },
          { eventId: `club.member_left:${m._id}` },
        );
      },
    },
  });

  kernel.effects.define<ClubDoc>(OWNERS.club, {
    collection: 'clubs',
    steps: {
      founder: async (c) => {
        const now = kernel.clock.now();
        const existing = await ClubMember.findOne({ clubId: c._id, userId: c.founderId, liveKey: 'live' }).lean<MemberDoc>();
        const id = existing?._id ?? new Types.ObjectId();
        if (!existing) {
          try {
            await ClubMember.collection.insertOne({
              _id: id,
              clubId: c._id,
              userId: c.founderId,
              liveKey: 'live',
              status: 'member',
              role: 'president',
              message: null,
              phoneSealed: c.contactPhoneSealed,
              notifyOptIn: true,
              placeTaken: true,
              paidUntil: null,
              remindedFor: null,
              createdAt: now,
              joinedAt: now,
              endedAt: null,
              placeHolder: `${id}:founder`,
              endedBy: null,
            } satisfies Omit<MemberDoc, 'pending' | 'pendingSince'>);
          } catch (err) {
            if (!isDuplicate(err)) throw err;
          }
        }
        const m = (await ClubMember.findOne({ clubId: c._id, userId: c.founderId, liveKey: 'live' }).lean<MemberDoc>())!;
        if (m.placeHolder) await kernel.capacity.take(MEMBER_PLACES, c._id, 1, { holder: m.placeHolder });
        await deps.changeRole(
          'system',
          { userId: String(c.founderId), role: 'club_admin', scope: String(c._id), reason: '社团会长' },
          'grant',
        );
      },
      'activities.suspend': async (c) => void (await activities.setClubActivities(c._id, 'open', 'suspended')),
      'activities.reopen': async (c) => void (await activities.setClubActivities(c._id, 'suspended', 'open')),
      'activities.end': async (c) => {
        await activities.setClubActivities(c._id, 'open', 'cancelled');
        await activities.setClubActivities(c._id, 'suspended', 'cancelled');
        await activities.endAllOf(c._id);
      },
      'dues.close': async (c) => void (await dues.closeHeld({ clubId: c._id })),
      'dues.policy': async (c) => void (await dues.applyPolicy({ clubId: c._id }, c.duesPolicy, '社团解散，按会费规则退还')),
      'notify.status': async (c) => {
        const zh = c.status === 'suspended' ? '已被暂停' : c.status === 'dissolved' ? '已解散' : '已恢复';
        await notifyMembers(
          c,
          TEMPLATES.status,
          { thing1: c.name.slice(0, 20), thing2: `社团${zh}`, thing3: (c.statusReason ?? '').slice(0, 20) },
          false,
        );
      },
      'members.end': async (c) => {
        const live = await ClubMember.find({ clubId: c._id, liveKey: 'live' }).lean<MemberDoc[]>();
        for (const m of live) await endMember(m, m.status === 'member' ? 'left' : 'rejected', 'dissolved');
        // one that changed meanwhile (a role given, a request approved) lost its guarded end: the sweeper tries again
        if (await ClubMember.exists({ clubId: c._id, liveKey: 'live' })) throw new Error('club members changed while it was dissolved');
      },
      'event.approved': async (c) => {
        await emit(
          'club.approved',
          { clubId: String(c._id), district: c.district, sport: c.sport, founder: deps.pseudonym(String(c.founderId)) },
          { eventId: `club.approved:${c._id}` },
        );
      },
      'event.status': async (c) => {
        await emit(
          'club.status_changed',
          { clubId: String(c._id), status: c.status as 'suspended' | 'dissolved' | 'approved' },
          {
            eventId: `club.status_changed:${c._id}:${c.status}:${c.pendingSince?.getTime() ?? 0}`,
          },
        );
      },
    },
  });

  /**
   * `club_admin` for the club is held exactly while the user's live membership has an officer's
   * role: read, grant or revoke, read again (a transition in between may have changed it), and
   * again until it holds still, so the last step to run leaves it right whatever the order.
   */
  async function syncClubAdmin(clubId: Types.ObjectId, userId: Types.ObjectId) {
    const wanted = async () => {
      const live = await ClubMember.findOne({ clubId, userId, liveKey: 'live' }, { status: 1, role: 1 }).lean<MemberDoc>();
      return !!live && live.status === 'member' && isAdminRole(live.role);
    };
    let want = await wanted();
    for (let i = 0; i < 5; i++) {
      await deps.changeRole(
        'system',
        { userId: String(userId), role: 'club_admin', scope: String(clubId), reason: want ? 'club role' : 'club role ended' },
        want ? 'grant' : 'revoke',
      );
      const now = await wanted();
      if (now === want) return;
      want = now;
    }
    throw new Error('club role kept changing; the sweeper tries again');
  }

  async function clubStep(filter: Record<string, unknown>, set: Record<string, unknown>, steps: string[], crash?: string) {
    const won = await kernel.effects.transition<ClubDoc>(OWNERS.club, filter, set, steps);
    if (!won) return null;
    if (crash) kernel.crashPoint(crash);
    await kernel.effects.finish(OWNERS.club, won);
    return won;
  }
  async function memberStep(filter: Record<string, unknown>, set: Record<string, unknown>, steps: string[]) {
    const won = await kernel.effects.transition<MemberDoc>(OWNERS.member, filter, set, steps);
    if (won) await kernel.effects.finish(OWNERS.member, won);
    return won;
  }

  // ---------- reading helpers ----------
  async function loadClub(clubId: string): Promise<ClubDoc> {
    const c = await Club.findById(clubId).lean<ClubDoc>();
    if (!c) notFound();
    return c;
  }
  async function liveMember(clubId: string | Types.ObjectId, userId: string) {
    return ClubMember.findOne({ clubId: oid(clubId), userId: oid(userId), liveKey: 'live' }).lean<MemberDoc>();
  }
  async function activeMember(clubId: string | Types.ObjectId, userId: string) {
    const m = await liveMember(clubId, userId);
    return m && m.status === 'member' ? m : null;
  }
  /** no live membership, and one that ended (left, removed): what a stale club_admin grant must not outlive */
  async function membershipEnded(clubId: string, userId: string) {
    if ((await activeMember(clubId, userId)) !== null) return false;
    return (
      (await ClubMember.exists({ clubId: oid(clubId), userId: oid(userId), status: mongoose.trusted({ $in: ['left', 'removed'] }) })) !==
      null
    );
  }
  async function isBureauAdmin(userId: string) {
    return (await deps.grantsOf(userId)).some((g) => g.role === 'admin');
  }
  async function holdsClubAdmin(userId: string, clubId: string) {
    return (await deps.grantsOf(userId)).some((g) => g.role === 'admin' || (g.role === 'club_admin' && g.scope === clubId));
  }
  async function clubExists(clubId: string) {
    return Types.ObjectId.isValid(clubId) && (await Club.countDocuments({ _id: clubId })) === 1;
  }

  // ---------- founding and review ----------
  async function apply(userId: string, input: ClubApplication) {
    const now = kernel.clock.now();
    const nameKey = normaliseName(input.name);
    const doc: ClubDoc = {
      _id: new Types.ObjectId(),
      name: input.name,
      nameKey,
      nameLock: nameKey,
      sport: input.sport,
      district: input.district,
      purpose: input.purpose,
      charter: input.charter,
      contactName: input.contactName,
      contactPhoneSealed: cipher.encrypt(input.contactPhone),
      registrationNo: input.registrationNo ?? null,
      founderId: new Types.ObjectId(userId),
      status: 'pending',
      reviewReason: null,
      statusReason: null,
      memberLimit: input.memberLimit,
      remaining: input.memberLimit,
      applied: [],
      openJoin: input.openJoin,
      duesFen: input.duesFen,
      duesPolicy: input.duesPolicy,
      createdAt: now,
      approvedAt: null,
      pendingSince: null,
    };
    try {
      await Club.collection.insertOne(doc);
    } catch (err) {
      if (isDuplicate(err)) throw new AppError('CLUB_NAME_TAKEN', 'a club of this name exists in this district');
      throw err;
    }
    return clubSummary(doc);
  }

  async function review(adminId: string, clubId: string, input: { approved: boolean; reason: string }) {
    const c = await loadClub(clubId);
    const now = kernel.clock.now();
    const won = await clubStep(
      { _id: c._id, status: 'pending' },
      input.approved
        ? { status: 'approved', reviewReason: input.reason, approvedAt: now }
        : { status: 'rejected', reviewReason: input.reason, nameLock: `${c.nameKey}#${c._id}` },
      input.approved ? ['founder', 'event.approved'] : [],
      'club.review:after-transition',
    );
    if (!won) throw new AppError('CLUB_NOT_PENDING', `this application is ${c.status}`);
    await kernel.audit(adminId, input.approved ? 'club.approve' : 'club.reject', String(c.founderId), { clubId, reason: input.reason });
    return clubSummary(won);
  }

  async function changeStatus(adminId: string, clubId: string, to: 'suspended' | 'dissolved' | 'approved', reason: string) {
    const c = await loadClub(clubId);
    const from = to === 'suspended' ? ['approved'] : to === 'approved' ? ['suspended'] : ['approved', 'suspended'];
    if (!from.includes(c.status)) throw new AppError('CLUB_NOT_ACTIVE', `a ${c.status} club cannot become ${to}`);
    const steps =
      to === 'suspended'
        ? ['activities.suspend', 'dues.close', 'notify.status', 'event.status']
        : to === 'approved'
          ? ['activities.reopen', 'notify.status', 'event.status']
          : ['activities.end', 'dues.close', 'dues.policy', 'notify.status', 'members.end', 'event.status'];
    const won = await clubStep(
      { _id: c._id, status: c.status },
      { status: to, statusReason: reason, ...(to === 'dissolved' ? { nameLock: `${c.nameKey}#${c._id}` } : {}) },
      steps,
    );
    if (!won) throw new AppError('CONFLICT', 'the club changed meanwhile; please retry');
    await kernel.audit(adminId, `club.${to === 'approved' ? 'reinstate' : to === 'suspended' ? 'suspend' : 'dissolve'}`, null, {
      clubId,
      reason,
    });
    return clubSummary(won);
  }

  async function adminList(q: { status: string; cursor?: string; limit: number }) {
    return kernel.cursorPage<
      ClubDoc,
      ReturnType<typeof clubSummary> & { contactName: string; charter: string; registrationNo: string | null }
    >(Club, { status: q.status }, q, (c) => ({
      ...clubSummary(c),
      contactName: c.contactName,
      charter: c.charter,
      registrationNo: c.registrationNo,
    }));
  }

  async function updateSettings(actorId: string, clubId: string, patch: Record<string, unknown>) {
    const c = await loadClub(clubId);
    if (c.status !== 'approved') throw new AppError('CLUB_NOT_ACTIVE', 'the club is not active');
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    await Club.collection.updateOne({ _id: c._id }, { $set: set });
    await kernel.audit(actorId, 'club.settings', null, { clubId, ...set });
    return clubSummary({ ...c, ...set } as ClubDoc);
  }

  // ---------- directory and club page ----------
  async function directory(q: { sport?: string; district?: string; q?: string; cursor?: string; limit: number }) {
    const filter: Record<string, unknown> = { status: 'approved' };
    if (q.sport) filter.sport = q.sport;
    if (q.district) filter.district = q.district;
    if (q.q) filter.nameKey = mongoose.trusted({ $regex: escapeRegex(normaliseName(q.q)) });
    return kernel.cursorPage<ClubDoc, ReturnType<typeof clubSummary>>(Club, filter, q, clubSummary);
  }

  async function detail(clubId: string, viewerId: string | undefined) {
    const c = await loadClub(clubId);
    const viewerAdmin = viewerId ? await holdsClubAdmin(viewerId, clubId) : false;
    const bureau = viewerId ? await isBureauAdmin(viewerId) : false;
    if (!['approved', 'suspended'].includes(c.status) && !bureau && String(c.founderId) !== viewerId) notFound();
    const live = viewerId ? await liveMember(c._id, viewerId) : null;
    const member = live?.status === 'member' || bureau;
    const anns = await ClubAnnouncement.find({ clubId: c._id, ...(member ? {} : { pinned: true }) })
      .sort({ pinned: -1, _id: -1 })
      .limit(member ? 30 : 5)
      .lean<AnnouncementDoc[]>();
    return {
      club: { ...clubSummary(c), charter: member ? c.charter : null, registrationNo: c.registrationNo },
      activities: await activities.list(c._id, { member }),
      announcements: anns.map(announcementDto),
      membership: live ? membershipDto(live) : null,
      isClubAdmin: viewerAdmin,
      signups: viewerId && live ? await activities.mySignups(viewerId, c._id) : [],
    };
  }

  async function myClubs(userId: string) {
    const rows = await ClubMember.find({ userId, liveKey: 'live' }).limit(100).lean<MemberDoc[]>();
    const clubs = await Club.find({ _id: mongoose.trusted({ $in: rows.map((r) => r.clubId) }) }).lean<ClubDoc[]>();
    const byId = new Map(clubs.map((c) => [String(c._id), c]));
    const founded = await Club.find({ founderId: userId, status: mongoose.trusted({ $in: ['pending', 'rejected'] }) })
      .sort({ _id: -1 })
      .limit(20)
      .lean<ClubDoc[]>();
    return {
      items: rows
        .filter((r) => byId.has(String(r.clubId)))
        .map((r) => ({ club: clubSummary(byId.get(String(r.clubId))!), membership: membershipDto(r) })),
      applications: founded.map((c) => ({ ...clubSummary(c), reviewReason: c.reviewReason })),
    };
  }

  // ---------- members ----------
  async function join(userId: string, clubId: string, input: { message?: string; phone?: string; notifyOptIn: boolean }) {
    const c = await loadClub(clubId);
    if (c.status !== 'approved') throw new AppError('CLUB_NOT_ACTIVE', 'the club does not take members now');
    const now = kernel.clock.now();
    const doc = {
      _id: new Types.ObjectId(),
      clubId: c._id,
      userId: new Types.ObjectId(userId),
      liveKey: 'live',
      status: 'requested' as const,
      role: 'member' as const,
      message: input.message ?? null,
      phoneSealed: input.phone ? cipher.encrypt(input.phone) : null,
      notifyOptIn: input.notifyOptIn,
      placeTaken: false,
      paidUntil: null,
      remindedFor: null,
      createdAt: now,
      joinedAt: null,
      endedAt: null,
      placeHolder: null,
      endedBy: null,
    };
    const paused = kernel.pausePoint('club.join:before-insert');
    if (paused) await paused;
    try {
      await ClubMember.collection.insertOne(doc);
    } catch (err) {
      if (isDuplicate(err)) throw new AppError('CLUB_ALREADY_MEMBER', 'already a member or asked to join');
      throw err;
    }
    // a suspension or dissolution meanwhile ended the requests it could see, not this one: read after the
    // insert, so one of the two sees the other; a request to a club that stopped taking members is ended
    const nowClub = await Club.findById(c._id, { status: 1 }).lean<Pick<ClubDoc, 'status'>>();
    if (nowClub?.status !== 'approved') {
      await endMember(doc as unknown as MemberDoc, 'rejected', nowClub?.status === 'dissolved' ? 'dissolved' : 'club');
      throw new AppError('CLUB_NOT_ACTIVE', 'the club does not take members now');
    }
    if (c.openJoin) {
      try {
        await admit(doc as unknown as MemberDoc);
      } catch (err) {
        // a full club: the request stays for the club admins to decide later
        if (!(err instanceof AppError && err.code === 'CLUB_FULL')) throw err;
      }
    }
    return membershipDto((await ClubMember.findById(doc._id).lean<MemberDoc>())!);
  }

  /**
   * requested → joining (a new holder for this attempt), the guarded take of a member place,
   * then joining → member. A full club puts the request back; a crash in between leaves a
   * `joining` record that `heal` rolls back exactly (capacity give-backs are once per holder).
   */
  async function admit(m: MemberDoc): Promise<MemberDoc> {
    const attempt = `${m._id}:${randomUUID()}`;
    const joining = await kernel.transition<MemberDoc>(
      'club_members',
      { _id: m._id, status: 'requested' },
      { $set: { status: 'joining', placeHolder: attempt, pendingSince: kernel.clock.now() } },
    );
    if (!joining) throw new AppError('CLUB_MEMBER_NOT_FOUND', 'no such request');
    kernel.crashPoint('club.admit:after-joining');
    const took = await kernel.capacity.take(MEMBER_PLACES, m.clubId, 1, { holder: attempt });
    if (!took) {
      await kernel.transition('club_members', { _id: m._id, status: 'joining' }, { $set: { status: 'requested', placeHolder: null } });
      const c = await Club.findById(m.clubId, { status: 1 }).lean<Pick<ClubDoc, 'status'>>();
      throw c?.status === 'approved'
        ? new AppError('CLUB_FULL', 'no member places left')
        : new AppError('CLUB_NOT_ACTIVE', 'the club is not active');
    }
    kernel.crashPoint('club.admit:after-capacity');
    const won = await memberStep(
      { _id: m._id, status: 'joining', placeHolder: attempt },
      { status: 'member', placeTaken: true, joinedAt: kernel.clock.now(), pendingSince: null },
      ['event.joined'],
    );
    if (!won) {
      await kernel.capacity.giveBack(MEMBER_PLACES, m.clubId, 1, { holder: attempt });
      throw new AppError('CONFLICT', 'the request changed meanwhile');
    }
    return won;
  }

  async function memberOf(clubId: string, userId: string) {
    const m = await liveMember(clubId, userId);
    if (!m) throw new AppError('CLUB_MEMBER_NOT_FOUND', 'no such member or request');
    return m;
  }

  async function approve(actorId: string, clubId: string, userId: string) {
    const c = await loadClub(clubId);
    if (c.status !== 'approved') throw new AppError('CLUB_NOT_ACTIVE', 'the club is not active');
    const m = await memberOf(clubId, userId);
    if (m.status !== 'requested') throw new AppError('CLUB_ALREADY_MEMBER', 'already a member');
    const won = await admit(m);
    await kernel.audit(actorId, 'club.member.approve', userId, { clubId });
    return membershipDto(won);
  }

  /** Ends a live membership or request; what it owes is done in the same call (and swept after a crash). */
  async function endMember(m: MemberDoc, to: 'left' | 'removed' | 'rejected', by: 'self' | 'club' | 'dissolved') {
    const steps =
      m.status === 'member'
        ? ['place.back', ...(isAdminRole(m.role) ? ['role.revoke'] : []), 'signups.end', 'dues.close', 'dues.policy', 'event.left']
        : [];
    return memberStep(
      // the role too: a role given meanwhile makes this retry with it, so its grant is never left behind
      { _id: m._id, status: m.status, role: m.role },
      { status: to, liveKey: String(m._id), endedAt: kernel.clock.now(), endedBy: by, role: 'member' },
      steps,
    );
  }

  async function reject(actorId: string, clubId: string, userId: string, reason?: string) {
    const m = await memberOf(clubId, userId);
    if (m.status !== 'requested') throw new AppError('CLUB_ALREADY_MEMBER', 'already a member; remove instead');
    if (!(await endMember(m, 'rejected', 'club'))) throw new AppError('CONFLICT', 'the request changed meanwhile');
    await kernel.audit(actorId, 'club.member.reject', userId, { clubId, reason: reason ?? null });
    return { status: 'rejected' as const };
  }

  async function remove(actorId: string, clubId: string, userId: string, reason?: string) {
    const m = await memberOf(clubId, userId);
    if (m.status !== 'member') throw new AppError('CLUB_MEMBER_NOT_FOUND', 'not a member');
    if (m.role === 'president') throw new AppError('FORBIDDEN', 'the president cannot be removed');
    await mustOutrank(actorId, clubId, m);
    if (!(await endMember(m, 'removed', 'club'))) throw new AppError('CONFLICT', 'the member changed meanwhile');
    await kernel.audit(actorId, 'club.member.remove', userId, { clubId, reason: reason ?? null });
    return { status: 'removed' as const };
  }

  async function leave(userId: string, clubId: string) {
    const m = await memberOf(clubId, userId);
    if (m.role === 'president') throw new AppError('CLUB_PRESIDENT_CANNOT_LEAVE', 'hand the presidency over first');
    if (m.status === 'joining') throw new AppError('CONFLICT', 'your request is being approved; try again');
    if (!(await endMember(m, m.status === 'member' ? 'left' : 'rejected', 'self'))) throw new AppError('CONFLICT', 'please retry');
    return { status: 'left' as const };
  }

  const RANK: Record<ClubRole, number> = { president: 3, vice_president: 2, admin: 1, member: 0 };
  /** An officer acts only on members below its own role (the bureau on anyone); returns the actor's rank. */
  async function mustOutrank(actorId: string, clubId: string, target: MemberDoc): Promise<number> {
    if (await isBureauAdmin(actorId)) return Infinity;
    const actor = await activeMember(clubId, actorId);
    // the routes let only club_admin holders here: one the bureau granted without an office acts as a 管理员
    const rank = Math.max(actor ? RANK[actor.role] : 0, RANK.admin);
    if (RANK[target.role] >= rank) throw new AppError('FORBIDDEN', 'only an officer above this member can change or remove them');
    return rank;
  }

  /**
   * In-club roles; 会长/副会长/管理员 hold `club_admin` for the club (identity's grant, kept in line
   * by the role steps). A guarded transition on the member's role, so a role given and a removal at
   * once never leave a grant behind; an officer gives at most its own role, and only to those below it.
   */
  async function setRole(actorId: string, clubId: string, userId: string, role: ClubRole) {
    const m = await memberOf(clubId, userId);
    if (m.status !== 'member') throw new AppError('CLUB_MEMBER_NOT_FOUND', 'not a member');
    const bureau = await isBureauAdmin(actorId);
    if (m.role === 'president' && !bureau) throw new AppError('FORBIDDEN', 'the president’s role changes by handing over');
    const change = (member: MemberDoc, from: ClubRole, to: ClubRole) =>
      memberStep({ _id: member._id, status: 'member', role: from }, { role: to }, [isAdminRole(to) ? 'role.grant' : 'role.revoke']);
    if (role === 'president') {
      const actor = await activeMember(clubId, actorId);
      if (!bureau && actor?.role !== 'president') throw new AppError('FORBIDDEN', 'only the president hands the presidency over');
      // the president hands over their own presidency: the guarded step below is on the actor, so of
      // two handovers at once the second finds its actor no longer president (a read of "who is
      // president now" let it demote the heir the first had just made); the bureau's on whoever holds it
      const old = bureau
        ? await ClubMember.findOne({ clubId: oid(clubId), role: 'president', status: 'member' }).lean<MemberDoc>()
        : (actor as MemberDoc);
      // one handover at a time: the old president steps down first (a guarded transition only one handover wins)
      // and names the heir in that same write, so a crash before the heir is made leaves it owed to the sweeper
      if (old && String(old._id) !== String(m._id)) {
        const won = await memberStep({ _id: old._id, status: 'member', role: 'president' }, { role: 'vice_president', handoverTo: m._id }, [
          'role.grant',
          'president.handover',
        ]);
        if (!won) throw new AppError('CONFLICT', 'the presidency changed meanwhile; please retry');
      } else if (!old && !(await change(m, m.role, 'president')))
        throw new AppError('CONFLICT', 'the member changed meanwhile; please retry');
      const now = await ClubMember.findById(m._id, { role: 1 }).lean<Pick<MemberDoc, 'role'>>();
      if (now?.role !== 'president') throw new AppError('CONFLICT', 'the member changed meanwhile; the presidency stays');
    } else {
      const rank = await mustOutrank(actorId, clubId, m);
      if (RANK[role] > rank) throw new AppError('FORBIDDEN', 'an officer gives at most its own role');
      if (m.role !== role && !(await change(m, m.role, role))) throw new AppError('CONFLICT', 'the member changed meanwhile; please retry');
    }
    await kernel.audit(actorId, 'club.member.role', userId, { clubId, role });
    return membershipDto({ ...m, role });
  }

  async function roster(clubId: string, q: { status: 'requested' | 'member'; cursor?: string; limit: number }) {
    const page = await kernel.cursorPage<MemberDoc, MemberDoc>(
      ClubMember,
      { clubId: oid(clubId), status: q.status === 'requested' ? mongoose.trusted({ $in: ['requested', 'joining'] }) : 'member' },
      q,
      (m) => m,
    );
    const names = await deps.displayNames(page.items.map((m) => String(m.userId)));
    const items: ClubMemberDto[] = page.items.map((m) => {
      let phone: string | null = null;
      try {
        phone = m.phoneSealed ? maskMobile(cipher.decrypt(m.phoneSealed)) : null;
      } catch {
        phone = null;
      }
      return {
        userId: String(m.userId),
        nickname: names.get(String(m.userId)) ?? '市民',
        phone,
        role: m.role,
        status: m.status === 'member' ? 'member' : 'requested',
        message: m.message,
        joinedAt: m.joinedAt ? m.joinedAt.toISOString() : null,
        paidUntil: m.paidUntil ? m.paidUntil.toISOString() : null,
      };
    });
    return { items, nextCursor: page.nextCursor };
  }

  // ---------- announcements ----------
  /**
   * An announcement owes its subscribe messages (to members who agreed): the post records
   * `pending: ['notify.members']` in its own insert and the sends follow, so a crash after the post
   * leaves them to the club-heal sweeper. Each member is claimed with a unique delivery record before
   * the send, so a re-run (after a crash, or twice) never messages anyone twice; a crash in the instant
   * between a claim and WeChat's answer loses that one message rather than sending it twice.
   */
  kernel.effects.define<AnnouncementDoc>(OWNERS.announcement, {
    collection: 'club_announcements',
    steps: {
      'notify.members': async (a) => {
        const club = await Club.findById(a.clubId).lean<ClubDoc>();
        if (!club) return;
        const members = await ClubMember.find(
          { clubId: a.clubId, status: 'member', notifyOptIn: true, joinedAt: mongoose.trusted({ $not: { $gt: a.createdAt } }) },
          { userId: 1 },
        )
          .limit(5000)
          .lean<Pick<MemberDoc, 'userId'>[]>();
        const data = { thing1: club.name.slice(0, 20), thing2: a.title.slice(0, 20) };
        for (const m of members) {
          const userId = String(m.userId);
          try {
            await ClubAnnouncementDelivery.collection.insertOne({
              _id: `${a._id}:${userId}` as never,
              announcementId: a._id,
              userId: m.userId,
              status: 'sending',
              at: kernel.clock.now(),
            });
          } catch (err) {
            if (isDuplicate(err)) continue; // claimed by an earlier run
            throw err;
          }
          await deps.notify(userId, TEMPLATES.announcement, data); // never throws: failures are logged there
          kernel.crashPoint('club.announce:after-send');
          await ClubAnnouncementDelivery.collection.updateOne({ _id: `${a._id}:${userId}` as never }, { $set: { status: 'sent' } });
        }
      },
    },
  });

  async function announce(actorId: string, clubId: string, input: { title: string; body: string; pinned: boolean }) {
    const c = await loadClub(clubId);
    if (c.status !== 'approved') throw new AppError('CLUB_NOT_ACTIVE', 'the club is not active');
    const now = kernel.clock.now();
    const doc: AnnouncementDoc = {
      _id: new Types.ObjectId(),
      clubId: c._id,
      title: input.title,
      body: input.body,
      pinned: input.pinned,
      authorId: new Types.ObjectId(actorId),
      createdAt: now,
      // what the post owes, in the same write (kernel.effects): the sweeper finishes it after a crash
      pending: ['notify.members'],
      pendingSince: now,
    };
    await ClubAnnouncement.collection.insertOne(doc);
    await kernel.audit(actorId, 'club.announcement', null, { clubId, announcementId: String(doc._id), pinned: doc.pinned });
    kernel.crashPoint('club.announce:after-post');
    await kernel.effects.finish(OWNERS.announcement, doc);
    const notified = await ClubAnnouncementDelivery.collection.countDocuments({ announcementId: doc._id });
    return { announcement: announcementDto(doc), notified };
  }

  async function announcements(clubId: string, q: { cursor?: string; limit: number }) {
    return kernel.cursorPage<AnnouncementDoc, ReturnType<typeof announcementDto>>(
      ClubAnnouncement,
      { clubId: oid(clubId) },
      q,
      announcementDto,
    );
  }

  async function pin(actorId: string, clubId: string, announcementId: string, pinned: boolean) {
    const res = await ClubAnnouncement.collection.updateOne({ _id: oid(announcementId), clubId: oid(clubId) }, { $set: { pinned } });
    if (res.matchedCount === 0) throw new AppError('NOT_FOUND', 'no such announcement');
    await kernel.audit(actorId, pinned ? 'club.announcement.pin' : 'club.announcement.unpin', null, { clubId, announcementId });
    return { pinned };
  }

  // ---------- activity score ----------
  /**
   * Per club and period [from, to): activities held (started, not cancelled), attendance
   * (check-ins), members now, growth (joins − departures). score = 5·held + attendance +
   * 0.5·members + 2·growth.
   */
  async function scores(from: Date, to: Date, clubIds?: Types.ObjectId[]): Promise<ClubScore[]> {
    const now = kernel.clock.now();
    const clubs = await Club.find({ status: 'approved', ...(clubIds ? { _id: mongoose.trusted({ $in: clubIds }) } : {}) })
      .limit(2000)
      .lean<ClubDoc[]>();
    const ids = clubs.map((c) => c._id);
    const end = to < now ? to : now;
    const count = async (coll: mongoose.Collection, match: Record<string, unknown>) =>
      new Map(
        (
          await coll
            .aggregate<{ _id: Types.ObjectId; n: number }>([{ $match: match }, { $group: { _id: '$clubId', n: { $sum: 1 } } }])
            .toArray()
        ).map((r) => [String(r._id), r.n]),
      );
    const held = await count(ClubActivity.collection, {
      clubId: { $in: ids },
      status: { $ne: 'cancelled' },
      startAt: { $gte: from, $lt: end },
    });
    const attended = await count(ClubSignup.collection, { clubId: { $in: ids }, status: 'attended', attendedAt: { $gte: from, $lt: to } });
    const members = await count(ClubMember.collection, { clubId: { $in: ids }, status: 'member' });
    const joined = await count(ClubMember.collection, { clubId: { $in: ids }, joinedAt: { $gte: from, $lt: to } });
    const left = await count(ClubMember.collection, {
      clubId: { $in: ids },
      status: { $in: ['left', 'removed'] },
      endedAt: { $gte: from, $lt: to },
    });
    return clubs
      .map((c) => {
        const k = String(c._id);
        const r = {
          activitiesHeld: held.get(k) ?? 0,
          attendance: attended.get(k) ?? 0,
          members: members.get(k) ?? 0,
          growth: (joined.get(k) ?? 0) - (left.get(k) ?? 0),
        };
        return {
          clubId: k,
          name: c.name,
          sport: c.sport,
          district: c.district,
          ...r,
          score: Math.round((5 * r.activitiesHeld + r.attendance + 0.5 * r.members + 2 * r.growth) * 10) / 10,
        };
      })
      .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  }

  // ---------- jobs ----------
  /** Stale `joining` members are put back to `requested` with their place given back (exactly once). */
  async function heal() {
    const cutoff = new Date(kernel.clock.now().getTime() - JOINING_STALE_MS);
    const stale = await ClubMember.find({ status: 'joining', pendingSince: mongoose.trusted({ $lt: cutoff }) })
      .limit(200)
      .lean<MemberDoc[]>();
    for (const m of stale) {
      if (m.placeHolder) await kernel.capacity.giveBack(MEMBER_PLACES, m.clubId, 1, { holder: m.placeHolder });
      await kernel.transition(
        'club_members',
        { _id: m._id, status: 'joining', placeHolder: m.placeHolder },
        {
          $set: { status: 'requested', placeHolder: null, pendingSince: null },
        },
      );
    }
    const members = await kernel.effects.sweep(OWNERS.member);
    const clubs = await kernel.effects.sweep(OWNERS.club);
    const announcements = await kernel.effects.sweep(OWNERS.announcement);
    return { rolledBack: stale.length, members, clubs, announcements, signups: await activities.heal(), dues: await dues.closeOrphans() };
  }

  return {
    apply,
    review,
    changeStatus,
    adminList,
    updateSettings,
    directory,
    detail,
    myClubs,
    join,
    approve,
    reject,
    remove,
    leave,
    setRole,
    roster,
    announce,
    announcements,
    pin,
    scores,
    heal,
    loadClub,
    activeMember,
    membershipEnded,
    clubExists,
    activities,
    dues,
  };
}
export type ClubService = ReturnType<typeof createClubService>;
