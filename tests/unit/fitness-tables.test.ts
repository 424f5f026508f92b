/**
 * Every cell of the GTB2003-adult data file checked through the engine: for each cut, the value
 * at the cut earns that band and the value one measuring step beyond it (below for higher-is-better,
 * above for reaction time) earns one point less — so a 0-point cell below the 1-point bound too.
 * The expectations are read from the data file (the transcription), never from the engine.
 */
import {
  GTB2003Adult as T,
  ADULT_AGE_GROUPS,
  MEASUREMENT_SPECS,
  scoreItem,
  scoreHeightWeight,
  tableRow,
  type FitnessSex,
} from '@citysport/shared';

type Item =
  | 'vitalCapacityMl'
  | 'stepIndex'
  | 'gripKg'
  | 'pushUps'
  | 'sitUpsPerMin'
  | 'verticalJumpCm'
  | 'sitAndReachCm'
  | 'reactionTimeS'
  | 'oneLegStandEyesClosedS';
const TABLES: Record<Item, Record<string, readonly number[]>> = {
  vitalCapacityMl: T.vitalCapacityMl,
  stepIndex: T.stepIndex,
  gripKg: T.gripKg,
  pushUps: T.pushUps,
  sitUpsPerMin: T.sitUpsPerMin,
  verticalJumpCm: T.verticalJumpCm,
  sitAndReachCm: T.sitAndReachCm,
  reactionTimeS: T.reactionTimeS,
  oneLegStandEyesClosedS: T.oneLegStandEyesClosedS,
};
/** one measuring step per item (the recording precision of the tables) */
const STEP: Record<Item, number> = {
  vitalCapacityMl: 1,
  stepIndex: 0.1,
  gripKg: 0.1,
  pushUps: 1,
  sitUpsPerMin: 1,
  verticalJumpCm: 0.1,
  sitAndReachCm: 0.1,
  reactionTimeS: 0.01,
  oneLegStandEyesClosedS: 1,
};
const round = (v: number) => Math.round(v * 1000) / 1000;
const ageOf = (group: string) => Number(group.split('-')[0]) + 2;

const cells: Array<[Item, string, number, number]> = [];
for (const item of Object.keys(TABLES) as Item[]) {
  for (const [key, row] of Object.entries(TABLES[item])) {
    row.forEach((cut, k) => cells.push([item, key, k, cut]));
  }
}

describe('table shape', () => {
  test('row counts per item (groups present in the data file)', () => {
    expect(Object.keys(T.vitalCapacityMl)).toHaveLength(16);
    expect(Object.keys(T.stepIndex)).toHaveLength(16);
    expect(Object.keys(T.gripKg)).toHaveLength(16);
    expect(Object.keys(T.reactionTimeS)).toHaveLength(16);
    expect(Object.keys(T.oneLegStandEyesClosedS)).toHaveLength(16);
    expect(Object.keys(T.pushUps)).toEqual(['M:20-24', 'M:25-29', 'M:30-34', 'M:35-39']);
    expect(Object.keys(T.sitUpsPerMin)).toEqual(['F:20-24', 'F:25-29', 'F:30-34', 'F:35-39']);
    expect(Object.keys(T.verticalJumpCm)).toHaveLength(8);
    // women 35–39 left out on purpose (the source row was a copy of the men's)
    expect(Object.keys(T.sitAndReachCm)).toHaveLength(15);
    expect(T.sitAndReachCm['F:35-39']).toBeUndefined();
    // 5 items × 16 rows + 俯卧撑 4 + 仰卧起坐 4 + 纵跳 8 + 坐位体前屈 15 = 111 rows × 5 cuts
    expect(cells).toHaveLength(555);
    expect(hwCells).toHaveLength(56 + 45 + 56 + 45 + 52 + 45 + 52 + 45);
  });
  test('every row is strictly monotone (ascending cuts; reaction time descending)', () => {
    for (const item of Object.keys(TABLES) as Item[]) {
      for (const [key, row] of Object.entries(TABLES[item])) {
        for (let k = 1; k < 5; k++) {
          const ok = item === 'reactionTimeS' ? row[k] < row[k - 1] : row[k] > row[k - 1];
          if (!ok) throw new Error(`${item} ${key} not monotone at ${k}: ${row.join(',')}`);
        }
      }
    }
  });
});

