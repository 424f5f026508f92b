import { createHmac } from 'node:crypto';
import mongoose, { Schema, Types } from 'mongoose';
import { isBureauRole, maskMobile, type BureauAccount, type BureauAccountOpen, type BureauRole } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import type { AuditActor, AuditWriter } from '../../platform/audit';
import type { TokenClaims } from '../../platform/auth';
import type { Clock } from '../../platform/clock';
import type { FieldCipher } from '../../platform/crypto-field';
import { emit } from '../../platform/outbox';
import type { Pseudonymizer } from '../../platform/pseudonym';
import { User, type UserDoc } from './identity.model';

/**
 * Bureau accounts (专人专号, Chongqing 第十八条): an admin or analyst account belongs to one named
 * person — name, unit, position and phone (sealed at rest with the field cipher, shown masked) —
 * is opened and closed only by a bureau admin (audited), and is never shared: one person, one
 * account, one phone. Closing removes the bureau role and ends the account's sessions (tokens
 * issued before the close are refused with SESSION_ENDED).
 */
/** how stale another instance's copy of the ended sessions may be */
export const SESSION_REFRESH_MS = 1000;
/** the comment on the refresh's read: background work, not part of any request's cost (tests/support/roundtrips.ts) */
export const BACKGROUND_READ = 'background: ended sessions';

export interface BureauAccountDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  role: BureauRole;
  name: string;
  unit: string;
  position: string;
  phoneSealed: string;
  /** keyed digest of the phone: one open account per phone, without storing it in clear */
  phoneKey: string;
  /** the phone's claim, unique: the phoneKey while open, `closed:<userId>` once closed (two racing opens of one phone → one) */
  phoneSlot: string;
  status: 'open' | 'closed';
  openedAt: Date;
  openedBy: Types.ObjectId | null;
  closedAt: Date | null;
  closedBy: Types.ObjectId | null;
  closeReason: string | null;
}

const BureauAccountSchema = new Schema<BureauAccountDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true, unique: true },
    role: { type: String, required: true },
    name: { type: String, required: true },
    unit: { type: String, required: true },
    position: { type: String, required: true },
    phoneSealed: { type: String, required: true },
    phoneKey: { type: String, required: true, index: true },
    phoneSlot: { type: String, required: true },
    status: { type: String, required: true },
    openedAt: { type: Date, required: true },
    openedBy: { type: Schema.Types.ObjectId, default: null },
    closedAt: { type: Date, default: null },
    closedBy: { type: Schema.Types.ObjectId, default: null },
    closeReason: { type: String, default: null },
  },
  { collection: 'bureau_accounts', versionKey: false },
);
BureauAccountSchema.index({ phoneSlot: 1 }, { unique: true, name: 'one_open_account_per_phone' });
export const BureauAccountModel = mongoose.model<BureauAccountDoc>('BureauAccount', BureauAccountSchema);

export interface BureauDeps {
  clock: Clock;
  cipher: FieldCipher;
  audit: AuditWriter;
  phoneKeySecret: string;
  pseudonym: Pseudonymizer;
}

