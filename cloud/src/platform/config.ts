import path from 'node:path';
import { z } from 'zod';

const REPO_ROOT = path.resolve(__dirname, '../../..');

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
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
    /** true while the stand-ins play WeChat: the h5 build then offers the demo accounts. */
    WECHAT_MOCK: bool.default(true),
    WECHAT_TIMEOUT_MS: z.coerce.number().int().min(100).max(30000).default(5000),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(kb|mb)$/)
      .default('64kb'),
    LOGIN_RATE_PER_IP_PER_MIN: z.coerce.number().int().min(1).default(60),
    USER_RATE_PER_MIN: z.coerce.number().int().min(1).default(600),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV !== 'production') return;
    for (const key of ['JWT_SECRET', 'PSEUDONYM_SECRET', 'DATA_KEY', 'MONGODB_URI'] as const) {
      if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production' });
    }
    if (c.WECHAT_MOCK) ctx.addIssue({ code: 'custom', path: ['WECHAT_MOCK'], message: 'must be false in production' });
  })
  .transform((c) => ({
    ...c,
    // Development and test only (production requires real values above).
    JWT_SECRET: c.JWT_SECRET ?? 'citysport-development-only-jwt-secret-0000',
    PSEUDONYM_SECRET: c.PSEUDONYM_SECRET ?? 'citysport-development-only-pseudonym-key',
    DATA_KEY: c.DATA_KEY ?? 'citysport-development-only-field-data-key',
  }));

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Reads the environment once at boot; a bad variable stops the process with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
