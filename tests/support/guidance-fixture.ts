import { grant, type TestStack } from './stack';

/** 西园 in 姑苏区 (the session place in the guidance tests) */
export const PLACE = { lat: 31.3158, lng: 120.5986 };

/** A point `metres` north of `from` (1° latitude ≈ 111,195 m on the mean sphere). */
export function north(from: { lat: number; lng: number }, metres: number) {
  return { lat: from.lat + metres / 111_194.93, lng: from.lng };
}

export const profileBody = (over: Record<string, unknown> = {}) => ({
  name: '王建国',
  level: 'third',
  certificateNo: 'SZ-2024-000123',
  specialities: ['taichi', 'baduanjin'],
  district: '姑苏区',
  bio: '从事太极拳教学十年，擅长中老年健身指导。',
  ...over,
});

export const sessionBody = (startAt: Date, over: Record<string, unknown> = {}) => ({
  title: '晨练太极拳',
  sport: 'taichi',
  district: '姑苏区',
  place: { name: '桂花公园', address: '苏州市姑苏区东环路1号', location: PLACE },
  startAt: startAt.toISOString(),
  endAt: new Date(startAt.getTime() + 3600_000).toISOString(),
  capacity: 30,
  difficulty: 'easy',
  bring: '运动鞋、水杯',
  ...over,
});

/** An admin, and a verified instructor (applied, then approved by that admin through the API). */
export async function verifiedInstructor(stack: TestStack, openid: string, admin: { token: string }, over: Record<string, unknown> = {}) {
  const user = await stack.login(openid);
  const applied = await stack.request('PUT', '/instructor/profile', { token: user.token, body: profileBody(over) });
  if (applied.status !== 200) throw new Error(`apply failed: ${applied.status} ${JSON.stringify(applied.body)}`);
  const reviewed = await stack.request('POST', `/admin/instructors/${user.userId}/review`, {
    token: admin.token,
    body: { approved: true, reason: '证书核验通过' },
  });
  if (reviewed.status !== 200) throw new Error(`review failed: ${reviewed.status} ${JSON.stringify(reviewed.body)}`);
  return user;
}

export async function adminUser(stack: TestStack, openid = 'guidance-admin') {
  const admin = await stack.login(openid);
  await grant(stack, admin.userId, 'admin');
  return admin;
}

export async function publish(stack: TestStack, instructor: { token: string }, startAt: Date, over: Record<string, unknown> = {}) {
  const res = await stack.request('POST', '/instructor/sessions', { token: instructor.token, body: sessionBody(startAt, over) });
  if (res.status !== 201) throw new Error(`publish failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items[0] as { id: string; remaining: number; startAt: string };
}

/** Signs up, fetches the ticket's rotating code, and has the instructor scan it (after checking in). */
export async function admit(stack: TestStack, instructor: { token: string }, citizen: { token: string }, sessionId: string) {
  const code = await stack.request('GET', `/tickets/${(await ticketOf(stack, citizen, sessionId)).id}/code`, { token: citizen.token });
  if (code.status !== 200) throw new Error(`code failed: ${code.status} ${JSON.stringify(code.body)}`);
  return stack.request('POST', `/instructor/sessions/${sessionId}/attendance`, { token: instructor.token, body: { code: code.body.code } });
}

export async function ticketOf(stack: TestStack, citizen: { token: string }, sessionId: string) {
  const mine = await stack.request('GET', '/tickets/mine', { token: citizen.token });
  const t = (mine.body.items as { source: { kind: string }; venueId: string; status: string; id: string }[]).find(
    (x: { source: { kind: string }; venueId: string; status: string }) =>
      x.source.kind === 'guidance' && x.venueId === sessionId && x.status === 'valid',
  );
  if (!t) throw new Error(`no valid guidance ticket for ${sessionId}: ${JSON.stringify(mine.body)}`);
  return t as { id: string };
}
