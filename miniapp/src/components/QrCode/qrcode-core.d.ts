/** The encoder core of `qrcode` (no canvas, no TextEncoder when handed bytes): works in weapp and h5. */
declare module 'qrcode/lib/core/qrcode' {
  interface BitMatrix {
    size: number;
    data: Uint8Array;
    get(row: number, col: number): number | boolean;
  }
  export function create(
    data: string | { data: Uint8Array | string; mode: 'byte' | 'alphanumeric' | 'numeric' }[],
    options?: { errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H'; version?: number },
  ): { modules: BitMatrix; version: number };
}
