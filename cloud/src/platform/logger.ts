import pino from 'pino';
import { maskIdCard, maskMobile } from '@citysport/shared';

const PERSONAL_KEYS = new Set(['phone', 'mobile', 'idNumber', 'idCard']);
const SECRET_KEYS = new Set(['session_key', 'sessionKey', 'authorization', 'token', 'js_code', 'secret', 'paySign', 'password']);

/** Masks personal data and hides secrets anywhere in a logged object. */
export function maskForLog(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskForLog(v, depth + 1));
  if (value instanceof Date || value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEYS.has(key)) out[key] = '[redacted]';
    else if (PERSONAL_KEYS.has(key) && typeof v === 'string') out[key] = key.startsWith('id') ? maskIdCard(v) : maskMobile(v);
    else out[key] = maskForLog(v, depth + 1);
  }
  return out;
}

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'citysport-cloud' },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
      hooks: {
        // every structured argument passes through the mask, whatever the call site remembered
        logMethod(args, method) {
          method.apply(this, args.map((a) => maskForLog(a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
