import { z } from 'zod';
import { PreferencesSchema, RecommendationsResponseSchema, type RecommendationsResponse } from '@citysport/shared';
import { request } from './client';

const PreferencesResponseSchema = z.object({ preferences: PreferencesSchema });

/** 为你推荐 (首页) and the 个性化推荐 switch. */
export const recommendationsApi = {
  list: (origin: { lat: number; lng: number } | null): Promise<RecommendationsResponse> =>
    request({
      path: '/me/recommendations',
      // 6 decimals (≈ 0.1 m) is all a recommendation needs
      query: origin ? { lat: origin.lat.toFixed(6), lng: origin.lng.toFixed(6) } : undefined,
      schema: RecommendationsResponseSchema,
      toast: false,
    }),
  preferences: () => request({ path: '/me/preferences', schema: PreferencesResponseSchema }),
  setPersonalisation: (on: boolean) =>
    request({ method: 'PUT', path: '/me/preferences', data: { personalisation: on }, schema: PreferencesResponseSchema }),
};
