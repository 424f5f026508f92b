import Taro from '@tarojs/taro';
import { IS_H5 } from '../api/config';

export interface Fix {
  lat: number;
  lng: number;
  accuracyM: number;
}

/**
 * The device's position with its accuracy. In the mini-program: Taro.getLocation (GCJ-02, the
 * datum WeChat's map picker gives session places). In h5 (browser tests, demo) a stand-in: the page
 * URL may carry `lat`, `lng`, `acc` (a simulated fix), else the browser's geolocation.
 */
export async function currentFix(params: Record<string, string | undefined>, timeoutMs = 8000): Promise<Fix | null> {
  if (IS_H5 && params.lat && params.lng) {
    const fix = { lat: Number(params.lat), lng: Number(params.lng), accuracyM: Number(params.acc ?? 10) };
    if (Number.isFinite(fix.lat) && Number.isFinite(fix.lng) && Number.isFinite(fix.accuracyM)) return fix;
  }
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs));
  const located = Taro.getLocation({ type: IS_H5 ? 'wgs84' : 'gcj02', isHighAccuracy: true })
    .then((r) => ({ lat: r.latitude, lng: r.longitude, accuracyM: Number(r.accuracy ?? 30) }))
    .catch(() => null);
  return Promise.race([located, timeout]);
}
