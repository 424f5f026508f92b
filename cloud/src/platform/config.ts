import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SubscribeTemplateSchema } from '@citysport/shared';
import type { WechatPayCredentials } from './wechatpay';

const REPO_ROOT = path.resolve(__dirname, '../../..');

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * The explicit "this is a development or test run" switch: only with `CITYSPORT_DEV_SECRETS=allow`
 * may the built-in development secrets stand in for unset ones (`npm start`, the tests and the
 * benches set it). Without it a missing secret stops the process, whatever NODE_ENV says.
 */
export const DEV_SECRETS_FLAG = 'CITYSPORT_DEV_SECRETS';
const SECRETS_WITH_DEV_DEFAULTS = ['JWT_SECRET', 'PSEUDONYM_SECRET', 'DATA_KEY', 'TICKET_KEY_SEEDS'] as const;

/** The built-in development values (and anything carrying their marker) are never production secrets. */
const DEV_SECRET_MARKER = 'development-only';
const isDevelopmentSecret = (value: string) => value.split(',').some((part) => part.includes(DEV_SECRET_MARKER));

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    [DEV_SECRETS_FLAG]: z.literal('allow', { message: "must be 'allow' or unset" }).optional(),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Unset: an embedded engine is started (ARCHITECTURE.md, "Database engine"). */
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
    DB_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,63}$/)
      .default('citysport'),
    DATA_DIR: z.string().default(path.join(REPO_ROOT, '.data')),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(30 * 24 * 3600)
      .default(7 * 24 * 3600),
    /** Key for the HMAC pseudonyms that stand for users in data-centre events. */
    PSEUDONYM_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Key for personal fields stored encrypted (phone, ID number, session_key). */
    DATA_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    WECHAT_APPID: z.string().min(1).default('wx-citysport-dev'),
    WECHAT_SECRET: z.string().min(1).default('dev-secret'),
    /** Base of WeChat's API; the stand-in in mock/ by default. */
    WECHAT_API_BASE: z.string().url().default('http://127.0.0.1:3100'),
    /** true while the stand-ins play WeChat (default: on only in a run with CITYSPORT_DEV_SECRETS=allow). */
    WECHAT_MOCK: bool.optional(),
    WECHAT_TIMEOUT_MS: z.coerce.number().int().min(100).max(30000).default(5000),
    /**
     * Our subscribe-template names → this mini-program's WeChat template ids, as JSON
     * ({"booking_reminder":"AbC…", …}). Unset: the names themselves under the stand-ins; in
     * production a template left out is neither asked for nor sent.
     */
    WECHAT_SUBSCRIBE_TEMPLATES: z
      .string()
      .max(10_000)
      .optional()
      .transform((v, ctx) => {
        if (!v) return undefined;
        try {
          return JSON.parse(v) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object of template name → WeChat template id' });
          return z.NEVER;
        }
      })
      .pipe(z.partialRecord(SubscribeTemplateSchema, z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)).optional()),
    /** how long a review waits for WeChat's msgSecCheck before it goes to moderation (fail closed) */
    WECHAT_SECCHECK_TIMEOUT_MS: z.coerce.number().int().min(50).max(30000).default(3000),
    /** WeChat Pay merchant (API v3). Without the key files paid bookings and refunds are refused. */
    WECHATPAY_MCHID: z
      .string()
      .regex(/^\d{6,20}$/)
      .default('1900000109'),
    WECHATPAY_API_BASE: z.string().url().default('http://127.0.0.1:3100'),
    WECHATPAY_APIV3_KEY: z.string().length(32, 'must be exactly 32 characters').optional(),
    WECHATPAY_MERCHANT_SERIAL: z
      .string()
      .regex(/^[0-9A-Fa-f]{8,64}$/)
      .optional(),
    WECHATPAY_MERCHANT_KEY_FILE: z.string().optional(),
    WECHATPAY_MERCHANT_CERT_FILE: z.string().optional(),
    /** WeChat-Pay public-key mode (merchants created since 2024): PUB_KEY_ID_… and the key file */
    WECHATPAY_PUBLIC_KEY_ID: z
      .string()
      .regex(/^PUB_KEY_ID_\w+$/)
      .optional(),
    WECHATPAY_PUBLIC_KEY_FILE: z.string().optional(),
    WECHATPAY_TIMEOUT_MS: z.coerce.number().int().min(500).max(30000).default(8000),
    /** this API as WeChat reaches it, for notify_url (default http://HOST:PORT/api/v1) */
    PUBLIC_API_BASE: z.string().url().optional(),
    /** Ed25519 ticket signing seeds, comma-separated, newest first (the first signs, all verify) */
    TICKET_KEY_SEEDS: z
      .string()
      .refine((v) => v.split(',').every((x) => x.trim().length >= 32), 'each seed must be at least 32 characters')
      .optional(),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(kb|mb)$/)
      .default('64kb'),
    LOGIN_RATE_PER_IP_PER_MIN: z.coerce.number().int().min(1).default(60),
    USER_RATE_PER_MIN: z.coerce.number().int().min(1).default(600),
    /** how long an instance reuses an open event and its groups for registrations (issue 11; 0 = read every time) */
    EVENT_OPEN_CACHE_MS: z.coerce.number().int().min(0).max(600000).default(1000),
    // data-centre feed (issue 17): unset URL = events wait in the outbox (and the NDJSON export)
    DATA_CENTRE_URL: z.string().url().optional(),
    /** HMAC-SHA256 key of X-CitySport-Signature (required in production when DATA_CENTRE_URL is set) */
    DATA_CENTRE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    DATA_CENTRE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120000).default(10000),
    DATA_CENTRE_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
    /** refusals of one event by the receiver before it is quarantined */
    DATA_CENTRE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
    /** pseudonym key epoch (rotate PSEUDONYM_SECRET together with it) */
    PSEUDONYM_EPOCH: z.coerce.number().int().min(0).max(9999).default(0),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV !== 'production') {
      if (c[DEV_SECRETS_FLAG] === 'allow') return;
      for (const key of SECRETS_WITH_DEV_DEFAULTS) {
        if (!c[key])
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `is required (or set ${DEV_SECRETS_FLAG}=allow to use the built-in development value)`,
          });
      }
      return;
    }
    if (c[DEV_SECRETS_FLAG]) ctx.addIssue({ code: 'custom', path: [DEV_SECRETS_FLAG], message: 'must not be set in production' });
    for (const key of [...SECRETS_WITH_DEV_DEFAULTS, 'MONGODB_URI'] as const) {
      if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production' });
    }
    // a development secret copied into a production environment is refused like a missing one
    for (const key of SECRETS_WITH_DEV_DEFAULTS) {
      if (c[key] && isDevelopmentSecret(c[key])) ctx.addIssue({ code: 'custom', path: [key], message: 'is a development secret' });
    }
    if (c.DATA_CENTRE_URL && !c.DATA_CENTRE_SECRET)
      ctx.addIssue({ code: 'custom', path: ['DATA_CENTRE_SECRET'], message: 'is required in production when DATA_CENTRE_URL is set' });
    if (c.WECHAT_MOCK) ctx.addIssue({ code: 'custom', path: ['WECHAT_MOCK'], message: 'must be false in production' });
    for (const key of [
      'WECHATPAY_APIV3_KEY',
      'WECHATPAY_MERCHANT_SERIAL',
      'WECHATPAY_MERCHANT_KEY_FILE',
      'WECHATPAY_MERCHANT_CERT_FILE',
      'PUBLIC_API_BASE',
    ] as const) {
      if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production' });
    }
  })
  .transform((c) => ({
    ...c,
    WECHAT_MOCK: c.WECHAT_MOCK ?? c[DEV_SECRETS_FLAG] === 'allow',
    // Only reached with CITYSPORT_DEV_SECRETS=allow (checked above).
    JWT_SECRET: c.JWT_SECRET ?? 'citysport-development-only-jwt-secret-0000',
    PSEUDONYM_SECRET: c.PSEUDONYM_SECRET ?? 'citysport-development-only-pseudonym-key',
    DATA_KEY: c.DATA_KEY ?? 'citysport-development-only-field-data-key',
    TICKET_KEY_SEEDS: (c.TICKET_KEY_SEEDS ?? 'citysport-development-only-ticket-signing-seed').split(',').map((x) => x.trim()),
    DATA_CENTRE_SECRET: c.DATA_CENTRE_SECRET ?? 'citysport-development-only-datacentre-key',
    PUBLIC_API_BASE: c.PUBLIC_API_BASE ?? `http://${c.HOST}:${c.PORT}/api/v1`,
  }));

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** The merchant's credentials from the configured files, or null when none are configured. */
export function wechatPayCredentialsFrom(c: Config): WechatPayCredentials | null {
  if (!c.WECHATPAY_MERCHANT_KEY_FILE || !c.WECHATPAY_MERCHANT_CERT_FILE || !c.WECHATPAY_APIV3_KEY || !c.WECHATPAY_MERCHANT_SERIAL)
    return null;
  const read = (file: string, name: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      throw new ConfigError(`Invalid configuration:\n  ${name}: cannot read ${file}`);
    }
  };
  return {
    appid: c.WECHAT_APPID,
    mchid: c.WECHATPAY_MCHID,
    apiV3Key: c.WECHATPAY_APIV3_KEY,
    merchantSerialNo: c.WECHATPAY_MERCHANT_SERIAL,
    merchantPrivateKeyPem: read(c.WECHATPAY_MERCHANT_KEY_FILE, 'WECHATPAY_MERCHANT_KEY_FILE'),
    merchantCertPem: read(c.WECHATPAY_MERCHANT_CERT_FILE, 'WECHATPAY_MERCHANT_CERT_FILE'),
    ...(c.WECHATPAY_PUBLIC_KEY_ID && c.WECHATPAY_PUBLIC_KEY_FILE
      ? { publicKey: { keyId: c.WECHATPAY_PUBLIC_KEY_ID, pem: read(c.WECHATPAY_PUBLIC_KEY_FILE, 'WECHATPAY_PUBLIC_KEY_FILE') } }
      : {}),
  };
}

/** For development tools (npm start, seed, engine prepare, benches): the environment with the development flag, except in production. */
export function withDevSecretsAllowed(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.NODE_ENV === 'production' ? env : { [DEV_SECRETS_FLAG]: 'allow', ...env };
}

/** Reads the environment once at boot; a bad variable stops the process with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
