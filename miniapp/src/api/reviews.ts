import Taro from '@tarojs/taro';
import { z } from 'zod';
import {
  CreateReviewResponseSchema,
  CreditResponseSchema,
  ModerateResponseSchema,
  ModerationPageSchema,
  ReplyResponseSchema,
  ReviewEligibilitySchema,
  ReviewPageSchema,
  ReviewSummaryListSchema,
  type ReviewTargetKind,
} from '@citysport/shared';
import { buildUrl, currentToken, request } from './client';

const seg = encodeURIComponent;

/** Reviews after consumption (消费评价) and the credit page (API.md, "Training courses, reviews, recommendations"). */
export const reviewApi = {
  create: (body: {
    target: { kind: ReviewTargetKind; id: string };
    sourceRef: { kind: string; id: string };
    stars: number;
    tags: string[];
    text?: string;
    photoIds?: string[];
  }) => request({ method: 'POST', path: '/reviews', data: body, schema: CreateReviewResponseSchema }),
  list: (kind: ReviewTargetKind, id: string, cursor?: string | null, limit = 10) =>
    request({
      path: '/reviews',
      query: { targetKind: kind, targetId: id, limit, ...(cursor ? { cursor } : {}) },
      schema: ReviewPageSchema,
      auth: false,
      toast: false,
    }),
  summary: (kind: ReviewTargetKind, ids: string[]) =>
    request({
      path: '/reviews/summary',
      query: { targetKind: kind, ids: ids.join(',') },
      schema: ReviewSummaryListSchema,
      auth: false,
      toast: false,
    }),
  eligibility: (sourceKind: string, ids: string[]) =>
    request({ path: '/reviews/eligibility', query: { sourceKind, ids: ids.join(',') }, schema: ReviewEligibilitySchema, toast: false }),
  reply: (reviewId: string, text: string) =>
    request({ method: 'POST', path: `/reviews/${seg(reviewId)}/reply`, data: { text }, schema: ReplyResponseSchema }),
  pending: (cursor?: string | null) =>
    request({
      path: '/admin/reviews/pending',
      query: { limit: 20, ...(cursor ? { cursor } : {}) },
      schema: ModerationPageSchema,
      toast: false,
    }),
  moderate: (reviewId: string, approved: boolean, reason: string) =>
    request({
      method: 'POST',
      path: `/admin/reviews/${seg(reviewId)}/moderate`,
      data: { approved, reason },
      schema: ModerateResponseSchema,
    }),
  credit: () => request({ path: '/admin/credit', schema: CreditResponseSchema, toast: false }),
  creditXlsxUrl: () => buildUrl('/admin/credit', { format: 'xlsx' }),
  photoUrl: (reviewId: string, photoId: string) => buildUrl(`/reviews/${seg(reviewId)}/photos/${seg(photoId)}`),
  /** a photo through the app's one upload (guidance's photo store, POST /guidance/photos) */
  async uploadPhoto(filePath: string): Promise<string> {
    const res = await Taro.uploadFile({
      url: buildUrl('/guidance/photos'),
      filePath,
      name: 'file',
      header: { Authorization: `Bearer ${currentToken() ?? ''}` },
    });
    const body = z.object({ photo: z.object({ id: z.string() }) }).safeParse(JSON.parse(String(res.data || '{}')));
    if (res.statusCode !== 201 || !body.success) throw new Error('照片上传失败');
    return body.data.photo.id;
  },
};
