/**
 * Physical-fitness scoring engine (pure: no I/O, no clock). Shared so the mini-program's
 * self-assessment calculator and the cloud compute the same thing from the same data.
 * Tables: ./gtb2003-adult.data.ts (read its header for sources and gaps).
 */
import { isValidIdCard } from '../personal';
import * as T from './gtb2003-adult.data';

export const FITNESS_STANDARDS = ['GTB2003-adult'] as const;
export type FitnessStandard = (typeof FITNESS_STANDARDS)[number];
export type FitnessSex = 'M' | 'F';

export const MEASUREMENT_KEYS = [
  'heightCm',
  'weightKg',
  'vitalCapacityMl',
  'stepIndex',
  'gripKg',
  'pushUps',
  'sitUpsPerMin',
  'verticalJumpCm',
  'sitAndReachCm',
  'reactionTimeS',
  'oneLegStandEyesClosedS',
] as const;
export type MeasurementKey = (typeof MEASUREMENT_KEYS)[number];
export type Measurements = Partial<Record<MeasurementKey, number>>;

/** scored items: 身高标准体重 takes two measurements (heightCm + weightKg) */
export const FITNESS_ITEMS = [
  'heightWeight',
  'vitalCapacityMl',
  'stepIndex',
  'gripKg',
  'pushUps',
  'sitUpsPerMin',
  'verticalJumpCm',
  'sitAndReachCm',
  'reactionTimeS',
  'oneLegStandEyesClosedS',
] as const;
export type FitnessItem = (typeof FITNESS_ITEMS)[number];

export const FITNESS_GRADES = ['excellent', 'good', 'pass', 'fail'] as const;
export type FitnessGrade = (typeof FITNESS_GRADES)[number];
export const FITNESS_GRADE_LABELS_ZH: Record<FitnessGrade, string> = {
  excellent: '一级（优秀）',
  good: '二级（良好）',
  pass: '三级（合格）',
  fail: '四级（不合格）',
};

export interface MeasurementSpec {
  key: MeasurementKey;
  labelZh: string;
  unit: string;
  min: number;
  max: number;
  /** decimal places accepted */
  decimals: number;
}

/** accepted input ranges: outside them the value is impossible (or a unit mix-up) and refused */
export const MEASUREMENT_SPECS: Record<MeasurementKey, MeasurementSpec> = {
  heightCm: { key: 'heightCm', labelZh: '身高', unit: 'cm', min: 100, max: 230, decimals: 1 },
  weightKg: { key: 'weightKg', labelZh: '体重', unit: 'kg', min: 20, max: 250, decimals: 1 },
  vitalCapacityMl: { key: 'vitalCapacityMl', labelZh: '肺活量', unit: 'mL', min: 500, max: 9999, decimals: 0 },
  stepIndex: { key: 'stepIndex', labelZh: '台阶指数', unit: '', min: 10, max: 150, decimals: 1 },
  gripKg: { key: 'gripKg', labelZh: '握力', unit: 'kg', min: 1, max: 99.9, decimals: 1 },
  pushUps: { key: 'pushUps', labelZh: '俯卧撑', unit: '次', min: 0, max: 200, decimals: 0 },
  sitUpsPerMin: { key: 'sitUpsPerMin', labelZh: '1分钟仰卧起坐', unit: '次', min: 0, max: 100, decimals: 0 },
  verticalJumpCm: { key: 'verticalJumpCm', labelZh: '纵跳', unit: 'cm', min: 0, max: 120, decimals: 1 },
  sitAndReachCm: { key: 'sitAndReachCm', labelZh: '坐位体前屈', unit: 'cm', min: -40, max: 50, decimals: 1 },
  reactionTimeS: { key: 'reactionTimeS', labelZh: '选择反应时', unit: 's', min: 0.1, max: 5, decimals: 2 },
  oneLegStandEyesClosedS: {
    key: 'oneLegStandEyesClosedS',
    labelZh: '闭眼单脚站立',
    unit: 's',
    min: 0,
    max: 600,
    decimals: 1,
  },
};

export const ITEM_LABELS_ZH: Record<FitnessItem, string> = {
  heightWeight: '身高标准体重',
  vitalCapacityMl: '肺活量',
  stepIndex: '台阶指数',
  gripKg: '握力',
  pushUps: '俯卧撑',
  sitUpsPerMin: '1分钟仰卧起坐',
  verticalJumpCm: '纵跳',
  sitAndReachCm: '坐位体前屈',
  reactionTimeS: '选择反应时',
  oneLegStandEyesClosedS: '闭眼单脚站立',
};

