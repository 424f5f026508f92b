import { TicketCodeSchema, TicketListSchema, TicketSchema, TransferResponseSchema } from '@citysport/shared';
import { z } from 'zod';
import { request } from './client';
import type { CallOptions } from './endpoints';

/**
 * Ticket endpoints. A module of its own, imported only by the ticket subpackage, so the build places
 * it there and the main package does not carry it.
 */
export const ticketApi = {
  /** GET /tickets/mine → {items}: valid and recent tickets of my confirmed bookings */
  mine: (o: CallOptions = {}) => request({ path: '/tickets/mine', schema: TicketListSchema, toast: o.toast }),

  /** GET /tickets/:ticketId/code → {code, expiresAt, stepSeconds} (owner only; a new code every 30 s) */
  code: (ticketId: string, o: CallOptions = {}) =>
    request({ path: `/tickets/${encodeURIComponent(ticketId)}/code`, schema: TicketCodeSchema, toast: o.toast }),

  /** POST /tickets/:ticketId/transfer → {claimToken, expiresAt} for a share card (issue 10) */
  transfer: (ticketId: string, o: CallOptions = {}) =>
    request({
      method: 'POST',
      path: `/tickets/${encodeURIComponent(ticketId)}/transfer`,
      data: {},
      schema: TransferResponseSchema,
      toast: o.toast,
    }),

  /** POST /tickets/claim {claimToken} → {ticket}: the friend takes the ticket, once */
  claim: (claimToken: string, o: CallOptions = {}) =>
    request({ method: 'POST', path: '/tickets/claim', data: { claimToken }, schema: z.object({ ticket: TicketSchema }), toast: o.toast }),
};
