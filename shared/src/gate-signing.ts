/**
 * How a gate device signs its requests (the cloud checks, the device client signs): Ed25519 over
 * `CSG1\n<METHOD>\n<path with query>\n<sha256 hex of the raw body>\n<timestamp ms>\n<nonce>`.
 * Headers: X-Device-Id, X-Device-Timestamp, X-Device-Nonce, X-Device-Signature (base64).
 */
export const DEVICE_HEADERS = {
  id: 'x-device-id',
  timestamp: 'x-device-timestamp',
  nonce: 'x-device-nonce',
  signature: 'x-device-signature',
} as const;
/** a signed request older or newer than this is refused; nonces are kept at least this long */
export const DEVICE_CLOCK_SKEW_MS = 5 * 60_000;

export function deviceSigningString(method: string, path: string, bodySha256Hex: string, timestamp: string, nonce: string): string {
  return ['CSG1', method.toUpperCase(), path, bodySha256Hex, timestamp, nonce].join('\n');
}
