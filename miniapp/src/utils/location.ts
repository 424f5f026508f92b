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
export async function currentFix(
  params: Record<string, string | undefined>,
  timeoutMs = 8000,
  /** a fix this recent is answered again without asking (the home page's cards share one); 0: always ask */
  maxAgeMs = 0,
): Promise<Fix | null> {
  if (IS_H5 && params.lat && params.lng) {
    const fix = { lat: Number(params.lat), lng: Number(params.lng), accuracyM: Number(params.acc ?? 10) };
    if (Number.isFinite(fix.lat) && Number.isFinite(fix.lng) && Number.isFinite(fix.accuracyM)) return fix;
  }
  if (maxAgeMs > 0 && last && Date.now() - last.at <= maxAgeMs) return last.fix;
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs));
  const located = Taro.getLocation({ type: IS_H5 ? 'wgs84' : 'gcj02', isHighAccuracy: true })
    .then((r) => ({ lat: r.latitude, lng: r.longitude, accuracyM: Number(r.accuracy ?? 30) }))
    .catch(() => null);
  const fix = await Promise.race([located, timeout]);
  if (fix) last = { fix, at: Date.now() };
  return fix;
}
let last: { fix: Fix; at: number } | null = null;

/** A place to navigate to (a venue): GCJ-02, the datum WeChat's map and 高德 use. */
export interface Place {
  name: string;
  address: string;
  location: { lat: number; lng: number };
}

/** 高德地图's public marker page for a place (opens the app when installed, else the web map). */
export function amapMarkerUrl(p: Place): string {
  const q = `position=${p.location.lng},${p.location.lat}&name=${encodeURIComponent(p.name)}&src=citysport&coordinate=gaode&callnative=1`;
  return `https://uri.amap.com/marker?${q}`;
}

/**
 * One-tap navigation: in the mini-program WeChat's own map (Taro.openLocation, with its 导航 button).
 * h5 has no openLocation: the address is shown, and 打开地图 opens 高德's marker page in a new tab.
 */
export async function navigateTo(p: Place): Promise<void> {
  if (!IS_H5) {
    await Taro.openLocation({ latitude: p.location.lat, longitude: p.location.lng, name: p.name, address: p.address, scale: 16 });
    return;
  }
  const r = await Taro.showModal({ title: p.name, content: `地址：${p.address}`, confirmText: '打开地图', cancelText: '关闭' });
  if (r.confirm) window.open(amapMarkerUrl(p), '_blank', 'noopener');
}
