import {
  OfflinePackSchema,
  StaffTodaySchema,
  SyncRequestSchema,
  SyncResponseSchema,
  VerifyRequestSchema,
  VerifyResponseSchema,
} from '@citysport/shared';
import type { z } from 'zod';
import { request } from './client';
import type { CallOptions } from './endpoints';

export type VerifyInput = z.input<typeof VerifyRequestSchema>;
export type SyncInput = z.input<typeof SyncRequestSchema>;

/**
 * Gate endpoints (venue staff). A module of its own, imported only by the staff subpackage, so the
 * build places it there and the main package does not carry it.
 */
export const staffApi = {
  /** POST /verifications {code, venueId, nonce, deviceId} → admitted, or an error (TICKET_*) */
  verify: (body: VerifyInput, o: CallOptions = {}) =>
    request({
      method: 'POST',
      path: '/verifications',
      data: VerifyRequestSchema.parse(body),
      schema: VerifyResponseSchema,
      toast: o.toast,
      timeoutMs: 8000,
    }),

  /** GET /verifications/offline-pack?venueId= */
  offlinePack: (venueId: string, o: CallOptions = {}) =>
    request({ path: '/verifications/offline-pack', query: { venueId }, schema: OfflinePackSchema, toast: o.toast }),

  /** POST /verifications/sync {venueId, scans} → {items: [{nonce, result, duplicate, ticketId, firstUsedAt}]} */
  sync: (body: SyncInput, o: CallOptions = {}) =>
    request({
      method: 'POST',
      path: '/verifications/sync',
      data: SyncRequestSchema.parse(body),
      schema: SyncResponseSchema,
      toast: o.toast,
    }),

  /** GET /verifications/today?venueId= → {admitted, rejected, duplicates} */
  today: (venueId: string, o: CallOptions = {}) =>
    request({ path: '/verifications/today', query: { venueId }, schema: StaffTodaySchema, toast: o.toast }),
};
