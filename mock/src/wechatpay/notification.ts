import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { type WechatPayKeyMaterial } from './keys';
import {
  encryptResource,
  randomNonce32,
  responseMessage,
  rsaSha256Sign,
  signedHeaders,
  toShanghaiRfc3339,
  type WechatPaySignMode,
} from './protocol';

export type NotificationEventType = 'TRANSACTION.SUCCESS' | 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED';
export type NotificationOriginalType = 'transaction' | 'refund';

/** How a test notification is spoiled after it was signed; 'none' leaves it valid. */
export type NotificationTamper = 'signature' | 'serial' | 'body' | 'timestamp-stale' | 'wrong-key' | 'none';

const SUMMARIES: Record<NotificationEventType, string> = {
  'TRANSACTION.SUCCESS': '支付成功',
  'REFUND.SUCCESS': '退款成功',
  'REFUND.ABNORMAL': '退款异常',
  'REFUND.CLOSED': '退款关闭',
};

export interface NotificationEnvelope {
  id: string;
  create_time: string;
  resource_type: 'encrypt-resource';
  event_type: string;
  summary: string;
  resource: { original_type: string; algorithm: string; ciphertext: string; associated_data: string; nonce: string };
}

/**
 * The JSON WeChat POSTs to notify_url: the resource object (a transaction or a refund) encrypted
 * with AES-256-GCM under the APIv3 key, associated_data = the original type. The body is built
 * once; every delivery (and every retry) signs these same bytes afresh.
 */
export function buildNotificationBody(
  keys: WechatPayKeyMaterial,
  eventType: NotificationEventType,
  originalType: NotificationOriginalType,
  resourceObject: unknown,
  opts: { id?: string; createdAt?: Date } = {},
): { id: string; envelope: NotificationEnvelope; body: string } {
  const id = opts.id ?? `EV-${randomBytes(12).toString('hex')}`;
  const envelope: NotificationEnvelope = {
    id,
    create_time: toShanghaiRfc3339(opts.createdAt ?? new Date()),
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: SUMMARIES[eventType],
    resource: { original_type: originalType, ...encryptResource(keys.apiV3Key, originalType, JSON.stringify(resourceObject)) },
  };
  return { id, envelope, body: JSON.stringify(envelope) };
}

/** Headers of one delivery: Content-Type plus the Wechatpay-* signature over the raw body. */
export function notificationHeaders(
  keys: WechatPayKeyMaterial,
  signMode: WechatPaySignMode,
  body: string,
  at: Date = new Date(),
): Record<string, string> {
  return { 'Content-Type': 'application/json', ...signedHeaders(keys, signMode, body, at) };
}

function unknownSerial(signMode: WechatPaySignMode): string {
  if (signMode === 'public_key') return `PUB_KEY_ID_${'9'.repeat(14)}${String(Date.now()).slice(-14).padStart(14, '0')}`;
  const b = randomBytes(20);
  b[0] = (b[0] & 0x7f) | 0x10;
  return b.toString('hex').toUpperCase();
}

/**
 * A notification exactly as the stand-in delivers it, for tests of the receiving side, optionally
 * tampered with after signing:
 * - 'signature': the signature covers other bytes; 'wrong-key': signed by a freshly generated key;
 * - 'serial': a Wechatpay-Serial nobody knows; 'body': the body altered after signing;
 * - 'timestamp-stale': correctly signed, but with a timestamp ten minutes old; 'none': valid.
 */
export function buildSignedNotification(
  keys: WechatPayKeyMaterial,
  signMode: WechatPaySignMode,
  eventType: NotificationEventType,
  originalType: NotificationOriginalType,
  resourceObject: unknown,
  tamper: NotificationTamper = 'none',
  opts: { at?: Date } = {},
): { headers: Record<string, string>; body: string; id: string } {
  const at = opts.at ?? new Date();
  const built = buildNotificationBody(keys, eventType, originalType, resourceObject, { createdAt: at });
  if (tamper === 'timestamp-stale') {
    const stale = new Date(at.getTime() - 10 * 60 * 1000);
    return { id: built.id, body: built.body, headers: notificationHeaders(keys, signMode, built.body, stale) };
  }
  const headers = notificationHeaders(keys, signMode, built.body, at);
  let body = built.body;
  switch (tamper) {
    case 'signature': {
      // a genuine signature by the right key, but over different bytes
      const other = responseMessage(headers['Wechatpay-Timestamp'], randomNonce32(), built.body);
      const identityKey = signMode === 'public_key' ? keys.publicKeyMode.privateKeyPem : keys.platform.privateKeyPem;
      headers['Wechatpay-Signature'] = rsaSha256Sign(identityKey, other);
      break;
    }
    case 'wrong-key': {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      headers['Wechatpay-Signature'] = rsaSha256Sign(
        pem,
        responseMessage(headers['Wechatpay-Timestamp'], headers['Wechatpay-Nonce'], body),
      );
      break;
    }
    case 'serial':
      headers['Wechatpay-Serial'] = unknownSerial(signMode);
      break;
    case 'body': {
      // still well-formed JSON that decrypts, so only the signature can catch it
      const altered = JSON.parse(body) as NotificationEnvelope;
      altered.summary = `${altered.summary}(altered)`;
      body = JSON.stringify(altered);
      break;
    }
    case 'none':
      break;
  }
  return { id: built.id, headers, body };
}
