import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startMockWechat, type RunningMock } from '../../mock/src/wechat/server';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Subscribe messages through the real WeChat client against the stand-in, with a replaced
 * access_token dying at once (tokenGraceMs 0): two API instances must not invalidate each
 * other's token, and a user's consent credit is spent only by a message that was delivered.
 */
const clock = new ManualClock(new Date('2026-11-21T08:00:00Z'));
let wechat: RunningMock;
let a: TestStack;
let b: TestStack;

beforeAll(async () => {
  wechat = await startMockWechat({ appid: 'wx-test-app', secret: 'test-secret', port: 0, tokenGraceMs: 0 });
  a = await startTestStack('notifications', { clock, env: { WECHAT_API_BASE: wechat.url } });
  b = await startTestStack('notifications-b', { clock, reuseConnection: true, env: { WECHAT_API_BASE: wechat.url } });
});
afterAll(async () => {
  await b.stop();
  await a.stop();
  await wechat.stop();
});

async function consent(stack: TestStack, token: string, times: number) {
  for (let i = 0; i < times; i++) {
    const res = await stack.request('POST', '/notifications/subscriptions', {
      token,
      body: { templateIds: ['booking_reminder'], accepted: true },
    });
    expect(res.status).toBe(204);
  }
}
const creditsOf = async (userId: string) =>
  (await mongoose.connection.db!.collection('subscribe_consents').findOne({ _id: `${userId}:booking_reminder` as never }))?.remaining;
const sentTo = (openid: string) => wechat.sentMessages.filter((m) => m.touser === openid);
const reminder = (n: number) => ({ thing1: `提醒 ${n}`, thing2: '1号场', time3: '2026-11-21 10:00' });

test('two instances sending in turn share one access_token and deliver every message', async () => {
  const user = await a.login('notify-shared');
  await consent(a, user.token, 6);
  const tokensBefore = wechat.subscribe.tokensIssued();
  for (let i = 0; i < 6; i++) await (i % 2 ? b : a).cloud.services.notifications.notify(user.userId, 'booking_reminder', reminder(i));
  expect(sentTo('notify-shared').map((m) => m.data.thing1.value)).toEqual([0, 1, 2, 3, 4, 5].map((n) => `提醒 ${n}`));
  expect(await creditsOf(user.userId)).toBe(0);
  expect(wechat.subscribe.tokensIssued() - tokensBefore).toBeLessThanOrEqual(1);
});

test('a failed send keeps the credit; the next send spends it', async () => {
  const user = await a.login('notify-credit');
  await consent(a, user.token, 1);
  wechat.subscribe.failNextSends(1, { errcode: -1, errmsg: 'system error' });
  await a.cloud.services.notifications.notify(user.userId, 'booking_reminder', reminder(1));
  expect(sentTo('notify-credit')).toEqual([]);
  expect(await creditsOf(user.userId)).toBe(1);

  await b.cloud.services.notifications.notify(user.userId, 'booking_reminder', reminder(2));
  expect(sentTo('notify-credit').map((m) => m.data.thing1.value)).toEqual(['提醒 2']);
  expect(await creditsOf(user.userId)).toBe(0);

  // no credit left: nothing is sent and the count stays at zero
  await a.cloud.services.notifications.notify(user.userId, 'booking_reminder', reminder(3));
  expect(sentTo('notify-credit')).toHaveLength(1);
  expect(await creditsOf(user.userId)).toBe(0);
});

