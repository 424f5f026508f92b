/**
 * The subscribe messages (订阅消息) the platform sends, in one register: our name, the title picked
 * from WeChat's public template library, the page the message opens and its keywords. A keyword's
 * name says its type (thing1, time2 …) and WeChat refuses a value that breaks that type's rule
 * (errcode 47003), so values are checked here before a send — by the cloud and by the stand-in.
 *
 * Production maps each name to the mini-program's own template id (WECHAT_SUBSCRIBE_TEMPLATES);
 * development and the stand-in use the names themselves.
 */
import { z } from 'zod';

export interface SubscribeTemplateSpec {
  title: string;
  page: string;
  keywords: readonly string[];
}

export const SUBSCRIBE_TEMPLATES = {
  booking_reminder: { title: '预约开始提醒', page: 'packages/booking/mine', keywords: ['thing1', 'thing2', 'time3'] },
  booking_cancelled: { title: '预约取消通知', page: 'packages/booking/mine', keywords: ['thing1', 'time2', 'thing3'] },
  waitlist_offer: { title: '候补成功通知', page: 'packages/booking/mine', keywords: ['thing1', 'time2', 'thing3'] },
  release_reminder: { title: '放号提醒', page: 'pages/venues/index', keywords: ['thing1', 'thing2', 'time3'] },
  payment_refunded: { title: '退款通知', page: 'packages/pay/orders', keywords: ['thing1', 'thing2'] },
  gate_alert: { title: '设备异常提醒', page: 'packages/gate/index', keywords: ['thing1', 'phrase2', 'number3'] },
  club_announcement: { title: '社团公告通知', page: 'packages/club/mine', keywords: ['thing1', 'thing2'] },
  club_status: { title: '社团状态变更通知', page: 'packages/club/mine', keywords: ['thing1', 'thing2', 'thing3'] },
  club_dues_reminder: { title: '会费到期提醒', page: 'packages/club/mine', keywords: ['thing1', 'date2', 'thing3'] },
  event_draw_result: { title: '抽签结果通知', page: 'packages/event/mine', keywords: ['thing1', 'phrase2', 'thing3'] },
  event_pay_deadline: { title: '待支付提醒', page: 'packages/event/mine', keywords: ['thing1', 'amount2', 'time3', 'thing4'] },
  event_start_reminder: { title: '赛事开始提醒', page: 'packages/event/mine', keywords: ['thing1', 'time2', 'thing3', 'thing4'] },
} as const satisfies Record<string, SubscribeTemplateSpec>;

export type SubscribeTemplate = keyof typeof SUBSCRIBE_TEMPLATES;
export const SUBSCRIBE_TEMPLATE_NAMES = Object.keys(SUBSCRIBE_TEMPLATES) as [SubscribeTemplate, ...SubscribeTemplate[]];
export const SubscribeTemplateSchema = z.enum(SUBSCRIBE_TEMPLATE_NAMES);
export const isSubscribeTemplate = (name: string): name is SubscribeTemplate => Object.hasOwn(SUBSCRIBE_TEMPLATES, name);

/** GET /notifications/templates?names=a,b (3 at most: WeChat asks for no more at a time) */
export const SubscribeTemplatesQuerySchema = z
  .object({
    names: z
      .string()
      .max(200)
      .transform((v) => v.split(','))
      .pipe(z.array(SubscribeTemplateSchema).min(1).max(3))
      .optional(),
  })
  .strict();

/** one template a page may ask for: our name, WeChat's id for it (what wx.requestSubscribeMessage takes), its title */
export interface SubscribeTemplateDto {
  name: SubscribeTemplate;
  templateId: string;
  title: string;
}

const DAY = String.raw`(\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2})`;
const CLOCK = String.raw`\d{1,2}:\d{2}(:\d{2})?`;
const POINT_TIME = `(${DAY}\\s?)?${CLOCK}|${DAY}`;
const POINT_DATE = `${DAY}(\\s?${CLOCK})?`;
const span = (point: string) => new RegExp(`^(${point})(\\s?~\\s?(${point}))?$`);

