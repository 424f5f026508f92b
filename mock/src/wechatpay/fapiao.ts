import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import { fenToYuan, toShanghaiRfc3339 } from './protocol';
import { WechatError, paramError } from './standin.types';
import { canonical, digits, isObject } from './standin.util';

/**
 * WeChat Pay's 电子发票 (new-tax-control-fapiao) API for a direct merchant, played on loopback:
 * apply for a fapiao (accepted, issued asynchronously), query an application, reverse (红冲) an
 * issued fapiao, list its files and download the PDF. Issuing and reversing finish `delayMs` after
 * they are accepted (WeChat's tax-control service answers "accepted" first); the PDF link expires.
 */
export type FapiaoStatus = 'ISSUE_ACCEPTED' | 'ISSUED' | 'REVERSE_ACCEPTED' | 'REVERSED';

interface FapiaoRecord {
  fapiao_id: string;
  total_amount: number;
  items: { goods_name: string; quantity: number; total_amount: number }[];
  acceptedAt: Date;
  blue: { fapiao_code: string; fapiao_number: string; check_code: string; password: string } | null;
  reverse: { reason: string; acceptedAt: Date; fapiao_code: string; fapiao_number: string } | null;
}

interface ApplicationRecord {
  fapiao_apply_id: string;
  request: string;
  buyer: { type: 'INDIVIDUAL' | 'ORGANIZATION'; name: string; taxpayer_id?: string; email?: string };
  fapiao: FapiaoRecord[];
}

export interface FapiaoView {
  fapiao_apply_id: string;
  buyer: ApplicationRecord['buyer'];
  fapiao: { fapiao_id: string; status: FapiaoStatus; total_amount: number; fapiao_number: string | null; reverse_reason: string | null }[];
}

