import { Types } from 'mongoose';
import mongoose from 'mongoose';
import {
  DEFAULT_PREFERENCES,
  SCOPED_ROLES,
  ageOnDate,
  isBureauRole,
  businessDay,
  isValidIdCard,
  maskIdCard,
  maskMobile,
  type AdminRoleChange,
  type AuditEntry as AuditEntryDto,
  type Me,
  type PageQuery,
  type Preferences,
  type Role,
  type RoleGrant,
} from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import type { Clock } from '../../platform/clock';
import type { FieldCipher } from '../../platform/crypto-field';
import type { Pseudonymizer } from '../../platform/pseudonym';
import type { TokenService } from '../../platform/auth';
import type { WechatClient } from '../../platform/wechat';
import type { Audit } from '../../platform/audit';
import { User, type GrantDoc, type UserDoc } from './identity.model';
import { createBureauAccounts } from './bureau';

export interface IdentityDeps {
  clock: Clock;
  wechat: WechatClient;
  tokens: TokenService;
  cipher: FieldCipher;
  pseudonym: Pseudonymizer;
  /** the append-only audit log (platform/audit) */
  audit: Audit;
  /** does this scope (a venue or club id) exist for this role? supplied by the app from the owning module */
  scopeExists: (role: Role, scope: string) => Promise<boolean>;
  /** keys the bureau accounts' phone digest (one open account per phone) */
  phoneKeySecret: string;
}

function rolesOf(grants: GrantDoc[]): Role[] {
  return Array.from(new Set<Role>(['citizen', ...grants.map((g) => g.role)]));
}

function grantsOut(grants: GrantDoc[]): RoleGrant[] {
  return grants.map((g) => (g.scope ? { role: g.role, scope: g.scope } : { role: g.role }));
}

