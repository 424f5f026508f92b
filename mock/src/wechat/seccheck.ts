import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';

/** One msgSecCheck call as the stand-in received it. */
export interface SecCheckCall {
  at: string;
  accessToken: string;
  openid: string;
  scene: number;
  version: number;
  content: string;
  suggest: 'pass' | 'review' | 'risky';
}

/** Words the stand-in flags unless told otherwise (MOCK_SECCHECK_WORDS, comma-separated, overrides). */
export const DEFAULT_SECCHECK_WORDS = ['垃圾', '骗子', '诈骗', '赌博', '色情', '加微信'] as const;

export interface SecCheckStandIn {
  router: Router;
  calls: SecCheckCall[];
  /** the next `count` checks answer after `delayMs` (a timeout on our side), or with a WeChat error */
  failNextChecks(count: number, fault: { delayMs: number } | { errcode: number; errmsg: string }): void;
}

/**
 * WeChat's content-security check for user text (`POST /wxa/msg_sec_check?access_token=…`,
 * version 2), as WeChat answers it: `{errcode: 0, errmsg: 'ok', result: {suggest, label}, detail: [...] , trace_id}`.
 * A text containing one of the configured words is `risky` (label 20006, 违法犯罪) — or `review`
 * (label 10001, 广告) for 加微信-style words —; anything else `pass` (label 100). The access_token
 * must be one the token endpoints issued (`tokenValid`).
 */
export function secCheckRoutes(opts: { words?: readonly string[]; tokenValid: (token: string) => boolean }): SecCheckStandIn {
  const router = new Router();
  const words = (opts.words?.length ? opts.words : DEFAULT_SECCHECK_WORDS).map((w) => w.trim()).filter(Boolean);
  const calls: SecCheckCall[] = [];
  const faults: { count: number; fault: { delayMs: number } | { errcode: number; errmsg: string } } = { count: 0, fault: { delayMs: 0 } };

  router.post('/wxa/msg_sec_check', bodyParser({ enableTypes: ['json'] }), async (ctx) => {
    const token = String(ctx.query.access_token ?? '');
    if (!opts.tokenValid(token)) {
      ctx.body = { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
      return;
    }
    const body = (ctx.request.body ?? {}) as { openid?: unknown; scene?: unknown; version?: unknown; content?: unknown };
    if (
      body.version !== 2 ||
      typeof body.openid !== 'string' ||
      typeof body.content !== 'string' ||
      ![1, 2, 3, 4].includes(Number(body.scene))
    ) {
      ctx.body = { errcode: 47001, errmsg: 'data format error' };
      return;
    }
    if (faults.count > 0) {
      faults.count -= 1;
      const f = faults.fault;
      if ('delayMs' in f) await new Promise((r) => setTimeout(r, f.delayMs));
      else {
        ctx.body = f;
        return;
      }
    }
    const hit = words.find((w) => (body.content as string).includes(w));
    const suggest: SecCheckCall['suggest'] = !hit ? 'pass' : hit.startsWith('加') ? 'review' : 'risky';
    const label = !hit ? 100 : suggest === 'review' ? 10001 : 20006;
    calls.push({
      at: new Date().toISOString(),
      accessToken: token,
      openid: body.openid,
      scene: Number(body.scene),
      version: 2,
      content: body.content,
      suggest,
    });
    ctx.body = {
      errcode: 0,
      errmsg: 'ok',
      result: { suggest, label },
      detail: [{ strategy: 'content_model', errcode: 0, suggest, label, ...(hit ? { keyword: hit, prob: 90 } : { prob: 0 }) }],
      trace_id: `mock-${calls.length}`,
    };
  });

  router.get('/mock/seccheck-calls', (ctx) => {
    ctx.body = { items: calls };
  });

  return {
    router,
    calls,
    failNextChecks(count, fault) {
      faults.count = count;
      faults.fault = fault;
    },
  };
}
