import { Writable } from 'node:stream';
import { ZodError, z } from 'zod';
import { loadConfig, ConfigError } from '../../cloud/src/platform/config';
import { createLogger, maskForLog } from '../../cloud/src/platform/logger';
import { createFieldCipher } from '../../cloud/src/platform/crypto-field';
import { AppError, toErrorResponse } from '../../cloud/src/platform/errors';
import { createTokenService } from '../../cloud/src/platform/auth';
import { createPseudonymizer } from '../../cloud/src/platform/pseudonym';

describe('config', () => {
  test('defaults work for development', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.WECHAT_MOCK).toBe(true);
    expect(c.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
  });
  test('a bad variable fails fast and names it', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ MONGODB_URI: 'postgres://x' })).toThrow(/MONGODB_URI/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });
  test('production requires real secrets, a MongoDB and real WeChat', () => {
    let message = '';
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (e) {
      message = (e as Error).message;
    }
    for (const name of ['JWT_SECRET', 'PSEUDONYM_SECRET', 'DATA_KEY', 'MONGODB_URI', 'WECHAT_MOCK']) expect(message).toContain(name);
  });
});

describe('logging', () => {
  test('masks phone and ID numbers and hides secrets at any depth', () => {
    expect(
      maskForLog({ user: { phone: '13812345678', idNumber: '320502199001011234' }, session_key: 'abc', list: [{ token: 't' }] }),
    ).toEqual({
      user: { phone: '138****5678', idNumber: '320502********1234' },
      session_key: '[redacted]',
      list: [{ token: '[redacted]' }],
    });
  });
  test('the logger applies the mask to what it writes', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    createLogger('info', sink).info({ phone: '13812345678', req: { headers: { authorization: 'Bearer x' } } }, 'hello');
    expect(lines.join('')).toContain('138****5678');
    expect(lines.join('')).not.toContain('13812345678');
    expect(lines.join('')).not.toContain('Bearer x');
  });
});

test('sealed personal fields round-trip and detect tampering', () => {
  const cipher = createFieldCipher('k'.repeat(32));
  const sealed = cipher.encrypt('13812345678');
  expect(sealed).not.toContain('13812345678');
  expect(cipher.encrypt('13812345678')).not.toBe(sealed); // random IV
  expect(cipher.decrypt(sealed)).toBe('13812345678');
  const parts = sealed.split('.');
  parts[3] = Buffer.from('13900000000').toString('base64url');
  expect(() => cipher.decrypt(parts.join('.'))).toThrow();
  expect(() => createFieldCipher('other'.repeat(8)).decrypt(sealed)).toThrow();
});

test('pseudonyms are stable per user, differ across users and keys, and do not contain the id', () => {
  const p = createPseudonymizer('s'.repeat(32));
  expect(p('u1')).toBe(p('u1'));
  expect(p('u1')).not.toBe(p('u2'));
  expect(createPseudonymizer('t'.repeat(32))('u1')).not.toBe(p('u1'));
  expect(p('6b019ef4095dc7981d0ac35a')).not.toContain('6b019ef4');
});

describe('error mapping', () => {
  test('AppError keeps its code and fixed status', () => {
    expect(toErrorResponse(new AppError('SLOT_SOLD_OUT'))).toMatchObject({ status: 409, code: 'SLOT_SOLD_OUT' });
  });
  test('zod errors become 400 naming the fields', () => {
    const err = z.object({ a: z.string() }).safeParse({ a: 1 }).error as ZodError;
    expect(toErrorResponse(err)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', details: [{ path: 'a' }] });
  });
  test('duplicate keys become 409 and unknown errors a bare 500 without internals', () => {
    expect(toErrorResponse({ code: 11000 })).toMatchObject({ status: 409, code: 'CONFLICT' });
    const res = toErrorResponse(new Error('connection string mongodb://secret@host leaked'));
    expect(res).toEqual({ status: 500, code: 'INTERNAL', message: 'internal error' });
  });
});

test('tokens: signed, verified, and refused once expired', async () => {
  let now = new Date('2026-11-21T00:00:00Z');
  const tokens = createTokenService('x'.repeat(32), 3600, () => now);
  const { token, expiresAt } = await tokens.sign({ userId: 'u1', roles: ['citizen'] });
  expect(expiresAt.toISOString()).toBe('2026-11-21T01:00:00.000Z');
  await expect(tokens.verify(token)).resolves.toEqual({ userId: 'u1', roles: ['citizen'] });
  now = new Date('2026-11-21T01:00:01Z');
  await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
});
