import mongoose, { Schema, type Types } from 'mongoose';
import type { Role } from '@citysport/shared';

export interface GrantDoc {
  role: Role;
  /** venue or club id for scoped roles; null for global ones */
  scope: string | null;
}

export interface UserDoc {
  _id: Types.ObjectId;
  openid: string;
  unionid?: string;
  nickname: string;
  grants: GrantDoc[];
  /** sealed with the field cipher */
  phoneSealed?: string;
  idNumberSealed?: string;
  sessionKeySealed?: string;
  createdAt: Date;
  lastLoginAt: Date;
}

const GrantSchema = new Schema<GrantDoc>(
  { role: { type: String, required: true }, scope: { type: String, default: null } },
  { _id: false },
);

const UserSchema = new Schema<UserDoc>(
  {
    openid: { type: String, required: true, unique: true },
    unionid: { type: String },
    nickname: { type: String, required: true },
    grants: { type: [GrantSchema], default: [] },
    phoneSealed: String,
    idNumberSealed: String,
    sessionKeySealed: String,
    createdAt: { type: Date, required: true },
    lastLoginAt: { type: Date, required: true },
  },
  { collection: 'users', versionKey: false },
);

export const User = mongoose.model<UserDoc>('User', UserSchema);

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
