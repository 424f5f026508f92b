import {
  FITNESS_GRADE_LABELS_ZH,
  HW_BAND_LABELS_ZH,
  type FitnessGrade,
  type FitnessReport,
  type HeightWeightBand,
} from '@citysport/shared';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** short axis names, as on the report's radar */
const SHORT_ZH: Record<string, string> = {
  heightWeight: '体重',
  vitalCapacityMl: '肺活量',
  stepIndex: '台阶',
  gripKg: '握力',
  pushUps: '俯卧撑',
  sitUpsPerMin: '仰卧起坐',
  verticalJumpCm: '纵跳',
  sitAndReachCm: '柔韧',
  reactionTimeS: '反应',
  oneLegStandEyesClosedS: '平衡',
};

const WITHHELD_ZH: Record<string, string> = {
  item_scored_zero: '有单项得 0 分，不评定等级',
  no_table: '部分项目暂无可核对的评分表，不评定等级',
  incomplete: '项目未测完，不评定等级',
};

/**
 * The shareable card of a report (SVG, 1080×1440), drawn like the events' 成绩证书 but WITHOUT any
 * personal identifier: no name (not even masked), no ID number, no birth date or exact test day —
 * only the age group, sex, the test month, grade, total and item scores (with a radar) and the standard.
 */
export function reportShareSvg(r: FitnessReport): string {
  const font = `font-family="'PingFang SC','Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif"`;
  const items = r.items;
  const n = items.length;
  const cx = 540;
  const cy = 720;
  const R = 220;
  const pt = (k: number, frac: number) => {
    const a = -Math.PI / 2 + (2 * Math.PI * k) / n;
    return [cx + R * frac * Math.cos(a), cy + R * frac * Math.sin(a)] as const;
  };
  const poly = (fracs: number[]) =>
    fracs
      .map((f, k) => pt(k, f))
      .map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`)
      .join(' ');
  const rings = [1, 2, 3, 4, 5]
    .map((lv) => `<polygon points="${poly(items.map(() => lv / 5))}" fill="none" stroke="#e5e7eb" stroke-width="2"/>`)
    .join('');
  const spokes = items
    .map((_, k) => {
      const [x, y] = pt(k, 1);
      return `<line x1="${cx}" y1="${cy}" x2="${x.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e5e7eb" stroke-width="2"/>`;
    })
    .join('');
  const labels = items
    .map((it, k) => {
      const [x, y] = pt(k, 1.2);
      return `<text x="${x.toFixed(1)}" y="${(y + 12).toFixed(1)}" font-size="30" fill="#374151" text-anchor="middle" ${font}>${esc(SHORT_ZH[it.item] ?? it.labelZh)}</text>`;
    })
    .join('');
  const shape = `<polygon points="${poly(items.map((i) => (i.score ?? 0) / 5))}" fill="#16a34a" fill-opacity="0.25" stroke="#16a34a" stroke-width="4"/>`;
  const gradeText = r.grade ? FITNESS_GRADE_LABELS_ZH[r.grade as FitnessGrade] : '不评定等级';
  const unscored = items.filter((i) => i.note === 'no_table').map((i) => i.labelZh);
  const withheld = r.grade
    ? ''
    : r.gradeWithheld === 'no_table' && unscored.length
      ? `${unscored.join('、')}暂无可核对的评分表，不评定等级`
      : (WITHHELD_ZH[r.gradeWithheld ?? ''] ?? '');
  const rowY = (k: number) => 1060 + Math.floor(k / 2) * 56;
  const rowX = (k: number) => (k % 2 === 0 ? 120 : 580);
  const rows = items
    .map((it, k) => {
      const score = it.score === null ? '—' : `${it.score} 分`;
      const band = it.band ? `（${HW_BAND_LABELS_ZH[it.band as HeightWeightBand] ?? ''}）` : '';
      return (
        `<text x="${rowX(k)}" y="${rowY(k)}" font-size="30" fill="#6b7280" ${font}>${esc(it.labelZh + band)}</text>` +
        `<text x="${rowX(k) + 380}" y="${rowY(k)}" font-size="32" fill="#111827" text-anchor="end" font-weight="600" ${font}>${esc(score)}</text>`
      );
    })
    .join('');
  const sexZh = r.sex === 'M' ? '男' : '女';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1440" viewBox="0 0 1080 1440">`,
    `<rect width="1080" height="1440" fill="#f7fdf9"/>`,
    `<rect x="40" y="40" width="1000" height="1360" rx="24" fill="#ffffff" stroke="#16a34a" stroke-width="4"/>`,
    `<text x="540" y="150" font-size="64" fill="#15803d" text-anchor="middle" font-weight="700" letter-spacing="8" ${font}>国民体质测试</text>`,
    `<text x="540" y="215" font-size="30" fill="#6b7280" text-anchor="middle" ${font}>${esc(`${sexZh} · ${r.ageGroup} 岁组 · ${r.testDate.slice(0, 4)}年${Number(r.testDate.slice(5, 7))}月`)}</text>`,
    `<text x="540" y="300" font-size="56" fill="#111827" text-anchor="middle" font-weight="700" ${font}>${esc(gradeText)}</text>`,
    `<text x="540" y="355" font-size="34" fill="#374151" text-anchor="middle" ${font}>${esc(`总分 ${r.total} / ${r.maxTotal}`)}</text>`,
    withheld ? `<text x="540" y="400" font-size="26" fill="#b45309" text-anchor="middle" ${font}>${esc(withheld)}</text>` : '',
    rings,
    spokes,
    shape,
    labels,
    rows,
    `<text x="540" y="1348" font-size="24" fill="#9ca3af" text-anchor="middle" ${font}>${esc(`评定标准：${r.standardTitle}（${r.standard}）`)}</text>`,
    `<text x="540" y="1382" font-size="22" fill="#9ca3af" text-anchor="middle" ${font}>此图不含姓名、身份证号与出生日期</text>`,
    `</svg>`,
  ].join('');
}
