import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { isSubscribeTemplate, subscribeDataProblem } from '@citysport/shared';

export interface SentMessage {
  at: string;
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
}

export interface SubscribeStandInOptions {
  appid: string;
  secret: string;
  /** how long a token lives (WeChat: 7200 s) */
  tokenTtlMs?: number;
  /**
   * how long the previous token keeps working once a new one is issued (WeChat: 5 minutes);
   * tests set 0 to see at once what a second token does to the first
   */
  tokenGraceMs?: number;
  now?: () => number;
}

export interface SubscribeStandIn {
  router: Router;
  sent: SentMessage[];
  /** tokens handed out by /cgi-bin/token and /cgi-bin/stable_token (a new one each time it is not the same as before) */
  tokensIssued: () => number;
  /** the next `count` sends answer this WeChat error instead of delivering */
  failNextSends: (count: number, error?: { errcode: number; errmsg: string }) => void;
  /** is this access_token one we issued and still working (other server APIs, e.g. msg_sec_check, ask) */
  tokenValid: (token: string) => boolean;
}

/**
 * WeChat's server-side access_token and subscribe-message send, played faithfully enough for
 * our client:
 * - `GET /cgi-bin/token` issues a new token on every call, and the previous one stops working
 *   after the grace period: two servers fetching their own tokens invalidate each other.
 * - `POST /cgi-bin/stable_token` answers the current stable token while it is valid (the same for
 *   every caller), a new one with `force_refresh: true`; isolated from /cgi-bin/token.
 * - errcode 40013/40125 for a wrong appid/secret, 40001 for an unknown or replaced token, 42001
 *   for an expired one; a sink records every message (GET /mock/subscribe-messages).
 */
export function subscribeRoutes(opts: SubscribeStandInOptions): SubscribeStandIn {
  const router = new Router();
  const ttlMs = opts.tokenTtlMs ?? 7200_000;
  const graceMs = opts.tokenGraceMs ?? 300_000;
  const now = opts.now ?? Date.now;
  /** token → until when it works */
  const validUntil = new Map<string, number>();
  const latest: { plain?: string; stable?: string } = {};
  const sent: SentMessage[] = [];
  let issued = 0;
  const faults: { count: number; error: { errcode: number; errmsg: string } } = {
    count: 0,
    error: { errcode: -1, errmsg: 'system error' },
  };

  const issue = (kind: 'plain' | 'stable') => {
    const previous = latest[kind];
    if (previous) validUntil.set(previous, Math.min(validUntil.get(previous) ?? 0, now() + graceMs));
    const token = randomBytes(24).toString('hex');
    validUntil.set(token, now() + ttlMs);
    latest[kind] = token;
    issued += 1;
    return token;
  };
  const secondsLeft = (token: string) => Math.max(0, Math.floor(((validUntil.get(token) ?? 0) - now()) / 1000));
  const credentialError = (appid: unknown, secret: unknown, grantType: unknown) => {
    if (grantType !== 'client_credential') return { errcode: 40002, errmsg: 'invalid grant_type' };
    if (appid !== opts.appid) return { errcode: 40013, errmsg: 'invalid appid' };
    if (secret !== opts.secret) return { errcode: 40125, errmsg: 'invalid appsecret' };
    return null;
  };

  router.get('/cgi-bin/token', (ctx) => {
    const { appid, secret, grant_type: grantType } = ctx.query;
    const refused = credentialError(appid, secret, grantType);
    if (refused) ctx.body = refused;
    else ctx.body = { access_token: issue('plain'), expires_in: Math.floor(ttlMs / 1000) };
  });

  router.post('/cgi-bin/stable_token', bodyParser({ enableTypes: ['json'] }), (ctx) => {
    const body = (ctx.request.body ?? {}) as { appid?: unknown; secret?: unknown; grant_type?: unknown; force_refresh?: unknown };
    const refused = credentialError(body.appid, body.secret, body.grant_type);
    if (refused) {
      ctx.body = refused;
      return;
    }
    const current = latest.stable;
    // WeChat renews the stable token in its last five minutes
    const reusable = current && body.force_refresh !== true && secondsLeft(current) > 300;
    const token = reusable ? current : issue('stable');
    ctx.body = { access_token: token, expires_in: secondsLeft(token) };
  });

  router.post('/cgi-bin/message/subscribe/send', bodyParser({ enableTypes: ['json'] }), (ctx) => {
    const token = String(ctx.query.access_token);
    const until = validUntil.get(token);
    if (until === undefined || (until <= now() && Object.values(latest).includes(token) === false)) {
      ctx.body = { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
      return;
    }
    if (until <= now()) {
      ctx.body = { errcode: 42001, errmsg: 'access_token expired' };
      return;
    }
    const body = ctx.request.body as Partial<SentMessage>;
    if (!body?.touser || !body.template_id || !body.data) {
      ctx.body = { errcode: 47003, errmsg: 'argument invalid!' };
      return;
    }
    // this stand-in mini-program's templates are the platform's names; WeChat checks each value by its keyword's type
    if (!isSubscribeTemplate(body.template_id)) {
      ctx.body = { errcode: 40037, errmsg: 'invalid template_id' };
      return;
    }
    const values = Object.fromEntries(Object.entries(body.data).map(([k, v]) => [k, String((v as { value?: unknown })?.value ?? '')]));
    const problem = subscribeDataProblem(body.template_id, values);
    if (problem) {
      ctx.body = { errcode: 47003, errmsg: `argument invalid! ${problem}` };
      return;
    }
    if (faults.count > 0) {
      faults.count -= 1;
      ctx.body = faults.error;
      return;
    }
    sent.push({ at: new Date().toISOString(), touser: body.touser, template_id: body.template_id, page: body.page, data: body.data });
    ctx.body = { errcode: 0, errmsg: 'ok' };
  });

  router.get('/mock/subscribe-messages', (ctx) => {
    const touser = typeof ctx.query.touser === 'string' ? ctx.query.touser : undefined;
    ctx.body = { items: sent.filter((m) => !touser || m.touser === touser) };
  });

  return {
    router,
    sent,
    tokensIssued: () => issued,
    tokenValid: (token) => (validUntil.get(token) ?? 0) > now(),
    failNextSends(count, error = { errcode: -1, errmsg: 'system error' }) {
      faults.count = count;
      faults.error = error;
    },
  };
}
