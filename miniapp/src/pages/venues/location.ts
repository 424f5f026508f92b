import Taro from '@tarojs/taro';
import { IS_H5 } from '../../api/config';

export interface LatLng {
  lat: number;
  lng: number;
}

/** The user's position, or null when denied, unsupported or slow (never blocks the list). */
export async function locate(timeoutMs = 6000): Promise<LatLng | null> {
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs));
  const located = Taro.getLocation({ type: IS_H5 ? 'wgs84' : 'gcj02' })
    .then((r) => ({ lat: r.latitude, lng: r.longitude }))
    .catch(() => null);
  return Promise.race([located, timeout]);
}
