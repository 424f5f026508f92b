/**
 * The production start path (issue 18, deployment): `npm run start:prod` against the test engine
 * serves /api/v1/health with every secret from the environment, and refuses to start with a
 * missing secret, a development secret, the development flag, or no MONGODB_URI.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateKeyMaterial } from '../../mock/src/wechatpay/keys';

const ROOT = path.resolve(__dirname, '../..');
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citysport-prod-keys-'));
const keys = loadOrCreateKeyMaterial(keyDir, { appid: 'wx-prod-test', mchid: '1900000109' });
const secret = () => randomBytes(24).toString('base64url'); // 32 characters

function productionEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    MONGODB_URI: process.env.TEST_MONGODB_URI!,
    DB_NAME: `t_prod_${randomBytes(4).toString('hex')}`,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    JWT_SECRET: secret(),
    PSEUDONYM_SECRET: secret(),
    DATA_KEY: secret(),
    TICKET_KEY_SEEDS: secret(),
    WECHAT_APPID: 'wx-prod-test',
    WECHAT_SECRET: 'prod-test-secret',
    WECHAT_MOCK: 'false',
    WECHATPAY_APIV3_KEY: keys.apiV3Key,
    WECHATPAY_MERCHANT_SERIAL: keys.merchant.serialNo,
    WECHATPAY_MERCHANT_KEY_FILE: path.join(keyDir, 'apiclient_key.pem'),
    WECHATPAY_MERCHANT_CERT_FILE: path.join(keyDir, 'apiclient_cert.pem'),
    WECHATPAY_PUBLIC_KEY_ID: keys.publicKeyMode.keyId,
    WECHATPAY_PUBLIC_KEY_FILE: path.join(keyDir, 'pub_key.pem'),
    PUBLIC_API_BASE: 'https://api.citysport.example.cn/api/v1',
  };
}

interface Run {
  output: () => string;
  exited: Promise<number | null>;
  stop: () => void;
}

/** `npm run start:prod` in its own process group (so the stop reaches tsx and node under npm). */
function startProduction(env: Record<string, string>): Run {
  const child = spawn('npm', ['run', '--silent', 'start:prod'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => out,
    exited,
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* gone already */
      }
    },
  };
}

async function listeningUrl(run: Run, ms = 90_000): Promise<string> {
  const end = Date.now() + ms;
  let done = false;
  void run.exited.then(() => (done = true));
  while (Date.now() < end && !done) {
    const m = /listening on (http:\/\/[0-9.]+:\d+)\/api\/v1/.exec(run.output());
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the production server did not start:\n${run.output()}`);
}

afterAll(() => fs.rmSync(keyDir, { recursive: true, force: true }));

test('serves with every secret from the environment (NODE_ENV=production, external engine)', async () => {
  const run = startProduction(productionEnv());
  try {
    const url = await listeningUrl(run);
    const health = await fetch(`${url}/api/v1/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { ok: boolean; engine: { name: string } };
    expect(body.ok).toBe(true);
    expect(body.engine.name).toBe('MongoDB (MONGODB_URI)');
    // production answers: no demo login, no stand-ins
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'mock:someone' }),
    });
    expect(login.status).toBeGreaterThanOrEqual(400);
    expect(login.status).toBeLessThan(600);
  } finally {
    run.stop();
    await run.exited;
  }
}, 120_000);

const refusals: [string, (env: Record<string, string>) => void, RegExp][] = [
  ['a missing JWT secret', (env) => delete env.JWT_SECRET, /JWT_SECRET: is required in production/],
  ['a missing MONGODB_URI', (env) => delete env.MONGODB_URI, /MONGODB_URI: is required in production/],
  [
    'the built-in development JWT secret',
    (env) => (env.JWT_SECRET = 'citysport-development-only-jwt-secret-0000'),
    /JWT_SECRET: is a development secret/,
  ],
  [
    'a development ticket key among the seeds',
    (env) => (env.TICKET_KEY_SEEDS = `${secret()},citysport-development-only-ticket-signing-seed`),
    /TICKET_KEY_SEEDS: is a development secret/,
  ],
  ['the development flag', (env) => (env.CITYSPORT_DEV_SECRETS = 'allow'), /CITYSPORT_DEV_SECRETS: must not be set in production/],
];

test.each(refusals)(
  'refuses to start with %s',
  async (_name, change, message) => {
    const env = productionEnv();
    change(env);
    const run = startProduction(env);
    try {
      const code = await run.exited;
      expect(code).not.toBe(0);
      expect(run.output()).toMatch(message);
      expect(run.output()).not.toMatch(/listening on/);
    } finally {
      run.stop();
    }
  },
  120_000,
);
