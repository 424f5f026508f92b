import { randomBytes } from 'node:crypto';
import Router from '@koa/router';

export const MOCK_CODE_PREFIX = 'mock:';
/** `js_code = busy:<anything>`: WeChat's -1 "system error" (busy), for tests of how we answer when WeChat fails */
export const BUSY_CODE_PREFIX = 'busy:';
const OPENID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * WeChat's GET /sns/jscode2session, played faithfully: `js_code = mock:<openid>` logs in as
 * that openid; any other code gets WeChat's 40029 "invalid code"; a wrong appid/secret gets
 * 40013 / 40125 as the real service answers; `busy:…` gets -1 "system error" with a request id.
 */
export function code2SessionRoutes(opts: { appid: string; secret: string }) {
  const router = new Router();
  router.get('/sns/jscode2session', (ctx) => {
    const { appid, secret, js_code: code, grant_type: grantType } = ctx.query;
    if (appid !== opts.appid) {
      ctx.body = { errcode: 40013, errmsg: 'invalid appid' };
      return;
    }
    if (secret !== opts.secret) {
      ctx.body = { errcode: 40125, errmsg: 'invalid appsecret' };
      return;
    }
    if (grantType !== 'authorization_code') {
      ctx.body = { errcode: 40002, errmsg: 'invalid grant_type' };
      return;
    }
    if (typeof code === 'string' && code.startsWith(BUSY_CODE_PREFIX)) {
      ctx.body = { errcode: -1, errmsg: `system error rid: ${randomBytes(12).toString('hex')}` };
      return;
    }
    const openid = typeof code === 'string' && code.startsWith(MOCK_CODE_PREFIX) ? code.slice(MOCK_CODE_PREFIX.length) : '';
    if (!OPENID.test(openid)) {
      ctx.body = { errcode: 40029, errmsg: 'invalid code' };
      return;
    }
    ctx.body = { openid, session_key: randomBytes(16).toString('base64') };
  });
  return router;
}
