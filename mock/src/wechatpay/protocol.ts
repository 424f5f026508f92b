import { createCipheriv, createSign, createVerify, randomBytes } from 'node:crypto';
import { randomAlnum, type WechatPayKeyMaterial } from './keys';

/** How the stand-in signs: with the platform certificate's key, or WeChat-Pay public-key mode. */
export type WechatPaySignMode = 'platform_certificate' | 'public_key';

export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
export const ENCRYPTION_ALGORITHM = 'AEAD_AES_256_GCM';

/** The key WeChat signs responses and notifications with, and the serial it names in Wechatpay-Serial. */
export function signingIdentity(keys: WechatPayKeyMaterial, mode: WechatPaySignMode): { serial: string; privateKeyPem: string } {
  return mode === 'public_key'
    ? { serial: keys.publicKeyMode.keyId, privateKeyPem: keys.publicKeyMode.privateKeyPem }
    : { serial: keys.platform.serialNo, privateKeyPem: keys.platform.privateKeyPem };
}

/** The public key a merchant verifies the stand-in's signatures with, for a given mode. */
export function verificationKeyPem(keys: WechatPayKeyMaterial, mode: WechatPaySignMode): string {
  return mode === 'public_key' ? keys.publicKeyMode.publicKeyPem : keys.platform.certPem;
}

export function rsaSha256Sign(privateKeyPem: string, message: string): string {
  return createSign('RSA-SHA256').update(message).sign(privateKeyPem, 'base64');
}

export function rsaSha256Verify(publicKeyOrCertPem: string, message: string, signatureB64: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(message).verify(publicKeyOrCertPem, signatureB64, 'base64');
  } catch {
    return false;
  }
}

/** The message WeChat signs in responses and notifications: `timestamp\nnonce\nbody\n`. */
export function responseMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** Wechatpay-* headers over `body` (the exact bytes sent; '' for 204). */
export function signedHeaders(
  keys: WechatPayKeyMaterial,
  mode: WechatPaySignMode,
  body: string,
  at: Date = new Date(),
): Record<string, string> {
  const { serial, privateKeyPem } = signingIdentity(keys, mode);
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const nonce = randomNonce32();
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Serial': serial,
    'Wechatpay-Signature': rsaSha256Sign(privateKeyPem, responseMessage(timestamp, nonce, body)),
    'Wechatpay-Signature-Type': AUTH_SCHEME,
  };
}

/** 32 upper-case hex characters, as WeChat's Wechatpay-Nonce. */
export function randomNonce32(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/**
 * AEAD_AES_256_GCM as WeChat uses it: key = the 32-character APIv3 key, nonce = a 12-character
 * string, AAD = associated_data; returns base64(ciphertext || 16-byte tag).
 */
export function aesGcmEncrypt(apiV3Key: string, nonce: string, associatedData: string, plaintext: string): string {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key), Buffer.from(nonce));
  cipher.setAAD(Buffer.from(associatedData));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([ct, cipher.getAuthTag()]).toString('base64');
}

export function encryptResource(apiV3Key: string, associatedData: string, plaintext: string) {
  const nonce = randomAlnum(12);
  return {
    algorithm: ENCRYPTION_ALGORITHM,
    nonce,
    associated_data: associatedData,
    ciphertext: aesGcmEncrypt(apiV3Key, nonce, associatedData, plaintext),
  };
}

/** RFC 3339 in China Standard Time, as WeChat writes times: 2018-06-08T10:34:56+08:00. */
export function toShanghaiRfc3339(d: Date): string {
  return `${new Date(d.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 19)}+08:00`;
}

/** YYYY-MM-DD of an instant in Asia/Shanghai (no DST). */
export function shanghaiDate(d: Date): string {
  return new Date(d.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD HH:mm:ss' in Asia/Shanghai, as bill files write times. */
export function shanghaiDateTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export interface ParsedAuthorization {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

/** `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"` (any order). */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space) !== AUTH_SCHEME) return undefined;
  const fields: Record<string, string> = {};
  for (const part of header.slice(space + 1).split(',')) {
    const m = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
    if (!m) return undefined;
    fields[m[1]] = m[2];
  }
  const { mchid, nonce_str, timestamp, serial_no, signature } = fields;
  if (!mchid || !nonce_str || !timestamp || !serial_no || !signature) return undefined;
  return { mchid, nonce_str, timestamp, serial_no, signature };
}

/** The message a merchant signs: `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`. */
export function requestMessage(method: string, pathWithQuery: string, timestamp: string, nonce: string, body: string): string {
  return `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** Integer fen as yuan with two decimals ('12.34', '-0.05'). */
export function fenToYuan(fen: number, decimals = 2): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.round(fen));
  const yuan = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return sign + yuan + '0'.repeat(Math.max(0, decimals - 2));
}
