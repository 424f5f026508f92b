import { AppError } from './errors';

export interface Code2SessionResult {
  openid: string;
  unionid?: string;
  /** kept on the server only */
  sessionKey: string;
}

export interface WechatClient {
  code2Session(code: string): Promise<Code2SessionResult>;
  sendSubscribeMessage(openid: string, templateId: string, data: Record<string, string>, page?: string): Promise<void>;
  /**
   * WeChat's content-security check of user text (msgSecCheck v2, scene 2 = comment). Throws
   * UPSTREAM_UNAVAILABLE when WeChat does not answer in time or answers an error: callers fail closed.
   */
  msgSecCheck(openid: string, content: string): Promise<SecCheckResult>;
}

export interface SecCheckResult {
  suggest: 'pass' | 'review' | 'risky';
  /** WeChat's label: 100 normal, 10001 ads, 20001 politics, 20002 porn, 20003 abuse, 20006 crime, 21000 other, … */
  label: number;
}

/** WeChat refused a subscribe message; `errcode` 43101 means the user's consent is gone at WeChat. */
export class WechatSendError extends AppError {
  constructor(
    readonly errcode: number,
    errmsg: string,
  ) {
    super('UPSTREAM_UNAVAILABLE', `WeChat refused the message (${errcode} ${errmsg})`);
  }
}

interface Code2SessionBody {
  openid?: string;
  unionid?: string;
  session_key?: string;
  errcode?: number;
  errmsg?: string;
}

/** WeChat's jscode2session over HTTP; the base URL points at the stand-in in development. */
export function createWechatClient(opts: {
  apiBase: string;
  appid: string;
  secret: string;
  timeoutMs: number;
  /** msgSecCheck's own limit (a review waits for it; default timeoutMs) */
  secCheckTimeoutMs?: number;
}): WechatClient {
  // WeChat's stable_token: every instance asking gets the same token while it is valid, so
  // instances never invalidate each other (/cgi-bin/token would: each call replaces the last)
  let token: { value: string; expiresAt: number } | null = null;

  async function getJson<T>(url: URL, init?: RequestInit, timeoutMs = opts.timeoutMs): Promise<T> {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      return (await res.json()) as T;
    } catch {
      throw new AppError('UPSTREAM_UNAVAILABLE', `WeChat did not answer ${url.pathname}`);
    }
  }

  /** The shared access_token, cached until a minute before WeChat says it expires. */
  async function accessToken(): Promise<string> {
    if (token && token.expiresAt > Date.now()) return token.value;
    const body = await getJson<{ access_token?: string; expires_in?: number; errcode?: number; errmsg?: string }>(
      new URL('/cgi-bin/stable_token', opts.apiBase),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credential', appid: opts.appid, secret: opts.secret, force_refresh: false }),
      },
    );
    if (!body.access_token)
      throw new AppError('UPSTREAM_UNAVAILABLE', `WeChat refused an access_token (${body.errcode} ${body.errmsg ?? ''})`);
    token = { value: body.access_token, expiresAt: Date.now() + Math.max(0, (body.expires_in ?? 7200) - 60) * 1000 };
    return token.value;
  }

  /** A server API called with the access_token; a replaced or expired token is fetched again and the call retried once. */
  async function withToken<T extends { errcode?: number }>(path: string, payload: object, timeoutMs?: number): Promise<T> {
    const call = async () => {
      const url = new URL(path, opts.apiBase);
      url.searchParams.set('access_token', await accessToken());
      return getJson<T>(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }, timeoutMs);
    };
    let body = await call();
    if (body.errcode === 40001 || body.errcode === 42001) {
      // the token was replaced (a forced refresh elsewhere) or expired early: fetch it again, retry once
      token = null;
      body = await call();
    }
    return body;
  }

  return {
    async sendSubscribeMessage(openid, templateId, data, page) {
      const payload = {
        touser: openid,
        template_id: templateId,
        page: page ?? 'packages/booking/mine',
        data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, { value: v }])),
      };
      const body = await withToken<{ errcode?: number; errmsg?: string }>('/cgi-bin/message/subscribe/send', payload);
      if (body.errcode) throw new WechatSendError(body.errcode, body.errmsg ?? '');
    },
    async msgSecCheck(openid, content) {
      const body = await withToken<{ errcode?: number; errmsg?: string; result?: { suggest?: string; label?: number } }>(
        '/wxa/msg_sec_check',
        { version: 2, openid, scene: 2, content },
        opts.secCheckTimeoutMs ?? opts.timeoutMs,
      );
      const suggest = body.result?.suggest;
      if (body.errcode || (suggest !== 'pass' && suggest !== 'review' && suggest !== 'risky'))
        throw new AppError('UPSTREAM_UNAVAILABLE', `WeChat's content check failed (${body.errcode ?? '?'} ${body.errmsg ?? ''})`);
      return { suggest, label: body.result?.label ?? 0 };
    },
    async code2Session(code) {
      const url = new URL('/sns/jscode2session', opts.apiBase);
      url.searchParams.set('appid', opts.appid);
      url.searchParams.set('secret', opts.secret);
      url.searchParams.set('js_code', code);
      url.searchParams.set('grant_type', 'authorization_code');
      let body: Code2SessionBody;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs) });
        body = (await res.json()) as Code2SessionBody;
      } catch {
        throw new AppError('UPSTREAM_UNAVAILABLE', 'WeChat login service did not answer');
      }
      // -1: WeChat is busy; retrying later may work (its text goes to the log, never to the client)
      if (body.errcode === -1) throw new AppError('UPSTREAM_UNAVAILABLE', `WeChat login failed (${body.errcode} ${body.errmsg ?? ''})`);
      // 40029 invalid code, 40163 code used, 40226 risky user: all mean "this code cannot log in"
      if (body.errcode) throw new AppError('LOGIN_CODE_INVALID', `WeChat refused the code (${body.errcode})`);
      if (!body.openid || !body.session_key) throw new AppError('UPSTREAM_UNAVAILABLE', 'WeChat login answered without openid');
      return { openid: body.openid, unionid: body.unionid, sessionKey: body.session_key };
    },
  };
}