test('a token replaced elsewhere is fetched again and the message still goes, once', async () => {
  const user = await a.login('notify-revoked');
  await consent(a, user.token, 2);
  await a.cloud.services.notifications.notify(user.userId, 'booking_reminder', reminder(1));
  // someone (another tool on the same appid) forces a new stable token: ours dies at once here
  const forced = await fetch(`${wechat.url}/cgi-bin/stable_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credential', appid: 'wx-test-app', secret: 'test-secret', force_refresh: true }),
  });
  expect(((await forced.json()) as { access_token?: string }).access_token).toMatch(/^[0-9a-f]{48}$/);
  await a.cloud.services.notifications.notify(user.userId, 'booking_reminder', reminder(2));
  expect(sentTo('notify-revoked').map((m) => m.data.thing1.value)).toEqual(['提醒 1', '提醒 2']);
  expect(await creditsOf(user.userId)).toBe(0);
});

test('a message that breaks its template (WeChat would answer 47003) is not sent and keeps the credit', async () => {
  const user = await a.login('notify-misfit');
  await consent(a, user.token, 1);
  await a.cloud.services.notifications.notify(user.userId, 'booking_reminder', { ...reminder(1), time3: '明天上午十点' });
  await a.cloud.services.notifications.notify(user.userId, 'booking_reminder', { thing1: '少一个关键词', time3: '10:00' });
  expect(sentTo('notify-misfit')).toEqual([]);
  expect(await creditsOf(user.userId)).toBe(1);
  // a long venue name is cut to what a thing keyword takes, and the message goes
  await a.cloud.services.notifications.notify(user.userId, 'booking_reminder', {
    ...reminder(2),
    thing1: '苏州工业园区金鸡湖国际体育文化中心羽毛球综合训练馆',
  });
  expect(sentTo('notify-misfit').map((m) => Array.from(m.data.thing1.value).length)).toEqual([20]);
  expect(await creditsOf(user.userId)).toBe(0);
});

test('the stand-in refuses what WeChat refuses: an unknown template id (40037), a value breaking its keyword (47003)', async () => {
  const token = (
    (await (
      await fetch(`${wechat.url}/cgi-bin/stable_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credential', appid: 'wx-test-app', secret: 'test-secret' }),
      })
    ).json()) as { access_token: string }
  ).access_token;
  const send = async (body: unknown) =>
    (await (
      await fetch(`${wechat.url}/cgi-bin/message/subscribe/send?access_token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as { errcode: number };
  const data = { thing1: { value: '苏州市体育中心' }, thing2: { value: '羽毛球' }, time3: { value: '2026-11-21 10:00' } };
  expect((await send({ touser: 'o-x', template_id: 'no_such', data })).errcode).toBe(40037);
  expect(
    (await send({ touser: 'o-x', template_id: 'release_reminder', data: { ...data, time3: { value: '10:00 已放号' } } })).errcode,
  ).toBe(47003);
  expect((await send({ touser: 'o-x', template_id: 'release_reminder', data })).errcode).toBe(0);
});

test('GET /notifications/templates: the ids a page asks WeChat for; unknown names, more than 3, operators → 400', async () => {
  const res = await a.request('GET', '/notifications/templates?names=event_draw_result,event_pay_deadline');
  expect(res.status).toBe(200);
  expect(res.body.items).toEqual([
    { name: 'event_draw_result', templateId: 'event_draw_result', title: '抽签结果通知' },
    { name: 'event_pay_deadline', templateId: 'event_pay_deadline', title: '待支付提醒' },
  ]);
  for (const q of ['names=made_up', 'names=a,b,c,d', 'names[$gt]=', `names=${'x'.repeat(300)}`, 'other=1']) {
    const bad = await a.request('GET', `/notifications/templates?${q}`);
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
  }
  const consentBad = await a.request('POST', '/notifications/subscriptions', {
    token: (await a.login('notify-bad')).token,
    body: { templateIds: ['made_up'], accepted: true },
  });
  expect(consentBad.status).toBe(400);
});

test('with WECHAT_SUBSCRIBE_TEMPLATES the app offers the configured ids only', async () => {
  const configured = await startTestStack('notifications-configured', {
    clock,
    reuseConnection: true,
    env: { WECHAT_API_BASE: wechat.url, WECHAT_SUBSCRIBE_TEMPLATES: JSON.stringify({ booking_reminder: 'Xq3_kLm-9aZ' }) },
  });
  try {
    const res = await configured.request('GET', '/notifications/templates');
    expect(res.body.items).toEqual([{ name: 'booking_reminder', templateId: 'Xq3_kLm-9aZ', title: '预约开始提醒' }]);
  } finally {
    await configured.stop();
  }
});
