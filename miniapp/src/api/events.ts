import { z } from 'zod';
import type {
  CertificateDto,
  CreateRegistration,
  EventDetailDto,
  EventInput,
  EventSummaryDto,
  RegistrationDto,
  TransferRegistration,
} from '@citysport/shared';
import { request } from './client';

/**
 * Event registration (赛事报名) calls. Requests are checked by the server's shared schemas; the
 * answers here are checked for their shape only (the DTO types come from shared).
 */
const page = z.object({ items: z.array(z.any()), nextCursor: z.string().nullable() });
const obj = <K extends string>(key: K) => z.object({ [key]: z.any() } as Record<K, z.ZodAny>);
type Page<T> = { items: T[]; nextCursor: string | null };

export interface PublicDraw {
  status: string;
  algorithm: string;
  seedCommitment: string | null;
  entriesDigest: string | null;
  entriesCount: number | null;
  seed: string | null;
  drawnAt: string | null;
  groups: { id: string; name: string; capacity: number; waitlistSize: number }[];
  winners?: Record<string, string[]>;
  waitlist?: Record<string, string[]>;
}
export interface ResultRow {
  bib: string;
  name: string;
  groupName: string;
  gender: 'M' | 'F';
  gunTime: string;
  chipTime: string;
  rankOverall: number;
  rankGroup: number;
  rankGender: number;
}

export const eventsApi = {
  list: async (q: { sport?: string; district?: string; month?: string; cursor?: string | null; limit?: number }) =>
    (await request({
      path: '/events',
      query: { ...q, cursor: q.cursor ?? undefined },
      schema: page,
      auth: false,
      toast: false,
    })) as Page<EventSummaryDto>,
  detail: async (id: string) =>
    (await request({ path: `/events/${id}`, schema: obj('event'), auth: false, toast: false })).event as EventDetailDto,
  draw: async (id: string) =>
    (await request({ path: `/events/${id}/draw`, schema: obj('draw'), auth: false, toast: false })).draw as PublicDraw,
  results: async (id: string, q: string) =>
    (await request({ path: `/events/${id}/results`, query: { q }, schema: page, auth: false, toast: false })) as Page<ResultRow>,
  register: async (id: string, body: CreateRegistration, key: string) =>
    (
      await request({
        method: 'POST',
        path: `/events/${id}/registrations`,
        data: body,
        header: { 'Idempotency-Key': key },
        schema: obj('registration'),
        toast: false,
      })
    ).registration as RegistrationDto,
  mine: async (cursor: string | null, limit: number) =>
    (await request({
      path: '/registrations/mine',
      query: { cursor: cursor ?? undefined, limit },
      schema: page,
      toast: false,
    })) as Page<RegistrationDto>,
  cancel: async (id: string) =>
    (await request({ method: 'POST', path: `/registrations/${id}/cancel`, data: {}, schema: obj('registration') }))
      .registration as RegistrationDto,
  transfer: async (id: string, body: TransferRegistration) =>
    (await request({ method: 'POST', path: `/registrations/${id}/transfer`, data: body, schema: obj('registration'), toast: false }))
      .registration as RegistrationDto,
  /** 成绩证书: the data and the image (an SVG data URL) */
  certificate: async (id: string) =>
    (await request({
      path: `/registrations/${id}/certificate`,
      query: { format: 'json' },
      schema: z.object({ certificate: z.any(), image: z.string() }),
      toast: false,
    })) as { certificate: CertificateDto; image: string },
  organiserEvent: async (id: string) =>
    (await request({ path: `/organiser/events/${id}`, schema: obj('event'), toast: false })).event as EventDetailDto,
  createEvent: async (body: EventInput) =>
    (await request({ method: 'POST', path: '/organiser/events', data: body, schema: obj('event'), toast: false })).event as EventDetailDto,
  /** `rev`: the version the form was filled from (If-Match), so an edit over someone else's is refused */
  updateEvent: async (id: string, body: EventInput, rev: number) =>
    (
      await request({
        method: 'PUT',
        path: `/organiser/events/${id}`,
        data: body,
        header: { 'If-Match': `"${rev}"` },
        schema: obj('event'),
        toast: false,
      })
    ).event as EventDetailDto,
  organiserEvents: async () => (await request({ path: '/organiser/events', schema: page, toast: false })) as Page<EventSummaryDto>,
  organiserAction: async (id: string, action: 'publish' | 'open' | 'close' | 'draw' | 'bibs' | 'finish') =>
    request({ method: 'POST', path: `/organiser/events/${id}/${action}`, data: {}, schema: z.any() }),
};