export function createBureauAccounts(deps: BureauDeps) {
  const { clock, cipher } = deps;
  const phoneKey = (phone: string) =>
    createHmac('sha256', `citysport-bureau-phone:${deps.phoneKeySecret}`).update(phone).digest('base64url');

  const out = (d: BureauAccountDoc): BureauAccount => ({
    userId: String(d.userId),
    role: d.role,
    name: d.name,
    unit: d.unit,
    position: d.position,
    phone: maskMobile(cipher.decrypt(d.phoneSealed)),
    status: d.status,
    openedAt: d.openedAt.toISOString(),
    openedBy: d.openedBy ? String(d.openedBy) : null,
    closedAt: d.closedAt ? d.closedAt.toISOString() : null,
    closedBy: d.closedBy ? String(d.closedBy) : null,
    closeReason: d.closeReason,
  });

  /** Opens (or reopens a closed) personal account and grants its role; `actorId` 'system' for the demo seed only. */
  async function open(actorId: string | 'system', input: BureauAccountOpen): Promise<BureauAccount> {
    const user = await User.findById(input.userId, { _id: 1 }).lean<{ _id: Types.ObjectId }>();
    if (!user) throw new AppError('USER_NOT_FOUND', 'no such user');
    const existing = await BureauAccountModel.findOne({ userId: user._id }).lean<BureauAccountDoc>();
    if (existing?.status === 'open') throw new AppError('BUREAU_ACCOUNT_EXISTS', 'this user already holds an open bureau account');
    const key = phoneKey(input.phone);
    const samePhone = await BureauAccountModel.findOne({ phoneKey: key, status: 'open' }, { _id: 1 }).lean();
    if (samePhone) throw new AppError('BUREAU_PHONE_IN_USE', 'this phone belongs to another open bureau account');
    const now = clock.now();
    const fields = {
      role: input.role,
      name: input.name,
      unit: input.unit,
      position: input.position,
      phoneSealed: cipher.encrypt(input.phone),
      phoneKey: key,
      phoneSlot: key,
      status: 'open' as const,
      openedAt: now,
      openedBy: actorId === 'system' ? null : new Types.ObjectId(actorId),
      closedAt: null,
      closedBy: null,
      closeReason: null,
    };
    // the unique phoneSlot settles racing opens of one phone; the unique userId racing opens of one user
    const taken = (err: unknown) => {
      if ((err as { code?: number }).code !== 11000) return err;
      const e = err as { keyPattern?: object; keyValue?: object; message?: string };
      // engines differ in what a duplicate-key error names: the key, its value or the index in the message
      return 'phoneSlot' in (e.keyPattern ?? e.keyValue ?? {}) || /one_open_account_per_phone|phoneSlot/.test(e.message ?? '')
        ? new AppError('BUREAU_PHONE_IN_USE', 'this phone belongs to another open bureau account')
        : new AppError('BUREAU_ACCOUNT_EXISTS', 'this user already holds a bureau account');
    };
    let doc: BureauAccountDoc | null;
    try {
      if (existing) {
        // reopening: only from closed (a racing open loses here)
        doc = await BureauAccountModel.findOneAndUpdate(
          { _id: existing._id, status: 'closed' },
          { $set: fields },
          { new: true },
        ).lean<BureauAccountDoc>();
        if (!doc) throw new AppError('BUREAU_ACCOUNT_EXISTS', 'this user already holds an open bureau account');
      } else {
        doc = (await BureauAccountModel.create({ userId: user._id, ...fields })).toObject();
      }
    } catch (err) {
      throw taken(err);
    }
    const granted = await User.updateOne({ _id: user._id }, { $addToSet: { grants: { role: input.role, scope: null } } });
    // a close that landed between the open and the grant pulled nothing: read after our own write,
    // and take the role back when the account is no longer open with it (closed, yet admin)
    const still = await BureauAccountModel.findOne({ _id: doc._id }, { status: 1, role: 1 }).lean<
      Pick<BureauAccountDoc, 'status' | 'role'>
    >();
    if (still?.status !== 'open' || still.role !== input.role) {
      await User.updateOne({ _id: user._id }, { $pull: { grants: { role: input.role } } });
      throw new AppError('BUREAU_ACCOUNT_CLOSED', 'the account was closed while it was being opened');
    }
    if (granted.modifiedCount > 0) await emit('role.granted', { subject: deps.pseudonym(input.userId), role: input.role, scope: null });
    await deps.audit(actorId, 'bureau.account.open', input.userId, {
      role: input.role,
      name: input.name,
      unit: input.unit,
      position: input.position,
      reason: input.reason ?? null,
    });
    return out(doc);
  }

  /**
   * Closes the account: its bureau role is revoked and every session issued before now ends.
   * Two admins closing each other at once never leave none: the close is marked first, then the
   * closer's own account is read again — closed meanwhile, the mark is undone (SESSION_ENDED);
   * of two such closes at least the later check sees the earlier close, so one survives.
   */
  /**
   * A close cut short (a crash, the engine away) left the account marked closed with its role, its
   * sessions or its phone still held; asking to close it again finishes what the first close did
   * (each step idempotent) before answering that it is closed.
   */
  async function finishClose(acct: BureauAccountDoc) {
    await revokeAndEndSessions(String(acct.userId), acct.closedAt ?? clock.now());
    await BureauAccountModel.updateOne({ _id: acct._id, status: 'closed' }, { $set: { phoneSlot: `closed:${String(acct.userId)}` } });
  }

  /** The close's hold on the person: bureau roles pulled (told to the feed), sessions up to `at` ended, here at once. */
  async function revokeAndEndSessions(userId: string, at: Date) {
    const before = await User.findOneAndUpdate(
      { _id: new Types.ObjectId(userId) },
      { $pull: { grants: { role: mongoose.trusted({ $in: ['admin', 'analyst'] }) } }, $max: { sessionsEndedAt: at } },
    ).lean<Pick<UserDoc, 'grants'>>();
    endedSessions.set(userId, Math.max(endedSessions.get(userId) ?? 0, at.getTime())); // the other instances at their next refresh
    for (const g of before?.grants ?? [])
      if (isBureauRole(g.role)) await emit('role.revoked', { subject: deps.pseudonym(userId), role: g.role, scope: null });
  }

  async function close(actorId: string, userId: string, reason: string): Promise<BureauAccount> {
    if (actorId === userId) throw new AppError('BUREAU_SELF_CLOSE', 'an admin cannot close their own account');
    const now = clock.now();
    const target = new Types.ObjectId(userId);
    const marked = await BureauAccountModel.findOneAndUpdate(
      { userId: target, status: 'open' },
      { $set: { status: 'closed', closedAt: now, closedBy: new Types.ObjectId(actorId), closeReason: reason } },
      { new: true },
    ).lean<BureauAccountDoc>();
    if (!marked) {
      const closedOne = await BureauAccountModel.findOne({ userId: target }).lean<BureauAccountDoc>();
      if (!closedOne) throw new AppError('BUREAU_ACCOUNT_NOT_FOUND', 'no bureau account for this user');
      if (closedOne.status === 'closed') await finishClose(closedOne);
      throw new AppError('BUREAU_ACCOUNT_CLOSED', 'this account is closed already');
    }
    const mine = await BureauAccountModel.findOne({ userId: new Types.ObjectId(actorId) }, { status: 1 }).lean<
      Pick<BureauAccountDoc, 'status'>
    >();
    if (mine && mine.status !== 'open') {
      await BureauAccountModel.updateOne(
        { _id: marked._id, status: 'closed', closedBy: new Types.ObjectId(actorId), closedAt: now },
        { $set: { status: 'open', closedAt: null, closedBy: null, closeReason: null } },
      );
      throw new AppError('SESSION_ENDED', 'your own account was closed meanwhile; log in again');
    }
    await revokeAndEndSessions(userId, now);
    await deps.audit(actorId, 'bureau.account.close', userId, { role: marked.role, name: marked.name, unit: marked.unit, reason });
    // the phone is freed only while the account is still this close's: a reopen by another admin
    // inside the close keeps its phone, and gets back the role the close pulled after it
    const doc = await BureauAccountModel.findOneAndUpdate(
      { _id: marked._id, status: 'closed', closedAt: now, closedBy: new Types.ObjectId(actorId) },
      { $set: { phoneSlot: `closed:${userId}` } },
      { new: true },
    ).lean<BureauAccountDoc>();
    if (!doc) {
      const reopened = await BureauAccountModel.findOne({ _id: marked._id, status: 'open' }).lean<BureauAccountDoc>();
      if (reopened) {
        const back = await User.updateOne({ _id: marked.userId }, { $addToSet: { grants: { role: reopened.role, scope: null } } });
        if (back.modifiedCount > 0) await emit('role.granted', { subject: deps.pseudonym(userId), role: reopened.role, scope: null });
      }
      throw new AppError('BUREAU_ACCOUNT_EXISTS', 'the account was reopened meanwhile by another admin');
    }
    return out(doc);
  }

  async function list(actorId: string, status: 'open' | 'closed' | 'all'): Promise<BureauAccount[]> {
    const docs = await BureauAccountModel.find(status === 'all' ? {} : { status })
      .sort({ openedAt: -1 })
      .limit(500)
      .lean<BureauAccountDoc[]>();
    return docs.map(out);
  }

  async function get(userId: string): Promise<BureauAccount | null> {
    const d = await BureauAccountModel.findOne({ userId: new Types.ObjectId(userId) }).lean<BureauAccountDoc>();
    return d ? out(d) : null;
  }

  async function isOpen(userId: string): Promise<boolean> {
    return (await openRole(userId)) !== null;
  }

  /** The role of the user's open account, null when none is open. */
  async function openRole(userId: string): Promise<BureauRole | null> {
    const d = await BureauAccountModel.findOne({ userId: new Types.ObjectId(userId), status: 'open' }, { role: 1 }).lean<
      Pick<BureauAccountDoc, 'role'>
    >();
    return d?.role ?? null;
  }

  /** The audit log's names: a bureau account's person, else the account's nickname. */
  async function actorOf(actorId: string): Promise<AuditActor | null> {
    if (!Types.ObjectId.isValid(actorId)) return null;
    const acct = await BureauAccountModel.findOne({ userId: new Types.ObjectId(actorId) }, { name: 1, unit: 1, position: 1 }).lean<
      Pick<BureauAccountDoc, 'name' | 'unit' | 'position'>
    >();
    if (acct) return { name: acct.name, unit: acct.unit, position: acct.position };
    const u = await User.findById(actorId, { nickname: 1 }).lean<Pick<UserDoc, 'nickname'>>();
    return u ? { name: u.nickname, unit: null, position: null } : null;
  }

  /**
   * Every token is checked against its user's end of sessions: a token from before the account was
   * opened carries only citizen in its claims, yet role checks read the current grants — it would
   * otherwise outlive the close and regain the role on a reopen. The check reads no document per
   * request (that was a round trip on every booking, scan and registration): this instance keeps
   * the few ended sessions (closed bureau accounts) in memory, learns its own closes at once and
   * the other instances' within SESSION_REFRESH_MS. Token times are whole seconds: a token issued
   * in the second of the close is refused too.
   */
  const endedSessions = new Map<string, number>();
  let refreshedAt = -Infinity;
  let refreshing: Promise<void> | null = null;
  async function refreshEndedSessions() {
    const rows = await User.find({ sessionsEndedAt: mongoose.trusted({ $exists: true, $ne: null }) }, { sessionsEndedAt: 1 })
      .comment(BACKGROUND_READ)
      .lean<{ _id: Types.ObjectId; sessionsEndedAt: Date }[]>();
    // merged, never cleared: a close this instance made while the read was on its way stays known
    for (const r of rows) {
      const id = String(r._id);
      endedSessions.set(id, Math.max(endedSessions.get(id) ?? 0, r.sessionsEndedAt.getTime()));
    }
    refreshedAt = Date.now();
  }
  async function sessionCheck(claims: TokenClaims): Promise<void> {
    if (Date.now() - refreshedAt > SESSION_REFRESH_MS) await (refreshing ??= refreshEndedSessions().finally(() => (refreshing = null)));
    const ended = endedSessions.get(claims.userId);
    if (ended !== undefined && (claims.issuedAt ?? 0) * 1000 <= ended)
      throw new AppError('SESSION_ENDED', 'this account was closed; log in again');
  }

  return { open, close, list, get, isOpen, openRole, actorOf, sessionCheck };
}
export type BureauAccounts = ReturnType<typeof createBureauAccounts>;
