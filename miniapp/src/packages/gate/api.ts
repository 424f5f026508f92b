import { z } from 'zod';
import { GateDeviceSchema, IdSchema, OccupancySchema, WalkupProductSchema, type GateDirection } from '@citysport/shared';
import { request } from '../../api/client';

/** Gate and walk-up endpoints (API.md, "Gates and walk-up sales"); only this subpackage imports them. */
const RegisteredSchema = z.object({ device: GateDeviceSchema, pairingCode: z.string(), pairingExpiresAt: z.string() });
const PurchaseSchema = z.object({
  purchaseId: IdSchema,
  orderId: IdSchema,
  amountFen: z.number().int(),
  expiresAt: z.string(),
  native: z.object({ codeUrl: z.string(), expiresAt: z.string() }).nullable(),
});

export const gateApi = {
  devices: (venueId: string) =>
    request({ path: `/manage/venues/${venueId}/devices`, schema: z.object({ items: z.array(GateDeviceSchema) }), toast: false }),
  register: (venueId: string, body: { name: string; gate: string; direction: GateDirection }) =>
    request({ method: 'POST', path: `/manage/venues/${venueId}/devices`, data: body, schema: RegisteredSchema }),
  revoke: (venueId: string, deviceId: string) =>
    request({ method: 'DELETE', path: `/manage/venues/${venueId}/devices/${deviceId}`, schema: z.object({ device: GateDeviceSchema }) }),
  occupancy: (venueId: string) => request({ path: `/venues/${venueId}/occupancy`, schema: OccupancySchema, auth: false, toast: false }),
  products: (venueId: string) =>
    request({ path: `/venues/${venueId}/walk-up`, schema: z.object({ items: z.array(WalkupProductSchema) }), auth: false, toast: false }),
  buy: (venueId: string, productId: string, native: boolean) =>
    request({
      method: 'POST',
      path: `/venues/${venueId}/walk-up`,
      query: native ? { native: '1' } : {},
      data: { productId },
      schema: PurchaseSchema,
    }),
};
