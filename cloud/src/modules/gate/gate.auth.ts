import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Middleware, ParameterizedContext } from 'koa';
import { DEVICE_CLOCK_SKEW_MS, DEVICE_HEADERS, IdSchema, NonceSchema, deviceSigningString } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import type { Clock } from '../../platform/clock';
import { GateDevice, GateNonce, type GateDeviceDoc } from './gate.model';

// SPKI DER header of an Ed25519 public key; the 32 raw bytes follow
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function publicKeyFromRaw(base64: string): KeyObject {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) throw new AppError('VALIDATION_FAILED', 'an Ed25519 public key has 32 bytes');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export interface DeviceState {
  device?: GateDeviceDoc;
  deviceNonce?: string;
}
type Ctx = ParameterizedContext<DeviceState>;

const refuse = (why: string) => new AppError('DEVICE_UNAUTHENTICATED', why);

/**
 * A signed device request (shared/src/gate-signing.ts): the device is looked up on every request,
 * so a revoked one is refused at once; the signature must hold under that device's own key; the
 * timestamp must be recent. Nothing is written here: the nonce is claimed by `claimNonce` after the
 * route has validated its input (a refused request writes nothing).
 */
export function deviceAuth(clock: Clock): Middleware<DeviceState> {
  return async (ctx, next) => {
    const id = ctx.get(DEVICE_HEADERS.id);
    const timestamp = ctx.get(DEVICE_HEADERS.timestamp);
    const nonce = ctx.get(DEVICE_HEADERS.nonce);
    const signature = ctx.get(DEVICE_HEADERS.signature);
    if (!IdSchema.safeParse(id).success) throw refuse('X-Device-Id missing or malformed');
    if (!/^\d{13}$/.test(timestamp)) throw refuse('X-Device-Timestamp must be epoch milliseconds');
    if (!NonceSchema.safeParse(nonce).success) throw refuse('X-Device-Nonce missing or malformed');
    if (!/^[A-Za-z0-9+/]{86}==$/.test(signature)) throw refuse('X-Device-Signature missing or malformed');
    const device = await GateDevice.findById(id).lean<GateDeviceDoc>();
    if (!device) throw refuse('unknown device');
    if (device.status === 'revoked') throw new AppError('DEVICE_REVOKED', 'this device was revoked');
    if (device.status !== 'active' || !device.publicKey) throw refuse('device not paired');
    if (Math.abs(clock.now().getTime() - Number(timestamp)) > DEVICE_CLOCK_SKEW_MS) throw refuse('timestamp outside the allowed window');
    const raw = (ctx.request as unknown as { rawBody?: string }).rawBody ?? '';
    const bodyHash = createHash('sha256').update(raw, 'utf8').digest('hex');
    const signed = deviceSigningString(ctx.method, ctx.originalUrl, bodyHash, timestamp, nonce);
    const ok = verify(null, Buffer.from(signed, 'utf8'), publicKeyFromRaw(device.publicKey), Buffer.from(signature, 'base64'));
    if (!ok) throw refuse('signature does not hold under this device key');
    ctx.state.device = device;
    ctx.state.deviceNonce = nonce;
    await next();
  };
}

/** The request's nonce, once: a replay of a signed request (same device, same nonce) is refused. */
export async function claimNonce(ctx: Ctx, clock: Clock): Promise<GateDeviceDoc> {
  const device = ctx.state.device!;
  try {
    await GateNonce.create({
      _id: `${device._id}:${ctx.state.deviceNonce}`,
      expiresAt: new Date(clock.now().getTime() + 2 * DEVICE_CLOCK_SKEW_MS + 60_000),
    });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new AppError('DEVICE_REPLAYED', 'this signed request was seen before');
    throw err;
  }
  return device;
}
