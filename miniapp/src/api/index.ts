export {
  api,
  type VenueFilter,
  type CreateBookingInput,
  type UpdateRulesInput,
  type UpdateTemplatesInput,
  type BookingListStatus,
} from './endpoints';
export { request, buildUrl, setAuthHooks, showErrorToast, type RequestOptions } from './client';
export { ApiError, isApiError, errorMessageZh, NETWORK_ERROR, BAD_RESPONSE } from './errors';
export { API_BASE, WECHAT_MOCK, IS_H5, MOCK_BASE } from './config';
