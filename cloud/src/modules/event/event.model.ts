import mongoose, { Schema, type Types } from 'mongoose';
import type { EventKind, EventSport, EventStatus, Gender, RegistrationMode, RegistrationStatus } from '@citysport/shared';

/** An event (race, league …) with its rules; groups and their counters live in `event_groups`. */
export interface EventDoc {
  _id: Types.ObjectId;
  organiserId: Types.ObjectId;
  name: string;
  kind: EventKind;
  sport: EventSport;
  district: string;
  place: string;
  startAt: Date;
  /** YYYY-MM in Asia/Shanghai, for the calendar filter */
  month: string;
  description: string;
  status: EventStatus;
  registration: {
    mode: RegistrationMode;
    opensAt: Date;
    closesAt: Date;
    holdMinutes: number;
    paymentDeadline: Date | null;
    offerHours: number;
  };
  refundPolicy: { tiers: { daysBefore: number; percent: number }[] };
  /** 名额转让: once per entry, before `deadline` (null: until the registration close) */
  transfer: { allowed: boolean; deadline?: Date | null };
  pledge: { text: string; version: string };
  /** lottery: SHA-256(seed) published at opening; the seed itself (sealed) revealed at the draw */
  seedCommitment: string | null;
  sealedSeed: string | null;
  seed: string | null;
  entriesDigest: string | null;
  entriesCount: number | null;
  drawnAt: Date | null;
  bibsAssignedAt: Date | null;
  resultsImportedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** bumped by every edit: the edit form's lost-update guard and the generation of the groups it wrote */
  groupsRev?: number;
  /** an edit's groups until `groups.replace` has written them (then null) */
  groupsDraft?: EventGroupDoc[] | null;
  pending?: string[];
  pendingSince?: Date | null;
}

const EventSchema = new Schema<EventDoc>(
  {
    organiserId: { type: Schema.Types.ObjectId, required: true, index: true },
    name: String,
    kind: String,
    sport: String,
    district: String,
    place: String,
    startAt: Date,
    month: String,
    description: String,
    status: { type: String, required: true },
    registration: Schema.Types.Mixed,
    refundPolicy: Schema.Types.Mixed,
    transfer: Schema.Types.Mixed,
    pledge: Schema.Types.Mixed,
    seedCommitment: { type: String, default: null },
    sealedSeed: { type: String, default: null },
    seed: { type: String, default: null },
    entriesDigest: { type: String, default: null },
    entriesCount: { type: Number, default: null },
    drawnAt: { type: Date, default: null },
    bibsAssignedAt: { type: Date, default: null },
    resultsImportedAt: { type: Date, default: null },
    createdAt: Date,
    updatedAt: Date,
    groupsRev: { type: Number, default: 0 },
    groupsDraft: { type: Schema.Types.Mixed, default: null },
    pending: { type: [String], default: undefined },
    pendingSince: Date,
  },
  { collection: 'events', versionKey: false, minimize: false },
);
EventSchema.index({ status: 1, startAt: 1 });

/** A group (distance, division) and its capacity counter (kernel.capacity kind `event_group`). */
export interface EventGroupDoc {
  _id: Types.ObjectId;
  eventId: Types.ObjectId;
  order: number;
  name: string;
  distanceKm: number | null;
  capacity: number;
  /** first come: places left (kernel.capacity); lottery: entries the window still takes */
  remaining: number;
  applied: string[];
  /** takes are refused unless true: the registration window (set with the event's status) */
  open: boolean;
  feeFen: number;
  eligibility: { minAge?: number; maxAge?: number; gender?: Gender; qualifying?: string };
  team: { minSize: number; maxSize: number } | null;
  bibPrefix: string;
  bibStart: number;
  waitlistSize: number;
  /** the event's groupsRev that wrote this group; older generations are removed by `groups.replace` */
  rev?: number;
}

