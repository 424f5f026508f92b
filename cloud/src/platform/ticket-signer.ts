import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { base64urlEncode, decodeTicketCode, encodeTicketPayload, type TicketCodeFields } from '@citysport/shared';

// PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  rawPublicKey: Buffer;
}

/**
 * Ed25519 ticket signatures (node:crypto). Keys come from secret seeds, newest first: the first
 * signs, all verify, so a key is rotated by putting a new seed in front and dropping the old one
 * once the tickets it signed have ended.
 */
export function createTicketSigner(seeds: string[]) {
  const keys: SigningKey[] = seeds.map((seed) => {
    const raw = createHash('sha256').update(`citysport-ticket-key:${seed}`).digest();
    const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey(privateKey);
    const rawPublicKey = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const kid = createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 8);
    return { kid, privateKey, publicKey, rawPublicKey };
  });
  const byKid = new Map(keys.map((k) => [k.kid, k]));

  return {
    sign(fields: Omit<TicketCodeFields, 'kid'>): string {
      const key = keys[0];
      const signed = encodeTicketPayload({ ...fields, kid: key.kid });
      const signature = sign(null, Buffer.from(signed, 'ascii'), key.privateKey);
      return `${signed}.${base64urlEncode(signature)}`;
    },
    /** the fields of a code whose signature holds under one of our keys, else null */
    verify(code: string): TicketCodeFields | null {
      const decoded = decodeTicketCode(code);
      if (!decoded) return null;
      const key = byKid.get(decoded.fields.kid);
      if (!key) return null;
      const ok = verify(null, Buffer.from(decoded.signed, 'ascii'), key.publicKey, Buffer.from(decoded.signature));
      return ok ? decoded.fields : null;
    },
    publicKeys() {
      return keys.map((k) => ({ kid: k.kid, publicKey: k.rawPublicKey.toString('base64') }));
    },
  };
}
export type TicketSigner = ReturnType<typeof createTicketSigner>;
