import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';

export interface SentMessage {
  at: string;
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
}

/**
 * WeChat's server-side access_token and subscribe-message send, played faithfully enough for
 * our client: a token per appid/secret (errcode 40013/40125 otherwise), 40001 for an unknown
 * token, and a sink that records every message for tests and the demo (GET /mock/subscribe-messages).
 */
export function subscribeRoutes(opts: { appid: string; secret: string }) {
  const router = new Router();
  const tokens = new Set<string>();
  const sent: SentMessage[] = [];

  router.get('/cgi-bin/token', (ctx) => {
    const { appid, secret, grant_type: grantType } = ctx.query;
    if (grantType !== 'client_credential') ctx.body = { errcode: 40002, errmsg: 'invalid grant_type' };
    else if (appid !== opts.appid) ctx.body = { errcode: 40013, errmsg: 'invalid appid' };
    else if (secret !== opts.secret) ctx.body = { errcode: 40125, errmsg: 'invalid appsecret' };
    else {
      const token = randomBytes(24).toString('hex');
      tokens.add(token);
      ctx.body = { access_token: token, expires_in: 7200 };
    }
  });

  router.post('/cgi-bin/message/subscribe/send', bodyParser({ enableTypes: ['json'] }), (ctx) => {
    if (!tokens.has(String(ctx.query.access_token))) {
      ctx.body = { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
      return;
    }
    const body = ctx.request.body as Partial<SentMessage>;
    if (!body?.touser || !body.template_id || !body.data) {
      ctx.body = { errcode: 47003, errmsg: 'argument invalid!' };
      return;
    }
    sent.push({ at: new Date().toISOString(), touser: body.touser, template_id: body.template_id, page: body.page, data: body.data });
    ctx.body = { errcode: 0, errmsg: 'ok' };
  });

  router.get('/mock/subscribe-messages', (ctx) => {
    const touser = typeof ctx.query.touser === 'string' ? ctx.query.touser : undefined;
    ctx.body = { items: sent.filter((m) => !touser || m.touser === touser) };
  });

  return { router, sent };
}