const GroupSchema = new Schema<EventGroupDoc>(
  {
    eventId: { type: Schema.Types.ObjectId, required: true, index: true },
    order: Number,
    name: String,
    distanceKm: { type: Number, default: null },
    capacity: Number,
    remaining: Number,
    applied: { type: [String], default: [] },
    open: { type: Boolean, default: false },
    feeFen: Number,
    eligibility: Schema.Types.Mixed,
    team: { type: Schema.Types.Mixed, default: null },
    bibPrefix: String,
    bibStart: Number,
    waitlistSize: Number,
    rev: { type: Number, default: 0 },
  },
  { collection: 'event_groups', versionKey: false, minimize: false },
);

export interface RegistrationDoc {
  _id: Types.ObjectId;
  eventId: Types.ObjectId;
  groupId: Types.ObjectId;
  userId: Types.ObjectId;
  mode: RegistrationMode;
  status: RegistrationStatus;
  /**
   * `<eventId>:<HMAC of the ID number>` while the entry counts; a unique index keeps one ID once
   * per event. When an entry ends (cancelled, expired, failed) it becomes `…:void:<registrationId>`.
   */
  idKey: string;
  /** the participant's personal fields, sealed (platform/crypto-field.ts) */
  sealed: string;
  masked: { name: string; idNumber: string; phone: string };
  gender: Gender;
  ageOnRaceDay: number;
  pledgeVersion: string;
  guardian: boolean;
  qualifying: string | null;
  teamId: Types.ObjectId | null;
  feeFen: number;
  orderId: string | null;
  holdExpiresAt: Date | null;
  payDeadline: Date | null;
  /** the pseudonymous public reference the draw ranks */
  entryRef: string;
  inDraw: boolean;
  drawRank: number | null;
  /** a waitlist offer made for the place this registration left; unique, so each lapsed place is offered once */
  offerFor: string;
  bib: string | null;
  /** HMAC of the participant's name, for the public results search by exact name */
  nameKey: string;
  checkedInAt: Date | null;
  refundFen: number;
  cancelReason: string | null;
  /** set once when the entry passed to a new participant (its ticket source is then `<id>.t`) */
  transferredAt?: Date | null;
  /** subscribe messages already sent for this entry (`draw`, `pay`, `start`): each once */
  notified?: string[];
  requestKey?: string;
  createdAt: Date;
  confirmedAt: Date | null;
  endedAt: Date | null;
  pending: string[];
  pendingSince: Date | null;
}

const RegistrationSchema = new Schema<RegistrationDoc>(
  {
    eventId: { type: Schema.Types.ObjectId, required: true },
    groupId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    mode: String,
    status: { type: String, required: true },
    idKey: { type: String, required: true },
    sealed: String,
    masked: Schema.Types.Mixed,
    gender: String,
    ageOnRaceDay: Number,
    pledgeVersion: String,
    guardian: Boolean,
    qualifying: { type: String, default: null },
    teamId: { type: Schema.Types.ObjectId, default: null },
    feeFen: Number,
    orderId: { type: String, default: null },
    holdExpiresAt: { type: Date, default: null },
    payDeadline: { type: Date, default: null },
    entryRef: { type: String, required: true },
    inDraw: { type: Boolean, default: false },
    drawRank: { type: Number, default: null },
    offerFor: { type: String, required: true },
    bib: { type: String, default: null },
    nameKey: String,
    checkedInAt: { type: Date, default: null },
    refundFen: { type: Number, default: 0 },
    cancelReason: { type: String, default: null },
    transferredAt: { type: Date, default: null },
    notified: { type: [String], default: undefined },
    requestKey: String,
    createdAt: Date,
    confirmedAt: { type: Date, default: null },
    endedAt: { type: Date, default: null },
    pending: { type: [String], default: [] },
    pendingSince: { type: Date, default: null },
  },
  { collection: 'event_registrations', versionKey: false, minimize: false },
);
// one ID number once per event (a keyed hash, never the number itself)
RegistrationSchema.index({ idKey: 1 }, { unique: true });
RegistrationSchema.index({ offerFor: 1 }, { unique: true });
RegistrationSchema.index({ groupId: 1, status: 1, drawRank: 1 });
RegistrationSchema.index({ userId: 1, _id: -1 });
RegistrationSchema.index({ status: 1, payDeadline: 1 });

