import { Writable } from 'node:stream';
import { ZodError, z } from 'zod';
import { loadConfig, ConfigError } from '../../cloud/src/platform/config';
import { createLogger, maskForLog } from '../../cloud/src/platform/logger';
import { createFieldCipher } from '../../cloud/src/platform/crypto-field';
import { AppError, toErrorResponse } from '../../cloud/src/platform/errors';
import { createTokenService } from '../../cloud/src/platform/auth';
import { createPseudonymizer } from '../../cloud/src/platform/pseudonym';

describe('config', () => {
  const DEV = { CITYSPORT_DEV_SECRETS: 'allow' };
  test('WECHAT_SUBSCRIBE_TEMPLATES: our names → WeChat ids as JSON; an unknown name, a bad id or bad JSON stops the start', () => {
    expect(loadConfig({ ...DEV, WECHAT_SUBSCRIBE_TEMPLATES: '{"event_draw_result":"Xq3_kLm-9aZ"}' }).WECHAT_SUBSCRIBE_TEMPLATES).toEqual({
      event_draw_result: 'Xq3_kLm-9aZ',
    });
    expect(loadConfig(DEV).WECHAT_SUBSCRIBE_TEMPLATES).toBeUndefined();
    for (const bad of ['{"made_up":"x"}', '{"booking_reminder":"has space"}', '{not json', '["booking_reminder"]'])
      expect(() => loadConfig({ ...DEV, WECHAT_SUBSCRIBE_TEMPLATES: bad })).toThrow(/WECHAT_SUBSCRIBE_TEMPLATES/);
  });

  test('defaults work for a development run that says so', () => {
    const c = loadConfig(DEV);
    expect(c.PORT).toBe(3000);
    expect(c.WECHAT_MOCK).toBe(true);
    expect(c.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
  });
  test.each(['development', 'test', undefined])(
    'NODE_ENV=%s without the development flag refuses the built-in secrets and names each',
    (nodeEnv) => {
      const env = nodeEnv ? { NODE_ENV: nodeEnv } : {};
      let message = '';
      try {
        loadConfig(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        message = (e as Error).message;
      }
      for (const name of ['JWT_SECRET', 'PSEUDONYM_SECRET', 'DATA_KEY', 'TICKET_KEY_SEEDS', 'CITYSPORT_DEV_SECRETS=allow'])
        expect(message).toContain(name);
    },
  );
  test('real secrets start without the flag, with the WeChat stand-ins off by default', () => {
    const c = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'j'.repeat(32),
      PSEUDONYM_SECRET: 'p'.repeat(32),
      DATA_KEY: 'd'.repeat(32),
      TICKET_KEY_SEEDS: 't'.repeat(32),
    });
    expect([c.JWT_SECRET, c.PSEUDONYM_SECRET, c.DATA_KEY, c.TICKET_KEY_SEEDS]).toEqual([
      'j'.repeat(32),
      'p'.repeat(32),
      'd'.repeat(32),
      ['t'.repeat(32)],
    ]);
    expect(c.WECHAT_MOCK).toBe(false);
  });
  test('the flag takes only "allow"', () => {
    expect(() => loadConfig({ CITYSPORT_DEV_SECRETS: 'yes' })).toThrow(/CITYSPORT_DEV_SECRETS/);
  });
  test('a bad variable fails fast and names it', () => {
    expect(() => loadConfig({ ...DEV, PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...DEV, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ...DEV, MONGODB_URI: 'postgres://x' })).toThrow(/MONGODB_URI/);
    expect(() => loadConfig({ ...DEV, JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });
  test('production requires real secrets, a MongoDB and real WeChat, and refuses the development flag', () => {
    const messageOf = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    const bare = messageOf({ NODE_ENV: 'production' });
    for (const name of ['JWT_SECRET', 'PSEUDONYM_SECRET', 'DATA_KEY', 'TICKET_KEY_SEEDS', 'MONGODB_URI']) expect(bare).toContain(name);
    const mocked = messageOf({ NODE_ENV: 'production', WECHAT_MOCK: 'true', CITYSPORT_DEV_SECRETS: 'allow' });
    expect(mocked).toMatch(/WECHAT_MOCK: must be false in production/);
    expect(mocked).toMatch(/CITYSPORT_DEV_SECRETS: must not be set in production/);
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
  test("a 5xx AppError keeps its code but not its message or details (they may hold WeChat's raw error)", () => {
    const raw = new AppError('UPSTREAM_UNAVAILABLE', 'WeChat Pay create order failed (500)', {
      wechat: { code: 'SYSTEM_ERROR', message: '系统错误 mchid 1900000109 out_trade_no CS123' },
    });
    const res = toErrorResponse(raw);
    expect(res).toEqual({ status: 502, code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('微信服务暂时不可用') });
    expect(JSON.stringify(res)).not.toMatch(/SYSTEM_ERROR|1900000109|CS123|\(500\)/);
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
  // issuedAt (whole seconds) is what a closed bureau account's end of sessions is compared with
  await expect(tokens.verify(token)).resolves.toEqual({ userId: 'u1', roles: ['citizen'], issuedAt: now.getTime() / 1000 });
  // a verified token is kept: still good a second before its expiry, refused at it (as the full check refuses it)
  now = new Date('2026-11-21T00:59:59Z');
  await expect(tokens.verify(token)).resolves.toMatchObject({ userId: 'u1' });
  now = new Date('2026-11-21T01:00:00Z');
  await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  now = new Date('2026-11-21T01:00:01Z');
  await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  // a token changed by one character is not the kept one: refused
  now = new Date('2026-11-21T00:30:00Z');
  const forged = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
  await expect(tokens.verify(forged)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
});
