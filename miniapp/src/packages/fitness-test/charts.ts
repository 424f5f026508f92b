/** Small charts drawn by us as SVG (shown through <Image>, which works on h5 and in the mini-program). */

const svgUri = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

/** radar of item scores 0–5; one axis per item */
export function radarSvg(items: { label: string; score: number | null }[], size = 320, stroke = '#1f6feb'): string {
  const c = size / 2;
  const r = size / 2 - 72;
  const n = items.length;
  const pt = (i: number, v: number) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return [c + Math.cos(a) * r * v, c + Math.sin(a) * r * v] as const;
  };
  const ring = (f: number) =>
    `<polygon points="${items.map((_, i) => pt(i, f).join(',')).join(' ')}" fill="none" stroke="#d0d7de" stroke-width="1"/>`;
  const rings = [0.2, 0.4, 0.6, 0.8, 1].map(ring).join('');
  const axes = items.map((_, i) => `<line x1="${c}" y1="${c}" x2="${pt(i, 1)[0]}" y2="${pt(i, 1)[1]}" stroke="#d0d7de"/>`).join('');
  const shape = items.map((it, i) => pt(i, (it.score ?? 0) / 5).join(',')).join(' ');
  const labels = items
    .map((it, i) => {
      const [x, y] = pt(i, 1.2);
      return `<text x="${x}" y="${y}" font-size="15" text-anchor="middle" dominant-baseline="middle" fill="#24292f">${it.label}${
        it.score === null ? '' : ` ${it.score}`
      }</text>`;
    })
    .join('');
  return svgUri(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">${rings}${axes}` +
      `<polygon points="${shape}" fill="${stroke}" fill-opacity="0.25" stroke="${stroke}" stroke-width="2.5"/>${labels}</svg>`,
  );
}

/** totals across years: a line with a dot and the figure per test */
export function trendSvg(points: { label: string; value: number; max: number }[], width = 640, height = 260, stroke = '#1f6feb'): string {
  const pad = 44;
  const max = Math.max(...points.map((p) => p.max), 1);
  const x = (i: number) => (points.length === 1 ? width / 2 : pad + ((width - 2 * pad) * i) / (points.length - 1));
  const y = (v: number) => height - pad - ((height - 2 * pad) * v) / max;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${pad}" x2="${width - pad}" y1="${y(max * f)}" y2="${y(max * f)}" stroke="#eaeef2"/>`)
    .join('');
  const line = points.map((p, i) => `${x(i)},${y(p.value)}`).join(' ');
  const dots = points
    .map(
      (p, i) =>
        `<circle cx="${x(i)}" cy="${y(p.value)}" r="6" fill="${stroke}"/>` +
        `<text x="${x(i)}" y="${y(p.value) - 16}" font-size="20" text-anchor="middle" fill="#24292f">${p.value}</text>` +
        `<text x="${x(i)}" y="${height - 12}" font-size="18" text-anchor="middle" fill="#57606a">${p.label}</text>`,
    )
    .join('');
  return svgUri(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${grid}` +
      `<polyline points="${line}" fill="none" stroke="${stroke}" stroke-width="3"/>${dots}</svg>`,
  );
}
