import { z } from 'zod';
import { IdSchema, PageQuerySchema, text } from './common';

/**
 * Reviews after consumption (消费评价, issue 15) and the credit page (信用). What may be reviewed
 * (`target`) and the fact that allows it (`sourceRef`: a used booking, an attended registration,
 * session or club activity) are pluggable: modules register review sources and targets.
 */
export const REVIEW_TARGET_KINDS = ['venue', 'course', 'event', 'club', 'instructor'] as const;
export type ReviewTargetKind = (typeof REVIEW_TARGET_KINDS)[number];
export const ReviewTargetKindSchema = z.enum(REVIEW_TARGET_KINDS);
export const REVIEW_TARGET_LABELS_ZH: Record<ReviewTargetKind, string> = {
  venue: '场馆',
  course: '课程',
  event: '赛事活动',
  club: '体育社团',
  instructor: '健身指导员',
};

/** A source kind names the fact a module vouches for (booking, registration, guidance_session, club_activity, …). */
export const ReviewSourceKindSchema = z.string().regex(/^[a-z][a-z_]{1,31}$/, 'not a source kind');

/** The tags a citizen may pick, per target kind; 投诉 marks a complaint on every kind. */
export const COMPLAINT_TAG = '投诉';
export const REVIEW_TAGS: Record<ReviewTargetKind, readonly string[]> = {
  venue: ['场地干净', '设施完好', '服务好', '价格实惠', '交通方便', '预约方便', '环境差', '设施老旧', COMPLAINT_TAG],
  course: ['教练专业', '内容实用', '孩子喜欢', '服务好', '价格实惠', '组织有序', '上课不准时', COMPLAINT_TAG],
  event: ['组织有序', '场地好', '服务好', '氛围好', '赛程合理', '组织混乱', COMPLAINT_TAG],
  club: ['氛围好', '活动丰富', '组织有序', '收费合理', '活动取消多', COMPLAINT_TAG],
  instructor: ['教练专业', '讲解耐心', '准时', '内容实用', '不准时', COMPLAINT_TAG],
};
/** A review with at most this many stars, or tagged 投诉, counts as a complaint on the credit page. */
export const COMPLAINT_MAX_STARS = 2;
export const REVIEW_TEXT_MAX = 300;
export const REVIEW_REPLY_MAX = 300;
export const REVIEW_PHOTOS_MAX = 3;

export const ReviewStatusSchema = z.enum(['published', 'pending_moderation', 'rejected']);
export type ReviewStatus = z.infer<typeof ReviewStatusSchema>;
export const REVIEW_STATUS_LABELS_ZH: Record<ReviewStatus, string> = {
  published: '已发布',
  pending_moderation: '审核中',
  rejected: '未通过审核',
};

export const CreateReviewSchema = z
  .object({
    target: z.object({ kind: ReviewTargetKindSchema, id: IdSchema }).strict(),
    sourceRef: z.object({ kind: ReviewSourceKindSchema, id: IdSchema }).strict(),
    stars: z.number().int().min(1).max(5),
    tags: z.array(z.string().max(10)).max(6).default([]),
    text: text(REVIEW_TEXT_MAX).optional(),
    photoIds: z.array(IdSchema).max(REVIEW_PHOTOS_MAX).optional(),
  })
  .strict();
export type CreateReview = z.infer<typeof CreateReviewSchema>;

export const ReviewListQuerySchema = PageQuerySchema.extend({ targetKind: ReviewTargetKindSchema, targetId: IdSchema }).strict();
export const ReviewSummaryQuerySchema = z
  .object({
    targetKind: ReviewTargetKindSchema,
    /** comma-separated ids, at most 50 */
    ids: z.string().max(50 * 25),
  })
  .strict();
export const ReviewEligibilityQuerySchema = z.object({ sourceKind: ReviewSourceKindSchema, ids: z.string().max(50 * 25) }).strict();
export const ReviewReplySchema = z.object({ text: text(REVIEW_REPLY_MAX).pipe(z.string().min(1)) }).strict();
export const ModerateReviewSchema = z.object({ approved: z.boolean(), reason: text(200).pipe(z.string().min(1)) }).strict();
export const ModerationQueueQuerySchema = PageQuerySchema.strict();
export const ProviderReviewsQuerySchema = PageQuerySchema.extend({ targetKind: ReviewTargetKindSchema, targetId: IdSchema }).strict();
export const CreditQuerySchema = z.object({ format: z.enum(['json', 'xlsx']).default('json') }).strict();