/** what each item says about the body (shown next to its score) */
export const ITEM_MEANING_ZH: Record<FitnessItem, string> = {
  heightWeight: '体重与身高是否相称（身体形态）',
  vitalCapacityMl: '一次呼吸的最大通气量（肺功能）',
  stepIndex: '运动后心率恢复（心血管耐力）',
  gripKg: '前臂和手部力量（上肢力量）',
  pushUps: '上肢与肩带的肌肉耐力',
  sitUpsPerMin: '腰腹部的肌肉耐力',
  verticalJumpCm: '下肢爆发力',
  sitAndReachCm: '躯干和下肢的柔韧性',
  reactionTimeS: '神经反应速度与协调（数值越小越好）',
  oneLegStandEyesClosedS: '平衡能力',
};

export const ADULT_AGE_GROUPS = T.GTB2003_ADULT_AGE_GROUPS;
export type AdultAgeGroup = (typeof ADULT_AGE_GROUPS)[number];

export class FitnessInputError extends Error {
  constructor(
    readonly reason: 'out_of_range' | 'not_a_number' | 'too_precise' | 'age_not_covered' | 'item_not_in_group' | 'bad_identity',
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FitnessInputError';
  }
}

// ---------- age ----------

/** full years on the test day (both 'YYYY-MM-DD'); a birthday on the test day counts */
export function ageOnDate(birthDate: string, testDate: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [ty, tm, td] = testDate.split('-').map(Number);
  let age = ty - by;
  if (tm < bm || (tm === bm && td < bd)) age -= 1;
  return age;
}

/** birth date and sex from an 18-digit resident ID (GB 11643) */
export function identityFromIdNumber(idNumber: string): { birthDate: string; sex: FitnessSex } {
  if (!isValidIdCard(idNumber)) throw new FitnessInputError('bad_identity', 'idNumber', '身份证号无效');
  const b = idNumber.slice(6, 14);
  return {
    birthDate: `${b.slice(0, 4)}-${b.slice(4, 6)}-${b.slice(6, 8)}`,
    sex: Number(idNumber[16]) % 2 === 1 ? 'M' : 'F',
  };
}

export function adultAgeGroup(age: number): AdultAgeGroup | null {
  if (!Number.isInteger(age) || age < 20 || age > 59) return null;
  const lo = Math.floor(age / 5) * 5;
  return `${lo}-${lo + 4}` as AdultAgeGroup;
}

function hwGroup(age: number): string {
  const lo = Math.floor(age / 10) * 10;
  return `${lo}-${lo + 9}`;
}

/** the items a person of this sex and age takes under the standard, in report order */
export function itemsFor(sex: FitnessSex, age: number): FitnessItem[] {
  if (adultAgeGroup(age) === null) throw new FitnessInputError('age_not_covered', 'age', '该标准仅适用于20–59岁成年人');
  const young = age <= 39;
  const items: FitnessItem[] = ['heightWeight', 'vitalCapacityMl', 'stepIndex', 'gripKg'];
  if (young) items.push(sex === 'M' ? 'pushUps' : 'sitUpsPerMin', 'verticalJumpCm');
  items.push('sitAndReachCm', 'reactionTimeS', 'oneLegStandEyesClosedS');
  return items;
}

/** measurement keys a group's form asks for */
export function measurementKeysFor(sex: FitnessSex, age: number): MeasurementKey[] {
  return itemsFor(sex, age).flatMap((i) => (i === 'heightWeight' ? (['heightCm', 'weightKg'] as MeasurementKey[]) : [i]));
}

/** why some item of this group cannot be scored (no sourced table): the texts shown before booking and on the report */
export function missingTablesFor(sex: FitnessSex, age: number): string[] {
  const g = adultAgeGroup(age);
  if (!g) return [];
  return itemsFor(sex, age).flatMap((i) => {
    const why = T.GTB2003_MISSING_TABLES[`${i}:${sex}:${g}`];
    return why ? [why] : [];
  });
}

// ---------- validation ----------