export interface TeamDoc {
  _id: Types.ObjectId;
  eventId: Types.ObjectId;
  groupId: Types.ObjectId;
  captainId: Types.ObjectId;
  name: string;
  inviteCode: string;
  minSize: number;
  maxSize: number;
  /** members the team still takes (kernel.capacity kind `event_team`) */
  remaining: number;
  applied: string[];
  open: boolean;
  createdAt: Date;
}
const TeamSchema = new Schema<TeamDoc>(
  {
    eventId: { type: Schema.Types.ObjectId, required: true },
    groupId: { type: Schema.Types.ObjectId, required: true },
    captainId: { type: Schema.Types.ObjectId, required: true },
    name: String,
    inviteCode: { type: String, required: true, unique: true },
    minSize: Number,
    maxSize: Number,
    remaining: Number,
    applied: { type: [String], default: [] },
    open: { type: Boolean, default: true },
    createdAt: Date,
  },
  { collection: 'event_teams', versionKey: false, minimize: false },
);
TeamSchema.index({ eventId: 1, captainId: 1 });

export interface ResultDoc {
  _id: Types.ObjectId;
  eventId: Types.ObjectId;
  groupId: Types.ObjectId;
  registrationId: Types.ObjectId;
  bib: string;
  maskedName: string;
  nameKey: string;
  gender: Gender;
  gunSeconds: number;
  chipSeconds: number;
  rankOverall: number;
  rankGroup: number;
  rankGender: number;
  /** the certificate's public verification code */
  certCode?: string;
}
const ResultSchema = new Schema<ResultDoc>(
  {
    eventId: { type: Schema.Types.ObjectId, required: true },
    groupId: Schema.Types.ObjectId,
    registrationId: Schema.Types.ObjectId,
    bib: String,
    maskedName: String,
    nameKey: String,
    gender: String,
    gunSeconds: Number,
    chipSeconds: Number,
    rankOverall: Number,
    rankGroup: Number,
    rankGender: Number,
    certCode: String,
  },
  { collection: 'event_results', versionKey: false },
);
ResultSchema.index({ eventId: 1, bib: 1 }, { unique: true });
ResultSchema.index({ eventId: 1, nameKey: 1 });
ResultSchema.index({ registrationId: 1 });
ResultSchema.index({ certCode: 1 }, { sparse: true });

export const SportEvent = mongoose.model<EventDoc>('SportEvent', EventSchema);
export const EventGroup = mongoose.model<EventGroupDoc>('EventGroup', GroupSchema);
export const Registration = mongoose.model<RegistrationDoc>('EventRegistration', RegistrationSchema);
export const Team = mongoose.model<TeamDoc>('EventTeam', TeamSchema);
export const EventResult = mongoose.model<ResultDoc>('EventResult', ResultSchema);

/**
 * The lottery's fixed lists, in chunks (a 200,000-entry draw is a few dozen documents, not 200,000
 * writes): `entries` — the entry list digested at the close ([entryRef, groupId, registrationId]);
 * `rank` — per group, the refs ranked by the draw, as far as the places and the waitlist reach.
 */
export interface DrawListDoc {
  _id: string;
  eventId: Types.ObjectId;
  list: 'entries' | 'rank';
  groupId: string | null;
  index: number;
  items: string[][];
}
const DrawListSchema = new Schema<DrawListDoc>(
  { _id: String, eventId: Schema.Types.ObjectId, list: String, groupId: String, index: Number, items: [[String]] },
  { collection: 'event_draw_lists', versionKey: false },
);
DrawListSchema.index({ eventId: 1, list: 1, groupId: 1, index: 1 });
export const DrawList = mongoose.model<DrawListDoc>('EventDrawList', DrawListSchema);