export interface ReviewReply {
  text: string;
  at: string;
}
export interface PublicReview {
  id: string;
  target: { kind: ReviewTargetKind; id: string };
  /** masked nickname, e.g. 市*** */
  reviewer: string;
  stars: number;
  tags: string[];
  text: string;
  photoIds: string[];
  createdAt: string;
  reply: ReviewReply | null;
}
export interface MyReview extends PublicReview {
  status: ReviewStatus;
  sourceRef: { kind: string; id: string };
}
export interface ModerationItem extends MyReview {
  targetName: string;
  check: { suggest: string; label: number } | { error: string } | null;
  /** the reply waiting for moderation, if it is the reply that was flagged */
  pendingReply: ReviewReply | null;
}
export interface ReviewSummary {
  targetId: string;
  count: number;
  /** one decimal, null without reviews */
  average: number | null;
  tags: { tag: string; count: number }[];
}
export interface ProviderCredit {
  kind: 'venue' | 'organiser' | 'club' | 'instructor' | 'course_provider';
  id: string;
  name: string;
  reviewCount: number;
  average: number | null;
  complaints: number;
  cancellations: number;
}
export interface CitizenCredit {
  userId: string;
  /** masked nickname */
  name: string;
  noShows: number;
  activeBans: number;
  bans: number;
}
export const PROVIDER_KIND_LABELS_ZH: Record<ProviderCredit['kind'], string> = {
  venue: '场馆',
  organiser: '赛事组织者',
  club: '体育社团',
  instructor: '健身指导员',
  course_provider: '培训机构',
};

// ---------- response schemas (the mini-program parses what it gets) ----------
const ReplySchema = z.object({ text: z.string(), at: z.string() });
export const PublicReviewSchema = z.object({
  id: z.string(),
  target: z.object({ kind: ReviewTargetKindSchema, id: z.string() }),
  reviewer: z.string(),
  stars: z.number(),
  tags: z.array(z.string()),
  text: z.string(),
  photoIds: z.array(z.string()),
  createdAt: z.string(),
  reply: ReplySchema.nullable(),
});
export const ReviewPageSchema = z.object({ items: z.array(PublicReviewSchema), nextCursor: z.string().nullable() });
export const ModerationItemSchema = PublicReviewSchema.extend({
  status: ReviewStatusSchema,
  sourceRef: z.object({ kind: z.string(), id: z.string() }),
  targetName: z.string(),
  check: z.union([z.object({ suggest: z.string(), label: z.number() }), z.object({ error: z.string() })]).nullable(),
  pendingReply: ReplySchema.nullable(),
});
export const ModerationPageSchema = z.object({ items: z.array(ModerationItemSchema), nextCursor: z.string().nullable() });
export const ReviewSummarySchema = z.object({
  targetId: z.string(),
  count: z.number(),
  average: z.number().nullable(),
  tags: z.array(z.object({ tag: z.string(), count: z.number() })),
});
export const ReviewSummaryListSchema = z.object({ items: z.array(ReviewSummarySchema) });
export const CreateReviewResponseSchema = z.object({ review: z.object({ id: z.string(), status: ReviewStatusSchema }) });
export const ReviewEligibilitySchema = z.object({
  items: z.array(
    z.object({
      sourceId: z.string(),
      eligible: z.boolean(),
      target: z.object({ kind: z.string(), id: z.string() }).nullable(),
      review: z.object({ id: z.string(), status: z.string() }).nullable(),
    }),
  ),
});
export type ReviewEligibility = z.infer<typeof ReviewEligibilitySchema>['items'][number];
export const ModerateResponseSchema = z.object({ review: z.object({ id: z.string(), status: ReviewStatusSchema }).passthrough() });
export const ReplyResponseSchema = z.object({ reply: z.object({ status: z.string() }) });
export const CreditResponseSchema = z.object({
  providers: z.array(
    z.object({
      kind: z.enum(['venue', 'organiser', 'club', 'instructor', 'course_provider']),
      id: z.string(),
      name: z.string(),
      reviewCount: z.number(),
      average: z.number().nullable(),
      complaints: z.number(),
      cancellations: z.number(),
    }),
  ),
  citizens: z.array(z.object({ userId: z.string(), name: z.string(), noShows: z.number(), activeBans: z.number(), bans: z.number() })),
});
