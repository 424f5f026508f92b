/** Build-time settings, replaced by Taro's DefinePlugin (see config/index.ts). */
export const API_BASE: string = process.env.TARO_APP_API_BASE;
export const WECHAT_MOCK: boolean = process.env.TARO_APP_WECHAT_MOCK === 'true';
export const IS_H5: boolean = process.env.TARO_ENV === 'h5';
/** Where the WeChat Pay stand-in's `/mock/...` routes are: h5 reaches them through the preview server (same origin). */
export const MOCK_BASE = '';
