import mongoose, { Types } from 'mongoose';
import {
  DEFAULT_VENUE_RULES,
  SPORTS,
  SPORT_LABELS_ZH,
  businessDay,
  shanghaiTime,
  inShanghai,
  type Slot as SlotDto,
  type SlotTemplate,
  type Sport,
  type VenueDetail,
  type VenueListQuery,
  type VenueRules,
  type VenueSummary,
} from '@citysport/shared';
import { AppError, onlyDuplicateKeys } from '../../platform/errors';
import { escapeRegex } from '../../platform/validate';
import type { Clock } from '../../platform/clock';
import type { Kernel } from '../../platform/kernel';
import { Resource, Slot, Venue, type ResourceDoc, type SlotDoc, type VenueDoc } from './venue.model';
import { feeBadgeOf, pricesOf } from './venue.pricing';

type PricedResource = Pick<ResourceDoc, 'sport' | 'kind' | 'templates'>;
/** the active resources of these venues, by venue id (one query) */
async function resourcesByVenue(venueIds: Types.ObjectId[]): Promise<Map<string, PricedResource[]>> {
  const rows = await Resource.find(
    { venueId: mongoose.trusted({ $in: venueIds }), active: true },
    { venueId: 1, sport: 1, kind: 1, templates: 1 },
  ).lean<ResourceDoc[]>();
  const out = new Map<string, PricedResource[]>();
  for (const r of rows) out.set(String(r.venueId), [...(out.get(String(r.venueId)) ?? []), r]);
  return out;
}

export interface NewVenue {
  name: string;
  district: string;
  address: string;
  location: { lat: number; lng: number };
  photos?: string[];
  openHours: { open: string; close: string; note?: string };
  facilities?: string[];
  contactPhone?: string;
  intro?: string;
  freeOrLowFee?: boolean;
  freeHoursNote?: string;
  rules?: Partial<VenueRules>;
}

export interface NewResource {
  name: string;
  sport: Sport;
  kind: ResourceDoc['kind'];
  templates: SlotTemplate[];
}

const EARTH_RADIUS_KM = 6371;
function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
}

/** ISO weekday 1..7 of a Shanghai business day. */
function isoWeekday(day: string): number {
  const d = inShanghai(shanghaiTime(day)).day();
  return d === 0 ? 7 : d;
}

/** A slot as other modules see it: the stored fields with string ids. */
export type BookableSlot = Omit<SlotDoc, '_id' | 'venueId' | 'resourceId'> & { id: string; venueId: string; resourceId: string };

export function addDays(day: string, n: number): string {
  return inShanghai(shanghaiTime(day)).add(n, 'day').format('YYYY-MM-DD');
}

/** Slots of day D open for booking at `releaseTime` on day D − advanceDays. */
export function releaseAtOf(day: string, rules: VenueRules): Date {
  return shanghaiTime(addDays(day, -rules.advanceDays), rules.releaseTime);
}

function toSummary(v: VenueDoc, resources: PricedResource[], origin?: { lat: number; lng: number }): VenueSummary {
  return {
    id: String(v._id),
    name: v.name,
    district: v.district,
    address: v.address,
    sports: v.sports,
    location: v.location,
    openHours: v.openHours,
    photos: v.photos,
    freeOrLowFee: v.freeOrLowFee,
    minPriceFen: v.minPriceFen,
    prices: pricesOf(resources),
    feeBadge: feeBadgeOf(resources),
    ...(origin ? { distanceKm: Math.round(distanceKm(origin, v.location) * 10) / 10 } : {}),
  };
}

export interface VenueServiceOptions {
  kernel: Kernel;
  clock: Clock;
}

/** The capacity kind of a slot: its places are taken and given back only through kernel.capacity. */
export const SLOT_CAPACITY = 'slot';

