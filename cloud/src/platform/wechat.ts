import { AppError } from './errors';

export interface Code2SessionResult {
  openid: string;
  unionid?: string;
  /** kept on the server only */
  sessionKey: string;
}

export interface WechatClient {
  code2Session(code: string): Promise<Code2SessionResult>;
}

interface Code2SessionBody {
  openid?: string;
  unionid?: string;
  session_key?: string;
  errcode?: number;
  errmsg?: string;
}

/** WeChat's jscode2session over HTTP; the base URL points at the stand-in in development. */
export function createWechatClient(opts: { apiBase: string; appid: string; secret: string; timeoutMs: number }): WechatClient {
  return {
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
      // 40029 invalid code, 40163 code used, 40226 risky user: all mean "this code cannot log in"
      if (body.errcode) throw new AppError('LOGIN_CODE_INVALID', `WeChat refused the code (${body.errcode})`);
      if (!body.openid || !body.session_key) throw new AppError('UPSTREAM_UNAVAILABLE', 'WeChat login answered without openid');
      return { openid: body.openid, unionid: body.unionid, sessionKey: body.session_key };
    },
  };
}
