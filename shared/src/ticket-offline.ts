import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { base64urlDecode, checkTicketTimes, decodeTicketCode, type TicketCodeFields } from './ticket-code';
import type { OfflinePack, VerificationResult } from './schemas/tickets';

// WeChat has no WebCrypto: the synchronous verify with a pure-JS SHA-512
ed.hashes.sha512 = sha512 as typeof ed.hashes.sha512;

export type OfflineResult = VerificationResult;

export interface OfflineCheck {
  result: OfflineResult;
  fields: TicketCodeFields | null;
}

/** the keys of the pack are standard base64 of the 32-byte raw public key */
function base64Decode(text: string): Uint8Array | null {
  return base64urlDecode(text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
}

function ascii(text: string): Uint8Array {
  return new Uint8Array(Array.from(text, (ch) => ch.charCodeAt(0) & 0xff));
}

/**
 * What the gate decides without the network: a signature from one of the pack's keys, this venue,
 * not revoked, the time checks of the shared code, and not admitted already on this device.
 */
export function checkOffline(code: string, pack: OfflinePack, usedTicketIds: ReadonlySet<string>, now: Date): OfflineCheck {
  const decoded = decodeTicketCode(code.trim());
  if (!decoded) return { result: 'invalid', fields: null };
  const { fields, signed, signature } = decoded;
  const key = pack.keys.find((k) => k.kid === fields.kid);
  const publicKey = key ? base64Decode(key.publicKey) : null;
  if (!publicKey || publicKey.length !== 32) return { result: 'invalid', fields: null };
  let ok = false;
  try {
    ok = ed.verify(signature, ascii(signed), publicKey);
  } catch {
    ok = false;
  }
  if (!ok) return { result: 'invalid', fields: null };
  if (fields.venueId !== pack.venueId) return { result: 'not_for_this_venue', fields };
  if (pack.revoked.includes(fields.ticketId)) return { result: 'revoked', fields };
  const times = checkTicketTimes(fields, now);
  if (times !== 'ok') return { result: times, fields };
  if (usedTicketIds.has(fields.ticketId)) return { result: 'already_used', fields };
  return { result: 'admitted', fields };
}
