import { createHmac } from 'node:crypto';
import { SPORTS, type CourseSport, type Role, type Sport } from '@citysport/shared';
import type { Kernel } from '../../platform/kernel';
import type { Pseudonymizer } from '../../platform/pseudonym';
import type { FieldCipher } from '../../platform/crypto-field';
import type { PaymentPort } from '../payment';
import type { TicketService } from '../ticket';

/** What the course module gets from the kernel and other modules (their services, never their models). */
export interface CourseDeps {
  kernel: Kernel;
  payments: PaymentPort;
  tickets: TicketService;
  pseudonym: Pseudonymizer;
  cipher: FieldCipher;
  /** keyed hash of an ID number (the one-person-per-course key; never stored in plain) */
  personKey: (idNumber: string) => string;
  /** HMAC of a certificate's fields (hex) */
  sign: (text: string) => string;
  venueInfo: (venueId: string) => Promise<{ name: string; district: string; address: string } | null>;
  /** a verified instructor's name (guidance), or null */
  instructorName: (instructorId: string) => Promise<string | null>;
  changeRole: (actorId: string, change: { userId: string; role: Role; scope?: string }, action: 'grant' | 'revoke') => Promise<unknown>;
}

/** kernel.capacity kind: a course's places */
export const COURSE_PLACES = 'course';
export const OWNERS = { course: 'course', enrolment: 'course_enrolment' } as const;
export const LESSON_SOURCE = 'course_lesson';
export const HOLD_MINUTES = 15;
/** a waitlisted participant offered a freed place has this long to pay */
export const OFFER_HOURS = 24;
export const TAKING_STALE_MS = 60_000;
/** how many take/give tokens a course counter keeps (enough for a 500-place course with churn) */
export const KEEP_TOKENS = 2_000;

export type EnrolStep =
  | 'capacity'
  | 'order.create'
  | 'order.close'
  | 'refund'
  | 'tickets.issue'
  | 'tickets.revoke'
  | 'waitlist.offer'
  | 'event.enrolled'
  | 'event.cancelled';

export function keyedHasher(secret: string, purpose: string) {
  return (value: string) =>
    createHmac('sha256', `citysport-course-${purpose}:${secret}`).update(value.trim().toUpperCase(), 'utf8').digest('base64url');
}

export function signer(secret: string) {
  return (text: string) => createHmac('sha256', `citysport-course-certificate:${secret}`).update(text, 'utf8').digest('hex');
}

/** Tickets name a venue sport; course sports outside that list show as fitness. */
export function ticketSport(s: CourseSport): Sport {
  return (SPORTS as readonly string[]).includes(s) ? (s as Sport) : 'fitness';
}

export const lessonSourceId = (enrolmentId: string, index: number) => `${enrolmentId}:${index}`;
export function parseLessonSource(sourceId: string): { enrolmentId: string; index: number } | null {
  const m = /^([0-9a-f]{24}):(\d{1,2})$/.exec(sourceId);
  return m ? { enrolmentId: m[1], index: Number(m[2]) } : null;
}

export const isDuplicate = (err: unknown) => (err as { code?: number })?.code === 11000;
