import {
  HealthSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  MeResponseSchema,
  VenueListResponseSchema,
  type Sport,
} from '@citysport/shared';
import { request } from './client';

export interface VenueFilter {
  sport?: Sport;
  district?: string;
  lat?: number;
  lng?: number;
}

export interface CallOptions {
  toast?: boolean;
}

export const api = {
  /** POST /auth/login {code} — code from Taro.login, or `mock:<openid>` with the WeChat stand-in */
  login: (code: string, o: CallOptions = {}) =>
    request({
      method: 'POST',
      path: '/auth/login',
      data: LoginRequestSchema.parse({ code }),
      schema: LoginResponseSchema,
      auth: false,
      toast: o.toast,
    }),

  /** GET /me — the signed-in user's profile (phone and ID number masked) */
  me: (o: CallOptions = {}) => request({ path: '/me', schema: MeResponseSchema, toast: o.toast }),

  /** GET /venues?sport=&district=&lat=&lng= */
  venues: (filter: VenueFilter = {}, o: CallOptions = {}) =>
    request({
      path: '/venues',
      query: { sport: filter.sport, district: filter.district, lat: filter.lat, lng: filter.lng },
      schema: VenueListResponseSchema,
      toast: o.toast,
    }),

  /** GET /health */
  health: (o: CallOptions = {}) => request({ path: '/health', schema: HealthSchema, auth: false, toast: o.toast }),
};