export function validateMeasurement(key: MeasurementKey, value: unknown): number {
  const spec = MEASUREMENT_SPECS[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new FitnessInputError('not_a_number', key, `${spec.labelZh}须为数字`);
  }
  if (value < spec.min || value > spec.max) {
    throw new FitnessInputError('out_of_range', key, `${spec.labelZh}须在 ${spec.min}–${spec.max}${spec.unit ? ' ' + spec.unit : ''} 之间`);
  }
  const scaled = value * 10 ** spec.decimals;
  if (Math.abs(scaled - Math.round(scaled)) > 1e-6) {
    throw new FitnessInputError(
      'too_precise',
      key,
      spec.decimals === 0 ? `${spec.labelZh}须为整数` : `${spec.labelZh}最多保留 ${spec.decimals} 位小数`,
    );
  }
  return value;
}

// ---------- item scoring ----------

export type Score = 0 | 1 | 2 | 3 | 4 | 5;

/** higher is better: cut[k-1] is the lowest value earning k points */
export function scoreAscending(cut: readonly number[], v: number): Score {
  let s = 0;
  for (let k = 0; k < 5; k++) if (v >= cut[k] - 1e-9) s = k + 1;
  return s as Score;
}

/** lower is better: cut[k-1] is the highest value earning k points */
export function scoreDescending(cut: readonly number[], v: number): Score {
  let s = 0;
  for (let k = 0; k < 5; k++) if (v <= cut[k] + 1e-9) s = k + 1;
  return s as Score;
}

export type HeightWeightBand = 'underweight' | 'light' | 'normal' | 'overweight' | 'obese';
export const HW_BAND_LABELS_ZH: Record<HeightWeightBand, string> = {
  underweight: '偏轻',
  light: '较轻',
  normal: '正常',
  overweight: '超重',
  obese: '肥胖',
};

export function heightWeightRow(sex: FitnessSex, age: number, heightCm: number) {
  const rows = T.heightWeight[`${sex}:${hwGroup(age)}`];
  if (!rows) return null;
  const band = Math.floor(Math.round(heightCm * 10) / 10 + 1e-9);
  return rows.find((r) => r[0] === band) ?? null;
}

export function scoreHeightWeight(
  sex: FitnessSex,
  age: number,
  heightCm: number,
  weightKg: number,
): { score: 1 | 3 | 5; band: HeightWeightBand } | null {
  const row = heightWeightRow(sex, age, heightCm);
  if (!row) return null;
  const [, lo3, lo5, hi5, hi3] = row;
  const w = weightKg;
  if (w < lo3 - 1e-9) return { score: 1, band: 'underweight' };
  if (w < lo5 - 1e-9) return { score: 3, band: 'light' };
  if (w <= hi5 + 1e-9) return { score: 5, band: 'normal' };
  if (w <= hi3 + 1e-9) return { score: 3, band: 'overweight' };
  return { score: 1, band: 'obese' };
}