describe.each(cells)('%s %s cut %i = %d', (item, key, k, cut) => {
  const [sex, group] = key.split(':') as [FitnessSex, string];
  const age = ageOf(group);
  const spec = MEASUREMENT_SPECS[item];
  test('the cut earns its band; one step beyond earns one less', () => {
    expect(tableRow(item, sex, age)).toBe(TABLES[item][key]);
    expect(scoreItem(item, sex, age, cut)).toBe(k + 1);
    const worse = round(item === 'reactionTimeS' ? cut + STEP[item] : cut - STEP[item]);
    if (worse >= spec.min && worse <= spec.max) expect(scoreItem(item, sex, age, worse)).toBe(k);
  });
});

const hwCells: Array<[string, number, number, number, number, number]> = [];
for (const [key, rows] of Object.entries(T.heightWeight)) for (const r of rows) hwCells.push([key, ...r]);

describe('身高标准体重 (banded)', () => {
  test('groups and contiguous 1 cm rows', () => {
    expect(Object.keys(T.heightWeight).sort()).toEqual(
      ['F:20-29', 'F:30-39', 'F:40-49', 'F:50-59', 'M:20-29', 'M:30-39', 'M:40-49', 'M:50-59'].sort(),
    );
    for (const rows of Object.values(T.heightWeight)) {
      rows.forEach((r, i) => i > 0 && expect(r[0]).toBe(rows[i - 1][0] + 1));
      for (const [, lo3, lo5, hi5, hi3] of rows) {
        expect(lo3).toBeLessThan(lo5);
        expect(lo5).toBeLessThan(hi5);
        expect(hi5).toBeLessThan(hi3);
      }
    }
  });
  test.each(hwCells)('%s %d cm: %d / %d / %d / %d', (key, h, lo3, lo5, hi5, hi3) => {
    const [sex, group] = key.split(':') as [FitnessSex, string];
    const age = Number(group.split('-')[0]) + 5;
    const at = (height: number, w: number) => scoreHeightWeight(sex, age, height, w);
    for (const height of [h, round(h + 0.5), round(h + 0.9)]) {
      expect(at(height, round(lo3 - 0.1))).toEqual({ score: 1, band: 'underweight' });
      expect(at(height, lo3)).toEqual({ score: 3, band: 'light' });
      expect(at(height, round(lo5 - 0.1))).toEqual({ score: 3, band: 'light' });
      expect(at(height, lo5)).toEqual({ score: 5, band: 'normal' });
      expect(at(height, hi5)).toEqual({ score: 5, band: 'normal' });
      expect(at(height, round(hi5 + 0.1))).toEqual({ score: 3, band: 'overweight' });
      expect(at(height, hi3)).toEqual({ score: 3, band: 'overweight' });
      expect(at(height, round(hi3 + 0.1))).toEqual({ score: 1, band: 'obese' });
    }
  });
  test('a height outside the table has no score; ages pick the 10-year table', () => {
    expect(scoreHeightWeight('M', 25, 143.9, 40)).toBeNull();
    expect(scoreHeightWeight('M', 25, 200.0, 90)).toBeNull();
    expect(scoreHeightWeight('F', 45, 139.9, 40)).toBeNull();
    // 29 uses 20–29, 30 uses 30–39: M 170 cm lower 5-point bound 55.8 vs 56.8
    expect(scoreHeightWeight('M', 29, 170.4, 56.0)?.score).toBe(5);
    expect(scoreHeightWeight('M', 30, 170.4, 56.0)?.score).toBe(3);
  });
});

test('every group of every item has its rows for the ages it covers', () => {
  for (const g of ADULT_AGE_GROUPS) {
    const age = ageOf(g);
    for (const sex of ['M', 'F'] as FitnessSex[]) {
      for (const item of ['vitalCapacityMl', 'stepIndex', 'gripKg', 'reactionTimeS', 'oneLegStandEyesClosedS'] as Item[]) {
        expect(tableRow(item, sex, age)).not.toBeNull();
      }
    }
  }
});
