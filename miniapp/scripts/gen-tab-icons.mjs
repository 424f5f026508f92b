#!/usr/bin/env node
// Draws the four tab-bar icons (81×81 PNG, grey and selected blue) into src/assets/tabbar/.
// No image library: shapes are anti-aliased distance fields, PNG written with node:zlib.
// Run once after changing a shape: node scripts/gen-tab-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 81;
const STROKE = 0.055; // half width, in units of the icon size
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'assets', 'tabbar');
const COLORS = { normal: [0x7a, 0x7e, 0x83], active: [0x16, 0x77, 0xff] };

const seg = (ax, ay, bx, by) => (x, y) => {
  const px = x - ax,
    py = y - ay,
    dx = bx - ax,
    dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - t * dx, py - t * dy);
};
const ring =
  (cx, cy, r, keep = () => true) =>
  (x, y) =>
    keep(x, y) ? Math.abs(Math.hypot(x - cx, y - cy) - r) : Infinity;
const poly = (...pts) => {
  const parts = [];
  for (let i = 0; i + 3 < pts.length; i += 2) parts.push(seg(pts[i], pts[i + 1], pts[i + 2], pts[i + 3]));
  return parts;
};
const rect = (x0, y0, x1, y1) => poly(x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);

const ICONS = {
  home: [
    ...poly(0.14, 0.5, 0.5, 0.17, 0.86, 0.5),
    ...poly(0.26, 0.42, 0.26, 0.84, 0.74, 0.84, 0.74, 0.42),
    ...poly(0.42, 0.84, 0.42, 0.62, 0.58, 0.62, 0.58, 0.84),
  ],
  venues: [
    ...rect(0.13, 0.24, 0.87, 0.76),
    seg(0.5, 0.24, 0.5, 0.76),
    ring(0.5, 0.5, 0.12),
    ...poly(0.13, 0.4, 0.21, 0.4, 0.21, 0.6, 0.13, 0.6),
    ...poly(0.87, 0.4, 0.79, 0.4, 0.79, 0.6, 0.87, 0.6),
  ],
  events: [ring(0.5, 0.63, 0.2), seg(0.3, 0.14, 0.44, 0.44), seg(0.7, 0.14, 0.56, 0.44), seg(0.3, 0.14, 0.7, 0.14)],
  me: [ring(0.5, 0.33, 0.16), ring(0.5, 0.9, 0.33, (x, y) => y <= 0.9)],
};

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(shapes, [r, g, b]) {
  const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
  for (let y = 0; y < SIZE; y++) {
    raw[y * (SIZE * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < SIZE; x++) {
      const u = (x + 0.5) / SIZE,
        v = (y + 0.5) / SIZE;
      const d = Math.min(...shapes.map((s) => s(u, v))) - STROKE;
      const alpha = Math.max(0, Math.min(1, 0.5 - d * SIZE));
      const o = y * (SIZE * 4 + 1) + 1 + x * 4;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
      raw[o + 3] = Math.round(alpha * 255);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(OUT, { recursive: true });
for (const [name, shapes] of Object.entries(ICONS)) {
  writeFileSync(join(OUT, `${name}.png`), png(shapes, COLORS.normal));
  writeFileSync(join(OUT, `${name}-active.png`), png(shapes, COLORS.active));
}
console.log(`tab-bar icons written to ${OUT}`);
