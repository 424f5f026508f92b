import mongoose, { Schema } from 'mongoose';

/** One-time subscribe-message consents: each "allow" lets us send one message of that template. */
export interface ConsentDoc {
  _id: string; // `<userId>:<templateId>`
  userId: string;
  templateId: string;
  credits: number;
  updatedAt: Date;
}
export const Consent = mongoose.model<ConsentDoc>(
  'SubscribeConsent',
  new Schema<ConsentDoc>(
    { _id: String, userId: String, templateId: String, credits: Number, updatedAt: Date },
    { collection: 'subscribe_consents', versionKey: false },
  ),
);
