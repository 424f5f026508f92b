/** Scoring engine: ages, groups, validation, the 0-point rule, grades and hand-computed people. */
import {
  assess,
  ageOnDate,
  adultAgeGroup,
  gradeFor,
  identityFromIdNumber,
  idCardCheckChar,
  itemsFor,
  missingTablesFor,
  FitnessInputError,
  type Assessment,
} from '@citysport/shared';

const scores = (a: Assessment) => Object.fromEntries(a.items.map((i) => [i.item, i.score]));

describe('age on the test day', () => {
  test('birthday not yet reached / reached on the day / leap day', () => {
    expect(ageOnDate('1990-06-15', '2026-06-14')).toBe(35);
    expect(ageOnDate('1990-06-15', '2026-06-15')).toBe(36);
    expect(ageOnDate('2000-02-29', '2026-02-28')).toBe(25);
    expect(ageOnDate('2000-02-29', '2026-03-01')).toBe(26);
  });
  test('from an 18-digit ID: birth date and sex (odd 17th digit = man)', () => {
    const man = '32050819900615101';
    const woman = '32050819900615102';
    expect(identityFromIdNumber(man + idCardCheckChar(man))).toEqual({ birthDate: '1990-06-15', sex: 'M' });
    expect(identityFromIdNumber(woman + idCardCheckChar(woman))).toEqual({ birthDate: '1990-06-15', sex: 'F' });
    expect(() => identityFromIdNumber('320508199006151010')).toThrow(FitnessInputError);
  });
  test('groups: 5-year groups 20–59; outside is refused', () => {
    expect(adultAgeGroup(20)).toBe('20-24');
    expect(adultAgeGroup(24)).toBe('20-24');
    expect(adultAgeGroup(25)).toBe('25-29');
    expect(adultAgeGroup(59)).toBe('55-59');
    expect(adultAgeGroup(19)).toBeNull();
    expect(adultAgeGroup(60)).toBeNull();
    expect(() => assess({ standard: 'GTB2003-adult', sex: 'M', age: 65, measurements: {} })).toThrow(/20–59/);
  });
  test('items per group: 9 for 20–39 (push-ups men / sit-ups women, vertical jump), 7 for 40–59', () => {
    expect(itemsFor('M', 39)).toContain('pushUps');
    expect(itemsFor('F', 39)).toContain('sitUpsPerMin');
    expect(itemsFor('M', 39)).toHaveLength(9);
    expect(itemsFor('M', 40)).toHaveLength(7);
    expect(itemsFor('F', 40)).not.toContain('verticalJumpCm');
  });
});

describe('validation names the field', () => {
  const bad = (measurements: Record<string, unknown>, field: string, reason: string) => {
    try {
      assess({ standard: 'GTB2003-adult', sex: 'M', age: 30, measurements: measurements as never, strict: true });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(FitnessInputError);
      expect((e as FitnessInputError).field).toBe(field);
      expect((e as FitnessInputError).reason).toBe(reason);
    }
  };
  test('肺活量 500–9,999 mL, whole mL', () => {
    bad({ vitalCapacityMl: 499 }, 'vitalCapacityMl', 'out_of_range');
    bad({ vitalCapacityMl: 10000 }, 'vitalCapacityMl', 'out_of_range');
    bad({ vitalCapacityMl: 3000.5 }, 'vitalCapacityMl', 'too_precise');
    expect(assess({ standard: 'GTB2003-adult', sex: 'M', age: 30, measurements: { vitalCapacityMl: 500 } }).items[1].score).toBe(0);
    expect(assess({ standard: 'GTB2003-adult', sex: 'M', age: 30, measurements: { vitalCapacityMl: 9999 } }).items[1].score).toBe(5);
  });
  test('握力 1–99.9 kg; reaction time; strings; items the group does not take', () => {
    bad({ gripKg: 0.9 }, 'gripKg', 'out_of_range');
    bad({ gripKg: 100 }, 'gripKg', 'out_of_range');
    bad({ reactionTimeS: 0.455 }, 'reactionTimeS', 'too_precise');
    bad({ heightCm: '170' }, 'heightCm', 'not_a_number');
    bad({ sitUpsPerMin: 20 }, 'sitUpsPerMin', 'item_not_in_group');
    bad({ toString: 1 }, 'toString', 'item_not_in_group');
  });
});

describe('grades', () => {
  test('20–39: 一级 > 33, 二级 30–33, 三级 23–29, 四级 < 23', () => {
    expect(gradeFor(30, 34)).toBe('excellent');
    expect(gradeFor(30, 33)).toBe('good');
    expect(gradeFor(30, 30)).toBe('good');
    expect(gradeFor(30, 29)).toBe('pass');
    expect(gradeFor(30, 23)).toBe('pass');
    expect(gradeFor(30, 22)).toBe('fail');
  });
  test('40–59: > 26, 24–26, 18–23, < 18', () => {
    expect(gradeFor(40, 27)).toBe('excellent');
    expect(gradeFor(40, 26)).toBe('good');
    expect(gradeFor(40, 24)).toBe('good');
    expect(gradeFor(40, 23)).toBe('pass');
    expect(gradeFor(40, 18)).toBe('pass');
    expect(gradeFor(40, 17)).toBe('fail');
  });
});

