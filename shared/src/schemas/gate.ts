import { z } from 'zod';
import { IdSchema, text } from './common';
import { SportSchema } from './venues';
import { NonceSchema, OfflinePackSchema, VerificationResultSchema } from './tickets';

/** Gates and walk-up sales (API.md, "Gates and walk-up sales"). */
export const GATE_DIRECTIONS = ['in', 'out'] as const;
export const GateDirectionSchema = z.enum(GATE_DIRECTIONS);
export type GateDirection = z.infer<typeof GateDirectionSchema>;

export const NewDeviceSchema = z
  .object({
    name: text(40).refine((s) => s.length > 0, 'required'),
    gate: text(40).refine((s) => s.length > 0, 'required'),
    direction: GateDirectionSchema,
  })
  .strict();

/** 10 characters from an alphabet without look-alikes; shown once to the manager */
export const PairingCodeSchema = z.string().regex(/^[A-HJ-NP-Z2-9]{10}$/, 'not a pairing code');
/** the device's Ed25519 public key: standard base64 of the 32 raw bytes */
export const DevicePublicKeySchema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'not an Ed25519 public key');
export const PairRequestSchema = z.object({ pairingCode: PairingCodeSchema, publicKey: DevicePublicKeySchema }).strict();

export const DeviceVerifyRequestSchema = z.object({ code: z.string().max(400), nonce: NonceSchema }).strict();
export const GATE_DENY_REASONS = [
  'already_used',
  'not_for_this_venue',
  'not_yet_open',
  'expired',
  'revoked',
  'invalid',
  'full',
  'not_inside',
] as const;
export const GateDenyReasonSchema = z.enum(GATE_DENY_REASONS);
export type GateDenyReason = z.infer<typeof GateDenyReasonSchema>;
export const DeviceVerifyResponseSchema = z.object({
  result: z.enum(['open', 'deny']),
  reason: GateDenyReasonSchema.optional(),
  ticketId: IdSchema.nullable(),
});

export const HeartbeatSchema = z
  .object({
    pendingUploads: z.number().int().min(0).max(100_000),
    /** when the device lost the network, if it is working offline */
    offlineSince: z.iso.datetime({ offset: true }).nullable(),
  })
  .strict();

export const DeviceSyncSchema = z
  .object({
    scans: z
      .array(z.object({ code: z.string().max(400), nonce: NonceSchema, scannedAt: z.iso.datetime({ offset: true }) }).strict())
      .min(1)
      .max(500),
  })
  .strict();
export const DeviceSyncResponseSchema = z.object({
  items: z.array(
    z.object({
      nonce: z.string(),
      result: z.union([VerificationResultSchema, z.literal('exited'), z.literal('not_inside')]),
      duplicate: z.boolean(),
      ticketId: IdSchema.nullable(),
      firstUsedAt: z.string().nullable(),
    }),
  ),
  doubleAdmissions: z.number().int(),
});

export const DeviceOfflinePackSchema = OfflinePackSchema.extend({
  deviceId: IdSchema,
  direction: GateDirectionSchema,
  /** tickets already admitted today at this venue (by any gate or staff phone) */
  admitted: z.array(IdSchema),
});
export type DeviceOfflinePack = z.infer<typeof DeviceOfflinePackSchema>;

export const OccupancySchema = z.object({
  venueId: IdSchema,
  inside: z.number().int(),
  capacity: z.number().int().nullable(),
  updatedAt: z.string().nullable(),
});
export type Occupancy = z.infer<typeof OccupancySchema>;
export const OccupancyCapacitySchema = z.object({ capacity: z.number().int().min(1).max(100_000) }).strict();

export const GateDeviceSchema = z.object({
  id: IdSchema,
  venueId: IdSchema,
  name: z.string(),
  gate: z.string(),
  direction: GateDirectionSchema,
  status: z.enum(['pairing', 'active', 'revoked']),
  lastHeartbeatAt: z.string().nullable(),
  /** seconds since the device was last heard from (null before its first request) */
  offlineSeconds: z.number().int().nullable(),
  pendingUploads: z.number().int(),
  doubleAdmissions: z.number().int(),
});
export type GateDevice = z.infer<typeof GateDeviceSchema>;

/** a walk-up product of a venue: a ticket for now, e.g. 游泳 2 小时 */
export const WalkupProductSchema = z.object({
  id: IdSchema,
  venueId: IdSchema,
  name: z.string(),
  sport: SportSchema,
  durationMinutes: z.number().int(),
  priceFen: z.number().int(),
  /** places left today */
  remaining: z.number().int(),
});
export type WalkupProduct = z.infer<typeof WalkupProductSchema>;
export const NewWalkupProductSchema = z
  .object({
    name: text(40),
    sport: SportSchema,
    durationMinutes: z.number().int().min(15).max(720),
    priceFen: z.number().int().min(1).max(1_000_000),
    dailyCapacity: z.number().int().min(1).max(100_000),
  })
  .strict();
export const WalkupRequestSchema = z.object({ productId: IdSchema }).strict();
export const WalkupQuerySchema = z.object({ native: z.enum(['0', '1']).optional() }).strict();
