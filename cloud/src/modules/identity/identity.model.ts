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
  /** the citizen's own choices (issue 15: 个性化推荐 on unless they turn it off); absent = defaults */
  preferences?: { personalisation?: boolean };
  /** a closed bureau account's end of sessions: tokens issued before it are refused (SESSION_ENDED) */
  sessionsEndedAt?: Date | null;
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
    preferences: { personalisation: { type: Boolean } },
    sessionsEndedAt: { type: Date, default: undefined },
    createdAt: { type: Date, required: true },
    lastLoginAt: { type: Date, required: true },
  },
  { collection: 'users', versionKey: false },
);

export const User = mongoose.model<UserDoc>('User', UserSchema);

// The audit log moved to platform/audit.ts (every module writes it the same way).
