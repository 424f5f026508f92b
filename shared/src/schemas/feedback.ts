import { z } from 'zod';
import { IdSchema, PageQuerySchema, text } from './common';

// 意见反馈 (issue 10, 我的): a citizen writes to a venue (about a booking or a visit) or to the bureau;
// the venue's managers (or the bureau) answer in the app.
export const FEEDBACK_CATEGORIES = ['facility', 'service', 'booking', 'hygiene', 'safety', 'suggestion', 'other'] as const;
export const FeedbackCategorySchema = z.enum(FEEDBACK_CATEGORIES);
export type FeedbackCategory = z.infer<typeof FeedbackCategorySchema>;
export const FEEDBACK_CATEGORY_LABELS_ZH: Record<FeedbackCategory, string> = {
  facility: '场地设施',
  service: '服务态度',
  booking: '预约与退款',
  hygiene: '环境卫生',
  safety: '安全隐患',
  suggestion: '意见建议',
  other: '其他',
};
export const FEEDBACK_STATUSES = ['open', 'answered', 'closed'] as const;
export const FeedbackStatusSchema = z.enum(FEEDBACK_STATUSES);
export type FeedbackStatus = z.infer<typeof FeedbackStatusSchema>;
export const FEEDBACK_STATUS_LABELS_ZH: Record<FeedbackStatus, string> = { open: '待处理', answered: '已回复', closed: '已关闭' };

export const FEEDBACK_TEXT_MIN = 5;
export const FEEDBACK_TEXT_MAX = 500;
export const FEEDBACK_ANSWER_MAX = 500;
export const FEEDBACK_PHOTOS_MAX = 3;
/** feedback a citizen may send per hour (kernel ratelimit, in the database) */
export const FEEDBACK_PER_HOUR = 5;

export const FeedbackTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('venue'), id: IdSchema }).strict(),
  z.object({ kind: z.literal('bureau') }).strict(),
]);
export type FeedbackTarget = z.infer<typeof FeedbackTargetSchema>;

export const CreateFeedbackSchema = z
  .object({
    target: FeedbackTargetSchema,
    category: FeedbackCategorySchema,
    text: text(FEEDBACK_TEXT_MAX).pipe(z.string().min(FEEDBACK_TEXT_MIN)),
    /** the booking it is about (the caller's own, at that venue) */
    bookingId: IdSchema.optional(),
    photoIds: z.array(IdSchema).max(FEEDBACK_PHOTOS_MAX).optional(),
  })
  .strict();
export type CreateFeedback = z.infer<typeof CreateFeedbackSchema>;
export const AnswerFeedbackSchema = z.object({ text: text(FEEDBACK_ANSWER_MAX).pipe(z.string().min(1)) }).strict();
export const FeedbackListQuerySchema = PageQuerySchema.extend({ status: FeedbackStatusSchema.optional() }).strict();
export const AdminFeedbackListQuerySchema = FeedbackListQuerySchema.extend({ kind: z.enum(['venue', 'bureau']).optional() }).strict();

export const FeedbackSchema = z.object({
  id: IdSchema,
  target: z.object({ kind: z.enum(['venue', 'bureau']), id: IdSchema.nullable(), name: z.string() }),
  category: FeedbackCategorySchema,
  text: z.string(),
  photoIds: z.array(z.string()),
  booking: z.object({ id: IdSchema, resourceName: z.string(), startAt: z.string() }).nullable(),
  status: FeedbackStatusSchema,
  /** the text did not pass WeChat's check: only the bureau sees it until it is answered */
  held: z.boolean(),
  createdAt: z.string(),
  answer: z.object({ text: z.string(), at: z.string(), by: z.enum(['venue', 'bureau']) }).nullable(),
  closedAt: z.string().nullable(),
  /** staff lists only: the sender, masked */
  sender: z.string().optional(),
});
export type Feedback = z.infer<typeof FeedbackSchema>;
export const FeedbackResponseSchema = z.object({ feedback: FeedbackSchema });
export const FeedbackPageSchema = z.object({ items: z.array(FeedbackSchema), nextCursor: z.string().nullable() });