export function createVenueService(deps: VenueServiceOptions) {
  // a slot's places: `remaining` on the slot, taken only while the slot is open
  deps.kernel.capacity.define(SLOT_CAPACITY, { collection: 'slots', guard: { status: 'open' } });

  async function listVenues(q: VenueListQuery): Promise<VenueSummary[]> {
    const filter: Record<string, unknown> = {};
    if (q.sport) filter.sports = q.sport;
    if (q.district) filter.district = q.district;
    if (q.q) {
      // in the database (the 500 cap applies to what matched): the name holds the text as typed (a literal,
      // never a pattern of the user's), or a sport's name does (羽毛球, badminton)
      const needle = q.q.toLowerCase();
      const sports = SPORTS.filter((s) => SPORT_LABELS_ZH[s].includes(q.q!) || s.includes(needle));
      filter.$or = [{ name: new RegExp(escapeRegex(q.q), 'i') }, ...(sports.length ? [{ sports: mongoose.trusted({ $in: sports }) }] : [])];
    }
    const venues = await Venue.find(filter).sort({ district: 1, name: 1 }).limit(500).lean<VenueDoc[]>();
    const origin = q.lat !== undefined && q.lng !== undefined ? { lat: q.lat, lng: q.lng } : undefined;
    const priced = await resourcesByVenue(venues.map((v) => v._id));
    const items = venues.map((v) => toSummary(v, priced.get(String(v._id)) ?? [], origin));
    // nearest first by great-circle (haversine) distance, unrounded; ties keep the name order
    if (origin) {
      const exact = new Map(venues.map((v) => [String(v._id), distanceKm(origin, v.location)]));
      items.sort((a, b) => exact.get(a.id)! - exact.get(b.id)!);
    }
    return items;
  }

  async function findVenue(venueId: string): Promise<VenueDoc> {
    const v = await Venue.findById(venueId).lean<VenueDoc>();
    if (!v) throw new AppError('VENUE_NOT_FOUND', 'no such venue');
    return v;
  }

  async function getVenue(venueId: string): Promise<VenueDetail> {
    const v = await findVenue(venueId);
    const resources = await Resource.find({ venueId: v._id, active: true }).sort({ name: 1 }).lean<ResourceDoc[]>();
    return {
      ...toSummary(v, resources),
      facilities: v.facilities,
      contactPhone: v.contactPhone,
      intro: v.intro,
      freeHoursNote: v.freeHoursNote,
      rules: v.rules,
      resources: resources.map((r) => ({ id: String(r._id), name: r.name, sport: r.sport, kind: r.kind, templates: r.templates })),
    };
  }

  async function venueExists(venueId: string): Promise<boolean> {
    return Types.ObjectId.isValid(venueId) && (await Venue.exists({ _id: venueId })) !== null;
  }

  function slotStatus(s: SlotDoc, now: Date): SlotDto['status'] {
    if (s.status === 'closed') return 'closed';
    if (s.startAt <= now) return 'past';
    if (s.releaseAt > now) return 'not_released';
    return s.remaining > 0 ? 'open' : 'sold_out';
  }

  async function listSlots(venueId: string, day: string, sport?: Sport): Promise<SlotDto[]> {
    const v = await findVenue(venueId);
    const filter: Record<string, unknown> = { venueId: v._id, day };
    if (sport) filter.sport = sport;
    const slots = await Slot.find(filter).sort({ startAt: 1, resourceName: 1 }).lean<SlotDoc[]>();
    const now = deps.clock.now();
    return slots.map((s) => ({
      id: String(s._id),
      venueId: String(s.venueId),
      resourceId: String(s.resourceId),
      resourceName: s.resourceName,
      sport: s.sport,
      startAt: s.startAt.toISOString(),
      endAt: s.endAt.toISOString(),
      priceFen: s.priceFen,
      capacity: s.capacity,
      remaining: s.remaining,
      status: slotStatus(s, now),
      releaseAt: s.releaseAt.toISOString(),
    }));
  }

  async function createVenue(input: NewVenue): Promise<string> {
    const rules = { ...DEFAULT_VENUE_RULES, ...input.rules };
    const v = await Venue.create({
      ...input,
      photos: input.photos ?? [],
      facilities: input.facilities ?? [],
      sports: [],
      rules,
      minPriceFen: 0,
      createdAt: deps.clock.now(),
    });
    return String(v._id);
  }

  async function addResource(venueId: string, input: NewResource): Promise<string> {
    const v = await findVenue(venueId);
    const r = await Resource.create({ ...input, venueId: v._id, active: true });
    const resources = await Resource.find({ venueId: v._id, active: true }).lean<ResourceDoc[]>();
    const prices = resources.flatMap((x) => x.templates.map((t) => t.priceFen));
    await Venue.updateOne(
      { _id: v._id },
      { $set: { sports: Array.from(new Set(resources.map((x) => x.sport))), minPriceFen: prices.length ? Math.min(...prices) : 0 } },
    );
    return String(r._id);
  }

  /**
   * Keeps slots materialised from today through the venue's advance window. Inserting an
   * existing slot hits the unique (resourceId, startAt) index and is skipped, so reruns and
   * concurrent runs are harmless and never reset a `remaining` counter.
   */
  async function materialiseSlots(venueId: string, extraDays = 0): Promise<number> {
    const v = await findVenue(venueId);
    const resources = await Resource.find({ venueId: v._id, active: true }).lean<ResourceDoc[]>();
    const today = businessDay(deps.clock.now());
    const docs: Omit<SlotDoc, '_id'>[] = [];
    for (let i = 0; i <= v.rules.advanceDays + extraDays; i++) {
      const day = addDays(today, i);
      const weekday = isoWeekday(day);
      for (const r of resources) {
        for (const t of r.templates) {
          if (!t.weekdays.includes(weekday)) continue;
          docs.push({
            venueId: v._id,
            resourceId: r._id,
            resourceName: r.name,
            sport: r.sport,
            day,
            startAt: shanghaiTime(day, t.start),
            endAt: shanghaiTime(day, t.end),
            priceFen: t.priceFen,
            capacity: t.capacity,
            remaining: t.capacity,
            status: 'open',
            releaseAt: releaseAtOf(day, v.rules),
          });
        }
      }
    }
    if (docs.length === 0) return 0;
    try {
      const res = await Slot.insertMany(docs, { ordered: false });
      return res.length;
    } catch (err) {
      // slots made by an earlier run are duplicates; anything else (the connection lost) is not done
      if (!onlyDuplicateKeys(err)) throw err;
      return (err as { insertedDocs?: unknown[] }).insertedDocs?.length ?? 0;
    }
  }

  async function allVenueIds(): Promise<string[]> {
    const rows = await Venue.find({}, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
    return rows.map((r) => String(r._id));
  }

  /** Slots with their venue's rules, for the booking module (which never reads this module's models). */
  async function slotsForBooking(
    slotIds: string[],
  ): Promise<{ slots: BookableSlot[]; venue: { id: string; name: string; rules: VenueRules } | null }> {
    const slots = await Slot.find({ _id: mongoose.trusted({ $in: slotIds.map((id) => new Types.ObjectId(id)) }) }).lean<SlotDoc[]>();
    if (slots.length === 0) return { slots: [], venue: null };
    const venue = await cachedVenue(String(slots[0].venueId));
    return {
      slots: slots.map(({ _id, venueId, resourceId, ...rest }) => ({
        ...rest,
        id: String(_id),
        venueId: String(venueId),
        resourceId: String(resourceId),
      })),
      venue: venue && { id: String(venue._id), name: venue.name, rules: venue.rules },
    };
  }

  // Rules are read on every booking; a few seconds of staleness after a manager edits them is fine.
  const venueCache = new Map<string, { at: number; venue: VenueDoc | null }>();
  const VENUE_CACHE_MS = 5_000;
  async function cachedVenue(venueId: string): Promise<VenueDoc | null> {
    const now = deps.clock.now().getTime();
    const hit = venueCache.get(venueId);
    if (hit && now - hit.at < VENUE_CACHE_MS && now >= hit.at) return hit.venue;
    const venue = await Venue.findById(venueId).lean<VenueDoc>();
    venueCache.set(venueId, { at: now, venue });
    return venue;
  }

  async function closeSlots(filter: { slotId?: string; venueId?: string; day?: string }): Promise<string[]> {
    const q: Record<string, unknown> = { status: 'open' };
    if (filter.slotId) q._id = filter.slotId;
    if (filter.venueId) q.venueId = filter.venueId;
    if (filter.day) q.day = filter.day;
    const open = await Slot.find(q, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
    const closed: string[] = [];
    for (const s of open) {
      const res = await Slot.updateOne({ _id: s._id, status: 'open' }, { $set: { status: 'closed' } });
      if (res.modifiedCount === 1) closed.push(String(s._id));
    }
    return closed;
  }

  /** Every closed slot of a venue's day: close-day re-runs cancel what a crash left on them. */
  async function closedSlotIds(venueId: string, day: string): Promise<string[]> {
    const rows = await Slot.find({ venueId, day, status: 'closed' }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
    return rows.map((r) => String(r._id));
  }

  async function slotVenueId(slotId: string): Promise<string> {
    const s = await Slot.findById(slotId, { venueId: 1 }).lean<{ venueId: Types.ObjectId }>();
    if (!s) throw new AppError('SLOT_NOT_FOUND', 'no such slot');
    return String(s.venueId);
  }

  async function resourceVenueId(resourceId: string): Promise<string> {
    const r = await Resource.findById(resourceId, { venueId: 1 }).lean<{ venueId: Types.ObjectId }>();
    if (!r) throw new AppError('RESOURCE_NOT_FOUND', 'no such resource');
    return String(r.venueId);
  }

  /**
   * A manager's rule change: sets only the fields the patch names (one `$set` per field, so a
   * concurrent edit of another field is kept too), audited; release times of materialised future
   * days follow the new window.
   */
  async function updateRules(actorId: string, venueId: string, patch: Partial<VenueRules>): Promise<VenueDetail> {
    const v = await findVenue(venueId);
    const named = Object.entries(patch).filter(([, value]) => value !== undefined);
    if (named.length > 0)
      await Venue.updateOne({ _id: v._id }, { $set: Object.fromEntries(named.map(([k, value]) => [`rules.${k}`, value])) });
    const rules = { ...v.rules, ...Object.fromEntries(named) } as VenueRules;
    venueCache.delete(venueId);
    await deps.kernel.audit(actorId, 'rules.update', null, {
      venueId,
      changes: Object.fromEntries(named.map(([k, value]) => [k, { from: (v.rules as Record<string, unknown>)[k] ?? null, to: value }])),
    });
    if (patch.advanceDays !== undefined || patch.releaseTime !== undefined) {
      const days = (await Slot.distinct('day', {
        venueId: v._id,
        day: mongoose.trusted({ $gte: businessDay(deps.clock.now()) }),
      })) as string[];
      for (const day of days) await Slot.updateMany({ venueId: v._id, day }, { $set: { releaseAt: releaseAtOf(day, rules) } });
    }
    return getVenue(venueId);
  }

  /** New templates apply to days not yet materialised; slots that exist keep their bookings and prices. */
  async function updateTemplates(actorId: string, resourceId: string, templates: SlotTemplate[]) {
    const before = await Resource.findById(resourceId, { templates: 1 }).lean<Pick<ResourceDoc, 'templates'>>();
    const res = await Resource.findOneAndUpdate({ _id: resourceId }, { $set: { templates } }, { new: true }).lean<ResourceDoc>();
    if (!res || !before) throw new AppError('RESOURCE_NOT_FOUND', 'no such resource');
    await deps.kernel.audit(actorId, 'templates.update', null, {
      venueId: String(res.venueId),
      resourceId,
      from: before.templates,
      to: templates,
    });
    const all = await Resource.find({ venueId: res.venueId, active: true }).lean<ResourceDoc[]>();
    const prices = all.flatMap((x) => x.templates.map((t) => t.priceFen));
    await Venue.updateOne({ _id: res.venueId }, { $set: { minPriceFen: prices.length ? Math.min(...prices) : 0 } });
    return { id: String(res._id), name: res.name, sport: res.sport, kind: res.kind, templates: res.templates };
  }

  async function venueSummaries(venueIds: string[]): Promise<VenueSummary[]> {
    const venues = await Venue.find({ _id: mongoose.trusted({ $in: venueIds.filter((id) => Types.ObjectId.isValid(id)) }) })
      .sort({ name: 1 })
      .lean<VenueDoc[]>();
    const priced = await resourcesByVenue(venues.map((v) => v._id));
    return venues.map((v) => toSummary(v, priced.get(String(v._id)) ?? []));
  }

  async function venueNames(venueIds: string[]): Promise<Map<string, string>> {
    const venues = await Venue.find({ _id: mongoose.trusted({ $in: venueIds }) }, { name: 1 }).lean<
      { _id: Types.ObjectId; name: string }[]
    >();
    return new Map(venues.map((v) => [String(v._id), v.name]));
  }

  /**
   * Slot supply for the data centre's public-service check (issue 17): per venue and day, the
   * distinct clock hours with any slot, and those with a free or low-fee slot (≤ lowFeeFen per hour).
   */
  async function supplyByDay(fromDay: string, toDay: string, lowFeeFen: number) {
    const rows = await Slot.find(
      { day: mongoose.trusted({ $gte: fromDay, $lte: toDay }), status: 'open' },
      { venueId: 1, day: 1, startAt: 1, endAt: 1, priceFen: 1 },
    ).lean<Pick<SlotDoc, 'venueId' | 'day' | 'startAt' | 'endAt' | 'priceFen'>[]>();
    const out = new Map<string, { venueId: string; day: string; hours: Set<number>; lowFeeHours: Set<number> }>();
    for (const s of rows) {
      const key = `${s.venueId}|${s.day}`;
      const e = out.get(key) ?? { venueId: String(s.venueId), day: s.day, hours: new Set<number>(), lowFeeHours: new Set<number>() };
      const hours = Math.max(1, Math.round((s.endAt.getTime() - s.startAt.getTime()) / 3_600_000));
      const perHour = s.priceFen / hours;
      for (let t = s.startAt.getTime(); t < s.endAt.getTime(); t += 3_600_000) {
        const h = Math.floor(t / 3_600_000);
        e.hours.add(h);
        if (perHour <= lowFeeFen) e.lowFeeHours.add(h);
      }
      out.set(key, e);
    }
    return [...out.values()].map((e) => ({ venueId: e.venueId, day: e.day, hours: e.hours.size, lowFeeHours: e.lowFeeHours.size }));
  }

  /**
   * 为你推荐: per venue, the earliest bookable slot (open, released, places left) starting in
   * [from, to), optionally only these sports; with the venue's name, district and location.
   * Two queries (slots by the `sport, startAt` index, then their venues).
   */
  async function freeSlotsSoon(q: { from: Date; to: Date; now: Date; sports?: string[]; limit?: number }) {
    const filter: Record<string, unknown> = {
      startAt: mongoose.trusted({ $gte: q.from, $lt: q.to }),
      status: 'open',
      remaining: mongoose.trusted({ $gt: 0 }),
      releaseAt: mongoose.trusted({ $lte: q.now }),
    };
    if (q.sports) filter.sport = mongoose.trusted({ $in: q.sports });
    const slots = await Slot.find(filter, { venueId: 1, sport: 1, startAt: 1, remaining: 1, resourceName: 1, day: 1 })
      .sort({ startAt: 1 })
      .limit(q.limit ?? 2000)
      .lean<Pick<SlotDoc, '_id' | 'venueId' | 'sport' | 'startAt' | 'remaining' | 'resourceName' | 'day'>[]>();
    const venueIds = [...new Set(slots.map((s) => String(s.venueId)))];
    const venues = await Venue.find(
      { _id: mongoose.trusted({ $in: venueIds.map((id) => new Types.ObjectId(id)) }) },
      {
        name: 1,
        district: 1,
        location: 1,
      },
    ).lean<Pick<VenueDoc, '_id' | 'name' | 'district' | 'location'>[]>();
    const byId = new Map(venues.map((v) => [String(v._id), v]));
    return slots
      .filter((s) => byId.has(String(s.venueId)))
      .map((s) => {
        const v = byId.get(String(s.venueId))!;
        return {
          slotId: String(s._id),
          venueId: String(s.venueId),
          venueName: v.name,
          district: v.district,
          location: v.location,
          sport: s.sport,
          startAt: s.startAt,
          day: s.day,
          remaining: s.remaining,
        };
      });
  }

  /** district per venue id (one query) */
  async function districtsOf(venueIds: string[]): Promise<Map<string, string>> {
    const ids = venueIds.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id));
    const rows = await Venue.find({ _id: mongoose.trusted({ $in: ids }) }, { district: 1 }).lean<
      { _id: Types.ObjectId; district: string }[]
    >();
    return new Map(rows.map((v) => [String(v._id), v.district]));
  }

  return {
    freeSlotsSoon,
    districtsOf,
    supplyByDay,
    listVenues,
    getVenue,
    venueExists,
    listSlots,
    createVenue,
    addResource,
    materialiseSlots,
    allVenueIds,
    slotsForBooking,
    closeSlots,
    closedSlotIds,
    slotVenueId,
    resourceVenueId,
    updateRules,
    updateTemplates,
    venueSummaries,
    venueNames,
  };
}

export type VenueService = ReturnType<typeof createVenueService>;
