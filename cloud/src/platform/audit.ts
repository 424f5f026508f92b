import mongoose, { Schema, Types } from 'mongoose';
import type { Middleware } from 'koa';
import type { AuditEntry as AuditEntryDto } from '@citysport/shared';
import type { Clock } from './clock';
import { cursorPage, type Page, type PageRequest } from './paging';

/**
 * The audit log (ARCHITECTURE.md, "The kernel"): append-only; every manager, organiser and
 * admin write calls `audit`. It lives in platform so every module writes it the same way.
 */
export interface AuditDoc {
  _id: Types.ObjectId;
  at: Date;
  /** null when the system acted (demo fixtures, first admin) */
  actorId: Types.ObjectId | null;
  /** the person who acted, named when the entry was written (专人专号: name, unit, position of a bureau account) */
  actor?: AuditActor | null;
  /** role.grant, role.revoke, and manager actions such as ban.lift, slot.close, rules.update */
  action: string;
  targetUserId: Types.ObjectId | null;
  details: Record<string, unknown>;
}

const AuditSchema = new Schema<AuditDoc>(
  {
    at: { type: Date, required: true },
    actorId: { type: Schema.Types.ObjectId, default: null },
    actor: { type: Schema.Types.Mixed, default: null },
    action: { type: String, required: true },
    targetUserId: { type: Schema.Types.ObjectId, default: null, index: true },
    details: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'audit_log', versionKey: false, minimize: false },
);

// The audit log is append-only: the model refuses every update and delete.
for (const op of ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'deleteOne', 'deleteMany', 'findOneAndDelete'] as const) {
  AuditSchema.pre(op, function () {
    throw new Error(`audit_log is append-only (${op} refused)`);
  });
}

export const AuditEntry = mongoose.model<AuditDoc>('AuditEntry', AuditSchema);

/** `actorId` 'system' (or null) when no person acted; `targetUserId` the person affected, if any. */
export type AuditWriter = (
  actorId: string | 'system' | null,
  action: string,
  targetUserId: string | null,
  details: Record<string, unknown>,
) => Promise<void>;

/** The person behind an actor id, as the audit log names them. */
export interface AuditActor {
  name: string;
  unit: string | null;
  position: string | null;
}
/** Names actors (identity supplies it: the bureau account's person, else the nickname); null when unknown. */
export type AuditActorResolver = (actorId: string) => Promise<AuditActor | null>;

/**
 * Reads of personal data (names, phones, ID numbers, participant lists, results, member lists)
 * and every export are audited under these actions, with the person who read them named
 * (Chongqing 第十八条; issue 17 item 7). `what` says which personal data, `route` where.
 */
export const PERSONAL_READ = 'personal.read';
export const DATA_EXPORT = 'data.export';

export function createAudit(clock: Clock) {
  let resolveActor: AuditActorResolver = async () => null;
  const audit: AuditWriter = async (actorId, action, targetUserId, details) => {
    const person = actorId && actorId !== 'system' ? await resolveActor(actorId) : null;
    await AuditEntry.create({
      at: clock.now(),
      actorId: actorId && actorId !== 'system' ? new Types.ObjectId(actorId) : null,
      actor: person,
      action,
      targetUserId: targetUserId ? new Types.ObjectId(targetUserId) : null,
      details,
    });
  };

  async function list(page: PageRequest): Promise<Page<AuditEntryDto>> {
    return cursorPage<AuditDoc, AuditEntryDto>(AuditEntry, {}, page, (r) => ({
      id: String(r._id),
      at: r.at.toISOString(),
      actorId: r.actorId ? String(r.actorId) : null,
      actor: r.actor ?? null,
      action: r.action,
      targetUserId: r.targetUserId ? String(r.targetUserId) : null,
      details: r.details,
    }));
  }

  /** identity registers the resolver once it exists (platform knows no module) */
  function setActorResolver(fn: AuditActorResolver) {
    resolveActor = fn;
  }

  return { audit, list, setActorResolver };
}
export type Audit = ReturnType<typeof createAudit>;

/**
 * Audits every 2xx answer of the personal-data routes (module descriptors' `personalData`) with the
 * reader named: PERSONAL_READ, or DATA_EXPORT when the answer is a file (xlsx, NDJSON). Runs after
 * the route; a failed audit write fails the request (no audit, no data). `routes` is keyed
 * `METHOD /full/routed/path`.
 */
export function personalDataAudit(
  audit: AuditWriter,
  routes: Map<string, { what: string; exportOnly?: boolean; when?: (body: unknown) => boolean }>,
  prefix: string,
): Middleware<{ user?: { userId: string } }> {
  return async (ctx, next) => {
    await next();
    if (ctx.status < 200 || ctx.status >= 300) return;
    const matched = (ctx as unknown as { _matchedRoute?: unknown })._matchedRoute;
    if (typeof matched !== 'string') return;
    const entry = routes.get(`${ctx.method} ${matched}`);
    if (!entry) return;
    const type = String(ctx.response.type ?? '');
    const isExport = /spreadsheetml|ndjson|octet-stream|csv/.test(type);
    if (entry.exportOnly && !isExport) return;
    if (entry.when && !entry.when(ctx.body)) return;
    const route = `${ctx.method} ${matched.startsWith(prefix) ? matched.slice(prefix.length) : matched}`;
    const items = (ctx.body as { items?: unknown } | undefined)?.items;
    await audit(ctx.state.user?.userId ?? null, isExport ? DATA_EXPORT : PERSONAL_READ, null, {
      what: entry.what,
      route,
      params: { ...(ctx as unknown as { params?: Record<string, string> }).params },
      ...(Array.isArray(items) ? { count: items.length } : {}),
    });
  };
}
