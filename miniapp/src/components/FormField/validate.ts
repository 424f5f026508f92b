import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** The Chinese message for one zod issue of a form field named `label` (e.g. 原因). */
export function issueMessageZh(issue: Issue, label: string): string {
  if (issue.code === 'too_small') {
    const min = Number(issue.minimum);
    return issue.origin === 'string' ? `请填写${label}（至少${min}个字）` : `${label}不能小于${min}`;
  }
  if (issue.code === 'too_big') {
    const max = Number(issue.maximum);
    return issue.origin === 'string' ? `${label}最多${max}个字` : `${label}不能大于${max}`;
  }
  if (issue.code === 'invalid_type') return `请填写${label}`;
  if (issue.code === 'custom') return `${label}含有不能使用的字符`;
  return `${label}格式不正确`;
}

/**
 * What is wrong with `field` of `data` under the shared request schema, in Chinese; null when the
 * schema accepts it. The page checks with the very schema the endpoint parses, so the two never differ.
 */
export function fieldError<S extends z.ZodType>(schema: S, data: z.input<S>, field: string, label: string): string | null {
  const parsed = schema.safeParse(data, { jitless: true });
  if (parsed.success) return null;
  const issue = parsed.error.issues.find((i) => i.path[0] === field);
  return issue ? issueMessageZh(issue, label) : null;
}
