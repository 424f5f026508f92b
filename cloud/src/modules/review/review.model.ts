import mongoose, { Schema, type Types } from 'mongoose';
import type { ReviewStatus, ReviewTargetKind } from '@citysport/shared';

export type CheckRecord = { suggest: string; label: number } | { error: string } | null;

export interface ReplyDoc {
  text: string;
  at: Date;
  by: Types.ObjectId;
  /** a flagged reply waits for moderation like a review */
  status: 'published' | 'pending_moderation' | 'rejected';
  check: CheckRecord;
  /** the admin's decision on a held reply */
  moderation?: { by: Types.ObjectId; at: Date; approved: boolean; reason: string };
}

export interface ReviewDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  targetKind: ReviewTargetKind;
  targetId: Types.ObjectId;
  sourceKind: string;
  sourceId: Types.ObjectId;
  stars: number;
  tags: string[];
  text: string;
  photoIds: Types.ObjectId[];
  /** ≤ COMPLAINT_MAX_STARS stars or tagged 投诉 */
  complaint: boolean;
  status: ReviewStatus;
  /** what WeChat's msgSecCheck said of the text (or why it could not say) */
  check: CheckRecord;
  /** why it waits for a moderator: flagged text, failed check, photos */
  heldFor: string[];
  moderation: { by: Types.ObjectId; at: Date; approved: boolean; reason: string } | null;
  reply: ReplyDoc | null;
  createdAt: Date;
  publishedAt: Date | null;
  /** kernel.effects: the review.published event owed after it became public */
  pending: string[];
  pendingSince: Date | null;
}

const ReviewSchemaDef = new Schema<ReviewDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    targetKind: { type: String, required: true },
    targetId: { type: Schema.Types.ObjectId, required: true },
    sourceKind: { type: String, required: true },
    sourceId: { type: Schema.Types.ObjectId, required: true },
    stars: { type: Number, required: true },
    tags: { type: [String], default: [] },
    text: { type: String, default: '' },
    photoIds: { type: [Schema.Types.ObjectId], default: [] },
    complaint: { type: Boolean, required: true },
    status: { type: String, required: true },
    check: { type: Schema.Types.Mixed, default: null },
    heldFor: { type: [String], default: [] },
    moderation: { type: Schema.Types.Mixed, default: null },
    reply: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
    publishedAt: { type: Date, default: null },
    pending: { type: [String], default: [] },
    pendingSince: { type: Date, default: null },
  },
  { collection: 'reviews', versionKey: false, minimize: false },
);
/** the guard: one review per citizen per target, through whichever source (a second → REVIEW_EXISTS) */
ReviewSchemaDef.index({ userId: 1, targetKind: 1, targetId: 1 }, { unique: true, name: 'one_review_per_target' });
ReviewSchemaDef.index({ targetKind: 1, targetId: 1, status: 1, _id: -1 });
ReviewSchemaDef.index({ status: 1, _id: -1 });
ReviewSchemaDef.index({ 'reply.status': 1 });
ReviewSchemaDef.index({ userId: 1, _id: -1 });
export const Review = mongoose.model<ReviewDoc>('Review', ReviewSchemaDef);
