import mongoose, { Schema, Types } from 'mongoose';
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
  /** role.grant, role.revoke, and manager actions such as ban.lift, slot.close, rules.update */
  action: string;
  targetUserId: Types.ObjectId | null;
  details: Record<string, unknown>;
}

const AuditSchema = new Schema<AuditDoc>(
  {
    at: { type: Date, required: true },
    actorId: { type: Schema.Types.ObjectId, default: null },
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

export function createAudit(clock: Clock) {
  const audit: AuditWriter = async (actorId, action, targetUserId, details) => {
    await AuditEntry.create({
      at: clock.now(),
      actorId: actorId && actorId !== 'system' ? new Types.ObjectId(actorId) : null,
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
      action: r.action,
      targetUserId: r.targetUserId ? String(r.targetUserId) : null,
      details: r.details,
    }));
  }

  return { audit, list };
}
export type Audit = ReturnType<typeof createAudit>;
