/**
 * The QR payload of a ticket, shared by the cloud (signs, verifies) and the staff page (verifies
 * offline): `CS1.<payload>.<signature>`, both base64url. The Ed25519 signature covers the ASCII of
 * `CS1.<payload>`. Payload, 40 bytes big-endian:
 *   kid (4) · ticket id (12) · venue id (12) · time step (4, epoch seconds / 30) ·
 *   valid from (4, epoch minutes) · valid to (4, epoch minutes)
 * A new step every 30 s makes the code shown change; only the server key can make one.
 */
export const TICKET_CODE_PREFIX = 'CS1';
export const TICKET_STEP_SECONDS = 30;
/** how many steps old a code may be (a slow network at the gate), 90 s in all */
export const TICKET_ACCEPT_STEPS = 2;
/** the gate opens this many minutes before the start */
export const TICKET_OPENS_MINUTES_BEFORE = 30;

export interface TicketCodeFields {
  kid: string; // 8 hex
  ticketId: string; // 24 hex
  venueId: string; // 24 hex
  step: number;
  validFromMin: number;
  validToMin: number;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    if (i + 1 < bytes.length) out += B64[(n >> 6) & 63];
    if (i + 2 < bytes.length) out += B64[n & 63];
  }
  return out;
}

export function base64urlDecode(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text) {
    buffer = (buffer << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (h: string) => new Uint8Array(h.match(/../g)!.map((x) => parseInt(x, 16)));

export function encodeTicketPayload(f: TicketCodeFields): string {
  const bytes = new Uint8Array(40);
  bytes.set(unhex(f.kid), 0);
  bytes.set(unhex(f.ticketId), 4);
  bytes.set(unhex(f.venueId), 16);
  const view = new DataView(bytes.buffer);
  view.setUint32(28, f.step);
  view.setUint32(32, f.validFromMin);
  view.setUint32(36, f.validToMin);
  return `${TICKET_CODE_PREFIX}.${base64urlEncode(bytes)}`;
}

/** Splits and decodes a code; null when it is not one of ours (nothing is trusted before the signature). */
export function decodeTicketCode(code: string): { fields: TicketCodeFields; signed: string; signature: Uint8Array } | null {
  const parts = code.split('.');
  if (parts.length !== 3 || parts[0] !== TICKET_CODE_PREFIX) return null;
  const payload = base64urlDecode(parts[1]);
  const signature = base64urlDecode(parts[2]);
  if (!payload || payload.length !== 40 || !signature || signature.length !== 64) return null;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return {
    fields: {
      kid: hex(payload.subarray(0, 4)),
      ticketId: hex(payload.subarray(4, 16)),
      venueId: hex(payload.subarray(16, 28)),
      step: view.getUint32(28),
      validFromMin: view.getUint32(32),
      validToMin: view.getUint32(36),
    },
    signed: `${parts[0]}.${parts[1]}`,
    signature,
  };
}

export type TicketCheck = 'ok' | 'expired' | 'not_yet_open';

/** The time checks a gate makes once the signature holds (online and offline alike). */
export function checkTicketTimes(f: TicketCodeFields, now: Date): TicketCheck {
  const step = Math.floor(now.getTime() / 1000 / TICKET_STEP_SECONDS);
  if (f.step > step + 1 || f.step < step - TICKET_ACCEPT_STEPS) return 'expired';
  const minute = now.getTime() / 60_000;
  if (minute > f.validToMin) return 'expired';
  if (minute < f.validFromMin) return 'not_yet_open';
  return 'ok';
}
