import mongoose, { Schema, type Types } from 'mongoose';
import type { FeedbackCategory, FeedbackStatus } from '@citysport/shared';

export type CheckRecord = { suggest: string; label: number } | { error: string } | null;

export interface FeedbackDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  targetKind: 'venue' | 'bureau';
  /** the venue written to; null for the bureau */
  venueId: Types.ObjectId | null;
  category: FeedbackCategory;
  text: string;
  photoIds: Types.ObjectId[];
  booking: { id: Types.ObjectId; resourceName: string; startAt: Date } | null;
  status: FeedbackStatus;
  /** WeChat's msgSecCheck of the text; anything but a clear pass holds it for the bureau */
  check: CheckRecord;
  held: boolean;
  answer: { text: string; at: Date; by: Types.ObjectId; role: 'venue' | 'bureau'; check: CheckRecord } | null;
  closedAt: Date | null;
  closedBy: Types.ObjectId | null;
  createdAt: Date;
  /** kernel.effects: what the insert still owes (attaching the photos) */
  pending: string[];
  pendingSince: Date | null;
}

const FeedbackSchemaDef = new Schema<FeedbackDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    targetKind: { type: String, required: true },
    venueId: { type: Schema.Types.ObjectId, default: null },
    category: { type: String, required: true },
    text: { type: String, required: true },
    photoIds: { type: [Schema.Types.ObjectId], default: [] },
    booking: { type: Schema.Types.Mixed, default: null },
    status: { type: String, required: true },
    check: { type: Schema.Types.Mixed, default: null },
    held: { type: Boolean, default: false },
    answer: { type: Schema.Types.Mixed, default: null },
    closedAt: { type: Date, default: null },
    closedBy: { type: Schema.Types.ObjectId, default: null },
    createdAt: { type: Date, required: true },
    pending: { type: [String], default: [] },
    pendingSince: { type: Date, default: null },
  },
  { collection: 'feedback', versionKey: false, minimize: false },
);
FeedbackSchemaDef.index({ userId: 1, _id: -1 });
FeedbackSchemaDef.index({ venueId: 1, status: 1, _id: -1 });
FeedbackSchemaDef.index({ targetKind: 1, status: 1, _id: -1 });
FeedbackSchemaDef.index({ pendingSince: 1 });
export const Feedback = mongoose.model<FeedbackDoc>('Feedback', FeedbackSchemaDef);