type SimpleItem = Exclude<FitnessItem, 'heightWeight'>;
const TABLES: Record<SimpleItem, Readonly<Record<string, readonly number[]>>> = {
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

export function tableRow(item: SimpleItem, sex: FitnessSex, age: number): readonly number[] | null {
  const g = adultAgeGroup(age);
  return g ? (TABLES[item][`${sex}:${g}`] ?? null) : null;
}

export function scoreItem(item: SimpleItem, sex: FitnessSex, age: number, value: number): Score | null {
  const row = tableRow(item, sex, age);
  if (!row) return null;
  return item === 'reactionTimeS' ? scoreDescending(row, value) : scoreAscending(row, value);
}

// ---------- the whole assessment ----------

export interface ScoredItem {
  item: FitnessItem;
  labelZh: string;
  /** the measured value (for heightWeight: the weight; heightCm is given alongside) */
  value: number | null;
  heightCm?: number;
  unit: string;
  /** null: not measured, or no table for this group (see `note`) */
  score: Score | null;
  band?: HeightWeightBand;
  meaningZh: string;
  note?: 'not_measured' | 'no_table' | 'height_outside_table';
  /** for `no_table`: why this group has no table (in Chinese, shown on the report) */
  noteZh?: string;
}

export interface Assessment {
  standard: FitnessStandard;
  sex: FitnessSex;
  age: number;
  ageGroup: AdultAgeGroup;
  items: ScoredItem[];
  /** sum of the item scores that exist */
  total: number;
  maxTotal: number;
  grade: FitnessGrade | null;
  /** why `grade` is null */
  gradeWithheld?: 'item_scored_zero' | 'incomplete' | 'no_table';
}

/** 20–39: 一级 > 33, 二级 30–33, 三级 23–29, 四级 < 23; 40–59: > 26, 24–26, 18–23, < 18 */
export function gradeFor(age: number, total: number): FitnessGrade {
  const [excellent, good, pass] = age <= 39 ? [33, 30, 23] : [26, 24, 18];
  if (total > excellent) return 'excellent';
  if (total >= good) return 'good';
  if (total >= pass) return 'pass';
  return 'fail';
}

export interface AssessInput {
  standard: FitnessStandard;
  sex: FitnessSex;
  age: number;
  measurements: Measurements;
  /** refuse measurements the group does not take (the cloud does; the calculator may be lenient) */
  strict?: boolean;
}

export function assess(input: AssessInput): Assessment {
  const { sex, age, measurements } = input;
  if (!FITNESS_STANDARDS.includes(input.standard)) {
    throw new FitnessInputError('out_of_range', 'standard', '不支持的评定标准');
  }
  const ageGroup = adultAgeGroup(age);
  if (!ageGroup) throw new FitnessInputError('age_not_covered', 'age', '该标准仅适用于20–59岁成年人');
  const items = itemsFor(sex, age);
  const allowed = new Set(measurementKeysFor(sex, age));
  const m: Measurements = {};
  for (const key of Object.keys(measurements) as MeasurementKey[]) {
    if (!(MEASUREMENT_KEYS as readonly string[]).includes(key)) {
      throw new FitnessInputError('item_not_in_group', key, `未知测试项目 ${String(key).slice(0, 40)}`);
    }
    const v = measurements[key];
    if (v === undefined) continue;
    if (!allowed.has(key)) {
      if (input.strict) {
        throw new FitnessInputError('item_not_in_group', key, `${MEASUREMENT_SPECS[key].labelZh}不属于该年龄组/性别的测试项目`);
      }
      continue;
    }
    m[key] = validateMeasurement(key, v);
  }

  const scored: ScoredItem[] = items.map((item) => {
    const base = { item, labelZh: ITEM_LABELS_ZH[item], meaningZh: ITEM_MEANING_ZH[item] };
    if (item === 'heightWeight') {
      if (m.heightCm === undefined || m.weightKg === undefined) {
        return { ...base, value: m.weightKg ?? null, heightCm: m.heightCm, unit: 'kg', score: null, note: 'not_measured' };
      }
      const r = scoreHeightWeight(sex, age, m.heightCm, m.weightKg);
      if (!r) return { ...base, value: m.weightKg, heightCm: m.heightCm, unit: 'kg', score: null, note: 'height_outside_table' };
      return { ...base, value: m.weightKg, heightCm: m.heightCm, unit: 'kg', score: r.score, band: r.band };
    }
    const unit = MEASUREMENT_SPECS[item].unit;
    const v = m[item];
    if (!tableRow(item, sex, age))
      return {
        ...base,
        value: v ?? null,
        unit,
        score: null,
        note: 'no_table',
        noteZh: T.GTB2003_MISSING_TABLES[`${item}:${sex}:${ageGroup}`] ?? '该年龄组暂无可核对的评分表，本项不计分。',
      };
    if (v === undefined) return { ...base, value: null, unit, score: null, note: 'not_measured' };
    return { ...base, value: v, unit, score: scoreItem(item, sex, age, v) };
  });

  const total = scored.reduce((s, i) => s + (i.score ?? 0), 0);
  let grade: FitnessGrade | null = null;
  let gradeWithheld: Assessment['gradeWithheld'];
  if (scored.some((i) => i.score === 0)) gradeWithheld = 'item_scored_zero';
  else if (scored.some((i) => i.note === 'no_table' || i.note === 'height_outside_table')) gradeWithheld = 'no_table';
  else if (scored.some((i) => i.score === null)) gradeWithheld = 'incomplete';
  else grade = gradeFor(age, total);
  return {
    standard: input.standard,
    sex,
    age,
    ageGroup,
    items: scored,
    total,
    maxTotal: items.length * 5,
    grade,
    ...(gradeWithheld ? { gradeWithheld } : {}),
  };
}
