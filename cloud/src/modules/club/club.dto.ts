import type { ClubActivity as ActivityDto, ClubAnnouncement as AnnouncementDto, ClubSummary } from '@citysport/shared';
import type { ActivityDoc, AnnouncementDoc, ClubDoc, MemberDoc } from './club.model';

export function clubSummary(c: ClubDoc): ClubSummary {
  return {
    id: String(c._id),
    name: c.name,
    sport: c.sport,
    district: c.district,
    purpose: c.purpose,
    status: c.status,
    members: c.memberLimit - c.remaining,
    memberLimit: c.memberLimit,
    openJoin: c.openJoin,
    duesFen: c.duesFen,
    duesPolicy: c.duesPolicy,
  };
}

export function activityDto(a: ActivityDoc): ActivityDto {
  return {
    id: String(a._id),
    clubId: String(a.clubId),
    title: a.title,
    description: a.description,
    place: a.place,
    startAt: a.startAt.toISOString(),
    endAt: a.endAt.toISOString(),
    capacity: a.capacity,
    remaining: a.remaining,
    membersOnly: a.membersOnly,
    feeFen: a.feeFen,
    status: a.status,
    booking: a.booking
      ? {
          id: a.booking.bookingId,
          venueId: a.booking.venueId,
          venueName: a.booking.venueName,
          resourceName: a.booking.resourceName,
          startAt: a.booking.startAt.toISOString(),
          endAt: a.booking.endAt.toISOString(),
          status: a.booking.status,
          orderId: a.booking.orderId,
          outcome: a.booking.outcome,
        }
      : null,
  };
}

export function announcementDto(a: AnnouncementDoc): AnnouncementDto {
  return {
    id: String(a._id),
    clubId: String(a.clubId),
    title: a.title,
    body: a.body,
    pinned: a.pinned,
    createdAt: a.createdAt.toISOString(),
  };
}

export function membershipDto(m: MemberDoc) {
  return {
    status: (m.status === 'joining' ? 'requested' : m.status) as 'requested' | 'member' | 'rejected' | 'left' | 'removed',
    role: m.role,
    paidUntil: m.paidUntil ? m.paidUntil.toISOString() : null,
    joinedAt: m.joinedAt ? m.joinedAt.toISOString() : null,
  };
}
