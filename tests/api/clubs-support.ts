import type { TestStack } from '../support/stack';
import { grant } from '../support/stack';

export type User = { token: string; userId: string };

let seq = 0;
export function application(over: Record<string, unknown> = {}) {
  seq++;
  return {
    name: `测试社团${seq}`,
    sport: 'running',
    district: '姑苏区',
    purpose: '一起锻炼',
    charter: '第一条 本会为群众性体育组织。',
    contactName: '张三',
    contactPhone: '13800138000',
    ...over,
  };
}

export async function bureauAdmin(stack: TestStack, openid = 'club-bureau'): Promise<User> {
  const admin = await stack.login(openid);
  await grant(stack, admin.userId, 'admin');
  return admin;
}

/** applies as `founder` and has `admin` approve it; returns the club id */
export async function approvedClub(stack: TestStack, founder: User, admin: User, over: Record<string, unknown> = {}): Promise<string> {
  const applied = await stack.request('POST', '/clubs', { token: founder.token, body: application(over) });
  if (applied.status !== 201) throw new Error(`apply failed ${applied.status} ${JSON.stringify(applied.body)}`);
  const id = applied.body.club.id as string;
  const reviewed = await stack.request('POST', `/admin/clubs/${id}/review`, {
    token: admin.token,
    body: { approved: true, reason: '材料齐全' },
  });
  if (reviewed.status !== 200) throw new Error(`review failed ${reviewed.status} ${JSON.stringify(reviewed.body)}`);
  return id;
}

/** joins and is approved by the founder (club admin) */
export async function memberOf(stack: TestStack, clubId: string, founder: User, user: User, body: Record<string, unknown> = {}) {
  const joined = await stack.request('POST', `/clubs/${clubId}/join`, { token: user.token, body });
  if (joined.status !== 201) throw new Error(`join failed ${joined.status} ${JSON.stringify(joined.body)}`);
  if (joined.body.membership.status === 'member') return;
  const ok = await stack.request('POST', `/clubs/${clubId}/members/${user.userId}/approve`, { token: founder.token, body: {} });
  if (ok.status !== 200) throw new Error(`approve failed ${ok.status} ${JSON.stringify(ok.body)}`);
}

export function activityBody(clock: { now(): Date }, over: Record<string, unknown> = {}) {
  const start = new Date(clock.now().getTime() + 2 * 86_400_000);
  return {
    title: '周末晨跑',
    place: '金鸡湖步道',
    startAt: start.toISOString(),
    endAt: new Date(start.getTime() + 2 * 3600_000).toISOString(),
    capacity: 20,
    membersOnly: true,
    ...over,
  };
}
