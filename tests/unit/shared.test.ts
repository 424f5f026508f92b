import {
  businessDay,
  fenToYuan,
  formatPrice,
  idCardCheckChar,
  isValidIdCard,
  isValidMobile,
  maskIdCard,
  maskMobile,
  maskName,
  shanghaiTime,
  ERRORS,
  ERROR_MESSAGES_ZH,
} from '@citysport/shared';

describe('ID card (GB 11643)', () => {
  test('accepts a number whose check character matches and rejects a wrong one', () => {
    const first17 = '32050219900101123';
    const check = idCardCheckChar(first17);
    expect(isValidIdCard(first17 + check)).toBe(true);
    const wrong = check === '0' ? '1' : '0';
    expect(isValidIdCard(first17 + wrong)).toBe(false);
  });
  test('known check characters, including X', () => {
    expect(idCardCheckChar('11010519491231002')).toBe('X');
    expect(isValidIdCard('11010519491231002X')).toBe(true);
    expect(isValidIdCard('11010519491231002x')).toBe(true);
  });
  test('rejects impossible birth dates and bad shapes', () => {
    const make = (birth: string) => {
      const f = `320502${birth}123`;
      return f + idCardCheckChar(f);
    };
    expect(isValidIdCard(make('19900230'))).toBe(false);
    expect(isValidIdCard(make('18000101'))).toBe(false);
    expect(isValidIdCard('12345')).toBe(false);
    expect(isValidIdCard('3205021990010112X4')).toBe(false);
  });
});

test('mobile numbers and masking', () => {
  expect(isValidMobile('13812345678')).toBe(true);
  expect(isValidMobile('12812345678')).toBe(false);
  expect(isValidMobile('1381234567')).toBe(false);
  expect(maskMobile('13812345678')).toBe('138****5678');
  expect(maskIdCard('320502199001011234')).toBe('320502********1234');
  expect(maskName('王小明')).toBe('王**');
  expect(maskName('欧阳娜娜')).toBe('欧***');
  expect(maskName('李')).toBe('李');
});

test('money is integer fen, shown in yuan', () => {
  expect(fenToYuan(0)).toBe('0.00');
  expect(fenToYuan(5)).toBe('0.05');
  expect(fenToYuan(3050)).toBe('30.50');
  expect(fenToYuan(-120)).toBe('-1.20');
  expect(formatPrice(0)).toBe('免费');
  expect(formatPrice(4000)).toBe('¥40.00');
});

test('business day and times are Asia/Shanghai (+08:00), whatever the machine zone', () => {
  expect(businessDay(new Date('2026-11-20T15:59:59Z'))).toBe('2026-11-20');
  expect(businessDay(new Date('2026-11-20T16:00:00Z'))).toBe('2026-11-21');
  expect(shanghaiTime('2026-11-21', '08:00').toISOString()).toBe('2026-11-21T00:00:00.000Z');
});

test('every error code has a fixed 4xx/5xx status', () => {
  for (const [code, status] of Object.entries(ERRORS)) {
    expect(code).toMatch(/^[A-Z][A-Z_]+$/);
    expect(status).toBeGreaterThanOrEqual(400);
  }
  expect(ERRORS.SLOT_SOLD_OUT).toBe(409);
  expect(ERRORS.BOOKING_BANNED).toBe(403);
  expect(Object.keys(ERROR_MESSAGES_ZH).every((k) => k in ERRORS)).toBe(true);
});
