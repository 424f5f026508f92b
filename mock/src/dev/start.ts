/**
 * `npm start`: embedded database, WeChat stand-ins, cloud API (demo data seeded on an empty
 * database) and the h5 preview of the mini-program. Ctrl-C stops all of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startServer, withDevSecretsAllowed } from '@citysport/cloud';
import { startMockWechat } from '../wechat/server';
import { loadOrCreateKeyMaterial } from '../wechatpay/keys';
import { isDatabaseEmpty, seedDemoData } from '../seed/seed';
import { h5BuildIsStale, startH5Preview } from './h5-preview';

const ROOT = path.resolve(__dirname, '../../..');

async function main() {
  // npm start is a development run: the built-in secrets and the WeChat stand-ins are allowed
  const env = withDevSecretsAllowed({ ...process.env });
  const mockPort = Number(env.MOCK_WECHAT_PORT ?? 3100);
  const h5Port = Number(env.H5_PORT ?? 10086);
  const useMock = env.WECHAT_MOCK !== 'false';
  const stops: (() => Promise<void>)[] = [];
  let h5Build: ChildProcess | undefined;

  const shutdown = async (code = 0) => {
    console.log('\n[start] stopping …');
    h5Build?.kill('SIGTERM');
    for (const stop of stops.reverse()) await stop().catch((e) => console.error(e));
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    if (useMock) {
      const appid = env.WECHAT_APPID ?? 'wx-citysport-dev';
      const secret = env.WECHAT_SECRET ?? 'dev-secret';
      // dev merchant keys for the WeChat Pay stand-in, made once and kept under .data/wechatpay
      const keyDir = path.join(env.DATA_DIR ?? path.join(ROOT, '.data'), 'wechatpay');
      const mchid = env.WECHATPAY_MCHID ?? '1900000109';
      const keys = loadOrCreateKeyMaterial(keyDir, { appid, mchid });
      const signMode = env.WECHATPAY_SIGN_MODE === 'platform_certificate' ? 'platform_certificate' : 'public_key';
      const mock = await startMockWechat({
        appid,
        secret,
        port: mockPort,
        wechatPay: { keys, signMode },
        dataCentreSecret: env.DATA_CENTRE_SECRET,
        // msgSecCheck stand-in: comma-separated words it flags (default: DEFAULT_SECCHECK_WORDS)
        secCheckWords: env.MOCK_SECCHECK_WORDS?.split(',').filter(Boolean),
      });
      stops.push(mock.stop);
      env.WECHAT_API_BASE ??= mock.url;
      env.DATA_CENTRE_URL ??= `${mock.url}/mock/datacentre/ingest`; // the data-centre stand-in (issue 17)
      env.WECHATPAY_API_BASE ??= mock.url;
      env.WECHATPAY_MCHID = mchid;
      env.WECHATPAY_APIV3_KEY ??= keys.apiV3Key;
      env.WECHATPAY_MERCHANT_SERIAL ??= keys.merchant.serialNo;
      env.WECHATPAY_MERCHANT_KEY_FILE ??= path.join(keyDir, 'apiclient_key.pem');
      env.WECHATPAY_MERCHANT_CERT_FILE ??= path.join(keyDir, 'apiclient_cert.pem');
      if (signMode === 'public_key') {
        env.WECHATPAY_PUBLIC_KEY_ID ??= keys.publicKeyMode.keyId;
        env.WECHATPAY_PUBLIC_KEY_FILE ??= path.join(keyDir, 'pub_key.pem');
      }
      console.log(`[start] WeChat stand-ins  ${mock.url} (login, subscribe messages, WeChat Pay v3 in ${signMode} mode)`);
    }

    const server = await startServer(env, { persistent: true });
    stops.push(server.stop);
    console.log(`[start] database engine   ${server.engine.name}`);
    console.log(`[start] cloud API         ${server.url}/api/v1  (health: ${server.url}/api/v1/health)`);

    if (await isDatabaseEmpty()) {
      console.log('[start] empty database: loading demo data …');
      await seedDemoData(server.cloud.services, (m) => console.log(`[start] ${m}`));
    }

    const preview = await startH5Preview({ apiUrl: server.url, port: h5Port, mockUrl: useMock ? env.WECHAT_API_BASE : undefined });
    stops.push(preview.stop);
    if (!process.argv.includes('--no-h5-build') && (h5BuildIsStale() || process.argv.includes('--rebuild-h5'))) {
      console.log('[start] building the h5 mini-program (about 30 s) …');
      h5Build = spawn('npm', ['run', 'build:h5', '-w', 'miniapp', '--silent'], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: process.env,
      });
      h5Build.once('exit', (code) => {
        h5Build = undefined;
        console.log(code === 0 ? `[start] h5 build ready` : `[start] h5 build failed (exit ${code}); see the errors above`);
      });
    }
    console.log(`[start] h5 preview        ${preview.url}/`);
    console.log('[start] ready — press Ctrl-C to stop');
  } catch (err) {
    console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
    await shutdown(1);
  }
}

void main();