/** WeChat's rule per keyword type (小程序订阅消息 · 参数值内容限制), by the keyword's name without its number. */
const KEYWORD_RULES: Record<string, { test: (v: string) => boolean; rule: string }> = {
  thing: { test: (v) => Array.from(v).length >= 1 && Array.from(v).length <= 20, rule: '20 characters at most' },
  phrase: { test: (v) => /^[\u4e00-\u9fa5]{1,5}$/.test(v), rule: 'Chinese only, 5 characters at most' },
  number: { test: (v) => /^\d+(\.\d+)?$/.test(v) && v.length <= 32, rule: 'digits (a decimal allowed), 32 at most' },
  letter: { test: (v) => /^[A-Za-z]{1,32}$/.test(v), rule: 'letters, 32 at most' },
  symbol: { test: (v) => v.length >= 1 && v.length <= 5 && !/[\p{L}\p{N}]/u.test(v), rule: 'symbols, 5 at most' },
  character_string: { test: (v) => /^[\x21-\x7e]{1,32}$/.test(v), rule: 'digits, letters and symbols, 32 at most' },
  time: { test: (v) => span(POINT_TIME).test(v), rule: '24-hour time (a date before it allowed), or a span with ~' },
  date: { test: (v) => span(POINT_DATE).test(v), rule: 'a date (a 24-hour time after it allowed), or a span with ~' },
  amount: { test: (v) => /^[¥$€£]?\d{1,10}(\.\d{1,2})?元?$/.test(v), rule: 'one currency sign, 10 digits at most, 元 at the end allowed' },
  phone_number: { test: (v) => /^[\d+\-() ]{1,17}$/.test(v), rule: 'a phone number, 17 characters at most' },
  car_number: { test: (v) => Array.from(v).length >= 1 && Array.from(v).length <= 8, rule: '8 characters at most' },
  name: {
    test: (v) => Array.from(v).length >= 1 && (/^[\u4e00-\u9fa5·]+$/.test(v) ? v.length <= 10 : v.length <= 20),
    rule: '10 Chinese or 20 Latin characters at most',
  },
};

/** Why WeChat would refuse this value for this keyword (null when it takes it). */
export function keywordValueProblem(keyword: string, value: string): string | null {
  const type = keyword.replace(/\d+$/, '');
  const rule = KEYWORD_RULES[type];
  if (!rule) return `${keyword}: unknown keyword type`;
  return rule.test(value) ? null : `${keyword}: ${rule.rule} (got ${JSON.stringify(value)})`;
}

/** Free text cut to what a `thing` keyword takes (20 characters, the last one an ellipsis), so a long venue name never costs the message. */
export function fitSubscribeData(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => {
      const chars = Array.from(v.trim());
      return [k, /^thing\d+$/.test(k) && chars.length > 20 ? `${chars.slice(0, 19).join('')}…` : chars.join('')];
    }),
  );
}

/** Why a message's data does not fit its template (the keywords, exactly, each by its rule); null when it does. */
export function subscribeDataProblem(name: string, data: Record<string, string>): string | null {
  if (!isSubscribeTemplate(name)) return `unknown template ${name}`;
  const want: readonly string[] = SUBSCRIBE_TEMPLATES[name].keywords;
  const got = Object.keys(data);
  const missing = want.filter((k) => !got.includes(k));
  const extra = got.filter((k) => !want.includes(k));
  if (missing.length || extra.length)
    return `${name}: keywords ${want.join(',')} expected (missing ${missing.join(',') || '-'}, extra ${extra.join(',') || '-'})`;
  for (const k of want) {
    const problem = keywordValueProblem(k, data[k]);
    if (problem) return `${name}: ${problem}`;
  }
  return null;
}
