import { readJson, write } from './storage';

/**
 * Work done while offline, kept in storage until it is sent (the gate's scans, a fitness station's
 * entries): one list per storage key, each item carrying the nonce that makes sending it again safe
 * (the server answers a repeated nonce / Idempotency-Key with its first answer).
 */
export interface StoredQueue<T extends { nonce: string }> {
  read(): T[];
  write(list: T[]): void;
  /** add, or replace the item with the same nonce; returns the new list */
  put(item: T): T[];
  /** drop the items with these nonces; returns what is left */
  drop(nonces: Iterable<string>): T[];
}

export function storedQueue<T extends { nonce: string }>(key: string, isItem: (x: unknown) => x is T): StoredQueue<T> {
  const read = (): T[] => {
    const list = readJson<unknown[]>(key);
    return Array.isArray(list) ? list.filter(isItem) : [];
  };
  const save = (list: T[]) => write(key, list.length ? JSON.stringify(list) : null);
  return {
    read,
    write: save,
    put(item) {
      const next = [...read().filter((x) => x.nonce !== item.nonce), item];
      save(next);
      return next;
    },
    drop(nonces) {
      const gone = new Set(nonces);
      const next = read().filter((x) => !gone.has(x.nonce));
      save(next);
      return next;
    },
  };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function randomId(length = 20): string {
  let out = '';
  for (let i = 0; i < length; i++) out += B64[Math.floor(Math.random() * 64)];
  return out;
}

/** a fresh nonce: time + randomness, base64url (fits NonceSchema and IdempotencyKeySchema) */
export function newNonce(): string {
  return `${Date.now().toString(36)}-${randomId(16)}`;
}
