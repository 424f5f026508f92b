import mongoose, { Schema } from 'mongoose';

/**
 * One-time subscribe-message consents: each "allow" lets us send one message of that template.
 * `remaining` is the credit left, spent and given back through the kernel's capacity.
 */
export interface ConsentDoc {
  _id: string; // `<userId>:<templateId>`
  userId: string;
  templateId: string;
  remaining: number;
  /** the kernel's applied take/give tokens (exactly once per send) */
  applied?: string[];
  updatedAt: Date;
}
export const Consent = mongoose.model<ConsentDoc>(
  'SubscribeConsent',
  new Schema<ConsentDoc>(
    { _id: String, userId: String, templateId: String, remaining: Number, applied: [String], updatedAt: Date },
    { collection: 'subscribe_consents', versionKey: false },
  ),
);