const APPLY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const FAPIAO_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** 统一社会信用代码: 18 characters (the stand-in checks the shape; WeChat's tax bureau checks the rest) */
const TAXPAYER_ID = /^[0-9A-HJ-NPQRTUWXY]{18}$/;
const TAX_CODE = /^\d{19}$/;
const FILE_URL_TTL_MS = 5 * 60 * 1000;
const PREFIX = '/v3/new-tax-control-fapiao';
/** 202 with an empty body (Koa would otherwise send the status text, unsigned by WeChat's rule of signing the exact body) */
const accepted = (ctx: RouterContext) => {
  ctx.status = 202;
  ctx.body = '';
};

type V3 = (
  handler: (ctx: RouterContext, body: unknown) => void | Promise<void>,
  o?: { unsignedSuccess?: boolean },
) => (ctx: RouterContext) => Promise<void>;

export function registerFapiao(router: Router, v3: V3, o: { mchid: string; now: () => Date; host: string; delayMs: number }) {
  const applications = new Map<string, ApplicationRecord>();
  const files = new Map<string, { applyId: string; fapiaoId: string; red: boolean; issuedAt: Date }>();

  function statusOf(f: FapiaoRecord): FapiaoStatus {
    const t = o.now().getTime();
    if (f.reverse) return t - f.reverse.acceptedAt.getTime() >= o.delayMs ? 'REVERSED' : 'REVERSE_ACCEPTED';
    if (t - f.acceptedAt.getTime() >= o.delayMs) {
      // issued the moment it is first seen past the delay: the tax bureau assigns its numbers then
      f.blue ??= {
        fapiao_code: `0${digits(11)}`,
        fapiao_number: digits(8),
        check_code: digits(20),
        password: randomBytes(24).toString('base64'),
      };
      return 'ISSUED';
    }
    return 'ISSUE_ACCEPTED';
  }

  function str(obj: Record<string, unknown>, key: string, pointer: string, max: number, pattern?: RegExp, required = true) {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (required) throw paramError(pointer, v, `${pointer} is required`);
      return undefined;
    }
    if (typeof v !== 'string' || v === '') throw paramError(pointer, v, `${pointer} must be a non-empty string`);
    if ([...v].length > max) throw paramError(pointer, v, `${pointer} is longer than ${max}`);
    if (pattern && !pattern.test(v)) throw paramError(pointer, v, `${pointer} has an invalid format`);
    return v;
  }
  function posInt(obj: Record<string, unknown>, key: string, pointer: string) {
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw paramError(pointer, v, `${pointer} must be an integer >= 1`);
    return v;
  }

  function application(ctx: RouterContext): ApplicationRecord {
    const app = applications.get(ctx.params.fapiaoApplyId);
    if (!app) throw new WechatError(404, 'RESOURCE_NOT_EXISTS', '发票申请单不存在');
    return app;
  }

  // 开具电子发票: accepted (202), issued asynchronously; the same request again is accepted again
  router.post(
    `${PREFIX}/fapiao-applications`,
    v3((ctx, body) => {
      if (!isObject(body)) throw paramError('body', body, 'body must be an object');
      if (body.scene !== 'WITH_WECHATPAY') throw paramError('scene', body.scene, 'scene must be WITH_WECHATPAY');
      const applyId = str(body, 'fapiao_apply_id', 'fapiao_apply_id', 64, APPLY_ID)!;
      if (!isObject(body.buyer_information)) throw paramError('buyer_information', body.buyer_information, 'buyer_information is required');
      const b = body.buyer_information;
      if (b.type !== 'INDIVIDUAL' && b.type !== 'ORGANIZATION')
        throw paramError('buyer_information.type', b.type, 'type must be INDIVIDUAL or ORGANIZATION');
      const name = str(b, 'name', 'buyer_information.name', 150)!;
      const taxpayerId = str(b, 'taxpayer_id', 'buyer_information.taxpayer_id', 20, TAXPAYER_ID, b.type === 'ORGANIZATION');
      const email = str(b, 'email', 'buyer_information.email', 128, /^[^\s@]+@[^\s@]+$/, false);
      const list = body.fapiao_information;
      if (!Array.isArray(list) || list.length < 1 || list.length > 5)
        throw paramError('fapiao_information', list, 'fapiao_information must hold 1 to 5 fapiao');
      const fapiao = list.map((f, i): FapiaoRecord => {
        const p = `fapiao_information[${i}]`;
        if (!isObject(f)) throw paramError(p, f, `${p} must be an object`);
        const total = posInt(f, 'total_amount', `${p}.total_amount`);
        if (!Array.isArray(f.items) || f.items.length < 1) throw paramError(`${p}.items`, f.items, 'items must not be empty');
        const items = f.items.map((it, j) => {
          const q = `${p}.items[${j}]`;
          if (!isObject(it)) throw paramError(q, it, `${q} must be an object`);
          str(it, 'tax_code', `${q}.tax_code`, 19, TAX_CODE);
          return {
            goods_name: str(it, 'goods_name', `${q}.goods_name`, 100)!,
            quantity: posInt(it, 'quantity', `${q}.quantity`),
            total_amount: posInt(it, 'total_amount', `${q}.total_amount`),
          };
        });
        if (items.reduce((s, it) => s + it.total_amount, 0) !== total)
          throw paramError(`${p}.total_amount`, total, 'total_amount must equal the sum of its items');
        return {
          fapiao_id: str(f, 'fapiao_id', `${p}.fapiao_id`, 32, FAPIAO_ID)!,
          total_amount: total,
          items,
          acceptedAt: o.now(),
          blue: null,
          reverse: null,
        };
      });
      const request = canonical(body);
      const known = applications.get(applyId);
      if (known) {
        if (known.request !== request) throw new WechatError(400, 'INVALID_REQUEST', '发票申请单号已存在，且与本次请求参数不一致');
        accepted(ctx);
        return;
      }
      applications.set(applyId, {
        fapiao_apply_id: applyId,
        request,
        buyer: { type: b.type, name, ...(taxpayerId ? { taxpayer_id: taxpayerId } : {}), ...(email ? { email } : {}) },
        fapiao,
      });
      accepted(ctx);
    }),
  );

  // 查询电子发票
  router.get(
    `${PREFIX}/fapiao-applications/:fapiaoApplyId`,
    v3((ctx) => {
      const app = application(ctx);
      const only = typeof ctx.query.fapiao_id === 'string' ? ctx.query.fapiao_id : undefined;
      const list = app.fapiao.filter((f) => !only || f.fapiao_id === only);
      ctx.body = {
        total_count: list.length,
        fapiao_information: list.map((f) => {
          const status = statusOf(f);
          return {
            fapiao_id: f.fapiao_id,
            status,
            total_amount: f.total_amount,
            ...(f.blue ? { blue_fapiao: { ...f.blue, fapiao_time: toShanghaiRfc3339(f.acceptedAt) } } : {}),
            ...(status === 'REVERSED' && f.reverse
              ? {
                  red_fapiao: {
                    fapiao_code: f.reverse.fapiao_code,
                    fapiao_number: f.reverse.fapiao_number,
                    fapiao_time: toShanghaiRfc3339(f.reverse.acceptedAt),
                  },
                }
              : {}),
            card_information: { card_appid: '', card_openid: '', card_status: status === 'REVERSED' ? 'INVALID' : 'VALID' },
          };
        }),
      };
    }),
  );

  // 冲红电子发票: only an issued fapiao; asking again while it is being reversed is accepted again
  router.post(
    `${PREFIX}/fapiao-applications/:fapiaoApplyId/reverse`,
    v3((ctx, body) => {
      const app = application(ctx);
      if (!isObject(body)) throw paramError('body', body, 'body must be an object');
      const reason = str(body, 'reverse_reason', 'reverse_reason', 100)!;
      const list = body.fapiao_information;
      if (!Array.isArray(list) || list.length < 1) throw paramError('fapiao_information', list, 'fapiao_information must not be empty');
      for (const [i, item] of list.entries()) {
        if (!isObject(item)) throw paramError(`fapiao_information[${i}]`, item, 'must be an object');
        const id = str(item, 'fapiao_id', `fapiao_information[${i}].fapiao_id`, 32, FAPIAO_ID);
        const f = app.fapiao.find((x) => x.fapiao_id === id);
        if (!f) throw new WechatError(404, 'RESOURCE_NOT_EXISTS', '发票不存在');
        const status = statusOf(f);
        if (status === 'REVERSE_ACCEPTED' || status === 'REVERSED') continue;
        if (status !== 'ISSUED') throw new WechatError(400, 'INVALID_REQUEST', '发票尚未开具成功，不能冲红');
        if (item.fapiao_code !== f.blue!.fapiao_code || item.fapiao_number !== f.blue!.fapiao_number)
          throw paramError(
            `fapiao_information[${i}].fapiao_number`,
            item.fapiao_number,
            'fapiao_code / fapiao_number do not match the fapiao',
          );
        f.reverse = { reason, acceptedAt: o.now(), fapiao_code: `0${digits(11)}`, fapiao_number: digits(8) };
      }
      accepted(ctx);
    }),
  );

  // 获取发票下载信息: a short-lived link per fapiao file
  router.get(
    `${PREFIX}/fapiao-applications/:fapiaoApplyId/fapiao-files`,
    v3((ctx) => {
      const app = application(ctx);
      const list: { fapiao_id: string; download_url: string; status: string }[] = [];
      for (const f of app.fapiao) {
        const status = statusOf(f);
        if (status === 'ISSUE_ACCEPTED') {
          list.push({ fapiao_id: f.fapiao_id, download_url: '', status: 'DOWNLOAD_NOT_AVAILABLE' });
          continue;
        }
        const token = randomBytes(24).toString('base64url');
        files.set(token, { applyId: app.fapiao_apply_id, fapiaoId: f.fapiao_id, red: status === 'REVERSED', issuedAt: o.now() });
        list.push({
          fapiao_id: f.fapiao_id,
          download_url: `${o.host}${PREFIX}/download?mchid=${o.mchid}&fapiao_id=${f.fapiao_id}&token=${token}`,
          status: 'DOWNLOAD_AVAILABLE',
        });
      }
      ctx.body = { fapiao_download_info_list: list };
    }),
  );

  // 下载发票文件: the PDF itself (unsigned, like bill files)
  router.get(
    `${PREFIX}/download`,
    v3(
      (ctx) => {
        const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
        const file = files.get(token);
        if (!file || ctx.query.fapiao_id !== file.fapiaoId || o.now().getTime() - file.issuedAt.getTime() > FILE_URL_TTL_MS)
          throw new WechatError(400, 'INVALID_REQUEST', '下载链接无效或已过期，请重新获取');
        const app = applications.get(file.applyId)!;
        const f = app.fapiao.find((x) => x.fapiao_id === file.fapiaoId)!;
        ctx.status = 200;
        ctx.type = 'application/pdf';
        ctx.body = fapiaoPdf(app, f, file.red);
      },
      { unsignedSuccess: true },
    ),
  );

  return {
    applications(): FapiaoView[] {
      return [...applications.values()].map((a) => ({
        fapiao_apply_id: a.fapiao_apply_id,
        buyer: { ...a.buyer },
        fapiao: a.fapiao.map((f) => ({
          fapiao_id: f.fapiao_id,
          status: statusOf(f),
          total_amount: f.total_amount,
          fapiao_number: f.blue?.fapiao_number ?? null,
          reverse_reason: f.reverse?.reason ?? null,
        })),
      }));
    },
  };
}

/** A one-page PDF (Helvetica, ASCII; names as their byte length, as a stand-in has no CJK font) naming the fapiao. */
function fapiaoPdf(app: ApplicationRecord, f: FapiaoRecord, red: boolean): Buffer {
  const lines = [
    red ? 'RED-LETTER E-FAPIAO (reversal)' : 'E-FAPIAO',
    `Fapiao code ${f.blue?.fapiao_code ?? ''}  number ${red ? f.reverse!.fapiao_number : (f.blue?.fapiao_number ?? '')}`,
    `Apply id ${app.fapiao_apply_id}`,
    `Buyer type ${app.buyer.type}${app.buyer.taxpayer_id ? `  taxpayer id ${app.buyer.taxpayer_id}` : ''}`,
    `Total CNY ${red ? '-' : ''}${fenToYuan(f.total_amount)}`,
    ...f.items.map((it) => `Item x${it.quantity}  CNY ${fenToYuan(it.total_amount)}`),
  ];
  const stream = ['BT', '/F1 14 Tf', '50 780 Td', '20 TL', ...lines.map((l) => `(${l.replace(/[\\()]/g, (c) => `\\${c}`)}) '`), 'ET'].join(
    '\n',
  );
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((n) => `${String(n).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
