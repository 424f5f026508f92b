import { ageBand, type EventDetailDto, type EventGroupDto, type EventSummaryDto, type RegistrationDto } from '@citysport/shared';
import type { Pseudonymizer } from '../../platform/pseudonym';
import type { AdmissionSource } from '../ticket';
import type { EventDoc, EventGroupDoc, RegistrationDoc } from './event.model';

export function groupDto(g: EventGroupDoc, mode: EventDoc['registration']['mode']): EventGroupDto {
  return {
    id: String(g._id),
    name: g.name,
    distanceKm: g.distanceKm,
    capacity: g.capacity,
    // a lottery's places are not taken during the window: all of them are still to be drawn
    remaining: mode === 'lottery' ? g.capacity : Math.max(0, g.remaining),
    feeFen: g.feeFen,
    eligibility: g.eligibility,
    team: g.team,
    bibPrefix: g.bibPrefix ?? '',
    bibStart: g.bibStart ?? 1,
    waitlistSize: g.waitlistSize ?? g.capacity,
  };
}

export function summaryDto(e: EventDoc, groups: EventGroupDoc[]): EventSummaryDto {
  return {
    id: String(e._id),
    name: e.name,
    sport: e.sport,
    kind: e.kind,
    startAt: e.startAt.toISOString(),
    district: e.district,
    place: e.place,
    status: e.status,
    registration: {
      mode: e.registration.mode,
      opensAt: e.registration.opensAt.toISOString(),
      closesAt: e.registration.closesAt.toISOString(),
    },
    groups: groups.map((g) => groupDto(g, e.registration.mode)),
  };
}

export function detailDto(e: EventDoc, groups: EventGroupDoc[]): EventDetailDto {
  const s = summaryDto(e, groups);
  return {
    ...s,
    description: e.description,
    registration: {
      ...s.registration,
      holdMinutes: e.registration.holdMinutes,
      paymentDeadline: e.registration.paymentDeadline ? e.registration.paymentDeadline.toISOString() : null,
      offerHours: e.registration.offerHours,
    },
    refundPolicy: e.refundPolicy,
    transfer: { allowed: e.transfer.allowed, deadline: e.transfer.deadline ? e.transfer.deadline.toISOString() : null },
    pledge: e.pledge,
    draw: { seedCommitment: e.seedCommitment, entriesDigest: e.entriesDigest },
    rev: e.groupsRev ?? 0,
  };
}

/** The ticket source of an entry: a transferred entry's ticket is a new one, for its new participant. */
export const ticketSourceId = (r: Pick<RegistrationDoc, '_id' | 'transferredAt'>) => (r.transferredAt ? `${r._id}.t` : String(r._id));

export function registrationDto(
  r: RegistrationDoc,
  e: Pick<EventDoc, 'name' | 'startAt' | 'status' | 'transfer' | 'registration'>,
  groupName: string,
  hasResult = false,
): RegistrationDto {
  const transferable = e.transfer?.allowed && r.status === 'confirmed' && !r.transferredAt && !r.checkedInAt;
  return {
    id: String(r._id),
    eventId: String(r.eventId),
    eventName: e.name,
    groupId: String(r.groupId),
    groupName,
    // after the draw, an entry not drawn (neither a place nor the waitlist) has lost
    status: r.status === 'entered' && (e.status === 'drawn' || e.status === 'finished') ? 'lost' : r.status,
    participant: r.masked,
    feeFen: r.feeFen,
    orderId: r.orderId,
    holdExpiresAt: r.holdExpiresAt ? r.holdExpiresAt.toISOString() : null,
    payDeadline: r.payDeadline ? r.payDeadline.toISOString() : null,
    entryRef: r.entryRef,
    drawRank: r.drawRank,
    bib: r.bib,
    teamId: r.teamId ? String(r.teamId) : null,
    startAt: e.startAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    transferredAt: r.transferredAt ? r.transferredAt.toISOString() : null,
    transferUntil: transferable ? new Date(e.transfer.deadline ?? e.registration.closesAt).toISOString() : null,
    hasResult,
  };
}

/** The outbox's view of an entry: the account pseudonym, ids, the feed's age band and gender — no name, ID number or phone. */
export function factsOf(pseudonym: Pseudonymizer, r: RegistrationDoc, e: Pick<EventDoc, 'sport' | 'district'>) {
  return {
    subject: pseudonym(String(r.userId)),
    registrationId: String(r._id),
    eventId: String(r.eventId),
    groupId: String(r.groupId),
    sport: e.sport,
    district: e.district,
    mode: r.mode,
    ageBand: ageBand(r.ageOnRaceDay),
    gender: r.gender,
    feeFen: r.feeFen,
  };
}

/** What the ticket module needs to admit a confirmed entry at pick-up and the start (the event stands in for a venue). */
export function admissionOf(r: RegistrationDoc, e: EventDoc, groupName: string): AdmissionSource {
  return {
    source: { kind: 'registration', id: ticketSourceId(r) },
    userId: String(r.userId),
    venueId: String(e._id),
    venueName: e.name,
    resourceName: r.bib ? `${groupName} ${r.bib}` : groupName,
    // tickets type their sport by the venue list; event sports (running …) are stored as they are
    sport: e.sport as AdmissionSource['sport'],
    startAt: e.startAt,
    endAt: new Date(e.startAt.getTime() + 8 * 3600_000),
    quantity: 1,
    // a place is personal: the ticket names its participant (masked), not the account that entered them
    entrants: [r.masked.name],
  };
}
