import { Types } from 'mongoose';
import { CLUB_SPORTS, SPORTS, type ClubSport, type Role, type Sport } from '@citysport/shared';
import type { Kernel } from '../../platform/kernel';
import type { Pseudonymizer } from '../../platform/pseudonym';
import type { FieldCipher } from '../../platform/crypto-field';
import type { GrantLookup } from '../../platform/auth';
import { AppError } from '../../platform/errors';
import type { PaymentPort } from '../payment';
import type { TicketService } from '../ticket';
import type { BookingService } from '../booking';
import type { VenueService } from '../venue';

/** What the club module gets from the kernel and from other modules (their services, never their models). */
export interface ClubDeps {
  kernel: Kernel;
  payments: PaymentPort;
  tickets: TicketService;
  /** a court for an activity: booked, read and cancelled through the booking module's service (never its collections) */
  bookings: Pick<BookingService, 'book' | 'getMine' | 'cancel'>;
  /** the slots' times, to check a court covers the activity before booking it */
  slotsForBooking: VenueService['slotsForBooking'];
  pseudonym: Pseudonymizer;
  cipher: FieldCipher;
  notify: (userId: string, templateId: string, data: Record<string, string>) => Promise<void>;
  displayNames: (userIds: string[]) => Promise<Map<string, string>>;
  grantsOf: GrantLookup;
  /** identity's audited grant/revoke of a scoped role */
  changeRole: (
    actorId: string | 'system',
    change: { userId: string; role: Role; scope?: string; reason?: string },
    action: 'grant' | 'revoke',
  ) => Promise<unknown>;
}

export const MEMBER_PLACES = 'club_member';
export const ACTIVITY_PLACES = 'club_activity';
export const OWNERS = {
  club: 'club',
  member: 'club_member',
  signup: 'club_signup',
  dues: 'club_dues',
  announcement: 'club_announcement',
  activity: 'club_activity',
} as const;
export const TEMPLATES = {
  announcement: 'club_announcement',
  duesReminder: 'club_dues_reminder',
  status: 'club_status',
  activity: 'club_activity',
} as const;

/** Names compared for uniqueness: full-width folded (NFKC), no whitespace, lower case. */
export function normaliseName(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}

export const oid = (id: string | Types.ObjectId) => (typeof id === 'string' ? new Types.ObjectId(id) : id);

/** Tickets name a venue sport; club sports outside that list show as fitness. */
export function ticketSport(s: ClubSport): Sport {
  return (SPORTS as readonly string[]).includes(s) ? (s as Sport) : 'fitness';
}
export const isClubSport = (s: string): s is ClubSport => (CLUB_SPORTS as readonly string[]).includes(s);

export function isDuplicate(err: unknown): boolean {
  return (err as { code?: number })?.code === 11000;
}

export function notFound(): never {
  throw new AppError('CLUB_NOT_FOUND', 'no such club');
}

/** A year of dues from `from` (calendar months, UTC). */
export function addMonths(from: Date, months: number): Date {
  const d = new Date(from);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}
