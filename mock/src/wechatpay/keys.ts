import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

/**
 * Key material of one WeChat Pay merchant and of the stand-in playing WeChat Pay: real RSA 2048
 * keys and self-signed X.509 certificates (dev/test only, never real credentials).
 */
export interface WechatPayKeyMaterial {
  appid: string;
  mchid: string;
  /** the APIv3 key: exactly 32 ASCII characters, the AES-256-GCM key of notifications and certificates */
  apiV3Key: string;
  /** the merchant's API certificate (apiclient_cert.pem) and its key (apiclient_key.pem) */
  merchant: { serialNo: string; privateKeyPem: string; certPem: string };
  /** the WeChat Pay platform certificate (platform-certificate mode) */
  platform: { serialNo: string; privateKeyPem: string; certPem: string };
  /** WeChat-Pay public-key mode: the key WeChat signs with and its id (sent as Wechatpay-Serial) */
  publicKeyMode: { keyId: string; privateKeyPem: string; publicKeyPem: string };
}

const CERT_YEARS = 5;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlnum(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

/** 20 bytes of upper-case hex as WeChat prints certificate serials; positive and without a leading zero byte. */
function certificateSerial(): string {
  const b = randomBytes(20);
  b[0] = (b[0] & 0x7f) | 0x10;
  return b.toString('hex').toUpperCase();
}

function rsaKeyPair() {
  // node's native generator (milliseconds) rather than forge's pure-JS one (seconds)
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function selfSignedCertificate(
  keys: { privateKeyPem: string; publicKeyPem: string },
  serialNo: string,
  subject: forge.pki.CertificateField[],
): string {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = serialNo;
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  const notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + CERT_YEARS * 365 * 24 * 3600 * 1000);
  cert.setSubject(subject);
  cert.setIssuer([
    { shortName: 'C', value: 'CN' },
    { shortName: 'O', value: 'Tenpay.com' },
    { shortName: 'OU', value: 'Tenpay.com CA Center' },
    { shortName: 'CN', value: 'Tenpay.com Root CA (stand-in)' },
  ]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, keyEncipherment: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** A key id shaped like WeChat's: PUB_KEY_ID_ followed by 28 digits. */
function publicKeyId(mchid: string): string {
  const digits = `01${mchid.replace(/\D/g, '')}`.slice(0, 14).padEnd(14, '0');
  let tail = '';
  for (let i = 0; i < 14; i++) tail += String(randomInt(10));
  return `PUB_KEY_ID_${digits}${tail}`;
}

export function generateKeyMaterial(opts: { appid: string; mchid: string }): WechatPayKeyMaterial {
  const merchantKeys = rsaKeyPair();
  const platformKeys = rsaKeyPair();
  const pubKeys = rsaKeyPair();
  const merchantSerial = certificateSerial();
  const platformSerial = certificateSerial();
  return {
    appid: opts.appid,
    mchid: opts.mchid,
    apiV3Key: randomAlnum(32),
    merchant: {
      serialNo: merchantSerial,
      privateKeyPem: merchantKeys.privateKeyPem,
      certPem: selfSignedCertificate(merchantKeys, merchantSerial, [
        { shortName: 'C', value: 'CN' },
        { shortName: 'O', value: 'WeChat Pay merchant (stand-in)' },
        { shortName: 'OU', value: 'CitySport' },
        { shortName: 'CN', value: opts.mchid },
      ]),
    },
    platform: {
      serialNo: platformSerial,
      privateKeyPem: platformKeys.privateKeyPem,
      certPem: selfSignedCertificate(platformKeys, platformSerial, [
        { shortName: 'C', value: 'CN' },
        { shortName: 'O', value: 'Tenpay.com' },
        { shortName: 'OU', value: 'Tenpay.com CA Center' },
        { shortName: 'CN', value: 'Tenpay.com sign (stand-in)' },
      ]),
    },
    publicKeyMode: { keyId: publicKeyId(opts.mchid), privateKeyPem: pubKeys.privateKeyPem, publicKeyPem: pubKeys.publicKeyPem },
  };
}

const FILES = {
  meta: 'wechatpay.json',
  merchantKey: 'apiclient_key.pem',
  merchantCert: 'apiclient_cert.pem',
  platformKey: 'platform_key.pem',
  platformCert: 'platform_cert.pem',
  pubKeyPrivate: 'pub_key_private.pem',
  pubKey: 'pub_key.pem',
} as const;

interface MetaFile {
  appid: string;
  mchid: string;
  apiV3Key: string;
  merchantSerialNo: string;
  platformSerialNo: string;
  publicKeyId: string;
}

function readIfComplete(dir: string, opts: { appid: string; mchid: string }): WechatPayKeyMaterial | undefined {
  const file = (name: string) => path.join(dir, name);
  if (!Object.values(FILES).every((f) => fs.existsSync(file(f)))) return undefined;
  try {
    const meta = JSON.parse(fs.readFileSync(file(FILES.meta), 'utf8')) as MetaFile;
    if (meta.appid !== opts.appid || meta.mchid !== opts.mchid || meta.apiV3Key?.length !== 32) return undefined;
    const read = (f: string) => fs.readFileSync(file(f), 'utf8');
    return {
      appid: meta.appid,
      mchid: meta.mchid,
      apiV3Key: meta.apiV3Key,
      merchant: { serialNo: meta.merchantSerialNo, privateKeyPem: read(FILES.merchantKey), certPem: read(FILES.merchantCert) },
      platform: { serialNo: meta.platformSerialNo, privateKeyPem: read(FILES.platformKey), certPem: read(FILES.platformCert) },
      publicKeyMode: { keyId: meta.publicKeyId, privateKeyPem: read(FILES.pubKeyPrivate), publicKeyPem: read(FILES.pubKey) },
    };
  } catch {
    return undefined;
  }
}

/**
 * Key material kept under `dir` (PEM files and wechatpay.json, mode 0600) so that `npm start`
 * reuses the same merchant and platform keys across runs; generated on first use, or again when
 * the appid/mchid changed or a file is missing.
 */
export function loadOrCreateKeyMaterial(dir: string, opts: { appid: string; mchid: string }): WechatPayKeyMaterial {
  const existing = readIfComplete(dir, opts);
  if (existing) return existing;
  const keys = generateKeyMaterial(opts);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const write = (name: string, content: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content, { mode: 0o600 });
    fs.chmodSync(p, 0o600);
  };
  write(FILES.merchantKey, keys.merchant.privateKeyPem);
  write(FILES.merchantCert, keys.merchant.certPem);
  write(FILES.platformKey, keys.platform.privateKeyPem);
  write(FILES.platformCert, keys.platform.certPem);
  write(FILES.pubKeyPrivate, keys.publicKeyMode.privateKeyPem);
  write(FILES.pubKey, keys.publicKeyMode.publicKeyPem);
  const meta: MetaFile = {
    appid: keys.appid,
    mchid: keys.mchid,
    apiV3Key: keys.apiV3Key,
    merchantSerialNo: keys.merchant.serialNo,
    platformSerialNo: keys.platform.serialNo,
    publicKeyId: keys.publicKeyMode.keyId,
  };
  // the metadata last: a half-written directory is regenerated on the next start
  write(FILES.meta, `${JSON.stringify(meta, null, 2)}\n`);
  return keys;
}
