import { z } from 'zod';
import { RoleSchema } from '../roles';
import { IdSchema, pageOf, text } from './common';

export const LoginRequestSchema = z.object({
  code: z.string().min(1).max(128),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const RoleGrantSchema = z.object({
  role: RoleSchema,
  /** venue id for staff / venue_manager, club id for club_admin; absent for global roles */
  scope: IdSchema.optional(),
});
export type RoleGrant = z.infer<typeof RoleGrantSchema>;

export const SessionUserSchema = z.object({
  id: IdSchema,
  roles: z.array(RoleSchema),
  grants: z.array(RoleGrantSchema),
});
export type SessionUser = z.infer<typeof SessionUserSchema>;

export const LoginResponseSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  user: SessionUserSchema,
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

export const MeSchema = z.object({
  id: IdSchema,
  nickname: z.string(),
  roles: z.array(RoleSchema),
  grants: z.array(RoleGrantSchema),
  /** masked: 138****5678 */
  phone: z.string().nullable(),
  /** masked: 320502********1234 */
  idNumber: z.string().nullable(),
  createdAt: z.string(),
});
export type Me = z.infer<typeof MeSchema>;
export const MeResponseSchema = z.object({ user: MeSchema });

export const AdminRoleChangeSchema = z
  .object({
    userId: IdSchema,
    role: RoleSchema,
    scope: IdSchema.optional(),
    reason: text(200).optional(),
  })
  .strict();
export type AdminRoleChange = z.infer<typeof AdminRoleChangeSchema>;

export const AdminRoleChangeResponseSchema = z.object({
  user: z.object({ id: IdSchema, roles: z.array(RoleSchema), grants: z.array(RoleGrantSchema) }),
  changed: z.boolean(),
});

export const AuditEntrySchema = z.object({
  id: IdSchema,
  at: z.string(),
  actorId: IdSchema.nullable(),
  /** the person who acted, by name (bureau accounts: name, unit, position; others: their nickname) */
  actor: z.object({ name: z.string(), unit: z.string().nullable(), position: z.string().nullable() }).nullable().optional(),
  action: z.string(),
  targetUserId: IdSchema.nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export const AuditPageSchema = pageOf(AuditEntrySchema);

export const HealthSchema = z.object({
  ok: z.boolean(),
  engine: z.object({ name: z.string(), version: z.string() }),
  uptimeSeconds: z.number(),
});
export type Health = z.infer<typeof HealthSchema>;