export function createIdentityService(deps: IdentityDeps) {
  const { clock, cipher } = deps;
  const bureau = createBureauAccounts({
    clock,
    cipher,
    audit: deps.audit.audit,
    phoneKeySecret: deps.phoneKeySecret,
    pseudonym: deps.pseudonym,
  });

  /** Insert-or-find by openid; the unique index makes concurrent first logins yield one user. */
  async function upsertByOpenid(
    openid: string,
    unionid: string | undefined,
    sessionKey: string,
  ): Promise<{ user: UserDoc; created: boolean }> {
    const now = clock.now();
    const update = {
      $set: { lastLoginAt: now, sessionKeySealed: cipher.encrypt(sessionKey), ...(unionid ? { unionid } : {}) },
      $setOnInsert: { openid, nickname: `市民${openid.slice(-4)}`, grants: [], createdAt: now },
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const res = (await User.findOneAndUpdate({ openid }, update, {
          upsert: true,
          new: true,
          includeResultMetadata: true,
        }).lean()) as unknown as {
          value: UserDoc;
          lastErrorObject?: { updatedExisting?: boolean };
        };
        return { user: res.value, created: !res.lastErrorObject?.updatedExisting };
      } catch (err) {
        // two first logins raced: the loser's insert hits the unique index; the retry finds the winner
        if ((err as { code?: number }).code !== 11000 || attempt >= 2) throw err;
      }
    }
  }

  async function login(code: string) {
    const session = await deps.wechat.code2Session(code);
    const { user, created } = await upsertByOpenid(session.openid, session.unionid, session.sessionKey);
    const id = String(user._id);
    if (created) await emit('user.registered', { subject: deps.pseudonym(id) }, { eventId: `user.registered:${id}` });
    const roles = rolesOf(user.grants);
    const { token, expiresAt } = await deps.tokens.sign({ userId: id, roles });
    return { token, expiresAt: expiresAt.toISOString(), user: { id, roles, grants: grantsOut(user.grants) } };
  }

  async function getMe(userId: string): Promise<Me> {
    const user = await User.findById(userId).lean<UserDoc>();
    if (!user) throw new AppError('USER_NOT_FOUND', 'user no longer exists');
    return {
      id: String(user._id),
      nickname: user.nickname,
      roles: rolesOf(user.grants),
      grants: grantsOut(user.grants),
      phone: user.phoneSealed ? maskMobile(cipher.decrypt(user.phoneSealed)) : null,
      idNumber: user.idNumberSealed ? maskIdCard(cipher.decrypt(user.idNumberSealed)) : null,
      createdAt: user.createdAt.toISOString(),
    };
  }

  async function grantsOf(userId: string): Promise<{ role: Role; scope?: string }[]> {
    const user = await User.findById(userId, { grants: 1 }).lean<Pick<UserDoc, 'grants'>>();
    return user ? user.grants.map((g) => ({ role: g.role, ...(g.scope ? { scope: g.scope } : {}) })) : [];
  }

  async function checkScope(change: AdminRoleChange): Promise<string | null> {
    const scoped = SCOPED_ROLES.includes(change.role);
    if (scoped && !change.scope)
      throw new AppError('VALIDATION_FAILED', `role ${change.role} needs a scope`, [{ path: 'scope', message: 'required for this role' }]);
    if (!scoped && change.scope)
      throw new AppError('VALIDATION_FAILED', `role ${change.role} takes no scope`, [
        { path: 'scope', message: 'not allowed for this role' },
      ]);
    if (change.scope && !(await deps.scopeExists(change.role, change.scope)))
      throw new AppError('NOT_FOUND', `scope ${change.scope} does not exist`, [{ path: 'scope', message: 'unknown' }]);
    return change.scope ?? null;
  }

  /** Grant or revoke with one atomic array update; the audit row records whether anything changed. */
  async function changeRole(actorId: string | 'system', change: AdminRoleChange, action: 'grant' | 'revoke') {
    if (change.role === 'citizen')
      throw new AppError('VALIDATION_FAILED', 'citizen is implicit', [{ path: 'role', message: 'cannot be granted or revoked' }]);
    const scope = await checkScope(change);
    // 专人专号: a bureau role comes only with a named personal account (POST /admin/bureau-accounts);
    // the demo seed and test fixtures grant as 'system'
    let grantCameWithAccount = false;
    if (actorId !== 'system' && isBureauRole(change.role)) {
      if (!Types.ObjectId.isValid(change.userId) || !(await User.exists({ _id: change.userId })))
        throw new AppError('USER_NOT_FOUND', 'no such user');
      const openRole = await bureau.openRole(change.userId);
      // the account names its role: an open analyst account is not raised to admin here, and a
      // bare role held beside an account of the other role can still be revoked
      if (action === 'grant' && openRole !== change.role)
        throw new AppError(
          'BUREAU_ACCOUNT_REQUIRED',
          `${change.role} is opened as a personal account with name, unit, position and phone`,
          [{ path: 'role', message: 'open it at POST /admin/bureau-accounts' }],
        );
      // the open account's role is granted by its open, never here: a write here racing a close
      // would put back the role the close had just pulled (a closed account that is still admin)
      grantCameWithAccount = action === 'grant';
      if (action === 'revoke' && openRole === change.role)
        throw new AppError('BUREAU_ACCOUNT_REQUIRED', 'a personal bureau account is closed, not revoked', [
          { path: 'role', message: 'close it at POST /admin/bureau-accounts/:userId/close' },
        ]);
    }
    const grant = { role: change.role, scope };
    const update = action === 'grant' ? { $addToSet: { grants: grant } } : { $pull: { grants: grant } };
    const res = grantCameWithAccount ? null : await User.updateOne({ _id: change.userId }, update);
    if (res && res.matchedCount === 0) throw new AppError('USER_NOT_FOUND', 'no such user');
    const changed = (res?.modifiedCount ?? 0) > 0;
    await deps.audit.audit(actorId, action === 'grant' ? 'role.grant' : 'role.revoke', change.userId, {
      role: change.role,
      scope,
      reason: change.reason ?? null,
      changed,
    });
    if (changed)
      await emit(action === 'grant' ? 'role.granted' : 'role.revoked', {
        subject: deps.pseudonym(change.userId),
        role: change.role,
        scope,
      });
    const user = await User.findById(change.userId, { grants: 1 }).lean<Pick<UserDoc, 'grants'>>();
    const grants = user?.grants ?? [];
    return { user: { id: change.userId, roles: rolesOf(grants), grants: grantsOut(grants) }, changed };
  }

  async function listAudit(page: PageQuery): Promise<{ items: AuditEntryDto[]; nextCursor: string | null }> {
    return deps.audit.list(page);
  }

  /** For the demo fixtures and admin tooling: set personal fields, sealed. */
  async function setPersonalFields(userId: string, fields: { phone?: string; idNumber?: string; nickname?: string }) {
    await User.updateOne(
      { _id: userId },
      {
        $set: {
          ...(fields.phone ? { phoneSealed: cipher.encrypt(fields.phone) } : {}),
          ...(fields.idNumber ? { idNumberSealed: cipher.encrypt(fields.idNumber) } : {}),
          ...(fields.nickname ? { nickname: fields.nickname } : {}),
        },
      },
    );
  }

  async function findIdByOpenid(openid: string): Promise<string | null> {
    const u = await User.findOne({ openid }, { _id: 1 }).lean<{ _id: Types.ObjectId }>();
    return u ? String(u._id) : null;
  }

  async function displayNames(userIds: string[]): Promise<Map<string, string>> {
    const users = await User.find({ _id: mongoose.trusted({ $in: userIds }) }, { nickname: 1 }).lean<
      { _id: Types.ObjectId; nickname: string }[]
    >();
    return new Map(users.map((u) => [String(u._id), u.nickname]));
  }

  async function openidOf(userId: string): Promise<string | null> {
    const u = await User.findById(userId, { openid: 1 }).lean<{ openid: string }>();
    return u?.openid ?? null;
  }

  /** Venues (or clubs) where the user holds one of these scoped roles; `all` for admins. */
  async function scopesOf(userId: string, roles: Role[]): Promise<string[] | 'all'> {
    const grants = await grantsOf(userId);
    if (grants.some((g) => g.role === 'admin')) return 'all';
    return grants.filter((g) => roles.includes(g.role) && g.scope).map((g) => g.scope!);
  }

  async function getPreferences(userId: string): Promise<Preferences> {
    const u = await User.findById(userId, { preferences: 1 }).lean<Pick<UserDoc, 'preferences'>>();
    if (!u) throw new AppError('USER_NOT_FOUND', 'user no longer exists');
    return { personalisation: u.preferences?.personalisation ?? DEFAULT_PREFERENCES.personalisation };
  }

  /** The citizen's own switch; the audit row records the change (PIPL: when they opted out of personalisation). */
  async function setPreferences(userId: string, prefs: Preferences): Promise<Preferences> {
    const before = await getPreferences(userId);
    const res = await User.updateOne({ _id: userId }, { $set: { 'preferences.personalisation': prefs.personalisation } });
    if (res.matchedCount === 0) throw new AppError('USER_NOT_FOUND', 'user no longer exists');
    if (before.personalisation !== prefs.personalisation)
      await deps.audit.audit(userId, 'preferences.update', userId, { personalisation: prefs.personalisation });
    return prefs;
  }

  /**
   * What recommendations may use from the account: the switch and the age in whole years from the
   * real-name ID number it holds (the birth date inside the sealed number; nothing is copied out).
   */
  async function recommendationBasis(userId: string): Promise<{ personalisation: boolean; age: number | null }> {
    const u = await User.findById(userId, { preferences: 1, idNumberSealed: 1 }).lean<Pick<UserDoc, 'preferences' | 'idNumberSealed'>>();
    if (!u) throw new AppError('USER_NOT_FOUND', 'user no longer exists');
    let age: number | null = null;
    if (u.idNumberSealed) {
      const id = cipher.decrypt(u.idNumberSealed);
      if (isValidIdCard(id)) age = ageOnDate(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, businessDay(clock.now()));
    }
    return { personalisation: u.preferences?.personalisation ?? DEFAULT_PREFERENCES.personalisation, age };
  }

  return {
    bureau,
    sessionCheck: bureau.sessionCheck,
    getPreferences,
    setPreferences,
    recommendationBasis,
    login,
    getMe,
    grantsOf,
    changeRole,
    listAudit,
    setPersonalFields,
    findIdByOpenid,
    upsertByOpenid,
    displayNames,
    openidOf,
    scopesOf,
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
