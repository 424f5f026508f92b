import { idCardCheckChar } from '@citysport/shared';
import type { TestStack } from '../support/stack';
import { grant } from '../support/stack';

export type User = { token: string; userId: string };
const DAY = 86_400_000;

let seq = 0;
/** A valid GB 11643 number for a birth date (YYYYMMDD), unique per call. */
export function idNumber(birth: string): string {
  seq++;
  const first17 = `320508${birth}${String(seq % 1000).padStart(3, '0')}`;
  return first17 + idCardCheckChar(first17);
}
let code = 0;
/** a unique unified social credit code */
export function creditCode(): string {
  code++;
  return `52320500${String(code).padStart(9, '0')}X`;
}

export async function bureauAdmin(stack: TestStack, openid = 'course-bureau'): Promise<User> {
  const admin = await stack.login(openid);
  await grant(stack, admin.userId, 'admin');
  return admin;
}

/** an approved training organisation managed by `manager` (course_provider for it) */
export async function trainingOrg(stack: TestStack, admin: User, manager: User, name = '苏州青少年体育培训中心'): Promise<string> {
  const res = await stack.request('POST', '/admin/training-orgs', {
    token: admin.token,
    body: { name, district: '姑苏区', creditCode: creditCode(), contactName: '王老师', managerUserId: manager.userId },
  });
  if (res.status !== 201) throw new Error(`org failed ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.organisation.id;
}

/** 8 weekly lessons from a week after `now`, enrolment open from a day before now until the day before the first lesson */
export function courseBody(now: Date, orgId: string, over: Record<string, unknown> = {}) {
  const first = new Date(now.getTime() + 7 * DAY);
  const lessons = Array.from({ length: 8 }, (_, i) => {
    const startAt = new Date(first.getTime() + i * 7 * DAY);
    return { startAt: startAt.toISOString(), endAt: new Date(startAt.getTime() + 90 * 60_000).toISOString() };
  });
  return {
    provider: { organisationId: orgId },
    title: '少儿游泳暑期班',
    description: '零基础学蛙泳',
    sport: 'swimming',
    level: 'beginner',
    minAge: 6,
    maxAge: 40,
    place: { address: '姑苏区人民路100号游泳馆', district: '姑苏区' },
    lessons,
    capacity: 20,
    priceFen: 80_000,
    enrolOpensAt: new Date(now.getTime() - DAY).toISOString(),
    enrolClosesAt: new Date(first.getTime() - DAY).toISOString(),
    refundRule: { beforeStart: 'full', afterStart: 'pro_rata', noRefundFromLesson: 4 },
    certificateMinLessons: 6,
    teacher: { name: '李教练' },
    ...over,
  };
}

export async function publish(stack: TestStack, provider: User, body: Record<string, unknown>): Promise<string> {
  const res = await stack.request('POST', '/provider/courses', { token: provider.token, body });
  if (res.status !== 201) throw new Error(`publish failed ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.course.id;
}

export const child = (name = '小明', birth = '20160315') => ({
  participant: { name, idNumber: idNumber(birth) },
  guardianConsent: { name: '王芳', relation: 'parent', accepted: true },
});
export const adult = (name = '张伟', birth = '19900101') => ({ participant: { name, idNumber: idNumber(birth) } });