describe('worked examples (computed by hand from the tables)', () => {
  test('A: man 22, 175.3 cm / 70.0 kg → 32 points, 二级', () => {
    // 175 cm M20–29 normal 60.1–76.9 → 5; 肺活量 3500 ≥3465 → 3; 台阶 60.0 ≥58.1 → 4; 握力 45.0 ≥43.6 → 3;
    // 俯卧撑 30 ≥28 → 4; 纵跳 40.0 ≥38.5 → 4; 体前屈 10.0 ≥9.0 → 3; 反应时 0.45 ≤0.49 (>0.43) → 3; 单脚 20 ≥18 → 3
    const a = assess({
      standard: 'GTB2003-adult',
      sex: 'M',
      age: 22,
      measurements: {
        heightCm: 175.3,
        weightKg: 70,
        vitalCapacityMl: 3500,
        stepIndex: 60,
        gripKg: 45,
        pushUps: 30,
        verticalJumpCm: 40,
        sitAndReachCm: 10,
        reactionTimeS: 0.45,
        oneLegStandEyesClosedS: 20,
      },
    });
    expect(scores(a)).toEqual({
      heightWeight: 5,
      vitalCapacityMl: 3,
      stepIndex: 4,
      gripKg: 3,
      pushUps: 4,
      verticalJumpCm: 4,
      sitAndReachCm: 3,
      reactionTimeS: 3,
      oneLegStandEyesClosedS: 3,
    });
    expect(a.total).toBe(32);
    expect(a.maxTotal).toBe(45);
    expect(a.grade).toBe('good');
  });
  test('B: woman 33, 160.0 cm / 68.0 kg (超重) → 35 points, 一级', () => {
    // 160 cm F30–39: normal ≤67.3, overweight ≤71.2 → 3; 肺活量 3300 ≥3243 → 5; 台阶 70.0 ≥69.2 → 5;
    // 握力 31.0 = 4-point bound → 4; 仰卧起坐 25 ≥20 → 4; 纵跳 20.0 ≥18.8 → 3; 体前屈 15.0 ≥13.4 → 4;
    // 反应时 0.50 ≤0.57 (>0.49) → 3; 单脚 30 ≥29 → 4
    const a = assess({
      standard: 'GTB2003-adult',
      sex: 'F',
      age: 33,
      measurements: {
        heightCm: 160,
        weightKg: 68,
        vitalCapacityMl: 3300,
        stepIndex: 70,
        gripKg: 31,
        sitUpsPerMin: 25,
        verticalJumpCm: 20,
        sitAndReachCm: 15,
        reactionTimeS: 0.5,
        oneLegStandEyesClosedS: 30,
      },
    });
    expect(scores(a)).toEqual({
      heightWeight: 3,
      vitalCapacityMl: 5,
      stepIndex: 5,
      gripKg: 4,
      sitUpsPerMin: 4,
      verticalJumpCm: 3,
      sitAndReachCm: 4,
      reactionTimeS: 3,
      oneLegStandEyesClosedS: 4,
    });
    expect(a.items[0].band).toBe('overweight');
    expect(a.total).toBe(35);
    expect(a.grade).toBe('excellent');
  });
  test('C: man 47, 168.0 cm / 80.0 kg (肥胖) → 17 points, 四级', () => {
    // 168 cm M40–49: overweight ≤79.3 → 80.0 obese → 1; 肺活量 3000 ≥2965 → 3; 台阶 50.0 ≥46.4 → 2;
    // 握力 40.0 ≥35.5 (<42.5) → 2; 体前屈 5.0 ≥3.3 → 3; 反应时 0.60 = 3-point bound → 3; 单脚 10 ≥9 → 3
    const a = assess({
      standard: 'GTB2003-adult',
      sex: 'M',
      age: 47,
      measurements: {
        heightCm: 168,
        weightKg: 80,
        vitalCapacityMl: 3000,
        stepIndex: 50,
        gripKg: 40,
        sitAndReachCm: 5,
        reactionTimeS: 0.6,
        oneLegStandEyesClosedS: 10,
      },
    });
    expect(scores(a)).toEqual({
      heightWeight: 1,
      vitalCapacityMl: 3,
      stepIndex: 2,
      gripKg: 2,
      sitAndReachCm: 3,
      reactionTimeS: 3,
      oneLegStandEyesClosedS: 3,
    });
    expect(a.items[0].band).toBe('obese');
    expect(a.total).toBe(17);
    expect(a.maxTotal).toBe(35);
    expect(a.grade).toBe('fail');
  });
  test('D: woman 56, 155.5 cm / 56.0 kg → 27 points, 一级', () => {
    // 155 cm F50–59 normal 50.3–66.0 → 5; 肺活量 2000 ≥1855 → 3; 台阶 62.0 ≥60.4 → 4; 握力 25.0 ≥23.6 → 3;
    // 体前屈 12.0 ≥11.2 → 4; 反应时 0.55 ≤0.57 (>0.48) → 4; 单脚 12 ≥11 → 4
    const a = assess({
      standard: 'GTB2003-adult',
      sex: 'F',
      age: 56,
      measurements: {
        heightCm: 155.5,
        weightKg: 56,
        vitalCapacityMl: 2000,
        stepIndex: 62,
        gripKg: 25,
        sitAndReachCm: 12,
        reactionTimeS: 0.55,
        oneLegStandEyesClosedS: 12,
      },
    });
    expect(scores(a)).toEqual({
      heightWeight: 5,
      vitalCapacityMl: 3,
      stepIndex: 4,
      gripKg: 3,
      sitAndReachCm: 4,
      reactionTimeS: 4,
      oneLegStandEyesClosedS: 4,
    });
    expect(a.total).toBe(27);
    expect(a.grade).toBe('excellent');
  });
  test('E: man 52 with a reaction time slower than the 1-point bound → 0 points, no grade', () => {
    // 50–54 men: 1 point up to 0.90 s; 0.91 s scores 0
    const a = assess({
      standard: 'GTB2003-adult',
      sex: 'M',
      age: 52,
      measurements: {
        heightCm: 170,
        weightKg: 65,
        vitalCapacityMl: 4000,
        stepIndex: 72,
        gripKg: 55,
        sitAndReachCm: 16,
        reactionTimeS: 0.91,
        oneLegStandEyesClosedS: 50,
      },
    });
    expect(scores(a).reactionTimeS).toBe(0);
    expect(a.total).toBe(30); // 5+5+5+5+5+0+5: a high total, still no grade
    expect(a.grade).toBeNull();
    expect(a.gradeWithheld).toBe('item_scored_zero');
  });
  test('F: woman 37 — 坐位体前屈 has no table (left out), so no grade; missing items → incomplete', () => {
    const a = assess({ standard: 'GTB2003-adult', sex: 'F', age: 37, measurements: { sitAndReachCm: 10 } });
    expect(a.items.find((i) => i.item === 'sitAndReachCm')).toMatchObject({ score: null, note: 'no_table', value: 10 });
    // the report says why, precisely
    expect(a.items.find((i) => i.item === 'sitAndReachCm')!.noteZh).toMatch(/女子35–39岁组的坐位体前屈评分表暂缺.*不评定综合等级/);
    expect(a.items.filter((i) => i.noteZh)).toHaveLength(1);
    expect(a.grade).toBeNull();
    expect(a.gradeWithheld).toBe('no_table');
    // a complete, otherwise gradable woman of 35–39 still gets no grade, with every other item scored
    const full = assess({
      standard: 'GTB2003-adult',
      sex: 'F',
      age: 35,
      measurements: {
        heightCm: 160,
        weightKg: 55,
        vitalCapacityMl: 2700,
        stepIndex: 60,
        gripKg: 28,
        sitUpsPerMin: 20,
        verticalJumpCm: 22,
        sitAndReachCm: 12,
        reactionTimeS: 0.5,
        oneLegStandEyesClosedS: 30,
      },
    });
    expect(full.items.filter((i) => i.score === null).map((i) => i.item)).toEqual(['sitAndReachCm']);
    expect(full.grade).toBeNull();
    expect(full.gradeWithheld).toBe('no_table');
    // said before booking too: only women of 35–39 are told
    expect(missingTablesFor('F', 37)).toEqual([full.items.find((i) => i.item === 'sitAndReachCm')!.noteZh]);
    for (const [sex, age] of [
      ['M', 37],
      ['F', 34],
      ['F', 40],
      ['F', 22],
    ] as const)
      expect(missingTablesFor(sex, age)).toEqual([]);
    // the neighbours have their table
    for (const age of [34, 40]) {
      const n = assess({ standard: 'GTB2003-adult', sex: 'F', age, measurements: { sitAndReachCm: 12 } });
      expect(n.items.find((i) => i.item === 'sitAndReachCm')!.score).not.toBeNull();
    }
    const b = assess({ standard: 'GTB2003-adult', sex: 'F', age: 27, measurements: { vitalCapacityMl: 3000 } });
    expect(b.gradeWithheld).toBe('incomplete');
    expect(b.total).toBe(4);
  });
});
