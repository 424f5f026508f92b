import { createHmac } from 'node:crypto';

/**
 * Users appear in data-centre events only as this keyed pseudonym (not reversible without the key).
 * Rotation (GB/T 37964): a new key gets a new epoch (`PSEUDONYM_EPOCH`); from epoch 1 on the
 * pseudonym reads `e<epoch>.<hmac>`, so the data centre knows pseudonyms of two epochs cannot be
 * linked. Epoch 0 keeps the original form.
 */
export function createPseudonymizer(secret: string, epoch = 0) {
  if (epoch === 0) return (userId: string) => createHmac('sha256', secret).update(`user:${userId}`).digest('base64url').slice(0, 22);
  return (userId: string) => `e${epoch}.${createHmac('sha256', secret).update(`user:${epoch}:${userId}`).digest('base64url').slice(0, 22)}`;
}
export type Pseudonymizer = ReturnType<typeof createPseudonymizer>;
