import { createHmac } from 'node:crypto';

/** Users appear in data-centre events only as this keyed pseudonym (not reversible without the key). */
export function createPseudonymizer(secret: string) {
  return (userId: string) => createHmac('sha256', secret).update(`user:${userId}`).digest('base64url').slice(0, 22);
}
export type Pseudonymizer = ReturnType<typeof createPseudonymizer>;
