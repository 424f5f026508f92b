import mongoose, { Schema, type Types } from 'mongoose';
import type { Sport, SlotTemplate, VenueRules } from '@citysport/shared';

export interface VenueDoc {
  _id: Types.ObjectId;
  name: string;
  district: string;
  address: string;
  location: { lat: number; lng: number };
  sports: Sport[];
  photos: string[];
  openHours: { open: string; close: string; note?: string };
  facilities: string[];
  contactPhone: string;
  intro: string;
  freeOrLowFee: boolean;
  freeHoursNote: string;
  rules: VenueRules;
  /** lowest template price, kept in step by the service when resources change */
  minPriceFen: number;
  createdAt: Date;
}

const VenueSchema = new Schema<VenueDoc>(
  {
    name: { type: String, required: true },
    district: { type: String, required: true, index: true },
    address: { type: String, required: true },
    location: { lat: { type: Number, required: true }, lng: { type: Number, required: true } },
    sports: { type: [String], index: true },
    photos: { type: [String], default: [] },
    openHours: { open: String, close: String, note: String },
    facilities: { type: [String], default: [] },
    contactPhone: { type: String, default: '' },
    intro: { type: String, default: '' },
    freeOrLowFee: { type: Boolean, default: false },
    freeHoursNote: { type: String, default: '' },
    rules: { type: Schema.Types.Mixed, required: true },
    minPriceFen: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
  },
  { collection: 'venues', versionKey: false, minimize: false },
);
export const Venue = mongoose.model<VenueDoc>('Venue', VenueSchema);

export interface ResourceDoc {
  _id: Types.ObjectId;
  venueId: Types.ObjectId;
  name: string;
  sport: Sport;
  kind: 'court' | 'lane' | 'room' | 'session';
  templates: SlotTemplate[];
  active: boolean;
}

const ResourceSchemaDef = new Schema<ResourceDoc>(
  {
    venueId: { type: Schema.Types.ObjectId, required: true, index: true },
    name: { type: String, required: true },
    sport: { type: String, required: true },
    kind: { type: String, required: true },
    templates: { type: Schema.Types.Mixed, default: [] },
    active: { type: Boolean, default: true },
  },
  { collection: 'resources', versionKey: false },
);
export const Resource = mongoose.model<ResourceDoc>('Resource', ResourceSchemaDef);

export interface SlotDoc {
  _id: Types.ObjectId;
  venueId: Types.ObjectId;
  resourceId: Types.ObjectId;
  resourceName: string;
  sport: Sport;
  /** Shanghai business day 'YYYY-MM-DD' */
  day: string;
  startAt: Date;
  endAt: Date;
  priceFen: number;
  capacity: number;
  /** places left: taken and given back only by guarded $inc (ARCHITECTURE.md) */
  remaining: number;
  status: 'open' | 'closed';
  releaseAt: Date;
}

const SlotSchemaDef = new Schema<SlotDoc>(
  {
    venueId: { type: Schema.Types.ObjectId, required: true },
    resourceId: { type: Schema.Types.ObjectId, required: true },
    resourceName: { type: String, required: true },
    sport: { type: String, required: true },
    day: { type: String, required: true },
    startAt: { type: Date, required: true },
    endAt: { type: Date, required: true },
    priceFen: { type: Number, required: true },
    capacity: { type: Number, required: true },
    remaining: { type: Number, required: true },
    status: { type: String, required: true, default: 'open' },
    releaseAt: { type: Date, required: true },
  },
  { collection: 'slots', versionKey: false },
);
// one slot per resource and start: materialising twice (or from two jobs) cannot duplicate
SlotSchemaDef.index({ resourceId: 1, startAt: 1 }, { unique: true });
SlotSchemaDef.index({ venueId: 1, day: 1 });
// 为你推荐: free slots soon, by sport
SlotSchemaDef.index({ sport: 1, startAt: 1 });
SlotSchemaDef.index({ startAt: 1 });
export const Slot = mongoose.model<SlotDoc>('Slot', SlotSchemaDef);
