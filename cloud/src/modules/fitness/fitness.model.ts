import mongoose, { Schema, Types } from 'mongoose';
import type { FitnessGrade, FitnessItem, FitnessSex, Measurements, ScoredItem } from '@citysport/shared';

export interface FitnessStationDoc {
  _id: Types.ObjectId;
  name: string;
  district: string;
  address: string;
  hours: string;
  ageBands: ('20-39' | '40-59')[];
  items: FitnessItem[];
  createdAt: Date;
  updatedAt?: Date;
  /** an admin adding slots holds this while it checks for overlaps and inserts (fitness.service withSlotsClaim) */
  slotsClaim?: { owner: string; until: Date } | null;
  /** bumped each time an admin's new slots are in: the revision an overlap check was made against */
  slotsRev?: number;
}

/** a capacity counter (kernel.capacity kind `fitness_slot`): `remaining` + `applied` tokens */
export interface FitnessSlotDoc {
  _id: Types.ObjectId;
  stationId: Types.ObjectId;
  date: string;
  startAt: Date;
  endAt: Date;
  capacity: number;
  remaining: number;
  status: 'open' | 'closed';
  applied: string[];
}

export type FitnessBookingStatus = 'taking' | 'booked' | 'checked_in' | 'measured' | 'failed';

export interface FitnessBookingDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  stationId: Types.ObjectId;
  slotId: Types.ObjectId;
  startAt: Date;
  endAt: Date;
  status: FitnessBookingStatus;
  requestKey: string | null;
  /** keyed hash of the ID number (one booking per person per slot); replaced when a booking fails */
  participantKey: string;
  participantNameSealed: string;
  participantIdSealed: string;
  /** sex and age on the test day are what scoring needs; the birth date stays inside the sealed ID */
  sex: FitnessSex;
  ageOnTestDay: number;
  consent: { healthData: true; version: string; at: Date };
  guardianConsent: { guardianName: string; relation: string; version: string; at: Date } | null;
  reportId: Types.ObjectId | null;
  createdAt: Date;
  pending?: string[];
  pendingSince?: Date;
}

export interface FitnessReportDoc {
  _id: Types.ObjectId;
  bookingId: Types.ObjectId;
  userId: Types.ObjectId;
  stationId: Types.ObjectId;
  district: string;
  testDate: string;
  standard: string;
  sex: FitnessSex;
  age: number;
  ageGroup: string;
  measurementsSealed: string;
  items: ScoredItem[];
  total: number;
  maxTotal: number;
  grade: FitnessGrade | null;
  gradeWithheld: string | null;
  enteredBy: Types.ObjectId;
  /** the entry's Idempotency-Key (a station device's queued entry resubmitted finds its report) */
  entryKey?: string | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
  pending?: string[];
  pendingSince?: Date;
}

export type { Measurements };

const StationSchema = new Schema<FitnessStationDoc>(
  {
    name: { type: String, required: true },
    district: { type: String, required: true },
    address: { type: String, required: true },
    hours: { type: String, required: true },
    ageBands: [String],
    items: [String],
    createdAt: { type: Date, required: true },
    updatedAt: Date,
    slotsClaim: { type: Schema.Types.Mixed, default: undefined },
    slotsRev: { type: Number, default: undefined },
  },
  { collection: 'fitness_stations', versionKey: false },
);

const SlotSchema = new Schema<FitnessSlotDoc>(
  {
    stationId: { type: Schema.Types.ObjectId, required: true },
    date: { type: String, required: true },
    startAt: { type: Date, required: true },
    endAt: { type: Date, required: true },
    capacity: { type: Number, required: true },
    remaining: { type: Number, required: true },
    status: { type: String, required: true },
    applied: { type: [String], default: [] },
  },
  { collection: 'fitness_slots', versionKey: false },
);
SlotSchema.index({ stationId: 1, date: 1, startAt: 1 }, { unique: true });

const BookingSchema = new Schema<FitnessBookingDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true, index: true },
    stationId: { type: Schema.Types.ObjectId, required: true },
    slotId: { type: Schema.Types.ObjectId, required: true },
    startAt: { type: Date, required: true },
    endAt: { type: Date, required: true },
    status: { type: String, required: true },
    requestKey: { type: String, default: null },
    participantKey: { type: String, required: true },
    participantNameSealed: { type: String, required: true },
    participantIdSealed: { type: String, required: true },
    sex: { type: String, required: true },
    ageOnTestDay: { type: Number, required: true },
    consent: { type: Schema.Types.Mixed, required: true },
    guardianConsent: { type: Schema.Types.Mixed, default: null },
    reportId: { type: Schema.Types.ObjectId, default: null },
    createdAt: { type: Date, required: true },
    pending: { type: [String], default: undefined },
    pendingSince: Date,
  },
  { collection: 'fitness_bookings', versionKey: false, minimize: false },
);
BookingSchema.index({ slotId: 1, participantKey: 1 }, { unique: true });
BookingSchema.index({ status: 1, createdAt: 1 });

const ReportSchema = new Schema<FitnessReportDoc>(
  {
    bookingId: { type: Schema.Types.ObjectId, required: true, unique: true },
    userId: { type: Schema.Types.ObjectId, required: true, index: true },
    stationId: { type: Schema.Types.ObjectId, required: true },
    district: { type: String, required: true },
    testDate: { type: String, required: true },
    standard: { type: String, required: true },
    sex: { type: String, required: true },
    age: { type: Number, required: true },
    ageGroup: { type: String, required: true },
    measurementsSealed: { type: String, required: true },
    items: { type: Schema.Types.Mixed, required: true },
    total: { type: Number, required: true },
    maxTotal: { type: Number, required: true },
    grade: { type: String, default: null },
    gradeWithheld: { type: String, default: null },
    enteredBy: { type: Schema.Types.ObjectId, required: true },
    entryKey: { type: String, default: null },
    revision: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    pending: { type: [String], default: undefined },
    pendingSince: Date,
  },
  { collection: 'fitness_reports', versionKey: false, minimize: false },
);

export const FitnessStation = mongoose.model<FitnessStationDoc>('FitnessStation', StationSchema);
export const FitnessSlot = mongoose.model<FitnessSlotDoc>('FitnessSlot', SlotSchema);
export const FitnessBooking = mongoose.model<FitnessBookingDoc>('FitnessBooking', BookingSchema);
export const FitnessReport = mongoose.model<FitnessReportDoc>('FitnessReport', ReportSchema);
