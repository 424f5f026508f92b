import { z } from 'zod';

export const ROLES = [
  'citizen',
  'staff',
  'venue_manager',
  'instructor',
  'organiser',
  'club_admin',
  'admin',
  'fitness_staff',
  'course_provider',
  'analyst',
] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** Roles that only make sense for one place (a venue, a club); `scope` names it. */
export const SCOPED_ROLES: readonly Role[] = ['staff', 'venue_manager', 'club_admin', 'fitness_staff', 'course_provider'];

export const ROLE_LABELS_ZH: Record<Role, string> = {
  citizen: '市民',
  staff: '场馆核验员',
  venue_manager: '场馆管理员',
  instructor: '社会体育指导员',
  organiser: '赛事组织者',
  club_admin: '俱乐部管理员',
  admin: '体育局管理员',
  fitness_staff: '体质测试员',
  course_provider: '培训机构管理员',
  analyst: '数据分析员',
};

/** Bureau roles (专人专号, Chongqing 第十八条): opened only as a named personal account, never granted bare. */
export const BUREAU_ROLES = ['admin', 'analyst'] as const;
export type BureauRole = (typeof BUREAU_ROLES)[number];
export const isBureauRole = (r: string): r is BureauRole => (BUREAU_ROLES as readonly string[]).includes(r);
