import os from 'node:os';
import path from 'node:path';
import { loadOrCreateKeyMaterial, type WechatPayKeyMaterial } from '../../mock/src/wechatpay/keys';

/** The benches' merchant and WeChat Pay keys, kept between runs: the stand-in and the API read the same ones. */
const KEY_DIR = path.join(os.tmpdir(), 'citysport-bench-wechatpay');

export const benchPayKeys = (): WechatPayKeyMaterial => loadOrCreateKeyMaterial(KEY_DIR, { appid: 'wx-bench', mchid: '1900000109' });

/** The API's WeChat Pay settings for those keys (public-key mode). */
export function benchPayEnv(keys: WechatPayKeyMaterial): Record<string, string> {
  return {
    WECHATPAY_APIV3_KEY: keys.apiV3Key,
    WECHATPAY_MERCHANT_SERIAL: keys.merchant.serialNo,
    WECHATPAY_MERCHANT_KEY_FILE: path.join(KEY_DIR, 'apiclient_key.pem'),
    WECHATPAY_MERCHANT_CERT_FILE: path.join(KEY_DIR, 'apiclient_cert.pem'),
    WECHATPAY_PUBLIC_KEY_ID: keys.publicKeyMode.keyId,
    WECHATPAY_PUBLIC_KEY_FILE: path.join(KEY_DIR, 'pub_key.pem'),
  };
}
