/** The geofence's distance: haversine on the mean Earth sphere. */
import { haversineMetres } from '../../shared/src/schemas/guidance';

test('known distances', () => {
  const beijing = { lat: 39.9042, lng: 116.4074 };
  const shanghai = { lat: 31.2304, lng: 121.4737 };
  // great-circle Beijing–Shanghai ≈ 1,067 km
  expect(Math.abs(haversineMetres(beijing, shanghai) - 1_067_000)).toBeLessThan(5_000);
  expect(haversineMetres(shanghai, shanghai)).toBe(0);
  // 0.001° of latitude ≈ 111.2 m anywhere; of longitude at 31.3° N ≈ 95.0 m (cos 31.3° × 111.2)
  const p = { lat: 31.3158, lng: 120.5986 };
  expect(haversineMetres(p, { lat: p.lat + 0.001, lng: p.lng })).toBeCloseTo(111.19, 1);
  expect(haversineMetres(p, { lat: p.lat, lng: p.lng + 0.001 })).toBeCloseTo(95.0, 0);
  // symmetric
  expect(haversineMetres(beijing, shanghai)).toBeCloseTo(haversineMetres(shanghai, beijing), 6);
});
