import { useMemo } from 'react';
import { View } from '@tarojs/components';
import { create } from 'qrcode/lib/core/qrcode';

interface Run {
  row: number;
  col: number;
  len: number;
}

/**
 * A QR code drawn with views (one per dark run of a row): no canvas, no SVG image, so it looks the
 * same in weapp and h5. The text is handed over as bytes, which keeps `qrcode` off TextEncoder
 * (WeChat has none).
 */
export default function QrCode({ text, className = '' }: { text: string; className?: string }) {
  const { size, runs } = useMemo(() => {
    const bytes = new Uint8Array(Array.from(text, (ch) => ch.charCodeAt(0) & 0xff));
    const { modules } = create([{ data: bytes, mode: 'byte' }], { errorCorrectionLevel: 'M' });
    const n = modules.size;
    const out: Run[] = [];
    for (let r = 0; r < n; r++) {
      let c = 0;
      while (c < n) {
        if (!modules.get(r, c)) {
          c++;
          continue;
        }
        const start = c;
        while (c < n && modules.get(r, c)) c++;
        out.push({ row: r, col: start, len: c - start });
      }
    }
    return { size: n, runs: out };
  }, [text]);

  const quiet = 2;
  // size comes from the stylesheet (.qr-code), so px→rpx/rem applies
  const cells = size + quiet * 2;
  const unit = 100 / cells;
  return (
    <View className={`qr-code ${className}`} data-size={size}>
      {runs.map((r) => (
        <View
          key={`${r.row}-${r.col}`}
          className="qr-code__run"
          style={{
            left: `${(r.col + quiet) * unit}%`,
            top: `${(r.row + quiet) * unit}%`,
            width: `${r.len * unit + 0.05}%`,
            height: `${unit + 0.05}%`,
          }}
        />
      ))}
    </View>
  );
}
